"""One connection that looks like a pool to the service functions the story calls."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg


class ConnPool:
    """`acquire()` hands out the same connection; the service's transactions become savepoints
    inside the demo's own transaction, so the whole load still commits or rolls back as one."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[asyncpg.Connection]:
        """The shared connection."""
        yield self._conn
