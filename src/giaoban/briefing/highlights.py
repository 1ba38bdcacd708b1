"""What stands out in a briefing: the facts its "Điểm nổi bật" / "Highlights" section states, chosen by
fixed rules (no judgement, no model), and the status of a focus task that has a plan figure.

The rules (`RULES` holds their numbers; the page states them in words):

1. **Changes.** A figure of this period against the same figure a year earlier and in the previous
   period of its kind, only where both are exact numbers of the same kind (no `trên`, both ratios or
   neither) and the earlier one is large enough to mean something: at least `min_base_count` for
   counts, `min_base_money` đồng for money. A change counts when it is at least `min_change_pct`
   per cent of the earlier figure (percentages: at least `min_change_points` points). The largest
   (by size relative to the earlier figure) are kept, one per indicator, at most `max_changes`.
2. **Plan.** The share of the plan reached: a figure reported as a percentage of the plan, or this
   period's figure against a plan figure set for this period. At most `max_plan`, the lowest share first.
3. **Standing.** A rankable figure in the top or the bottom fifth of the provinces with a figure for
   the period (rank ≤ ⌈n/5⌉, or > n − ⌈n/5⌉), only when at least `min_provinces` provinces have one.
   At most `max_standing`, the most extreme first.
4. **Focus tasks.** The tasks set for this period and how many the data shows reached, not reached,
   without a figure, or not measurable (`task_status`).

Everything here takes plain frames and `Value`s and returns dataclasses in a fixed order: the same
data gives the same highlights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import pandas as pd

from giaoban.briefing.focus import Evidence
from giaoban.briefing.values import Value

__all__ = [
    "RULES",
    "Change",
    "PlanShare",
    "Standing",
    "TaskStatus",
    "REACHED",
    "MISSED",
    "NO_FIGURE",
    "NOT_MEASURABLE",
    "changes",
    "plan_shares",
    "standing_extremes",
    "task_status",
    "evidence_status",
    "share_of_plan",
    "status_counts",
]

#: The numbers of the rules (see the module docstring).
RULES: dict[str, float] = {
    "min_base_count": 10,
    "min_base_money": 100_000_000,
    "min_change_pct": 10,
    "min_change_points": 5,
    "max_changes": 3,
    "max_plan": 2,
    "min_provinces": 5,
    "max_standing": 2,
}

REACHED = "reached"  # "đạt": the figure reaches the plan
MISSED = "missed"  # "chưa đạt": it is below the plan
NO_FIGURE = "no_figure"  # "chưa có số liệu": a plan, but no figure (or none exact enough) to hold it to
NOT_MEASURABLE = "not_measurable"  # "không đánh giá bằng số liệu": no indicator with a plan figure


@dataclass(frozen=True)
class Change:
    """A figure's change against one compared period (`role`): earlier and current `Value`s, the
    difference and its size relative to the earlier figure (`relative`, per cent; for percentages
    the difference in points)."""

    indicator: str
    measure: str
    role: str
    current: Value
    earlier: Value
    delta: float
    relative: float


@dataclass(frozen=True)
class PlanShare:
    """The share of the plan reached: `share` per cent, from a figure given as a percentage of the
    plan (`plan` None) or from `actual` against `plan`."""

    indicator: str
    measure: str
    share: float
    actual: Value
    plan: Value | None

    @property
    def reached(self) -> bool:
        """Return True when the share is at least 100 %."""
        return self.share >= 100


@dataclass(frozen=True)
class Standing:
    """A rankable figure in the top (`top` True) or bottom fifth: its rank among `n` provinces and their median."""

    indicator: str
    measure: str
    rank: int
    n: int
    median: float
    top: bool


@dataclass(frozen=True)
class TaskStatus:
    """The status of one focus task (`REACHED`, `MISSED`, `NO_FIGURE`, `NOT_MEASURABLE`) and the
    status of each of its indicators' evidence (None: that indicator has no plan figure)."""

    status: str
    per_evidence: tuple[str | None, ...]


def _exact(value: Value) -> bool:
    return value.exact and value.number is not None and not math.isnan(value.number)


def _big_enough(value_type: str, base: float) -> bool:
    if value_type == "money":
        return abs(base) >= RULES["min_base_money"]
    return abs(base) >= RULES["min_base_count"]


def changes(compared: pd.DataFrame, roles: Sequence[str] = ("year_earlier", "previous")) -> tuple[list[Change], int]:
    """Return (changes kept by rule 1, largest first; how many pairs of figures could be compared at all).

    `compared` is `giaoban.briefing.comparisons.compare`'s frame. A pair can be compared when both
    figures are exact and of the same kind; it is kept when its base and its change are large enough.
    Figures that are themselves changes (`change_percent`) are not compared again. Refuses nothing."""
    found: list[tuple[float, int, Change]] = []
    pairs = 0
    for position, row in enumerate(compared.to_dict("records") if not compared.empty else []):
        if row["measure"] == "change_percent":
            continue
        current: Value = row["current"]
        if not _exact(current):
            continue
        value_type = "percent" if row["measure"] == "percent_of_plan" else row["value_type"]
        best: Change | None = None
        for role in roles:
            earlier = row.get(role)
            if not isinstance(earlier, Value) or not _exact(earlier):
                continue
            if (current.denominator is None) != (earlier.denominator is None):
                continue
            pairs += 1
            delta = float(current.number) - float(earlier.number)
            if value_type == "percent":
                if abs(delta) < RULES["min_change_points"]:
                    continue
                relative = delta
            else:
                if not _big_enough(value_type, float(earlier.number)):
                    continue
                relative = delta / abs(float(earlier.number)) * 100
                if abs(relative) < RULES["min_change_pct"]:
                    continue
            change = Change(row["indicator"], row["measure"], role, current, earlier, delta, relative)
            if best is None or abs(change.relative) > abs(best.relative):
                best = change
        if best is not None:
            found.append((-abs(best.relative), position, best))
    found.sort(key=lambda t: (t[0], t[1]))
    return [c for _, _, c in found[: int(RULES["max_changes"])]], pairs


