"""Review: from the figures extraction proposes to rows of `data/`, through an Excel sheet.

    giaoban ingest REPORT.txt -o review.xlsx     # nothing is written under data/
    (the analyst decides each row in Excel: nhận / sửa / bỏ)
    giaoban accept review.xlsx                   # validated, then appended to data/ atomically

`write_review(report, out)` extracts a report text and writes the review workbook; `accept(workbook)`
reads it back (or an entry form of `giaoban.reading.form`: the hidden `_giaoban` sheet says which), builds the
new rows, validates the whole data folder with them on a staged copy and only then writes them.

Choices, documented for analysts in docs/adding-a-report.md:
- The report text is added to `data/sources/` at accept time, not at ingest: a sheet that is thrown
  away, or refused, changes nothing. Until then the workbook carries the text (NFC, line ends LF) in
  a very hidden sheet with its SHA-256, so accept needs no other file and refuses an altered text.
  A different file of the same name in `data/sources/` is refused, never overwritten.
- Every row needs a decision: `nhận` (accept as proposed), `sửa` (accept with the values of the
  `Sửa …` columns, which win over the proposal; `không` in one of them empties an optional field),
  `bỏ` (reject). A row with content but no decision, `nhận` with a correction, or `sửa` without one
  is an error. A figure the extractor missed is a new row at the bottom, decided `nhận`.
- Cells are read as values (openpyxl); a formula anywhere in a sheet that is read is refused with its
  cell address, never evaluated. Texts longer than 10.000 characters and numbers of more than 15
  digits are refused.
- Focus tasks get their ordinal from their order in the sheet (1, 2, … per period), after rejections.
- Refused before anything is written: a report_id already in `reports.csv`; a text that is already
  the source of a report; a figure whose (indicator, period, kind, measure) repeats another of the
  sheet or of the data; anything `giaoban validate` would call an error once the rows are added. Every
  error names `file:Sheet!row:Header`, as Excel shows them.
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Callable
import bisect

from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from giaoban.errors import InputError, NumberError, PeriodError
from giaoban.files import atomic_write, file_mode
from giaoban.reading.extract.model import MEETING_TYPES
from giaoban.domain.indicators import Catalogue
from giaoban.domain.numbers import QUALIFIERS, format_number, parse_money, parse_number
from giaoban.domain.periods import Period
from giaoban.domain.provinces import Province, Provinces, load_provinces
from giaoban.domain.text import fold, nfc, slugify
from giaoban.reading.workbook import (
    CellError,
    Column,
    Lists,
    Problems,
    Where,
    add_list,
    cell_value,
    comparable,
    formula_cells,
    new_workbook,
    protect_table,
    put,
    read_proposals,
    store_proposals,
    store_text,
    style_table,
    write_marker,
)
from giaoban.data.dataset import load_catalogue
from giaoban.data.validation import default_data_dir
from giaoban.data.validation.checks import DOC_TYPES
from giaoban.domain.report_text import read_report
from giaoban.reading.extract import extract_text
from giaoban.reading.extract.confidence import HIGH, LOW

__all__ = [
    "write_review",
    "IngestResult",
    "Submission",
    "Row",
    "Context",
    "DECISIONS",
    "KIND_LABELS",
    "MEASURE_LABELS",
    "QUALIFIER_LABELS",
    "STATUS_LABELS",
    "NO_PROVINCE",
    "CLEAR",
    "REPORT_SHEET",
    "FIGURES_SHEET",
    "TASKS_SHEET",
    "LEGAL_SHEET",
    "TEXT_VIEW_SHEET",
    "GUIDE_SHEET",
    "SHEET_ORDER",
    "load_context",
    "number_text",
    "province_cell",
    "read_report_sheet",
    "read_table",
    "save_workbook",
]

# ----------------------------------------------------------------------------------- vocabulary

#: Sheet names, as the analyst sees them.
GUIDE_SHEET = "Hướng dẫn"
REPORT_SHEET = "Báo cáo"
FIGURES_SHEET = "Số liệu"
TASKS_SHEET = "Nhiệm vụ trọng tâm"
LEGAL_SHEET = "Văn bản pháp lý"
TEXT_VIEW_SHEET = "Văn bản"
#: The order in which problems are listed.
SHEET_ORDER = (REPORT_SHEET, FIGURES_SHEET, TASKS_SHEET, LEGAL_SHEET)

#: The decision column: what the analyst writes → what it means.
DECISIONS = {"nhận": "accept", "sửa": "correct", "bỏ": "reject"}
#: Codes of data/README.md → the Vietnamese words the sheets show (codes are accepted too).
KIND_LABELS = {"actual": "thực hiện", "plan": "kế hoạch"}
MEASURE_LABELS = {"level": "mức", "percent_of_plan": "% kế hoạch", "change_percent": "% thay đổi"}
QUALIFIER_LABELS = {"more_than": "trên", "about": "khoảng", "almost": "gần", "up_to": "tới"}
STATUS_LABELS = {"stated": "theo văn bản", "as_written": "giữ như văn bản (mâu thuẫn với kỳ)"}
MEETING_LABELS = dict(MEETING_TYPES)
#: In the province cell: the text names no province (the report_id then starts with `unknown-`).
NO_PROVINCE = "không rõ"
#: In a `Sửa …` cell: make this optional field empty.
CLEAR = "không"
SEP = " — "

_SLUG_FILE = re.compile(r"[^/\\\x00]+\.txt")
_SIGNIFICANT = 15


# ----------------------------------------------------------------------------------- parsing cells


@dataclass
class Context:
    """What cells are checked against: the catalogue, the provinces and their drop-down entries."""

    catalogue: Catalogue
    provinces: Provinces

    def province_entries(self) -> dict[str, list[Province]]:
        """Return the drop-down entries of the province cell (`51 — Quảng Ngãi`) → the units named so.

        A name two codes share (Bắc Ninh was 27 until 30/06/2025 and is 24 from 01/07/2025) carries the
        dates of each entry, `24 — Bắc Ninh (từ 01/07/2025)`: the list never shows one name twice
        without them."""
        grouped: dict[tuple[str, str], list[Province]] = {}
        for unit in sorted(self.provinces, key=lambda p: (p.code, p.valid_from or date.min)):
            grouped.setdefault((unit.code, unit.name_vi), []).append(unit)
        codes_of: dict[str, set[str]] = {}
        for code, name in grouped:
            codes_of.setdefault(name, set()).add(code)
        return {
            _province_entry(code, name, units, len(codes_of[name]) > 1): units
            for (code, name), units in grouped.items()
        }

    def province_lookup(self) -> dict[str, list[Province]]:
        """Return every text a province cell may hold → its units: the drop-down entries and, for sheets
        made before entries carried dates, `24 — Bắc Ninh` without them."""
        lookup = dict(self.province_entries())
        for units in list(lookup.values()):
            lookup.setdefault(f"{units[0].code}{SEP}{units[0].name_vi}", units)
        return lookup

    def province_label(self, unit: Province) -> str:
        """Return the drop-down entry naming `unit` (`51 — Quảng Ngãi`, `24 — Bắc Ninh (từ 01/07/2025)`)."""
        return next(entry for entry, units in self.province_entries().items() if unit in units)

    def indicator_entries(self) -> list[str]:
        """Return the drop-down entries of an indicator cell: `code — label`, by area."""
        return [f"{i.code}{SEP}{i.label_vi}" for i in self.catalogue]

    def area_entries(self) -> list[str]:
        """Return the drop-down entries of an area cell: `code — label`, in briefing order."""
        return [f"{a.code}{SEP}{a.label_vi}" for a in self.catalogue.areas]


def _province_entry(code: str, name: str, units: list[Province], dated: bool) -> str:
    """`code — name`, with the dates the units named so cover when `dated` (another code has the name)."""
    entry = f"{code}{SEP}{name}"
    if not dated:
        return entry
    starts = [u.valid_from for u in units]
    ends = [u.valid_to for u in units]
    span = dataclasses.replace(
        units[0],
        valid_from=None if None in starts else min(starts),  # type: ignore[type-var]
        valid_to=None if None in ends else max(ends),
    )  # type: ignore[type-var]
    return f"{entry} ({span.validity_vi()})"


Parse = Callable[[object, Context], "str | None"]


def cell_text(limit: int) -> Parse:
    """Return a reader of free text of at most `limit` characters; refuses a date cell."""

    def parse(value: object, ctx: Context) -> str:
        if isinstance(value, (datetime, date)):
            raise CellError("ô là ngày tháng, cần văn bản (định dạng ô là Văn bản/Text)")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value)
        if len(text) > limit:
            raise CellError(f"dài {len(text)} ký tự, quá giới hạn {limit} ký tự")
        return text

    return parse


def _code_of(value: object) -> str:
    """The code part of a drop-down entry `code — label` (or the whole cell)."""
    return str(value).split(SEP, 1)[0].split(" ", 1)[0].strip()


def _coded(labels: Mapping[str, str], what: str, aliases: Mapping[str, str] | None = None) -> Parse:
    """A cell holding one of `labels` (code → Vietnamese label); the label, the code or an alias."""
    lookup = {fold(label): code for code, label in labels.items()}
    lookup.update({fold(code): code for code in labels})
    lookup.update({fold(alias): code for alias, code in (aliases or {}).items()})

    def parse(value: object, ctx: Context) -> str:
        code = lookup.get(fold(str(value)))
        if code is None:
            raise CellError(f"{what} “{value}” không hợp lệ: chọn một trong {', '.join(labels.values())}")
        return code

    return parse


def cell_indicator(value: object, ctx: Context) -> str:
    """Return the indicator code of a cell (`code — label` or `code`); refuses a code not in the catalogue."""
    code = _code_of(value)
    if code in ctx.catalogue:
        return code
    close = difflib.get_close_matches(code, ctx.catalogue.codes, n=2, cutoff=0.6)
    hint = f" (có phải {' hoặc '.join(close)}?)" if close else ""
    raise CellError(f"mã chỉ tiêu không có trong danh mục: '{code}'{hint}: chọn trong danh sách thả xuống")


def cell_indicator_list(value: object, ctx: Context) -> str:
    """Return `;`-joined indicator codes (cell separated by `;`, `,` or lines); refuses unknown codes."""
    codes = [c.strip() for c in re.split(r"[;,\n]", str(value)) if c.strip()]
    bad = [c for c in codes if c not in ctx.catalogue]
    if bad:
        raise CellError(
            f"mã chỉ tiêu không có trong danh mục: {', '.join(repr(c) for c in bad)}: ghi các mã cách nhau bằng dấu ';'"
        )
    return ";".join(dict.fromkeys(codes))


def cell_area(value: object, ctx: Context) -> str:
    """Return the area code of a cell (`code — label` or `code`); refuses an unknown area."""
    code = _code_of(value)
    if code in {a.code for a in ctx.catalogue.areas}:
        return code
    raise CellError(f"lĩnh vực không có trong danh mục: '{code}': chọn trong danh sách thả xuống")


def number_text(value: int | float | Decimal) -> str:
    """Return a number as data/README.md writes it: digits, `.` decimal point, no exponent (`99.88`).
    Refuses (CellError) more than 15 significant digits, infinities and NaN."""
    try:
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        raise CellError(f"“{value}” không phải số") from None
    if not d.is_finite():
        raise CellError(f"“{value}” không phải số hữu hạn")
    d = d.normalize()
    digits = len(d.as_tuple().digits)
    if abs(d) >= Decimal(10) ** _SIGNIFICANT or (digits > _SIGNIFICANT and d != d.to_integral_value()):
        raise CellError(f"số {value} quá lớn hoặc quá nhiều chữ số (tối đa {_SIGNIFICANT} chữ số)")
    text = format(d, "f")
    return "0" if text in ("-0", "0") else text


def cell_number(value: object, ctx: Context) -> str:
    """Return a number cell as data text: a number as is, text the Vietnamese way (`1.287`, `99,88`,
    `11.497 triệu đồng` in đồng). Refuses dates, words, more than 15 digits."""
    if isinstance(value, (datetime, date)):
        raise CellError("ô là ngày tháng, cần số (Excel có thể đã đổi số thành ngày: định dạng ô là Số)")
    if isinstance(value, (int, float)):
        return number_text(value)
    text = str(value)
    try:
        if re.search(r"(?i)đồng|triệu|tỷ|tỉ|nghìn|ngàn", text):
            return number_text(parse_money(text, allow_negative=True))
        return number_text(parse_number(text, allow_negative=True))
    except (NumberError, InputError) as error:
        detail = getattr(error, "detail", str(error))
        raise CellError(f"giá trị “{text}” không phải số ({detail}): nhập số, ví dụ 1287 hoặc 99,88") from None


def cell_positive_int(value: object, ctx: Context) -> str:
    """Return a whole number > 0 as text (a denominator); refuses anything else."""
    text = cell_number(value, ctx)
    if not re.fullmatch(r"[1-9]\d*", text):
        raise CellError(f"“{value}” không hợp lệ: cần số nguyên dương (mẫu số của 13/14 là 14)")
    return text


def cell_period(value: object, ctx: Context) -> str:
    """Return the canonical period code of a cell; refuses numbers, dates and unknown codes."""
    if isinstance(value, (datetime, date, int, float)):
        raise CellError(f"“{value}” không phải mã kỳ: cần dạng 2021-H1, 2021-Q3, 2021-9M, 2021-FY")
    try:
        period = Period.parse(str(value))
    except PeriodError as error:
        raise CellError(error.detail) from None
    return period.code


def cell_date(value: object, ctx: Context) -> str:
    """Return a date cell (an Excel date, `23/07/2021` or `2021-07-23`) as ISO `YYYY-MM-DD`;
    refuses anything that is not a real date."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text) or None
    parts = (m[1], m[2], m[3]) if m else None
    if parts is None and (m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)):
        parts = (m[3], m[2], m[1])
    if parts is not None:
        try:
            return date(int(parts[0]), int(parts[1]), int(parts[2])).isoformat()
        except ValueError:
            pass
    raise CellError(f"ngày “{text}” không hợp lệ: cần ngày có thật, dạng 23/07/2021")


