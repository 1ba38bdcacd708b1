"""`giaoban ingest` / `giaoban accept`: a real report goes from text to validated data through the
review sheet, filled with openpyxl as an analyst would; a broken sheet changes no byte under data/
and every error names the sheet, the row and the column header as Excel shows them."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from giaoban import paths
from giaoban.reading import review
from giaoban.reading.accept import accept
from giaoban.cli import app
from giaoban.errors import InputError
from giaoban.data.validation import validate_data
from giaoban.reading.workbook import WorkbookError

from review_sheets import accept_all, headers  # tests/review_sheets.py

REPORT_ID = "quang-ngai-2021-h1"
SOURCE = "004_827c2f16ec2dc701.txt"
TABLES = ("reports", "observations", "focus_tasks", "legal_refs")


# ----------------------------------------------------------------------------------- helpers

def rows_of(path: Path, report_id: str = REPORT_ID) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["report_id"] == report_id]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of data/ without report 004's rows (its source text stays, as if fetched earlier)."""
    target = tmp_path / "data"
    shutil.copytree(paths.DATA, target, ignore=shutil.ignore_patterns("geo"))
    for table in TABLES:
        path = target / f"{table}.csv"
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(line for line in lines if not line.startswith(REPORT_ID + ",")), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def proposed(tmp_path_factory) -> Path:
    """The review sheet of report 004, written once (extraction takes a second)."""
    folder = tmp_path_factory.mktemp("ingest")
    data = folder / "data"
    shutil.copytree(paths.DATA, data, ignore=shutil.ignore_patterns("geo"))
    for table in TABLES:
        path = data / f"{table}.csv"
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(line for line in lines if not line.startswith(REPORT_ID + ",")), encoding="utf-8")
    before = snapshot(data)
    result = review.write_review(paths.SOURCES / SOURCE, folder / "review.xlsx", data)
    assert snapshot(data) == before  # ingest writes nothing under data/
    return result.path


@pytest.fixture
def sheet(proposed: Path, tmp_path: Path) -> Path:
    path = tmp_path / "review.xlsx"
    shutil.copy(proposed, path)
    return path


def figure_row(ws, indicator: str | None = None, value: object = None) -> int:
    """The sheet row of the proposed figure with this indicator (or, without one, this value)."""
    h = headers(ws)
    for r in range(2, ws.max_row + 1):
        cell = ws.cell(r, h["Chỉ tiêu"]).value
        if ws.cell(r, h["STT"]).value is None:
            continue
        if indicator is not None and cell and cell.split(" — ")[0] == indicator:
            return r
        if indicator is None and cell is None and ws.cell(r, h["Giá trị"]).value == value:
            return r
    raise AssertionError(f"no proposed figure {indicator or value}")




def set_meta(wb, label: str, value: object) -> int:
    ws = wb[review.REPORT_SHEET]
    for r in range(2, ws.max_row + 1):
        if str(ws.cell(r, 1).value).removesuffix(" *") == label:
            ws.cell(r, 2).value = value
            return r
    raise AssertionError(label)


def reviewed(sheet: Path) -> openpyxl.Workbook:
    wb = openpyxl.load_workbook(sheet)
    accept_all(wb)
    return wb


# ----------------------------------------------------------------------------------- the sheet

