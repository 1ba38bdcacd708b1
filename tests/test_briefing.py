"""The analysis behind the briefings, on plain frames: comparisons, sums over predecessor units,
ranks and medians, focus tasks, sources, and the Markdown escaping of everything from the data."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from giaoban.briefing import i18n
from giaoban.briefing import (compare, comparison_periods, ended_unit, follow_up, key_figures, latest_before,
                              province_values, rank_table, tasks_due, tasks_next, territory_values)
from giaoban.briefing.sources import Notes, locate
from giaoban.briefing.values import (MISSING, NOT_SUMMABLE, PARTIAL, REPORTED, SUMMED, change_text,
                                     combine_qualifiers, format_amount, value_text)
from giaoban.data.inputs import lineage
from giaoban.domain.periods import Period
from giaoban.domain.provinces import load_provinces
from giaoban.briefing.tables import EMPTY, Raw, escape, markdown_table
from giaoban.paths import DATA

P = Period.parse
INDICATORS = pd.read_csv(DATA / "reference" / "indicators.csv", dtype=str, keep_default_na=False)
AREAS = pd.read_csv(DATA / "reference" / "areas.csv", dtype={"order": int}, keep_default_na=False)


@pytest.fixture(scope="module")
def reg():
    return load_provinces()


@pytest.fixture(scope="module")
def old_qn(reg):
    return reg.get("51", on=date(2021, 6, 30))


@pytest.fixture(scope="module")
def new_qn(reg):
    return reg.get("51", on=date(2025, 8, 1))


def reports(*rows):
    """A reports frame: rows of (report_id, province, period[, published_date])."""
    out = []
    for r in rows:
        rid, province, period, *rest = r
        out.append({"report_id": rid, "province": province, "period": period,
                    "published_date": rest[0] if rest else None, "title": f"Báo cáo {rid}",
                    "source_file": f"{rid}.txt", "meeting_type": None, "meeting_date": None,
                    "meeting_date_status": None, "source_url": None})
    return pd.DataFrame(out)


def obs(*rows):
    """An observations frame: rows of (report_id, indicator, period, value[, qualifier[, denominator
    [, kind[, measure]]]])."""
    out = []
    for r in rows:
        rid, ind, period, value, *rest = r
        q, den, kind, measure = (list(rest) + [None, None, "actual", "level"][len(rest):])[:4]
        out.append({"report_id": rid, "indicator": ind, "period": period, "kind": kind, "measure": measure,
                    "value": float(value), "qualifier": q, "denominator": den, "quote": f"{rid}: {ind} {value}"})
    return pd.DataFrame(out)


# ------------------------------------------------------------------ comparisons

def test_comparison_periods_are_like_periods_without_repeats():
    assert comparison_periods(P("2021-H1")) == [("current", P("2021-H1")), ("year_earlier", P("2020-H1")),
                                                ("previous", P("2020-H2"))]
    assert comparison_periods(P("2020-Q1"))[2] == ("previous", P("2019-Q4"))
    # the previous period of a nine-month period is the same months a year earlier: one column
    assert comparison_periods(P("2020-9M")) == [("current", P("2020-9M")), ("year_earlier", P("2019-9M"))]
    assert comparison_periods(P("1975-FY")) == [("current", P("1975-FY"))]


def test_compare_puts_each_figure_beside_a_year_earlier_and_the_previous_period(old_qn):
    r = reports(("a", "51", "2021-H1"), ("b", "51", "2020-H1"), ("c", "51", "2020-H2"))
    o = obs(("a", "science.tasks_managed", "2021-H1", 44), ("b", "science.tasks_managed", "2020-H1", 40),
            ("c", "standards.instruments_verified", "2020-H2", 1000),
            ("a", "finance.plan_tasks", "2021-H2", 55, None, None, "plan"))
    c = compare(o, r, (old_qn,), P("2021-H1"), INDICATORS)
    assert list(c["indicator"]) == ["science.tasks_managed", "standards.instruments_verified"]  # catalogue order
    row = c.iloc[0]
    assert (row["current"].number, row["year_earlier"].number) == (44, 40)
    assert row["previous"].status == MISSING                      # kept, shown as "no data"
    assert change_text(row["current"], row["year_earlier"], "count", "vi") == "+4; +10%"
    row = c.iloc[1]
    assert row["current"].status == MISSING and row["previous"].number == 1000
    assert "finance.plan_tasks" not in set(c["indicator"])        # plans are not figures of the period


def test_missing_values_say_no_data_in_both_languages(old_qn):
    r = reports(("b", "51", "2020-H1"))
    c = compare(obs(("b", "science.tasks_managed", "2020-H1", 40)), r, (old_qn,), P("2021-H1"), INDICATORS)
    assert value_text(c.iloc[0]["current"], "count", "vi") == "*không có số liệu*"
    assert value_text(c.iloc[0]["current"], "count", "en") == "*no data*"


def test_change_is_not_computed_for_approximate_figures(old_qn):
    r = reports(("a", "51", "2021-H1"), ("b", "51", "2020-H1"))
    o = obs(("a", "startup.trainees", "2021-H1", 500, "more_than"), ("b", "startup.trainees", "2020-H1", 300))
    c = compare(o, r, (old_qn,), P("2021-H1"), INDICATORS)
    assert change_text(c.iloc[0]["current"], c.iloc[0]["year_earlier"], "count", "vi") == ""
    assert value_text(c.iloc[0]["current"], "count", "vi") == "trên 500"


def test_percentages_change_in_points():
    r = reports(("a", "38", "2019-FY"), ("b", "38", "2018-FY"))
    unit = load_provinces().get("38")
    o = obs(("a", "standards.iso_communes_percent", "2019-FY", 35.5),
            ("b", "standards.iso_communes_percent", "2018-FY", 21))
    c = compare(o, r, (unit,), P("2019-FY"), INDICATORS)
    assert change_text(c.iloc[0]["current"], c.iloc[0]["year_earlier"], "percent", "vi") == "+14,5 điểm %"
    assert change_text(c.iloc[0]["current"], c.iloc[0]["year_earlier"], "percent", "en") == "+14.5 pp"


def test_key_figures_take_the_first_figures_of_each_area_in_catalogue_order(old_qn):
    r = reports(("a", "51", "2021-H1"))
    o = obs(("a", "standards.samples_tested", "2021-H1", 271), ("a", "standards.instruments_verified", "2021-H1", 1287),
            ("a", "standards.instruments_passed", "2021-H1", 1209), ("a", "science.tasks_managed", "2021-H1", 44))
    k = key_figures(compare(o, r, (old_qn,), P("2021-H1"), INDICATORS), AREAS, per_area=2)
    assert list(k["indicator"]) == ["science.tasks_managed", "standards.instruments_verified",
                                    "standards.instruments_passed"]
    with pytest.raises(ValueError):
        key_figures(k, AREAS, per_area=0)


# ------------------------------------------------------------------ succession: sums over predecessors

def test_a_new_unit_sums_its_predecessors_where_the_indicator_is_summable(reg, new_qn):
    units = lineage(new_qn, reg)
    assert {u.code for u in units[1:]} == {"51", "62"}            # old Quảng Ngãi and Kon Tum
    r = reports(("qn", "51", "2024-H1"), ("kt", "62", "2024-H1"))
    o = obs(("qn", "science.tasks_managed", "2024-H1", 44), ("kt", "science.tasks_managed", "2024-H1", 10),
            ("qn", "standards.iso_communes_percent", "2024-H1", 21), ("kt", "standards.iso_communes_percent", "2024-H1", 30),
            ("qn", "inspection.fuel_samples_passed", "2024-H1", 13, None, 14),
            ("kt", "inspection.fuel_samples_passed", "2024-H1", 5, None, 6),
            ("qn", "startup.trainees", "2024-H1", 500, "more_than"), ("kt", "startup.trainees", "2024-H1", 120),
            ("qn", "ip.workshops", "2024-H1", 2))
    v = territory_values(o, r, units, P("2024-H1"), INDICATORS)
    summed = v[("science.tasks_managed", "level")]
    assert (summed.status, summed.number, len(summed.parts)) == (SUMMED, 54, 2)
    assert "tổng 2 đơn vị" in value_text(summed, "count", "vi")
    ratio = v[("inspection.fuel_samples_passed", "level")]
    assert (ratio.number, ratio.denominator) == (18, 20)
    assert v[("startup.trainees", "level")].qualifier == "more_than"       # more than 500 + 120 = more than 620
    share = v[("standards.iso_communes_percent", "level")]
    assert share.status == NOT_SUMMABLE and share.number is None          # percentages are never added
    assert "21%" in value_text(share, "percent", "vi") and "30%" in value_text(share, "percent", "vi")
    partial = v[("ip.workshops", "level")]
    assert partial.status == PARTIAL and partial.number is None           # Kon Tum has no figure: no sum
    assert "Kon Tum không có" in value_text(partial, "count", "vi")


def test_after_the_merger_a_new_unit_reads_only_its_own_figures(reg, new_qn):
    units = lineage(new_qn, reg)
    r = reports(("new", "51", "2025-H2"), ("kt", "62", "2025-H1"))
    o = obs(("new", "science.tasks_managed", "2025-H2", 60), ("kt", "science.tasks_managed", "2025-H1", 10))
    v = territory_values(o, r, units, P("2025-H2"), INDICATORS)
    assert v[("science.tasks_managed", "level")].status == REPORTED
    assert v[("science.tasks_managed", "level")].number == 60


def test_an_old_unit_never_reads_another_units_figures(old_qn):
    r = reports(("qn", "51", "2021-H1"), ("kt", "62", "2021-H1"))
    o = obs(("qn", "science.tasks_managed", "2021-H1", 44), ("kt", "science.tasks_managed", "2021-H1", 10))
    v = territory_values(o, r, (old_qn,), P("2021-H1"), INDICATORS)
    assert v[("science.tasks_managed", "level")].number == 44


def test_hue_reads_thua_thien_hue_before_2025_and_says_whose_figure_it_is(reg):
    hue = reg.get("46", on=date(2025, 3, 1))
    units = lineage(hue, reg)
    r = reports(("tth", "46", "2019-H1"))
    v = territory_values(obs(("tth", "science.tasks_managed", "2019-H1", 25)), r, units, P("2019-H1"), INDICATORS)
    value = v[("science.tasks_managed", "level")]
    assert value.status == REPORTED and value.number == 25
    assert value_text(value, "count", "vi", target=hue) == "25 (Thừa Thiên Huế)"


def test_two_reports_of_one_figure_use_the_latest_report_of_that_period_and_keep_the_other(old_qn):
    r = reports(("early", "51", "2021-H1", "2021-07-01"), ("late", "51", "2021-H1", "2021-07-23"))
    o = obs(("early", "science.tasks_managed", "2021-H1", 40), ("late", "science.tasks_managed", "2021-H1", 44))
    value = territory_values(o, r, (old_qn,), P("2021-H1"), INDICATORS)[("science.tasks_managed", "level")]
    assert value.number == 44 and value.parts[0].others == (("early", 40.0),)
    assert "các báo cáo ghi khác" in value_text(value, "count", "vi")


def test_combine_qualifiers():
    assert combine_qualifiers([None, None]) is None
    assert combine_qualifiers(["more_than", None]) == "more_than"
    assert combine_qualifiers(["more_than", "almost"]) == "about"


def test_an_old_unit_after_the_merger_points_to_its_successor(reg):
    ended = ended_unit(reg, "62", P("2025-H2"))
    assert ended.unit.name_vi == "Kon Tum" and ended.successor.code == "51" and ended.successor.valid_from
    assert ended_unit(reg, "62", P("2021-H1")) is None            # still in force
    assert ended_unit(reg, "51", P("2025-H2")) is None            # code 51 is the new Quảng Ngãi then
    assert ended_unit(reg, "99", P("2025-H2")) is None            # unknown: the caller reports it


# ------------------------------------------------------------------ ranks and medians

def peers(*rows):
    """(province, indicator, value[, kind]) → observations with the reporting province's code in `province`."""
    frame = obs(*[(f"r{p}", ind, "2021-H1", v, None, None, kind) for p, ind, v, *k in rows
                  for kind in [k[0] if k else "actual"]])
    return frame.assign(province=[p for p, *_ in rows])