def cell_file_name(value: object, ctx: Context) -> str:
    """Return a file name for `sources/` (NFC, `.txt`, no folder); refuses anything else."""
    name = nfc(str(value))
    if not _SLUG_FILE.fullmatch(name) or name.startswith("."):
        raise CellError(f"tên tệp “{name}” không hợp lệ: cần tên tệp .txt, không có thư mục, ví dụ 005_bao-cao.txt")
    return name


def _decision(value: object) -> str:
    key = fold(str(value))
    for word, meaning in DECISIONS.items():
        if key == fold(word):
            return meaning
    raise CellError(f"quyết định “{value}” không hợp lệ: chọn {', '.join(DECISIONS)}")


_QUALIFIER_ALIASES = dict(QUALIFIERS)
parse_kind = _coded(KIND_LABELS, "loại")
parse_measure = _coded(MEASURE_LABELS, "cách đo")
parse_qualifier = _coded(QUALIFIER_LABELS, "mức độ", _QUALIFIER_ALIASES)
parse_meeting = _coded(MEETING_LABELS, "loại cuộc họp", {"không": "", "không có": "", "không họp": ""})
parse_status = _coded(STATUS_LABELS, "trạng thái ngày họp")


# ----------------------------------------------------------------------------------- sheet layout


@dataclass(frozen=True)
class Field:
    """One value of a row: its data column (`key`), the header shown, how a cell is read, whether it
    is required, the header of its correction column (None: not correctable), its drop-down list."""

    key: str
    header: str
    parse: Parse
    width: float = 14
    required: bool = False
    fix: str | None = None
    choices: str | None = None
    role: str = "given"
    wrap: bool = False
    comment: str | None = None


