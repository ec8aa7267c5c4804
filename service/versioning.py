"""Optimistic concurrency: every update names the version it was based on."""

from typing import Any, NamedTuple, Protocol, TypeVar

from service.errors import DomainError, NotFound, PreconditionFailed, PreconditionRequired, StaleVersion


class _Row(Protocol):
    def __getitem__(self, key: str, /) -> Any: ...


R = TypeVar("R", bound=_Row)


class BaseVersion(NamedTuple):
    """The version an update was based on, and the error that refuses it when stale."""

    version: int
    stale: type[DomainError]

    def check(self, current: int) -> None:
        """Refuse the update (stale) unless the current version is the base version."""
        if current != self.version:
            raise self.stale()

    def locked(self, row: R | None, missing: str) -> R:
        """The row locked for the update: 404 when absent or out of scope, stale when at another version."""
        if row is None:
            raise NotFound(missing)
        self.check(row["version"])
        return row

    def applied(self, done: object) -> None:
        """Refuse the update (stale) when the write conditioned on the base version changed nothing."""
        if not done:
            raise self.stale()


def require_version(body_version: int | None, if_match: int | None) -> BaseVersion:
    """The base version of an update and the error to raise if it is stale."""
    if if_match is not None:
        return BaseVersion(if_match, PreconditionFailed)
    if body_version is not None:
        return BaseVersion(body_version, StaleVersion)
    raise PreconditionRequired()


def parse_if_match(value: str | None) -> int | None:
    """Parse an If-Match header holding an ETag such as "3" or W/"3"."""
    if value is None:
        return None
    tag = value.strip().removeprefix("W/").strip('"')
    # ASCII digits only ("²" is a digit to isdigit but not to int), within the int column's range.
    if not (tag.isascii() and tag.isdigit()) or len(tag) > 10 or int(tag) > 2**31 - 1:
        raise PreconditionFailed("If-Match 必须是本系统返回的 ETag")
    return int(tag)


def etag(version: int) -> str:
    """ETag of a version."""
    return f'"{version}"'