def test_rank_and_median_among_the_provinces_with_a_figure():
    frame = peers(("51", "science.tasks_managed", 20), ("01", "science.tasks_managed", 30),
                  ("79", "science.tasks_managed", 30), ("15", "science.tasks_managed", 10),
                  ("01", "science.tasks_new", 99, "plan"), ("51", "science.district_units_guided", 8),
                  ("01", "science.district_units_guided", 9))
    table = rank_table(frame, "51", INDICATORS)
    assert list(table["indicator"]) == ["science.tasks_managed"]   # district_units_guided is not rankable
    row = table.iloc[0]
    assert (row["rank"], row["n"], row["median"]) == (3, 4, 25.0)  # 30, 30 share rank 1
    assert rank_table(frame, "01", INDICATORS).iloc[0]["rank"] == 1
    assert rank_table(frame, "46", INDICATORS).empty                # no figure: not ranked
    assert rank_table(frame.iloc[0:0], "51", INDICATORS).empty


def test_province_values_keep_one_figure_per_province_highest_first():
    frame = peers(("51", "science.tasks_managed", 20), ("01", "science.tasks_managed", 30))
    frame = pd.concat([frame, frame.iloc[[0]].assign(report_id="r51-bis", value=25.0)], ignore_index=True)
    values = province_values(frame, "science.tasks_managed")
    assert list(values["province"]) == ["01", "51"] and list(values["value"]) == [30.0, 20.0]