def test_ingest_writes_a_review_sheet_with_drop_downs(proposed: Path) -> None:
    wb = openpyxl.load_workbook(proposed)
    assert wb.sheetnames[:6] == ["Hướng dẫn", "Báo cáo", "Số liệu", "Nhiệm vụ trọng tâm", "Văn bản pháp lý",
                                 "Văn bản"]
    assert wb["_giaoban"].sheet_state == "hidden" and wb["_lists"].sheet_state == "hidden"
    ws = wb["Số liệu"]
    h = headers(ws)
    for header in ("Quyết định", "Chỉ tiêu", "Giá trị", "Loại", "Kỳ", "Trích dẫn", "Sửa giá trị", "Sửa chỉ tiêu",
                   "Sửa loại", "Sửa kỳ", "Ghi chú"):
        assert header in h
    assert ws.freeze_panes == "C2"
    assert ws.column_dimensions["K"].width > 20  # the quote column is wide
    formulas = {re.match(r"[A-Z]+", str(dv.sqref))[0]: (dv.type, dv.formula1)
                for dv in ws.data_validations.dataValidation}
    letter = {name: openpyxl.utils.get_column_letter(col) for name, col in h.items()}
    for header in ("Quyết định", "Chỉ tiêu", "Loại", "Mức độ", "Cách đo", "Kỳ", "Sửa chỉ tiêu", "Sửa loại"):
        kind, formula = formulas[letter[header]]
        assert kind == "list" and formula.startswith("'_lists'!"), header
    lists = wb["_lists"]
    named = {c.value: [x.value for x in lists[c.column_letter][1:] if x.value] for c in lists[1]}
    assert named["decisions"] == ["nhận", "sửa", "bỏ"]
    assert len(named["indicators"]) == 81 and named["indicators"][0].startswith("science.tasks_managed — ")
    assert named["kinds"] == ["thực hiện", "kế hoạch"]
    column = next(c.column_letter for c in lists[1] if c.value == "decisions")
    assert formulas[letter["Quyết định"]][1] == f"'_lists'!${column}$2:${column}$4"
    meta = {str(r[0].value).removesuffix(" *"): r[1].value for r in wb["Báo cáo"].iter_rows(min_row=2)}
    assert meta["Mã báo cáo"] == REPORT_ID and meta["Tỉnh"] == "51 — Quảng Ngãi" and meta["Kỳ báo cáo"] == "2021-H1"
    assert meta["Loại cuộc họp"] == "sơ kết" and meta["Tệp văn bản nguồn"] == SOURCE
    assert wb["Báo cáo"].data_validations.dataValidation, "province, period, meeting drop-downs"
    assert ws.max_row > 37


def test_report_004_from_text_to_data(sheet: Path, data: Path) -> None:
    wb = reviewed(sheet)
    ws = wb["Số liệu"]
    h = headers(ws)
    rejected = figure_row(ws, None, 28)  # "28 doanh nghiệp": no indicator, the 33 facilities already say it
    ws.cell(rejected, h["Quyết định"]).value = "bỏ"
    corrected = figure_row(ws, "inspection.gold_samples_metrology_assessed")
    ws.cell(corrected, h["Quyết định"]).value = "sửa"
    ws.cell(corrected, h["Sửa đơn vị"]).value = "mẫu vàng trang sức, mỹ nghệ"
    ws.cell(corrected, h["Sửa trích dẫn"]).value = "62 mẫu vàng trang sức, mỹ nghệ được giám định về đo lường"
    hand = {r["indicator"]: r for r in rows_of(paths.DATA / "observations.csv")}
    tasks = wb["Nhiệm vụ trọng tâm"]
    th = headers(tasks)
    for r, task in enumerate(rows_of(paths.DATA / "focus_tasks.csv"), start=2):
        tasks.cell(r, th["Lĩnh vực"]).value = task["area"] or None
        tasks.cell(r, th["Chỉ tiêu liên quan"]).value = task["indicators"] or None
    wb.save(sheet)

    result = accept(sheet, data)

    assert (result.report_id, result.figures, result.focus_tasks, result.legal_refs) == (REPORT_ID, 36, 6, 6)
    assert rows_of(data / "reports.csv") == rows_of(paths.DATA / "reports.csv")
    new = {r["indicator"]: r for r in rows_of(data / "observations.csv")}
    assert set(new) == set(hand)
    for code, row in new.items():
        for column in ("period", "kind", "measure", "value", "qualifier", "denominator", "visibility"):
            assert row[column] == hand[code][column], (code, column)
        if code != "inspection.gold_samples_quality_assessed":  # proposed "mẫu vàng", accepted as is
            assert row["unit"] == hand[code]["unit"], code
    corrected_row = new["inspection.gold_samples_metrology_assessed"]
    assert corrected_row["quote"] == hand["inspection.gold_samples_metrology_assessed"]["quote"]
    assert rows_of(data / "focus_tasks.csv") == rows_of(paths.DATA / "focus_tasks.csv")
    key = ("number", "doc_type", "issuer", "date")
    assert ([tuple(r[k] for k in key) for r in rows_of(data / "legal_refs.csv")]
            == [tuple(r[k] for k in key) for r in rows_of(paths.DATA / "legal_refs.csv")])
    assert (data / "sources" / SOURCE).read_bytes() == (paths.SOURCES / SOURCE).read_bytes()
    report = validate_data(data)
    assert report.ok, report.lines()


