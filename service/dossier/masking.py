"""What a role may not see in a dossier: decided here and nowhere else in the export code."""

from typing import TypeVar

from pydantic import BaseModel

from schemas.cadres import RESTRICTED_TITLE
from schemas.export import DossierDoc, RewardPenalty
from schemas.national_id import mask_deep, mask_national_id
from service.cadres.service import sees_sensitive
from service.principal import Principal


def _withheld(item: RewardPenalty) -> RewardPenalty:
    # The penalty's existence and date stay, as in the cadre API; what it was does not.
    if item.kind != "penalty":
        return item
    return item.model_copy(update={"title": RESTRICTED_TITLE, "issuer": None})


Doc = TypeVar("Doc", bound=BaseModel)


def mask_free_text(principal: Principal, doc: Doc) -> Doc:
    """The document with ID numbers typed into any of its texts masked, unless the role may read them."""
    if sees_sensitive(principal):
        return doc
    return type(doc).model_validate(mask_deep(doc.model_dump()))


def apply_masking(principal: Principal, doc: DossierDoc) -> DossierDoc:
    """The dossier with every field the principal's role may not see masked or withheld.

    Scope (which cadres, records and evidence) is applied by the queries; this is the
    field-level rule and follows the cadres rule (`sees_sensitive`): the national ID is
    masked and penalties are withheld, as `GET /api/cadres/{id}` does for the same role.
    Any new field-level rule for exports belongs in this function.
    """
    if sees_sensitive(principal):
        return doc
    doc = mask_free_text(principal, doc)
    profile = doc.profile.model_copy(update={"national_id": mask_national_id(doc.profile.national_id)})
    return doc.model_copy(update={
        "profile": profile,
        "rewards_penalties": [_withheld(r) for r in doc.rewards_penalties],
    })
