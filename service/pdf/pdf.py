"""PDF rendering with Typst: export models in, PDF bytes out (no database access).

Data reaches the templates only as one JSON document in `sys.inputs`, so user text
is never parsed as Typst markup. Only the CJK font directory we are given is used
(system and bundled fonts are ignored) so that a PDF looks the same everywhere.
"""

import json
import logging
from collections.abc import Callable
from datetime import UTC
from functools import lru_cache
from pathlib import Path
from typing import Final

import typst

from schemas.approval_form import ApprovalFormDoc
from schemas.export import DossierDoc, PromotionDoc, ShortlistDoc, Watermark
from service.pdf.approval_form import approval_forms_payload
from service.pdf.stamp import stamp
from service.pdf.views import (
    Payload,
    dossier_payload,
    promotion_payload,
    shortlist_payload,
)

log = logging.getLogger(__name__)

TEMPLATES_DIR: Final = Path(__file__).resolve().parent / "templates"
FONT_SETTING: Final = "CADRE_CJK_FONT_PATH"

# Preferred families, first found wins; each list ends in the other style so a
# directory holding only one style still prints every character.
SERIF_FAMILIES: Final = ("Noto Serif CJK SC", "Source Han Serif SC", "Noto Serif SC")
SANS_FAMILIES: Final = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC")
MONO_FAMILIES: Final = ("Noto Sans Mono CJK SC",)
CJK_FAMILIES: Final = SERIF_FAMILIES + SANS_FAMILIES

FONT_SEARCH_DIRS: Final = (
    Path("/usr/share/fonts/opentype/noto"),  # Debian/Ubuntu fonts-noto-cjk
    Path("/usr/share/fonts/noto-cjk"),  # Arch, Alpine
    Path("/usr/share/fonts/google-noto-cjk"),  # Fedora, RHEL
    Path("/usr/share/fonts/google-noto-serif-cjk-fonts"),
    Path("/usr/share/fonts/google-noto-sans-cjk-fonts"),
    Path("/usr/share/fonts/opentype/source-han-serif"),
    Path("/usr/share/fonts/opentype/source-han-sans"),
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
    Path.home() / ".fonts",
    Path("/Library/Fonts"),
)
FONT_SUFFIXES: Final = {".ttc", ".otf", ".ttf", ".otc"}
FONT_NAME_HINTS: Final = ("cjk", "sourcehan", "notoserifsc", "notosanssc")


class FontNotFoundError(RuntimeError):
    """No usable Chinese (CJK) font: the PDF cannot be produced."""


class RenderError(RuntimeError):
    """Typst failed to produce the PDF."""


@lru_cache(maxsize=8)
def _font_book(dirs: tuple[Path, ...]) -> tuple[typst.Fonts, frozenset[str]]:
    """Fonts found in `dirs` (scanned once per process) and their family names."""
    book = typst.Fonts(
        include_system_fonts=False,
        include_embedded_fonts=False,
        font_paths=[str(d) for d in dirs],
    )
    return book, frozenset(book.families())


def _not_found(where: str) -> FontNotFoundError:
    return FontNotFoundError(
        f"未找到可用的中文字体（{where}）。请安装 Noto Serif CJK SC 或 Noto Sans CJK SC"
        f"（Debian：apt-get install fonts-noto-cjk），或用环境变量 {FONT_SETTING} "
        "指定字体文件所在目录。"
    )


def _has_cjk_font(directory: Path) -> bool:
    if not directory.is_dir():
        return False
    _, families = _font_book((directory.resolve(),))
    return not families.isdisjoint(CJK_FAMILIES)


def _looks_cjk(file_name: str) -> bool:
    name = file_name.lower().replace("-", "").replace("_", "")
    return any(hint in name for hint in FONT_NAME_HINTS)


def find_cjk_font_dirs(configured: Path | None) -> list[Path]:
    """The font directory to render with: `configured` if given, else a standard location."""
    if configured is not None:
        directory = configured.parent if configured.is_file() else configured
        if not _has_cjk_font(directory):
            raise _not_found(f"{FONT_SETTING}={configured} 中没有中文字体")
        return [directory.resolve()]
    for directory in FONT_SEARCH_DIRS:
        if not directory.is_dir():
            continue
        candidates = (
            p.parent
            for p in sorted(directory.rglob("*"))
            if p.suffix.lower() in FONT_SUFFIXES and _looks_cjk(p.name)
        )
        for found in dict.fromkeys(candidates):
            if _has_cjk_font(found):
                return [found.resolve()]
    raise _not_found("已搜索 " + "、".join(str(d) for d in FONT_SEARCH_DIRS))


