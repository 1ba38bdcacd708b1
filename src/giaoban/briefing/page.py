"""The briefing of one province for one period: what `notebooks/briefing.ipynb` shows, section by section.

`open_briefing(province, period, lang)` loads the job's data through `giaoban.data.inputs.for_job` and
returns a `BriefingPage`; each of its methods returns one output for one notebook cell (Markdown
with its heading, or a matplotlib Figure), in the page's language, or `EMPTY` when the section has
nothing to say. Every figure shown carries a note mark leading to the sources section.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from giaoban.briefing import charts, i18n
from giaoban.errors import InputError
from giaoban.data.inputs import Inputs, for_job
from giaoban.domain.numbers import qualifier_label
from giaoban.domain.periods import Period
from giaoban.briefing.tables import EMPTY, Raw, escape, heading, markdown_table, md
from giaoban.briefing import common
from giaoban.briefing.comparisons import compare, comparison_periods, key_figures
from giaoban.briefing import highlights as rules
from giaoban.briefing.focus import Evidence, follow_up, plans_for, tasks_due, tasks_next
from giaoban.briefing.parameters import province_code
from giaoban.briefing.phrases import plain, say
from giaoban.briefing.province_page import short_label
from giaoban.briefing.sources import Notes, SourcedPage
from giaoban.briefing.succession import Ended, catalogue, ended_unit, territory_values
from giaoban.briefing.values import MISSING, Value, change_text, format_amount, value_text
from giaoban.data.standings import spread_values

__all__ = ["BriefingPage", "open_briefing"]


def open_briefing(
    province: str | int,
    period: str,
    lang: str = "vi",
    data_dir: str | Path | None = None,
    *,
    meeting_type: str | None = None,
    meeting_date: str | None = None,
) -> BriefingPage:
    """Return the `BriefingPage` of `province` (GSO code `"51"`, `51`, `"01"`, or a name such as
    `Quảng Ngãi`, see `giaoban.briefing.parameters.province_code`) for period code `period` in `lang`;
    `meeting_type` (a code such as `so_ket`) and `meeting_date` (ISO) name the meeting the briefing
    is for, when known (the build passes them; the intro shows them).

    A code whose unit had ended before the period (Kon Tum, "62", in 2025-H2) gives a short page
    pointing to the unit that then held its territory. Refuses (InputError) an unsupported
    language, a malformed period, an unknown code, an unknown or ambiguous name, and invalid data.
    """
    lang = i18n.check_lang(lang)
    p = Period.parse(period)
    province = province_code(province, on=p, data_dir=data_dir)
    try:
        inputs = for_job("briefing", {"province": province, "period": p.code, "lang": lang}, data_dir)
    except InputError:
        ended = ended_unit(common.registry(data_dir), province, p)
        if ended is None:
            raise
        return BriefingPage(p, lang, ended=ended)
    meeting = (meeting_type, meeting_date) if (meeting_type or meeting_date) else None
    return BriefingPage(p, lang, inputs=inputs, data_dir=data_dir, meeting=meeting)


class BriefingPage(SourcedPage):
    """One briefing (see the module docstring). Build it with `open_briefing`.

    `inputs` is the job's data (None for a unit that had ended); `notes` the page's numbered
    sources, filled as sections are shown.
    """

    def __init__(
        self,
        period: Period,
        lang: str,
        *,
        inputs: Inputs | None = None,
        ended: Ended | None = None,
        data_dir: str | Path | None = None,
        meeting: tuple[str | None, str | None] | None = None,
    ) -> None:
        self.period, self.lang, self.inputs, self.ended = period, i18n.check_lang(lang), inputs, ended
        self._data_dir, self.meeting = data_dir, meeting
        if inputs is not None:
            self.unit = inputs.province
            self.units = tuple(inputs.units)
            self.notes = Notes(inputs.reports, inputs.sources)
            self._cat = catalogue(inputs.indicators)
        else:
            self.unit, self.units, self._cat = ended.unit, (ended.unit,), {}
            self.notes = Notes(pd.DataFrame(columns=["report_id"]))

    # ------------------------------------------------------------------ helpers
    def _name(self, unit: Any = None) -> str:
        return common.unit_label(unit or self.unit, self.lang, others=self.units)

    def _mark(self, parts: Any) -> str:
        return self.notes.mark(parts)

    def _value(self, value: Value, value_type: str) -> Raw:
        return value_text(value, value_type, self.lang, self._mark, target=self.unit)

    @cached_property
    def roles(self) -> list[tuple[str, Period]]:
        """Return the compared periods: [(role, period)] as in `comparison_periods`."""
        return comparison_periods(self.period)

    @cached_property
    def compared(self) -> pd.DataFrame:
        """Return the comparison frame of the page (see `giaoban.briefing.comparisons.compare`)."""
        if self.inputs is None:
            return pd.DataFrame()
        i = self.inputs
        return compare(i.observations, i.reports, self.units, self.period, i.indicators, roles=self.roles)

    @cached_property
    def reports_of_period(self) -> pd.DataFrame:
        """Return the reports (of the unit or its predecessors) that review this period."""
        if self.inputs is None:
            return pd.DataFrame()
        r = self.inputs.reports
        return r[r["period"] == self.period.code].reset_index(drop=True)

    @cached_property
    def due(self) -> pd.DataFrame:
        """Return the focus tasks set for this period (see `tasks_due`)."""
        if self.inputs is None:
            return pd.DataFrame()
        return tasks_due(self.inputs.focus_tasks, self.inputs.reports, self.period)

    @property
    def has_data(self) -> bool:
        """Return True when the page has a report for the period, a figure in a compared period, or a
        focus task set for the period; a page without any is short and says so."""
        return self.inputs is not None and (
            not self.compared.empty or not self.due.empty or not self.reports_of_period.empty
        )

    @cached_property
    def evidence(self) -> list[list[Evidence]]:
        """Return what the data says of each task due (`follow_up`), one list per row of `due`."""
        if self.inputs is None or self.due.empty:
            return []
        i = self.inputs
        return follow_up(self.due, i.observations, i.reports, self.units, self.period, self._cat)

    @cached_property
    def statuses(self) -> list[rules.TaskStatus]:
        """Return the status of each task due (`highlights.task_status`), in the order of `due`."""
        return [rules.task_status(ev) for ev in self.evidence]

    @cached_property
    def plans(self) -> dict:
        """Return the plan figures set for this period: (indicator, measure) → `Value`."""
        if self.inputs is None:
            return {}
        i = self.inputs
        return territory_values(i.observations, i.reports, self.units, self.period, self._cat, kind="plan")

    def _roles_with_data(self) -> list[tuple[str, Period]]:
        """The compared periods that have at least one figure (this period always)."""
        c = self.compared
        return [
            (role, p)
            for role, p in self.roles
            if role == "current" or (not c.empty and any(v.status != MISSING for v in c[role]))
        ]

    def _current_rows(self) -> pd.DataFrame:
        c = self.compared
        return c[[v.parts != () for v in c["current"]]] if not c.empty else c

    # ------------------------------------------------------------------ sections
    def title(self) -> Any:
        """Return the page's first-level heading (province and period in `lang`)."""
        if self.ended is not None:
            return md(heading(i18n.t("ended_title", self.lang, province=self._name(), code=self.unit.code), 1))
        return md(
            heading(i18n.t("briefing_title", self.lang, province=self._name(), period=self.period.label(self.lang)), 1)
        )

    def intro(self) -> Any:
        """Return the reports reviewed, how the unit relates to its predecessors or successor, and
        how many figures the period has; or the pointer to the successor of a unit that had ended."""
        lang = self.lang
        if self.ended is not None:
            e = self.ended
            return md(
                i18n.t(
                    "ended",
                    lang,
                    province=e.unit.label(lang),
                    code=e.unit.code,
                    last=i18n.format_date(e.unit.valid_to, lang),
                    period=self.period.label(lang),
                    successor=i18n.unit_full_name(e.successor, lang),
                    successor_code=e.successor.code,
                )
            )
        blocks = []
        if self.meeting is not None and not self._meeting_in_reports():
            kind, day = self.meeting
            blocks.append(
                i18n.t(
                    "meeting_for",
                    lang,
                    type=i18n.meeting_type_label(kind, lang) or "—",
                    date=i18n.format_date(day, lang),
                )
            )
        blocks.extend(common.report_line(r, lang) for r in self.reports_of_period.to_dict("records"))
        if self.reports_of_period.empty:
            blocks.append(i18n.t("no_report", lang, province=self._name(), period=self.period.label(lang)))
        blocks.extend(self._succession_lines())
        current = self._current_rows()
        if not current.empty:
            blocks.append(
                i18n.t(
                    "figures_count",
                    lang,
                    n=str(len(current)),
                    areas=str(current["area"].nunique()),
                    all_areas=str(len(self.inputs.areas)),
                )
            )
        if not self.due.empty:
            blocks.append(i18n.t("tasks_due_count", lang, n=str(len(self.due)), period=self.period.label(lang)))
        if not self.has_data:
            blocks.append(i18n.t("no_data_at_all", lang, province=self._name(), period=self.period.label(lang)))
        elif not self.compared.empty:
            blocks.append(i18n.t("notes_hint", lang))
        return md(*blocks)

    def _meeting_in_reports(self) -> bool:
        """Whether a report of the period already names the meeting of the briefing (type and date)."""
        kind, day = self.meeting
        for r in self.reports_of_period.to_dict("records"):
            stated = r.get("meeting_date")
            stated = None if stated is None or pd.isna(stated) else str(stated)[:10]
            if r.get("meeting_type") == kind and stated == (str(day)[:10] if day else None):
                return True
        return False

    def _succession_lines(self) -> list[Raw]:
        return common.succession_lines(self.unit, self.units, self.lang, self._data_dir)

    def _row(self, indicator: str, measure: str) -> dict:
        """The comparison row (labels, value type) of an indicator, else its catalogue row."""
        if not self.compared.empty:
            hit = self.compared[(self.compared["indicator"] == indicator) & (self.compared["measure"] == measure)]
            if not hit.empty:
                return hit.iloc[0].to_dict()
        row = self._cat.get(indicator, {"label_vi": indicator, "label_en": indicator, "value_type": "count"})
        return {**row, "measure": measure}

    def _vt(self, row: dict) -> str:
        return common.measure_value_type(row.get("value_type", "count"), row.get("measure", "level"))

    def highlight_sentences(self) -> list[Raw]:
        """Return the highlights as sentences (Markdown, with their figures and note marks), at most 8,
        chosen by the rules of `giaoban.briefing.highlights`: the largest changes, the share of the
        plan, the top or bottom fifth among provinces, the focus tasks due. When no figure can be
        compared, the first sentence says so. [] for a page without data."""
        if not self.has_data:
            return []
        lang, out = self.lang, []
        role_period = dict(self.roles)
        found, pairs = rules.changes(self.compared, [r for r, _ in self.roles[1:]])
        if not found:
            key = "no_large_change" if pairs else "nothing_to_compare"
            out.append(say(key, lang, n=str(pairs), period=self.period.label(lang)))
        for c in found:
            row = self._row(c.indicator, c.measure)
            vt = self._vt(row)
            if vt == "percent":
                size = f"{format_amount(abs(round(c.delta, 2)), 'count', lang)} {i18n.t('points', lang)}"
            else:
                size = format_amount(abs(round(c.relative, 1)), "percent", lang)
            out.append(
                say(
                    "change_up" if c.delta > 0 else "change_down",
                    lang,
                    label=common.row_label(row, lang),
                    current=self._value(c.current, vt),
                    size=size,
                    role=Raw(str(i18n.t(f"role_{c.role}_short", lang, period=role_period[c.role].label(lang)))),
                    earlier=self._value(c.earlier, vt),
                )
            )
        for share in rules.plan_shares(self.compared, self.plans):
            row = self._row(share.indicator, share.measure)
            status = say("plan_reached" if share.reached else "plan_missed", lang)
            label = common.row_label(row, lang)
            if share.plan is None:
                out.append(
                    say("plan_pct", lang, label=label, value=self._value(share.actual, "percent"), status=status)
                )
            else:
                vt = self._vt(row)
                out.append(
                    say(
                        "plan_share",
                        lang,
                        label=label,
                        actual=self._value(share.actual, vt),
                        share=format_amount(round(share.share, 1), "percent", lang),
                        plan=self._value(share.plan, vt),
                        status=status,
                    )
                )
        standing = self.inputs.standing
        current = {(r["indicator"], r["measure"]): r["current"] for r in self._current_rows().to_dict("records")}
        for st in rules.standing_extremes(standing):
            value = current.get((st.indicator, st.measure))
            if value is None:
                continue
            row = self._row(st.indicator, st.measure)
            vt = self._vt(row)
            out.append(
                say(
                    "standing_top" if st.top else "standing_bottom",
                    lang,
                    label=common.row_label(row, lang),
                    value=self._value(value, vt),
                    rank=str(st.rank),
                    n=str(st.n),
                    median=format_amount(st.median, vt, lang),
                )
            )
        if self.statuses:
            counts = rules.status_counts(self.statuses)
            parts = [str(say(f"count_{k}", lang, n=str(n))) for k, n in counts.items() if n]
            out.append(
                say("tasks_summary", lang, n=str(len(self.statuses)), counts=Raw(common.join_names(parts, lang)))
            )
        return out[:8]

    def highlights(self) -> Any:
        """Return the "Điểm nổi bật" / "Highlights" section: `highlight_sentences` as a list and the
        rule that chose them. EMPTY for a page without data."""
        sentences = self.highlight_sentences()
        if not sentences:
            return EMPTY
        r = rules.RULES
        lang = self.lang
        rule = say(
            "highlights_rule",
            lang,
            base=format_amount(r["min_base_count"], "count", lang),
            money=format_amount(r["min_base_money"], "money", lang),
            pct=format_amount(r["min_change_pct"], "percent", lang),
            points=format_amount(r["min_change_points"], "count", lang),
            changes=str(int(r["max_changes"])),
            provinces=str(int(r["min_provinces"])),
        )
        return md(heading(say("highlights", lang)), "\n".join(f"- {s}" for s in sentences), rule)

    def key_figures(self, per_area: int = 2) -> Any:
        """Return the key figures at a glance: up to `per_area` figures per area (catalogue order),
        as a table of area, indicator and figure with its note; EMPTY when the period has none."""
        if self.inputs is None:
            return EMPTY
        rows = key_figures(self.compared, self.inputs.areas, per_area)
        if rows.empty:
            return EMPTY
        labels = common.area_labels(self.inputs.areas, self.lang)
        body = []
        for row in rows.to_dict("records"):
            vt = common.measure_value_type(row["value_type"], row["measure"])
            body.append(
                [
                    labels.get(row["area"], row["area"]),
                    common.row_label(row, self.lang),
                    self._value(row["current"], vt),
                ]
            )
        lang = self.lang
        return md(
            heading(i18n.t("key_figures", lang)),
            i18n.t("key_figures_intro", lang, n=str(per_area)),
            markdown_table(
                [i18n.t("col_area", lang), i18n.t("col_indicator", lang), i18n.t("col_value", lang)], body, "llr"
            ),
        )

    def areas(self) -> list[str]:
        """Return the codes of the areas that have a figure in some compared period, in area order."""
        if self.inputs is None or self.compared.empty:
            return []
        present = set(self.compared["area"])
        return [a for a in common.area_labels(self.inputs.areas, self.lang) if a in present]

    def areas_heading(self) -> Any:
        """Return the heading of the figures by area, saying which periods are compared; when there
        are none, a sentence saying so (EMPTY for a unit that had ended)."""
        if not self.has_data:
            return EMPTY
        lang = self.lang
        if self.compared.empty:
            return md(heading(i18n.t("areas", lang)), i18n.t("no_area_data", lang))
        others = [i18n.t(f"role_{role}_short", lang, period=p.label(lang)) for role, p in self.roles[1:]]
        blocks = [
            heading(i18n.t("areas", lang)),
            i18n.t(
                "areas_intro",
                lang,
                period=self.period.label(lang),
                comparisons=Raw(common.join_names([str(o) for o in others], lang)),
            ),
        ]
        kept = {role for role, _ in self._roles_with_data()}
        empty = [
            str(i18n.t(f"role_{role}_short", lang, period=p.label(lang)))
            for role, p in self.roles[1:]
            if role not in kept
        ]
        if empty:
            blocks.append(say("columns_left_out", lang, periods=Raw(common.join_names(empty, lang))))
        return md(*blocks)

    def annex(self) -> Any:
        """Return the heading of the annex (the full tables by area, the tasks for the next period,
        the documents cited, the sources), which the PDF starts on a new page. EMPTY without data."""
        if not self.has_data:
            return EMPTY
        return md(heading(say("annex", self.lang)) + " {#annex}", say("annex_intro", self.lang))

    # ------------------------------------------------------------------ charts
    def _history(self, indicator: str, measure: str, *, limit: int = 6) -> list[tuple[Period, Value]]:
        """The figures of one indicator in the periods of the same length as this one, up to it (at
        most `limit`, the latest), with the compared periods: [(period, Value with a number)]."""
        i = self.inputs
        rows = i.observations[
            (i.observations["indicator"] == indicator)
            & (i.observations["measure"] == measure)
            & (i.observations["kind"] == "actual")
        ]
        periods = set()
        for code in set(rows["period"]):
            try:
                p = Period.parse(code)
            except Exception:
                continue
            if p.months == self.period.months and p.end <= self.period.end:
                periods.add(p)
        periods |= {p for _, p in self.roles}
        out = []
        for p in sorted(periods, key=lambda p: (p.start, p.end))[-limit:]:
            if p not in self._history_cache:
                self._history_cache[p] = territory_values(i.observations, i.reports, self.units, p, self._cat)
            v = self._history_cache[p].get((indicator, measure))
            if v is not None and v.has_number:
                out.append((p, v))
        return out

    @cached_property
    def _history_cache(self) -> dict:
        return {}

    def chart_indicators(self, limit: int = 4) -> list[tuple[str, str]]:
        """Return the (indicator, measure) the across-periods chart shows: those of the highlighted
        changes, then the key figures, that have a number in at least two periods; at most `limit`."""
        if self.inputs is None or self.compared.empty:
            return []
        found, _ = rules.changes(self.compared, [r for r, _ in self.roles[1:]])
        keys = [(c.indicator, c.measure) for c in found]
        keys += [
            (r["indicator"], r["measure"]) for r in key_figures(self.compared, self.inputs.areas, 1).to_dict("records")
        ]
        out: list[tuple[str, str]] = []
        for key in keys:
            if key not in out and key[1] != "change_percent" and len(self._history(*key)) >= 2:
                out.append(key)
            if len(out) == limit:
                break
        return out

    def charts_heading(self) -> Any:
        """Return the heading of the charts and what they compare; EMPTY when the page has no chart."""
        if not self.chart_indicators() and self.peers_chart_rows().empty:
            return EMPTY
        return md(heading(say("charts", self.lang)), say("charts_intro", self.lang))

    def peers_chart_rows(self) -> pd.DataFrame:
        """Return the standing rows a strip chart can show (at least 3 provinces with a figure)."""
        if self.inputs is None or self.inputs.standing.empty or "spread" not in self.inputs.standing:
            return pd.DataFrame()
        return self.inputs.standing[self.inputs.standing["n"] >= 3]

    def periods_chart(self) -> Any:
        """Return the chart of single indicators across periods (`charts.periods_chart`: one panel an
        indicator, this period highlighted) with its text alternative stating every figure, as
        `charts.Figures` [chart, its figures as text]; EMPTY when no indicator has two periods."""
        keys = self.chart_indicators()
        if not keys:
            return EMPTY
        lang, panels, items = self.lang, [], []
        for indicator, measure in keys:
            row = self._row(indicator, measure)
            vt = self._vt(row)
            bars, said = [], []
            for p, v in self._history(indicator, measure):
                text = format_amount(v.number, vt, lang, qualifier=v.qualifier, denominator=v.denominator)
                bars.append(
                    charts.PeriodBar(
                        short_label(p, lang), float(v.number), text, p == self.period, v.qualifier is not None
                    )
                )
                said.append(f"{p.label(lang)} {text}")
            label = common.row_label(row, lang)
            panels.append(charts.IndicatorPeriods(label, bars, "percent" if vt == "percent" else vt))
            items.append(f"{label}: {'; '.join(said)}.")
        title = str(say("chart_periods_title", lang, province=self._name()))
        fig = charts.periods_chart(panels, title=title, lang=lang)
        alt = plain("chart_periods_alt", lang, province=self._name(), items=" ".join(items))
        return charts.Figures([charts.Chart(fig, alt), md(say("chart_text", lang, text=" ".join(items)))])

    def peers_chart(self, limit: int = 6) -> Any:
        """Return where the province stands among the provinces for its rankable figures of this period
        (`charts.strip_chart`: a strip per indicator, every province a dot, the median marked, this
        province highlighted), highlighted standings first then catalogue order, at most `limit`,
        with its text alternative; EMPTY when no rankable figure has at least 3 provinces."""
        table = self.peers_chart_rows()
        if table.empty:
            return EMPTY
        lang = self.lang
        first = {(s.indicator, s.measure) for s in rules.standing_extremes(table)}
        records = sorted(
            table.to_dict("records"), key=lambda r: ((r["indicator"], r["measure"]) not in first, int(r["order"]))
        )[:limit]
        strips, items = [], []
        for r in records:
            row = self._row(r["indicator"], r["measure"])
            vt = self._vt(row)
            values = spread_values(r["spread"])
            label = common.row_label(row, lang)
            strips.append(charts.Strip(label, values, float(r["value"]), float(r["median"]), vt))
            items.append(
                plain(
                    "chart_peers_item",
                    lang,
                    label=label,
                    province=self._name(),
                    value=format_amount(r["value"], vt, lang),
                    rank=str(r["rank"]),
                    n=str(r["n"]),
                    median=format_amount(r["median"], vt, lang),
                    low=format_amount(min(values), vt, lang),
                    high=format_amount(max(values), vt, lang),
                )
            )
        period = self.period.label(lang)
        fig = charts.strip_chart(
            strips,
            title=str(say("chart_peers_title", lang, province=self._name(), period=period)),
            lang=lang,
            province=self._name(),
        )
        alt = plain("chart_peers_alt", lang, period=period, province=self._name(), items=" ".join(items))
        return charts.Figures([charts.Chart(fig, alt), md(say("chart_text", lang, text=" ".join(items)))])

    def area_table(self, area: str) -> Any:
        """Return the sub-heading and table of one area: each indicator's figure for this period,
        a year earlier and the previous period (with the change), `không có số liệu` where missing;
        a compared period without any figure in the area is left out (`areas_heading` says so).
        EMPTY for an area without figures."""
        rows = self.compared[self.compared["area"] == area] if not self.compared.empty else self.compared
        if rows.empty:
            return EMPTY
        lang = self.lang
        roles = [
            (role, p) for role, p in self.roles if role == "current" or any(v.status != MISSING for v in rows[role])
        ]
        header = [i18n.t("col_indicator", lang)]
        header += [i18n.t(f"role_{role}", lang, period=p.label(lang)) for role, p in roles]
        body = []
        for row in rows.to_dict("records"):
            vt = common.measure_value_type(row["value_type"], row["measure"])
            cells: list[Any] = [common.row_label(row, lang), self._value(row["current"], vt)]
            for role, _ in roles[1:]:
                text = self._value(row[role], vt)
                change = change_text(row["current"], row[role], vt, lang)
                cells.append(Raw(f"{text} ({escape(change)})") if change else text)
            body.append(cells)
        label = common.area_labels(self.inputs.areas, lang).get(area, area)
        return md(heading(label, 3), markdown_table(header, body, "l" + "r" * len(roles)))

    def area_chart(self, area: str, *, min_bars: int = 2, max_rows: int = 16) -> Any:
        """Return a Figure of the area's figures as horizontal bars, one panel per value type (counts,
        money, percentages), one bar per compared period that has a number; approximate figures
        hatched. An area with more than `max_rows` indicators gives `charts.Figures`, a page each.
        EMPTY when no panel has at least `min_bars` bars."""
        rows = self.compared[self.compared["area"] == area] if not self.compared.empty else self.compared
        if rows.empty:
            return EMPTY
        lang = self.lang
        panels = []
        for vt in ("count", "money", "percent"):
            group = [
                r
                for r in rows.to_dict("records")
                if common.measure_value_type(r["value_type"], r["measure"]) == vt
                and any(r[role].has_number for role, _ in self.roles)
            ]
            if not group:
                continue
            roles = [(role, p) for role, p in self.roles if any(r[role].has_number for r in group)]
            largest = max(abs(r[role].number) for r in group for role, _ in roles if r[role].has_number)
            divisor = charts.money_scale(largest, lang)[0] if vt == "money" else 1.0
            series = {}
            for role, p in roles:
                bars = []
                for r in group:
                    v: Value = r[role]
                    if v.has_number and vt == "money":  # in the axis' unit (tỷ đồng…), named on the axis
                        text = charts.number_formatter("count", lang, divisor)(v.number)
                        if v.qualifier:
                            text = f"{qualifier_label(v.qualifier, lang)} {text}"
                        bars.append(charts.Bar(v.number, text, v.qualifier is not None))
                    elif v.has_number:
                        text = format_amount(v.number, vt, lang, qualifier=v.qualifier, denominator=v.denominator)
                        bars.append(charts.Bar(v.number, text, v.qualifier is not None))
                    else:
                        bars.append(charts.Bar(None))
                series[p.label(lang)] = bars
            if sum(b.value is not None for bars in series.values() for b in bars) >= min_bars:
                panels.append(charts.Panel([common.row_label(r, lang) for r in group], series, vt))
        if not panels:
            return EMPTY
        approx = any(b.approx for p in panels for bars in p.series.values() for b in bars)
        label = common.area_labels(self.inputs.areas, lang).get(area, area)
        title = str(
            i18n.t("chart_area", lang, area=Raw(label), province=Raw(self._name()), period=Raw(self.period.label(lang)))
        )
        note = str(i18n.t("approx_note", lang)) if approx else None
        pages: list[list[charts.Panel]] = [[]]
        for panel in panels:
            chunks = -(-len(panel.labels) // max_rows)
            size = -(-len(panel.labels) // chunks)  # balanced: 17 rows give 9 + 8, not 16 + 1
            for start in range(0, len(panel.labels), size):
                part = charts.Panel(
                    panel.labels[start : start + size],
                    {k: v[start : start + size] for k, v in panel.series.items()},
                    panel.value_type,
                )
                if pages[-1] and sum(len(p.labels) for p in pages[-1]) + len(part.labels) > max_rows:
                    pages.append([])
                pages[-1].append(part)
        figures = [
            charts.bar_panels(group, title=title if i == 0 else "", lang=lang, note=note)
            for i, group in enumerate(pages)
        ]
        return figures[0] if len(figures) == 1 else charts.Figures(figures)

    def ranks(self) -> Any:
        """Return where the province stands among the provinces with a figure for this period, for
        rankable indicators: rank (highest value first), number of provinces, median. EMPTY for a
        unit that had ended or a period without figures."""
        if self.inputs is None or self._current_rows().empty:
            return EMPTY
        lang = self.lang
        table = self.inputs.standing
        head = [heading(i18n.t("ranks", lang)), i18n.t("ranks_intro", lang, period=self.period.label(lang))]
        if table.empty:
            return md(*head, i18n.t("ranks_none", lang))
        ranked = table[table["n"] > 1]
        alone = table[table["n"] <= 1]
        current = {(r["indicator"], r["measure"]): r for r in self._current_rows().to_dict("records")}
        body = []
        for r in ranked.to_dict("records"):
            row = current.get((r["indicator"], r["measure"]))
            if row is None:
                continue
            vt = common.measure_value_type(row["value_type"], r["measure"])
            body.append(
                [
                    common.row_label(row, lang),
                    self._value(row["current"], vt),
                    i18n.t("rank_of", lang, rank=str(r["rank"]), n=str(r["n"])),
                    format_amount(r["median"], vt, lang),
                ]
            )
        blocks = list(head)
        if body:
            blocks.append(
                markdown_table(
                    [
                        i18n.t("col_indicator", lang),
                        i18n.t("col_value", lang),
                        i18n.t("col_rank", lang),
                        i18n.t("col_median", lang),
                    ],
                    body,
                    "lrrr",
                )
            )
        if not alone.empty:
            blocks.append(
                i18n.t("ranks_alone", lang, n=str(len(alone)), province=self._name(), period=self.period.label(lang))
            )
        return md(*blocks)

    def tasks_due(self) -> Any:
        """Return the focus tasks set for this period at the last meeting, grouped by the report that
        set them, each with its status (`highlights.task_status`: đạt, chưa đạt, chưa có số liệu, or
        không đánh giá bằng số liệu) and what the data says: for an indicator with a plan figure,
        planned, done and the share; else its figure for this period (or `không có số liệu`) and the
        latest figure before the period. The rule of the status is written under the heading."""
        if not self.has_data:
            return EMPTY
        lang = self.lang
        blocks = [heading(i18n.t("tasks_due", lang))]
        if self.due.empty:
            return md(*blocks, i18n.t("tasks_due_none", lang, period=self.period.label(lang)))
        blocks.append(i18n.t("tasks_due_intro", lang, period=self.period.label(lang)))
        blocks.append(say("task_rule", lang))
        if lang == "en":
            blocks.append(i18n.t("verbatim_vi", lang))
        for _report_id, group in self.due.groupby("report_id", sort=False):
            first = group.iloc[0]
            blocks.append(
                i18n.t(
                    "set_by", lang, title=first["report_title"], period=Period.parse(first["report_period"]).label(lang)
                )
            )
            items = []
            for n, (task, k) in enumerate(zip(group.to_dict("records"), group.index), 1):
                ev, status = self.evidence[k], self.statuses[k]
                number = int(task["ordinal"]) if not pd.isna(task["ordinal"]) else n
                lead = f"{number}. "
                lines = [lead + escape(task["text"])]
                pad = " " * len(lead)
                lines.append(f"{pad}- {say('task_status', lang, status=say('status_' + status.status, lang))}")
                if not ev:
                    lines.append(f"{pad}- *{i18n.t('task_no_indicator', lang)}*")
                for e, judged in zip(ev, status.per_evidence):
                    lines.append(f"{pad}- {self._evidence_line(e, judged)}")
                items.append("\n".join(lines))
            blocks.append("\n".join(items))
        return md(*blocks)

    def _evidence_line(self, e: Any, judged: str | None = None) -> str:
        lang = self.lang
        row = self._cat.get(e.indicator, {"label_vi": e.indicator, "label_en": e.indicator, "value_type": "count"})
        vt = common.measure_value_type(row.get("value_type", "count"), e.measure)
        label = common.row_label({**row, "measure": e.measure}, lang)
        if judged is not None and e.plan.parts:
            share = rules.share_of_plan(e.current, e.plan)
            text = str(
                say(
                    "task_plan_line",
                    lang,
                    label=label,
                    plan=self._value(e.plan, vt),
                    actual=self._value(e.current, vt),
                    share=say("task_share", lang, share=format_amount(round(share, 1), "percent", lang))
                    if share is not None
                    else Raw(""),
                )
            )
            return f"{text} — {say('status_' + judged, lang)}"
        parts = [str(i18n.t("task_figure", lang, label=label, value=self._value(e.current, vt)))]
        if e.plan.parts:
            parts.append(str(i18n.t("plan_value", lang, value=self._value(e.plan, vt))))
        if e.latest is not None:
            p, v = e.latest
            parts.append(str(i18n.t("latest_before", lang, value=self._value(v, vt), period=p.label(lang))))
        text = "; ".join(parts)
        return f"{text} — {say('status_' + judged, lang)}" if judged is not None else text

    def tasks_next(self) -> Any:
        """Return the focus tasks this period's report sets for the next period (verbatim, numbered)
        and the plan figures it gives; a sentence when it sets none. EMPTY without a report."""
        if self.inputs is None or self.reports_of_period.empty:
            return EMPTY
        lang, i = self.lang, self.inputs
        blocks = [heading(i18n.t("tasks_next", lang))]
        tasks = tasks_next(i.focus_tasks, self.reports_of_period, self.period)
        plans = plans_for(i.observations, self.reports_of_period, self.period)
        if tasks.empty and plans.empty:
            return md(*blocks, i18n.t("tasks_next_none", lang))
        if lang == "en" and not tasks.empty:
            blocks.append(i18n.t("verbatim_vi", lang))
        for for_period, group in tasks.groupby("for_period", sort=False):
            blocks.append(i18n.t("tasks_next_intro", lang, period=Period.parse(for_period).label(lang)))
            blocks.append("\n".join(f"{int(t['ordinal'])}. {escape(t['text'])}" for t in group.to_dict("records")))
        for code, _group in plans.groupby("period", sort=False):
            p = Period.parse(code)
            values = territory_values(i.observations, self.reports_of_period, self.units, p, self._cat, kind="plan")
            items = []
            for (indicator, measure), v in values.items():
                row = self._cat.get(indicator, {"label_vi": indicator, "label_en": indicator, "value_type": "count"})
                vt = common.measure_value_type(row.get("value_type", "count"), measure)
                items.append(f"- {escape(common.row_label({**row, 'measure': measure}, lang))}: {self._value(v, vt)}")
            if items:
                blocks.append(i18n.t("plans_next", lang, period=p.label(lang)))
                blocks.append("\n".join(items))
        return md(*blocks)

    def legal_refs(self) -> Any:
        """Return the table of documents this period's report cites (number, type, issuer, date,
        subject), each number with a note leading to its citation; a sentence when there are none."""
        if self.inputs is None or self.reports_of_period.empty:
            return EMPTY
        lang = self.lang
        refs = self.inputs.legal_refs
        refs = refs[refs["report_id"].isin(set(self.reports_of_period["report_id"]))]
        blocks = [heading(i18n.t("legal_refs", lang))]
        if refs.empty:
            return md(*blocks, i18n.t("legal_refs_none", lang))
        body = []
        for r in refs.to_dict("records"):
            quote = r.get("quote")
            mark = self.notes.mark([_Cite(r["report_id"], quote)]) if isinstance(quote, str) and quote else ""
            body.append(
                [
                    Raw(f"{escape(r['number'])} {mark}".strip()),
                    r.get("doc_type"),
                    r.get("issuer"),
                    i18n.format_date(r.get("date"), lang) if not pd.isna(r.get("date")) else "",
                    r.get("title"),
                ]
            )
        return md(
            *blocks,
            markdown_table(
                [
                    i18n.t("col_number", lang),
                    i18n.t("col_doc_type", lang),
                    i18n.t("col_issuer", lang),
                    i18n.t("col_date", lang),
                    i18n.t("col_title", lang),
                ],
                body,
                "lllll",
                widths=[18, 11, 14, 14, 43],
            ),
        )


class _Cite:
    """A (report_id, quote) that `Notes.mark` can number, for citations that are not figures."""

    def __init__(self, report_id: str, quote: str) -> None:
        self.report_id, self.quote = report_id, quote
