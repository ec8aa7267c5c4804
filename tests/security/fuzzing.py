"""Shared parts of the schema-driven fuzzing (schemathesis) of every operation as every role.

Each role group runs over each half of the operations in a test module of its own
(test_schemathesis_<roles>_<half>.py), so parallel workers (`--dist loadfile`) share them.
Besides what schemathesis generates from the OpenAPI schema, about half of the cases get one
hostile value put in: a NUL byte inside a string or an integer far beyond 64 bits (issue 12.5;
lone surrogates: test_bad_input.py, every operation). Every answer must be documented (status,
content type, schema) and none may be a server error.
"""

from collections.abc import Callable, Iterator
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.pytest.lazy import LazySchema

from service.config import Settings
from service.main import create_app
from tests.factories import Api
from tests.security.world import build_world

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# Lone surrogates cannot ride in a schemathesis case (it encodes every case as UTF-8 itself):
# test_bad_input.py sends them, JSON-escaped, to every operation instead.
HOSTILE_STRINGS = ("\x00", "a\x00b", "张\x00三", "\x00" * 3)
HOSTILE_INTS = (2**63, 2**64, -(2**64), 10**30)


def fuzz_settings(examples: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Bounded, reproducible: a fixed number of derandomized examples per operation, no deadline."""
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


def schema_of(settings_: Settings) -> Iterator[Any]:
    """The OpenAPI schema of a fresh app instance that schemathesis starts and calls over ASGI."""
    from schemathesis.python import asgi

    # No indexer process runs beside this instance (tests drain the outbox themselves), so its
    # readiness must not wait for one: /readyz would rightly answer 503.
    app = create_app(settings_.model_copy(update={"expect_indexer": False}))
    yield schemathesis.openapi.from_asgi("/api/openapi.json", app)
    # Close the app's pool before the session drops the database under it.
    asgi.shutdown_lifespans()


async def role_headers(client: Any, pool: Any) -> dict[str, dict[str, str]]:
    """Every role's credentials, in a world of its own (data in and out of their scope)."""
    api = Api(client, pool)
    await api.setup()
    world = await build_world(api)
    return world.headers


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    elif isinstance(value, str | int) and not isinstance(value, bool):
        yield path, value


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[head] = _replace(value[head], rest, new)
    return copy


def make_hostile(case: Any, data: st.DataObject) -> None:
    """Put one hostile value into a string or integer of the case's path, query or body."""
    places: list[tuple[str, tuple[Any, ...], Any]] = []
    for location in ("path_parameters", "query", "body"):
        container = getattr(case, location, None)
        if isinstance(container, dict | list):
            places += [(location, path, leaf) for path, leaf in _leaves(container)]
    if not places or not data.draw(st.booleans(), label="hostile"):
        return
    location, path, leaf = data.draw(st.sampled_from(places), label="where")
    if isinstance(leaf, str):
        new: Any = leaf + data.draw(st.sampled_from(HOSTILE_STRINGS), label="string")
    else:
        new = data.draw(st.sampled_from(HOSTILE_INTS), label="integer")
    if location == "path_parameters" and not isinstance(new, str):
        new = str(new)
    setattr(case, location, _replace(getattr(case, location), path, new))


# The two halves of the operations, by the first letter of the path after /api/ (plus /healthz; the
# rest, /readyz among them, is the second half): one half includes exactly what the other excludes.
FIRST_HALF = r"^/(healthz$|api/[a-k])"


def operations(half: int) -> LazySchema:
    """The app's operations in one half (0: paths a–k, 1: paths l–z), without the session enders."""
    schema = schemathesis.pytest.from_fixture("fuzz_schema")
    schema = schema.include(path_regex=FIRST_HALF) if half == 0 else schema.exclude(path_regex=FIRST_HALF)
    # Logging out ends the session the fuzzer is using; the session tests cover those.
    return schema.exclude(path_regex=r"^/api/auth/(logout|session)$", method=["POST", "DELETE"])


def check_case(case: Any, data: st.DataObject, headers: dict[str, dict[str, str]],
               roles: tuple[str, ...]) -> None:
    """Put a hostile value into the case (about half the time), call it as each role and validate."""
    make_hostile(case, data)
    for role in roles:
        case.call_and_validate(headers=headers[role], checks=CHECKS)
