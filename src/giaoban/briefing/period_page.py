"""All provinces for one period: what `notebooks/period.ipynb` shows.

A map (who has a report, or a chosen indicator) on the boundaries in force at the end of the period
(63 units before 1 July 2025, 34 after), who reported what (reports × areas of work), and for each
indicator the number of provinces with a figure, their median, the highest and the lowest, beside
the median a year earlier.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from giaoban.briefing import charts, i18n, maps
from giaoban.errors import PeriodError, ProvinceError
from giaoban.data.inputs import Inputs, for_job
from giaoban.domain.periods import Period
from giaoban.briefing.tables import EMPTY, Raw, escape, heading, markdown_table, md
from giaoban.briefing import common
from giaoban.briefing.ranks import province_values
from giaoban.briefing.sources import Notes, SourcedPage
from giaoban.briefing.succession import catalogue
from giaoban.briefing.highlights import RULES
from giaoban.briefing.phrases import say
from giaoban.briefing.values import Part, format_amount

__all__ = ["PeriodPage", "open_period", "coverage", "indicator_summary", "key_indicators", "movements", "Movement"]


def _with_province(observations: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    named = reports.loc[reports["province"].notna(), ["report_id", "province"]].drop_duplicates("report_id")
    return observations.merge(named, on="report_id", how="inner")


def coverage(observations: pd.DataFrame, reports: pd.DataFrame, period: Period, areas: pd.DataFrame) -> pd.DataFrame:
    """Return one row per report reviewing `period`: `report_id`, `province` (code or missing), one
    column per area code (number of actual figures for the period) and `total`. Refuses nothing."""
    mine = reports[reports["period"] == period.code]
    codes = list(areas.sort_values("order")["code"])
    obs = observations[(observations["period"] == period.code) & (observations["kind"] == "actual")]
    obs = obs.assign(area=obs["indicator"].str.split(".").str[0])
    counts = obs.groupby(["report_id", "area"]).size().unstack(fill_value=0) if not obs.empty else pd.DataFrame()
    rows = []
    for r in mine.to_dict("records"):
        row = {"report_id": r["report_id"], "province": r["province"]}
        for code in codes:
            row[code] = (
                int(counts.at[r["report_id"], code])
                if (r["report_id"] in counts.index and code in counts.columns)
                else 0
            )
        row["total"] = sum(row[c] for c in codes)
        rows.append(row)
    return pd.DataFrame(rows, columns=["report_id", "province", *codes, "total"])


def indicator_summary(
    observations: pd.DataFrame, reports: pd.DataFrame, period: Period, indicators: Any
) -> pd.DataFrame:
    """Return one row per (indicator, measure) with an actual figure of a named province for `period`:
    `n` provinces, `median`, `max`/`min` values with `max_province`/`min_province` codes and their
    (report_id, quote), and `median_earlier` (a year earlier, NaN when none). Catalogue order."""
    cat = indicators if isinstance(indicators, dict) else catalogue(indicators)
    peers = _with_province(observations, reports)
    try:
        earlier_code = period.year_earlier().code
    except PeriodError:
        earlier_code = None
    now = peers[(peers["period"] == period.code) & (peers["kind"] == "actual")]
    rows = []
    for (indicator, measure), _ in now.groupby(["indicator", "measure"], sort=False):
        values = province_values(now, indicator, measure)
        if values.empty:
            continue
        earlier = province_values(peers[peers["period"] == earlier_code], indicator, measure) if earlier_code else None
        top, bottom = values.iloc[0], values.iloc[-1]
        meta = cat.get(indicator, {})
        rows.append(
            {
                "indicator": indicator,
                "measure": measure,
                "area": meta.get("area", indicator.split(".")[0]),
                "order": meta.get("order", len(cat)),
                "n": len(values),
                "median": float(values["value"].astype(float).median()),
                "max": float(top["value"]),
                "max_province": top["province"],
                "max_source": (top["report_id"], top["quote"]),
                "max_qualifier": None if pd.isna(top["qualifier"]) else top["qualifier"],
                "min": float(bottom["value"]),
                "min_province": bottom["province"],
                "min_source": (bottom["report_id"], bottom["quote"]),
                "min_qualifier": None if pd.isna(bottom["qualifier"]) else bottom["qualifier"],
                "median_earlier": (
                    float(earlier["value"].astype(float).median())
                    if earlier is not None and not earlier.empty
                    else float("nan")
                ),
            }
        )
    frame = pd.DataFrame(rows)
    return frame.sort_values(["order", "measure"], kind="stable").reset_index(drop=True) if rows else frame


def key_indicators(summary: pd.DataFrame, indicators: Any, limit: int = 4) -> list[tuple[str, str]]:
    """Return the (indicator, measure) of the period's key table: rankable indicators (figures that
    compare across provinces), those most provinces gave first, then catalogue order; at most `limit`."""
    if summary.empty:
        return []
    cat = indicators if isinstance(indicators, dict) else catalogue(indicators)
    rows = [
        r for r in summary.to_dict("records") if cat.get(r["indicator"], {}).get("rankable") and r["measure"] == "level"
    ]
    rows.sort(key=lambda r: (-int(r["n"]), int(r["order"])))
    return [(r["indicator"], r["measure"]) for r in rows[:limit]]


@dataclass(frozen=True)
class Movement:
    """A province's figure against its own figure a year earlier (the same unit both times)."""

    province: str
    indicator: str
    measure: str
    value: float
    earlier: float
    relative: float
    source: tuple[str, str]
    earlier_source: tuple[str, str]


