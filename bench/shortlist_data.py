"""The benchmark database for shortlists: 100,000 demo cadres, built once and reused by name.

    python -m bench.shortlist_data [--cadres N]   # build (or find) the database and print its URL

With CADRE_DATABASE_URL set, the database `cadre_bench_100k` (`cadre_bench_20k` for --cadres 20000)
on that server is used; otherwise an embedded PostgreSQL kept in .data/bench-pg. A database that
already holds cadres is reused as it is (migrated to head first); delete it to rebuild.
"""

import argparse
import asyncio
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

from bench.common import with_db  # noqa: E402

CADRES = 100_000
EVIDENCE_PER_CADRE = 10.0


def db_name(cadres: int) -> str:
    """The benchmark database's name for a data set of `cadres` cadres (100,000 -> cadre_bench_100k)."""
    return f"cadre_bench_{cadres // 1000}k" if cadres % 1000 == 0 else f"cadre_bench_{cadres}"


async def _exists(server_url: str, name: str) -> bool:
    conn = await asyncpg.connect(with_db(server_url, "postgres"))
    try:
        found: bool = await conn.fetchval("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)",
                                          name)
        if not found:
            await conn.execute(f'CREATE DATABASE "{name}"')
        return found
    finally:
        await conn.close()


async def _fill(url: str, cadres: int) -> None:
    from service.db import init_connection
    from service.demo import load_demo

    conn = await asyncpg.connect(url)
    try:
        await init_connection(conn)
        if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM cadres)"):
            n = await conn.fetchval("SELECT count(*) FROM cadres")
            print(f"reusing {db_name(cadres)}: {n:,} cadres already loaded")
            return
        print(f"loading demo data: {cadres:,} cadres (about 4 minutes per 100,000 on 2 cores) …")
        summary = await load_demo(conn, cadres=cadres, evidence_per_cadre=EVIDENCE_PER_CADRE,
                                  progress=sys.stderr.isatty())
        print(summary)
        # A fresh bulk load has no visibility map, so every index-only scan of the eligibility rules
        # and the scoring query would visit the table until autovacuum gets round to it.
        await conn.execute("VACUUM (ANALYZE)")
    finally:
        await conn.close()


def prepare(server_url: str, cadres: int = CADRES) -> str:
    """Create (if missing), migrate and fill the benchmark database; return its URL."""
    from service.migrate import upgrade_head

    asyncio.run(_exists(server_url, db_name(cadres)))
    url = with_db(server_url, db_name(cadres))
    upgrade_head(url)
    asyncio.run(_fill(url, cadres))
    return url


@contextmanager
def bench_server() -> Iterator[str]:
    """A server URL: CADRE_DATABASE_URL's server, or the durable embedded one in .data/bench-pg."""
    configured = os.environ.get("CADRE_DATABASE_URL")
    if configured:
        yield configured
        return
    from service.runtime.postgres import embedded_postgres

    with embedded_postgres(ROOT / ".data" / "bench-pg", durable=True) as dsn:
        yield dsn


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, default=CADRES)
    args = parser.parse_args()
    with bench_server() as server:
        print(prepare(server, args.cadres))
