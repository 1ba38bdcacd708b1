"""Each figure of a period against the same period a year earlier and the previous period of its kind.

Comparisons are between like periods only (2021-H1 with 2020-H1 and with 2020-H2); figures of
overlapping periods are never added. A row is kept when any of the compared periods has a figure,
so that a missing one shows as "không có số liệu" instead of dropping the row.
"""

from __future__ import annotations

from typing import Any, Sequence

import pandas as pd

from giaoban.errors import PeriodError
from giaoban.domain.periods import Period
from giaoban.briefing.succession import catalogue, territory_values
from giaoban.briefing.values import MISSING_VALUE

__all__ = ["ROLES", "comparison_periods", "compare", "key_figures"]

#: The columns of a comparison, in order.
ROLES = ("current", "year_earlier", "previous")


def comparison_periods(period: Period) -> list[tuple[str, Period]]:
    """Return [(role, period)] for "current", "year_earlier" and "previous", without repeats.

    For an N-month period (2020-9M) the previous period of its kind is the year earlier, so only
    "current" and "year_earlier" are returned; a neighbour before 1975 is left out.
    """
    out = [("current", period)]
    for role, step in (("year_earlier", Period.year_earlier), ("previous", Period.previous)):
        try:
            other = step(period)
        except PeriodError:
            continue
        if all(other != p for _, p in out):
            out.append((role, other))
    return out


def compare(
    observations: pd.DataFrame,
    reports: pd.DataFrame,
    units: Sequence[Any],
    period: Period,
    indicators: pd.DataFrame,
    *,
    roles: Sequence[tuple[str, Period]] | None = None,
) -> pd.DataFrame:
    """Return one row per (indicator, measure) with a figure in any compared period.

    Columns: `indicator`, `measure`, `area`, `order` (catalogue position), `value_type`, `label_vi`,
    `label_en`, `unit_vi`, `unit_en`, and one column per role of `comparison_periods(period)`
    (or `roles`) holding a `Value` (MISSING when that period has no figure). Rows are in catalogue
    order; indicators absent from the catalogue come last, under their code. Refuses nothing.
    """
    cat = catalogue(indicators)
    roles = list(roles) if roles is not None else comparison_periods(period)
    by_role = {role: territory_values(observations, reports, units, p, cat) for role, p in roles}
    keys: list[tuple[str, str]] = []
    for values in by_role.values():
        keys.extend(k for k in values if k not in keys)
    rows = []
    for indicator, measure in keys:
        row = cat.get(indicator, {})
        record = {
            "indicator": indicator,
            "measure": measure,
            "area": row.get("area", indicator.split(".")[0]),
            "order": row.get("order", len(cat)),
            "value_type": row.get("value_type", "count"),
            "label_vi": row.get("label_vi", indicator),
            "label_en": row.get("label_en", indicator),
            "unit_vi": row.get("unit_vi", ""),
            "unit_en": row.get("unit_en", ""),
            "rankable": row.get("rankable", False),
        }
        for role, _ in roles:
            record[role] = by_role[role].get((indicator, measure), MISSING_VALUE)
        rows.append(record)
    columns = [
        "indicator",
        "measure",
        "area",
        "order",
        "value_type",
        "label_vi",
        "label_en",
        "unit_vi",
        "unit_en",
        "rankable",
        *(r for r, _ in roles),
    ]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["order", "indicator", "measure"], kind="stable").reset_index(drop=True)


def key_figures(compared: pd.DataFrame, areas: pd.DataFrame, per_area: int = 2) -> pd.DataFrame:
    """Return the first `per_area` rows of each area (catalogue order) whose current value has a
    number or unit-by-unit figures, areas in their `order`. Refuses (ValueError) `per_area` < 1."""
    if per_area < 1:
        raise ValueError("per_area must be at least 1")
    if compared.empty:
        return compared
    area_order = {code: int(o) for code, o in zip(areas["code"], areas["order"])}
    shown = compared[[v.parts != () for v in compared["current"]]]
    shown = shown.assign(_area=shown["area"].map(area_order).fillna(len(area_order)))
    shown = shown.sort_values(["_area", "order"], kind="stable").groupby("area", sort=False).head(per_area)
    return shown.drop(columns="_area").reset_index(drop=True)
