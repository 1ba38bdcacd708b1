"""The extraction pipeline: text → page blocks → metadata → focus tasks, legal refs, figures.

`extract_text` runs every stage on a text; `extract_file` reads a file first (`reading.py`). Each
stage is a module of this package with its own small functions; this one only wires them.
"""

from __future__ import annotations

from pathlib import Path

from giaoban.domain.text import nfc

from giaoban.reading.extract.confidence import score_document
from giaoban.reading.extract.figures import Setting, find_figures
from giaoban.reading.extract.language import language_of
from giaoban.reading.extract.legal import find_legal_refs
from giaoban.reading.extract.lexicon import Lexicon, load_lexicon
from giaoban.reading.extract.metadata import read_metadata
from giaoban.reading.extract.model import Document
from giaoban.reading.extract.page import page_blocks
from giaoban.domain.report_text import read_report
from giaoban.reading.extract.tasks import find_focus_tasks

__all__ = ["extract_text", "extract_file"]


def extract_text(text: str, file: str | None = None, *, lexicon: Lexicon | None = None) -> Document:
    """Return the Document extracted from a report text (NFC-normalised first; every offset in the
    result refers to the NFC text, kept as `Document.text`). Refuses nothing: what cannot be read
    is left out or reported in `warnings`."""
    text = nfc(text)
    lexicon = lexicon or load_lexicon()
    blocks = page_blocks(text)
    meta = read_metadata(text, blocks)
    tasks = find_focus_tasks(text, blocks, meta.period, meta.for_period, meta.year)
    plan_spans = [(t.start, t.end, t.for_period) for t in tasks]
    facts = find_figures(text, blocks, Setting(meta.period, meta.for_period, meta.year, plan_spans, lexicon))
    language = language_of(" ".join(text[b.start : b.end] for b in blocks if b.role in ("title", "body")))
    if language != "vi":
        meta.warnings.insert(
            0,
            f"văn bản có vẻ không phải tiếng Việt ({_LANGUAGES.get(language, language)}): "
            f"không đề xuất {len(facts)} số liệu đọc được, vì quy tắc đọc là của tiếng Việt "
            f"(1.287 là một nghìn hai trăm tám mươi bảy); hãy dùng bản tiếng Việt của báo cáo",
        )
        facts = []
    province = (meta.province.code, meta.province.name_vi) if meta.province else None
    document = Document(
        file=file,
        text=text,
        province=province,
        period=meta.period.code if meta.period else None,
        for_period=meta.for_period.code if meta.for_period else None,
        meeting=meta.meeting,
        published=meta.published,
        title=meta.title,
        facts=facts,
        focus_tasks=tasks,
        legal_refs=find_legal_refs(text, blocks),
        warnings=list(meta.warnings),
        period_source=meta.period_source,
        language=language,
    )
    score_document(document)
    return document


_LANGUAGES = {"en": "tiếng Anh", "other": "không rõ ngôn ngữ"}


def extract_file(path: str | Path, *, lexicon: Lexicon | None = None) -> Document:
    """Return the Document extracted from the report file at `path` (read as UTF-8).

    Refuses (InputError naming the file) a missing file and a file that is not UTF-8, saying which
    encoding it seems to be in.
    """
    return extract_text(read_report(path), str(path), lexicon=lexicon)
