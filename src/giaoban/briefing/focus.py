"""Focus tasks: those set for this period at the last meeting (and what the data says of each), and
those this period's report sets for the next one.

A report reviews its period and sets focus tasks (`focus_tasks.for_period`) for a later one: the
Yên Bái report of 2020-9M sets seven tasks for 2020-Q4. So the 2020-9M briefing lists them as the
tasks of the next period, and the 2020-Q4 briefing lists them as set for this period, each with the
figures of its `indicators` for 2020-Q4 (or "no data"), the plan figure for 2020-Q4 if a report gave
one, and the latest figure before 2020-Q4 with its period.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import pandas as pd

from giaoban.errors import PeriodError
from giaoban.domain.periods import Period
from giaoban.briefing.succession import catalogue, report_unit_map, territory_values
from giaoban.briefing.values import MISSING_VALUE, Value

__all__ = ["tasks_due", "tasks_next", "Evidence", "follow_up", "latest_before", "split_indicators", "plans_for"]


def split_indicators(cell: Any) -> list[str]:
    """Return the indicator codes of a `focus_tasks.indicators` cell (`;`-separated; empty → [])."""
    if cell is None or (not isinstance(cell, str) and pd.isna(cell)):
        return []
    return [c.strip() for c in str(cell).split(";") if c.strip()]


def _with_report(tasks: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    meta = reports.drop_duplicates("report_id").set_index("report_id")
    return tasks.assign(
        report_period=tasks["report_id"].map(meta["period"]),
        report_title=tasks["report_id"].map(meta["title"]),
        indicator_list=[split_indicators(c) for c in tasks.get("indicators", pd.Series([None] * len(tasks)))],
    )


def _sorted(tasks: pd.DataFrame) -> pd.DataFrame:
    return tasks.sort_values(["for_period", "report_period", "report_id", "ordinal"], kind="stable").reset_index(
        drop=True
    )


def tasks_due(focus_tasks: pd.DataFrame, reports: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Return the focus tasks set for `period` (`for_period` equal to its code) by the given reports,
    with `report_period`, `report_title` and `indicator_list` added, in report and ordinal order.

    Tasks of reports not in `reports` are left out (a briefing passes its province's reports).
    """
    mine = focus_tasks[
        focus_tasks["report_id"].isin(set(reports["report_id"])) & (focus_tasks["for_period"] == period.code)
    ]
    return _sorted(_with_report(mine, reports))


def tasks_next(focus_tasks: pd.DataFrame, reports: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Return the focus tasks set by the reports that review `period`, whatever period they are set
    for (usually the next one), with the columns of `tasks_due`."""
    own = set(reports.loc[reports["period"] == period.code, "report_id"])
    mine = focus_tasks[focus_tasks["report_id"].isin(own)]
    return _sorted(_with_report(mine, reports))


@dataclass(frozen=True)
class Evidence:
    """What the data says of one indicator of a task: the figure of the period, the plan for it,
    and the latest figure before it (with its period), each possibly missing."""

    indicator: str
    measure: str
    current: Value
    plan: Value
    latest: tuple[Period, Value] | None


def latest_before(
    observations: pd.DataFrame,
    reports: pd.DataFrame,
    units: Sequence[Any],
    period: Period,
    indicator: str,
    indicators: pd.DataFrame | dict,
    measure: str = "level",
    *,
    cache: dict | None = None,
) -> tuple[Period, Value] | None:
    """Return (period, Value) of the most recent period that ends before `period` starts and has an
    actual figure of `indicator` for the territory; None when there is none. Periods ending the same
    day prefer the shorter (the more recent start). `cache` (period → territory values) may be shared
    between calls on the same frames."""
    cat = indicators if isinstance(indicators, dict) else catalogue(indicators)
    cache = {} if cache is None else cache
    mine = set(report_unit_map(reports, units))
    rows = observations[
        (observations["indicator"] == indicator)
        & (observations["measure"] == measure)
        & (observations["kind"] == "actual")
        & observations["report_id"].isin(mine)
    ]
    candidates = []
    for code in set(rows["period"]):
        try:
            p = Period.parse(code)
        except PeriodError:
            continue
        if p.end < period.start:
            candidates.append(p)
    for p in sorted(candidates, key=lambda p: (p.end, p.start), reverse=True):
        if p not in cache:
            cache[p] = territory_values(observations, reports, units, p, cat)
        value = cache[p].get((indicator, measure))
        if value is not None and value.parts:
            return p, value
    return None


def _measures(values: dict, indicator: str) -> list[str]:
    found = [m for (i, m) in values if i == indicator]
    return found or ["level"]


def follow_up(
    tasks: pd.DataFrame,
    observations: pd.DataFrame,
    reports: pd.DataFrame,
    units: Sequence[Any],
    period: Period,
    indicators: pd.DataFrame | dict,
) -> list[list[Evidence]]:
    """Return, for each row of `tasks` (as from `tasks_due`), the `Evidence` of each of its indicators
    for `period`: actual figure, plan figure, latest figure before. Refuses nothing."""
    cat = indicators if isinstance(indicators, dict) else catalogue(indicators)
    actual = territory_values(observations, reports, units, period, cat)
    plan = territory_values(observations, reports, units, period, cat, kind="plan")
    cache: dict = {}
    out = []
    for codes in tasks["indicator_list"]:
        evidence = []
        for code in codes:
            for measure in _measures({**actual, **plan}, code):
                evidence.append(
                    Evidence(
                        code,
                        measure,
                        actual.get((code, measure), MISSING_VALUE),
                        plan.get((code, measure), MISSING_VALUE),
                        latest_before(observations, reports, units, period, code, cat, measure, cache=cache),
                    )
                )
        out.append(evidence)
    return out


def plans_for(observations: pd.DataFrame, reports: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Return the plan figures (`kind` plan) given by the reports that review `period`, for any later
    period: the targets this period's report sets. Columns as in observations."""
    own = set(reports.loc[reports["period"] == period.code, "report_id"])
    rows = observations[observations["report_id"].isin(own) & (observations["kind"] == "plan")]
    return rows.reset_index(drop=True)
