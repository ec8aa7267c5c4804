"""PDF exports (dossier, shortlist, promotion record) rendered with Typst."""

from service.pdf.pdf import (
    FontNotFoundError,
    RenderError,
    find_cjk_font_dirs,
    render_approval_forms,
    render_dossier,
    render_promotion,
    render_shortlist,
)

__all__ = [
    "FontNotFoundError",
    "RenderError",
    "find_cjk_font_dirs",
    "render_approval_forms",
    "render_dossier",
    "render_promotion",
    "render_shortlist",
]
