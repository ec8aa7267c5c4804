"""Supervision of the processes `cadre serve` runs: restart with backoff, give up loudly.

Children run in their own sessions (a terminal's Ctrl-C reaches only `cadre serve`, which
stops everything in order), get SIGTERM if `cadre serve` dies (PR_SET_PDEATHSIG, see
_proc.die_with_parent), and are recorded in `<data>/run/<name>.pid` with their start time,
so a later start stops what a killed run left behind instead of piling up copies.
"""

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.runtime import _proc
from service.runtime.children import ChildSpec

log = logging.getLogger("cadre.supervisor")
BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)
# Restarts allowed within WINDOW_S before giving up; a child that ran STABLE_S is forgiven.
MAX_RESTARTS = 6
WINDOW_S = 300.0
STABLE_S = 60.0
TICK_S = 0.25


@dataclass
class _Unit:
    """One supervised thing: its state, how to start it and how to tell it is alive."""

    name: str
    start: Callable[[], int | None]
    alive: Callable[[], bool]
    stop: Callable[[], None] | None = None
    pid: int | None = None
    state: str = "starting"
    restarts: list[float] = field(default_factory=list)
    started_at: float = 0.0
    next_start: float | None = None
    last_exit: str | None = None


class Supervisor:
    """Starts children, watches them (and the servers it is told about), restarts them."""

    def __init__(self, run_dir: Path, status_path: Path, *,
                 backoff_s: tuple[float, ...] = BACKOFF_S, max_restarts: int = MAX_RESTARTS) -> None:
        self.backoff_s = backoff_s
        self.max_restarts = max_restarts
        self.run_dir = run_dir
        self.status_path = status_path
        self.units: list[_Unit] = []
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        run_dir.mkdir(parents=True, exist_ok=True)

    # -- children -----------------------------------------------------------------------
    def add_child(self, spec: ChildSpec, env: dict[str, str]) -> None:
        """Supervise a child process (started by start(), stopped first by stop())."""
        self._reap_leftover(spec, env.get("CADRE_DATA_DIR"))
        child_env = {**env, _proc.SUPERVISOR_ENV: str(os.getpid())}

        def start() -> int:
            proc = subprocess.Popen(  # noqa: S603
                list(spec.argv), env=child_env, stdin=subprocess.DEVNULL, start_new_session=True)
            self._procs[spec.name] = proc
            ref = _proc.proc_ref(proc.pid)
            if ref is not None:
                _proc.write_lockfile(self._pid_path(spec.name), ref, _proc.me())
            return proc.pid

        def alive() -> bool:
            proc = self._procs.get(spec.name)
            return proc is not None and proc.poll() is None

        def stop() -> None:
            proc = self._procs.pop(spec.name, None)
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(spec.stop_timeout_s)
                except subprocess.TimeoutExpired:
                    log.warning("%s ignored SIGTERM; killing it", spec.name)
                    proc.kill()
                    proc.wait(10)
            self._pid_path(spec.name).unlink(missing_ok=True)

        self.units.append(_Unit(spec.name, start, alive, stop))

    def add_server(self, name: str, alive: Callable[[], bool], restart: Callable[[], None]) -> None:
        """Watch a server started elsewhere (PostgreSQL, Meilisearch); restart it if it dies."""
        def start() -> None:
            restart()

        self.units.append(_Unit(name, start, alive, None, state="running",
                                started_at=time.monotonic()))

    def _pid_path(self, name: str) -> Path:
        return self.run_dir / f"{name}.pid"

    def _reap_leftover(self, spec: ChildSpec, data_dir: str | None) -> None:
        """Stop a child a dead `cadre serve` left behind (its pid file names a dead owner)."""
        child, owner = _proc.read_lockfile(self._pid_path(spec.name))
        if child is not None and child.alive() and not (owner is not None and owner.alive()):
            log.warning("stopping leftover %s (pid %s) of a previous run", spec.name, child.pid)
            _proc.kill_and_wait(child.pid, timeout_s=spec.stop_timeout_s)
        self._pid_path(spec.name).unlink(missing_ok=True)
        if data_dir is not None:
            for pid in _proc.orphans_running(spec.argv[1:], f"CADRE_DATA_DIR={data_dir}"):
                log.warning("stopping orphaned %s (pid %s) of an earlier run", spec.name, pid)
                _proc.kill_and_wait(pid, timeout_s=spec.stop_timeout_s)

    # -- the loop -----------------------------------------------------------------------
    def start(self) -> None:
        """Start every child and the watching thread."""
        for unit in self.units:
            if unit.stop is not None:
                self._launch(unit)
        self._write_status()
        self._thread = threading.Thread(target=self._watch, name="supervisor", daemon=True)
        self._thread.start()

    def _launch(self, unit: _Unit) -> None:
        try:
            unit.pid = unit.start()
        except Exception as exc:
            log.error("could not start %s: %s", unit.name, exc, exc_info=True)
            unit.last_exit = f"启动失败：{exc}"
            self._schedule_restart(unit)
            return
        unit.state = "running"
        unit.started_at = time.monotonic()
        unit.next_start = None
        log.info("%s running", unit.name, extra={"pid": unit.pid})

    def _schedule_restart(self, unit: _Unit) -> None:
        now = time.monotonic()
        if now - unit.started_at > STABLE_S:
            unit.restarts.clear()
        unit.restarts = [t for t in unit.restarts if now - t < WINDOW_S]
        if len(unit.restarts) >= self.max_restarts:
            unit.state = "failed"
            unit.next_start = None
            message = (f"{unit.name} 在 {WINDOW_S:.0f} 秒内重启 {len(unit.restarts)} 次仍然退出，"
                       f"已放弃自动重启；请查看日志后重启 cadre serve")
            log.critical(message, extra={"component": unit.name})
            print(f"\n!!! {message} !!!\n", file=sys.stderr, flush=True)
            return
        delay = self.backoff_s[min(len(unit.restarts), len(self.backoff_s) - 1)]
        unit.restarts.append(now)
        unit.state = "restarting"
        unit.next_start = now + delay
        log.warning("%s is down; restarting in %.0f s", unit.name, delay,
                    extra={"component": unit.name, "last_exit": unit.last_exit})

    def _watch(self) -> None:
        last_write = 0.0
        while not self._stopping.wait(TICK_S):
            changed = False
            with self._lock:
                if self._stopping.is_set():
                    return
                for unit in self.units:
                    changed |= self._check(unit)
            if changed or time.monotonic() - last_write > 5:
                self._write_status()
                last_write = time.monotonic()

    def _check(self, unit: _Unit) -> bool:
        if unit.state == "running" and not unit.alive():
            proc = self._procs.get(unit.name)
            code = proc.poll() if proc is not None else None
            unit.last_exit = (f"signal {signal.Signals(-code).name}" if code is not None and code < 0
                              else f"exit code {code}" if code is not None else "stopped")
            self._schedule_restart(unit)
            return True
        if unit.state == "restarting" and unit.next_start is not None \
                and time.monotonic() >= unit.next_start:
            self._launch(unit)
            return True
        return False

    def status(self) -> dict[str, Any]:
        """Each unit's state, pid, restarts in the window and last exit."""
        now = time.monotonic()
        return {"supervisor_pid": os.getpid(), "updated_at": time.time(), "units": {
            u.name: {"state": u.state, "pid": u.pid, "restarts": len(u.restarts),
                     "uptime_s": round(now - u.started_at, 1) if u.state == "running" else None,
                     "last_exit": u.last_exit} for u in self.units}}

    def _write_status(self) -> None:
        try:
            self.status_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.status_path.with_name(self.status_path.name + ".tmp")
            tmp.write_text(json.dumps(self.status(), ensure_ascii=False))
            tmp.replace(self.status_path)
        except OSError:
            log.warning("could not write %s", self.status_path, exc_info=True)

    def stop(self) -> None:
        """Stop watching, then stop the children in reverse order of start."""
        self._stopping.set()
        with self._lock:
            if self._thread is not None:
                self._thread.join(timeout=5)
            for unit in reversed(self.units):
                if unit.stop is not None:
                    log.info("stopping %s", unit.name)
                    unit.stop()
                    unit.state = "stopped"
        self.status_path.unlink(missing_ok=True)
