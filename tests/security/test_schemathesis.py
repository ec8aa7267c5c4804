"""Schema-driven fuzzing (schemathesis) of every operation, logged in: no 5xx, no off-schema answer.

The app under test is a second instance on the session database, run by schemathesis in its own
event loop; its users live in a unit tree of their own, so what the fuzzer writes stays there.
Bounded: a fixed number of derandomized examples per operation and no deadline.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from indexer.worker import Worker
from service.config import Settings
from service.main import create_app
from tests.factories import Api
from tests.security.world import build_world

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES = 12


@pytest.fixture(scope="module")
async def fuzz_users(client: Any, pool: Any, indexer: Worker) -> dict[str, dict[str, str]]:
    """An officer and a researcher of a world of their own (with data in and out of their scope)."""
    api = Api(client, pool)
    await api.setup()
    world = await build_world(api)
    return {"officer": world.headers["officer"], "researcher": world.headers["researcher"]}


@pytest.fixture(scope="module")
def fuzz_schema(settings: Settings) -> Iterator[Any]:
    """The OpenAPI schema of a fresh app instance that schemathesis starts and calls over ASGI."""
    from schemathesis.python import asgi

    yield schemathesis.openapi.from_asgi("/api/openapi.json", create_app(settings))
    # Close the app's pool before the session drops the database under it.
    asgi.shutdown_lifespans()


schema = schemathesis.pytest.from_fixture("fuzz_schema").exclude(
    # These end the session the fuzzer is using; the session tests cover them.
    path_regex=r"^/api/auth/(logout|session)$", method=["POST", "DELETE"],
)

FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck))


@schema.parametrize()
@FUZZ
def test_officer_gets_no_server_error_and_only_documented_answers(
        case: Any, fuzz_users: dict[str, dict[str, str]]) -> None:
    case.call_and_validate(headers=fuzz_users["officer"], checks=CHECKS)


@schema.include(method="GET").parametrize()
@FUZZ
def test_researcher_reads_get_no_server_error_and_only_documented_answers(
        case: Any, fuzz_users: dict[str, dict[str, str]]) -> None:
    case.call_and_validate(headers=fuzz_users["researcher"], checks=CHECKS)