def share_of_plan(actual: Value, plan: Value) -> float | None:
    """Return `actual` as a percentage of `plan`, or None when either has no exact number, the plan
    is not positive, or they are ratios of different kinds."""
    if not (_exact(actual) and _exact(plan)) or float(plan.number) <= 0:
        return None
    if (actual.denominator is None) != (plan.denominator is None):
        return None
    return float(actual.number) / float(plan.number) * 100


def plan_shares(compared: pd.DataFrame, plans: Mapping[tuple[str, str], Value]) -> list[PlanShare]:
    """Return rule 2's shares of the plan (lowest first, then catalogue order), at most `max_plan`:
    rows of `compared` measured as a percentage of the plan, and this period's figures against the
    `plans` set for this period ((indicator, measure) → plan `Value`). Refuses nothing."""
    found: list[tuple[float, int, PlanShare]] = []
    for position, row in enumerate(compared.to_dict("records") if not compared.empty else []):
        current: Value = row["current"]
        key = (row["indicator"], row["measure"])
        if row["measure"] == "percent_of_plan" and _exact(current):
            found.append((float(current.number), position, PlanShare(*key, float(current.number), current, None)))
        elif key in plans:
            share = share_of_plan(current, plans[key])
            if share is not None:
                found.append((share, position, PlanShare(*key, share, current, plans[key])))
    found.sort(key=lambda t: (t[0], t[1]))
    return [s for _, _, s in found[: int(RULES["max_plan"])]]


def standing_extremes(standing: pd.DataFrame) -> list[Standing]:
    """Return rule 3's figures in the top or bottom fifth (`standing` is the province's rows of
    `giaoban.data.standings.standings`), the most extreme first, at most `max_standing`. Refuses nothing."""
    found: list[tuple[float, int, Standing]] = []
    if standing.empty:
        return []
    for position, r in enumerate(standing.to_dict("records")):
        n, rank = int(r["n"]), int(r["rank"])
        if n < RULES["min_provinces"]:
            continue
        fifth = math.ceil(n / 5)
        if rank <= fifth:
            top = True
        elif rank > n - fifth:
            top = False
        else:
            continue
        # how far from the middle: 0 for the first or the last, larger nearer the middle
        distance = (rank - 1) / n if top else (n - rank) / n
        found.append((distance, position, Standing(r["indicator"], r["measure"], rank, n, float(r["median"]), top)))
    found.sort(key=lambda t: (t[0], t[1]))
    return [s for _, _, s in found[: int(RULES["max_standing"])]]


def evidence_status(e: Evidence) -> str | None:
    """Return the status one indicator of a task gives: None when it has no plan figure for the
    period (and is not itself a percentage of the plan); else `REACHED` when this period's figure
    reaches the plan (100 % for a percentage of the plan), `MISSED` when it is below, `NO_FIGURE`
    when there is no figure, or one too vague to hold to the plan (`khoảng`, `gần`; `trên` counts
    only when it already reaches the plan)."""
    if e.measure == "percent_of_plan":
        target: float | None = 100.0
    elif e.plan.has_number and _exact(e.plan):
        target = float(e.plan.number)
    else:
        return None
    current = e.current
    if not current.has_number or current.number is None:
        return NO_FIGURE
    if e.measure != "percent_of_plan" and (current.denominator is None) != (e.plan.denominator is None):
        return NO_FIGURE
    number = float(current.number)
    if current.qualifier is None:
        return REACHED if number >= target else MISSED
    if current.qualifier == "more_than" and number >= target:
        return REACHED
    return NO_FIGURE


def task_status(evidence: Sequence[Evidence]) -> TaskStatus:
    """Return a task's status from the evidence of its indicators: `NOT_MEASURABLE` when none has a
    plan figure; `MISSED` when any is below its plan; `REACHED` when every one with a plan reaches
    it; otherwise `NO_FIGURE`. Never guesses beyond the figures."""
    each = tuple(evidence_status(e) for e in evidence)
    judged = [s for s in each if s is not None]
    if not judged:
        status = NOT_MEASURABLE
    elif MISSED in judged:
        status = MISSED
    elif all(s == REACHED for s in judged):
        status = REACHED
    else:
        status = NO_FIGURE
    return TaskStatus(status, each)


def status_counts(statuses: Sequence[TaskStatus]) -> dict[str, int]:
    """Return how many tasks have each status, in the order REACHED, MISSED, NO_FIGURE, NOT_MEASURABLE."""
    order = (REACHED, MISSED, NO_FIGURE, NOT_MEASURABLE)
    return {s: sum(t.status == s for t in statuses) for s in order}