def test_a_new_text_is_added_to_sources_only_at_accept(tmp_path: Path, data: Path) -> None:
    text = tmp_path / "005_bao-cao-moi.txt"
    shutil.copy(paths.SOURCES / SOURCE, text)
    (data / "sources" / SOURCE).unlink()  # as if 004 had never been fetched
    out = review.write_review(text, tmp_path / "moi.xlsx", data).path
    assert not (data / "sources" / text.name).exists()
    wb = reviewed(out)
    wb.save(out)
    accept(out, data)
    assert (data / "sources" / text.name).read_bytes() == text.read_bytes()
    assert rows_of(data / "reports.csv")[0]["source_file"] == text.name


# ----------------------------------------------------------------------------------- refusals

def _unknown_indicator(wb):
    ws = wb["Số liệu"]
    h = headers(ws)
    ws.cell(12, h["Quyết định"]).value = "sửa"
    ws.cell(12, h["Sửa chỉ tiêu"]).value = "abc"
    return "Số liệu!12:Sửa chỉ tiêu: mã chỉ tiêu không có trong danh mục: 'abc'"


def _not_a_number(wb):
    ws = wb["Số liệu"]
    h = headers(ws)
    ws.cell(5, h["Quyết định"]).value = "sửa"  # typed over the grey proposal, it is refused as an edit (below)
    ws.cell(5, h["Sửa giá trị"]).value = "năm mươi"
    return "Số liệu!5:Sửa giá trị: giá trị “năm mươi” không phải số"


def _formula(wb):
    ws = wb["Số liệu"]
    h = headers(ws)
    ws.cell(7, h["Giá trị"]).value = "=SUM(D2:D6)"
    letter = openpyxl.utils.get_column_letter(h["Giá trị"])
    return f"Số liệu!7:Giá trị: ô {letter}7 chứa công thức “=SUM(D2:D6)”"


def _duplicate(wb):
    ws = wb["Số liệu"]
    h = headers(ws)
    row = figure_row(ws, "science.tasks_carried_over")
    ws.cell(row, h["Quyết định"]).value = "sửa"
    ws.cell(row, h["Sửa chỉ tiêu"]).value = "science.tasks_managed"
    first = figure_row(ws, "science.tasks_managed")
    return f"Số liệu!{row}:Sửa chỉ tiêu: số liệu trùng với dòng {first}"


def _missing_province(wb):
    row = set_meta(wb, "Tỉnh", None)
    return f"Báo cáo!{row}:Tỉnh: ô trống: cần tỉnh"


def _no_decision(wb):
    ws = wb["Văn bản pháp lý"]
    ws.cell(3, headers(ws)["Quyết định"]).value = None
    return "Văn bản pháp lý!3:Quyết định: chưa có quyết định"


def _quote_not_in_text(wb):
    ws = wb["Số liệu"]
    h = headers(ws)
    ws.cell(9, h["Quyết định"]).value = "sửa"
    ws.cell(9, h["Sửa trích dẫn"]).value = "đã kiểm định 9.999 phương tiện đo"
    return "Số liệu!9:Sửa trích dẫn: trích dẫn không có nguyên văn trong văn bản nguồn"


def _enormous(wb):
    ws = wb["Số liệu"]
    h = headers(ws)
    ws.cell(4, h["Quyết định"]).value = "sửa"
    ws.cell(4, h["Sửa giá trị"]).value = 10 ** 20
    return "Số liệu!4:Sửa giá trị: số 1e+20 quá lớn"


