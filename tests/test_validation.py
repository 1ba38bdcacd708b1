"""`giaoban validate`: each kind of broken input, injected into a copy of `data/`, gives exit 1 and a
problem at the exact `file:row:column`; the repository's data pass with only the expected warning."""

from __future__ import annotations

import codecs
import csv
import io
import shutil
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from giaoban import paths
from giaoban.cli import app
from giaoban.data.validation import validate_data

from vietnamese_encodings import cp1258  # tests/vietnamese_encodings.py

DATA = paths.DATA
WARNING_003 = ("reports.csv:5:meeting_date: cảnh báo: ngày họp 19/01/2018 mâu thuẫn với kỳ 2018-FY: cuộc họp "
               "xem xét kỳ này phải trong khoảng 01/01/2019–31/03/2020; dữ liệu giữ ngày như văn bản viết "
               "(meeting_date_status = as_written)")


# ----------------------------------------------------------------------------------- helpers

@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the repository's data (without the map boundaries, which validation does not read)."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("geo"))
    return target


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


def set_cell(path: Path, line: int, column: str, value: str) -> str:
    """Set the cell of file line `line` (header = 1; no multi-line cells in the data) and return the old value."""
    rows = read_rows(path)
    i = rows[0].index(column)
    old, rows[line - 1][i] = rows[line - 1][i], value
    write_rows(path, rows)
    return old


def cell(path: Path, line: int, column: str) -> str:
    rows = read_rows(path)
    return rows[line - 1][rows[0].index(column)]


def line_of(path: Path, **match: str) -> int:
    """The file line of the first row whose columns equal `match`."""
    rows = read_rows(path)
    for n, row in enumerate(rows[1:], start=2):
        if all(row[rows[0].index(k)] == v for k, v in match.items()):
            return n
    raise AssertionError(f"no row {match} in {path}")


def append_row(path: Path, row: dict[str, str]) -> int:
    """Append a row (missing columns empty); return its line."""
    rows = read_rows(path)
    rows.append([row.get(c, "") for c in rows[0]])
    write_rows(path, rows)
    return len(rows)


def copy_row(path: Path, line: int, **changes: str) -> int:
    rows = read_rows(path)
    new = dict(zip(rows[0], rows[line - 1]), **changes)
    return append_row(path, new)


def rename_report(data: Path, old: str, new: str) -> None:
    """Rename a report in every table (so that only the id itself is wrong)."""
    for name in ("reports", "observations", "focus_tasks", "legal_refs"):
        path = data / f"{name}.csv"
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def problems(folder: Path) -> tuple[bool, list[str]]:
    report = validate_data(folder)
    return report.ok, report.lines()


def assert_problem(folder: Path, prefix: str, fragment: str, *, ok: bool = False) -> str:
    """Validation gives `ok` and a line starting with `folder/prefix` that contains `fragment`."""
    valid, lines = problems(folder)
    expected = f"{folder}/{prefix}"
    found = [line for line in lines if line.startswith(expected)]
    assert found, f"no line starts with {expected!r}:\n" + "\n".join(lines)
    assert any(fragment in line for line in found), f"{fragment!r} not in:\n" + "\n".join(found)
    assert valid is ok, "\n".join(lines)
    return next(line for line in found if fragment in line)


# ----------------------------------------------------------------------------------- the repository's data

def test_repository_data_is_valid_with_only_the_003_warning():
    report = validate_data(DATA)
    assert report.ok
    assert report.lines() == [f"{DATA}/{WARNING_003}"]
    assert "0 lỗi, 1 cảnh báo" in report.summary()


