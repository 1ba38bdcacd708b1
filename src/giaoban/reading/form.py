"""Entry form: figures of a report that arrived on paper or as a scan, typed into Excel.

    giaoban form --province 51 --period 2021-H1 -o form.xlsx
    (the analyst types values, quotes and page references)
    giaoban accept form.xlsx            # the same step as for a review sheet

`write_form(province, period, out)` writes a workbook with one row per indicator of the catalogue,
grouped by area (label, unit, value type shown), columns for the value, qualifier, kind, measure,
period, the quote as printed on paper and its page and line, drop-down lists wherever a value is a
choice, and the `Báo cáo` sheet prefilled from the options. `read_form` reads it back for
`giaoban.reading.accept.accept`, which tells the two kinds of workbook apart by the hidden `_giaoban` sheet.

There is no text to check quotes against, so the report's source is made of what the analyst typed:
at accept time `sources/<report_id>-giay.txt` is written, headed as a transcription from paper
(with the note saying where the paper or scan is kept), holding every typed quote, focus task and
legal reference with its page and line. Validation's quote check then holds by construction; what it
still guarantees is that every figure has a typed quote and a page reference a reader can check
against the paper.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from giaoban.errors import InputError, PeriodError
from giaoban.domain.periods import Period
from giaoban.reading.review import (
    FIGURES_SHEET,
    GUIDE_SHEET,
    KIND_LABELS,
    LEGAL_FIELDS,
    LEGAL_SHEET,
    MEASURE_LABELS,
    MEETING_LABELS,
    REPORT_FIELDS,
    REPORT_SHEET,
    SHEET_ORDER,
    STATUS_LABELS,
    TASK_FIELDS,
    TASKS_SHEET,
    Context,
    Field,
    MetaField,
    Row,
    Submission,
    TableSpec,
    add_choices,
    cell_date,
    cell_indicator,
    cell_number,
    cell_period,
    cell_positive_int,
    cell_text,
    check_formulas,
    csv_rows,
    data_folder,
    load_context,
    parse_kind,
    parse_measure,
    parse_meeting,
    parse_qualifier,
    read_report_sheet,
    read_table,
    report_id_for,
    save_workbook,
    write_guide,
    write_report_sheet,
    write_table,
)
from giaoban.reading.workbook import (
    CellError,
    Column,
    Lists,
    Problems,
    Where,
    add_number_check,
    cell_value,
    new_workbook,
    put,
    style_table,
    write_marker,
)

__all__ = ["write_form", "read_form", "transcription", "FormResult", "PAGE", "VALUE_TYPE_LABELS"]

#: The column of the page and line where a figure is printed (`tr. 3, dòng 12`).
PAGE = "Trang, dòng"
#: How the form names the value types of the catalogue.
VALUE_TYPE_LABELS = {"count": "số đếm (nguyên)", "money": "tiền (đồng)", "percent": "phần trăm (%)"}

_PAGE_FIELD = Field(
    "page",
    PAGE,
    cell_text(100),
    12,
    True,
    role="fill",
    comment="Trang và dòng của bản giấy/bản scan nơi in đoạn trích, ví dụ: tr. 3, dòng 12",
)
FORM_REPORT_FIELDS = REPORT_FIELDS + (
    MetaField(
        "paper_note",
        "Nguồn bản giấy",
        cell_text(1000),
        True,
        None,
        "Bắt buộc: số, ngày của báo cáo giấy và nơi lưu bản giấy hoặc bản scan; ghi ở đầu văn bản chép",
    ),
)
FORM_TASKS = TableSpec(TASKS_SHEET, TASK_FIELDS + (_PAGE_FIELD,), decision=False)
FORM_LEGAL = TableSpec(LEGAL_SHEET, LEGAL_FIELDS + (_PAGE_FIELD,), decision=False)

# The figures sheet: (header, width, role, wrap); the analyst fills the `fill` columns.
_COLUMNS = [
    Column("Lĩnh vực", 20, "info", True),
    Column("Mã chỉ tiêu", 30, "info"),
    Column("Chỉ tiêu", 40, "info", True),
    Column("Kiểu giá trị", 12, "info", True),
    Column("Giá trị", 14, "fill"),
    Column("Đơn vị", 16, "fill"),
    Column("Mức độ", 9, "fill"),
    Column("Mẫu số", 8, "fill"),
    Column("Loại", 11, "fill"),
    Column("Cách đo", 11, "fill"),
    Column("Kỳ", 10, "fill"),
    Column("Trích dẫn", 60, "fill", True, "Chép nguyên văn câu in trên bản giấy có chứa con số"),
    Column(PAGE, 12, "fill", False, "Trang và dòng nơi in đoạn trích, ví dụ: tr. 3, dòng 12"),
    Column("Ghi chú", 30, "fill", True),
]
_FIELDS = {  # header → (data column, reader, required)
    "Mã chỉ tiêu": ("indicator", cell_indicator, True),
    "Giá trị": ("value", cell_number, True),
    "Đơn vị": ("unit", cell_text(200), True),
    "Mức độ": ("qualifier", parse_qualifier, False),
    "Mẫu số": ("denominator", cell_positive_int, False),
    "Loại": ("kind", parse_kind, True),
    "Cách đo": ("measure", parse_measure, True),
    "Kỳ": ("period", cell_period, True),
    "Trích dẫn": ("quote", cell_text(5000), True),
    PAGE: ("page", cell_text(100), True),
    "Ghi chú": ("note", cell_text(2000), False),
}
# Cells the analyst types (prefilled ones, such as the unit or the kind, do not count as typed).
_TYPED = ("Giá trị", "Mức độ", "Mẫu số", "Trích dẫn", PAGE, "Ghi chú")

_GUIDE_FORM = [
    "PHIẾU NHẬP SỐ LIỆU TỪ BÁO CÁO GIẤY HOẶC BẢN SCAN (giaoban form)",
    "",
    "1. Trang “Báo cáo”: kiểm tra tỉnh, kỳ, cuộc họp, ngày; điền tiêu đề và “Nguồn bản giấy” (số, ngày báo cáo, "
    "nơi lưu bản giấy/bản scan).",
    "2. Trang “Số liệu”: mỗi chỉ tiêu một dòng, theo lĩnh vực. Chỉ điền những chỉ tiêu báo cáo có nêu: Giá trị, "
    "Trích dẫn (chép nguyên văn câu in trên giấy, có con số) và Trang, dòng. Dòng không có giá trị được bỏ qua.",
    "   Tiền ghi bằng đồng (11.497 triệu đồng → 11497000000). Cùng chỉ tiêu có thêm số kế hoạch: chép dòng đó "
    "thành dòng mới ngay dưới, đổi Loại và Kỳ.",
    "3. Trang “Nhiệm vụ trọng tâm”, “Văn bản pháp lý”: mỗi dòng một nhiệm vụ / một văn bản, kèm trang, dòng.",
    "4. Không dùng công thức. Lưu tệp (.xlsx), rồi chạy: giaoban accept <tệp>.xlsx",
    "   Các đoạn đã chép được ghi thành văn bản nguồn data/sources/<mã báo cáo>-giay.txt, ghi rõ là bản chép từ giấy.",
]


@dataclass
class FormResult:
    """What `write_form` wrote: the workbook, the report_id it proposes, the number of indicator rows."""

    path: Path
    report_id: str
    indicators: int
    warnings: tuple[str, ...] = ()  # e.g. a period that has not begun


def _option_date(value: str | date | None, option: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(cell_date(value, None))  # type: ignore[arg-type]
    except CellError as error:
        raise InputError(f"{option}: {error}") from None


def write_form(
    province: str,
    period: str,
    out: str | Path,
    data_dir: str | Path | None = None,
    *,
    meeting_type: str | None = None,
    meeting_date: str | date | None = None,
    published: str | date | None = None,
    title: str | None = None,
    force: bool = False,
) -> FormResult:
    """Write the entry form for the report of `province` (GSO code or name) for `period` to `out`.

    Refuses (InputError, nothing written): an unknown period, a province unknown or not in force at
    the end of the period, an unknown meeting type, a date that is not a real date, an `out` that is
    not .xlsx or already exists (unless `force`).
    """
    target = Path(out)
    if target.suffix.lower() != ".xlsx":
        raise InputError("phiếu nhập cần đuôi .xlsx", path=str(target))
    if target.exists() and not force:
        raise InputError("tệp đã có: chọn tên khác, hoặc thêm --force để ghi đè", path=str(target))
    try:
        the_period = Period.parse(period)
    except PeriodError as error:
        raise InputError(f"--period: {error.detail}") from None
    if the_period.code != period:
        raise InputError(f"--period: kỳ “{period}” cần viết bằng mã chuẩn “{the_period.code}”")
    folder = data_folder(data_dir)
    ctx = load_context(folder)
    try:
        unit = ctx.provinces.match(str(province), on=the_period)
    except InputError as error:
        raise InputError(f"--province: {error.detail}") from None
    meeting = None
    if meeting_type:
        try:
            meeting = parse_meeting(meeting_type, ctx) or None
        except CellError as error:
            raise InputError(f"--meeting-type: {error}") from None
    when = _option_date(meeting_date, "--meeting-date")
    posted = _option_date(published, "--published")

    taken = {row.get("report_id", "") for row in csv_rows(folder / "reports.csv")}
    report_id = report_id_for(unit, the_period.code, taken)
    status = None
    if when is not None:
        status = "stated" if the_period.is_reviewable_on(when) else "as_written"
    values: dict[str, Any] = {
        "report_id": report_id,
        "province": ctx.province_label(unit),
        "period": the_period.code,
        "meeting_type": MEETING_LABELS.get(meeting) if meeting else None,
        "meeting_date": when,
        "meeting_date_status": STATUS_LABELS[status] if status else None,
        "published_date": posted,
        "title": title,
        "source_file": f"{report_id}-giay.txt",
        "source_url": None,
        "paper_note": None,
    }

    wb = new_workbook()
    guide = wb.create_sheet(GUIDE_SHEET)
    meta = wb.create_sheet(REPORT_SHEET)
    figures = wb.create_sheet(FIGURES_SHEET)
    tasks = wb.create_sheet(TASKS_SHEET)
    legal = wb.create_sheet(LEGAL_SHEET)
    lists = Lists(wb)
    years = (min(2000, the_period.year - 5), max(date.today().year + 2, the_period.year + 2))
    write_report_sheet(wb, meta, lists, ctx, FORM_REPORT_FIELDS, values, years)
    count = _write_figures(wb, figures, lists, ctx, the_period, years)
    write_table(wb, tasks, lists, ctx, FORM_TASKS, [], years, extra_rows=100)
    write_table(wb, legal, lists, ctx, FORM_LEGAL, [], years, extra_rows=100)
    write_guide(guide, "form", values["source_file"], [], _GUIDE_FORM)
    write_marker(
        wb,
        "form",
        {"province": unit.code, "period": the_period.code, "created": datetime.now().isoformat(timespec="seconds")},
    )
    save_workbook(wb, target)
    now = date.today()
    warnings = (
        (
            f"--period: cảnh báo: kỳ {the_period.code} ({the_period.label_vi()}) bắt đầu ngày "
            f"{the_period.start:%d/%m/%Y}, sau hôm nay ({now:%d/%m/%Y}): kiểm tra lại năm",
        )
        if the_period.start > now
        else ()
    )
    return FormResult(target, report_id, count, warnings)


def _write_figures(wb, ws, lists: Lists, ctx: Context, period: Period, years: tuple[int, int]) -> int:
    """One row per indicator, grouped under a heading row per area; returns the number of indicators."""
    style_table(ws, _COLUMNS, freeze="E2")
    col = {c.header: i for i, c in enumerate(_COLUMNS, start=1)}
    row = 2
    checks: dict[tuple[bool, float | None], list[str]] = {}
    letter = get_column_letter(col["Giá trị"])
    count = 0
    for area in ctx.catalogue.areas:
        indicators = ctx.catalogue.in_area(area.code)
        if not indicators:
            continue
        for i in range(1, len(_COLUMNS) + 1):
            put(ws, row, i, area.label_vi if i == 1 else None, "group").font = Font(bold=True)
        row += 1
        for ind in indicators:
            pct_plan = ind.code.endswith("_pct_plan")
            cells = {
                "Lĩnh vực": area.label_vi,
                "Mã chỉ tiêu": ind.code,
                "Chỉ tiêu": ind.label_vi,
                "Kiểu giá trị": VALUE_TYPE_LABELS.get(ind.value_type, ind.value_type),
                "Đơn vị": ind.unit_vi,
                "Loại": KIND_LABELS["actual"],
                "Cách đo": MEASURE_LABELS["percent_of_plan" if pct_plan else "level"],
                "Kỳ": period.code,
            }
            for c in _COLUMNS:
                put(ws, row, col[c.header], cells.get(c.header), c.role, wrap=c.wrap)
            whole = ind.value_type == "count"
            checks.setdefault((whole, ind.max_value), []).append(f"{letter}{row}")
            row += 1
            count += 1
    last = row + 50  # rows for a second figure of an indicator (a plan beside an actual)
    for r in range(row, last + 1):
        for c in _COLUMNS:
            if c.role == "fill":
                put(ws, r, col[c.header], None, c.role)
    for (whole, maximum), refs in checks.items():
        add_number_check(ws, refs, whole, maximum=maximum)
    for header, name in (("Mức độ", "qualifiers"), ("Loại", "kinds"), ("Cách đo", "measures"), ("Kỳ", "periods")):
        column = get_column_letter(col[header])
        add_choices(wb, ws, lists, ctx, name, f"{column}2:{column}{last}", years)
    return count


def _read_figures(wb, shown: str, ctx: Context, problems: Problems) -> list[Row]:
    """Read the figures of the form: every row with a value; its quote and page are required."""
    if FIGURES_SHEET not in wb.sheetnames:
        problems.add(Where(shown, FIGURES_SHEET), f"thiếu trang “{FIGURES_SHEET}”")
        return []
    ws = wb[FIGURES_SHEET]
    header_cols = {c.value.strip(): c.column for c in ws[1] if isinstance(c.value, str) and c.value.strip()}
    missing = [h for h in _FIELDS if h not in header_cols]
    for header in missing:
        problems.add(Where(shown, FIGURES_SHEET, 1, header), "thiếu cột: đừng đổi tên hay xoá cột tiêu đề")
    if missing:
        return []
    if ws.max_row > 5001:
        problems.add(Where(shown, FIGURES_SHEET), f"quá nhiều dòng ({ws.max_row}); tối đa 5000")
        return []
    rows = []
    for r in range(2, ws.max_row + 1):
        here = Where(shown, FIGURES_SHEET, r)
        cells: dict[str, object] = {}
        bad = False
        for header in _FIELDS:
            try:
                cells[header] = cell_value(ws.cell(r, header_cols[header]))
            except CellError as error:
                problems.add(here.at(header), str(error))
                cells[header] = None
                bad = True
        if cells["Giá trị"] is None:
            typed = [h for h in _TYPED if cells.get(h) is not None]
            if typed and not bad:
                problems.add(
                    here.at("Giá trị"),
                    f"chưa có giá trị nhưng đã điền {', '.join(typed)}: nhập giá trị, hoặc xoá các ô đã điền",
                )
            continue
        if cells["Mã chỉ tiêu"] is None:
            problems.add(here.at("Mã chỉ tiêu"), "có giá trị nhưng thiếu mã chỉ tiêu: chọn mã trong danh sách")
            continue
        values: dict[str, str | None] = {}
        origin: dict[str, str] = {}
        for header, (key, parse, required) in _FIELDS.items():
            origin[key] = header
            value = cells.get(header)
            if value is None:
                values[key] = None
                if required and not bad:
                    problems.add(here.at(header), f"ô trống: cần {header.lower()}")
                    bad = True
                continue
            try:
                values[key] = parse(value, ctx) or None
            except CellError as error:
                problems.add(here.at(header), str(error))
                bad = True
        if not bad:
            rows.append(Row(here, values, origin))
    return rows


def transcription(
    report: dict[str, str | None], province: str, figures: list[Row], tasks: list[Row], refs: list[Row]
) -> str:
    """Return the source text of a paper report: a heading that says it is a transcription (with the
    note on the paper), then every typed quote, task and reference, each with its page and line."""
    lines = [
        "BẢN CHÉP TỪ BÁO CÁO GIẤY HOẶC BẢN SCAN (giaoban form)",
        "Không phải văn bản gốc: mỗi đoạn dưới đây do người nhập chép lại từ bản giấy, kèm trang và dòng.",
        f"Nguồn: {report.get('paper_note') or ''}",
        f"Tỉnh: {province}; kỳ: {report.get('period') or ''}",
        f"Tiêu đề: {report.get('title') or ''}",
    ]
    for heading, rows, key in (
        ("Số liệu", figures, "quote"),
        ("Nhiệm vụ trọng tâm", tasks, "text"),
        ("Văn bản pháp lý", refs, "quote"),
    ):
        if not rows:
            continue
        lines += ["", f"{heading}:"]
        lines += list(dict.fromkeys(f"[{row.values.get('page') or ''}] {row.values.get(key) or ''}" for row in rows))
    return "\n".join(lines) + "\n"


def read_form(
    wb,
    shown: str,
    marker: dict[str, str],
    ctx: Context,
    taken_ids: set[str] | None = None,
    problems: Problems | None = None,
) -> Submission:
    """Read an entry form back into a Submission whose text is the transcription of what was typed.

    Refuses (WorkbookError, one line per problem; recorded in `problems` instead when given): formulas,
    unreadable cells, a figure without its indicator, quote or page, a form with nothing typed in it,
    and what `read_report_sheet` refuses."""
    own = problems is None
    problems = Problems(sheets=SHEET_ORDER) if own else problems
    check_formulas(wb, shown, [REPORT_SHEET, FIGURES_SHEET, TASKS_SHEET, LEGAL_SHEET], problems)
    report = read_report_sheet(wb, shown, ctx, FORM_REPORT_FIELDS, problems, taken_ids)
    figures = _read_figures(wb, shown, ctx, problems)
    tasks = read_table(wb, shown, ctx, FORM_TASKS, problems)
    refs = read_table(wb, shown, ctx, FORM_LEGAL, problems)
    if not problems and not (figures or tasks or refs):
        problems.add(Where(shown, FIGURES_SHEET), "phiếu chưa có số liệu, nhiệm vụ hay văn bản nào: chưa có gì để nhận")
    if own:
        problems.raise_if_any()
    code = report.values.get("province")
    name = (
        next(
            (
                p.name_vi
                for p in ctx.provinces
                if p.code == code and p.in_force_on(Period.parse(report.values["period"]))
            ),
            "không rõ",
        )
        if code and report.values.get("period")
        else "không rõ"
    )
    province = f"{name} ({code})" if code else name
    text = transcription(report.values, province, figures, tasks, refs)
    return Submission("form", shown, report, figures, tasks, refs, text)
