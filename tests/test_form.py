"""`giaoban form`: the entry form for a paper report is written with one row per indicator and its
drop-downs, filled with openpyxl, read back by `giaoban accept`, and the data then validate and hold
the typed figures, with a source text marked as transcribed from paper."""

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
from giaoban.reading.form import PAGE, write_form
from giaoban.data.dataset import load_catalogue
from giaoban.data.validation import validate_data
from giaoban.reading.workbook import WorkbookError

NEW_ID = "quang-ngai-2021-h1-2"  # data/ already has quang-ngai-2021-h1


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def rows_of(path: Path, report_id: str = NEW_ID) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["report_id"] == report_id]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(paths.DATA, target, ignore=shutil.ignore_patterns("geo"))
    return target


@pytest.fixture
def form(tmp_path: Path, data: Path) -> Path:
    return write_form("51", "2021-H1", tmp_path / "form.xlsx", data, meeting_type="sơ kết",
                      meeting_date="23/07/2021").path


def headers(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[1] if c.value}


def indicator_rows(ws) -> dict[str, int]:
    column = headers(ws)["Mã chỉ tiêu"]
    return {ws.cell(r, column).value: r for r in range(2, ws.max_row + 1) if ws.cell(r, column).value}


def type_figure(ws, code: str, value: object, quote: str, page: str, **more: object) -> int:
    h = headers(ws)
    row = indicator_rows(ws)[code]
    ws.cell(row, h["Giá trị"]).value = value
    ws.cell(row, h["Trích dẫn"]).value = quote
    ws.cell(row, h[PAGE]).value = page
    for header, v in more.items():
        ws.cell(row, h[header]).value = v
    return row


def set_meta(wb, label: str, value: object) -> int:
    ws = wb[review.REPORT_SHEET]
    for r in range(2, ws.max_row + 1):
        if str(ws.cell(r, 1).value).removesuffix(" *") == label:
            ws.cell(r, 2).value = value
            return r
    raise AssertionError(label)


def filled(form: Path) -> openpyxl.Workbook:
    wb = openpyxl.load_workbook(form)
    set_meta(wb, "Tiêu đề", "Báo cáo sơ kết công tác 6 tháng đầu năm 2021")
    set_meta(wb, "Nguồn bản giấy", "Báo cáo số 215/BC-SKHCN ngày 20/7/2021, bản scan lưu tại Văn phòng Sở")
    ws = wb["Số liệu"]
    type_figure(ws, "standards.instruments_verified", 1287, "đã kiểm định 1.287 phương tiện đo các loại",
                "tr. 3, dòng 12")
    type_figure(ws, "startup.trainees", 500, "cho trên 500 sinh viên", "tr. 5, dòng 2", **{"Mức độ": "trên",
                                                                                         "Đơn vị": "sinh viên"})
    type_figure(ws, "finance.budget_disbursed", "22.453 triệu đồng", "giải ngân 22.453 triệu đồng",
                "tr. 7, dòng 4")
    type_figure(ws, "inspection.fuel_samples_passed", 13, "13/14 mẫu xăng dầu đạt yêu cầu", "tr. 6, dòng 9",
                **{"Mẫu số": 14})
    tasks = wb["Nhiệm vụ trọng tâm"]
    th = headers(tasks)
    tasks.cell(2, th["Kỳ thực hiện"]).value = "2021-H2"
    tasks.cell(2, th["Nội dung"]).value = "đẩy mạnh các hoạt động dịch vụ kiểm định, thử nghiệm"
    tasks.cell(2, th["Lĩnh vực"]).value = "standards — Tiêu chuẩn, đo lường, chất lượng"
    tasks.cell(2, th[PAGE]).value = "tr. 8, dòng 3"
    return wb


def test_the_form_has_a_row_per_indicator_and_drop_downs(form: Path) -> None:
    wb = openpyxl.load_workbook(form)
    assert wb["_giaoban"].sheet_state == "hidden"
    marker = {r[0].value: r[1].value for r in wb["_giaoban"].iter_rows()}
    assert marker["kind"] == "form" and marker["province"] == "51" and marker["period"] == "2021-H1"
    ws = wb["Số liệu"]
    catalogue = load_catalogue(paths.DATA)
    assert list(indicator_rows(ws)) == catalogue.codes
    h = headers(ws)
    first_area = ws.cell(2, 1).value
    assert first_area == catalogue.areas[0].label_vi and ws.cell(2, h["Mã chỉ tiêu"]).value is None  # a heading
    row = indicator_rows(ws)["inspection.fines"]
    assert ws.cell(row, h["Đơn vị"]).value == "đồng" and ws.cell(row, h["Kiểu giá trị"]).value == "tiền (đồng)"
    assert ws.cell(row, h["Kỳ"]).value == "2021-H1" and ws.cell(row, h["Loại"]).value == "thực hiện"
    by_column = {}
    for dv in ws.data_validations.dataValidation:
        for cells in str(dv.sqref).split():
            by_column.setdefault(re.match(r"[A-Z]+", cells)[0], set()).add(dv.type)
    letter = {name: openpyxl.utils.get_column_letter(col) for name, col in h.items()}
    for header in ("Mức độ", "Loại", "Cách đo", "Kỳ"):
        assert by_column[letter[header]] == {"list"}, header
    assert by_column[letter["Giá trị"]] >= {"whole", "decimal"}
    meta = {str(r[0].value).removesuffix(" *"): r[1].value for r in wb["Báo cáo"].iter_rows(min_row=2)}
    assert meta["Tỉnh"] == "51 — Quảng Ngãi" and meta["Kỳ báo cáo"] == "2021-H1"
    assert meta["Mã báo cáo"] == NEW_ID and meta["Loại cuộc họp"] == "sơ kết"
    assert meta["Ngày họp"].date().isoformat() == "2021-07-23" and meta["Trạng thái ngày họp"] == "theo văn bản"
    assert meta["Tệp văn bản nguồn"] == f"{NEW_ID}-giay.txt"


