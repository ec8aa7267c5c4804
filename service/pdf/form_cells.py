"""The cells of a printed 任免审批表 as the Typst templates read them (form and dossier alike)."""

from typing import Any

from schemas.approval_form import ApprovalFormDoc
from service.pdf.formatting import wrap_tree


def form_payload(doc: ApprovalFormDoc) -> dict[str, Any]:
    """One form's cells as display strings; the photo as a list of byte values (JSON has no bytes)."""
    data = doc.model_dump(mode="python", exclude={"photo"})
    out: dict[str, Any] = wrap_tree(data)
    out["photo"] = None if doc.photo is None else list(doc.photo)
    return out
