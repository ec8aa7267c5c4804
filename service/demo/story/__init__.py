"""The demo's story: a city's year of work-style and capability improvement, told through the product.

Each part is a module under `service/demo/` with `async def tell(story: Story) -> dict[str, int]`
(what it wrote, by name). `PARTS` lists them in order; a part added by another domain (e.g.
leadership teams and research archives) appends its module path here — that is the hook.

Parts write through the product's own service functions (the same rules, revisions and audit
entries as the API) on the demo's one connection, inside the demo's transaction, so a story that
breaks a rule fails the load instead of showing impossible data. Every date that must look
"current" (a notice window open now, a probation running) is relative to `clock.today()`.
"""

import importlib
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

import asyncpg

from schemas import clock
from schemas.common import Role
from service.db import init_connection
from service.demo.story import story_sql
from service.demo.story.conn_pool import ConnPool
from service.principal import Principal

PARTS: list[str] = [
    "service.demo.story.scoreboards",
    "service.demo.story.contests",
    "service.demo.story.secondments",
    "service.demo.story.frontline",
    "service.demo.story.selection",
]


@dataclass(slots=True)
class Story:
    """What every part needs: the connection as a pool, the city officer, the seed and today."""

    conn: asyncpg.Connection
    pool: asyncpg.Pool
    officer: Principal
    seed: int
    today: date
    city_id: int
    figures: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def rng(self, part: str) -> random.Random:
        """A generator of its own per part, so parts do not shift each other's draws."""
        return random.Random(f"{self.seed}:story:{part}")

    async def rows(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        """Read rows for the story (ordered queries only: determinism depends on it)."""
        return await story_sql.rows(self.conn, sql, *args)


async def tell(conn: asyncpg.Connection, seed: int, officer_username: str = "officer") -> dict[str, int]:
    """Run every part of the story in order; returns the figures each part reports."""
    user, city_id = await story_sql.officer_and_city(conn, officer_username)
    if user is None or city_id is None:
        raise RuntimeError("演示数据缺少市委组织部干部账号或市级单位")
    officer = Principal(user_id=user["id"], username=user["username"],
                        display_name=user["display_name"], role=Role.officer, source_ip="127.0.0.1")
    story = Story(conn=conn, pool=cast(asyncpg.Pool, ConnPool(conn)), officer=officer, seed=seed,
                  today=clock.today(), city_id=city_id)
    await init_connection(conn)  # the service functions expect the pool's JSON codecs
    try:
        for name in PARTS:
            part = cast(Callable[[Story], Awaitable[dict[str, int]]],
                        importlib.import_module(name).tell)
            began = time.perf_counter()
            story.figures.update(await part(story))
            story.seconds[name.rpartition(".")[2]] = round(time.perf_counter() - began, 3)
    finally:
        for kind in ("json", "jsonb"):  # hand the caller's connection back as it came
            await conn.reset_type_codec(kind, schema="pg_catalog")
    return story.figures
