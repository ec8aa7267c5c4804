"""`cadre serve` as a real child process for operations tests: start, wait, inspect, stop."""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from service.runtime import _proc

ROOT = Path(__file__).resolve().parents[2]
# Generous: start-up includes initdb, Meilisearch and migrations on a machine that may be busy.
START_TIMEOUT_S = 240.0


def wait_for(check: Callable[[], Any], what: str, timeout_s: float = 120.0,
             every_s: float = 0.1) -> Any:
    """Poll check() until it returns something truthy; fail naming `what` after timeout_s."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            found = check()
        except (OSError, httpx.HTTPError, ValueError):
            found = None
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every_s)


class ServeProcess:
    """One `python -m service.cli serve` on its own data directory and port."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None,
                 args: tuple[str, ...] = ()) -> None:
        self.data_dir = data_dir
        self.port = _proc.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir.parent / f"{data_dir.name}-serve-{self.port}.log"
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "CADRE_DATA_DIR": str(data_dir),
                    "CADRE_CACHE_DIR": str(ROOT / ".cache"), "CADRE_PORT": str(self.port),
                    "CADRE_ENV": "development", "CADRE_LOG_FORMAT": "json", **(env or {})}
        self.args = args
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> "ServeProcess":
        """Start the process (without waiting for it to be ready)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "service.cli", "serve", *self.args], cwd=ROOT,
                env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        return self

    def log(self) -> str:
        """Everything the process printed so far."""
        return self.log_path.read_text(errors="replace")

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        """A GET against the running service."""
        return httpx.get(self.url + path, timeout=10, **kwargs)

    def wait_ready(self, timeout_s: float = START_TIMEOUT_S) -> dict[str, Any]:
        """Wait for /readyz to answer 200; return its report."""
        def ready() -> dict[str, Any] | None:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"cadre serve exited with {self.proc.returncode}:\n{self.log()}")
            r = self.get("/readyz")
            return r.json() if r.status_code == 200 else None
        report: dict[str, Any] = wait_for(ready, "cadre serve to be ready", timeout_s, 0.25)
        return report

    def pid_of(self, name: str) -> int | None:
        """Pid of a supervised child from its pid file."""
        child, _owner = _proc.read_lockfile(self.data_dir / "run" / f"{name}.pid")
        return child.pid if child is not None and child.alive() else None

    def server_pids(self) -> dict[str, int]:
        """Pids of everything this run started: postmaster, Meilisearch, supervised children."""
        pids: dict[str, int] = {}
        pm = self.data_dir / "pg" / "postmaster.pid"
        if pm.exists():
            pids["postgresql"] = int(pm.read_text().split()[0])
        child, _ = _proc.read_lockfile(self.data_dir / "meili" / "db.pid")
        if child is not None:
            pids["meilisearch"] = child.pid
        for pid_file in (self.data_dir / "run").glob("*.pid"):
            child, _ = _proc.read_lockfile(pid_file)
            if child is not None:
                pids[pid_file.stem] = child.pid
        return pids

    def status(self) -> dict[str, Any]:
        """What the supervisor last wrote about its units."""
        data: dict[str, Any] = json.loads((self.data_dir / "run" / "supervisor.json").read_text())
        return data

    def signal(self, sig: int) -> None:
        """Send a signal to the `cadre serve` process."""
        assert self.proc is not None
        self.proc.send_signal(sig)

    def wait_exit(self, timeout_s: float = 120.0) -> int:
        """Wait for the process to end; its exit code."""
        assert self.proc is not None
        return self.proc.wait(timeout_s)

    def stop(self) -> None:
        """SIGTERM and wait (used by fixtures' finalizers; harmless when already stopped)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(120)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def gone(pid: int) -> bool:
    """True when no live process has this pid (zombies count as gone)."""
    return _proc.proc_ref(pid) is None