@dataclass(frozen=True)
class TableSpec:
    """A table sheet: its name, its fields, whether rows carry a decision (review) or not (form)."""

    sheet: str
    fields: tuple[Field, ...]
    decision: bool = True
    info: tuple[Column, ...] = ()

    def columns(self) -> list[tuple[Column, Field | None, bool]]:
        """Return (column, field, is_fix) in sheet order: STT, decision, proposed, info, fixes, analyst's."""
        out: list[tuple[Column, Field | None, bool]] = []
        if self.decision:
            out.append((Column("STT", 6, "info"), None, False))
            out.append(
                (
                    Column(
                        "Quyết định",
                        11,
                        "decide",
                        comment="nhận: lấy như đề xuất; sửa: lấy giá trị ở các cột “Sửa …”; bỏ: không lấy",
                    ),
                    None,
                    False,
                )
            )
        given = [f for f in self.fields if f.role == "given"]
        filled = [f for f in self.fields if f.role != "given"]
        role = "given" if self.decision else "fill"
        out += [(Column(f.header, f.width, role, f.wrap, f.comment), f, False) for f in given]
        out += [(c, None, False) for c in self.info]
        if self.decision:
            out += [(Column(f.fix, f.width, "fix", f.wrap), f, True) for f in given if f.fix]
        out += [(Column(f.header, f.width, "fill", f.wrap, f.comment), f, False) for f in filled]
        return out


_QUOTE_HELP = (
    "Đoạn nguyên văn ngắn nhất của văn bản nêu con số, giữ đúng khoảng trắng; chép từ trang “Văn bản” nếu cần sửa."
)
FIGURE_FIELDS = (
    Field("indicator", "Chỉ tiêu", cell_indicator, 40, True, "Sửa chỉ tiêu", "indicators"),
    Field("value", "Giá trị", cell_number, 14, True, "Sửa giá trị"),
    Field("unit", "Đơn vị", cell_text(200), 16, True, "Sửa đơn vị"),
    Field("qualifier", "Mức độ", parse_qualifier, 9, False, "Sửa mức độ", "qualifiers"),
    Field("denominator", "Mẫu số", cell_positive_int, 8, False, "Sửa mẫu số"),
    Field("kind", "Loại", parse_kind, 11, True, "Sửa loại", "kinds"),
    Field("measure", "Cách đo", parse_measure, 11, True, "Sửa cách đo", "measures"),
    Field("period", "Kỳ", cell_period, 10, True, "Sửa kỳ", "periods"),
    Field("quote", "Trích dẫn", cell_text(5000), 60, True, "Sửa trích dẫn", wrap=True, comment=_QUOTE_HELP),
    Field("note", "Ghi chú", cell_text(2000), 30, role="fill", wrap=True),
)
TASK_FIELDS = (
    Field("for_period", "Kỳ thực hiện", cell_period, 12, True, "Sửa kỳ thực hiện", "periods"),
    Field("text", "Nội dung", cell_text(5000), 70, True, "Sửa nội dung", wrap=True),
    Field("area", "Lĩnh vực", cell_area, 24, role="fill", choices="areas"),
    Field(
        "indicators",
        "Chỉ tiêu liên quan",
        cell_indicator_list,
        30,
        role="fill",
        wrap=True,
        comment="Các mã chỉ tiêu cho thấy tiến độ của nhiệm vụ, cách nhau bằng dấu ';'",
    ),
)
LEGAL_FIELDS = (
    Field("number", "Số hiệu", cell_text(200), 20, True, "Sửa số hiệu"),
    Field("doc_type", "Loại văn bản", cell_text(100), 16, True, "Sửa loại văn bản", "doc_types"),
    Field("issuer", "Cơ quan ban hành", cell_text(200), 20, False, "Sửa cơ quan ban hành"),
    Field("date", "Ngày", cell_date, 12, False, "Sửa ngày"),
    Field("title", "Trích yếu", cell_text(2000), 45, False, "Sửa trích yếu", wrap=True),
    Field("quote", "Trích dẫn", cell_text(5000), 50, True, "Sửa trích dẫn", wrap=True, comment=_QUOTE_HELP),
)
CONFIDENCE_HEADER, DOUBTS_HEADER = "Độ tin cậy", "Lý do chưa chắc"
FIGURES = TableSpec(
    FIGURES_SHEET,
    FIGURE_FIELDS,
    info=(
        Column("Dòng văn bản", 8, "info"),
        Column("Thuộc tổng STT", 8, "info"),
        Column(
            CONFIDENCE_HEADER,
            9,
            "info",
            comment="Máy chắc đến đâu (0 đến 1): dòng ít chắc nhất ở trên cùng, đỏ dưới 0,5, vàng dưới 0,8",
        ),
        Column(DOUBTS_HEADER, 30, "info", wrap=True),
    ),
)
TASKS = TableSpec(TASKS_SHEET, TASK_FIELDS)
LEGAL = TableSpec(LEGAL_SHEET, LEGAL_FIELDS)


