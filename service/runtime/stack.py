"""The local stack behind `cadre serve`: database, search server and indexer, started as needed."""

import logging
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from pydantic import SecretStr

from service.config import Settings

log = logging.getLogger(__name__)


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
def local_stack(settings: Settings, stack: ExitStack) -> Iterator[Settings]:
    """Start embedded PostgreSQL and Meilisearch where no URL is configured; yield full settings."""
    updates: dict[str, object] = {}
    if not settings.database_url:
        from service.runtime.postgres import embedded_postgres

        updates["database_url"] = stack.enter_context(embedded_postgres(settings.data_dir / "pg"))
        log.info("embedded postgresql started")
    if not settings.meili_url:
        from service.runtime.meili import (
            ensure_meilisearch_binary,
            meilisearch_server,
        )

        binary = ensure_meilisearch_binary(settings.cache_dir)
        meili_dir = settings.data_dir / "meili"
        server = stack.enter_context(meilisearch_server(
            meili_dir / "db", binary, _master_key(meili_dir / "master.key")))
        updates["meili_url"] = server.url
        updates["meili_master_key"] = SecretStr(server.master_key)
        log.info("local meilisearch started at %s", server.url)
    merged = settings.model_copy(update=updates)
    yield with_search_keys(merged)


def with_search_keys(settings: Settings) -> Settings:
    """Fill in the search-only and indexer keys from the master key when they are not set."""
    if settings.meili_url and settings.meili_master_key and not (
            settings.meili_search_key and settings.meili_index_key):
        from service.runtime.meili import provision_keys

        search_key, index_key = provision_keys(settings.meili_url,
                                               settings.meili_master_key.get_secret_value(),
                                               settings.index_prefix)
        return settings.model_copy(update={"meili_search_key": SecretStr(search_key),
                                           "meili_index_key": SecretStr(index_key)})
    return settings


def child_env(settings: Settings) -> dict[str, str]:
    """Environment for a child process (the indexer) that should see the same services."""
    env = dict(os.environ)
    env.update({
        "CADRE_ENV": settings.env,
        "CADRE_DATABASE_URL": settings.database_url or "",
        "CADRE_MEILI_URL": settings.meili_url or "",
        "CADRE_INDEX_PREFIX": settings.index_prefix,
        "CADRE_DATA_DIR": str(settings.data_dir),
    })
    # The indexer gets only its own key, never the master key.
    env.pop("CADRE_MEILI_MASTER_KEY", None)
    if settings.meili_index_key:
        env["CADRE_MEILI_INDEX_KEY"] = settings.meili_index_key.get_secret_value()
    return env


def start_indexer(settings: Settings, stack: ExitStack) -> subprocess.Popen[bytes]:
    """Run `python -m indexer` as a child process, stopped with the stack."""
    proc = subprocess.Popen([sys.executable, "-m", "indexer"], env=child_env(settings))

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()

    stack.callback(stop)
    return proc