# ------------------------------------------------------------------ focus tasks (real data: Yên Bái 2020-9M)

@pytest.fixture(scope="module")
def yen_bai():
    read = lambda name: pd.read_csv(DATA / name, dtype=str, keep_default_na=False).replace("", pd.NA)  # noqa: E731
    r = read("reports.csv")
    o = read("observations.csv").astype({"value": float})
    f = read("focus_tasks.csv").astype({"ordinal": int})
    return r[r["province"] == "15"].reset_index(drop=True), o, f


def test_the_seven_tasks_of_the_nine_month_report_are_the_next_periods(yen_bai):
    r, _, f = yen_bai
    nxt = tasks_next(f, r, P("2020-9M"))
    assert list(nxt["ordinal"]) == [1, 2, 3, 4, 5, 6, 7]
    assert set(nxt["for_period"]) == {"2020-Q4"}
    assert tasks_due(f, r, P("2020-9M")).empty


def test_the_seven_tasks_are_due_in_the_fourth_quarter_with_what_the_data_says(yen_bai):
    r, o, f = yen_bai
    unit = load_provinces().get("15", on=date(2020, 12, 31))
    due = tasks_due(f, r, P("2020-Q4"))
    assert len(due) == 7 and set(due["report_period"]) == {"2020-9M"}
    assert due.iloc[0]["text"].startswith("Tiếp tục tổ chức triển khai thực hiện tốt các nhiệm vụ KH&CN")
    evidence = follow_up(due, o, r, (unit,), P("2020-Q4"), INDICATORS)
    first = {e.indicator: e for e in evidence[0]}
    assert first["science.tasks_new"].current.status == MISSING      # no report for 2020-Q4
    period, value = first["science.tasks_new"].latest
    assert period == P("2020-9M") and value.number == 12             # the latest figure before, with its period
    assert evidence[4] == []                                          # task 5 has no indicator
    assert latest_before(o, r, (unit,), P("2020-9M"), "science.tasks_new", INDICATORS) is None


