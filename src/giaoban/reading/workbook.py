"""Excel workbooks for analysts: the house style, drop-down lists, the hidden marker, and reading
cells back without trusting them.

Shared by `giaoban.reading.review` (the review sheet of `giaoban ingest`) and `giaoban.reading.form` (the entry form
for paper reports). Everything goes through openpyxl; no XML is written by hand.

Writing: `new_workbook()`, `style_table()` (header row, widths, frozen panes, fills by role),
`Lists` (the hidden sheet `_lists` that drop-down lists point to) and `add_list()`, `store_text()`
(a report text kept in the workbook, base64 in a very hidden sheet, with its SHA-256),
`write_marker()` (the hidden sheet `_giaoban` that says which kind of workbook it is).

Reading: `open_workbook()` refuses what is not a small, sane .xlsx before openpyxl parses it;
`formula_cells()` finds every formula (refused: a formula is never evaluated nor trusted);
`cell_value()` returns a plain value or raises `CellError` (formula, error value, enormous text);
`read_marker()`, `load_text()`. Problems are collected by `Problems` as lines
`file:Sheet!row:Header: message` (the row number and header as Excel shows them) and raised together
as one `WorkbookError`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Iterable

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.comments import Comment

from giaoban.errors import InputError

__all__ = [
    "MARKER_SHEET",
    "LISTS_SHEET",
    "TEXT_SHEET",
    "MAX_FILE_BYTES",
    "MAX_TEXT_CHARS",
    "MAX_ROWS",
    "WorkbookError",
    "CellError",
    "Where",
    "Problems",
    "Column",
    "Lists",
    "PROPOSALS_SHEET",
    "store_proposals",
    "read_proposals",
    "comparable",
    "protect_table",
    "new_workbook",
    "style_table",
    "add_list",
    "add_number_check",
    "write_marker",
    "read_marker",
    "store_text",
    "load_text",
    "text_sha256",
    "open_workbook",
    "formula_cells",
    "cell_value",
    "safe_text",
    "FILLS",
]

#: Hidden sheets: the marker (kind of workbook, version, hashes), the lists of the drop-downs, the text.
MARKER_SHEET = "_giaoban"
LISTS_SHEET = "_lists"
TEXT_SHEET = "_text"

#: Limits on what is read back: the file, its unzipped parts, the rows of a sheet, one text cell.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 5000
MAX_TEXT_CHARS = 10_000
#: Characters per cell of the stored text (Excel holds at most 32.767 in a cell).
_CHUNK = 30_000

_THIN = Side(style="thin", color="B0B7BB")
FILLS = {
    "header": PatternFill("solid", fgColor="1F4E5A"),
    "given": PatternFill("solid", fgColor="F2F2F2"),  # proposed by the extractor
    "decide": PatternFill("solid", fgColor="FFF2CC"),  # the analyst's decision
    "fix": PatternFill("solid", fgColor="E2EFDA"),  # the analyst's corrections
    "fill": PatternFill("solid", fgColor="FFFFFF"),  # filled in by the analyst
    "info": PatternFill("solid", fgColor="F2F2F2"),  # shown, never read
    "group": PatternFill("solid", fgColor="D9E2F3"),  # a group heading (area of the form)
}
_HEADER_FONT = Font(bold=True, color="FFFFFF")


class WorkbookError(InputError):
    """Problems in a workbook, one line each (`file:Sheet!row:Header: message`); `lines` holds them."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = list(lines)
        InputError.__init__(self, "\n".join(self.lines))
        self.args = ("\n".join(self.lines),)

    def __str__(self) -> str:
        return "\n".join(self.lines)


class CellError(Exception):
    """One cell cannot be used; the message (Vietnamese) says what was expected."""


@dataclass(frozen=True)
class Where:
    """A place as the analyst sees it in Excel: the file, the sheet, the row number, the column header."""

    shown: str
    sheet: str
    row: int | None = None
    header: str | None = None

    def at(self, header: str | None) -> Where:
        """Return the same row under another column header."""
        return Where(self.shown, self.sheet, self.row, header)

    def __str__(self) -> str:
        place = f"{self.shown}:{self.sheet}"
        if self.row is not None:
            place += f"!{self.row}"
        if self.header:
            place += f":{self.header}"
        return place


