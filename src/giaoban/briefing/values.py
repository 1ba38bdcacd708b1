"""One figure as a page shows it: reported, summed over predecessor units, or missing, and its text.

A `Value` is what a table cell holds: the number (if there is one a reader may use), how it was
obtained (`status`) and the `Part`s it came from, each with its report and verbatim quote. The text
of a value (`value_text`) is written the Vietnamese way (`1.287`, `50.074.800 đồng`, `99,88%`,
`trên 500`) through `giaoban.domain.numbers`, or the English way on English pages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from giaoban.briefing import i18n
from giaoban.domain.numbers import format_money, format_number, format_percent, qualifier_label
from giaoban.briefing.tables import Raw, escape

__all__ = [
    "Part",
    "Value",
    "REPORTED",
    "SUMMED",
    "PARTIAL",
    "NOT_SUMMABLE",
    "MISSING",
    "MISSING_VALUE",
    "combine_qualifiers",
    "format_amount",
    "value_text",
    "change_text",
    "flag",
]

REPORTED = "reported"  # one unit's figure (the unit itself, or its single predecessor)
SUMMED = "summed"  # the sum over every predecessor unit
PARTIAL = "partial"  # some predecessors have no figure: no sum is given
NOT_SUMMABLE = "not_summable"  # the indicator cannot be added across provinces: figures unit by unit
MISSING = "missing"  # no figure at all


@dataclass(frozen=True)
class Part:
    """One unit's figure: the observation chosen for it, with its report and quote.

    `others` lists (report_id, value) of other reports that give a different value for the same
    figure (the chosen one is the report of that period published last).
    """

    unit: Any
    value: float
    qualifier: str | None
    denominator: float | None
    report_id: str
    quote: str
    others: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Value:
    """A figure of a territory for a period; `number` is set only for REPORTED and SUMMED.

    `units` are the units whose figures make up the territory in that period (the unit itself, or
    its predecessors); `parts` the figures found among them.
    """

    status: str
    number: float | None = None
    qualifier: str | None = None
    denominator: float | None = None
    parts: tuple[Part, ...] = ()
    units: tuple[Any, ...] = field(default_factory=tuple)

    @property
    def has_number(self) -> bool:
        """Return True when the value has a number a reader may use (REPORTED or SUMMED)."""
        return self.number is not None

    @property
    def exact(self) -> bool:
        """Return True when the number is exact (no qualifier such as `trên`)."""
        return self.has_number and self.qualifier is None


MISSING_VALUE = Value(MISSING)


def flag(value: Any) -> bool:
    """Return a catalogue flag as bool: True, "true", "1", "yes", "có" are true; empty is false."""
    if isinstance(value, bool):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    return str(value).strip().lower() in {"true", "1", "yes", "có"}


def combine_qualifiers(qualifiers: Iterable[str | None]) -> str | None:
    """Return the qualifier of a sum: None when all parts are exact; the parts' qualifier when they
    share one (more than 500 + 300 = more than 800); "about" when they mix different qualifiers."""
    found = {q for q in qualifiers if q is not None and q == q}
    if not found:
        return None
    return found.pop() if len(found) == 1 else "about"


def format_amount(
    number: float, value_type: str, lang: str, *, qualifier: str | None = None, denominator: float | None = None
) -> str:
    """Return a number as a page writes it: count `1.287`, ratio `13/14`, money `50.074.800 đồng`
    (or `11,497 tỷ đồng`: the largest unit that writes it exactly), percent `99,88%`; with its
    qualifier first (`trên 500`); float noise beyond 6 decimals is dropped. Refuses what
    `giaoban.domain.numbers` refuses."""
    number = round(float(number), 6)  # a median or a sum of floats: 51.739999999999995 is 51,74
    n: int | float = int(number) if number.is_integer() else number
    if value_type == "money":
        text = format_money(int(round(n)), "auto", lang=lang)
    elif value_type == "percent":
        text = format_percent(n, lang=lang)
    else:
        text = format_number(n, lang=lang)
        if denominator is not None and denominator == denominator:
            d = int(denominator) if float(denominator).is_integer() else denominator
            text += "/" + format_number(d, lang=lang)
    if isinstance(qualifier, str) and qualifier:
        text = f"{qualifier_label(qualifier, lang)} {text}"
    return text


def value_text(
    value: Value, value_type: str, lang: str, mark: Callable[[Iterable[Part]], str] | None = None, *, target: Any = None
) -> Raw:
    """Return the Markdown of a value (numbers escaped, note marks from `mark(parts)` appended).

    REPORTED: `1.287 \\[3\\]`, with the unit's name when the figure is a predecessor's; SUMMED:
    `19 \\[1\\]\\[2\\] (tổng 2 đơn vị)`; PARTIAL and NOT_SUMMABLE: each unit's figure, no sum;
    MISSING: `không có số liệu`. `target` is the unit the page is about.
    """

    def marks(parts: Any) -> str:
        return mark(parts) if mark else ""

    def one(part: Part) -> str:
        text = escape(
            format_amount(part.value, value_type, lang, qualifier=part.qualifier, denominator=part.denominator)
        )
        out = f"{text} {marks([part])}".rstrip()
        if part.others:
            others = "; ".join(f"{format_amount(v, value_type, lang)} ({rid})" for rid, v in part.others)
            out += f" ({i18n.t('conflict', lang, others=others)})"
        return out

    def name(unit: Any) -> str:
        return unit.label(lang) if unit is not None else "?"

    if value.status == REPORTED:
        part = value.parts[0]
        text = one(part)
        if target is not None and part.unit is not None and part.unit != target:
            text = str(i18n.t("by_unit", lang, value=Raw(text), unit=name(part.unit)))
        return Raw(text)
    if value.status == SUMMED:
        number = escape(
            format_amount(value.number, value_type, lang, qualifier=value.qualifier, denominator=value.denominator)
        )
        note = i18n.t("summed", lang, n=str(len(value.parts)))
        return Raw(f"{number} {marks(value.parts)} ({note})".replace("  ", " "))
    if value.status in (PARTIAL, NOT_SUMMABLE):
        have = {p.unit: p for p in value.parts}
        pieces = []
        for unit in value.units or [p.unit for p in value.parts]:
            if unit in have:
                pieces.append(f"{escape(name(unit))} {one(have[unit])}")
            else:
                pieces.append(str(i18n.t("missing_in", lang, unit=name(unit))))
        key = "partial" if value.status == PARTIAL else "not_summable"
        return i18n.t(key, lang, parts=Raw("; ".join(pieces)))
    return Raw(f"*{i18n.t('no_data', lang)}*")


def change_text(current: Value, other: Value, value_type: str, lang: str) -> str:
    """Return the change from `other` to `current` (`+3; +7,3%`, percentages in points), or "" when
    either is missing, approximate, or the earlier value is a different kind of ratio."""
    if not (current.exact and other.exact):
        return ""
    if (current.denominator is None) != (other.denominator is None):
        return ""
    delta = current.number - other.number
    sign = "+" if delta > 0 else ""
    if value_type == "percent":
        return f"{sign}{format_number(round(delta, 2), lang=lang)} {i18n.t('points', lang)}"
    if value_type == "money":
        text = sign + format_money(int(round(delta)), "auto", lang=lang) if delta else "0"
    else:
        d = int(delta) if float(delta).is_integer() else round(delta, 2)
        text = sign + format_number(d, lang=lang)
    if other.number:
        pct = delta / abs(other.number) * 100
        text += f"; {'+' if pct > 0 else ''}{format_percent(round(pct, 1), lang=lang)}"
    return text
