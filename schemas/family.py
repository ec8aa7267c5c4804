"""Family members of a cadre (家庭主要成员及重要社会关系): sensitive, officers only."""

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from schemas.common import Name, Strict

Relation = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
Status = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
UnitPost = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class FamilyMemberIn(Strict):
    """A family member as on the appointment approval form: relation, name, birth, status, work."""

    relation: Relation
    name: Name
    birth_date: date | None = None
    political_status: Status | None = None
    work_unit_post: UnitPost | None = None


class FamilyMemberOut(BaseModel):
    """A stored family member."""

    id: int
    cadre_id: int
    relation: str
    name: str
    birth_date: date | None
    political_status: str | None
    work_unit_post: str | None
    version: int
    created_at: datetime