@dataclass(frozen=True)
class MetaField:
    """One line of the `Báo cáo` sheet: data column, label, reader, required, drop-down, explanation."""

    key: str
    label: str
    parse: Parse | None
    required: bool
    choices: str | None
    help: str


REPORT_FIELDS = (
    MetaField(
        "report_id",
        "Mã báo cáo",
        cell_text(100),
        False,
        None,
        "<tỉnh>-<kỳ>, chữ thường không dấu, ví dụ quang-ngai-2021-h1 (unknown-… khi không rõ tỉnh); để trống "
        "thì tự tạo từ tỉnh và kỳ",
    ),
    MetaField(
        "province",
        "Tỉnh",
        None,
        True,
        "provinces",
        f"Bắt buộc: chọn mã tỉnh trong danh sách; chọn “{NO_PROVINCE}” nếu văn bản không nêu tỉnh (không đoán)",
    ),
    MetaField(
        "period", "Kỳ báo cáo", cell_period, True, "periods", "Kỳ mà báo cáo xem xét: 2021-H1, 2020-9M, 2018-FY…"
    ),
    MetaField(
        "meeting_type",
        "Loại cuộc họp",
        parse_meeting,
        False,
        "meetings",
        "Để trống khi văn bản không nói về cuộc họp nào",
    ),
    MetaField("meeting_date", "Ngày họp", cell_date, False, None, "Đúng như văn bản ghi, kể cả khi mâu thuẫn với kỳ"),
    MetaField(
        "meeting_date_status",
        "Trạng thái ngày họp",
        parse_status,
        False,
        "statuses",
        "Có ngày họp thì bắt buộc: “theo văn bản”, hoặc “giữ như văn bản…” khi ngày mâu thuẫn với kỳ",
    ),
    MetaField("published_date", "Ngày đăng", cell_date, False, None, "Ngày ghi trên trang"),
    MetaField("title", "Tiêu đề", cell_text(1000), True, None, "Tiêu đề như văn bản viết"),
    MetaField(
        "source_file",
        "Tệp văn bản nguồn",
        cell_file_name,
        True,
        None,
        "Tên tệp trong data/sources/ (tệp được chép vào khi chạy giaoban accept)",
    ),
    MetaField(
        "source_url",
        "Địa chỉ trang (URL)",
        cell_text(2000),
        False,
        None,
        "Chỉ ghi khi có bản ghi nơi đã tải trang; không đoán",
    ),
)


def period_choices(first_year: int, last_year: int) -> list[str]:
    """Return the period codes of the drop-down lists, latest year first: H1, H2, Q1..Q4, the first N
    months (1M..11M), FY. Other codes (a year to date, `2018-YTD-11-16`; a span, `2021-2025`) are typed
    in: the list only warns (`add_choices`), and `accept` checks every code."""
    out = []
    for year in range(last_year, first_year - 1, -1):
        months = [f"{n}M" for n in range(1, 12)]
        out += [f"{year}-{k}" for k in ("H1", "H2", "Q1", "Q2", "Q3", "Q4", *months, "FY")]
    return out


def add_choices(
    wb, ws, lists: Lists, ctx: Context, name: str, cells: str, years: tuple[int, int], *, clear: bool = False
) -> None:
    """Attach the drop-down list `name` (indicators, qualifiers, kinds, measures, periods, areas,
    doc_types, decisions, provinces, meetings, statuses) to `cells`; `clear` adds the word `không`."""
    values: dict[str, list[str]] = {
        "indicators": ctx.indicator_entries(),
        "qualifiers": list(QUALIFIER_LABELS.values()),
        "kinds": list(KIND_LABELS.values()),
        "measures": list(MEASURE_LABELS.values()),
        "periods": period_choices(*years),
        "areas": ctx.area_entries(),
        "doc_types": list(dict.fromkeys(DOC_TYPES)),
        "decisions": list(DECISIONS),
        "provinces": [NO_PROVINCE] + list(ctx.province_entries()),
        "meetings": list(MEETING_LABELS.values()),
        "statuses": list(STATUS_LABELS.values()),
    }
    list_name = name + ("+clear" if clear else "")
    entries = values[name] + ([CLEAR] if clear else [])
    prompts = {
        "indicators": "Chọn mã chỉ tiêu trong danh mục",
        "decisions": "nhận, sửa hoặc bỏ",
        "provinces": f"Chọn tỉnh, hoặc “{NO_PROVINCE}”",
    }
    dv = add_list(ws, lists, list_name, entries, cells, prompt=prompts.get(name))
    if name in ("doc_types", "periods"):  # a new type of document, a period not listed: allowed (a warning)
        dv.errorStyle = "warning"


# ----------------------------------------------------------------------------------- writing: ingest


@dataclass
class IngestResult:
    """What `write_review` wrote: the workbook, the proposed report_id and source file, the counts."""

    path: Path
    report_id: str
    source_file: str
    figures: int
    focus_tasks: int
    legal_refs: int
    warnings: list[str] = field(default_factory=list)


def data_folder(data_dir: str | Path | None) -> Path:
    """Return `data_dir`, or the default data folder; refuses (InputError) a folder that does not exist."""
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    if not folder.is_dir():
        raise InputError("không tìm thấy thư mục dữ liệu", path=str(folder))
    return folder


def load_context(folder: Path) -> Context:
    """Return the Context of a data folder: its validated catalogue and its provinces.
    Refuses (InputError) a catalogue or province list with errors."""
    return Context(load_catalogue(folder), load_provinces(folder / "reference"))


def csv_rows(path: Path) -> list[dict[str, str]]:
    """Return the rows of a CSV file as dicts (none when the file is missing)."""
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def report_id_for(province: Province | None, period: str, taken: set[str]) -> str:
    """Return `<province-slug>-<period>` (`unknown-…` without province), with `-2`, `-3`… when taken."""
    base = f"{slugify(province.name_vi) if province else 'unknown'}-{period.lower()}"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _normalise_text(text: str) -> str:
    """NFC, line ends LF; refuses (InputError) characters Excel cannot keep."""
    text = nfc(text).replace("\r\n", "\n").replace("\r", "\n")
    bad = next((c for c in text if ord(c) < 32 and c not in "\t\n"), None)
    if bad is not None:
        raise InputError(
            f"văn bản chứa ký tự điều khiển U+{ord(bad):04X} (vị trí {text.index(bad)}): hãy xoá ký "
            f"tự này trước khi nhập"
        )
    return text


