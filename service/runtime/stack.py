"""The local stack behind `cadre serve`: database and search server, started as needed."""

import fcntl
import logging
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from pydantic import SecretStr

from service.config import Settings

log = logging.getLogger(__name__)


class DataDirBusy(RuntimeError):
    """Another `cadre serve` (or restore) is using this data directory."""


def _master_key(path: Path) -> str:
    """The local Meilisearch master key, generated once and kept private on disk."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


@contextmanager
def data_dir_lock(data_dir: Path) -> Iterator[None]:
    """Hold the data directory's lock (released by the kernel even when the process is killed)."""
    path = data_dir / "run" / "serve.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fh: IO[str] = path.open("a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read().strip() or "?"
        fh.close()
        raise DataDirBusy(f"数据目录 {data_dir} 正由另一个 cadre 进程（pid {holder}）使用；"
                          "同一数据目录上只能运行一个服务") from None
    try:
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        yield
    finally:
        fh.close()


@dataclass
class LocalServers:
    """What local_stack started, with the checks and remedies the supervisor needs."""

    watch: list[tuple[str, Callable[[], bool], Callable[[], None]]] = field(default_factory=list)


@contextmanager
def local_stack(settings: Settings, stack: ExitStack, servers: LocalServers | None = None,
                step: Callable[[str], None] | None = None) -> Iterator[Settings]:
    """Start embedded PostgreSQL and Meilisearch where no URL is configured; yield full settings.

    The embedded database is used as production would: migrations with the owner's DSN
    (`migration_database_url`), everything else as `cadre_service` (`database_url`)."""
    updates: dict[str, object] = {}
    say = step or (lambda _text: None)
    if not settings.database_url:
        from service.runtime.postgres import EmbeddedPostgres

        say("启动内置 PostgreSQL（首次运行需初始化数据目录）")
        pg = stack.enter_context(EmbeddedPostgres(settings.data_dir / "pg", adopt=servers is None))
        updates["database_url"] = pg.service_dsn
        updates["migration_database_url"] = pg.owner_dsn
        if servers is not None:
            def restart_pg() -> None:
                pg.restart()

            servers.watch.append(("postgresql", pg.alive, restart_pg))
        log.info("embedded postgresql started")
    if not settings.meili_url:
        from service.runtime.meili import ensure_meilisearch_binary, meilisearch_server

        say("准备并启动 Meilisearch")
        binary = ensure_meilisearch_binary(settings.cache_dir)
        meili_dir = settings.data_dir / "meili"
        server = stack.enter_context(meilisearch_server(
            meili_dir / "db", binary, _master_key(meili_dir / "master.key")))
        updates["meili_url"] = server.url
        updates["meili_master_key"] = SecretStr(server.master_key)
        if servers is not None:
            servers.watch.append(("meilisearch", lambda: server.running, server.start))
        log.info("local meilisearch started at %s", server.url)
    merged = settings.model_copy(update=updates)
    yield with_search_keys(merged)


def with_search_keys(settings: Settings) -> Settings:
    """Fill in the search-only and indexer keys from the master key when they are not set.

    The settings returned never hold the master key: creating the keys is its only use, so
    nothing started from these settings (the web app, the indexer) keeps it in memory.
    """
    if settings.meili_url and settings.meili_master_key and not (
            settings.meili_search_key and settings.meili_index_key):
        from service.runtime.meili import provision_keys

        search_key, index_key = provision_keys(settings.meili_url,
                                               settings.meili_master_key.get_secret_value(),
                                               settings.index_prefix)
        return settings.model_copy(update={"meili_search_key": SecretStr(search_key),
                                           "meili_index_key": SecretStr(index_key),
                                           "meili_master_key": None})
    return settings.model_copy(update={"meili_master_key": None})


def child_env(settings: Settings, *, index_key: bool = True) -> dict[str, str]:
    """Environment for a child process (the indexer) that should see the same services."""
    env = dict(os.environ)
    env.update({
        "CADRE_ENV": settings.env,
        "CADRE_DATABASE_URL": settings.database_url or "",
        "CADRE_MEILI_URL": settings.meili_url or "",
        "CADRE_INDEX_PREFIX": settings.index_prefix,
        "CADRE_DATA_DIR": str(settings.data_dir),
    })
    # Children get the service's DSN and at most the indexer key: never the owner's DSN or the
    # master key.
    env.pop("CADRE_MEILI_MASTER_KEY", None)
    env.pop("CADRE_MIGRATION_DATABASE_URL", None)
    env.pop("CADRE_MEILI_INDEX_KEY", None)
    if index_key and settings.meili_index_key:
        env["CADRE_MEILI_INDEX_KEY"] = settings.meili_index_key.get_secret_value()
    return env