def font_choice(font_dirs: list[Path]) -> tuple[typst.Fonts, Payload]:
    """Loaded fonts for `font_dirs` and the families the templates should use."""
    book, families = _font_book(tuple(Path(d).resolve() for d in font_dirs))
    serif = [f for f in SERIF_FAMILIES if f in families]
    sans = [f for f in SANS_FAMILIES if f in families]
    if not serif and not sans:
        raise _not_found("目录 " + "、".join(str(d) for d in font_dirs) + " 中没有中文字体")
    mono = [f for f in MONO_FAMILIES if f in families]
    return book, {
        "serif": serif + sans,
        "sans": sans + serif,
        "mono": mono + sans + serif,
    }


def sys_inputs(payload: Payload) -> dict[str, str]:
    """The `sys.inputs` of a compile: the whole payload as one JSON string."""
    return {"data": json.dumps(payload, ensure_ascii=False, separators=(",", ":"))}


def template_path(name: str) -> Path:
    """Path of a bundled template, e.g. `dossier` -> templates/dossier.typ."""
    return TEMPLATES_DIR / f"{name}.typ"


def compile_pdf(template: str, payload: Payload, *, fonts: typst.Fonts, wm: Watermark) -> bytes:
    """Compile one bundled template with `payload`; Typst errors become RenderError."""
    exported_at = wm.exported_at
    if exported_at.tzinfo is None:
        exported_at = exported_at.replace(tzinfo=UTC)
    try:
        pdf, warnings = typst.compile_with_warnings(
            template_path(template),
            root=TEMPLATES_DIR,
            font_paths=fonts,
            ignore_system_fonts=True,
            sys_inputs=sys_inputs(payload),
            timestamp=int(exported_at.timestamp()),
        )
    except typst.TypstError as exc:
        raise RenderError(f"PDF 生成失败：{exc.message}") from exc
    for warning in warnings:
        log.warning("typst warning in %s.typ: %s", template, warning.message)
    return pdf


def _render(
    template: str,
    build: Callable[[Payload], Payload],
    wm: Watermark,
    font_dirs: list[Path],
) -> bytes:
    fonts, families = font_choice(font_dirs)
    payload = build(families)
    return compile_pdf(template, payload | {"watermark_stamp": watermark_stamp(payload, font_dirs)},
                       fonts=fonts, wm=wm)


def watermark_stamp(payload: Payload, font_dirs: list[Path]) -> Payload:
    """The payload's watermark line as an image in the payload's sans font (service/pdf/stamp.py)."""
    return stamp(payload["watermark"], font_dirs, payload["fonts"]["sans"][0])


def render_dossier(doc: DossierDoc, wm: Watermark, font_dirs: list[Path]) -> bytes:
    """Render a cadre dossier (cover, contents, profile form, evidence …) to PDF."""
    return _render("dossier", lambda fonts: dossier_payload(doc, wm, fonts), wm, font_dirs)


def render_shortlist(doc: ShortlistDoc, wm: Watermark, font_dirs: list[Path]) -> bytes:
    """Render a candidate shortlist version to PDF."""
    return _render("shortlist", lambda fonts: shortlist_payload(doc, wm, fonts), wm, font_dirs)


def render_promotion(doc: PromotionDoc, wm: Watermark, font_dirs: list[Path]) -> bytes:
    """Render a promotion record with its stages timeline to PDF."""
    return _render("promotion", lambda fonts: promotion_payload(doc, wm, fonts), wm, font_dirs)


def render_approval_forms(docs: list[ApprovalFormDoc], wm: Watermark, font_dirs: list[Path]) -> bytes:
    """Render one or more standard two-page 任免审批表 to one PDF."""
    return _render("approval_form", lambda fonts: approval_forms_payload(docs, wm, fonts), wm, font_dirs)
