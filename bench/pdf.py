"""Benchmark of the dossier PDF export against a raw `typst.compile` baseline.

    python bench/pdf.py --runs 20

Every run renders a different dossier (200 evidence items, 50 field records) so
Typst's in-process memoisation cannot replay an earlier layout. The raw baseline
compiles the same template with the JSON already prepared and the fonts already
loaded; the ratio is the cost of our layer (model -> payload -> JSON, font lookup).
"""

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import typst  # noqa: E402

from service.pdf.pdf import (  # noqa: E402
    TEMPLATES_DIR,
    find_cjk_font_dirs,
    font_choice,
    render_dossier,
    sys_inputs,
    template_path,
)
from service.pdf.views import dossier_payload  # noqa: E402
from tests.pdf.factories import build_dossier, watermark  # noqa: E402

TARGET_S_PER_20_PAGES = 0.5
T = TypeVar("T")
PAGE_RE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def pages_of(pdf: bytes) -> int:
    """Page objects in the PDF (Typst writes page dictionaries uncompressed)."""
    return len(PAGE_RE.findall(pdf))


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """Wall time of one call and its result."""
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def p95(values: list[float]) -> float:
    """95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    """Run the benchmark and print p50/p95, pages per second and the ratio to raw Typst."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--evidence", type=int, default=200)
    parser.add_argument("--records", type=int, default=50)
    parser.add_argument("--font-dir", type=Path, default=None)
    args = parser.parse_args()
    runs: int = args.runs

    scan, font_dirs = timed(lambda: find_cjk_font_dirs(args.font_dir))
    fonts, families = font_choice(font_dirs)
    docs = [build_dossier(args.evidence, args.records, seed=s) for s in range(2 * runs + 1)]
    marks = [watermark(serial=f"BENCH-{s:04d}") for s in range(2 * runs + 1)]
    cold, _ = timed(lambda: render_dossier(docs[-1], marks[-1], font_dirs))

    # Raw baseline: JSON prepared beforehand, fonts preloaded, same template.
    prepared = [
        sys_inputs(dossier_payload(doc, wm, families))
        for doc, wm in zip(docs[runs : 2 * runs], marks[runs : 2 * runs], strict=True)
    ]

    def raw_compile(inputs: dict[str, str]) -> bytes:
        return typst.compile(
            template_path("dossier"),
            root=TEMPLATES_DIR,
            font_paths=fonts,
            ignore_system_fonts=True,
            sys_inputs=inputs,
        )

    ours: list[float] = []
    raw: list[float] = []
    pages = 0
    for i in range(runs):  # interleaved so both see the same machine state
        seconds, pdf = timed(lambda: render_dossier(docs[i], marks[i], font_dirs))  # noqa: B023
        ours.append(seconds)
        pages = pages_of(pdf)
        raw.append(timed(lambda: raw_compile(prepared[i]))[0])  # noqa: B023

    ours_p50, raw_p50 = statistics.median(ours), statistics.median(raw)
    per_20 = ours_p50 * 20 / max(pages, 1)
    print(
        f"dossier: {args.evidence} evidence items, {args.records} field records, {pages} pages, {runs} runs"
    )
    print(f"font scan (once per process): {scan:.3f} s; first render: {cold:.3f} s")
    print(f"{'':22}{'p50':>9}{'p95':>9}{'pages/s':>10}")
    for label, values in (("render_dossier", ours), ("raw typst.compile", raw)):
        p50 = statistics.median(values)
        print(f"{label:22}{p50:9.3f}{p95(values):9.3f}{pages / p50:10.1f}")
    print(f"ratio render_dossier / raw typst (p50): {ours_p50 / raw_p50:.2f}")
    verdict = "OK" if per_20 < TARGET_S_PER_20_PAGES else "SLOWER THAN TARGET"
    print(f"per 20 pages: {per_20:.3f} s (target < {TARGET_S_PER_20_PAGES} s): {verdict}")


if __name__ == "__main__":
    main()
