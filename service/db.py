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


async def create_pool(dsn: str, min_size: int = 2, max_size: int = 20) -> asyncpg.Pool:
    """Create the asyncpg pool with JSON codecs installed on every connection."""
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=init_connection,
        command_timeout=60,
        # In server_settings, not a SET: the pool's RESET ALL on release would undo a SET.
        server_settings={"application_name": "cadre", "timezone": "UTC"},
    )
    assert pool is not None
    return pool


def record_to_dict(record: asyncpg.Record | None) -> dict[str, Any] | None:
    """Turn an asyncpg record into a plain dict (None stays None)."""
    return dict(record) if record is not None else None
