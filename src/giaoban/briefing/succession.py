"""Whose figures make up a province's territory in a period: its own, or its predecessors' summed.

On 1 July 2025 the 63 provincial units were merged into 34 (and on 1 January 2025 Thừa Thiên Huế
became the city of Huế). A page about a new unit reads, for a period before its creation, the
figures of the units that went into it: `territory_values` sums them where the indicator can be
added across provinces (`summable_provinces`) and every predecessor has a figure; otherwise it
shows each unit's figure and no sum. A page asked for an old unit after it ended points to its
successor (`ended_unit`).
"""

from __future__ import annotations

from typing import Any, Sequence

import pandas as pd

from giaoban.errors import ProvinceError
from giaoban.domain.periods import Period
from giaoban.briefing.values import NOT_SUMMABLE, PARTIAL, REPORTED, SUMMED, Part, Value, combine_qualifiers, flag

__all__ = ["report_unit_map", "members_in", "territory_values", "ended_unit", "Ended", "catalogue"]


def catalogue(indicators: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Return the indicator catalogue as code → row (dict), with the flags as bools and the row's
    position as `order`. Accepts frames read as text (`"true"`) or by `giaoban.data.inputs` (bools)."""
    out = {}
    for position, row in enumerate(indicators.to_dict("records")):
        for name in ("summable_provinces", "summable_periods", "rankable"):
            row[name] = flag(row.get(name))
        row["order"] = position
        out[row["code"]] = row
    return out


def report_unit_map(reports: pd.DataFrame, units: Sequence[Any]) -> dict[str, Any]:
    """Return report_id → the unit of `units` its `province` code named in its `period`.

    Reports of other units (or with no province) are left out. Refuses nothing: a period code that
    cannot be read leaves the report out (`giaoban validate` reports it).
    """
    out: dict[str, Any] = {}
    for report_id, code, period in zip(reports["report_id"], reports["province"], reports["period"]):
        if pd.isna(code):
            continue
        try:
            p = Period.parse(period)
        except Exception:
            continue
        for unit in units:
            if unit.code == code and unit.in_force_on(p):
                out[report_id] = unit
                break
    return out


def members_in(units: Sequence[Any], period: Period) -> list[Any]:
    """Return the units of `units` (a unit and its predecessors) in force at the end of `period`:
    the unit itself, or, before it existed, the units that went into it (in the given order)."""
    return [u for u in units if u.in_force_on(period)]


def _choose(rows: list[dict], meta: dict[str, tuple], period_code: str) -> tuple[dict, tuple[tuple[str, float], ...]]:
    """The row to use among several reports giving one figure: the report of that period, then the
    one published last, then by report_id; and the (report_id, value) of those that differ."""

    def key(r: dict) -> tuple:
        report_period, published = meta.get(r["report_id"], (None, ""))
        return (report_period != period_code, _desc(published), r["report_id"])

    ranked = sorted(rows, key=key)
    first = ranked[0]
    others = tuple(
        (r["report_id"], float(r["value"])) for r in ranked[1:] if float(r["value"]) != float(first["value"])
    )
    return first, others


def _desc(published: Any) -> tuple:
    """Sort key putting the latest publication date first and missing dates last."""
    if published is None or (not isinstance(published, str) and pd.isna(published)):
        return (1, "")
    text = str(published)[:10]
    return (0, "".join(chr(0x10FFFF - ord(c)) for c in text))


def _na(v: Any) -> Any:
    return None if v is None or (not isinstance(v, str) and pd.isna(v)) else v


def territory_values(
    observations: pd.DataFrame,
    reports: pd.DataFrame,
    units: Sequence[Any],
    period: Period,
    indicators: pd.DataFrame | dict,
    *,
    kind: str = "actual",
) -> dict[tuple[str, str], Value]:
    """Return (indicator, measure) → `Value` of the territory of `units[0]` for `period`.

    `units` is the unit first, then its predecessors (`giaoban.data.inputs.lineage`). When one unit of
    them was in force at the end of the period, its figure is REPORTED. When several were (the
    period is before the unit was formed), the figure is SUMMED if the indicator is
    `summable_provinces` and every one of them has a figure; otherwise PARTIAL or NOT_SUMMABLE,
    with each unit's figure and no sum. Only observations of `kind` ("actual" or "plan") whose own
    `period` is `period` are read; when several reports of one unit give the figure, the report of
    that period published last is used and the others' differing values are kept in `Part.others`.
    Refuses nothing; (indicator, measure) pairs with no figure are absent from the result.
    """
    cat = indicators if isinstance(indicators, dict) else catalogue(indicators)
    members = members_in(units, period)
    if not members or observations.empty:
        return {}
    unit_of = report_unit_map(reports, members)
    obs = observations[
        (observations["period"] == period.code)
        & (observations["kind"] == kind)
        & observations["report_id"].isin(set(unit_of))
    ]
    if obs.empty:
        return {}
    published = reports["published_date"] if "published_date" in reports else [None] * len(reports)
    meta = {rid: (p, pub) for rid, p, pub in zip(reports["report_id"], reports["period"], published)}
    groups: dict[tuple[str, str], dict[Any, list[dict]]] = {}
    for row in obs.to_dict("records"):
        by_unit = groups.setdefault((row["indicator"], row["measure"]), {})
        by_unit.setdefault(unit_of[row["report_id"]], []).append(row)
    out: dict[tuple[str, str], Value] = {}
    for (indicator, measure), by_unit in groups.items():
        parts = []
        for unit in members:
            if unit not in by_unit:
                continue
            row, others = _choose(by_unit[unit], meta, period.code)
            parts.append(
                Part(
                    unit,
                    float(row["value"]),
                    _na(row.get("qualifier")),
                    _na(row.get("denominator")),
                    row["report_id"],
                    _na(row.get("quote")) or "",
                    others,
                )
            )
        if len(members) == 1:
            p = parts[0]
            out[(indicator, measure)] = Value(REPORTED, p.value, p.qualifier, p.denominator, (p,), tuple(members))
            continue
        summable = cat.get(indicator, {}).get("summable_provinces", False)
        if not summable:
            out[(indicator, measure)] = Value(NOT_SUMMABLE, parts=tuple(parts), units=tuple(members))
        elif len(parts) < len(members):
            out[(indicator, measure)] = Value(PARTIAL, parts=tuple(parts), units=tuple(members))
        else:
            dens = [p.denominator for p in parts]
            den = sum(dens) if all(d is not None for d in dens) else None
            out[(indicator, measure)] = Value(
                SUMMED,
                sum(p.value for p in parts),
                combine_qualifiers(p.qualifier for p in parts),
                den,
                tuple(parts),
                tuple(members),
            )
    return out


class Ended:
    """A unit that no longer existed in the period asked for, and the unit that then held its land."""

    def __init__(self, unit: Any, successor: Any, period: Period) -> None:
        self.unit, self.successor, self.period = unit, successor, period

    def __repr__(self) -> str:
        return f"Ended({self.unit.name_vi!r} → {self.successor.name_vi!r}, {self.period.code})"


def ended_unit(registry: Any, code: str, period: Period) -> Ended | None:
    """Return `Ended` when GSO `code` named a unit that ended before the end of `period` and no
    unit with that code is in force then (Kon Tum, 62, in 2025-H2 → Quảng Ngãi); else None.

    Refuses nothing; an unknown code gives None (the caller's look-up reports it).
    """
    try:
        registry.get(code, on=period)
        return None
    except ProvinceError:
        pass
    ended = [u for u in registry if u.code == code and u.valid_to is not None and u.valid_to < period.end]
    if not ended:
        return None
    unit = max(ended, key=lambda u: u.valid_to)
    try:
        successor = registry.successor_of(unit, on=period)
    except ProvinceError:
        return None
    return Ended(unit, successor, period)
