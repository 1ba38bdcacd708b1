"""The columns of every table (see `data/README.md`) and their per-cell checks, run through pandera.

Each column says whether it may be empty and how one cell is checked; a check returns None when the
cell is right, else a Vietnamese message saying what was expected. `check_columns` builds a pandera
`DataFrameSchema` from them, validates lazily (every failure, not the first), and maps each failure
case back to its file line and column.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from giaoban.errors import PeriodError
from giaoban.domain.numbers import QUALIFIER_CODES
from giaoban.domain.periods import Period
from giaoban.data.validation.problems import Problem
from giaoban.data.validation.reading import Table

__all__ = [
    "Column",
    "Context",
    "columns_of",
    "check_columns",
    "TABLES",
    "REFERENCE",
    "MEETING_TYPES",
    "DATE_STATUSES",
    "KINDS",
    "MEASURES",
    "VISIBILITIES",
    "VALUE_TYPES",
    "parse_date",
    "parse_period",
    "parse_value",
]

#: Vocabularies of the coded columns (their meaning is in `data/README.md`).
MEETING_TYPES = ("giao_ban", "so_ket", "tong_ket", "hoi_nghi_cbcc")
DATE_STATUSES = ("stated", "as_written")
KINDS = ("actual", "plan")
MEASURES = ("level", "percent_of_plan", "change_percent")
VISIBILITIES = ("public", "internal")
VALUE_TYPES = ("count", "percent", "money")
BOOLEANS = ("true", "false")

#: The tidy tables (`data/<name>.csv`) and the reference tables this module checks
#: (`data/reference/<name>.csv`; the province lists are checked by `giaoban.domain.provinces`).
TABLES = ("reports", "observations", "focus_tasks", "legal_refs")
REFERENCE = ("areas", "indicators")

Check = Callable[[str], "str | None"]


@dataclass(frozen=True)
class Column:
    """One column: `required` (an empty cell is an error), `expect` (what a cell holds, for messages),
    `check` (None when a cell is right, else the message), `text` (free text: spaces at the ends
    only warn)."""

    name: str
    required: bool
    expect: str
    check: Check | None = None
    text: bool = False


@dataclass(frozen=True)
class Context:
    """What the per-cell checks look values up in: codes of provinces, areas, indicators; source files."""

    provinces: frozenset[str] | None = None
    areas: frozenset[str] | None = None
    indicators: frozenset[str] | None = None
    sources: frozenset[str] | None = None


# ----------------------------------------------------------------------------------- parsing

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SIGNED = re.compile(r"-?\d+(?:\.\d+)?")


def parse_date(value: str) -> date | None:
    """Return the date written `YYYY-MM-DD` in `value`, or None if it is not one (or does not exist)."""
    m = _ISO_DATE.fullmatch(value)
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def parse_period(value: str) -> Period | None:
    """Return the period of a canonical code, or None when `value` is not exactly a canonical code."""
    try:
        period = Period.parse(value)
    except PeriodError:
        return None
    return period if period.code == value else None


def parse_value(value: str) -> float | None:
    """Return the number in a `value` cell (optional `-`, digits, optional `.` and decimals), or None
    (also for a number too large for a float: its column check reports it)."""
    if not _SIGNED.fullmatch(value):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


# ----------------------------------------------------------------------------------- cell checks


def _enum(values: Iterable[str]) -> Check:
    values = tuple(values)

    def check(v: str) -> str | None:
        if v in values:
            return None
        near = [x for x in values if x.lower() == v.lower().replace(" ", "_").replace("-", "_")]
        hint = f" (viết “{near[0]}”)" if near else ""
        return f"“{v}” không hợp lệ{hint}: cần một trong {', '.join(values)}"

    return check


def _slug(v: str) -> str | None:
    if re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", v):
        return None
    return f"mã “{v}” không hợp lệ: cần chữ thường không dấu, chữ số và dấu gạch nối '-', ví dụ quang-ngai-2021-h1"


def _period(v: str) -> str | None:
    try:
        period = Period.parse(v)
    except PeriodError as error:
        return error.detail
    if period.code != v:
        return f"kỳ “{v}” phải viết bằng mã chuẩn “{period.code}”"
    return None


def _date(v: str) -> str | None:
    if parse_date(v) is not None:
        return None
    if _ISO_DATE.fullmatch(v):
        return f"ngày “{v}” không có thật: cần ngày có thật dạng YYYY-MM-DD"
    m = _DMY.fullmatch(v)
    hint = f" (viết {int(m[3]):04d}-{int(m[2]):02d}-{int(m[1]):02d})" if m else ""
    return f"ngày “{v}” không đúng dạng{hint}: cần YYYY-MM-DD, ví dụ 2021-07-23"


#: The most digits a number may have (as `giaoban accept` reads them; 10^15 đồng is far beyond any budget).
MAX_DIGITS = 15
#: The longest free-text cell (a quote is a sentence or two; a note a line).
MAX_TEXT = 10_000


def _too_big(v: str) -> str | None:
    digits = len(v.lstrip("-").split(".")[0].lstrip("0"))
    if digits > MAX_DIGITS:
        shown = v if len(v) <= 24 else v[:20] + "…"
        return (
            f"số “{shown}” quá lớn ({digits} chữ số trước dấu thập phân): tối đa {MAX_DIGITS} chữ số; "
            f"tiền ghi bằng đồng, không thêm số 0"
        )
    return None


#: What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection"): refused at the start of text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _free_text(v: str) -> str | None:
    if len(v) > MAX_TEXT:
        return f"ô dài {len(v)} ký tự, quá giới hạn {MAX_TEXT} ký tự: kiểm tra dấu ngoặc kép hoặc văn bản dán nhầm"
    if v[:1] in FORMULA_STARTS:
        shown = {"\t": "dấu tab", "\r": "dấu xuống dòng (CR)"}.get(v[0], f"“{v[0]}”")
        return (
            f"ô bắt đầu bằng {shown}: Excel sẽ coi là công thức khi mở tệp CSV tải về từ trang web; viết "
            f"lại đầu ô (giaoban không cho công thức vào dữ liệu)"
        )
    return None


def _value(v: str) -> str | None:
    if _SIGNED.fullmatch(v):
        return _too_big(v)  # a negative value is checked against its measure (only change_percent may be < 0)
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})*,\d+|\d+,\d+", v):
        hint = f" (viết {v.replace('.', '').replace(',', '.')})"
    elif re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", v):
        hint = f" (nếu là số nguyên, viết {re.sub(r'[.,]', '', v)})"
    else:
        hint = ""
    return (
        f"giá trị “{v}” không phải số{hint}: cần số viết kiểu máy, chữ số với dấu chấm thập phân, "
        f"không phân cách hàng nghìn, ví dụ 1287 hoặc 99.88"
    )


def _positive_int(v: str) -> str | None:
    if re.fullmatch(r"[1-9]\d*", v):
        return _too_big(v)
    return f"“{v}” không hợp lệ: cần số nguyên dương viết liền, không có số 0 ở đầu (1, 2, 14…)"


def _url(v: str) -> str | None:
    if re.fullmatch(r"https?://[^\s/]+\S*", v):
        return None
    return f"địa chỉ “{v}” không hợp lệ: cần URL đầy đủ bắt đầu bằng http:// hoặc https://"


def _area_code(v: str) -> str | None:
    if re.fullmatch(r"[a-z][a-z0-9_]*", v):
        return None
    return f"mã lĩnh vực “{v}” không hợp lệ: cần chữ thường không dấu, chữ số và '_', ví dụ science"


def _indicator_code(v: str) -> str | None:
    if re.fullmatch(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*", v):
        return None
    return (
        f"mã chỉ tiêu “{v}” không hợp lệ: cần <lĩnh vực>.<tên>, chữ thường không dấu, chữ số và '_', "
        f"ví dụ standards.instruments_verified"
    )


def _non_negative(v: str) -> str | None:
    if _NUMBER.fullmatch(v):
        return _too_big(v)
    return f"“{v}” không hợp lệ: cần số không âm viết kiểu máy, ví dụ 100"


def _suggest(v: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(v, sorted(known), n=2, cutoff=0.6)
    return f" (có phải {' hoặc '.join(close)}?)" if close else ""


def _known(known: frozenset[str] | None, what: str, where: str, form: Check | None = None) -> Check:
    def check(v: str) -> str | None:
        if form is not None and (message := form(v)):
            return message
        if known is None or v in known:
            return None
        return f"{what} “{v}” không có trong {where}{_suggest(v, known)}"

    return check


def _province(known: frozenset[str] | None) -> Check:
    def check(v: str) -> str | None:
        if not re.fullmatch(r"\d{2}", v):
            hint = f" (viết {int(v):02d})" if v.isdigit() and len(v) == 1 else ""
            return f"mã tỉnh “{v}” không hợp lệ{hint}: cần mã GSO đúng hai chữ số, ví dụ 01, 46, 51"
        if known is not None and v not in known:
            return (
                f"mã tỉnh “{v}” không có trong danh mục tỉnh (reference/provinces_63.csv, "
                f"provinces_34.csv): cần mã GSO của một tỉnh, thành phố"
            )
        return None

    return check


def _indicator_list(known: frozenset[str] | None) -> Check:
    def check(v: str) -> str | None:
        codes = v.split(";")
        if any(c != c.strip() or not c for c in codes):
            return f"danh sách “{v}” không hợp lệ: cần các mã chỉ tiêu cách nhau bằng ';', không có khoảng trắng"
        for c in codes:
            if message := _known(known, "chỉ tiêu", "reference/indicators.csv", _indicator_code)(c):
                return message
        if len(set(codes)) != len(codes):
            return f"danh sách “{v}” có mã chỉ tiêu lặp lại"
        return None

    return check


def _file_name(known: frozenset[str] | None) -> Check:
    def check(v: str) -> str | None:
        if "/" in v or "\\" in v or v.startswith("."):
            return f"“{v}” không hợp lệ: cần tên tệp trong sources/, không có thư mục, ví dụ 004_827c2f16ec2dc701.txt"
        if known is not None and v not in known:
            return f"không có văn bản nguồn “{v}” trong sources/{_suggest(v, known)}"
        return None

    return check


# ----------------------------------------------------------------------------------- the tables


def columns_of(name: str, ctx: Context = Context()) -> list[Column]:
    """Return the columns of table `name` (one of TABLES or REFERENCE), in file order, with their
    checks looking codes up in `ctx` (a None set in `ctx` skips that look-up)."""
    report_id = Column("report_id", True, "mã báo cáo có trong reports.csv", _slug)
    text = lambda n, req, expect: Column(n, req, expect, _free_text, True)  # noqa: E731
    indicator = _known(ctx.indicators, "chỉ tiêu", "reference/indicators.csv", _indicator_code)
    area = _known(ctx.areas, "lĩnh vực", "reference/areas.csv", _area_code)
    specs: dict[str, list[Column]] = {
        "reports": [
            Column("report_id", True, "mã báo cáo, ví dụ quang-ngai-2021-h1", _slug),
            Column("province", False, "mã GSO hai chữ số", _province(ctx.provinces)),
            Column("period", True, "kỳ báo cáo, mã chuẩn như 2021-H1", _period),
            Column("meeting_type", False, f"một trong {', '.join(MEETING_TYPES)}", _enum(MEETING_TYPES)),
            Column("meeting_date", False, "ngày họp YYYY-MM-DD", _date),
            Column("meeting_date_status", False, f"một trong {', '.join(DATE_STATUSES)}", _enum(DATE_STATUSES)),
            Column("published_date", False, "ngày đăng YYYY-MM-DD", _date),
            text("title", True, "tiêu đề bài viết"),
            Column("source_file", True, "tên tệp văn bản trong sources/", _file_name(ctx.sources)),
            Column("source_url", False, "URL http(s)", _url),
            Column("visibility", True, f"một trong {', '.join(VISIBILITIES)}", _enum(VISIBILITIES)),
        ],
        "observations": [
            report_id,
            Column("indicator", True, "mã chỉ tiêu có trong reference/indicators.csv", indicator),
            Column("period", True, "kỳ của số liệu, mã chuẩn như 2021-H1", _period),
            Column("kind", True, f"một trong {', '.join(KINDS)}", _enum(KINDS)),
            Column("measure", True, f"một trong {', '.join(MEASURES)}", _enum(MEASURES)),
            Column("value", True, "số, ví dụ 1287 hoặc 99.88", _value),
            text("unit", True, "đơn vị như văn bản viết"),
            Column("qualifier", False, f"một trong {', '.join(QUALIFIER_CODES)}", _enum(QUALIFIER_CODES)),
            Column("denominator", False, "số nguyên dương (mẫu số của 13/14)", _positive_int),
            text("quote", True, "câu trích nguyên văn từ văn bản nguồn"),
            Column("visibility", True, f"một trong {', '.join(VISIBILITIES)}", _enum(VISIBILITIES)),
            text("note", False, "ghi chú"),
        ],
        "focus_tasks": [
            report_id,
            Column("for_period", True, "kỳ của nhiệm vụ, mã chuẩn như 2021-H2", _period),
            Column("ordinal", True, "số thứ tự 1, 2, 3…", _positive_int),
            text("text", True, "nội dung nhiệm vụ trích từ văn bản nguồn"),
            Column("area", False, "mã lĩnh vực có trong reference/areas.csv", area),
            Column("indicators", False, "các mã chỉ tiêu cách nhau bằng ';'", _indicator_list(ctx.indicators)),
        ],
        "legal_refs": [
            report_id,
            text("number", True, "số hiệu văn bản, ví dụ 43/QĐ-UBND"),
            text("doc_type", True, "loại văn bản, ví dụ Quyết định"),
            text("issuer", False, "cơ quan ban hành"),
            Column("date", False, "ngày ban hành YYYY-MM-DD", _date),
            text("title", False, "trích yếu"),
            text("quote", True, "câu trích nguyên văn từ văn bản nguồn"),
        ],
        "areas": [
            Column("code", True, "mã lĩnh vực, ví dụ science", _area_code),
            Column("order", True, "thứ tự hiển thị 1, 2, 3…", _positive_int),
            text("label_vi", True, "tên tiếng Việt"),
            text("label_en", True, "tên tiếng Anh"),
        ],
        "indicators": [
            Column("code", True, "mã chỉ tiêu <lĩnh vực>.<tên>", _indicator_code),
            Column("area", True, "mã lĩnh vực có trong reference/areas.csv", area),
            text("label_vi", True, "tên tiếng Việt"),
            text("label_en", True, "tên tiếng Anh"),
            text("unit_vi", True, "đơn vị tiếng Việt"),
            text("unit_en", True, "đơn vị tiếng Anh"),
            Column("value_type", True, f"một trong {', '.join(VALUE_TYPES)}", _enum(VALUE_TYPES)),
            Column("summable_provinces", True, "true hoặc false", _enum(BOOLEANS)),
            Column("summable_periods", True, "true hoặc false", _enum(BOOLEANS)),
            Column("rankable", True, "true hoặc false", _enum(BOOLEANS)),
            Column("max_value", False, "giá trị lớn nhất có thể (số không âm), ví dụ 100", _non_negative),
            text("description_vi", False, "định nghĩa tiếng Việt"),
        ],
    }
    return specs[name]


def _passes(check: Check) -> Callable[[pd.Series], pd.Series]:
    """A vectorised pandera check: `check` runs once per distinct value (codes repeat a lot)."""

    def run(column: pd.Series) -> pd.Series:
        verdict = {value: check(value) is None for value in column.dropna().unique()}
        return column.map(verdict).fillna(True).astype(bool)

    return run


def check_columns(table: Table, columns: list[Column], problems: list[Problem]) -> None:
    """Validate every cell of `table` against `columns` with a lazy pandera schema and append one
    Problem per failing cell (its line and column): an empty required cell, or a check's message."""
    by_name = {c.name: c for c in columns}
    schema = pa.DataFrameSchema(
        {
            c.name: pa.Column(
                None,
                nullable=not c.required,
                required=False,
                checks=[pa.Check(_passes(c.check), error=c.name)] if c.check else [],
            )
            for c in columns
            if c.name in table.frame.columns
        },
        strict=False,
        coerce=False,
    )
    try:
        schema.validate(table.frame, lazy=True)
    except SchemaErrors as errors:
        cases = errors.failure_cases
        for case in cases.itertuples(index=False):
            column = by_name.get(case.column)
            if column is None or case.index is None:  # a failure of the whole frame: cannot happen here
                problems.append(Problem(table.shown, None, None, f"lỗi kiểm tra: {case.check} {case.failure_case}"))
                continue
            line = int(case.index)
            if case.check == "not_nullable":
                message = f"ô trống: cột {column.name} bắt buộc ({column.expect})"
            else:
                message = column.check(str(case.failure_case)) or f"giá trị không hợp lệ: cần {column.expect}"
            problems.append(Problem(table.shown, line, column.name, message))
