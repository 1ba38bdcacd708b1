"""What extraction proposes: a `Document` with its `Fact`s, `FocusTask`s and `LegalRef`s.

Every object keeps the character offsets (`start`, `end`) of the text it came from, in the
NFC-normalised report text, so that a reviewer can check it against the source. `to_json()` gives
the structure of `giaoban extract --format json` (docs/design.md); `Document.csv_rows()` gives one
row per fact with the document's fields repeated (`--format csv`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

__all__ = ["Fact", "FocusTask", "LegalRef", "Meeting", "Document", "CSV_COLUMNS", "MEETING_TYPES", "MEASURES", "KINDS"]

#: Meeting kinds: code (as in data/reports.csv) → the Vietnamese name written in JSON.
MEETING_TYPES: dict[str, str] = {
    "giao_ban": "giao ban",
    "so_ket": "sơ kết",
    "tong_ket": "tổng kết",
    "hoi_nghi_cbcc": "hội nghị cán bộ công chức",
}

#: What a figure measures. `level`: a count, an amount or a share; `percent_of_plan`: `đạt 96,15%
#: kế hoạch`; `change_percent`: `tăng 40% so với năm 2014` (negative for `giảm`); `change`: an
#: absolute change (`tăng 5 đề tài`); `percent_of_previous`: `bằng 120% so với cùng kỳ`.
MEASURES = ("level", "percent_of_plan", "change_percent", "change", "percent_of_previous")
KINDS = ("actual", "plan")


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


@dataclass
class Fact:
    """One figure stated by a report: `trên 500 sinh viên`, `13/14 mẫu`, `12.486 triệu đồng`.

    `value` is the number (money in đồng; a percentage as 99.88); `as_written` the number as the
    text writes it, found at `number_start:number_end`; `quote` the sentence part that states the
    figure, at `start:end`. `part_of` is the index (in `Document.facts`) of the total a part of a
    breakdown belongs to (`13 nhiệm vụ (5 cấp tỉnh, 8 cấp cơ sở)`). A range (`từ 10 đến 15 doanh
    nghiệp`) is one figure: `value` its low end, `value_high` its high end (None for other figures).
    A zero stated in words (`không phát hiện vi phạm`) has value 0 and `as_written` the word `không`.
    `confidence` (0..1) says how sure the reader is of the figure, `doubts` why it is unsure.
    """

    value: int | float
    unit: str | None
    quote: str
    start: int
    end: int
    as_written: str
    number_start: int
    number_end: int
    qualifier: str | None = None
    kind: str = "actual"
    measure: str = "level"
    denominator: int | None = None
    indicator: str | None = None
    area: str | None = None
    unit_canonical: str | None = None
    period: str | None = None
    part_of: int | None = None
    value_high: int | float | None = None
    confidence: float = 1.0
    doubts: list[str] = field(default_factory=list)
    # Text around the number used to choose the indicator; not part of the output.
    lead: str = field(default="", repr=False, compare=False)
    noun: str = field(default="", repr=False, compare=False)
    tail: str = field(default="", repr=False, compare=False)
    context: str = field(default="", repr=False, compare=False)
    value_type: str = field(default="count", repr=False, compare=False)
    sentence: int = field(default=-1, repr=False, compare=False)  # which sentence of the text
    bare_lead: bool = field(default=False, repr=False, compare=False)  # no verb of its own (`…, 02 …`)

    def to_json(self) -> dict[str, Any]:
        """Return the fact as the JSON object of docs/design.md (plus the added fields)."""
        return {
            "value": self.value,
            "unit": self.unit,
            "unit_canonical": self.unit_canonical,
            "indicator": self.indicator,
            "area": self.area,
            "qualifier": self.qualifier,
            "kind": self.kind,
            "measure": self.measure,
            "denominator": self.denominator,
            "period": self.period,
            "part_of": self.part_of,
            "as_written": self.as_written,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "value_high": self.value_high,
            "confidence": self.confidence,
            "doubts": list(self.doubts),
        }


@dataclass
class FocusTask:
    """A task the report sets for a later period (`Một là …`, a bullet under `Phương hướng …`)."""

    ordinal: int
    text: str
    start: int
    end: int
    for_period: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the task as a JSON object: for_period, ordinal, text, start, end."""
        return {
            "for_period": self.for_period,
            "ordinal": self.ordinal,
            "text": self.text,
            "start": self.start,
            "end": self.end,
        }