@dataclass
class Problems:
    """Problems collected while reading a workbook; `raise_if_any()` raises them, sorted by sheet (in
    the order of `sheets`), then row, each line once."""

    items: list[tuple[Where | str, str]] = field(default_factory=list)
    sheets: tuple[str, ...] = ()

    def add(self, where: Where | str, message: str) -> None:
        """Record `message` at `where` (a Where, or a file path for problems outside the workbook)."""
        self.items.append((where, message))

    @property
    def lines(self) -> list[str]:
        """Return the problems as lines `file:Sheet!row:Header: message`, sorted, without repeats."""

        def key(item: tuple[int, tuple[Where | str, str]]) -> tuple:
            i, (where, _message) = item
            if not isinstance(where, Where):
                return (len(self.sheets) + 1, 0, i)
            rank = self.sheets.index(where.sheet) if where.sheet in self.sheets else len(self.sheets)
            return (rank, where.row or 0, i)

        ordered = [item for _i, item in sorted(enumerate(self.items), key=key)]
        return list(dict.fromkeys(f"{where}: {message}" for where, message in ordered))

    def touches(self, sheet: str) -> bool:
        """Return True when a problem is on `sheet`."""
        return any(isinstance(w, Where) and w.sheet == sheet for w, _m in self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        """Raise WorkbookError with every recorded problem, if there is one."""
        if self.items:
            raise WorkbookError(self.lines)


# ----------------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class Column:
    """A column of a table sheet: header, width (Excel characters), role (a key of FILLS), wrap."""

    header: str
    width: float
    role: str = "given"
    wrap: bool = False
    comment: str | None = None


def new_workbook() -> Workbook:
    """Return an empty workbook (its default sheet removed)."""
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def safe_text(value: str) -> str:
    """Return `value` if Excel can hold it in a cell; refuses (InputError) control characters and
    text longer than 32.767 characters, which an .xlsx cannot store."""
    bad = next((c for c in value if ord(c) < 32 and c not in "\t\n\r"), None)
    if bad is not None:
        raise InputError(
            f"văn bản chứa ký tự điều khiển U+{ord(bad):04X} mà Excel không lưu được: hãy xoá "
            f"ký tự này khỏi tệp văn bản"
        )
    if len(value) > 32_767:
        raise InputError(f"đoạn văn bản dài {len(value)} ký tự, quá giới hạn một ô Excel (32.767)")
    return value


def put(
    ws: Worksheet,
    row: int,
    column: int,
    value: object,
    role: str | None = None,
    *,
    wrap: bool = False,
    number_format: str | None = None,
):
    """Write `value` into a cell as a value, never as a formula (text starting with `=` stays text);
    fill it by `role`. Returns the cell."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = safe_text(value)
        cell.data_type = "s"
    else:
        cell.value = value
    if role is not None:
        cell.fill = FILLS[role]
        cell.border = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    else:
        cell.alignment = Alignment(vertical="top")
    if number_format:
        cell.number_format = number_format
    return cell


def style_table(ws: Worksheet, columns: list[Column], *, freeze: str = "A2", filter_rows: int | None = None) -> None:
    """Write the header row of a table sheet (bold, coloured, wrapped), set the column widths, freeze
    the panes above and left of `freeze`, and, with `filter_rows`, an auto-filter over that many rows."""
    for i, col in enumerate(columns, start=1):
        cell = put(ws, 1, i, col.header, None)
        cell.font = _HEADER_FONT
        cell.fill = FILLS["header"]
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        if col.comment:
            cell.comment = Comment(col.comment, "giaoban", width=300, height=120)
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = freeze
    if filter_rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{filter_rows + 1}"


class Lists:
    """The hidden sheet that holds every drop-down list, one list per column, header in row 1."""

    def __init__(self, wb: Workbook) -> None:
        self.ws = wb.create_sheet(LISTS_SHEET)
        self.ws.sheet_state = "hidden"
        self._refs: dict[str, str] = {}

    def ref(self, name: str, values: Iterable[str]) -> str:
        """Return the formula of the list `name` (`'_lists'!$C$2:$C$5`), writing it the first time."""
        if name in self._refs:
            return self._refs[name]
        values = list(values)
        column = len(self._refs) + 1
        put(self.ws, 1, column, name)
        for row, value in enumerate(values, start=2):
            put(self.ws, row, column, value)
        letter = get_column_letter(column)
        self._refs[name] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${max(2, len(values) + 1)}"
        return self._refs[name]


def add_list(
    ws: Worksheet, lists: Lists, name: str, values: Iterable[str], cells: str, *, prompt: str | None = None
) -> DataValidation:
    """Attach a drop-down list (`name`, `values`, kept in the hidden `_lists` sheet) to the range
    `cells` (`C2:C300`); a value not in the list is refused by Excel with a Vietnamese message."""
    dv = DataValidation(type="list", formula1=lists.ref(name, values), allow_blank=True)
    dv.errorTitle = "Giá trị không có trong danh sách"
    dv.error = "Hãy chọn một giá trị trong danh sách thả xuống."
    dv.errorStyle = "stop"
    dv.showErrorMessage = True
    if prompt:
        dv.promptTitle = name[:32]
        dv.prompt = prompt[:255]
        dv.showInputMessage = True
    ws.add_data_validation(dv)
    dv.add(cells)
    return dv


def add_number_check(
    ws: Worksheet, cells: Iterable[str], whole: bool, *, maximum: float | None = None
) -> DataValidation:
    """Attach a check to the ranges `cells` (`E3`, `E5:E9`) that Excel applies while typing: a number
    ≥ 0 (a whole number when `whole`), at most `maximum` when given."""
    kind = "whole" if whole else "decimal"
    if maximum is None:
        dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    else:
        dv = DataValidation(type=kind, operator="between", formula1="0", formula2=f"{maximum:g}", allow_blank=True)
    dv.errorTitle = "Không phải số hợp lệ"
    dv.error = ("Cần số nguyên không âm." if whole else "Cần số không âm.") + (
        f" Tối đa {maximum:g}." if maximum is not None else ""
    )
    dv.showErrorMessage = True
    ws.add_data_validation(dv)
    for ref in cells:
        dv.add(ref)
    return dv


def write_marker(wb: Workbook, kind: str, fields: dict[str, str]) -> None:
    """Add the hidden sheet `_giaoban`: `kind` (review, form), `version` and `fields`, one per row."""
    ws = wb.create_sheet(MARKER_SHEET)
    ws.sheet_state = "hidden"
    rows = {"kind": kind, "version": "1", **fields}
    for i, (key, value) in enumerate(rows.items(), start=1):
        put(ws, i, 1, key)
        put(ws, i, 2, value)


def read_marker(wb: Workbook, shown: str) -> dict[str, str]:
    """Return the fields of the `_giaoban` sheet; refuses (WorkbookError) a workbook without it."""
    if MARKER_SHEET not in wb.sheetnames:
        raise WorkbookError(
            [
                f"{shown}: không phải bảng tính do giaoban tạo (thiếu trang ẩn {MARKER_SHEET}): hãy "
                f"tạo bằng `giaoban ingest` hoặc `giaoban form`"
            ]
        )
    ws = wb[MARKER_SHEET]
    out: dict[str, str] = {}
    for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, 100), max_col=2):
        key, value = row[0].value, row[1].value
        if isinstance(key, str) and isinstance(value, (str, int)):
            out[key] = str(value)
    return out


def text_sha256(text: str) -> str:
    """Return the SHA-256 (hex) of `text` encoded in UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def store_text(wb: Workbook, text: str) -> str:
    """Keep `text` in the very hidden sheet `_text` (UTF-8, base64, 30.000 characters a cell, so that
    no character or line end is changed by Excel); return its SHA-256."""
    ws = wb.create_sheet(TEXT_SHEET)
    ws.sheet_state = "veryHidden"
    encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
    digest = text_sha256(text)
    put(ws, 1, 1, digest)
    for i in range(0, max(len(encoded), 1), _CHUNK):
        put(ws, 2 + i // _CHUNK, 1, encoded[i : i + _CHUNK])
    return digest


def load_text(wb: Workbook, shown: str, expected_sha256: str) -> str:
    """Return the text kept by `store_text`; refuses (WorkbookError) a missing or altered text."""
    problem = f"{shown}:{TEXT_SHEET}: "
    if TEXT_SHEET not in wb.sheetnames:
        raise WorkbookError([problem + "thiếu trang ẩn chứa văn bản báo cáo: hãy tạo lại bảng bằng `giaoban ingest`"])
    ws = wb[TEXT_SHEET]
    chunks = []
    for (cell,) in ws.iter_rows(min_row=2, max_col=1):
        if isinstance(cell.value, str):
            chunks.append(cell.value)
    try:
        text = base64.b64decode("".join(chunks).encode("ascii"), validate=True).decode("utf-8")
    except (ValueError, UnicodeError):
        raise WorkbookError(
            [problem + "văn bản báo cáo lưu trong bảng bị hỏng: hãy tạo lại bảng bằng `giaoban ingest`"]
        ) from None
    if text_sha256(text) != expected_sha256:
        raise WorkbookError(
            [
                problem + "văn bản báo cáo lưu trong bảng đã bị thay đổi (mã SHA-256 không khớp): "
                "hãy tạo lại bảng bằng `giaoban ingest`"
            ]
        )
    return text


# ----------------------------------------------------------------------------------- reading


def open_workbook(path: str | Path, shown: str | None = None) -> Workbook:
    """Return the workbook at `path`, loaded with its formulas as formulas (so that they can be
    refused, never evaluated). Refuses (InputError) a missing file, a file that is not .xlsx, larger
    than 20 MB, or unzipping to more than 200 MB."""
    p = Path(path)
    shown = shown or str(p)
    if not p.is_file():
        raise InputError("không tìm thấy tệp", path=shown)
    if p.suffix.lower() != ".xlsx":
        raise InputError("cần bảng tính Excel .xlsx (do `giaoban ingest` hoặc `giaoban form` tạo)", path=shown)
    if p.stat().st_size > MAX_FILE_BYTES:
        raise InputError(f"tệp quá lớn ({p.stat().st_size} byte; tối đa {MAX_FILE_BYTES} byte)", path=shown)
    try:
        with zipfile.ZipFile(p) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        raise InputError(
            "không đọc được: không phải tệp .xlsx hợp lệ (hãy lưu lại bằng Excel dạng .xlsx)", path=shown
        ) from None
    if unzipped > MAX_UNZIPPED_BYTES:
        raise InputError(f"tệp giải nén ra {unzipped} byte, quá giới hạn {MAX_UNZIPPED_BYTES}", path=shown)
    try:
        return load_workbook(p, data_only=False, keep_links=False, rich_text=False)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds on a broken file
        raise InputError(f"không đọc được bảng tính ({type(error).__name__}: {error})", path=shown) from None


def _is_formula(cell) -> bool:
    return cell.data_type == "f" or isinstance(cell.value, (ArrayFormula, DataTableFormula))


def formula_cells(ws: Worksheet) -> list:
    """Return every cell of `ws` that holds a formula (refused: never evaluated nor trusted)."""
    return [cell for row in ws.iter_rows() for cell in row if _is_formula(cell)]


def formula_text(cell) -> str:
    """Return the formula of `cell` as text, shortened for a message."""
    value = cell.value.text if isinstance(cell.value, ArrayFormula) else str(cell.value)
    return value if len(value) <= 40 else value[:39] + "…"


def cell_value(cell, *, max_chars: int = MAX_TEXT_CHARS) -> object:
    """Return the plain value of `cell`: None when empty, a str (NFC, line ends as `\\n`, stripped),
    an int or float, a date or datetime. Refuses (CellError) a formula, an error value (`#N/A`),
    a boolean, text longer than `max_chars`."""
    if _is_formula(cell):
        raise CellError(
            f"ô {cell.coordinate} chứa công thức “{formula_text(cell)}”: chỉ ghi giá trị, không dùng "
            f"công thức (giaoban không tính công thức)"
        )
    value = cell.value
    if cell.data_type == "e":
        raise CellError(f"ô {cell.coordinate} chứa giá trị lỗi “{value}”: cần một giá trị")
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError(f"ô {cell.coordinate} chứa giá trị đúng/sai (TRUE/FALSE): cần một giá trị khác")
    if isinstance(value, str):
        if len(value) > max_chars:
            raise CellError(f"ô {cell.coordinate} dài {len(value)} ký tự, quá giới hạn {max_chars} ký tự")
        text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
        return text or None
    if isinstance(value, (int, float, datetime, date)):
        return value
    raise CellError(f"ô {cell.coordinate} chứa giá trị không đọc được ({type(value).__name__})")


# ----------------------------------------------------------------------------------- the proposals

#: The very hidden sheet that keeps what giaoban proposed in each row of each table sheet, to tell an
#: analyst's edit of a proposal cell (refused: the `Sửa …` columns are for that) from the proposal.
PROPOSALS_SHEET = "_proposals"


def comparable(value: object) -> object:
    """Return `value` as `store_proposals` keeps it and `cell_value` compares it: None for empty, a
    float for a number, `YYYY-MM-DD` for a date, NFC text with `\\n` line ends, stripped."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)) or type(value).__name__ == "Decimal":
        return float(value)  # type: ignore[arg-type]
    text = unicodedata.normalize("NFC", str(value).replace("\r\n", "\n").replace("\r", "\n")).strip()
    return text or None


def store_proposals(wb: Workbook, sheet: str, rows: list[tuple[int, object, dict[str, object]]]) -> None:
    """Keep, in the very hidden sheet `_proposals`, the proposal of each row of the table sheet `sheet`:
    (sheet row, its `STT`, {column header: value}), values as `comparable` gives them (JSON, ASCII)."""
    ws = wb[PROPOSALS_SHEET] if PROPOSALS_SHEET in wb.sheetnames else wb.create_sheet(PROPOSALS_SHEET)
    ws.sheet_state = "veryHidden"
    start = ws.max_row + 1 if ws.max_row > 1 or ws.cell(1, 1).value is not None else 1
    for i, (row, number, values) in enumerate(rows):
        encoded = json.dumps(
            {"row": row, "stt": comparable(number), "values": {k: comparable(v) for k, v in values.items()}},
            ensure_ascii=True,
        )
        put(ws, start + i, 1, sheet)
        put(ws, start + i, 2, encoded)


def read_proposals(wb: Workbook, sheet: str) -> list[dict]:
    """Return what `store_proposals` kept for the table sheet `sheet`: dicts with `row`, `stt`, `values`
    (empty for a workbook without `_proposals`, made before it existed; unreadable entries are skipped)."""
    if PROPOSALS_SHEET not in wb.sheetnames:
        return []
    out = []
    for name, encoded in wb[PROPOSALS_SHEET].iter_rows(min_row=1, max_col=2, values_only=True):
        if name != sheet or not isinstance(encoded, str):
            continue
        try:
            entry = json.loads(encoded)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("values"), dict):
            out.append(entry)
    return out


def protect_table(ws: Worksheet, locked_columns: list[int], proposal_rows: int, last_row: int) -> None:
    """Protect the sheet `ws` (no password: a guard against slips, not a lock) so that Excel refuses an
    edit of the `locked_columns` (1-based) in the rows 2..`proposal_rows` + 1 that hold proposals; every
    other cell up to `last_row` (decisions, corrections, the analyst's columns, the empty rows for
    additions) stays editable, and columns, rows and the auto-filter can still be used."""
    open_cell = Protection(locked=False)
    locked = set(locked_columns)
    for r in range(2, last_row + 1):
        for c in range(1, ws.max_column + 1):
            if r > proposal_rows + 1 or c not in locked:
                ws.cell(r, c).protection = open_cell
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.formatCells = False
    ws.protection.autoFilter = False
    ws.protection.sort = False