def write_review(
    report: str | Path, out: str | Path | None = None, data_dir: str | Path | None = None, *, force: bool = False
) -> IngestResult:
    """Extract the report text at `report` and write the review workbook `out` (default
    `<report name>-review.xlsx` in the current folder). Writes nothing under `data_dir`.

    Refuses (InputError): a report that cannot be read (missing, not UTF-8, control characters), an
    `out` that is not .xlsx or already exists (unless `force`), a different file of the same name
    already in `data/sources/`.
    """
    source = Path(report)
    target = Path(out) if out is not None else Path(f"{source.stem}-review.xlsx")
    if target.suffix.lower() != ".xlsx":
        raise InputError("bảng xét duyệt cần đuôi .xlsx (bản .csv chưa được hỗ trợ)", path=str(target))
    if target.exists() and not force:
        raise InputError(
            "tệp đã có: chọn tên khác, hoặc thêm --force để ghi đè (mọi quyết định trong tệp cũ sẽ mất)",
            path=str(target),
        )
    folder = data_folder(data_dir)
    try:
        text = _normalise_text(read_report(source))
    except InputError as error:
        if error.path is not None:
            raise
        raise InputError(error.detail, path=str(source)) from None
    ctx = load_context(folder)

    name = nfc(source.name if source.suffix == ".txt" else source.stem + ".txt")
    warnings: list[str] = []
    sources = folder / "sources"
    data = text.encode("utf-8")
    existing = sources / name
    if existing.is_file() and existing.read_bytes() != data:
        raise InputError(
            f"data/sources/ đã có tệp “{name}” với nội dung khác: đổi tên tệp báo cáo rồi chạy lại "
            f"(văn bản trong data/sources không bao giờ bị ghi đè)",
            path=str(source),
        )
    if not existing.is_file() and sources.is_dir():
        same = [p.name for p in sorted(sources.glob("*.txt")) if p.read_bytes() == data]
        if same:
            name = same[0]
            warnings.append(f"văn bản này đã có trong data/sources/ với tên “{name}”: dùng tên đó")
    reports = csv_rows(folder / "reports.csv")
    for row in reports:
        if row.get("source_file") == name:
            warnings.append(
                f"văn bản “{name}” đã là nguồn của báo cáo “{row.get('report_id')}”: giaoban accept sẽ "
                f"từ chối nếu báo cáo đó còn trong reports.csv"
            )

    doc = extract_text(text, name)
    province = None
    if doc.province and doc.period:
        try:
            province = ctx.provinces.get(doc.province[0], on=Period.parse(doc.period))
        except InputError:
            province = None
    taken = {row.get("report_id", "") for row in reports}
    report_id = report_id_for(province, doc.period, taken) if doc.period and province else ""
    warnings.extend(doc.warnings)

    wb = new_workbook()
    guide = wb.create_sheet(GUIDE_SHEET)
    meta = wb.create_sheet(REPORT_SHEET)
    figures = wb.create_sheet(FIGURES_SHEET)
    tasks = wb.create_sheet(TASKS_SHEET)
    legal = wb.create_sheet(LEGAL_SHEET)
    view = wb.create_sheet(TEXT_VIEW_SHEET)
    lists = Lists(wb)
    year = Period.parse(doc.period).year if doc.period else date.today().year
    years = (min(2000, year - 5), max(date.today().year + 2, year + 2))

    status = None
    if doc.meeting.date is not None and doc.period:
        status = "stated" if Period.parse(doc.period).is_reviewable_on(doc.meeting.date) else "as_written"
    values = {
        "report_id": report_id,
        "province": ctx.province_label(province) if province else None,
        "period": doc.period,
        "meeting_type": MEETING_LABELS.get(doc.meeting.type) if doc.meeting.type else None,
        "meeting_date": doc.meeting.date,
        "meeting_date_status": STATUS_LABELS[status] if status else None,
        "published_date": doc.published,
        "title": doc.title,
        "source_file": name,
        "source_url": None,
    }
    write_report_sheet(wb, meta, lists, ctx, REPORT_FIELDS, values, years)

    lines = _line_starts(text)
    fact_rows = []
    for index, fact in enumerate(doc.facts, start=1):
        fact_rows.append(
            {
                "indicator": f"{fact.indicator}{SEP}{ctx.catalogue[fact.indicator].label_vi}"
                if fact.indicator in ctx.catalogue
                else fact.indicator,
                "value": fact.value,
                "unit": fact.unit,
                "qualifier": QUALIFIER_LABELS.get(fact.qualifier),
                "denominator": fact.denominator,
                "kind": KIND_LABELS.get(fact.kind, fact.kind),
                "measure": MEASURE_LABELS.get(fact.measure, fact.measure),
                "period": fact.period or doc.period,
                "quote": fact.quote,
                "STT": index,
                "Dòng văn bản": _line_of(lines, fact.start),
                "Thuộc tổng STT": fact.part_of + 1 if fact.part_of is not None else None,
                CONFIDENCE_HEADER: fact.confidence,
                DOUBTS_HEADER: "; ".join(fact.doubts) or None,
            }
        )
    fact_rows.sort(key=lambda row: (row[CONFIDENCE_HEADER], row["STT"]))  # least sure first
    write_table(wb, figures, lists, ctx, FIGURES, fact_rows, years, extra_rows=200)
    _colour_confidence(figures, len(fact_rows))
    task_rows = [
        {"for_period": t.for_period or doc.for_period, "text": t.text, "STT": t.ordinal} for t in doc.focus_tasks
    ]
    write_table(wb, tasks, lists, ctx, TASKS, task_rows, years, extra_rows=100)
    legal_rows = [
        {
            "number": r.number,
            "doc_type": r.doc_type,
            "issuer": r.issuer,
            "date": r.date,
            "title": r.title,
            "quote": r.quote,
            "STT": i,
        }
        for i, r in enumerate(doc.legal_refs, start=1)
    ]
    write_table(wb, legal, lists, ctx, LEGAL, legal_rows, years, extra_rows=100)
    _write_text_view(view, text)
    write_guide(guide, "review", name, [_confidence_note(doc.confidence, doc.confidence_reasons)] + warnings)

    digest = store_text(wb, text)
    write_marker(
        wb,
        "review",
        {"source_sha256": digest, "source_name": name, "created": datetime.now().isoformat(timespec="seconds")},
    )
    save_workbook(wb, target)
    return IngestResult(target, report_id, name, len(doc.facts), len(doc.focus_tasks), len(doc.legal_refs), warnings)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    return starts


def _line_of(starts: list[int], offset: int) -> int:
    return bisect.bisect_right(starts, offset)


