"""Fixtures of the schemathesis modules (test_schemathesis_*.py): one world and one app per module."""

from collections.abc import Iterator
from typing import Any

import pytest

from indexer.worker import Worker
from service.config import Settings
from tests.security import fuzzing


@pytest.fixture(scope="module")
async def fuzz_users(client: Any, pool: Any, indexer: Worker) -> dict[str, dict[str, str]]:
    """Credentials of every role in a world of this module's own."""
    return await fuzzing.role_headers(client, pool)


@pytest.fixture(scope="module")
def fuzz_schema(settings: Settings) -> Iterator[Any]:
    """The app's OpenAPI schema, served by an instance schemathesis drives."""
    yield from fuzzing.schema_of(settings)