def test_a_filled_form_becomes_valid_data(form: Path, data: Path) -> None:
    wb = filled(form)
    wb.save(form)

    result = accept(form, data)

    assert (result.report_id, result.figures, result.focus_tasks) == (NEW_ID, 4, 1)
    report = validate_data(data)
    assert report.ok, report.lines()
    figures = {r["indicator"]: r for r in rows_of(data / "observations.csv")}
    assert figures["standards.instruments_verified"]["value"] == "1287"
    assert figures["startup.trainees"]["qualifier"] == "more_than"
    assert figures["startup.trainees"]["unit"] == "sinh viên"
    assert figures["finance.budget_disbursed"]["value"] == "22453000000"
    assert figures["inspection.fuel_samples_passed"]["denominator"] == "14"
    assert {r["kind"] for r in figures.values()} == {"actual"}
    (reported,) = rows_of(data / "reports.csv")
    assert reported["province"] == "51" and reported["meeting_type"] == "so_ket"
    assert reported["source_file"] == f"{NEW_ID}-giay.txt"
    text = (data / "sources" / f"{NEW_ID}-giay.txt").read_text(encoding="utf-8")
    assert text.startswith("BẢN CHÉP TỪ BÁO CÁO GIẤY")
    assert "Báo cáo số 215/BC-SKHCN" in text and "[tr. 3, dòng 12] đã kiểm định 1.287 phương tiện đo" in text
    (task,) = rows_of(data / "focus_tasks.csv")
    assert (task["ordinal"], task["area"]) == ("1", "standards")


def test_a_figure_needs_its_quote_and_page(form: Path, data: Path) -> None:
    wb = filled(form)
    ws = wb["Số liệu"]
    h = headers(ws)
    row = indicator_rows(ws)["standards.samples_tested"]
    ws.cell(row, h["Giá trị"]).value = 271
    other = indicator_rows(ws)["ip.workshops"]
    ws.cell(other, h["Trích dẫn"]).value = "tổ chức 02 hội thảo"
    wb.save(form)
    before = snapshot(data)
    with pytest.raises(WorkbookError) as caught:
        accept(form, data)
    assert snapshot(data) == before
    assert f"{form}:Số liệu!{row}:Trích dẫn: ô trống: cần trích dẫn" in caught.value.lines
    assert any(line.startswith(f"{form}:Số liệu!{other}:Giá trị: chưa có giá trị") for line in caught.value.lines)


def test_a_form_with_a_formula_or_a_bad_value_changes_nothing(form: Path, data: Path) -> None:
    wb = filled(form)
    ws = wb["Số liệu"]
    h = headers(ws)
    row = indicator_rows(ws)["standards.instruments_verified"]
    ws.cell(row, h["Giá trị"]).value = "=1200+87"
    pct = type_figure(ws, "standards.iso_communes_percent", "nhiều", "21% số xã", "tr. 9, dòng 1")
    wb.save(form)
    before = snapshot(data)
    with pytest.raises(WorkbookError) as caught:
        accept(form, data)
    assert snapshot(data) == before
    lines = caught.value.lines
    assert any(line.startswith(f"{form}:Số liệu!{row}:Giá trị: ô ") and "công thức" in line for line in lines)
    assert any(line.startswith(f"{form}:Số liệu!{pct}:Giá trị: giá trị “nhiều” không phải số") for line in lines)


@pytest.mark.parametrize("province, period, message", [
    ("99", "2021-H1", "--province: không có tỉnh/thành phố nào mang mã “99”"),
    ("Atlantis", "2021-H1", "--province: không nhận ra tỉnh/thành phố “Atlantis”"),
    ("51", "2021-H3", "--period: kỳ không hợp lệ '2021-H3'"),
    ("Yên Bái", "2026-H1", "--province: “Yên Bái” không có hiệu lực"),
])
def test_unknown_options_write_nothing(tmp_path: Path, data: Path, province: str, period: str, message: str) -> None:
    out = tmp_path / "form.xlsx"
    with pytest.raises(InputError) as caught:
        write_form(province, period, out, data)
    assert str(caught.value).startswith(message), str(caught.value)
    assert not out.exists()
    result = CliRunner().invoke(app, ["form", "--province", province, "--period", period, "-o", str(out),
                                      "--data", str(data)])
    assert result.exit_code == 2 and message in result.output and not out.exists()


def test_the_commands_round_trip(tmp_path: Path, data: Path) -> None:
    out = tmp_path / "phieu.xlsx"
    runner = CliRunner()
    made = runner.invoke(app, ["form", "--province", "Quảng Ngãi", "--period", "2021-H1", "-o", str(out),
                               "--data", str(data)])
    assert made.exit_code == 0, made.output
    wb = filled(out)
    wb.save(out)
    taken = runner.invoke(app, ["accept", str(out), "--data", str(data)])
    assert taken.exit_code == 0, taken.output
    assert len(rows_of(data / "observations.csv")) == 4
    again = runner.invoke(app, ["accept", str(out), "--data", str(data)])
    assert again.exit_code == 1 and f"{out}:Báo cáo!2:Mã báo cáo: mã báo cáo “{NEW_ID}” đã có" in again.stdout