# ------------------------------------------------------------------ formatting and sources

@pytest.mark.parametrize(("number", "value_type", "lang", "text"), [
    (1287, "count", "vi", "1.287"), (1287, "count", "en", "1,287"),
    (50074800, "money", "vi", "50.074.800 đồng"), (50074800, "money", "en", "50,074,800 VND"),
    (11497000000, "money", "vi", "11,497 tỷ đồng"), (99.88, "percent", "vi", "99,88%"),
    (99.88, "percent", "en", "99.88%"), (46, "percent", "vi", "46%"),
])
def test_figures_are_written_the_vietnamese_way(number, value_type, lang, text):
    assert format_amount(number, value_type, lang) == text


def test_ratio_and_qualifier():
    assert format_amount(13, "count", "vi", denominator=14) == "13/14"
    assert format_amount(500, "count", "en", qualifier="more_than") == "more than 500"


def test_notes_number_each_quote_once_and_find_its_line():
    r = reports(("a", "51", "2021-H1"))
    notes = Notes(r, {"a": "dòng một\nthực hiện kiểm định 1.287 phương tiện đo"})

    class Part:
        def __init__(self, quote):
            self.report_id, self.quote = "a", quote

    assert notes.mark([Part("kiểm định 1.287")]) == r"[\[1\]](#src-1){.src-mark}"
    assert notes.mark([Part("không có trong văn bản"), Part("kiểm định 1.287")]) == (
        r"[\[2\]](#src-2){.src-mark}[\[1\]](#src-1){.src-mark}")
    text = notes.markdown("vi")
    assert "([dòng 2](/sources/a.html#L2){.gb-source}) “kiểm định 1.287”" in text
    assert "⚠ không tìm thấy nguyên văn" in text
    assert locate("x", None) is None


