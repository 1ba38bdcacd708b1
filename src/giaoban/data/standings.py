"""Where each province stands among the others in a period: rank, number of provinces and median, per
rankable indicator.

Only indicators whose catalogue row says `rankable` are ranked (a count of licences is; the number of
districts in a province is not). The rank is by value, highest first, among the provinces that have a
figure for the period: it says where a figure lies, not whether it is good. A briefing reads its
province's rows only (`giaoban.data.inputs`), so a figure of another province changes a briefing only when
it moves that province's rank, the count or the median.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import pandas as pd

__all__ = ["standings", "of_province", "ranking", "spread_values"]


def ranking(indicators: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """Return indicator code → {"rankable", "order"} of the catalogue's indicators
    (`Dataset.catalogue.indicators`, in catalogue order): the `catalogue` that `standings` takes."""
    return {i.code: {"rankable": i.rankable, "order": n} for n, i in enumerate(indicators)}


def standings(peers: pd.DataFrame, catalogue: Mapping[str, Mapping[str, Any]], kind: str = "actual") -> pd.DataFrame:
    """Return the standing of every province on each rankable indicator it has a figure for.

    Columns: `province`, `indicator`, `measure`, `value`, `qualifier`, `rank` (1 = highest value; ties
    share the best rank), `n` (provinces with a figure), `median` (of those provinces), `spread` (every
    province's value, lowest first, as text `v;v;…`: what a briefing's strip chart draws, without names;
    `spread_values` reads it), `order` (catalogue position); sorted by `order`, `measure`, `province`. `peers` are observations with the
    reporting province's code in `province`; a province with several reports of a figure keeps the first
    report_id in alphabetical order. `catalogue` maps indicator code → {"rankable": bool, "order": int};
    indicators not rankable are left out. Refuses nothing.
    """
    cols = ["province", "indicator", "measure", "value", "qualifier", "rank", "n", "median", "spread", "order"]
    rankable = {code for code, row in catalogue.items() if row.get("rankable", False)}
    rows = (
        peers[(peers["kind"] == kind) & peers["province"].notna() & peers["indicator"].isin(rankable)]
        if not peers.empty
        else peers
    )
    if rows.empty:
        return pd.DataFrame(columns=cols)
    rows = rows.sort_values(["province", "report_id"], kind="stable").drop_duplicates(
        ["indicator", "measure", "province"]
    )
    value = rows["value"].astype(float)
    by = value.groupby([rows["indicator"], rows["measure"]], sort=False)
    frame = pd.DataFrame(
        {
            "province": rows["province"],
            "indicator": rows["indicator"],
            "measure": rows["measure"],
            "value": value,
            "qualifier": rows["qualifier"],
            "rank": by.rank(method="min", ascending=False).astype(int),
            "n": by.transform("size").astype(int),
            "median": by.transform("median").astype(float),
            "spread": by.transform(lambda v: ";".join(repr(float(x)) for x in sorted(v))).astype(str),
            "order": rows["indicator"].map(lambda c: catalogue[c]["order"]),
        }
    )
    return frame.sort_values(["order", "measure", "province"], kind="stable").reset_index(drop=True)


def of_province(table: pd.DataFrame, province: str) -> pd.DataFrame:
    """Return the rows of a `standings` table for province code `province`, without its `province` column."""
    return table[table["province"] == province].drop(columns="province").reset_index(drop=True)


def spread_values(spread: str) -> list[float]:
    """Return the values of a `standings` row's `spread` text (lowest first); "" gives []."""
    return [float(x) for x in str(spread).split(";") if x]
