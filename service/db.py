"""Connection pool creation and the JSON codecs every connection needs."""

import json
from typing import Any

import asyncpg


async def init_connection(conn: asyncpg.Connection) -> None:
    """Install JSON codecs and UTC on a new connection."""
    for typ in ("json", "jsonb"):
        await conn.set_type_codec(
            typ,
            encoder=lambda v: json.dumps(v, ensure_ascii=False, default=str),
            decoder=json.loads,
            schema="pg_catalog",
        )
    await conn.execute("SET TIME ZONE 'UTC'")


async def keep_session(conn: asyncpg.Connection) -> None:
    """Release without a reset round trip: pool connections never carry session state.

    asyncpg's default release sends `pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`
    (one round trip per request that touches the database). Code on pool connections only uses
    transaction-scoped locks and settings (`pg_advisory_xact_lock`, `set_config(..., true)`), no
    cursors outside transactions and no LISTEN (tests/test_layer_rules.py keeps it so); an open
    transaction is still rolled back by the pool before this runs.
    """


async def create_pool(dsn: str, min_size: int = 2, max_size: int = 20) -> asyncpg.Pool:
    """Create the asyncpg pool with JSON codecs installed on every connection."""
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=init_connection,
        reset=keep_session,
        command_timeout=60,
        # In server_settings, not a SET: session defaults hold for every connection.
        server_settings={"application_name": "cadre", "timezone": "UTC"},
    )
    assert pool is not None
    return pool


def record_to_dict(record: asyncpg.Record | None) -> dict[str, Any] | None:
    """Turn an asyncpg record into a plain dict (None stays None)."""
    return dict(record) if record is not None else None