def write_report_sheet(
    wb, ws, lists: Lists, ctx: Context, fields: tuple[MetaField, ...], values: dict, years: tuple[int, int]
) -> None:
    """Write the `Báo cáo` sheet: one line per field (label, value, explanation), drop-downs on the
    coded ones, dates as Excel dates shown dd/mm/yyyy."""
    style_table(
        ws, [Column("Trường", 24, "info"), Column("Giá trị", 60, "fill"), Column("Giải thích", 70, "info")], freeze="B2"
    )
    for row, spec in enumerate(fields, start=2):
        put(ws, row, 1, spec.label + (" *" if spec.required else ""), "info")
        value = values.get(spec.key)
        if isinstance(value, (date, datetime)):
            put(ws, row, 2, value, "fill", number_format="DD/MM/YYYY")
        else:
            put(ws, row, 2, value, "fill", wrap=True)
        put(ws, row, 3, spec.help, "info", wrap=True)
        if spec.choices:
            add_choices(wb, ws, lists, ctx, spec.choices, f"B{row}", years)


def _confidence_note(confidence: float, reasons: list[str]) -> str:
    """The guide's line on the document's confidence: `độ tin cậy của văn bản: 0,65 (…)`."""
    why = f" ({'; '.join(reasons)})" if reasons else ""
    return (
        f"độ tin cậy của văn bản: {format_number(confidence, 2)}{why}; trang Số liệu xếp các dòng máy ít "
        f"chắc nhất lên trên"
    )


def _colour_confidence(ws, n_rows: int) -> None:
    """Colour the confidence cell of each of the first `n_rows` figure rows: red below LOW, amber
    below HIGH, green otherwise (`giaoban.reading.extract.confidence`)."""
    column = next(i for i, (c, _f, _x) in enumerate(FIGURES.columns(), start=1) if c.header == CONFIDENCE_HEADER)
    fills = {
        "low": PatternFill("solid", fgColor="F4CCCC"),
        "mid": PatternFill("solid", fgColor="FFE599"),
        "high": PatternFill("solid", fgColor="D9EAD3"),
    }
    for r in range(2, n_rows + 2):
        cell = ws.cell(r, column)
        value = float(cell.value) if isinstance(cell.value, (int, float)) else 1.0
        cell.fill = fills["low" if value < LOW else "mid" if value < HIGH else "high"]
        cell.number_format = "0.00"


def write_table(
    wb,
    ws,
    lists: Lists,
    ctx: Context,
    spec: TableSpec,
    rows: list[dict],
    years: tuple[int, int],
    *,
    extra_rows: int = 100,
) -> None:
    """Write a table sheet of `spec`: the header, one line per dict of `rows` (keys: field keys or
    column headers), drop-downs and fills over the rows and `extra_rows` empty ones for additions."""
    columns = spec.columns()
    style_table(
        ws,
        [c for c, _f, _x in columns],
        freeze="C2" if spec.decision else "A2",
        filter_rows=len(rows) + extra_rows if spec is FIGURES else None,
    )
    last = len(rows) + extra_rows + 1
    for r, values in enumerate(rows, start=2):
        for i, (column, fld, is_fix) in enumerate(columns, start=1):
            value = None if is_fix else values.get(fld.key if fld else column.header)
            if isinstance(value, (date, datetime)):
                put(ws, r, i, value, column.role, number_format="DD/MM/YYYY")
            else:
                put(
                    ws,
                    r,
                    i,
                    value,
                    column.role,
                    wrap=column.wrap,
                    number_format="#,##0" if isinstance(value, int) and fld and fld.key == "value" else None,
                )

    for i, (column, fld, is_fix) in enumerate(columns, start=1):
        letter = get_column_letter(i)
        cells = f"{letter}2:{letter}{last}"
        if column.header == "Quyết định":
            add_choices(wb, ws, lists, ctx, "decisions", cells, years)
        elif fld is not None and fld.choices:
            add_choices(wb, ws, lists, ctx, fld.choices, cells, years, clear=is_fix and not fld.required)
        for r in range(len(rows) + 2, last + 1):  # the rows for additions keep the column's colour
            if column.role in ("decide", "fix"):
                put(ws, r, i, None, column.role)
    if spec.decision:
        _guard_proposals(wb, ws, spec, columns, rows, last)


def _guard_proposals(
    wb, ws, spec: TableSpec, columns: list[tuple[Column, Field | None, bool]], rows: list[dict], last: int
) -> None:
    """Keep each row's proposal (`store_proposals`), which `read_table` compares with the sheet, and
    protect its grey cells (proposals, STT, information) so that Excel refuses an edit there: the
    decision and `Sửa …` columns, the analyst's columns and the empty rows for additions stay open."""
    proposed = [(c.header, f) for c, f, is_fix in columns if f is not None and not is_fix and f.role == "given"]
    store_proposals(
        wb,
        spec.sheet,
        [(r, values.get("STT"), {h: values.get(f.key) for h, f in proposed}) for r, values in enumerate(rows, start=2)],
    )
    protect_table(
        ws, [i for i, (c, _f, _x) in enumerate(columns, start=1) if c.role in ("given", "info")], len(rows), last
    )


def _edited_proposals(ws, spec: TableSpec, header_cols: dict[str, int], kept: list[dict]) -> dict[int, dict]:
    """Return, by sheet row, the kept proposal of each row still in the sheet (found by its STT when the
    STTs are distinct, else by its row): what `read_table` compares the grey cells with."""
    numbers = [k.get("stt") for k in kept]
    by_stt = "STT" in header_cols and None not in numbers and len(set(numbers)) == len(numbers)
    out: dict[int, dict] = {}
    if by_stt:
        index = {k["stt"]: k for k in kept}
        for r in range(2, ws.max_row + 1):
            try:
                number = comparable(cell_value(ws.cell(r, header_cols["STT"])))
            except CellError:
                continue
            if number in index:
                out[r] = index[number]["values"]
    else:
        out = {k["row"]: k["values"] for k in kept if isinstance(k.get("row"), int)}
    return out


def _shown(value: object) -> str:
    if value is None:
        return "(trống)"
    if isinstance(value, float):
        return number_text(int(value)) if value.is_integer() else number_text(value)
    text = str(value)
    return f"“{text if len(text) <= 60 else text[:59] + '…'}”"


def _write_text_view(ws, text: str) -> None:
    style_table(ws, [Column("Dòng", 7, "info"), Column("Nội dung (chỉ để đọc và chép trích dẫn)", 140, "info")])
    for number, line in enumerate(text.split("\n"), start=1):
        put(ws, number + 1, 1, number)
        put(ws, number + 1, 2, line[:32_000], wrap=True)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


