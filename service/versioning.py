"""Optimistic concurrency: every update names the version it was based on."""

from service.errors import DomainError, PreconditionFailed, PreconditionRequired, StaleVersion


def require_version(body_version: int | None, if_match: int | None) -> tuple[int, type[DomainError]]:
    """The base version of an update and the error to raise if it is stale."""
    if if_match is not None:
        return if_match, PreconditionFailed
    if body_version is not None:
        return body_version, StaleVersion
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
