"""Where a province stands among the others for one period: rank and median, for rankable indicators.

Only indicators whose catalogue row says `rankable` are ranked (a count of licences is; the number
of districts in a province is not). The rank is by value, highest first, among the provinces that
have a figure for the period: it says where a figure lies, not whether it is good.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from giaoban.briefing.succession import catalogue

__all__ = ["province_values", "rank_table"]


def province_values(peers: pd.DataFrame, indicator: str, measure: str = "level",
                    kind: str = "actual") -> pd.DataFrame:
    """Return one row per province code with a figure: columns `province`, `value`, `qualifier`,
    `report_id`, `quote`, sorted by value (highest first), then code.

    `peers` are observations with the reporting province's code in `province` (as
    `giaoban.inputs.Inputs.peers`). A province with several reports of the figure keeps the first
    report_id in alphabetical order. Refuses nothing.
    """
    cols = ["province", "value", "qualifier", "report_id", "quote"]
    if peers.empty:
        return pd.DataFrame(columns=cols)
    rows = peers[(peers["indicator"] == indicator) & (peers["measure"] == measure) & (peers["kind"] == kind)
                 & peers["province"].notna()]
    rows = rows.sort_values(["province", "report_id"], kind="stable").drop_duplicates("province")
    rows = rows.sort_values(["value", "province"], ascending=[False, True], kind="stable")
    for column in cols:
        if column not in rows:
            rows = rows.assign(**{column: None})
    return rows[cols].reset_index(drop=True)


def rank_table(peers: pd.DataFrame, province: str, indicators: pd.DataFrame | dict,
               kind: str = "actual") -> pd.DataFrame:
    """Return the standing of province code `province` on each rankable indicator it has a figure for.

    Columns: `indicator`, `measure`, `value`, `qualifier`, `rank` (1 = highest value; ties share the
    best rank), `n` (provinces with a figure, this one included), `median` (of those provinces),
    `order` (catalogue position). Indicators not `rankable` are left out. Refuses nothing.
    """
    cat = indicators if isinstance(indicators, dict) else catalogue(indicators)
    cols = ["indicator", "measure", "value", "qualifier", "rank", "n", "median", "order"]
    if peers.empty:
        return pd.DataFrame(columns=cols)
    rows: list[dict[str, Any]] = []
    chosen = peers[peers["kind"] == kind]
    for (indicator, measure), _ in chosen.groupby(["indicator", "measure"], sort=False):
        if not cat.get(indicator, {}).get("rankable", False):
            continue
        values = province_values(chosen, indicator, measure, kind)
        mine = values[values["province"] == province]
        if mine.empty:
            continue
        value = float(mine["value"].iloc[0])
        ranks = values["value"].astype(float).rank(method="min", ascending=False)
        rank = int(ranks[values["province"] == province].iloc[0])
        q = mine["qualifier"].iloc[0]
        rows.append({"indicator": indicator, "measure": measure, "value": value,
                     "qualifier": None if pd.isna(q) else q, "rank": rank, "n": len(values),
                     "median": float(values["value"].astype(float).median()),
                     "order": cat[indicator]["order"]})
    frame = pd.DataFrame(rows, columns=cols)
    return frame.sort_values(["order", "measure"], kind="stable").reset_index(drop=True)
