"""Which unexpected exceptions mean "a dependency is down" (503/507) rather than a bug (500)."""

import errno
from dataclasses import dataclass

import asyncpg

# Seconds a client should wait before retrying while a dependency is down.
RETRY_AFTER_S = 5
_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}
_CLOSED = ("connection is closed", "connection was closed", "pool is closing")


@dataclass(frozen=True)
class Outage:
    """How to answer a request that failed because something it needs is unavailable."""

    status: int
    code: str
    title: str
    detail: str


DATABASE_DOWN = Outage(503, "database-unavailable", "数据库暂不可用",
                       "数据库暂时无法连接，请稍后重试；若持续出现请联系系统管理员")
STORAGE_FULL = Outage(507, "storage-full", "附件存储空间已满",
                      "附件存储空间已满，文件未保存；请联系系统管理员清理或扩容附件存储目录")
STORAGE_READ_ONLY = Outage(503, "storage-unavailable", "附件存储不可写",
                           "附件存储目录只读或无写权限，文件未保存；请联系系统管理员检查附件存储目录")


def storage_outage(exc: OSError) -> Outage | None:
    """The answer for a failed file-system write, or None when it is not a storage condition."""
    if exc.errno in _FULL:
        return STORAGE_FULL
    if exc.errno in _READ_ONLY:
        return STORAGE_READ_ONLY
    return None


def classify(exc: BaseException) -> Outage | None:
    """The outage behind an exception, or None for a genuine server error."""
    if isinstance(exc, asyncpg.PostgresConnectionError | asyncpg.OperatorInterventionError
                  | asyncpg.TooManyConnectionsError | asyncpg.CannotConnectNowError):
        return DATABASE_DOWN
    if isinstance(exc, asyncpg.InterfaceError) and any(m in str(exc) for m in _CLOSED):
        return DATABASE_DOWN
    if isinstance(exc, OSError):
        found = storage_outage(exc)
        if found is not None:
            return found
        # Refused, reset or timed-out connections: the only sockets a request opens itself are
        # the database pool's (search and PDF failures are mapped where they happen).
        if isinstance(exc, ConnectionError | TimeoutError):
            return DATABASE_DOWN
    if isinstance(exc, TimeoutError):
        return DATABASE_DOWN
    return None