def movements(
    observations: pd.DataFrame, reports: pd.DataFrame, period: Period, indicators: Any, same_unit: Any, limit: int = 6
) -> list[Movement]:
    """Return the largest movements of the period: each province's exact figure against its own a year
    earlier, by the rules of `giaoban.briefing.highlights` (base and change large enough; percentages
    in points), one per province, the largest (relative to the earlier figure) first, at most `limit`.
    `same_unit(code)` says whether code names the same unit in both periods (not across the 2025
    merger). Refuses nothing."""
    cat = indicators if isinstance(indicators, dict) else catalogue(indicators)
    try:
        earlier_code = period.year_earlier().code
    except PeriodError:
        return []
    peers = _with_province(observations, reports)
    peers = peers[(peers["kind"] == "actual") & peers["qualifier"].isna()]
    now = peers[peers["period"] == period.code]
    before = peers[peers["period"] == earlier_code]
    if now.empty or before.empty:
        return []
    best: dict[str, tuple[float, int, Movement]] = {}
    for (indicator, measure), group in now.groupby(["indicator", "measure"], sort=False):
        meta = cat.get(indicator, {})
        if measure == "change_percent":
            continue
        vt = "percent" if measure == "percent_of_plan" else meta.get("value_type", "count")
        old = province_values(before, indicator, measure).set_index("province")
        for r in province_values(group, indicator, measure).to_dict("records"):
            code = r["province"]
            if code not in old.index or not same_unit(code):
                continue
            e = old.loc[code]
            value, earlier = float(r["value"]), float(e["value"])
            if vt == "percent":
                relative = value - earlier
                if abs(relative) < RULES["min_change_points"]:
                    continue
            else:
                base = RULES["min_base_money"] if vt == "money" else RULES["min_base_count"]
                if abs(earlier) < base:
                    continue
                relative = (value - earlier) / abs(earlier) * 100
                if abs(relative) < RULES["min_change_pct"]:
                    continue
            m = Movement(
                code,
                indicator,
                measure,
                value,
                earlier,
                relative,
                (r["report_id"], r["quote"]),
                (e["report_id"], e["quote"]),
            )
            key = (-abs(relative), int(meta.get("order", len(cat))))
            if code not in best or key < best[code][:2]:
                best[code] = (*key, m)
    ranked = sorted(best.values(), key=lambda t: (t[0], t[1], t[2].province))
    return [m for _, _, m in ranked[:limit]]


def open_period(
    period: str, lang: str = "vi", indicator: str | None = None, data_dir: str | Path | None = None
) -> PeriodPage:
    """Return the `PeriodPage` of period code `period`; `indicator` (a catalogue code) chooses the
    map's indicator (default: who has a report). Refuses (InputError) an unsupported language, a
    malformed period and invalid data; an unknown indicator is said on the page."""
    lang = i18n.check_lang(lang)
    inputs = for_job("period", {"period": period, "lang": lang}, data_dir)
    return PeriodPage(inputs, lang, indicator=indicator, data_dir=data_dir)


