"""Run a local Meilisearch 1.21 on 127.0.0.1 and provision its scoped API keys."""

import logging
import os
import secrets
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Literal

import httpx
import meilisearch
from meilisearch.errors import MeilisearchApiError

from service.config import library_index_name
from service.runtime import _proc
from service.runtime.meili_binary import (
    MEILI_SHA256,
    MEILI_VERSION,
    MeiliBinaryError,
    MeiliBinaryHashError,
    ensure_meilisearch_binary,
    verify_binary,
)

__all__ = [
    "INDEXER_ACTIONS",
    "MEILI_SHA256",
    "MEILI_VERSION",
    "SEARCH_ACTIONS",
    "MeiliBinaryError",
    "MeiliBinaryHashError",
    "MeiliServer",
    "MeiliStartError",
    "ensure_meilisearch_binary",
    "meilisearch_server",
    "provision_keys",
]

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
SEARCH_ACTIONS = ("search",)
INDEXER_ACTIONS = (
    "documents.add", "documents.get", "documents.delete",
    "indexes.create", "indexes.get", "indexes.update", "indexes.delete", "indexes.swap",
    "settings.get", "settings.update", "tasks.get", "stats.get",
)
# Meilisearch sizes the writer queues it allocates for every batch, however small, from this:
# by default 5 % of two thirds of the machine's memory (~785 MB on 24 GB), which cost 0.3–4 s
# of each 1–60-document update (the batch's "indexing" time outside every traced step) against
# ~5 ms at 1 GiB, where the queues and extraction buffers take Meilisearch's minimums.
MAX_INDEXING_MEMORY = "1 GiB"
_KEY_NAMESPACE = uuid.UUID("8f1d2c3e-5b4a-4f60-9e7d-6a2b1c0d9e8f")


class MeiliStartError(RuntimeError):
    """Meilisearch did not start or did not become healthy in time."""


