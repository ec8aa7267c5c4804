"""Units: the organization hierarchy."""

from typing import Annotated

from pydantic import BaseModel, StringConstraints

from schemas.common import DbId, ShortText, Strict, UnitKind, Version

UnitCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]{1,32}$")]


class UnitCreate(Strict):
    """A new unit under a parent (no parent only for the root city)."""

    code: UnitCode
    name: ShortText
    kind: UnitKind
    parent_id: DbId | None = None


class UnitUpdate(Strict):
    """Rename a unit."""

    version: Version | None = None
    name: ShortText


class UnitMove(Strict):
    """Move a unit (with everything below it) under another parent."""

    version: Version | None = None
    parent_id: DbId


class UnitOut(BaseModel):
    """A unit with its place in the tree."""

    id: int
    code: str
    name: str
    kind: UnitKind
    parent_id: int | None
    path_names: list[str]
    depth: int
    version: int
