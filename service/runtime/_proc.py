"""Linux /proc helpers: identify processes across runs and clean up orphans of killed runs."""

import json
import os
import signal
import socket
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProcRef:
    """A process identified by pid and kernel start time, so a reused pid is not mistaken."""

    pid: int
    start_ticks: int

    def alive(self) -> bool:
        """True while this very process (not a later one with the same pid) is running."""
        return _start_ticks(self.pid) == self.start_ticks


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # the command name is in parentheses and may itself contain spaces or parentheses
    return raw.rsplit(")", 1)[1].split()


def _start_ticks(pid: int) -> int | None:
    fields = _stat_fields(pid)
    if fields is None or fields[0] in ("Z", "X"):  # zombies count as gone
        return None
    return int(fields[19])


def proc_ref(pid: int) -> ProcRef | None:
    """The live process with this pid, or None."""
    ticks = _start_ticks(pid)
    return None if ticks is None else ProcRef(pid, ticks)


def me() -> ProcRef:
    """This process."""
    ref = proc_ref(os.getpid())
    assert ref is not None
    return ref


def exe_of(pid: int) -> Path | None:
    """Resolved executable of a process, or None when gone or unreadable."""
    try:
        return Path(os.readlink(f"/proc/{pid}/exe").removesuffix(" (deleted)"))
    except OSError:
        return None


def cwd_of(pid: int) -> Path | None:
    """Working directory of a process, or None when gone or unreadable."""
    try:
        return Path(os.readlink(f"/proc/{pid}/cwd"))
    except OSError:
        return None


def runs_in(pid: int, exe_name: str, cwd: Path) -> bool:
    """True when pid is a live process of executable exe_name working in directory cwd."""
    exe = exe_of(pid)
    return exe is not None and exe.name == exe_name and cwd_of(pid) == cwd


def pids_in_dir(cwd: Path, exe_name: str) -> list[int]:
    """Pids of live processes of executable exe_name whose working directory is cwd."""
    return [
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit() and runs_in(int(entry.name), exe_name, cwd)
    ]


def kill_and_wait(pid: int, timeout_s: float = 10.0) -> None:
    """SIGTERM a process that is not our child, then SIGKILL it if it outlives timeout_s."""
    ref = proc_ref(pid)
    if ref is None:
        return
    for sig, wait_s in ((signal.SIGTERM, timeout_s), (signal.SIGKILL, 5.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if not ref.alive():
                return
            time.sleep(0.05)
    raise RuntimeError(f"进程 {pid} 无法终止 / process {pid} does not die")


def write_lockfile(path: Path, child: ProcRef, owner: ProcRef, **extra: int | str) -> None:
    """Record which child process serves which owner process (atomically)."""
    data = {"child": [child.pid, child.start_ticks], "owner": [owner.pid, owner.start_ticks]}
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({**data, **extra}))
    tmp.replace(path)


def read_lockfile(path: Path) -> tuple[ProcRef | None, ProcRef | None]:
    """(child, owner) recorded by write_lockfile; (None, None) when absent or unreadable."""
    try:
        data = json.loads(path.read_text())
        return ProcRef(*data["child"]), ProcRef(*data["owner"])
    except (OSError, ValueError, KeyError, TypeError):
        return None, None


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago on host."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when nothing listens on host:port (TIME_WAIT leftovers do not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def tail(path: Path, lines: int = 40, start: int = 0) -> str:
    """Last lines of a text file from byte offset start (empty if missing)."""
    try:
        with path.open("rb") as f:
            f.seek(start)
            data = f.read()
    except OSError:
        return ""
    return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])


_PR_SET_PDEATHSIG = 1
SUPERVISOR_ENV = "CADRE_SUPERVISOR_PID"


def die_with_parent() -> None:
    """In a child of `cadre serve`: get SIGTERM when the supervisor dies, even by SIGKILL."""
    expected = os.environ.get(SUPERVISOR_ENV, "")
    if not expected.isdigit():
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    # The supervisor may have died before prctl took effect: then we were reparented already.
    if os.getppid() != int(expected):
        os.kill(os.getpid(), signal.SIGTERM)


def orphans_running(argv_tail: tuple[str, ...], env_entry: str) -> list[int]:
    """Pids reparented to init whose command line ends with argv_tail and whose environment
    holds env_entry ("KEY=value"): children of a killed run from before pid files existed."""
    found = []
    want = "\0".join(argv_tail).encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is None or fields[1] != "1":
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().rstrip(b"\0")
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if cmdline.endswith(want) and env_entry.encode() in environ:
            found.append(int(entry.name))
    return found