class MeiliServer:
    """A Meilisearch child process on a fixed db path; stop() and start() keep the same port."""

    def __init__(
        self,
        db_dir: Path,
        binary: Path,
        master_key: str | None = None,
        *,
        port: int | None = None,
        env: Literal["development", "production"] = "production",
        max_indexing_threads: int | None = None,
        max_indexing_memory: str | None = MAX_INDEXING_MEMORY,
        start_timeout_s: float = 30.0,
    ) -> None:
        self.db_dir = db_dir.expanduser().resolve()
        self.binary = binary
        self.master_key = master_key or secrets.token_urlsafe(32)
        if len(self.master_key.encode()) < 16:
            raise ValueError("Meilisearch master key must be at least 16 bytes")
        self.port = port
        self.env = env
        self.max_indexing_threads = max_indexing_threads
        self.max_indexing_memory = max_indexing_memory
        self.start_timeout_s = start_timeout_s
        self.log_path = self.db_dir.with_name(self.db_dir.name + ".log")
        self.pid_path = self.db_dir.with_name(self.db_dir.name + ".pid")
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:7700 (port chosen on first start)."""
        if self.port is None:
            raise MeiliStartError("Meilisearch 尚未启动 / not started yet")
        return f"http://{HOST}:{self.port}"

    @property
    def running(self) -> bool:
        """True while our child process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def _reap_orphan(self) -> None:
        """Kill a Meilisearch left on this db path by a killed run; refuse a live owner's."""
        child, owner = _proc.read_lockfile(self.pid_path)
        exe_name = self.binary.resolve().name
        if child is not None and child.alive() and _proc.runs_in(child.pid, exe_name, self.db_dir):
            if owner is not None and owner.alive():
                raise MeiliStartError(
                    f"{self.db_dir} 上的 Meilisearch 正由 pid {owner.pid} 使用 / in use"
                )
            log.warning("killing orphaned meilisearch %s on %s", child.pid, self.db_dir)
            _proc.kill_and_wait(child.pid)
        # A server on this directory that no pid file names (the file was lost): never run a
        # second one on the same data, stop it.
        for pid in _proc.pids_in_dir(self.db_dir, exe_name):
            log.warning("killing unrecorded meilisearch %s on %s", pid, self.db_dir)
            _proc.kill_and_wait(pid)
        self.pid_path.unlink(missing_ok=True)

    def _command(self) -> list[str]:
        db = self.db_dir
        cmd = [
            str(self.binary), "--db-path", str(db), "--http-addr", f"{HOST}:{self.port}",
            "--env", self.env, "--no-analytics",
            "--dump-dir", str(db.with_name(db.name + ".dumps")),
            "--snapshot-dir", str(db.with_name(db.name + ".snapshots")),
        ]
        if self.max_indexing_threads:
            cmd += ["--max-indexing-threads", str(self.max_indexing_threads)]
        if self.max_indexing_memory:
            cmd += ["--max-indexing-memory", self.max_indexing_memory]
        return cmd

    def start(self) -> None:
        """Verify the binary, start the process and wait until it answers with our key."""
        if self.running:
            return
        verify_binary(self.binary)
        self.db_dir.mkdir(parents=True, exist_ok=True)
        self._reap_orphan()
        if self.port is None:
            self.port = _proc.free_port(HOST)
        elif not _proc.port_is_free(self.port, HOST):
            raise MeiliStartError(f"端口 {self.port} 已被占用 / port {self.port} is already in use")
        # the key goes in the environment, not argv, so `ps` does not show it
        env = {k: v for k, v in os.environ.items() if not k.startswith("MEILI_")}
        env["MEILI_MASTER_KEY"] = self.master_key
        env["NO_COLOR"] = "1"  # plain log file
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log_file:
            self._proc = subprocess.Popen(  # noqa: S603
                self._command(), cwd=self.db_dir, env=env, stdin=subprocess.DEVNULL,
                stdout=log_file, stderr=subprocess.STDOUT,
                # its own session: a terminal's Ctrl-C reaches only our process, which stops
                # Meilisearch after the processes that use it
                start_new_session=True,
            )
        child = _proc.proc_ref(self._proc.pid)
        if child is not None:
            _proc.write_lockfile(self.pid_path, child, _proc.me(), port=self.port)
        try:
            self._wait_healthy(offset)
        except BaseException:
            self.stop()
            raise

    def _wait_healthy(self, log_offset: int) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + self.start_timeout_s
        # /version with our master key, not /health: only our own server answers it with 200,
        # another one that happens to listen on the port answers 401/403
        auth = {"Authorization": f"Bearer {self.master_key}"}
        with httpx.Client(timeout=1.0, headers=auth) as client:
            while True:
                code = self._proc.poll()
                if code is not None:
                    raise MeiliStartError(
                        f"Meilisearch 启动后退出 / exited with code {code} on port {self.port}:\n"
                        + _proc.tail(self.log_path, start=log_offset)
                    )
                try:
                    if client.get(f"{self.url}/version").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise MeiliStartError(
                        f"Meilisearch {self.start_timeout_s:.0f}s 内未就绪 / not healthy in time"
                        f" on {self.url}; last log lines:\n"
                        + _proc.tail(self.log_path, start=log_offset)
                    )
                time.sleep(0.05)

    def stop(self, timeout_s: float = 10.0) -> None:
        """SIGTERM the process, SIGKILL it after timeout_s; keeps port and db for start()."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                log.warning("meilisearch %s ignored SIGTERM, killing", proc.pid)
                proc.kill()
                proc.wait(5.0)
        self.pid_path.unlink(missing_ok=True)

    def __enter__(self) -> "MeiliServer":
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@contextmanager
def meilisearch_server(
    db_dir: Path,
    binary: Path,
    master_key: str | None = None,
    *,
    port: int | None = None,
    env: Literal["development", "production"] = "production",
    max_indexing_threads: int | None = None,
    max_indexing_memory: str | None = MAX_INDEXING_MEMORY,
) -> Iterator[MeiliServer]:
    """Run Meilisearch on 127.0.0.1 (free port, random master key if none); stop on exit."""
    server = MeiliServer(
        db_dir, binary, master_key, port=port, env=env,
        max_indexing_threads=max_indexing_threads, max_indexing_memory=max_indexing_memory,
    )
    with server:
        yield server


def key_uid(index_prefix: str, role: str) -> str:
    """Deterministic API key uid for a role ("search" or "indexer") of an index prefix."""
    return str(uuid.uuid5(_KEY_NAMESPACE, f"{index_prefix}:{role}"))


def _ensure_key(
    client: meilisearch.Client, uid: str, description: str, actions: tuple[str, ...],
    indexes: list[str],
) -> str:
    try:
        key = client.get_key(uid)
    except MeilisearchApiError as err:
        if err.code != "api_key_not_found":
            raise
    else:
        if sorted(key.actions) == sorted(actions) and key.indexes == indexes \
                and key.expires_at is None:
            if key.description != description:
                client.update_key(uid, {"description": description})
            return key.key
        # actions and indexes of a key are immutable: recreate it under the same uid
        client.delete_key(uid)
    created = client.create_key({
        "uid": uid, "name": description, "description": description,
        "actions": list(actions), "indexes": indexes, "expiresAt": None,
    })
    return created.key


def provision_keys(url: str, master_key: str, index_prefix: str) -> tuple[str, str]:
    """Create or reuse the search-only and indexer API keys of an index prefix.

    Each key names exactly the indexes it needs, never a bare prefix pattern (`cadre*` would also
    open `cadre2_library` or any other index that happens to start alike): the search key the
    live library index only, the indexer key that index and the builds reindex swaps in.
    """
    if not index_prefix or not all(c.isalnum() or c in "-_" for c in index_prefix):
        raise ValueError(f"invalid index prefix {index_prefix!r}")
    client = meilisearch.Client(url, master_key, timeout=10)
    live = library_index_name(index_prefix)
    search_key = _ensure_key(
        client, key_uid(index_prefix, "search"),
        f"cadre search ({live}): search only", SEARCH_ACTIONS, [live],
    )
    indexer_key = _ensure_key(
        client, key_uid(index_prefix, "indexer"),
        f"cadre indexer ({live}, {live}_build_*): documents, settings, indexes, tasks",
        INDEXER_ACTIONS, [live, f"{live}_build_*"],
    )
    return search_key, indexer_key
