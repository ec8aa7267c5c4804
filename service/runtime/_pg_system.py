"""OS side of the embedded PostgreSQL: the unprivileged user, permissions, running tools."""

import fcntl
import os
import pwd
import stat
import subprocess
import tempfile
from pathlib import Path

SYSTEM_USER = "embedded_postgres"
_USER_LOCK = Path(tempfile.gettempdir()) / "cadre-embedded-postgres-user.lock"
_tree_checked = False


def run_as_user() -> tuple[int, int] | None:
    """(uid, gid) to run the server as when we are root, else None (run as ourselves)."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        entry = create_system_user(SYSTEM_USER)
    return entry.pw_uid, entry.pw_gid


def create_system_user(name: str) -> pwd.struct_passwd:
    """The system user `name`, created once also when parallel processes (test workers) all need it."""
    # useradd run by several processes at once fails in all but one ("already exists", or
    # "cannot lock /etc/passwd"): serialise on a lock file and look the user up again inside it.
    with open(_USER_LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            return pwd.getpwnam(name)
        except KeyError:
            pass
        made = subprocess.run(  # noqa: S603
            ["useradd", "--system", "--user-group", "--no-create-home",  # noqa: S607
             "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", name],
            check=False, capture_output=True, text=True,
        )
        try:
            return pwd.getpwnam(name)
        except KeyError:
            raise RuntimeError(
                f"以 root 运行 PostgreSQL 需要系统用户 {name}，创建失败 / as root PostgreSQL"
                f" runs as user {name}, and useradd failed: {made.stderr.strip()}"
            ) from None


def allow_traverse(path: Path) -> None:
    """Add o+x to path's ancestors that lack it, so another user can reach path."""
    for parent in path.parents:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)


def open_install_tree(bin_dir: Path) -> None:
    """Make the wheel's pginstall tree readable (and binaries runnable) by other users."""
    global _tree_checked
    if _tree_checked:
        return
    root = bin_dir.parent
    allow_traverse(root)
    for dirpath, _dirs, files in os.walk(root):
        for p in [Path(dirpath), *(Path(dirpath) / f for f in files)]:
            mode = p.stat().st_mode
            want = stat.S_IROTH | (stat.S_IXOTH if p.is_dir() or mode & stat.S_IXUSR else 0)
            if mode & want != want:
                p.chmod(stat.S_IMODE(mode) | want)
    _tree_checked = True


def run_tool(
    args: list[str], run_as: tuple[int, int] | None, cwd: Path, timeout: float = 120.0,
    *, password: str | None = None, stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL tool (as the server's user when given) with a clean environment.

    Its own session: a Ctrl-C in the terminal reaches only `cadre serve`, which then stops
    the server after the processes that use it."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "LANG": "C"}
    if "TZ" in os.environ:
        env["TZ"] = os.environ["TZ"]
    if password is not None:
        env["PGPASSWORD"] = password  # never on the command line, where `ps` shows it
    return subprocess.run(  # noqa: S603
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False,
        input=stdin, start_new_session=True,
        user=None if run_as is None else run_as[0],
        group=None if run_as is None else run_as[1],
        extra_groups=None if run_as is None else [],
    )
