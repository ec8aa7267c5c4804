"""pg_dump / pg_restore of the server's own major version, run without a password on the command line."""

import os
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

DEBIAN_BIN = Path("/usr/lib/postgresql")


class ToolError(RuntimeError):
    """A PostgreSQL tool is missing or failed."""


def _version_of(tool: Path) -> int | None:
    try:
        out = subprocess.run([str(tool), "--version"], capture_output=True, text=True,  # noqa: S603
                             timeout=30, check=False).stdout
    except OSError:
        return None
    found = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(found.group(1)) if found else None


def tool_for(name: str, server_major: int) -> Path:
    """The `name` binary whose major version equals the server's (embedded first, then Debian's)."""
    candidates: list[Path] = []
    try:
        from service.runtime.postgres import pg_bin_dir

        candidates.append(pg_bin_dir() / name)
    except RuntimeError:
        pass
    candidates.append(DEBIAN_BIN / str(server_major) / "bin" / name)
    for tool in candidates:
        if tool.exists() and _version_of(tool) == server_major:
            return tool
    raise ToolError(f"找不到 PostgreSQL {server_major} 的 {name}（服务器的主版本）；请安装"
                    f" postgresql-client-{server_major}，或使用内置 PostgreSQL")


def libpq_args(dsn: str) -> tuple[list[str], dict[str, str]]:
    """(connection arguments, environment) for a tool: the password goes in PGPASSWORD only."""
    parts = urlsplit(dsn)
    args = ["--host", parts.hostname or "127.0.0.1", "--port", str(parts.port or 5432),
            "--username", unquote(parts.username or ""), "--dbname", parts.path.lstrip("/")]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "LANG": "C",
           "PGCONNECT_TIMEOUT": "15"}
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
    return args, env


def run(tool: Path, args: list[str], *, env: dict[str, str], timeout_s: float = 6 * 3600) -> str:
    """Run a tool; its stdout, or ToolError with its stderr."""
    result = subprocess.run([str(tool), *args], env=env, capture_output=True, text=True,  # noqa: S603
                            timeout=timeout_s, check=False)
    if result.returncode != 0:
        raise ToolError(f"{tool.name} 失败：{result.stderr.strip()[-3000:]}")
    return result.stdout
