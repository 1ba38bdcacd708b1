"""Where a PDF's text stands on its pages, read from the PDF itself: to check that no two pieces of
text (two cells of a table, a cell and its neighbour's overflow) are drawn over each other.

pypdf's layout-mode text extraction knows, for each run of text drawn inside one BT/ET pair on one
line, where it starts and where its last glyph ends (from the font's widths). Typst draws each line
of a table cell as its own run, so two runs on the same line whose spans cross are text drawn over
text: a column too narrow for a word that cannot break. `overlaps` lists them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

__all__ = ["TextRun", "text_runs", "overlaps"]


@dataclass(frozen=True)
class TextRun:
    """One run of text on a page (0-based `page`): its left and right x, its baseline y, its height."""

    page: int
    x0: float
    x1: float
    y: float
    height: float
    text: str


def text_runs(pdf: bytes) -> list[TextRun]:
    """Return every run of text of every page of the PDF `pdf`, in drawing order. Trailing spaces
    are not part of a run's width. Refuses (ValueError) bytes pypdf cannot read as a PDF."""
    # imported when needed: it loads pypdf (start-up time)
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, ContentStream, StreamObject
    from pypdf._text_extraction import _layout_mode  # pypdf's own positions of its layout mode

    try:
        reader = PdfReader(io.BytesIO(pdf))
    except Exception as e:  # pypdf raises many kinds for a broken file
        raise ValueError(f"không đọc được PDF: {e}") from None
    runs: list[TextRun] = []
    for number, page in enumerate(reader.pages):
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else None
        if not isinstance(contents, (ArrayObject, StreamObject)):
            continue
        fonts = page._layout_mode_fonts()
        ops = iter(ContentStream(contents, reader, "bytes").operations)
        for group in _layout_mode.text_show_operations(ops, fonts, True, None):
            text: str = group["text"]
            stripped = text.rstrip()
            if not stripped:
                continue
            x0, x1 = float(group["tx"]), float(group["displaced_tx"])
            if len(stripped) < len(text) and len(text) > 0:  # the width of the trailing spaces, pro rata
                x1 -= (x1 - x0) * (len(text) - len(stripped)) / len(text)
            runs.append(TextRun(number, x0, x1, float(group["ty"]), float(group["font_height"]), stripped))
    return runs


def overlaps(runs: list[TextRun], tolerance: float = 0.5) -> list[tuple[TextRun, TextRun]]:
    """Return the pairs of runs of one page drawn on the same line (baselines closer than half their
    height) whose horizontal spans cross by more than `tolerance` points."""
    found: list[tuple[TextRun, TextRun]] = []
    by_page: dict[int, list[TextRun]] = {}
    for run in runs:
        by_page.setdefault(run.page, []).append(run)
    for page_runs in by_page.values():
        ordered = sorted(page_runs, key=lambda r: (round(r.y, 1), r.x0))
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                if abs(b.y - a.y) >= min(a.height, b.height) / 2:
                    if b.y - a.y > max(a.height, b.height):
                        break
                    continue
                if min(a.x1, b.x1) - max(a.x0, b.x0) > tolerance:
                    found.append((a, b))
    return found
