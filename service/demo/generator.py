"""Load a deterministic, realistic demo data set into an empty, migrated database.

`load_demo` opens its own transaction with `conn.transaction()`: on a connection that is
not in a transaction the whole load commits or rolls back as one unit; when the caller has
already opened one, the load runs in a savepoint inside it and commits with the caller.

Rows go in with COPY and explicit ids (COPY writes identity columns as given); every identity
sequence is moved past the highest id afterwards. Large loads generate their chunks in a
child process (`service.demo.worker`) while the parent copies the previous chunk.
"""

import asyncio
import time
from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from tqdm import tqdm

from service.auth.passwords import hash_password
from service.demo import repo, worker
from service.demo.chunks import CHUNK_TABLES, Chunk, ChunkLoader, chunk_sizes
from service.demo.leadership_story import add_leadership_story
from service.demo.repo import copy_out, max_ids, reset_identities
from service.demo.story import tell as tell_story
from service.demo.world import (
    DEMO_PASSWORD,
    DEMO_USERNAMES,
    World,
    build_world,
    cadre_assignments,
)
from service.service_logs.repo import backfill_from_records

FRAME_TABLES = ("users", "units", "user_scopes", "campaigns", "teams", "team_members",
                "team_assignments")
PROCESS_MIN_CHUNKS = 3  # below this many chunks, generating in-process is faster


class DemoDataExists(RuntimeError):
    """The database already holds data the demo would collide with."""


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What a demo load wrote: rows per table, elapsed seconds and the demo logins."""

    seed: int
    counts: dict[str, int]
    seconds: float
    usernames: list[str]
    password: str = field(default=DEMO_PASSWORD, repr=False)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        """Rows written across all tables."""
        return sum(self.counts.values())

    def __str__(self) -> str:
        """A one-line account of the load (without the password)."""
        c = self.counts
        return (f"{c['cadres']} 名干部、{c['field_records']} 条纪实记录、{c['evidence']} 条实绩，"
                f"共 {self.total_rows} 行，用时 {self.seconds:.1f} 秒"
                f"（{self.total_rows / max(self.seconds, 1e-9):,.0f} 行/秒）；"
                f"演示账号：{', '.join(self.usernames)}")


async def _refuse_if_not_empty(conn: asyncpg.Connection) -> None:
    await repo.lock_for_load(conn)
    if await repo.has_rows(conn, "cadres"):
        raise DemoDataExists("数据库中已有干部数据，拒绝重复加载演示数据 (cadres is not empty)")
    if await repo.has_rows(conn, "units"):
        raise DemoDataExists("数据库中已有单位数据，演示数据需要空库 (units is not empty)")
    taken = await repo.taken_usernames(conn, DEMO_USERNAMES)
    if taken:
        names = ", ".join(taken)
        raise DemoDataExists(f"演示账号已存在：{names} (demo usernames already taken)")


async def _chunks(world: World, seed: int, bases: dict[str, int], cadres: int,
                  records_per_cadre: float, evidence_per_cadre: float) -> AsyncGenerator[Chunk, None]:
    sizes = chunk_sizes(cadres)
    if len(sizes) >= PROCESS_MIN_CHUNKS:
        p = worker.params(seed, bases, cadres, records_per_cadre, evidence_per_cadre)
        async with aclosing(worker.stream_chunks(p)) as stream:
            async for chunk in stream:
                yield chunk
        return
    loader = ChunkLoader(world, seed, bases, records_per_cadre, evidence_per_cadre)
    for index, size in enumerate(sizes):
        yield loader.chunk(index, size)
        await asyncio.sleep(0)


async def load_demo(conn: asyncpg.Connection, cadres: int = 200, seed: int = 20241,
                    records_per_cadre: float = 10.0, evidence_per_cadre: float = 10.0,
                    progress: bool = True, story: bool = True) -> DemoSummary:
    """Fill an empty migrated database with a deterministic demo data set (one transaction).

    With `story` (the default) the story of `service.demo.story` follows the bulk rows:
    scoreboards, contests, secondments, service logs, positions and promotion records.
    """
    if cadres < 1 or records_per_cadre < 0 or evidence_per_cadre < 0:
        raise ValueError("cadres must be >= 1 and the per-cadre rates >= 0")
    started = time.perf_counter()
    password_hash = await asyncio.to_thread(hash_password, DEMO_PASSWORD)
    async with conn.transaction():
        await _refuse_if_not_empty(conn)
        bases = await max_ids(conn)
        world = build_world(seed, password_hash, bases)
        counts = {t: 0 for t in (*FRAME_TABLES, *CHUNK_TABLES)}
        for table in FRAME_TABLES:
            counts[table] += await copy_out(conn, table, world.rows[table])
        next_assignment = bases["team_assignments"] + len(world.rows["team_assignments"])
        with tqdm(total=cadres, unit="cadre", desc="demo data", disable=not progress) as bar:
            first, copy_seconds = True, 0.0
            chunks = _chunks(world, seed, bases, cadres, records_per_cadre, evidence_per_cadre)
            async with aclosing(chunks):
                async for rows, tops in chunks:
                    copy_started = time.perf_counter()
                    for table in CHUNK_TABLES:
                        counts[table] += await copy_out(conn, table, rows[table])
                    copy_seconds += time.perf_counter() - copy_started
                    if first:  # cross-checks need cadres to exist
                        cross = cadre_assignments(seed, world, tops, next_assignment)
                        counts["team_assignments"] += await copy_out(conn, "team_assignments", cross)
                        first = False
                    bar.update(len(tops))
                    bar.set_postfix(records=counts["field_records"], evidence=counts["evidence"])
        await reset_identities(conn)
        # Statistics first, so the backfill's and the leadership story's joins over the tables just
        # copied are planned on their real sizes (the backfill itself reads service_logs once).
        await repo.analyze(conn)
        # The bulk copy bypasses the record service: give window-service records their logs.
        await backfill_from_records(conn)
        # Issue 18's part of the story, in its own module (the rest of the story may change around it).
        for table, rows_added in (await add_leadership_story(conn, seed)).items():
            counts[table] = counts.get(table, 0) + rows_added
        await repo.analyze(conn)
        story_started = time.perf_counter()
        figures = await tell_story(conn, seed) if story else {}
        if figures:  # the story adds resume lines, evidence, records and more: count what is there
            for table in counts:
                counts[table] = await repo.count_rows(conn, table)
        story_seconds = time.perf_counter() - story_started
    return DemoSummary(seed=seed, counts=counts, seconds=time.perf_counter() - started,
                       usernames=list(DEMO_USERNAMES),
                       extra={"copy_seconds": copy_seconds, "story_seconds": story_seconds,
                              "story": figures})