def _accepted_with_a_correction(wb):
    ws = wb["Số liệu"]
    ws.cell(6, headers(ws)["Sửa kỳ"]).value = "2021-H2"
    return "Số liệu!6:Sửa kỳ: có giá trị sửa nhưng quyết định là “nhận”"


@pytest.mark.parametrize("breaks", [_unknown_indicator, _not_a_number, _formula, _duplicate, _missing_province,
                                    _no_decision, _quote_not_in_text, _enormous, _accepted_with_a_correction],
                         ids=lambda f: f.__name__.strip("_"))
def test_a_broken_sheet_changes_nothing(sheet: Path, data: Path, breaks) -> None:
    wb = reviewed(sheet)
    expected = breaks(wb)
    wb.save(sheet)
    before = snapshot(data)
    with pytest.raises(WorkbookError) as caught:
        accept(sheet, data)
    assert snapshot(data) == before
    assert any(line.startswith(f"{sheet}:{expected}") for line in caught.value.lines), caught.value.lines


def test_every_problem_is_listed_at_once(sheet: Path, data: Path) -> None:
    wb = reviewed(sheet)
    expected = [_unknown_indicator(wb), _formula(wb), _quote_not_in_text(wb)]
    wb.save(sheet)
    with pytest.raises(WorkbookError) as caught:
        accept(sheet, data)
    for part in expected:
        assert any(line.startswith(f"{sheet}:{part}") for line in caught.value.lines), (part, caught.value.lines)


def test_the_command_prints_one_error_a_line_and_exits_1(sheet: Path, data: Path) -> None:
    wb = reviewed(sheet)
    expected = [_missing_province(wb), _not_a_number(wb)]
    wb.save(sheet)
    before = snapshot(data)
    result = CliRunner().invoke(app, ["accept", str(sheet), "--data", str(data)])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and all(line.startswith(f"{sheet}:{e}") for line, e in zip(lines, expected)), lines
    assert snapshot(data) == before


def test_a_report_is_accepted_once(sheet: Path, data: Path) -> None:
    wb = reviewed(sheet)
    wb.save(sheet)
    accept(sheet, data)
    before = snapshot(data)
    with pytest.raises(WorkbookError) as caught:
        accept(sheet, data)
    assert snapshot(data) == before
    assert any(line.startswith(f"{sheet}:Báo cáo!2:Mã báo cáo: mã báo cáo “{REPORT_ID}” đã có")
               for line in caught.value.lines), caught.value.lines


def test_a_different_text_of_the_same_name_is_never_overwritten(sheet: Path, data: Path, tmp_path: Path) -> None:
    wb = reviewed(sheet)
    wb.save(sheet)
    (data / "sources" / SOURCE).write_text("một văn bản khác", encoding="utf-8")
    before = snapshot(data)
    with pytest.raises(WorkbookError) as caught:
        accept(sheet, data)
    assert snapshot(data) == before
    assert any(":Báo cáo!10:Tệp văn bản nguồn: data/sources/" in line for line in caught.value.lines)
    with pytest.raises(InputError, match="nội dung khác"):
        review.write_review(paths.SOURCES / SOURCE, tmp_path / "again.xlsx", data)
    assert not (tmp_path / "again.xlsx").exists()


def test_an_altered_text_or_a_foreign_workbook_is_refused(sheet: Path, data: Path, tmp_path: Path) -> None:
    wb = reviewed(sheet)
    wb["_text"]["A2"].value = "SGVsbG8="  # base64 of "Hello"
    wb.save(sheet)
    with pytest.raises(WorkbookError, match="đã bị thay đổi"):
        accept(sheet, data)
    foreign = tmp_path / "other.xlsx"
    openpyxl.Workbook().save(foreign)
    with pytest.raises(WorkbookError, match="thiếu trang ẩn _giaoban"):
        accept(foreign, data)


