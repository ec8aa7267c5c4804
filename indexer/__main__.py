"""`python -m indexer` (run the outbox loop), `reindex` (rebuild and swap) and `check` (drift)."""

import argparse
import asyncio
import logging
import signal
import sys

from indexer.client import make_client
from indexer.reindex import check, reindex
from indexer.settings import apply_settings
from indexer.worker import Worker
from service.config import Settings, get_settings
from service.db import create_pool
from service.logging_setup import configure_logging
from service.runtime._proc import die_with_parent

log = logging.getLogger("cadre.indexer")


async def run_worker(settings: Settings) -> None:
    """Run the outbox loop until SIGTERM/SIGINT."""
    assert settings.database_url
    client = make_client(settings)
    # one connection per batch in flight, one to claim the next
    pool = await create_pool(settings.database_url, 1, settings.indexer_depth + 1)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    try:
        log.info("indexer started")
        await Worker(pool, client, settings).run(stop)
    finally:
        await pool.close()


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    configure_logging()
    die_with_parent()  # under `cadre serve`: never outlive it
    parser = argparse.ArgumentParser(prog="python -m indexer", description="检索索引维护")
    parser.add_argument("command", nargs="?", default="run", choices=["run", "reindex", "check"])
    args = parser.parse_args(argv)
    settings = get_settings()
    if args.command == "reindex":
        print(f"已重建索引：{reindex(settings)} 个文档")
        return 0
    if args.command == "check":
        drift = check(settings)
        print(f"PostgreSQL：{drift.counts_pg}；Meilisearch：{drift.counts_index}")
        for label, ids in (("缺失", drift.missing), ("多余", drift.extra), ("过期", drift.stale)):
            if ids:
                print(f"{label} {len(ids)} 个：{', '.join(ids[:20])}{' …' if len(ids) > 20 else ''}")
        print("索引与数据库一致" if drift.clean else "发现偏差，可运行 `python -m indexer reindex` 修复")
        return 0 if drift.clean else 1
    client = make_client(settings)
    from indexer.client import index_name

    try:
        client.get_index(index_name(settings))
        apply_settings(client, index_name(settings))
    except Exception:
        log.warning("live index missing; run `python -m indexer reindex` first", exc_info=True)
    asyncio.run(run_worker(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
