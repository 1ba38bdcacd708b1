"""Where a province stands among the others for one period, as a briefing shows it: the figures of every
province for one indicator (`province_values`), and a province's rank and median on each rankable
indicator (`rank_table`, from `giaoban.data.standings`, which says what is ranked and how).
"""

from __future__ import annotations

import pandas as pd

from giaoban.briefing.succession import catalogue
from giaoban.data.standings import of_province, standings

__all__ = ["province_values", "rank_table"]


def province_values(peers: pd.DataFrame, indicator: str, measure: str = "level", kind: str = "actual") -> pd.DataFrame:
    """Return one row per province code with a figure: columns `province`, `value`, `qualifier`,
    `report_id`, `quote`, sorted by value (highest first), then code.

    `peers` are observations with the reporting province's code added in `province`. A province
    with several reports of the figure keeps the first report_id in alphabetical order. Refuses
    nothing.
    """
    cols = ["province", "value", "qualifier", "report_id", "quote"]
    if peers.empty:
        return pd.DataFrame(columns=cols)
    rows = peers[
        (peers["indicator"] == indicator)
        & (peers["measure"] == measure)
        & (peers["kind"] == kind)
        & peers["province"].notna()
    ]
    rows = rows.sort_values(["province", "report_id"], kind="stable").drop_duplicates("province")
    rows = rows.sort_values(["value", "province"], ascending=[False, True], kind="stable")
    for column in cols:
        if column not in rows:
            rows = rows.assign(**{column: None})
    return rows[cols].reset_index(drop=True)


def rank_table(
    peers: pd.DataFrame, province: str, indicators: pd.DataFrame | dict, kind: str = "actual"
) -> pd.DataFrame:
    """Return the standing of province code `province` on each rankable indicator it has a figure for:
    the rows of `giaoban.data.standings.standings` for that province, without the `province` column.
    Refuses nothing."""
    cat = indicators if isinstance(indicators, dict) else catalogue(indicators)
    return of_province(standings(peers, cat, kind), province)