def test_a_failure_while_writing_leaves_data_as_it_was(sheet: Path, data: Path, monkeypatch) -> None:
    wb = reviewed(sheet)
    wb.save(sheet)
    before = snapshot(data)
    real = review.os.replace
    calls = []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise OSError("đĩa đầy")
        return real(src, dst)

    monkeypatch.setattr(review.os, "replace", flaky)
    with pytest.raises(OSError):
        accept(sheet, data)
    assert len(calls) >= 3
    assert snapshot(data) == before  # the two files renamed were put back, no temporary file is left


def test_a_text_that_names_no_province(sheet: Path, data: Path) -> None:
    wb = reviewed(sheet)
    set_meta(wb, "Tỉnh", review.NO_PROVINCE)
    set_meta(wb, "Mã báo cáo", None)  # made from province and period
    wb.save(sheet)
    result = accept(sheet, data)
    assert result.report_id == "unknown-2021-h1"
    assert rows_of(data / "reports.csv", "unknown-2021-h1")[0]["province"] == ""


def test_ingest_refuses_to_overwrite_a_sheet(proposed: Path, data: Path) -> None:
    with pytest.raises(InputError, match="--force"):
        review.write_review(paths.SOURCES / SOURCE, proposed, data)
    with pytest.raises(InputError, match=".xlsx"):
        review.write_review(paths.SOURCES / SOURCE, proposed.with_suffix(".csv"), data)


def test_a_figure_the_extractor_missed_is_a_new_row(sheet: Path, data: Path) -> None:
    wb = reviewed(sheet)
    ws = wb["Số liệu"]
    h = headers(ws)
    proposed = figure_row(ws, "science.tasks_managed")
    ws.cell(proposed, h["Quyết định"]).value = "bỏ"
    new = max(r for r in range(2, ws.max_row + 1) if ws.cell(r, h["STT"]).value is not None) + 3  # a gap is fine
    typed = {"Quyết định": "nhận", "Chỉ tiêu": "science.tasks_managed", "Giá trị": 44, "Đơn vị": "nhiệm vụ",
             "Loại": "thực hiện", "Cách đo": "mức", "Kỳ": "2021-H1", "Ghi chú": "Nhập tay.",
             "Trích dẫn": "Theo dõi, quản lý 44 nhiệm vụ nhiệm vụ KH&CN"}
    for header, value in typed.items():
        ws.cell(new, h[header]).value = value
    wb.save(sheet)
    accept(sheet, data)
    (row,) = [r for r in rows_of(data / "observations.csv") if r["indicator"] == "science.tasks_managed"]
    assert (row["value"], row["kind"], row["measure"], row["note"]) == ("44", "actual", "level", "Nhập tay.")