@dataclass
class LegalRef:
    """A cited legal document: `Quyết định số 43/QĐ-UBND ngày 20/01/2021 của UBND tỉnh về …`."""

    number: str
    doc_type: str | None
    issuer: str | None
    date: date | None
    title: str | None
    quote: str
    start: int
    end: int

    def to_json(self) -> dict[str, Any]:
        """Return the reference as a JSON object (date as ISO `YYYY-MM-DD` or null)."""
        return {
            "number": self.number,
            "doc_type": self.doc_type,
            "issuer": self.issuer,
            "date": _iso(self.date),
            "title": self.title,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
        }


@dataclass
class Meeting:
    """The meeting a report is about: its type code (a key of MEETING_TYPES) and date, or None."""

    type: str | None = None
    date: date | None = None

    def to_json(self) -> dict[str, Any]:
        """Return `{"type": "sơ kết", "type_code": "so_ket", "date": "2021-07-23"}` (nulls allowed)."""
        return {
            "type": MEETING_TYPES.get(self.type) if self.type else None,
            "type_code": self.type,
            "date": _iso(self.date),
        }


@dataclass
class Document:
    """Everything extracted from one report text."""

    file: str | None
    text: str = field(repr=False)
    province: tuple[str, str] | None = None  # (GSO code, name)
    period: str | None = None
    for_period: str | None = None
    meeting: Meeting = field(default_factory=Meeting)
    published: date | None = None
    title: str | None = None
    facts: list[Fact] = field(default_factory=list)
    focus_tasks: list[FocusTask] = field(default_factory=list)
    legal_refs: list[LegalRef] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: How sure the reader is of the document as a whole (0..1), and why it is unsure.
    confidence: float = 1.0
    confidence_reasons: list[str] = field(default_factory=list)
    #: Where the period was read (`Metadata.period_source`); the language when it is not Vietnamese.
    period_source: str | None = None
    language: str = "vi"

    def to_json(self) -> dict[str, Any]:
        """Return the document as one element of `{"documents": [...]}` (docs/design.md)."""
        province = {"code": self.province[0], "name": self.province[1]} if self.province else None
        return {
            "file": self.file,
            "province": province,
            "period": self.period,
            "for_period": self.for_period,
            "meeting": self.meeting.to_json(),
            "published": _iso(self.published),
            "title": self.title,
            "facts": [f.to_json() for f in self.facts],
            "focus_tasks": [t.to_json() for t in self.focus_tasks],
            "legal_refs": [r.to_json() for r in self.legal_refs],
            "warnings": list(self.warnings),
            "confidence": self.confidence,
            "confidence_reasons": list(self.confidence_reasons),
            "period_source": self.period_source,
            "language": self.language,
        }

    def csv_rows(self) -> list[dict[str, Any]]:
        """Return one dict per fact, keyed by CSV_COLUMNS, with the document's fields repeated."""
        head = {
            "file": self.file,
            "province_code": self.province[0] if self.province else None,
            "province_name": self.province[1] if self.province else None,
            "report_period": self.period,
            "meeting_type": self.meeting.type,
            "meeting_date": _iso(self.meeting.date),
            "published": _iso(self.published),
            "report_confidence": self.confidence,
        }
        rows = []
        for index, fact in enumerate(self.facts):
            row = dict(head, fact=index)
            row.update(fact.to_json())
            row["doubts"] = "; ".join(fact.doubts)
            rows.append({column: row.get(column) for column in CSV_COLUMNS})
        return rows


CSV_COLUMNS = (
    "file",
    "province_code",
    "province_name",
    "report_period",
    "meeting_type",
    "meeting_date",
    "published",
    "fact",
    "period",
    "value",
    "unit",
    "unit_canonical",
    "indicator",
    "area",
    "qualifier",
    "kind",
    "measure",
    "denominator",
    "part_of",
    "as_written",
    "quote",
    "start",
    "end",
    "value_high",
    "confidence",
    "doubts",
    "report_confidence",
)