class PeriodPage(SourcedPage):
    """The page of one period across provinces (see the module docstring); build it with `open_period`."""

    def __init__(
        self, inputs: Inputs, lang: str, *, indicator: str | None = None, data_dir: str | Path | None = None
    ) -> None:
        self.inputs, self.lang, self.indicator = inputs, i18n.check_lang(lang), indicator
        self.period: Period = inputs.period
        self._data_dir = data_dir
        self._cat = catalogue(inputs.indicators)
        self.notes = Notes(inputs.reports)
        self.registry = common.registry(data_dir)

    @cached_property
    def reports(self) -> pd.DataFrame:
        """Return the reports that review this period."""
        r = self.inputs.reports
        return r[r["period"] == self.period.code].reset_index(drop=True)

    @cached_property
    def units(self) -> list:
        """Return the provincial units in force at the end of the period (63 or 34)."""
        return self.registry.units(on=self.period)

    def _unit(self, code: Any) -> Any:
        if code is None or (not isinstance(code, str) and pd.isna(code)):
            return None
        try:
            return self.registry.get(code, on=self.period)
        except ProvinceError:
            return None

    def _name(self, code: Any) -> str:
        unit = self._unit(code)
        if unit is not None:
            return unit.label(self.lang)
        return str(i18n.t("unknown_province", self.lang)) if code is None or pd.isna(code) else str(code)

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Return `indicator_summary` of the page's period."""
        return indicator_summary(self.inputs.observations, self.inputs.reports, self.period, self._cat)

    # ------------------------------------------------------------------ sections
    def title(self) -> Any:
        """Return the first-level heading."""
        return md(heading(i18n.t("period_title", self.lang, period=self.period.label(self.lang)), 1))

    def intro(self) -> Any:
        """Return how many units have a report (out of 63 or 34), the reports of a year earlier, and
        the reports that name no province; or that there is no report for the period."""
        lang, p = self.lang, self.period
        named = self.reports[self.reports["province"].notna()]
        codes = {u.code for u in self.units}
        n = len(set(named["province"]) & codes)
        blocks: list[str] = []
        if self.reports.empty:
            blocks.append(i18n.t("period_no_reports", lang, period=p.label(lang)))
        else:
            blocks.append(
                i18n.t(
                    "period_intro",
                    lang,
                    n=str(n),
                    total=str(len(self.units)),
                    period=p.label(lang),
                    units_note=i18n.t("units_63" if len(self.units) == 63 else "units_34", lang),
                )
            )
            blocks.extend(
                f"- {escape(self._name(r['province']))}: {common.report_line(r, lang)}"
                for r in self.reports.to_dict("records")
            )
            unknown = self.reports[self.reports["province"].isna()]
            if not unknown.empty:
                blocks.append(
                    i18n.t("unknown_province_reports", lang, n=str(len(unknown)), ids=", ".join(unknown["report_id"]))
                )
        try:
            earlier = p.year_earlier()
            n_earlier = int((self.inputs.reports["period"] == earlier.code).sum())
            blocks.append(i18n.t("year_earlier_count", lang, period=earlier.label(lang), n=str(n_earlier)))
        except PeriodError:
            pass
        return md(*blocks)

    def map_heading(self) -> Any:
        """Return the map's heading and note (which boundaries, the island insets); EMPTY without reports."""
        if self.reports.empty:
            return EMPTY
        shapes = maps.boundaries(self.period, self._data_dir)
        return md(
            heading(i18n.t("map", self.lang)),
            i18n.t("map_note", self.lang, n=str(shapes.n_units), source=shapes.source),
        )

    def map(self, indicator: str | None = None) -> Any:
        """Return the choropleth of `indicator` (default: the page's, else who has a report) on the
        boundaries in force at the end of the period; EMPTY without reports; a sentence for an
        indicator not in the catalogue."""
        if self.reports.empty:
            return EMPTY
        lang, p = self.lang, self.period
        indicator = indicator or self.indicator
        named = self.reports[self.reports["province"].notna()]
        highlight: list[str] = []
        if indicator is None:
            label = str(i18n.t("legend_reported", lang))
            cats = {c: label for c in named["province"]}
            return maps.choropleth(
                p,
                categories=cats,
                colors={label: charts.COLORS["accent"]},
                default_label=str(i18n.t("legend_not_reported", lang)),
                title=str(i18n.t("map_has_report", lang, period=Raw(p.label(lang)))),
                lang=lang,
                data_dir=self._data_dir,
            )
        if indicator not in self._cat:
            return md(i18n.t("unknown_indicator", lang, code=indicator))
        meta = self._cat[indicator]
        values = province_values(
            _with_province(self.inputs.observations[self.inputs.observations["period"] == p.code], self.inputs.reports),
            indicator,
        )
        numbers = {c: float(v) for c, v in zip(values["province"], values["value"])}
        return maps.choropleth(
            p,
            values=numbers,
            value_type=meta["value_type"],
            lang=lang,
            highlight=highlight,
            title=str(i18n.t("map_indicator", lang, indicator=Raw(meta[f"label_{lang}"]), period=Raw(p.label(lang)))),
            data_dir=self._data_dir,
        )

    def coverage(self) -> Any:
        """Return who reported what: one row per report (province, figures per area, total) and the
        units without a report. EMPTY without reports."""
        if self.reports.empty:
            return EMPTY
        lang = self.lang
        table = coverage(self.inputs.observations, self.inputs.reports, self.period, self.inputs.areas)
        labels = common.area_labels(self.inputs.areas, lang)
        body = [
            [self._name(r["province"]), r["report_id"], *(str(r[a]) if r[a] else "·" for a in labels), str(r["total"])]
            for r in table.to_dict("records")
        ]
        short = {a: i18n.area_short(a, lang, label) for a, label in labels.items()}
        header = [i18n.t("col_province", lang), i18n.t("col_report", lang), *short.values(), i18n.t("col_total", lang)]
        legend = "; ".join(f"{short[a]}: {labels[a]}" for a in labels if short[a] != labels[a])
        reported = set(self.reports["province"].dropna())
        missing = [u.label(lang) for u in sorted(self.units, key=lambda u: u.code) if u.code not in reported]
        blocks = [
            heading(i18n.t("coverage", lang)),
            i18n.t("coverage_intro", lang, period=self.period.label(lang), legend=legend),
            markdown_table(header, body, "ll" + "r" * (len(labels) + 1)),
        ]
        if missing:
            blocks.append(i18n.t("not_reported", lang, names=", ".join(missing)))
        return md(*blocks)

    def key_table(self, limit: int = 4) -> Any:
        """Return the key indicators by province in one table: one row per province with a report,
        one column per indicator of `key_indicators` (its figure with its note, `·` where none).
        EMPTY without figures."""
        keys = key_indicators(self.summary, self._cat, limit)
        if not keys:
            return EMPTY
        lang, p = self.lang, self.period
        now = _with_province(
            self.inputs.observations[self.inputs.observations["period"] == p.code], self.inputs.reports
        )
        columns = []
        for indicator, measure in keys:
            values = province_values(now, indicator, measure)
            columns.append({c: r for c, r in zip(values["province"], values.to_dict("records"))})
        codes = sorted({c for col in columns for c in col}, key=lambda c: self._name(c))
        body = []
        for code in codes:
            cells: list[Any] = [self._name(code)]
            for (indicator, measure), col in zip(keys, columns):
                r = col.get(code)
                if r is None:
                    cells.append("·")
                    continue
                vt = common.measure_value_type(self._cat.get(indicator, {}).get("value_type", "count"), measure)
                q = None if pd.isna(r["qualifier"]) else r["qualifier"]
                mark = self.notes.mark([Part(None, r["value"], q, None, r["report_id"], r["quote"] or "")])
                cells.append(Raw(f"{escape(format_amount(r['value'], vt, lang, qualifier=q))} {mark}"))
            body.append(cells)
        header = [i18n.t("col_province", lang), *(self._cat.get(i, {}).get(f"label_{lang}", i) for i, _ in keys)]
        return md(
            heading(say("key_table", lang)),
            say("key_table_intro", lang, period=p.label(lang)),
            markdown_table(header, body, "l" + "r" * len(keys), widths=[16] + [21] * len(keys)),
        )

    def movements(self, limit: int = 6) -> Any:
        """Return the largest movements of the period (`movements`): one sentence a province, its
        figure and the figure a year earlier with their notes, and the rule; a sentence when none.
        EMPTY without reports."""
        if self.reports.empty:
            return EMPTY
        lang, p = self.lang, self.period
        try:
            earlier = p.year_earlier()
        except PeriodError:
            return EMPTY

        def same_unit(code: str) -> bool:
            try:
                return self.registry.get(code, on=p) == self.registry.get(code, on=earlier)
            except ProvinceError:
                return False

        found = movements(self.inputs.observations, self.inputs.reports, p, self._cat, same_unit, limit)
        blocks = [heading(say("movements", lang))]
        if not found:
            return md(*blocks, say("movements_none", lang, period=earlier.label(lang)))
        items = []
        for m in found:
            meta = self._cat.get(m.indicator, {"label_vi": m.indicator, "label_en": m.indicator})
            vt = common.measure_value_type(meta.get("value_type", "count"), m.measure)
            now_mark = self.notes.mark([Part(None, m.value, None, None, m.source[0], m.source[1] or "")])
            old_mark = self.notes.mark(
                [Part(None, m.earlier, None, None, m.earlier_source[0], m.earlier_source[1] or "")]
            )
            size = (
                f"{format_amount(abs(round(m.relative, 2)), 'count', lang)} {i18n.t('points', lang)}"
                if vt == "percent"
                else format_amount(abs(round(m.relative, 1)), "percent", lang)
            )
            items.append(
                "- "
                + str(
                    say(
                        "movement_up" if m.relative > 0 else "movement_down",
                        lang,
                        province=self._name(m.province),
                        label=common.row_label({**meta, "measure": m.measure}, lang),
                        value=Raw(f"{escape(format_amount(m.value, vt, lang))} {now_mark}"),
                        size=size,
                        period=earlier.label(lang),
                        earlier=Raw(f"{escape(format_amount(m.earlier, vt, lang))} {old_mark}"),
                    )
                )
            )
        return md(*blocks, "\n".join(items), say("movements_rule", lang, period=earlier.label(lang)))

    def areas(self) -> list[str]:
        """Return the codes of the areas with a figure of a named province, in area order."""
        if self.summary.empty:
            return []
        present = set(self.summary["area"])
        return [a for a in common.area_labels(self.inputs.areas, self.lang) if a in present]

    def figures_heading(self) -> Any:
        """Return the heading of the provinces' figures by area; EMPTY when there are none."""
        if self.summary.empty:
            return EMPTY
        lang = self.lang
        try:
            earlier = self.period.year_earlier().label(lang)
        except PeriodError:
            earlier = "—"
        return md(
            heading(i18n.t("period_figures", lang)),
            i18n.t("period_figures_intro", lang, period=self.period.label(lang), earlier=earlier),
        )

    def area_table(self, area: str) -> Any:
        """Return one area's table: for each indicator, provinces with a figure, median, highest and
        lowest (province, figure, note), and the median a year earlier."""
        if self.summary.empty:
            return EMPTY
        rows = self.summary[self.summary["area"] == area]
        if rows.empty:
            return EMPTY
        lang = self.lang
        body = []
        for r in rows.to_dict("records"):
            meta = self._cat.get(
                r["indicator"], {"label_vi": r["indicator"], "label_en": r["indicator"], "value_type": "count"}
            )
            vt = common.measure_value_type(meta.get("value_type", "count"), r["measure"])

            def extreme(which: str) -> Raw:
                rid, quote = r[f"{which}_source"]
                mark = self.notes.mark([Part(None, r[which], None, None, rid, quote or "")])
                text = format_amount(r[which], vt, lang, qualifier=r[f"{which}_qualifier"])
                return Raw(f"{escape(self._name(r[f'{which}_province']))}: {escape(text)} {mark}")

            earlier = r["median_earlier"]
            body.append(
                [
                    common.row_label({**meta, "measure": r["measure"]}, lang),
                    str(r["n"]),
                    format_amount(r["median"], vt, lang),
                    extreme("max"),
                    extreme("min") if r["n"] > 1 else "—",
                    format_amount(earlier, vt, lang) if earlier == earlier else Raw(f"*{i18n.t('no_data', lang)}*"),
                ]
            )
        label = common.area_labels(self.inputs.areas, lang).get(area, area)
        header = [
            i18n.t("col_indicator", lang),
            i18n.t("col_n", lang),
            i18n.t("col_median", lang),
            i18n.t("col_max", lang),
            i18n.t("col_min", lang),
            i18n.t("col_median_earlier", lang),
        ]
        return md(heading(label, 3), markdown_table(header, body, "lrrllr"))

    def ranking(self, indicator: str | None = None) -> Any:
        """Return the bar chart of `indicator` (default: the page's) across the provinces with a
        figure, highest first; EMPTY without an indicator or figures."""
        indicator = indicator or self.indicator
        if indicator is None or indicator not in self._cat:
            return EMPTY
        lang, meta = self.lang, self._cat[indicator]
        obs = self.inputs.observations[self.inputs.observations["period"] == self.period.code]
        values = province_values(_with_province(obs, self.inputs.reports), indicator)
        if values.empty:
            return EMPTY
        names = [self._name(c) for c in values["province"]]
        texts = [
            format_amount(v, meta["value_type"], lang, qualifier=None if pd.isna(q) else q)
            for v, q in zip(values["value"], values["qualifier"])
        ]
        return charts.rank_chart(
            names,
            list(values["value"].astype(float)),
            value_type=meta["value_type"],
            title=str(i18n.t("ranking_chart", lang, indicator=Raw(meta[f"label_{lang}"]))),
            lang=lang,
            texts=texts,
        )
