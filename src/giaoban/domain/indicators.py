"""The indicator catalogue as data: the areas of work of a department and the figures it reports.

Read from `data/reference/areas.csv` and `data/reference/indicators.csv` (columns in
`data/README.md`), always through validation: `giaoban.data.dataset.load_catalogue` refuses a catalogue with any error.

    >>> from giaoban.data.dataset import load_catalogue
    >>> cat = load_catalogue()
    >>> cat["standards.instruments_verified"].label("en")
    'Measuring instruments verified'
    >>> [a.code for a in cat.areas][:3]
    ['science', 'technology', 'ip']

An indicator says how its figures may be combined: `summable_provinces` (add provinces of one
period: counts yes, percentages no), `summable_periods` (add disjoint periods: flows yes, stocks
and percentages no), `rankable` (rank provinces on it), `max_value` (a share cannot exceed 100).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pandas as pd

from giaoban.errors import InputError

__all__ = ["Area", "Indicator", "Catalogue", "VALUE_TYPES"]

#: What a figure of an indicator is: a whole number, an amount in đồng (integer), a percentage.
VALUE_TYPES = ("count", "money", "percent")
_LANGS = ("vi", "en")


def _check_lang(lang: str) -> None:
    if lang not in _LANGS:
        raise InputError(f"ngôn ngữ “{lang}” không được hỗ trợ: chỉ có “vi” hoặc “en”", column="lang")


@dataclass(frozen=True)
class Area:
    """An area of work (`science`, `standards`…), shown in briefings in the order `order`."""

    code: str
    order: int
    label_vi: str
    label_en: str

    def label(self, lang: str = "vi") -> str:
        """Return the name in `lang` ("vi" or "en"); refuses (InputError) other languages."""
        _check_lang(lang)
        return self.label_vi if lang == "vi" else self.label_en


@dataclass(frozen=True)
class Indicator:
    """One indicator of the catalogue; `value_type` is one of VALUE_TYPES, `max_value` None or a bound."""

    code: str
    area: str
    label_vi: str
    label_en: str
    unit_vi: str
    unit_en: str
    value_type: str
    summable_provinces: bool
    summable_periods: bool
    rankable: bool
    max_value: float | None = None
    description_vi: str | None = None

    def label(self, lang: str = "vi") -> str:
        """Return the short name in `lang` ("vi" or "en"); refuses (InputError) other languages."""
        _check_lang(lang)
        return self.label_vi if lang == "vi" else self.label_en

    def unit(self, lang: str = "vi") -> str:
        """Return the unit in `lang` (`phương tiện đo` / `measuring instruments`, `đồng` / `VND`, `%`)."""
        _check_lang(lang)
        return self.unit_vi if lang == "vi" else self.unit_en


class Catalogue:
    """The indicators and areas, with look-ups. Iterating gives the indicators by area order, then in
    file order. Build it with `giaoban.data.dataset.load_catalogue()`."""

    def __init__(self, indicators: Iterable[Indicator], areas: Iterable[Area]) -> None:
        self._areas = tuple(sorted(areas, key=lambda a: a.order))
        self._area_by_code = {a.code: a for a in self._areas}
        rank = {a.code: i for i, a in enumerate(self._areas)}
        items = list(indicators)
        self._indicators = tuple(sorted(items, key=lambda i: rank.get(i.area, len(rank))))
        self._by_code = {i.code: i for i in self._indicators}

    @property
    def areas(self) -> tuple[Area, ...]:
        """Return the areas in briefing order (`order` column)."""
        return self._areas

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        """Return every indicator, by area order then file order."""
        return self._indicators

    @property
    def codes(self) -> list[str]:
        """Return the indicator codes, by area order then file order."""
        return [i.code for i in self._indicators]

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self._indicators)

    def __len__(self) -> int:
        return len(self._indicators)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str, default: Indicator | None = None) -> Indicator | None:
        """Return the indicator `code`, or `default` when there is none."""
        return self._by_code.get(code, default)

    def __getitem__(self, code: str) -> Indicator:
        """Return the indicator `code`; refuses (InputError, suggesting close codes) an unknown one."""
        try:
            return self._by_code[code]
        except KeyError:
            close = difflib.get_close_matches(str(code), list(self._by_code), n=3, cutoff=0.6)
            hint = f" (có phải {' hoặc '.join(close)}?)" if close else ""
            raise InputError(f"chỉ tiêu “{code}” không có trong danh mục{hint}", column="indicator") from None

    def area(self, code: str) -> Area:
        """Return the area `code`; refuses (InputError) an unknown one."""
        try:
            return self._area_by_code[code]
        except KeyError:
            raise InputError(
                f"lĩnh vực “{code}” không có trong danh mục: cần một trong {', '.join(self._area_by_code)}",
                column="area",
            ) from None

    def in_area(self, area: str) -> list[Indicator]:
        """Return the indicators of area `area`, in file order; refuses (InputError) an unknown area."""
        self.area(area)
        return [i for i in self._indicators if i.area == area]

    def frame(self, lang: str = "vi") -> pd.DataFrame:
        """Return one row per indicator (by area order): code, area, area_label, label, unit,
        value_type, summable_provinces, summable_periods, rankable, max_value; labels in `lang`."""
        _check_lang(lang)
        rows = [
            {
                "code": i.code,
                "area": i.area,
                "area_label": self._area_by_code[i.area].label(lang),
                "label": i.label(lang),
                "unit": i.unit(lang),
                "value_type": i.value_type,
                "summable_provinces": i.summable_provinces,
                "summable_periods": i.summable_periods,
                "rankable": i.rankable,
                "max_value": i.max_value,
            }
            for i in self._indicators
        ]
        frame = pd.DataFrame(
            rows,
            columns=[
                "code",
                "area",
                "area_label",
                "label",
                "unit",
                "value_type",
                "summable_provinces",
                "summable_periods",
                "rankable",
                "max_value",
            ],
        )
        return frame.astype(
            {"max_value": "float64", "summable_provinces": bool, "summable_periods": bool, "rankable": bool}
        )

    def __repr__(self) -> str:
        return f"Catalogue({len(self._indicators)} chỉ tiêu, {len(self._areas)} lĩnh vực)"
