"""The three pages built by the library, without a notebook: the cases a reader must never see as a
traceback (a unit that ended, a province or period without data) and, on the synthetic national
dataset, a new unit's history summed over its predecessors and ranks among the 34 units."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest

from giaoban.briefing import open_briefing, open_period, open_province
from giaoban.errors import InputError
from giaoban.briefing.tables import EMPTY

ROOT = Path(__file__).resolve().parents[1]


def text(output) -> str:
    return getattr(output, "data", "") or ""


def page_text(page, names) -> str:
    return "\n\n".join(text(getattr(page, n)()) for n in names)


# ------------------------------------------------------------------ real data

def test_an_old_unit_after_the_merger_gives_a_short_page_pointing_to_its_successor():
    page = open_briefing("62", "2025-H2", "vi")
    assert "Kon Tum (62)" in text(page.title())
    intro = text(page.intro())
    assert "đến hết ngày 30/06/2025" in intro and "tỉnh Quảng Ngãi (mã 51)" in intro
    for section in ("key_figures", "areas_heading", "ranks", "tasks_due", "tasks_next", "legal_refs", "sources"):
        assert getattr(page, section)() is EMPTY
    assert page.areas() == []
    assert "Quang Ngai province (code 51)" in text(open_briefing("62", "2025-H2", "en").intro())


def test_a_province_without_data_gives_a_short_page_that_says_so():
    page = open_briefing("01", "2021-H1", "vi")
    assert "Chưa có báo cáo của Hà Nội cho 6 tháng đầu năm 2021" in text(page.intro())
    assert "Không có số liệu nào của Hà Nội" in text(page.intro())
    for section in ("key_figures", "areas_heading", "ranks", "tasks_due", "tasks_next", "legal_refs", "sources"):
        assert getattr(page, section)() is EMPTY


def test_a_new_unit_says_its_history_is_the_sum_of_its_predecessors():
    intro = text(open_briefing("51", "2025-H2", "vi").intro())
    assert "Quảng Ngãi (mới) được thành lập ngày 01/07/2025 từ Quảng Ngãi và Kon Tum" in intro
    assert "tổng số liệu của các đơn vị này" in intro
    old = text(open_briefing("15", "2020-9M", "vi").intro())
    assert "Từ ngày 01/07/2025, Yên Bái cùng Lào Cai hợp thành tỉnh Lào Cai (mã 15)" in old
    renamed = text(open_briefing("46", "2019-H1", "vi").intro())
    assert "Từ ngày 01/01/2025, Thừa Thiên Huế trở thành thành phố Huế (mã 46)." in renamed
    hue = text(open_briefing("46", "2025-H1", "en").intro())
    assert "Before 1 January 2025 this unit was Thua Thien Hue" in hue


def test_the_meeting_of_the_briefing_is_named_once():
    page = open_briefing("51", "2021-H1", "vi", meeting_type="so_ket", meeting_date="2021-07-23")
    assert "Cuộc họp:" not in text(page.intro())                 # the report already names it
    assert text(page.intro()).count("họp ngày 23/07/2021") == 1
    page = open_briefing("15", "2020-Q4", "vi", meeting_type="giao_ban", meeting_date="2021-01-12")
    assert text(page.intro()).startswith("Cuộc họp: giao ban, ngày 12/01/2021.")
    plans = text(open_briefing("51", "2021-H1", "vi").tasks_next())
    assert "- Nhiệm vụ trong kế hoạch công tác của Sở: 55 [\\[" in plans  # the mark is a link


def test_a_contradictory_meeting_date_is_shown_as_written_and_flagged():
    intro = text(open_briefing("38", "2018-FY", "vi").intro())
    assert "họp ngày 19/01/2018 theo văn bản: ngày này mâu thuẫn với kỳ báo cáo" in intro


def test_parameters_a_reader_can_get_wrong_are_refused_with_a_message():
    with pytest.raises(InputError, match="ngôn ngữ"):
        open_briefing("51", "2021-H1", "fr")
    with pytest.raises(InputError):
        open_briefing("51", "2021-H3", "vi")
    with pytest.raises(InputError):
        open_briefing("00", "2021-H1", "vi")


def test_a_province_code_shared_by_two_units_asks_for_a_date():
    page = open_province("51")
    assert "Mã 51 ứng với nhiều đơn vị" in text(page.intro()) and "on=2025-07-01" in text(page.intro())
    assert page.areas() == [] and page.sources() is EMPTY
    new = open_province("51", on="2025-07-01")
    table = text(new.area_table("science"))
    # before 1 July 2025 the figures are the old Quảng Ngãi's, under its own name (issue 19: no more
    # "chưa đủ số liệu để cộng: Quảng Ngãi 44; Kon Tum không có" in every row)
    assert "| 6 tháng đầu năm 2021 (Quảng Ngãi) |" in table and "| Nhiệm vụ KH&amp;CN đang theo dõi, quản lý | 44 [" in table
    assert "chưa đủ số liệu" not in table and "Kon Tum" not in table
    assert new.sums() is EMPTY  # Kon Tum has no figure: no sum anywhere
    assert "ghi số liệu của tỉnh Quảng Ngãi khi đó" in text(new.trends_heading())
    en = open_province("51", on="2025-07-01", lang="en")
    assert text(en.intro()).startswith("1 report, 1 period with figures")


def test_the_period_page_without_reports_is_short():
    page = open_period("2022-H1", "en")
    assert "There is no report for first half of 2022" in text(page.intro())
    for section in ("map_heading", "map", "coverage", "figures_heading", "sources"):
        assert getattr(page, section)() is EMPTY


def test_the_period_page_lists_a_report_that_names_no_province():
    page = open_period("2013-FY", "vi")
    assert "Thêm 1 báo cáo không nêu tên tỉnh: unknown-2013-fy" in text(page.intro())
    assert "| Không rõ tỉnh | unknown-2013-fy |" in text(page.coverage())
    assert "Ranh giới của 63 đơn vị" in text(page.map_heading())  # the 63-unit boundaries of 2013


# ------------------------------------------------------------------ the synthetic national dataset

pytestmark_synthetic = pytest.mark.xdist_group("briefing-synthetic")


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    """A synthetic dataset: 63 units report 2024-FY and 2025-H1, the 34 new ones 2025-H2 and 2026-H1."""
    spec = importlib.util.spec_from_file_location("giaoban_benchmarks_synthetic_pages",
                                                  ROOT / "benchmarks" / "synthetic.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    out = tmp_path_factory.mktemp("national") / "data"
    module.generate(out, periods=4)
    return out


def _value(data: Path, province: str, period: str, indicator: str) -> float:
    reports = pd.read_csv(data / "reports.csv", dtype=str)
    obs = pd.read_csv(data / "observations.csv", dtype=str)
    ids = set(reports[(reports["province"] == province) & (reports["period"] == period)]["report_id"])
    row = obs[obs["report_id"].isin(ids) & (obs["indicator"] == indicator) & (obs["period"] == period)
              & (obs["kind"] == "actual")]
    return float(row["value"].iloc[0])


@pytestmark_synthetic
def test_a_new_units_year_earlier_is_the_sum_of_its_predecessors(national):
    page = open_briefing("51", "2026-H1", "vi", data_dir=national)
    row = page.compared[page.compared["indicator"] == "science.tasks_managed"].iloc[0]
    expected = _value(national, "51", "2025-H1", "science.tasks_managed") + _value(national, "62", "2025-H1",
                                                                                   "science.tasks_managed")
    assert row["year_earlier"].status == "summed" and row["year_earlier"].number == expected
    assert row["previous"].status == "reported"                    # 2025-H2: the new unit's own report
    share = page.compared[page.compared["indicator"] == "standards.iso_communes_percent"].iloc[0]
    assert share["year_earlier"].status == "not_summable" and share["year_earlier"].number is None
    table = text(page.area_table("science"))
    assert "(tổng 2 đơn vị)" in table
    ranks = text(page.ranks())
    assert "/34 |" in ranks and "Trung vị các tỉnh" in ranks
    assert "Nhiệm vụ trọng tâm đặt cho kỳ này" in text(page.tasks_due())
    assert page.area_chart("science") is not EMPTY


@pytestmark_synthetic
def test_synthetic_pages_period_and_province(national):
    before = open_period("2025-H1", "vi", indicator="standards.instruments_verified", data_dir=national)
    assert "63/63 đơn vị hành chính cấp tỉnh có báo cáo" in text(before.intro())
    assert before.map() is not EMPTY and before.ranking() is not EMPTY
    assert "| 63 |" in text(before.area_table("standards"))
    after = open_period("2026-H1", "en", data_dir=national)
    assert "34 of 34 provincial units" in text(after.intro())
    province = open_province("51", on="2025-07-01", data_dir=national)
    assert "Mỗi đường nối các kỳ cùng loại" in text(province.trends_heading())
    assert province.trend_chart("science") is not EMPTY            # 2025-H1 (old Quảng Ngãi), 2025-H2, 2026-H1
    heading_text = text(province.trends_heading())
    # the complete sums of Quảng Ngãi and Kon Tum, once, in their own table with a note
    assert heading_text.count("### Tổng của các đơn vị hợp thành") == 1 and "tổng số liệu của Quảng Ngãi và Kon Tum" in heading_text
    assert "tổng 2 đơn vị" in heading_text and "tổng 2 đơn vị" not in text(province.area_table("science"))
