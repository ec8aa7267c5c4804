"""`cadre serve`: bring up what is missing, migrate, optionally load demo data, run and supervise.

Every stop signal (SIGTERM, SIGINT, SIGHUP) stops everything in order: the web server,
then the supervised children (indexer, …), then Meilisearch, then PostgreSQL.
"""

import asyncio
import logging
import signal
import time
from contextlib import ExitStack
from types import FrameType
from typing import Any

import uvicorn

from service.config import Settings
from service.migrate import upgrade_head
from service.runtime.children import supervised_children
from service.runtime.stack import DataDirBusy, LocalServers, child_env, data_dir_lock, local_stack
from service.runtime.supervisor import Supervisor

log = logging.getLogger(__name__)
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class StopRequested(BaseException):
    """A stop signal arrived while starting up: unwind, stopping what was started."""


class _Signals:
    """Stop on SIGTERM/SIGINT/SIGHUP: interrupt start-up, or ask uvicorn to finish serving."""

    def __init__(self) -> None:
        self.server: uvicorn.Server | None = None
        self.received: int | None = None
        self._old = {sig: signal.signal(sig, self._handle) for sig in STOP_SIGNALS}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        first = self.received is None
        self.received = signum
        if self.server is not None:
            self.server.should_exit = True
        elif first:
            raise StopRequested(signum)
        # later signals while stopping: the ordered stop carries on

    def restore(self) -> None:
        """Put back the handlers that were there before."""
        for sig, old in self._old.items():
            signal.signal(sig, old)


class _Steps:
    """Numbered progress lines for the start-up, with the time each step took."""

    def __init__(self) -> None:
        self.n = 0
        self.started = time.monotonic()
        self.step_started = self.started

    def __call__(self, text: str) -> None:
        now = time.monotonic()
        self.n += 1
        print(f"[{self.n}] {text} …（已用 {now - self.started:.1f} 秒）", flush=True)
        self.step_started = now


class _Server(uvicorn.Server):
    """uvicorn, printing the address and the demo accounts once it listens (the last lines)."""

    def __init__(self, config: uvicorn.Config, banner: str) -> None:
        super().__init__(config)
        self.banner = banner

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        if self.started:
            print(self.banner, flush=True)


async def _is_empty(url: str) -> bool:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM units)")
    finally:
        await conn.close()


async def _load_demo(url: str, cadres: int) -> None:
    from service.db import create_pool
    from service.demo import load_demo

    pool = await create_pool(url, 1, 2)
    try:
        async with pool.acquire() as conn:
            summary = await load_demo(conn, cadres=cadres)
        log.info("demo data loaded", extra={"summary": str(summary)})
    finally:
        await pool.close()


async def _index_exists(settings: Settings) -> bool:
    from indexer.client import index_exists

    return await asyncio.to_thread(index_exists, settings)


async def _await_indexer(url: str, timeout_s: float = 60.0) -> None:
    """Wait (bounded) until the indexer listens, so readiness is green when the banner shows."""
    import asyncpg

    from service.health.repo import live_indexers

    conn = await asyncpg.connect(url)
    deadline = time.monotonic() + timeout_s
    try:
        while True:  # until it listens or the deadline passes
            if await live_indexers(conn):
                return
            if time.monotonic() > deadline:
                log.warning("the indexer is not listening yet; starting the web service anyway")
                return
            await asyncio.sleep(0.1)
    finally:
        await conn.close()


def _banner(settings: Settings, demo: bool, started: float) -> str:
    url = f"http://{settings.host}:{settings.port}"
    lines = [f"\n服务已就绪（启动用时 {time.monotonic() - started:.0f} 秒）：{url}/  "
             f"（API 文档：{url}/api/docs；就绪检查：{url}/readyz）"]
    if demo:
        from service.demo import DEMO_PASSWORD  # development tool: not in the production image

        lines.append(f"演示账号：officer / {DEMO_PASSWORD}（干部工作人员）；"
                     "researcher、leader、auditor、admin 密码相同")
    lines.append("按 Ctrl-C 停止（会依次停止索引器、Meilisearch 和数据库）\n")
    return "\n".join(lines)


def serve(settings: Settings, demo: bool, demo_cadres: int, with_indexer: bool) -> int:
    """Run until a stop signal; everything started here is stopped on the way out, in order."""
    from service.main import create_app

    signals = _Signals()
    steps = _Steps()
    try:
        with ExitStack() as stack:
            stack.callback(signals.restore)
            stack.enter_context(data_dir_lock(settings.data_dir))
            servers = LocalServers()
            full = stack.enter_context(local_stack(settings, stack, servers, steps))
            assert full.database_url and full.owner_database_url
            steps("数据库迁移（以表的所有者身份）")
            upgrade_head(full.owner_database_url)
            loaded = False
            if demo and asyncio.run(_is_empty(full.database_url)):
                steps(f"载入演示数据（{demo_cadres} 名干部）")
                asyncio.run(_load_demo(full.owner_database_url, demo_cadres))
                loaded = True
            if full.meili_url and with_indexer:
                from indexer.reindex import reindex

                if loaded or not asyncio.run(_index_exists(full)):
                    steps("建立检索索引（发送文档，再等待 Meilisearch 建完索引）")
                    reindex(full, progress=True)
            supervisor = Supervisor(full.data_dir / "run", full.supervisor_status_path)
            for name, alive, restart in servers.watch:
                supervisor.add_server(name, alive, restart)
            for spec in supervised_children(full, with_indexer=with_indexer):
                supervisor.add_child(spec, child_env(full, index_key=spec.needs_index_key))
            steps("启动受监管的后台进程：" + ("、".join(
                u.name for u in supervisor.units) or "无"))
            supervisor.start()
            stack.callback(supervisor.stop)
            if with_indexer and full.meili_url:
                asyncio.run(_await_indexer(full.database_url))
            steps("启动 Web 服务")
            # The web process needs neither the owner's DSN nor the master key.
            app_settings = full.model_copy(update={"migration_database_url": None,
                                                   "meili_master_key": None,
                                                   "expect_indexer": with_indexer})
            server = _Server(uvicorn.Config(create_app(app_settings), host=full.host,
                                            port=full.port, log_config=None, proxy_headers=False),
                             _banner(full, demo, steps.started))
            signals.server = server
            server.run()
            print("正在停止：后台进程、Meilisearch、PostgreSQL …", flush=True)
    except StopRequested:
        print("启动中止：已停止已启动的组件", flush=True)
    except DataDirBusy as exc:
        print(str(exc), flush=True)
        return 1
    return 0
