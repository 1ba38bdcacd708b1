"""`giaoban.data.dataset`: the validated data as typed frames; invalid data are refused; the data hash."""

from __future__ import annotations

import csv
import io
import shutil
import unicodedata
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from giaoban import paths
from giaoban.data.dataset import data_hash, load_dataset
from giaoban.errors import InputError
from giaoban.data.validation import InvalidDataError, validate_data

DATA = paths.DATA


@pytest.fixture
def data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("geo"))
    return target


@pytest.fixture(scope="module")
def ds():
    return load_dataset(DATA)


def set_cell(path: Path, line: int, column: str, value: str) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[line - 1][rows[0].index(column)] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


def test_frames_have_the_rows_of_the_files(ds):
    for name in ("reports", "observations", "focus_tasks", "legal_refs"):
        with (DATA / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        frame = getattr(ds, name)
        assert len(frame) == len(rows)
        assert list(frame.columns) == list(rows[0])
        assert list(frame.index) == list(range(len(rows)))


def test_codes_and_ids_are_strings_never_numbers(ds):
    reports = ds.reports.set_index("report_id")
    assert reports.loc["thua-thien-hue-2019-h1", "province"] == "46"
    assert isinstance(reports.loc["yen-bai-2020-9m", "province"], str)
    assert pd.isna(reports.loc["unknown-2013-fy", "province"])  # never guessed, never 0
    for frame in (ds.reports, ds.observations, ds.focus_tasks, ds.legal_refs):
        assert frame["report_id"].map(type).eq(str).all()
    assert pd.api.types.is_string_dtype(ds.reports["province"])


def test_periods_are_canonical_codes(ds):
    assert list(ds.reports["period"]) == ["2019-H1", "2020-9M", "2013-FY", "2018-FY", "2021-H1"]
    assert set(ds.focus_tasks["for_period"]) == {"2019-H2", "2020-Q4", "2014-FY", "2019-FY", "2021-H2"}
    assert ds.period_of("yen-bai-2020-9m").code == "2020-9M"


def test_dates_are_dates(ds):
    reports = ds.reports.set_index("report_id")
    assert pd.api.types.is_datetime64_dtype(ds.reports["meeting_date"])
    assert pd.api.types.is_datetime64_dtype(ds.legal_refs["date"])
    assert reports.loc["quang-ngai-2021-h1", "meeting_date"].date() == date(2021, 7, 23)
    assert reports.loc["thanh-hoa-2018-fy", "meeting_date"].date() == date(2018, 1, 19)  # as written
    assert pd.isna(reports.loc["yen-bai-2020-9m", "meeting_date"])
    assert ds.legal_refs["date"].isna().sum() == 2


def test_numbers_are_numbers(ds):
    obs = ds.observations
    assert obs["value"].dtype == "float64"
    assert obs["denominator"].dtype == "Int64"
    assert ds.focus_tasks["ordinal"].dtype == "int64"
    fines = obs[obs["indicator"] == "inspection.fines"].iloc[0]
    assert fines["value"] == 50_074_800
    ratio = obs[obs["indicator"] == "inspection.fuel_samples_passed"].iloc[0]
    assert (ratio["value"], ratio["denominator"]) == (13, 14)
    assert obs["denominator"].isna().sum() == len(obs) - 2


def test_sources_are_nfc_texts_by_file_name(ds):
    assert sorted(ds.sources) == sorted(p.name for p in (DATA / "sources").glob("*.txt"))
    text = ds.source_text("quang-ngai-2021-h1")
    assert text == ds.sources["004_827c2f16ec2dc701.txt"]
    assert unicodedata.is_normalized("NFC", text)
    for quote in ds.observations["quote"]:
        assert any(quote in t for t in ds.sources.values())


def test_catalogue_and_provinces_come_with_the_data(ds):
    assert set(ds.observations["indicator"]) <= set(ds.catalogue.codes)
    assert ds.province_of("yen-bai-2020-9m").name_vi == "Yên Bái"
    assert ds.province_of("thua-thien-hue-2019-h1").name_vi == "Thừa Thiên Huế"
    assert ds.province_of("unknown-2013-fy") is None


def test_warnings_are_kept(ds):
    assert len(ds.warnings) == 1
    assert ds.warnings[0].startswith(f"{DATA}/reports.csv:5:meeting_date: cảnh báo:")


def test_unknown_report_is_refused(ds):
    with pytest.raises(InputError, match="không có trong reports.csv"):
        ds.period_of("hue-2019-h1")


def test_invalid_data_are_refused_with_the_problems_validate_prints(data):
    set_cell(data / "observations.csv", 3, "value", "-1")
    set_cell(data / "reports.csv", 3, "province", "99")
    with pytest.raises(InvalidDataError) as raised:
        load_dataset(data)
    lines = validate_data(data).lines()
    message = str(raised.value)
    assert message.splitlines()[1:] == lines
    assert f"{data}/observations.csv:3:value: giá trị âm" in message
    assert isinstance(raised.value, InputError)


def test_each_load_gives_fresh_frames(data):
    first = load_dataset(data)
    first.observations.loc[0, "value"] = -1
    assert load_dataset(data).observations.loc[0, "value"] == 25


def test_a_changed_file_is_validated_again(data):
    load_dataset(data)
    set_cell(data / "observations.csv", 2, "period", "2019-H7")
    with pytest.raises(InvalidDataError, match="observations.csv:2:period"):
        load_dataset(data)


def test_nfd_source_is_loaded_as_nfc(data):
    source = data / "sources" / "000_c13fdb305f2800c7.txt"
    source.write_text(unicodedata.normalize("NFD", source.read_text(encoding="utf-8")), encoding="utf-8")
    text = load_dataset(data).sources[source.name]
    assert unicodedata.is_normalized("NFC", text)


# ----------------------------------------------------------------------------------- data_hash

def test_data_hash_is_stable_and_independent_of_the_folder(data):
    assert data_hash(data) == data_hash(data)
    other = data.parent / "elsewhere"
    shutil.copytree(data, other)
    assert data_hash(other) == data_hash(data)
    assert len(data_hash(data)) == 64


def test_data_hash_of_the_repository_is_recorded_by_the_dataset(ds):
    assert ds.hash == data_hash(DATA)


@pytest.mark.parametrize("change", ["csv", "source", "reference", "rename"])
def test_data_hash_changes_with_any_data_file(data, change):
    before = data_hash(data)
    if change == "csv":
        set_cell(data / "observations.csv", 2, "note", "khác")
    elif change == "source":
        path = data / "sources" / "003_f487bec8c971e30f.txt"
        path.write_bytes(path.read_bytes() + b" ")
    elif change == "reference":
        set_cell(data / "reference" / "areas.csv", 2, "label_en", "Science")
    else:
        (data / "sources" / "003_f487bec8c971e30f.txt").rename(data / "sources" / "003_other.txt")
    assert data_hash(data) != before


def test_data_hash_ignores_documentation_and_hidden_files(data):
    before = data_hash(data)
    (data / "README.md").write_text("khác", encoding="utf-8")
    (data / ".~lock.reports.csv#").write_text("x", encoding="utf-8")
    assert data_hash(data) == before


def test_data_hash_refuses_a_missing_folder(tmp_path):
    with pytest.raises(InputError, match="không tìm thấy thư mục dữ liệu"):
        data_hash(tmp_path / "nowhere")


def test_warnings_name_the_folder_as_given(monkeypatch):
    monkeypatch.chdir(DATA.parent)
    assert load_dataset("data").warnings[0].startswith("data/reports.csv:5:meeting_date: cảnh báo:")
    assert load_dataset(DATA).warnings[0].startswith(f"{DATA}/reports.csv:5:meeting_date: cảnh báo:")
