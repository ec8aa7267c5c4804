"""The printed 任免审批表 to the payload of `approval_form.typ` (and of the dossier's profile)."""

from typing import Any

from schemas.approval_form import ApprovalFormDoc
from schemas.export import Watermark
from service.pdf.form_cells import form_payload
from service.pdf.formatting import to_beijing
from service.pdf.views import watermark_line

Payload = dict[str, Any]


def approval_forms_payload(docs: list[ApprovalFormDoc], wm: Watermark, fonts: Payload) -> Payload:
    """The payload of `approval_form.typ`: one or more forms, two pages each."""
    local = to_beijing(wm.exported_at)
    title = "干部任免审批表" + (f"（{docs[0].name}）" if len(docs) == 1 else f"（{len(docs)}人）")
    return {
        "meta": {"title": title, "author": wm.user_name, "keywords": [wm.serial]},
        "watermark": watermark_line(wm),
        "fonts": fonts,
        "footer": f"导出编号 {wm.serial}　{wm.user_name}　{local:%Y-%m-%d %H:%M}",
        "forms": [form_payload(d) for d in docs],
    }
