"""Schemathesis over every operation as the admin and the auditor (mostly 403s): no 5xx, nothing undocumented.

Strategies include NUL bytes, lone surrogates and huge integers (tests/security/fuzzing.py).
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import strategies as st

from indexer.worker import Worker
from service.config import Settings
from tests.security import fuzzing

pytestmark = pytest.mark.slow
ROLES = ("admin", "auditor",)


@pytest.fixture(scope="module")
async def fuzz_users(client: Any, pool: Any, indexer: Worker) -> dict[str, dict[str, str]]:
    """Credentials of every role in a world of this module's own."""
    return await fuzzing.role_headers(client, pool)


@pytest.fixture(scope="module")
def fuzz_schema(settings: Settings) -> Iterator[Any]:
    """The app's OpenAPI schema, served by an instance schemathesis drives."""
    yield from fuzzing.schema_of(settings)


schema = fuzzing.exclude_session_enders(schemathesis.pytest.from_fixture("fuzz_schema"))


@schema.parametrize()
@schema.given(data=st.data())
@fuzzing.fuzz_settings(4)
def test_no_server_error_and_only_documented_answers(
        case: Any, data: st.DataObject, fuzz_users: dict[str, dict[str, str]]) -> None:
    fuzzing.make_hostile(case, data)
    for role in ROLES:
        case.call_and_validate(headers=fuzz_users[role], checks=fuzzing.CHECKS)