def test_cli_on_repository_data_exits_0_and_prints_the_warning(monkeypatch):
    monkeypatch.chdir(DATA.parent)
    result = CliRunner().invoke(app, ["validate", "--data", "data"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"data/{WARNING_003}"]


def test_cli_without_data_option_reads_the_project_data(monkeypatch):
    monkeypatch.chdir(DATA.parent)
    monkeypatch.delenv("GIAOBAN_DATA", raising=False)
    result = CliRunner().invoke(app, ["validate"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"data/{WARNING_003}"]


def test_cli_on_broken_data_exits_1_with_one_line_per_problem(data):
    reports, obs = data / "reports.csv", data / "observations.csv"
    set_cell(reports, 3, "province", "99")
    set_cell(obs, 4, "value", "mười")
    result = CliRunner().invoke(app, ["validate", "--data", str(data)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{data}/reports.csv:3:province: mã tỉnh “99” không có")
    assert lines[1].startswith(f"{data}/reports.csv:5:meeting_date: cảnh báo:")
    assert lines[2].startswith(f"{data}/observations.csv:4:value: giá trị “mười” không phải số")
    assert len(lines) == 3
    assert "KHÔNG hợp lệ: 2 lỗi, 1 cảnh báo" in result.stderr


def test_cli_on_a_missing_folder_exits_2(tmp_path):
    result = CliRunner().invoke(app, ["validate", "--data", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "không tìm thấy thư mục dữ liệu" in result.stderr


# ----------------------------------------------------------------------------------- reports

def test_unknown_province(data):
    set_cell(data / "reports.csv", 3, "province", "99")
    assert_problem(data, "reports.csv:3:province: ", "mã tỉnh “99” không có trong danh mục tỉnh")


def test_province_code_must_have_two_digits(data):
    set_cell(data / "reports.csv", 3, "province", "1")
    assert_problem(data, "reports.csv:3:province: ", "cần mã GSO đúng hai chữ số")


def test_province_code_with_spaces(data):
    set_cell(data / "reports.csv", 2, "province", " 46")
    line = assert_problem(data, "reports.csv:2:province: ", "khoảng trắng thừa")
    _, lines = problems(data)
    assert len([x for x in lines if ":2:province:" in x]) == 1, line


def test_province_named_for_a_unit_of_another_time(data):
    # code 15 is Yên Bái until 30/06/2025 and Lào Cai after: a 2020 report cannot be Lào Cai's
    rename_report(data, "yen-bai-2020-9m", "lao-cai-2020-9m")
    line = assert_problem(data, "reports.csv:3:province: ", "mã tỉnh 15 trong kỳ 2020-9M là Yên Bái")
    assert "không phải Lào Cai" in line


def test_province_not_in_force_during_the_period(data):
    shutil.copy(data / "sources" / "004_827c2f16ec2dc701.txt", data / "sources" / "005_test.txt")
    line = append_row(data / "reports.csv", {"report_id": "ha-giang-2025-fy", "province": "02",
                                             "period": "2025-FY", "title": "Tổng kết", "source_file": "005_test.txt",
                                             "visibility": "public"})
    assert_problem(data, f"reports.csv:{line}:province: ", "không có hiệu lực")


def test_report_id_must_follow_province_and_period(data):
    rename_report(data, "quang-ngai-2021-h1", "quang-ngai-2021-h2")
    assert_problem(data, "reports.csv:6:report_id: ", "cần “quang-ngai-2021-h1”")


def test_synthetic_report_ids_only_in_a_synthetic_folder(data):
    rename_report(data, "quang-ngai-2021-h1", "synthetic-quang-ngai-2021-h1")
    assert_problem(data, "reports.csv:6:report_id: ", "là dữ liệu giả lập")
    (data / "SYNTHETIC.md").write_text("Dữ liệu giả lập", encoding="utf-8")
    assert_problem(data, "reports.csv:2:report_id: ", "cần “synthetic-thua-thien-hue-2019-h1”")
    _, lines = problems(data)
    assert not any(":6:report_id:" in x for x in lines)


def test_duplicate_report_id(data):
    line = copy_row(data / "reports.csv", 4, source_file="000_c13fdb305f2800c7.txt")
    assert_problem(data, f"reports.csv:{line}:report_id: ", "trùng với dòng 4")


@pytest.mark.parametrize("value, fragment", [
    ("2019-H3", "kỳ không hợp lệ '2019-H3'"),
    ("2019-6M", "mã chuẩn “2019-H1”"),
    ("6 tháng đầu năm 2019", "cần dạng 2021-H1"),
])
def test_invalid_report_period(data, value, fragment):
    set_cell(data / "reports.csv", 2, "period", value)
    assert_problem(data, "reports.csv:2:period: ", fragment)


def test_meeting_date_contradicting_the_period_is_an_error(data):
    set_cell(data / "reports.csv", 2, "meeting_date", "2019-05-17")  # before the half year it reviews ends
    assert_problem(data, "reports.csv:2:meeting_date: ", "ngày họp 17/05/2019 mâu thuẫn với kỳ 2019-H1")


def test_as_written_for_a_fitting_date_warns(data):
    set_cell(data / "reports.csv", 5, "meeting_date", "2019-01-19")
    assert_problem(data, "reports.csv:5:meeting_date_status: cảnh báo: ", "cần stated", ok=True)


def test_meeting_date_without_status(data):
    set_cell(data / "reports.csv", 2, "meeting_date_status", "")
    assert_problem(data, "reports.csv:2:meeting_date_status: ", "cần meeting_date_status")


def test_invalid_meeting_date(data):
    set_cell(data / "reports.csv", 2, "meeting_date", "17/07/2019")
    assert_problem(data, "reports.csv:2:meeting_date: ", "(viết 2019-07-17)")


def test_unknown_source_file(data):
    set_cell(data / "reports.csv", 6, "source_file", "004_827c2f16ec2dc70.txt")
    assert_problem(data, "reports.csv:6:source_file: ", "không có văn bản nguồn “004_827c2f16ec2dc70.txt”")


def test_unused_source_text_warns(data):
    (data / "sources" / "005_new.txt").write_text("Bài mới", encoding="utf-8")
    assert_problem(data, "sources/005_new.txt: cảnh báo: ", "không thuộc báo cáo nào", ok=True)


# ----------------------------------------------------------------------------------- observations

def test_unknown_indicator(data):
    set_cell(data / "observations.csv", 2, "indicator", "science.tasks_managd")
    line = assert_problem(data, "observations.csv:2:indicator: ", "chỉ tiêu “science.tasks_managd” không có")
    assert "science.tasks_managed" in line  # the closest code is suggested


def test_invalid_observation_period(data):
    set_cell(data / "observations.csv", 2, "period", "2019-H3")
    assert_problem(data, "observations.csv:2:period: ", "kỳ không hợp lệ")


@pytest.mark.parametrize("value, fragment", [
    ("mười", "giá trị “mười” không phải số"),
    ("1,5", "(viết 1.5)"),
    ("-3", "giá trị âm “-3”"),
])
def test_non_numeric_or_negative_value(data, value, fragment):
    set_cell(data / "observations.csv", 4, "value", value)
    assert_problem(data, "observations.csv:4:value: ", fragment)


def test_fraction_of_a_count(data):
    obs = data / "observations.csv"
    line = line_of(obs, indicator="standards.instruments_verified")
    set_cell(obs, line, "value", "1.287")
    assert_problem(data, f"observations.csv:{line}:value: ", "cần số nguyên")


def test_negative_change_percent_is_allowed(data):
    obs = data / "observations.csv"
    line = line_of(obs, indicator="standards.instruments_verified")
    copy_row(obs, line, measure="change_percent", value="-5", unit="%")
    valid, lines = problems(data)
    assert valid, lines
    assert not any(":value: giá trị âm" in x for x in lines)


def test_percentage_over_its_maximum(data):
    obs = data / "observations.csv"
    line = line_of(obs, indicator="standards.iso_communes_percent")
    set_cell(obs, line, "value", "121")
    assert_problem(data, f"observations.csv:{line}:value: ", "vượt quá 100")


def test_percentage_of_plan_may_exceed_100(data):
    obs = data / "observations.csv"
    line = line_of(obs, indicator="finance.investment_disbursed_pct_plan")
    set_cell(obs, line, "value", "120.5")
    valid, lines = problems(data)
    assert valid, lines


def test_duplicate_figure(data):
    obs = data / "observations.csv"
    line = line_of(obs, indicator="inspection.fines")
    new = copy_row(obs, line)
    assert_problem(data, f"observations.csv:{new}:indicator: ", f"số liệu trùng với dòng {line}")


def test_quote_not_in_source(data):
    obs = data / "observations.csv"
    line = line_of(obs, indicator="inspection.fines")
    set_cell(obs, line, "quote", "tổng số tiền xử phạt vi phạm: 50.074.900 đồng")
    assert_problem(data, f"observations.csv:{line}:quote: ", "khác từ “900 đồng”")


def test_quote_with_a_plain_space_for_a_no_break_space(data):
    obs = data / "observations.csv"
    line = line_of(obs, indicator="standards.iso_communes_percent")
    quote = cell(obs, line, "quote")
    assert "\u00a0" in quote
    set_cell(obs, line, "quote", quote.replace("\u00a0", " "))
    assert_problem(data, f"observations.csv:{line}:quote: ", "chỉ khớp khi bỏ qua khác biệt khoảng trắng")


def test_quotes_are_compared_after_nfc(data):
    # a source text saved decomposed (NFD) still contains the NFC quotes
    source = data / "sources" / "004_827c2f16ec2dc701.txt"
    source.write_text(unicodedata.normalize("NFD", source.read_text(encoding="utf-8")), encoding="utf-8")
    valid, lines = problems(data)
    assert valid, lines
    assert lines == [f"{data}/{WARNING_003}"]


def test_decomposed_text_in_a_table_is_an_error(data):
    obs = data / "observations.csv"
    quote = cell(obs, 2, "quote")
    set_cell(obs, 2, "quote", unicodedata.normalize("NFD", quote))
    assert_problem(data, "observations.csv:2:quote: ", "chưa chuẩn hoá Unicode NFC")
    _, lines = problems(data)
    assert len([x for x in lines if ":2:quote:" in x]) == 1  # and not also "not found"


def test_value_not_written_in_the_quote_warns(data):
    obs = data / "observations.csv"
    line = line_of(obs, indicator="standards.instruments_verified")
    set_cell(obs, line, "value", "1288")
    assert_problem(data, f"observations.csv:{line}:value: cảnh báo: ", "không thấy giá trị 1288", ok=True)


def test_unrelated_observation_period_warns(data):
    obs = data / "observations.csv"
    line = line_of(obs, indicator="standards.instruments_verified")
    set_cell(obs, line, "period", "2019-H1")
    assert_problem(data, f"observations.csv:{line}:period: cảnh báo: ",
                   "kỳ 2019-H1 không liên quan đến kỳ 2021-H1", ok=True)


def test_observation_of_an_unknown_report(data):
    set_cell(data / "observations.csv", 2, "report_id", "thua-thien-hue-2019-h2")
    assert_problem(data, "observations.csv:2:report_id: ", "báo cáo “thua-thien-hue-2019-h2” không có trong reports.csv")


def test_empty_required_field(data):
    set_cell(data / "observations.csv", 3, "quote", "")
    assert_problem(data, "observations.csv:3:quote: ", "ô trống: cột quote bắt buộc")


def test_unknown_kind(data):
    set_cell(data / "observations.csv", 3, "kind", "Actual")
    assert_problem(data, "observations.csv:3:kind: ", "(viết “actual”)")


def test_money_in_another_unit(data):
    obs = data / "observations.csv"
    line = line_of(obs, indicator="inspection.fines")
    set_cell(obs, line, "unit", "triệu đồng")
    assert_problem(data, f"observations.csv:{line}:unit: ", "cần unit “đồng”")


def test_ratio_over_its_denominator(data):
    obs = data / "observations.csv"
    line = line_of(obs, indicator="inspection.fuel_samples_passed")
    set_cell(obs, line, "denominator", "12")
    assert_problem(data, f"observations.csv:{line}:value: ", "tử số 13 lớn hơn mẫu số 12")


# ----------------------------------------------------------------------------------- files and columns

def test_file_not_in_utf8(data):
    obs = data / "observations.csv"
    text = obs.read_text(encoding="utf-8")
    obs.write_bytes(cp1258(text))  # Windows-1258: tone marks as combining characters
    line = assert_problem(data, "observations.csv:2: ", "tệp không phải UTF-8 (có vẻ là")
    assert "CSV UTF-8" in line


def test_source_text_not_in_utf8(data):
    source = data / "sources" / "002_55c9933ae5842989.txt"
    source.write_bytes(source.read_text(encoding="utf-8").encode("utf-16"))
    assert_problem(data, "sources/002_55c9933ae5842989.txt:1: ", "tệp không phải UTF-8 (có vẻ là utf_16")


def test_bom_is_accepted_with_a_warning(data):
    reports = data / "reports.csv"
    reports.write_bytes(codecs.BOM_UTF8 + reports.read_bytes())
    assert_problem(data, "reports.csv:1: cảnh báo: ", "BOM", ok=True)


def test_crlf_line_endings_warn(data):
    reports = data / "reports.csv"
    reports.write_bytes(reports.read_bytes().replace(b"\n", b"\r\n"))
    assert_problem(data, "reports.csv: cảnh báo: ", "CRLF", ok=True)


def test_missing_column(data):
    obs = data / "observations.csv"
    rows = read_rows(obs)
    i = rows[0].index("unit")
    write_rows(obs, [r[:i] + r[i + 1:] for r in rows])
    assert_problem(data, "observations.csv:1:unit: ", "thiếu cột “unit”")


def test_extra_column(data):
    obs = data / "observations.csv"
    write_rows(obs, [r + (["source"] if n == 0 else [""]) for n, r in enumerate(read_rows(obs))])
    assert_problem(data, "observations.csv:1:source: ", "cột thừa “source”")


def test_misspelt_column(data):
    obs = data / "observations.csv"
    rows = read_rows(obs)
    rows[0][rows[0].index("unit")] = "Unit"
    write_rows(obs, rows)
    line = assert_problem(data, "observations.csv:1:Unit: ", "cần viết đúng “unit”")
    _, lines = problems(data)
    assert not any("thiếu cột" in x for x in lines), line


def test_row_with_too_many_fields(data):
    obs = data / "observations.csv"
    text = obs.read_text(encoding="utf-8").splitlines(keepends=True)
    text[4] = text[4].rstrip("\n") + ",x\n"
    obs.write_text("".join(text), encoding="utf-8")
    assert_problem(data, "observations.csv:5: ", "dòng có 13 ô nhưng tiêu đề có 12 cột")


def test_missing_table(data):
    (data / "legal_refs.csv").unlink()
    assert_problem(data, "legal_refs.csv: ", "không tìm thấy tệp")


# ----------------------------------------------------------------------------------- focus tasks, legal refs

def test_focus_task_not_after_the_report_period(data):
    tasks = data / "focus_tasks.csv"
    line = line_of(tasks, report_id="quang-ngai-2021-h1", ordinal="1")
    set_cell(tasks, line, "for_period", "2021-H1")
    assert_problem(data, f"focus_tasks.csv:{line}:for_period: ", "không ở sau kỳ 2021-H1 của báo cáo")


def test_focus_task_of_an_unknown_report(data):
    set_cell(data / "focus_tasks.csv", 2, "report_id", "hue-2019-h1")
    assert_problem(data, "focus_tasks.csv:2:report_id: ", "không có trong reports.csv")


def test_duplicate_focus_task(data):
    tasks = data / "focus_tasks.csv"
    line = line_of(tasks, report_id="quang-ngai-2021-h1", ordinal="2")
    set_cell(tasks, line, "ordinal", "1")
    assert_problem(data, f"focus_tasks.csv:{line}:ordinal: ", "nhiệm vụ trùng với dòng")


def test_focus_task_text_not_in_source(data):
    tasks = data / "focus_tasks.csv"
    set_cell(tasks, 3, "text", cell(tasks, 3, "text").replace("Tiếp tục", "Tiếp tục tập trung"))
    assert_problem(data, "focus_tasks.csv:3:text: ", "nội dung nhiệm vụ không có nguyên văn")


def test_unknown_area_of_a_focus_task(data):
    set_cell(data / "focus_tasks.csv", 3, "area", "sciences")
    assert_problem(data, "focus_tasks.csv:3:area: ", "lĩnh vực “sciences” không có")


def test_unknown_indicator_in_a_focus_task(data):
    set_cell(data / "focus_tasks.csv", 3, "indicators", "science.tasks_new;science.nothing")
    assert_problem(data, "focus_tasks.csv:3:indicators: ", "chỉ tiêu “science.nothing” không có")


@pytest.mark.parametrize("value, fragment", [
    ("2021-02-30", "ngày “2021-02-30” không có thật"),
    ("20/01/2021", "(viết 2021-01-20)"),
])
def test_legal_ref_with_an_invalid_date(data, value, fragment):
    refs = data / "legal_refs.csv"
    line = line_of(refs, number="43/QĐ-UBND")
    set_cell(refs, line, "date", value)
    assert_problem(data, f"legal_refs.csv:{line}:date: ", fragment)


def test_legal_ref_date_that_its_quote_contradicts_warns(data):
    refs = data / "legal_refs.csv"
    line = line_of(refs, number="43/QĐ-UBND")
    set_cell(refs, line, "date", "2021-01-21")
    assert_problem(data, f"legal_refs.csv:{line}:date: cảnh báo: ", "không có trong trích dẫn", ok=True)


def test_duplicate_legal_ref(data):
    refs = data / "legal_refs.csv"
    line = copy_row(refs, line_of(refs, number="43/QĐ-UBND"))
    assert_problem(data, f"legal_refs.csv:{line}:number: ", "văn bản trùng với dòng")


def test_legal_ref_of_an_unknown_report(data):
    set_cell(data / "legal_refs.csv", 2, "report_id", "thua-thien-hue-2019")
    assert_problem(data, "legal_refs.csv:2:report_id: ", "không có trong reports.csv")


# ----------------------------------------------------------------------------------- catalogue

def test_indicator_area_must_match_its_code(data):
    indicators = data / "reference" / "indicators.csv"
    set_cell(indicators, 2, "area", "technology")
    assert_problem(data, "reference/indicators.csv:2:area: ", "khác phần đầu của mã “science.tasks_managed”")


def test_summable_percentage(data):
    indicators = data / "reference" / "indicators.csv"
    line = line_of(indicators, code="standards.iso_communes_percent")
    set_cell(indicators, line, "summable_provinces", "true")
    assert_problem(data, f"reference/indicators.csv:{line}:summable_provinces: ", "tỷ lệ phần trăm không cộng được")


def test_indicator_flag_must_be_true_or_false(data):
    set_cell(data / "reference" / "indicators.csv", 2, "rankable", "yes")
    assert_problem(data, "reference/indicators.csv:2:rankable: ", "cần một trong true, false")


def test_duplicate_area_order(data):
    set_cell(data / "reference" / "areas.csv", 3, "order", "1")
    assert_problem(data, "reference/areas.csv:3:order: ", "thứ tự lĩnh vực trùng với dòng 2")


def test_problems_are_listed_by_file_then_line(data):
    set_cell(data / "observations.csv", 9, "kind", "x")
    set_cell(data / "observations.csv", 3, "kind", "x")
    set_cell(data / "reports.csv", 4, "visibility", "x")
    _, lines = problems(data)
    located = [x.split(": ", 1)[0].removeprefix(f"{data}/") for x in lines]
    assert located == ["reports.csv:4:visibility", "reports.csv:5:meeting_date", "observations.csv:3:kind",
                       "observations.csv:9:kind"]