_GUIDE_REVIEW = [
    "BẢNG XÉT DUYỆT SỐ LIỆU (giaoban ingest)",
    "",
    "1. Trang “Báo cáo”: kiểm tra mã báo cáo, tỉnh, kỳ, cuộc họp, ngày; bắt buộc chọn tỉnh "
    f"(“{NO_PROVINCE}” nếu văn bản không nêu tỉnh).",
    "2. Trang “Số liệu”, “Nhiệm vụ trọng tâm”, “Văn bản pháp lý”: mỗi dòng chọn ở cột “Quyết định”:",
    "   nhận = lấy như đề xuất; sửa = lấy giá trị ghi ở các cột “Sửa …” (ô trống: giữ đề xuất; "
    f"“{CLEAR}”: để trống); bỏ = không lấy.",
    "   Số liệu bị thiếu: thêm dòng mới ở cuối, điền các cột đề xuất và chọn “nhận”.",
    "3. Trích dẫn phải là đoạn nguyên văn của văn bản (trang “Văn bản”), giữ nguyên khoảng trắng.",
    "4. Không dùng công thức. Lưu tệp (.xlsx), rồi chạy: giaoban accept <tệp>.xlsx",
    "   Lệnh kiểm tra toàn bộ dữ liệu cùng các dòng mới; có lỗi thì in từng lỗi (trang!dòng:cột) và không "
    "ghi gì vào data/.",
]


def write_guide(ws, kind: str, name: str, warnings: list[str], lines: list[str] | None = None) -> None:
    """Write the `Hướng dẫn` sheet: the steps (`lines`, default those of a review), the source, the warnings."""
    ws.column_dimensions["A"].width = 140
    body = list(lines or _GUIDE_REVIEW)
    body += ["", f"Văn bản nguồn: {name}"]
    if warnings:
        body += ["", "Cảnh báo khi trích xuất:"] + [f"- {w}" for w in warnings]
    for row, line in enumerate(body, start=1):
        cell = put(ws, row, 1, line, wrap=True)
        if row == 1:
            cell.font = Font(bold=True, size=13)


# ----------------------------------------------------------------------------------- reading back


@dataclass
class Row:
    """One row to add to a data table: its values (as CSV text, None = empty), the sheet row it came
    from, and for each value the column header that supplied it (for messages)."""

    where: Where
    values: dict[str, str | None]
    origin: dict[str, str] = field(default_factory=dict)
    rowmap: dict[str, int | None] = field(default_factory=dict)  # the report row: field → sheet line

    def at(self, key: str) -> Where:
        """Return the place of the value `key` (its row and the header it came from)."""
        return self.where.at(self.origin.get(key))


@dataclass
class Submission:
    """What a workbook asks to add: the report row, its figures, tasks and legal refs, its text."""

    kind: str
    shown: str
    report: Row
    observations: list[Row]
    focus_tasks: list[Row]
    legal_refs: list[Row]
    text: str


def check_formulas(wb, shown: str, sheets: list[str], problems: Problems) -> None:
    """Record every formula in `sheets` (never evaluated): `file:Sheet!row:Header: ô K12 chứa công thức`."""
    for name in sheets:
        if name not in wb.sheetnames:
            continue
        ws = wb[name]
        headers = {c.column: c.value for c in ws[1]} if ws.max_row >= 1 else {}
        labels = {}
        if name == REPORT_SHEET:
            labels = {r: ws.cell(r, 1).value for r in range(1, ws.max_row + 1)}
        for cell in formula_cells(ws):
            header = labels.get(cell.row) if labels else headers.get(cell.column)
            try:
                cell_value(cell)
            except CellError as error:
                problems.add(Where(shown, name, cell.row, _clean_label(header)), str(error))


def _clean_label(label: object) -> str | None:
    return str(label).removesuffix(" *").strip() if isinstance(label, str) else None


def read_report_sheet(
    wb, shown: str, ctx: Context, fields: tuple[MetaField, ...], problems: Problems, taken_ids: set[str] | None = None
) -> Row:
    """Read the `Báo cáo` sheet (lines found by their label in column A) into the reports.csv row.

    Records a missing line, an empty required value (the province included: `không rõ` says there is
    none), a value that cannot be read, a province not in force at the end of the period."""
    values: dict[str, str | None] = {}
    origin: dict[str, str] = {}
    where = Where(shown, REPORT_SHEET)
    if REPORT_SHEET not in wb.sheetnames:
        problems.add(where, f"thiếu trang “{REPORT_SHEET}”")
        return Row(where, values, origin)
    ws = wb[REPORT_SHEET]
    rows: dict[str, int] = {}
    for r in range(2, min(ws.max_row, 200) + 1):
        label = _clean_label(ws.cell(r, 1).value)
        if label:
            rows.setdefault(label, r)
    raw: dict[str, object] = {}
    for spec in fields:
        origin[spec.key] = spec.label
        if spec.label not in rows:
            problems.add(where, f"thiếu dòng “{spec.label}” (cột A): hãy tạo lại bảng")
            continue
        here = Where(shown, REPORT_SHEET, rows[spec.label], spec.label)
        try:
            raw[spec.key] = cell_value(ws.cell(rows[spec.label], 2))
        except CellError as error:
            problems.add(here, str(error))
            raw[spec.key] = None
            continue
        value = raw[spec.key]
        if value is None:
            values[spec.key] = None
            if spec.required:
                extra = (
                    f": chọn mã tỉnh, hoặc “{NO_PROVINCE}” nếu văn bản không nêu tỉnh" if spec.key == "province" else ""
                )
                problems.add(here, f"ô trống: cần {spec.label.lower()}{extra}")
            continue
        if spec.parse is None:
            continue
        try:
            values[spec.key] = spec.parse(value, ctx) or None
        except CellError as error:
            problems.add(here, str(error))
    rowmap = {spec.key: rows.get(spec.label) for spec in fields}

    # the province, read once the period is known
    unit: Province | None = None
    stated = raw.get("province")
    no_province = stated is not None and fold(str(stated)) == fold(NO_PROVINCE)
    if stated is not None and not no_province:
        period = Period.parse(values["period"]) if values.get("period") else None
        try:
            unit = province_cell(str(stated).strip(), period, ctx)
            values["province"] = unit.code
        except CellError as error:
            problems.add(Where(shown, REPORT_SHEET, rowmap.get("province"), "Tỉnh"), str(error))
    if "report_id" in rowmap and values.get("report_id") is None and values.get("period") and (unit or no_province):
        values["report_id"] = report_id_for(unit, values["period"], taken_ids or set())
    values["visibility"] = "public"
    return Row(Where(shown, REPORT_SHEET), values, origin, rowmap)