def test_the_ingest_command(tmp_path: Path, data: Path) -> None:
    before = snapshot(data)
    out = tmp_path / "xet-duyet.xlsx"
    result = CliRunner().invoke(app, ["ingest", str(paths.SOURCES / SOURCE), "-o", str(out), "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and f"mã báo cáo đề xuất: {REPORT_ID}" in result.stdout
    assert snapshot(data) == before
    missing = CliRunner().invoke(app, ["ingest", str(tmp_path / "khong-co.txt"), "--data", str(data)])
    assert missing.exit_code == 2 and "không tìm thấy tệp" in missing.output


def test_a_province_not_in_force_for_the_period_is_refused(sheet: Path, data: Path) -> None:
    wb = reviewed(sheet)
    row = set_meta(wb, "Tỉnh", "15 — Lào Cai")  # code 15 is Lào Cai only from 1 July 2025
    wb.save(sheet)
    with pytest.raises(WorkbookError) as caught:
        accept(sheet, data)
    assert caught.value.lines == [f"{sheet}:Báo cáo!{row}:Tỉnh: “15 — Lào Cai” không có hiệu lực vào cuối kỳ 2021-H1 "
                                  f"(từ 01/07/2025): mã 15 vào cuối kỳ 2021-H1 là Yên Bái"]


# ----------------------------------------------------------------------------------- the proposal columns

def test_a_value_typed_over_the_grey_proposal_is_refused_naming_the_cell_and_the_fix_column(sheet: Path,
                                                                                              data: Path) -> None:
    """120 → 150 in the proposal column with "nhận" used to be stored with only a warning, against a
    quote that says 120; now it is refused, and the message says where to write 150."""
    wb = reviewed(sheet)
    ws = wb[review.FIGURES_SHEET]
    h = headers(ws)
    r = figure_row(ws, "science.tasks_managed")
    proposed = ws.cell(r, h["Giá trị"]).value
    ws.cell(r, h["Giá trị"]).value = proposed + 30
    ws.cell(r, h["Quyết định"]).value = "nhận"
    legal = wb[review.LEGAL_SHEET]
    lh = headers(legal)
    legal.cell(2, lh["Số hiệu"]).value = "99/QĐ-UBND"
    wb.save(sheet)
    before = snapshot(data)
    with pytest.raises(WorkbookError) as caught:
        accept(sheet, data)
    message = str(caught.value)
    letter = openpyxl.utils.get_column_letter(h["Giá trị"])
    assert (f"{sheet.name}:{review.FIGURES_SHEET}!{r}:Giá trị: ô {letter}{r} là đề xuất của giaoban ({proposed}) nhưng "
            f"đã bị sửa thành {proposed + 30}") in message
    assert "ghi giá trị đúng vào cột “Sửa giá trị” và chọn “sửa”" in message
    assert f"{review.LEGAL_SHEET}!2:Số hiệu: ô " in message and "“Sửa số hiệu”" in message
    assert snapshot(data) == before


def test_the_same_change_in_the_fix_column_is_accepted(sheet: Path, data: Path) -> None:
    wb = reviewed(sheet)
    ws = wb[review.FIGURES_SHEET]
    h = headers(ws)
    r = figure_row(ws, "science.tasks_managed")
    proposed = ws.cell(r, h["Giá trị"]).value
    ws.cell(r, h["Sửa giá trị"]).value = proposed + 30
    ws.cell(r, h["Quyết định"]).value = "sửa"
    wb.save(sheet)
    accept(sheet, data)
    values = [row["value"] for row in rows_of(data / "observations.csv") if row["indicator"] == "science.tasks_managed"]
    assert str(proposed + 30) in values


def test_excel_itself_refuses_an_edit_of_the_proposal_columns(proposed: Path) -> None:
    """The sheet is protected (no password); the grey cells of proposed rows are locked, the decision,
    `Sửa …` and analyst's columns and the empty rows for additions are not."""
    wb = openpyxl.load_workbook(proposed)
    for name in (review.FIGURES_SHEET, review.TASKS_SHEET, review.LEGAL_SHEET):
        ws = wb[name]
        assert ws.protection.sheet, name
        assert not ws.protection.autoFilter and not ws.protection.formatColumns  # still usable
        h = headers(ws)
        proposals = [r for r in range(2, ws.max_row + 1) if ws.cell(r, h["STT"]).value is not None]
        assert proposals, name
        first, extra = proposals[0], proposals[-1] + 1
        for header, column in h.items():
            editable = header == "Quyết định" or header.startswith("Sửa ") or header in ("Ghi chú", "Lĩnh vực",
                                                                                          "Chỉ tiêu liên quan")
            assert ws.cell(first, column).protection.locked is not editable, (name, header)
            assert ws.cell(extra, column).protection.locked is False, (name, header)  # a row for an addition


def test_the_period_drop_down_lists_every_n_months_and_takes_a_typed_year_to_date(proposed: Path) -> None:
    wb = openpyxl.load_workbook(proposed)
    lists = wb["_lists"]
    named = {c.value: [x.value for x in lists[c.column_letter][1:] if x.value] for c in lists[1]}
    assert {"2021-7M", "2021-10M", "2021-11M", "2021-9M", "2021-H1", "2021-FY"} <= set(named["periods"])
    column = next(c.column_letter for c in lists[1] if c.value == "periods")
    periods = [dv for dv in wb["Số liệu"].data_validations.dataValidation if f"${column}$" in (dv.formula1 or "")]
    assert periods and all(dv.errorStyle == "warning" for dv in periods)  # 2018-YTD-11-16 can be typed in
