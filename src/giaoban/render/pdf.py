"""PDF briefing books with Typst: a cover, a table of contents, chapters, page numbers, a running header.

A book is a Typst project in a scratch folder: `book.typ` (the template, from
`giaoban/templates/typst/`), `meta.json` (every word that comes from data: read by Typst's `json`,
never spliced into code), one `ch-<n>.typ` per chapter (written by pandoc, which escapes) and the
chapter's images. A briefing's PDF is a book of one chapter; a period's book has one chapter per
province. Fonts are the ones bundled in the `typst` wheel only (no system font can change the
output); New Computer Modern covers every Vietnamese letter in all four styles. The PDF's date is
the manifest's (`Manifest.stamp`), never the clock, so two builds give the same bytes.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from typing import Callable

from giaoban.render.config import TypstOptions
from giaoban.render.notebook import RenderError
from giaoban.render.typst_worker import TypstFailed, compile_pdf

__all__ = ["Chapter", "Cover", "write_book", "TEMPLATE"]

TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "typst" / "book.typ"


@dataclass(frozen=True)
class Chapter:
    """One briefing as a chapter: its title, running header, meeting line, Typst body and sources."""

    title: str
    header: str
    meeting: str
    body: str
    images: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)
    sources_title: str = "Nguồn gốc bản tin"
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cover:
    """The cover: a kicker ("Sổ tay giao ban"), title, subtitle, lines (meeting…) and the build line."""

    kicker: str
    title: str
    subtitle: str
    lines: tuple[str, ...]
    built: str


def write_book(out: Path, chapters: list[Chapter], *, cover: Cover, title: str, header: str, site: str,
               lang: str, toc_title: str, options: TypstOptions, stamp: date | None,
               work_dir: Path, compiler: Callable[[str, str, str | None], tuple[bytes, list[str]]] | None = None
               ) -> list[str]:
    """Write the PDF `out` with `chapters` behind `cover`; return Typst's warnings as text lines.

    `work_dir` is an empty scratch folder for the Typst project. `compiler(main, root, timestamp)`
    → (PDF bytes, warning messages) compiles it (default: `typst_worker.compile_pdf` in this
    process; the renderer gives one that runs it in a worker process). Refuses (RenderError) a
    book without chapters and anything Typst cannot compile, with Typst's message.
    """
    if not chapters:
        raise RenderError(f"{out.name}: sổ tay không có chương nào")
    work_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(TEMPLATE, work_dir / "book.typ")
    meta = {
        "site": site, "title": title, "header": header, "lang": lang, "dated": stamp is not None,
        "font": options.mainfont, "paper": options.paper, "numbering": options.section_numbering,
        "page_numbering": options.page_numbering, "toc": options.toc, "toc_depth": options.toc_depth,
        "toc_title": options.toc_title or toc_title,
        "cover": {"kicker": cover.kicker, "title": cover.title, "subtitle": cover.subtitle,
                  "lines": list(cover.lines), "built": cover.built},
        "chapters": [{"title": c.title, "header": c.header, "meeting": c.meeting,
                      "sources": {"title": c.sources_title, "items": list(c.sources)}} for c in chapters],
    }
    (work_dir / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    main = [
        '#import "book.typ": book, chapter',
        '#let meta = json("meta.json")',
        # Lengths were checked against ^\d+(\.\d+)?(pt|mm|cm|in|em)$ when _quarto.yml was read.
        f"#show: book.with(meta, margin: (x: {options.margin_x}, y: {options.margin_y}), size: {options.fontsize})",
    ]
    for i, chapter in enumerate(chapters):
        (work_dir / f"ch-{i}.typ").write_text(chapter.body, encoding="utf-8")
        for name, data in chapter.images.items():
            (work_dir / name).write_bytes(data)
        main.append(f'#chapter(meta.chapters.at({i}))[#include "ch-{i}.typ"]')
    (work_dir / "main.typ").write_text("\n".join(main) + "\n", encoding="utf-8")
    stamp_time = datetime(stamp.year, stamp.month, stamp.day, tzinfo=timezone.utc) if stamp else None
    try:
        pdf, warnings = (compiler or compile_pdf)(str(work_dir / "main.typ"), str(work_dir),
                                                  stamp_time.isoformat() if stamp_time else None)
    except TypstFailed as e:
        raise RenderError(f"{out.name}: Typst lỗi: {e.message} {e.diagnostic}".strip()) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pdf)
    return [f"{out.name}: Typst: {w}" for w in warnings]