def province_cell(cell: str, period: Period | None, ctx: Context) -> Province:
    """Return the unit a province cell names (`51 — Quảng Ngãi` or `51`), in force at the end of
    `period` when given. Refuses (CellError) an unknown entry and a unit not in force then
    (`15 — Lào Cai` for 2020: code 15 was Yên Bái)."""
    units = ctx.province_lookup().get(nfc(cell))
    code = _code_of(cell)
    if units is None and re.fullmatch(r"\d{2}", cell):
        units = [p for p in ctx.provinces if p.code == cell]
    if not units:
        raise CellError(
            f"tỉnh “{cell}” không có trong danh mục: chọn trong danh sách thả xuống (mã GSO hai chữ số), "
            f"hoặc “{NO_PROVINCE}”"
        )
    if period is None:
        return units[0]
    in_force = [u for u in units if u.in_force_on(period.end)]
    if in_force:
        return in_force[0]
    try:
        what = f"mã {code} vào cuối kỳ {period.code} là {ctx.provinces.get(code, on=period).name_vi}"
    except InputError:
        what = f"mã {code} không có hiệu lực vào cuối kỳ {period.code}"
    raise CellError(f"“{cell}” không có hiệu lực vào cuối kỳ {period.code} ({units[0].validity_vi()}): {what}")


def report_where(row: Row, key: str) -> Where:
    """Return the place of field `key` of the report row (its line of the `Báo cáo` sheet)."""
    return Where(row.where.shown, REPORT_SHEET, row.rowmap.get(key), row.origin.get(key, key))


def _proposal_edits(
    kept: dict | None, spec: TableSpec, cells: dict[str, object], header_cols: dict[str, int], row: int
) -> list[tuple[Field, str]]:
    """Return (field, message) for each grey proposal cell of sheet row `row` whose value is no longer
    the one giaoban proposed (`kept`): an edit there would be taken as the proposal, against its quote."""
    out = []
    for f in spec.fields:
        if kept is None or f.role != "given" or f.header not in kept or f.header not in cells:
            continue
        before, now = kept[f.header], comparable(cells[f.header])
        if before == now:
            continue
        cell = f"{get_column_letter(header_cols[f.header])}{row}"
        where = (
            f"ghi giá trị đúng vào cột “{f.fix}” và chọn “sửa”"
            if f.fix
            else "cột này không sửa được: chọn “bỏ” và thêm một dòng mới ở cuối"
        )
        out.append(
            (
                f,
                f"ô {cell} là đề xuất của giaoban ({_shown(before)}) nhưng đã bị sửa thành {_shown(now)}: "
                f"không sửa cột đề xuất (màu xám); trả lại {_shown(before)} rồi {where}",
            )
        )
    return out


def read_table(wb, shown: str, ctx: Context, spec: TableSpec, problems: Problems) -> list[Row]:
    """Read a table sheet back into rows: decisions applied (review), corrections winning over the
    proposal, required values checked. Records every problem at `file:Sheet!row:Header`."""
    if spec.sheet not in wb.sheetnames:
        problems.add(Where(shown, spec.sheet), f"thiếu trang “{spec.sheet}”: hãy tạo lại bảng")
        return []
    ws = wb[spec.sheet]
    header_cols: dict[str, int] = {}
    for cell in ws[1]:
        if isinstance(cell.value, str) and cell.value.strip():
            header_cols.setdefault(nfc(cell.value.strip()), cell.column)
    needed = [c.header for c, f, _x in spec.columns() if f is not None or c.header == "Quyết định"]
    missing = [h for h in needed if h not in header_cols]
    for header in missing:
        problems.add(Where(shown, spec.sheet, 1, header), "thiếu cột: đừng đổi tên hay xoá cột tiêu đề")
    if missing:
        return []
    if ws.max_row > 5001:
        problems.add(Where(shown, spec.sheet), f"quá nhiều dòng ({ws.max_row}); tối đa 5000")
        return []

    proposals = _edited_proposals(ws, spec, header_cols, read_proposals(wb, spec.sheet)) if spec.decision else {}
    rows: list[Row] = []
    for r in range(2, ws.max_row + 1):
        here = Where(shown, spec.sheet, r)
        cells: dict[str, object] = {}
        unreadable: set[str] = set()
        for header in needed:
            try:
                cells[header] = cell_value(ws.cell(r, header_cols[header]))
            except CellError as error:
                problems.add(here.at(header), str(error))
                cells[header] = None
                unreadable.add(header)
        bad = bool(unreadable)
        if not bad and all(v is None for v in cells.values()):
            continue
        decision = "accept"
        if spec.decision:
            raw = cells.get("Quyết định")
            if raw is None:
                problems.add(here.at("Quyết định"), f"chưa có quyết định: chọn {', '.join(DECISIONS)}")
                continue
            try:
                decision = _decision(raw)
            except CellError as error:
                problems.add(here.at("Quyết định"), str(error))
                continue
            if decision == "reject":
                continue
        edited = _proposal_edits(
            proposals.get(r), spec, {h: v for h, v in cells.items() if h not in unreadable}, header_cols, r
        )
        for f, message in edited:
            problems.add(here.at(f.header), message)
        if edited:
            continue
        fixes = [f for f in spec.fields if spec.decision and f.fix and cells.get(f.fix) is not None]
        if decision == "accept" and fixes:
            for f in fixes:
                problems.add(
                    here.at(f.fix),
                    "có giá trị sửa nhưng quyết định là “nhận”: chọn “sửa” để dùng giá trị này, hoặc xoá ô",
                )
            continue
        if decision == "correct" and not fixes:
            problems.add(
                here.at("Quyết định"),
                "“sửa” nhưng chưa điền cột “Sửa …” nào: ghi giá trị đúng vào cột “Sửa …”, hoặc chọn “nhận”",
            )
            continue
        values: dict[str, str | None] = {}
        origin: dict[str, str] = {}
        for f in spec.fields:
            header, value = f.header, cells.get(f.header)
            if header in unreadable:
                continue
            if f in fixes:
                header, value = f.fix, cells.get(f.fix)
                if header in unreadable:
                    continue
                if isinstance(value, str) and (fold(value) == fold(CLEAR) or value == "-"):
                    if f.required:
                        problems.add(here.at(header), f"“{f.header}” không thể để trống")
                        bad = True
                        continue
                    value = None
            origin[f.key] = header
            if value is None:
                values[f.key] = None
                if f.required:
                    problems.add(here.at(header), f"ô trống: cần {f.header.lower()}")
                    bad = True
                continue
            try:
                values[f.key] = f.parse(value, ctx) or None
            except CellError as error:
                problems.add(here.at(header), str(error))
                bad = True
        if not bad:
            rows.append(Row(here, values, origin))
    return rows


def save_workbook(wb, target: Path) -> None:
    """Save `wb` to `target` atomically (temporary file, then rename), with the usual permissions."""
    with atomic_write(target, "wb") as fh:
        wb.save(fh)
        os.chmod(fh.name, file_mode())
