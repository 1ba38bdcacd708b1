"""One province over all its periods: what `notebooks/province.ipynb` shows.

Periods are compared only with periods of the same kind (first halves with first halves, years with
years, the first nine months with the first nine months): a trend line joins those, and figures of
overlapping periods are never added.

A new unit's page shows, for the periods before it was formed, the figures of its predecessor that
shares its code (the old Quảng Ngãi on the page of the Quảng Ngãi formed on 1 July 2025), under that
province's own name: a province's figures are that province's. The sums over all its predecessors
are shown once, in their own table with a note, and only where every predecessor has a figure and
the indicator can be added (see `succession`); a unit with no such predecessor gets the territory's
figures, as before.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from giaoban.briefing import charts, i18n
from giaoban.errors import InputError
from giaoban.data.inputs import Inputs, for_job
from giaoban.domain.periods import Period
from giaoban.briefing.tables import EMPTY, Raw, heading, markdown_table, md
from giaoban.briefing import common
from giaoban.briefing.parameters import province_code
from giaoban.briefing.sources import Notes, SourcedPage
from giaoban.briefing.succession import catalogue, members_in, territory_values
from giaoban.briefing.values import SUMMED, Value, value_text

__all__ = ["ProvincePage", "open_province", "series_key", "series_label", "short_label", "history", "MAX_PERIODS"]

#: The number of latest periods a table shows (the charts show all).
MAX_PERIODS = 6

_KIND_LABELS = {
    "H": ("6 tháng", "half-years"),
    "Q": ("quý", "quarters"),
    "FY": ("cả năm", "years"),
    "MULTI": ("giai đoạn", "multi-year periods"),
}


def series_key(period: Period) -> tuple[str, int | None]:
    """Return the kind of series a period belongs to: ("H", None), ("Q", None), ("FY", None), ("M", 9)
    for the first nine months (only the same months are comparable), ("MULTI", length in years),
    ("YTD", 1116) for 1 January to 16 November (only the same day of other years is comparable)."""
    if period.kind == "M":
        return ("M", period.index)
    if period.kind == "MULTI":
        return ("MULTI", period.last_year - period.year + 1)
    if period.kind == "YTD":  # only the same day of other years compares: ("YTD", 1116) for 16 November
        return ("YTD", period.end.month * 100 + period.end.day)
    return (period.kind, None)


def short_label(period: Period, lang: str) -> str:
    """Return a two-line label for a chart axis: `6T đầu\\n2024`, `quý I\\n2020`, `9T\\n2020`,
    `năm\\n2018` / `H1\\n2024`, `Q1\\n2020`, `Jan–Sep\\n2020`, `year\\n2018`."""
    kind, i, y = period.kind, period.index, period.year
    if kind == "H":
        return i18n.pick(lang, f"6T {'đầu' if i == 1 else 'cuối'}\n{y}", f"H{i}\n{y}")
    if kind == "Q":
        return i18n.pick(lang, f"quý {'I II III IV'.split()[i - 1]}\n{y}", f"Q{i}\n{y}")
    if kind == "M":
        return i18n.pick(lang, f"{i}T\n{y}", f"{i} months\n{y}")
    if kind == "FY":
        return i18n.pick(lang, f"năm\n{y}", f"year\n{y}")
    if kind == "YTD":
        return i18n.pick(lang, f"đến {period.end:%d/%m}\n{y}", f"to {period.end:%d/%m}\n{y}")
    return f"{y}–\n{period.last_year}"


def series_label(key: tuple[str, int | None], lang: str) -> str:
    """Return the name of a series kind in `lang`: `6 tháng`, `9 tháng`, `cả năm` / `half-years`…"""
    kind, n = key
    if kind == "M":
        return i18n.pick(lang, f"{n} tháng", f"first {n} months")
    if kind == "YTD" and n is not None:
        day, month = n % 100, n // 100
        return i18n.pick(lang, f"từ đầu năm đến {day:02d}/{month:02d}", f"1 January to {day:02d}/{month:02d}")
    vi, en = _KIND_LABELS[kind]
    return i18n.pick(lang, vi, en)


def history(observations: pd.DataFrame, reports: pd.DataFrame, units: tuple, indicators: Any) -> dict[Period, dict]:
    """Return period → {(indicator, measure): Value} for every period with an actual figure of the
    territory of `units[0]` (its own, or its predecessors' before it was formed), periods in time order."""
    cat = indicators if isinstance(indicators, dict) else catalogue(indicators)
    periods = set()
    for code in set(observations.loc[observations["kind"] == "actual", "period"]):
        try:
            periods.add(Period.parse(code))
        except InputError:
            continue
    out = {}
    for p in sorted(periods):
        values = territory_values(observations, reports, units, p, cat)
        if values:
            out[p] = values
    return out


def open_province(
    province: str | int, on: str | None = None, lang: str = "vi", data_dir: str | Path | None = None
) -> ProvincePage:
    """Return the `ProvincePage` of `province` (GSO code `"51"`, `51`, or a name such as `Quảng Ngãi`,
    see `giaoban.briefing.parameters.province_code`; with `on`, an ISO date, choosing among units
    that shared the code or name). Without `on`, a code that named several units gives a short page
    listing them. Refuses (InputError) an unsupported language, an unknown code, an unknown name or
    one naming several units, a unit not in force on `on`, and invalid data."""
    lang = i18n.check_lang(lang)
    province = province_code(province, on=on, data_dir=data_dir)
    try:
        inputs = for_job("province", {"province": province, "on": on, "lang": lang}, data_dir)
    except InputError:
        if on is not None:
            raise
        choices = [u for u in common.registry(data_dir) if u.code == province]
        if len(choices) < 2:
            raise
        return ProvincePage(lang, choices=(province, choices))
    return ProvincePage(lang, inputs=inputs, data_dir=data_dir)


class ProvincePage(SourcedPage):
    """The page of one province over time (see the module docstring); build it with `open_province`."""

    def __init__(
        self,
        lang: str,
        *,
        inputs: Inputs | None = None,
        choices: tuple | None = None,
        data_dir: str | Path | None = None,
    ) -> None:
        self.lang, self.inputs, self.choices = i18n.check_lang(lang), inputs, choices
        self._data_dir = data_dir
        if inputs is not None:
            self.unit, self.units = inputs.province, tuple(inputs.units)
            self.notes = Notes(inputs.reports)
            self._cat = catalogue(inputs.indicators)
        else:
            self.unit, self.units, self._cat = None, (), {}
            self.notes = Notes(pd.DataFrame(columns=["report_id"]))

    def _name(self) -> str:
        return common.unit_label(self.unit, self.lang, others=self.units)

    @cached_property
    def history(self) -> dict[Period, dict]:
        """Return period → {(indicator, measure): Value}, in time order (see `history`)."""
        if self.inputs is None:
            return {}
        return history(self.inputs.observations, self.inputs.reports, self.units, self._cat)

    def own_unit(self, period: Period) -> Any:
        """Return the unit whose figures the page shows for `period`: the page's unit when it was in
        force; before it was formed, its predecessor with the same code (else the same name); None
        when it has none (the page then shows the territory's figures)."""
        members = members_in(self.units, period)
        if len(members) <= 1:
            return members[0] if members else None
        same = [u for u in members if u.code == self.unit.code] or [
            u for u in members if u.label("vi") == self.unit.label("vi")
        ]
        return same[0] if same else None

    @cached_property
    def shown(self) -> dict[Period, dict]:
        """Return period → {(indicator, measure): Value} the tables and charts show: for the periods
        before the unit was formed, the figures of `own_unit` (its own, under its name), else the
        territory's (`history`); periods in time order, those without a figure left out."""
        if self.inputs is None:
            return {}
        out = {}
        for p, values in self.history.items():
            own = self.own_unit(p)
            if own is not None and len(members_in(self.units, p)) > 1:
                values = territory_values(self.inputs.observations, self.inputs.reports, (own,), p, self._cat)
            if values:
                out[p] = values
        return out

    def predecessor_periods(self) -> list[Period]:
        """Return the periods shown with a predecessor's figures (before the unit was formed)."""
        return [p for p in self.shown if len(members_in(self.units, p)) > 1 and self.own_unit(p) is not None]

    def sums(self) -> Any:
        """Return, once, the sums over every predecessor for the periods before the unit was formed,
        with a note saying whose they are: only the complete ones (every predecessor has a figure
        and the indicator can be added). EMPTY when there is none."""
        if self.inputs is None:
            return EMPTY
        blocks = self._sum_blocks()
        return md(*blocks) if blocks else EMPTY

    def _sum_blocks(self) -> list:
        lang = self.lang
        body = []
        names: list[str] = []
        for p in self.predecessor_periods():
            for r in self.rows.to_dict("records"):
                v = self.history[p].get((r["indicator"], r["measure"]))
                if v is None or v.status != SUMMED:
                    continue
                names = [u.label(lang) for u in v.units]
                vt = common.measure_value_type(r.get("value_type", "count"), r["measure"])
                body.append(
                    [
                        common.row_label(r, lang),
                        p.label(lang),
                        value_text(v, vt, lang, self.notes.mark, target=self.unit),
                    ]
                )
        if not body:
            return []
        return [
            heading(i18n.t("sums_heading", lang), 3),
            i18n.t("sums_note", lang, province=self._name(), units=common.join_names(names, lang)),
            markdown_table(
                [i18n.t("col_indicator", lang), i18n.t("col_period", lang), i18n.t("col_value", lang)], body, "llr"
            ),
        ]

    @cached_property
    def rows(self) -> pd.DataFrame:
        """Return one row per (indicator, measure) with a figure shown in some period: catalogue
        columns and `order`, in catalogue order."""
        keys: list[tuple[str, str]] = []
        for values in self.shown.values():
            keys.extend(k for k in values if k not in keys)
        records = []
        for indicator, measure in keys:
            row = self._cat.get(
                indicator,
                {
                    "code": indicator,
                    "area": indicator.split(".")[0],
                    "label_vi": indicator,
                    "label_en": indicator,
                    "value_type": "count",
                    "order": len(self._cat),
                },
            )
            records.append({**row, "indicator": indicator, "measure": measure})
        frame = pd.DataFrame(records)
        return frame.sort_values(["order", "measure"], kind="stable").reset_index(drop=True) if records else frame

    def title(self) -> Any:
        """Return the first-level heading."""
        if self.inputs is None:
            code = self.choices[0]
            return md(
                heading(
                    i18n.t("province_title", self.lang, province=Raw(f"{i18n.t('col_province', self.lang)} {code}")), 1
                )
            )
        return md(heading(i18n.t("province_title", self.lang, province=self._name()), 1))

    def intro(self) -> Any:
        """Return how many reports and periods the page covers, how the unit relates to its
        predecessors or successor; or, for an ambiguous code, the units to choose from."""
        lang = self.lang
        if self.inputs is None:
            code, units = self.choices
            listed = "; ".join(
                f"{u.label(lang)} ({u.validity_vi() if lang == 'vi' else _validity_en(u)}, "
                f"on={(u.valid_from or u.valid_to).isoformat() if (u.valid_from or u.valid_to) else 'None'})"
                for u in units
            )
            return md(i18n.t("choose_unit", lang, code=code, units=listed))
        reports = self.inputs.reports
        blocks: list[str] = []
        if reports.empty:
            blocks.append(i18n.t("province_no_reports", lang, province=self._name()))
        else:
            periods = list(self.shown)
            if periods:
                blocks.append(
                    i18n.t(
                        "province_intro",
                        lang,
                        reports=i18n.count(len(reports), "report", lang),
                        periods=i18n.count(len(periods), "period", lang),
                        first=periods[0].label(lang),
                        last=periods[-1].label(lang),
                    )
                )
            blocks.extend(f"- {common.report_line(r, lang)}" for r in reports.to_dict("records"))
        lines = common.succession_lines(self.unit, self.units, lang, self._data_dir)
        predecessors = [u for u in self.units if u is not self.unit]
        if len(predecessors) > 1 and self.unit.valid_from is not None and lines:
            own = [u for u in predecessors if u.code == self.unit.code]
            if own:  # the figures before the merger are the same-coded province's (module docstring)
                lines[0] = i18n.t(
                    "new_unit_own",
                    lang,
                    province=self._name(),
                    date=i18n.format_date(self.unit.valid_from, lang),
                    predecessors=common.join_names([u.label(lang) for u in predecessors], lang),
                    own=own[0].label(lang),
                )
        blocks.extend(lines)
        if self.history:
            blocks.append(i18n.t("notes_hint", lang))
        return md(*blocks)

    def areas(self) -> list[str]:
        """Return the codes of the areas with a figure in some period, in area order."""
        if self.rows.empty:
            return []
        present = set(self.rows["area"])
        return [a for a in common.area_labels(self.inputs.areas, self.lang) if a in present]

    def _series(self, indicator: str, measure: str) -> dict[tuple, list[tuple[Period, Value]]]:
        out: dict[tuple, list[tuple[Period, Value]]] = {}
        for p, values in self.shown.items():
            v = values.get((indicator, measure))
            if v is not None and v.has_number:
                out.setdefault(series_key(p), []).append((p, v))
        return out

    def trends_heading(self) -> Any:
        """Return the heading of the figures by period, saying how trends are drawn, or that no
        indicator has two comparable periods yet. EMPTY when there is no figure."""
        if self.inputs is None or not self.shown:
            return EMPTY
        lang = self.lang
        drawable = any(
            len(s) >= 2
            for r in self.rows.to_dict("records")
            for s in self._series(r["indicator"], r["measure"]).values()
        )
        blocks = [heading(i18n.t("by_period", lang)), i18n.t("trends_intro" if drawable else "trends_none", lang)]
        before = self.predecessor_periods()
        if before:
            own = self.own_unit(before[0])
            blocks.append(
                i18n.t(
                    "own_figures_note",
                    lang,
                    province=own.label(lang),
                    date=i18n.format_date(self.unit.valid_from, lang),
                )
            )
        return md(*blocks, *self._sum_blocks())

    def area_table(self, area: str, max_periods: int = MAX_PERIODS) -> Any:
        """Return the sub-heading and table of one area: indicators by period (the latest
        `max_periods` periods with a figure in the area), each figure with its note."""
        if self.rows.empty:
            return EMPTY
        rows = self.rows[self.rows["area"] == area]
        if rows.empty:
            return EMPTY
        lang = self.lang
        keys = set(zip(rows["indicator"], rows["measure"]))
        periods = [p for p, v in self.shown.items() if keys & set(v)]
        shown = periods[-max_periods:]
        body = []
        for r in rows.to_dict("records"):
            vt = common.measure_value_type(r.get("value_type", "count"), r["measure"])
            cells: list[Any] = [common.row_label(r, lang)]
            for p in shown:
                v = self.shown[p].get((r["indicator"], r["measure"]))
                own = self.own_unit(p) or self.unit
                cells.append(
                    value_text(v, vt, lang, self.notes.mark, target=own) if v else Raw(f"*{i18n.t('no_data', lang)}*")
                )
            body.append(cells)
        label = common.area_labels(self.inputs.areas, lang).get(area, area)
        blocks = [heading(label, 3)]
        if len(periods) > len(shown):
            blocks.append(i18n.t("latest_periods", lang, n=str(len(shown))))
        before = set(self.predecessor_periods())
        header = [f"{p.label(lang)} ({self.own_unit(p).label(lang)})" if p in before else p.label(lang) for p in shown]
        blocks.append(markdown_table([i18n.t("col_indicator", lang), *header], body, "l" + "r" * len(shown)))
        return md(*blocks)

    def trend_chart(self, area: str) -> Any:
        """Return small multiples of the area's indicators that have a number for two or more periods
        of one kind, a line per kind of period, as `charts.Figures` of at most `charts.MAX_PANELS`
        panels each (a page each); EMPTY when no indicator has."""
        if self.rows.empty:
            return EMPTY
        lang = self.lang
        panels = []
        for r in self.rows[self.rows["area"] == area].to_dict("records"):
            series = {k: s for k, s in self._series(r["indicator"], r["measure"]).items() if len(s) >= 2}
            if not series:
                continue
            vt = common.measure_value_type(r.get("value_type", "count"), r["measure"])
            before = set(self.predecessor_periods())  # a predecessor's figure: drawn hollow, like a sum
            lines = {
                series_label(k, lang): [
                    charts.TrendPoint(
                        p.code,
                        short_label(p, lang),
                        v.number,
                        v.qualifier is not None,
                        v.status == SUMMED or p in before,
                    )
                    for p, v in s
                ]
                for k, s in series.items()
            }
            panels.append(charts.TrendPanel(common.row_label(r, lang), lines, vt))
        if not panels:
            return EMPTY
        label = common.area_labels(self.inputs.areas, lang).get(area, area)
        title = str(i18n.t("chart_area_all", lang, area=Raw(label), province=Raw(self._name())))
        hollow = any(p.approx or p.summed for pn in panels for pts in pn.lines.values() for p in pts)
        note = str(i18n.t("hollow_note", lang)) if hollow else None
        step = charts.MAX_PANELS
        return charts.Figures(
            charts.trend_panels(panels[i : i + step], title=title if i == 0 else "", lang=lang, note=note)
            for i in range(0, len(panels), step)
        )

    def value(self, indicator: str, period: str, measure: str = "level") -> Value | None:
        """Return the `Value` of one indicator for one period code, or None."""
        return self.shown.get(Period.parse(period), {}).get((indicator, measure))


def _validity_en(unit: Any) -> str:
    if unit.valid_from and unit.valid_to:
        return f"{unit.valid_from.isoformat()} to {unit.valid_to.isoformat()}"
    if unit.valid_to:
        return f"until {unit.valid_to.isoformat()}"
    if unit.valid_from:
        return f"from {unit.valid_from.isoformat()}"
    return "unchanged in 2025"
