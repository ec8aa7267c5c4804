"""The story's own SQL: reading what the bulk load wrote, and the demo calendar row."""

from typing import Any

import asyncpg


async def rows(conn: asyncpg.Connection, sql: str, *args: Any) -> list[asyncpg.Record]:
    """Rows of one of the story's ordered read queries."""
    return list(await conn.fetch(sql, *args))


async def officer_and_city(conn: asyncpg.Connection, username: str) -> tuple[asyncpg.Record | None,
                                                                               int | None]:
    """The city officer's account and the city unit."""
    user = await conn.fetchrow("SELECT id, username, display_name FROM users WHERE username = $1",
                               username)
    city_id = await conn.fetchval("SELECT id FROM units WHERE kind = 'city' ORDER BY id LIMIT 1")
    return user, city_id


async def add_calendar_year(conn: asyncpg.Connection, year: int, source: str) -> None:
    """List a year in the working-day calendar unless the official data already does."""
    await conn.execute("INSERT INTO calendar_years (year, source) VALUES ($1, $2) "
                       "ON CONFLICT (year) DO NOTHING", year, source)
