"""The rules of a briefing's highlights and the statuses of its focus tasks, on plain frames, and the
highlights of real and synthetic briefings."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from giaoban.briefing import compare, comparison_periods, follow_up, tasks_due
from giaoban.briefing import highlights as rules
from giaoban.briefing.focus import Evidence
from giaoban.briefing.values import MISSING_VALUE, REPORTED, Value
from giaoban.paths import DATA
from giaoban.domain.periods import Period
from giaoban.domain.provinces import load_provinces

P = Period.parse
INDICATORS = pd.read_csv(DATA / "reference" / "indicators.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def qn():
    return load_provinces().get("51", on=date(2021, 6, 30))


def reports(*rows):
    return pd.DataFrame([{"report_id": rid, "province": prov, "period": per, "published_date": None,
                          "title": f"Báo cáo {rid}", "source_file": f"{rid}.txt", "meeting_type": None,
                          "meeting_date": None, "meeting_date_status": None, "source_url": None}
                         for rid, prov, per in rows])


def obs(*rows):
    out = []
    for r in rows:
        rid, ind, period, value, *rest = r
        q, kind, measure = (list(rest) + [None, "actual", "level"][len(rest):])[:3]
        out.append({"report_id": rid, "indicator": ind, "period": period, "kind": kind, "measure": measure,
                    "value": float(value), "qualifier": q, "denominator": None, "quote": f"{rid}: {ind} {value}"})
    return pd.DataFrame(out)


R = reports(("a", "51", "2021-H1"), ("b", "51", "2020-H1"), ("c", "51", "2020-H2"))


def compared(qn, *rows):
    return compare(obs(*rows), R, (qn,), P("2021-H1"), INDICATORS)


def test_a_rise_and_a_fall_are_stated_largest_first_one_per_indicator(qn):
    c = compared(qn, ("a", "science.tasks_managed", "2021-H1", 60), ("b", "science.tasks_managed", "2020-H1", 40),
                 ("c", "science.tasks_managed", "2020-H2", 55),            # +50% a year earlier, +9% previous
                 ("a", "science.tasks_new", "2021-H1", 12), ("b", "science.tasks_new", "2020-H1", 20))  # -40%
    found, pairs = rules.changes(c)
    assert pairs == 3
    assert [(x.indicator, x.role) for x in found] == [("science.tasks_managed", "year_earlier"),
                                                      ("science.tasks_new", "year_earlier")]
    assert found[0].delta == 20 and found[0].relative == 50
    assert found[1].delta == -8 and found[1].relative == -40


def test_a_small_base_or_a_small_change_is_not_stated(qn):
    c = compared(qn, ("a", "science.tasks_new", "2021-H1", 6), ("b", "science.tasks_new", "2020-H1", 2),  # base 2
                 ("a", "science.tasks_managed", "2021-H1", 104), ("b", "science.tasks_managed", "2020-H1", 100))
    found, pairs = rules.changes(c)
    assert found == [] and pairs == 2                                     # comparable, but nothing to state


def test_approximate_figures_are_not_compared(qn):
    c = compared(qn, ("a", "startup.trainees", "2021-H1", 500, "more_than"), ("b", "startup.trainees", "2020-H1", 30))
    assert rules.changes(c) == ([], 0)


def test_a_province_with_no_earlier_period_has_nothing_to_compare(qn):
    c = compared(qn, ("a", "science.tasks_managed", "2021-H1", 44))
    assert rules.changes(c) == ([], 0)


def test_at_most_three_changes_are_kept(qn):
    codes = ["science.tasks_managed", "science.tasks_new", "science.tasks_carried_over", "science.tasks_approved"]
    rows = []
    for n, code in enumerate(codes):
        rows += [("a", code, "2021-H1", 100 + 20 * (n + 1)), ("b", code, "2020-H1", 100)]
    found, _ = rules.changes(compared(qn, *rows))
    assert [x.indicator for x in found] == codes[::-1][:3]


def _value(number, qualifier=None):
    return Value(REPORTED, number=float(number), qualifier=qualifier)


def test_plan_reached_and_missed_from_a_plan_figure_and_a_share_of_plan(qn):
    c = compared(qn, ("a", "science.tasks_managed", "2021-H1", 60), ("a", "science.tasks_new", "2021-H1", 9),
                 ("a", "finance.investment_disbursed_pct_plan", "2021-H1", 99.88, None, "actual", "percent_of_plan"))
    plans = {("science.tasks_managed", "level"): _value(50), ("science.tasks_new", "level"): _value(12)}
    shares = rules.plan_shares(c, plans)
    # lowest share first, at most two: 75% (missed), then 99.88% (missed, reported as % of plan)
    assert [(s.indicator, round(s.share, 2), s.reached) for s in shares] == [
        ("science.tasks_new", 75.0, False), ("finance.investment_disbursed_pct_plan", 99.88, False)]
    rules_max = dict(rules.RULES)
    try:
        rules.RULES["max_plan"] = 3
        reached = rules.plan_shares(c, plans)[-1]
        assert reached.indicator == "science.tasks_managed" and reached.reached and reached.share == 120
    finally:
        rules.RULES.clear()
        rules.RULES.update(rules_max)


def test_top_and_bottom_fifth_need_five_provinces():
    standing = pd.DataFrame([
        {"indicator": "a", "measure": "level", "rank": 1, "n": 10, "median": 5.0},
        {"indicator": "b", "measure": "level", "rank": 5, "n": 10, "median": 5.0},    # middle: not stated
        {"indicator": "c", "measure": "level", "rank": 10, "n": 10, "median": 5.0},
        {"indicator": "d", "measure": "level", "rank": 1, "n": 4, "median": 5.0},     # too few provinces
        {"indicator": "e", "measure": "level", "rank": 2, "n": 10, "median": 5.0},
    ])
    found = rules.standing_extremes(standing)
    assert [(s.indicator, s.top) for s in found] == [("a", True), ("c", False)]
    assert [s.indicator for s in rules.standing_extremes(standing.iloc[[4]])] == ["e"]


def ev(measure="level", current=MISSING_VALUE, plan=MISSING_VALUE):
    return Evidence("science.tasks_new", measure, current, plan, None)


def test_task_status_reached_missed_no_figure_and_not_measurable():
    assert rules.task_status([ev(current=_value(12), plan=_value(12))]).status == rules.REACHED
    assert rules.task_status([ev(current=_value(11), plan=_value(12))]).status == rules.MISSED
    assert rules.task_status([ev(plan=_value(12))]).status == rules.NO_FIGURE
    # a figure without a plan is followed, not judged
    assert rules.task_status([ev(current=_value(11))]).status == rules.NOT_MEASURABLE
    assert rules.task_status([]).status == rules.NOT_MEASURABLE
    # a figure given as a percentage of the plan is judged against 100%
    assert rules.task_status([ev("percent_of_plan", current=_value(100))]).status == rules.REACHED
    assert rules.task_status([ev("percent_of_plan", current=_value(99.88))]).status == rules.MISSED
    # "trên 12" reaches a plan of 12; "khoảng 12" cannot be held to it
    assert rules.task_status([ev(current=_value(12, "more_than"), plan=_value(12))]).status == rules.REACHED
    assert rules.task_status([ev(current=_value(12, "about"), plan=_value(12))]).status == rules.NO_FIGURE
    # several indicators: one missed makes the task missed; one unknown and one reached is unknown
    both = rules.task_status([ev(current=_value(12), plan=_value(12)), ev(plan=_value(3)), ev(current=_value(1))])
    assert both.status == rules.NO_FIGURE and both.per_evidence == (rules.REACHED, rules.NO_FIGURE, None)
    assert rules.task_status([ev(current=_value(12), plan=_value(12)),
                              ev(current=_value(1), plan=_value(3))]).status == rules.MISSED


def test_a_task_due_is_judged_against_the_plan_set_for_its_period(qn):
    r = reports(("b", "51", "2020-H2"), ("a", "51", "2021-H1"))
    o = obs(("a", "science.tasks_new", "2021-H1", 9), ("b", "science.tasks_new", "2021-H1", 12, None, "plan"))
    tasks = pd.DataFrame([{"report_id": "b", "for_period": "2021-H1", "ordinal": 1, "text": "Triển khai nhiệm vụ mới",
                           "area": "science", "indicators": "science.tasks_new"},
                          {"report_id": "b", "for_period": "2021-H1", "ordinal": 2, "text": "Tăng cường tuyên truyền",
                           "area": None, "indicators": None}])
    due = tasks_due(tasks, r, P("2021-H1"))
    evidence = follow_up(due, o, r, (qn,), P("2021-H1"), INDICATORS)
    assert [rules.task_status(e).status for e in evidence] == [rules.MISSED, rules.NOT_MEASURABLE]


# ------------------------------------------------------------------ real and synthetic briefings

def test_the_real_quang_ngai_briefing_says_in_one_sentence_that_it_has_nothing_to_compare():
    from giaoban.briefing import open_briefing

    page = open_briefing("51", "2021-H1", "vi")
    sentences = page.highlight_sentences()
    assert len(sentences) == 1 and str(sentences[0]).startswith("Chưa có gì để so sánh")
    en = open_briefing("51", "2021-H1", "en").highlight_sentences()
    assert len(en) == 1 and str(en[0]).startswith("Nothing to compare yet")
    assert "Điểm nổi bật" in page.highlights().data and "Cách chọn" in page.highlights().data


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    import importlib.util
    import sys

    from giaoban.paths import ROOT

    spec = importlib.util.spec_from_file_location("giaoban_benchmarks_synthetic", ROOT / "benchmarks" / "synthetic.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    out = tmp_path_factory.mktemp("synthetic") / "data"
    module.generate(out, seed=0, periods=4)
    return out


def test_a_synthetic_briefing_states_changes_plans_standing_and_tasks_with_their_marks(synthetic):
    from giaoban.briefing import open_briefing

    page = open_briefing("51", "2026-H1", "vi", synthetic)
    sentences = [str(s) for s in page.highlight_sentences()]
    again = [str(s) for s in open_briefing("51", "2026-H1", "vi", synthetic).highlight_sentences()]
    assert sentences == again                                            # deterministic
    assert 1 < len(sentences) <= 8
    assert any(" tăng " in s or " giảm " in s for s in sentences)
    assert any("kế hoạch" in s for s in sentences)
    assert any("một phần năm" in s for s in sentences)
    assert sentences[-1].startswith("Cuộc họp trước đặt")
    # every sentence but the tasks' summary carries its figure's note mark
    assert all("\\[" in s for s in sentences[:-1])


def test_a_synthetic_briefing_charts_compare_one_indicator_each_and_state_their_numbers(synthetic):
    from giaoban.briefing import charts
    from giaoban.briefing import open_briefing

    page = open_briefing("51", "2026-H1", "vi", synthetic)
    periods = page.periods_chart()
    chart, text = periods[0], periods[1]
    assert isinstance(chart, charts.Chart)
    keys = page.chart_indicators()
    # one panel (one axis) per indicator: no two indicators share a scale
    assert len(chart.figure.axes) == len(keys) >= 1
    for indicator, measure in keys:
        row = page._row(indicator, measure)
        assert row["label_vi"] in chart.alt
    history = page._history(*keys[0])
    assert all(p.label("vi") in chart.alt for p, _ in history)
    assert "6 tháng đầu năm 2026" in text.data
    data, meta = chart._repr_mimebundle_()
    assert meta["image/png"]["alt"] == chart.alt and meta["image/png"]["width"] > 0
    peers = page.peers_chart()
    strip = peers[0]
    assert len(strip.figure.axes) == len(page.peers_chart_rows().head(6))   # a strip per indicator
    assert "trung vị" in strip.alt and "thứ " in strip.alt and "Quảng Ngãi" in strip.alt


def test_the_real_briefing_leaves_out_comparison_columns_without_any_figure():
    from giaoban.briefing import open_briefing

    page = open_briefing("51", "2021-H1", "vi")
    table = page.area_table("science").data
    assert "Kỳ này (6 tháng đầu năm 2021)" in table and "Cùng kỳ năm trước" not in table
    assert "bỏ cột này khỏi các bảng" in page.areas_heading().data
    from giaoban.briefing.tables import EMPTY

    # one report, one province with a figure: nothing to chart like with like, so no chart at all
    assert page.periods_chart() is EMPTY and page.peers_chart() is EMPTY and page.charts_heading() is EMPTY


def test_every_phrase_has_both_languages_with_the_same_placeholders():
    import string

    from giaoban.briefing.phrases import PHRASES, plain, say

    for key, texts in PHRASES.items():
        assert set(texts) == {"vi", "en"} and all(texts.values()), key
        names = [{f for _, f, _, _ in string.Formatter().parse(texts[lang]) if f} for lang in ("vi", "en")]
        assert names[0] == names[1], key
    assert str(say("count_reached", "vi", n="2")) == "2 đạt"
    assert plain("chart_text", "vi", text="a & b") == "Số liệu của biểu đồ: a & b"
    assert "&amp;" in str(say("chart_text", "vi", text="a & b")) or "\\&" in str(say("chart_text", "vi", text="a & b"))
    with pytest.raises(KeyError):
        say("change_up", "vi", label="x")