# ------------------------------------------------------------------ escaping

def test_text_from_data_is_escaped():
    text = escape('<script>alert("x")</script> | *a* _b_ `c` & d')
    assert "<" not in text and ">" not in text
    assert "&lt;script&gt;" in text and "&amp; d" in text
    for ch in "|*_`":
        assert f"\\{ch}" in text and not re.search(rf"(?<!\\){re.escape(ch)}", text)


def test_escape_keeps_numbers_and_stops_lists():
    assert escape("1.287") == "1.287" and escape("50.074.800 đồng") == "50.074.800 đồng"
    assert escape("1. abc") == r"1\. abc" and escape("- x") == r"\- x"
    assert escape("dòng 1\n\n# dòng 2") == r"dòng 1 \# dòng 2"
    assert escape(None) == "" and escape(float("nan")) == "" and escape(Raw("**ok**")) == "**ok**"


def test_a_pipe_in_a_cell_does_not_split_the_row():
    table = markdown_table(["a", "b"], [["x|y", "<b>z</b>"]])
    row = table.splitlines()[2]
    assert len(re.findall(r"(?<!\\)\|", row)) == 3
    assert "&lt;b&gt;" in row
    with pytest.raises(ValueError):
        markdown_table(["a", "b"], [["only one"]])


def test_a_table_s_column_widths_count_what_its_cells_show():
    mark = Raw("[\\[249\\]](#src-249){.src-mark}")  # shows "[249]"
    table = markdown_table(["a", "b"], [[Raw(f"1.287 {mark}"), "x" * 10], [r"*không có*", "43/QĐ-UBND"]])
    rule = table.splitlines()[1]
    assert [cell.count("-") for cell in rule.strip("| ").split(" | ")] == [11, 10]


def test_messages_escape_their_values_and_exist_in_both_languages():
    assert str(i18n.t("no_report", "vi", province="<i>X</i>", period="kỳ")).startswith("Chưa có báo cáo của &lt;i&gt;")
    field = re.compile(r"{(\w+)}")
    for key, texts in i18n.MESSAGES.items():
        assert set(texts) == {"vi", "en"}, key
        assert set(field.findall(texts["vi"])) == set(field.findall(texts["en"])), key
    with pytest.raises(Exception):
        i18n.t("no_report", "fr", province="x", period="y")


def test_empty_displays_nothing():
    assert not EMPTY
    assert EMPTY._ipython_display_() is None


def test_a_year_to_date_period_has_its_series_and_labels_on_the_province_page():
    from giaoban.briefing.province_page import series_key, series_label, short_label

    ytd = Period.parse("2018-YTD-11-16")
    assert series_key(ytd) == ("YTD", 1116) == series_key(Period.parse("2019-YTD-11-16"))
    assert series_key(ytd) != series_key(Period.parse("2018-YTD-10-15"))
    assert series_label(series_key(ytd), "vi") == "từ đầu năm đến 16/11"
    assert series_label(series_key(ytd), "en") == "1 January to 16/11"
    assert short_label(ytd, "vi") == "đến 16/11\n2018"
