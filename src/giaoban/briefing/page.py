"""The briefing of one province for one period: what `notebooks/briefing.ipynb` shows, section by section.

`open_briefing(province, period, lang)` loads the job's data through `giaoban.inputs.for_job` and
returns a `BriefingPage`; each of its methods returns one output for one notebook cell (Markdown
with its heading, or a matplotlib Figure), in the page's language, or `EMPTY` when the section has
nothing to say. Every figure shown carries a note mark leading to the sources section.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from giaoban import charts, i18n
from giaoban.errors import InputError
from giaoban.inputs import Inputs, for_job
from giaoban.numbers import qualifier_label
from giaoban.periods import Period
from giaoban.tables import EMPTY, Raw, escape, heading, markdown_table, md
from giaoban.briefing import common
from giaoban.briefing.comparisons import compare, comparison_periods, key_figures
from giaoban.briefing.focus import follow_up, plans_for, tasks_due, tasks_next
from giaoban.briefing.parameters import province_code
from giaoban.briefing.sources import Notes, SourcedPage
from giaoban.briefing.succession import Ended, catalogue, ended_unit, territory_values
from giaoban.briefing.values import Value, change_text, format_amount, value_text

__all__ = ["BriefingPage", "open_briefing"]


def open_briefing(province: str | int, period: str, lang: str = "vi", data_dir: str | Path | None = None, *,
                  meeting_type: str | None = None, meeting_date: str | None = None) -> BriefingPage:
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

    def __init__(self, period: Period, lang: str, *, inputs: Inputs | None = None, ended: Ended | None = None,
                 data_dir: str | Path | None = None, meeting: tuple[str | None, str | None] | None = None) -> None:
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
        return self.inputs is not None and (not self.compared.empty or not self.due.empty
                                            or not self.reports_of_period.empty)

    def _current_rows(self) -> pd.DataFrame:
        c = self.compared
        return c[[v.parts != () for v in c["current"]]] if not c.empty else c

    # ------------------------------------------------------------------ sections
    def title(self) -> Any:
        """Return the page's first-level heading (province and period in `lang`)."""
        if self.ended is not None:
            return md(heading(i18n.t("ended_title", self.lang, province=self._name(), code=self.unit.code), 1))
        return md(heading(i18n.t("briefing_title", self.lang, province=self._name(),
                                 period=self.period.label(self.lang)), 1))

    def intro(self) -> Any:
        """Return the reports reviewed, how the unit relates to its predecessors or successor, and
        how many figures the period has; or the pointer to the successor of a unit that had ended."""
        lang = self.lang
        if self.ended is not None:
            e = self.ended
            return md(i18n.t("ended", lang, province=e.unit.label(lang), code=e.unit.code,
                             last=i18n.format_date(e.unit.valid_to, lang), period=self.period.label(lang),
                             successor=i18n.unit_full_name(e.successor, lang), successor_code=e.successor.code))
        blocks = []
        if self.meeting is not None and not self._meeting_in_reports():
            kind, day = self.meeting
            blocks.append(i18n.t("meeting_for", lang, type=i18n.meeting_type_label(kind, lang) or "—",
                                 date=i18n.format_date(day, lang)))
        blocks.extend(common.report_line(r, lang) for r in self.reports_of_period.to_dict("records"))
        if self.reports_of_period.empty:
            blocks.append(i18n.t("no_report", lang, province=self._name(), period=self.period.label(lang)))
        blocks.extend(self._succession_lines())
        current = self._current_rows()
        if not current.empty:
            blocks.append(i18n.t("figures_count", lang, n=str(len(current)),
                                 areas=str(current["area"].nunique()), all_areas=str(len(self.inputs.areas))))
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
            body.append([labels.get(row["area"], row["area"]), common.row_label(row, self.lang),
                         self._value(row["current"], vt)])
        lang = self.lang
        return md(heading(i18n.t("key_figures", lang)), i18n.t("key_figures_intro", lang, n=str(per_area)),
                  markdown_table([i18n.t("col_area", lang), i18n.t("col_indicator", lang),
                                  i18n.t("col_value", lang)], body, "llr"))

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
        return md(heading(i18n.t("areas", lang)),
                  i18n.t("areas_intro", lang, period=self.period.label(lang),
                         comparisons=Raw(common.join_names([str(o) for o in others], lang))))

    def area_table(self, area: str) -> Any:
        """Return the sub-heading and table of one area: each indicator's figure for this period,
        a year earlier and the previous period (with the change), `không có số liệu` where missing.
        EMPTY for an area without figures."""
        rows = self.compared[self.compared["area"] == area] if not self.compared.empty else self.compared
        if rows.empty:
            return EMPTY
        lang = self.lang
        header = [i18n.t("col_indicator", lang)]
        header += [i18n.t(f"role_{role}", lang, period=p.label(lang)) for role, p in self.roles]
        body = []
        for row in rows.to_dict("records"):
            vt = common.measure_value_type(row["value_type"], row["measure"])
            cells: list[Any] = [common.row_label(row, lang), self._value(row["current"], vt)]
            for role, _ in self.roles[1:]:
                text = self._value(row[role], vt)
                change = change_text(row["current"], row[role], vt, lang)
                cells.append(Raw(f"{text} ({escape(change)})") if change else text)
            body.append(cells)
        label = common.area_labels(self.inputs.areas, lang).get(area, area)
        return md(heading(label, 3), markdown_table(header, body, "l" + "r" * len(self.roles)))

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
            group = [r for r in rows.to_dict("records")
                     if common.measure_value_type(r["value_type"], r["measure"]) == vt
                     and any(r[role].has_number for role, _ in self.roles)]
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
        title = str(i18n.t("chart_area", lang, area=Raw(label), province=Raw(self._name()),
                           period=Raw(self.period.label(lang))))
        note = str(i18n.t("approx_note", lang)) if approx else None
        pages: list[list[charts.Panel]] = [[]]
        for panel in panels:
            chunks = -(-len(panel.labels) // max_rows)
            size = -(-len(panel.labels) // chunks)  # balanced: 17 rows give 9 + 8, not 16 + 1
            for start in range(0, len(panel.labels), size):
                part = charts.Panel(panel.labels[start:start + size],
                                    {k: v[start:start + size] for k, v in panel.series.items()}, panel.value_type)
                if pages[-1] and sum(len(p.labels) for p in pages[-1]) + len(part.labels) > max_rows:
                    pages.append([])
                pages[-1].append(part)
        figures = [charts.bar_panels(group, title=title if i == 0 else "", lang=lang, note=note)
                   for i, group in enumerate(pages)]
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
            body.append([common.row_label(row, lang), self._value(row["current"], vt),
                         i18n.t("rank_of", lang, rank=str(r["rank"]), n=str(r["n"])),
                         format_amount(r["median"], vt, lang)])
        blocks = list(head)
        if body:
            blocks.append(markdown_table([i18n.t("col_indicator", lang), i18n.t("col_value", lang),
                                          i18n.t("col_rank", lang), i18n.t("col_median", lang)], body, "lrrr"))
        if not alone.empty:
            blocks.append(i18n.t("ranks_alone", lang, n=str(len(alone)), province=self._name(),
                                 period=self.period.label(lang)))
        return md(*blocks)

    def tasks_due(self) -> Any:
        """Return the focus tasks set for this period at the last meeting, grouped by the report that
        set them, each with what the data says: the figure of each of its indicators for this
        period (or `không có số liệu`), the plan figure, and the latest figure before the period."""
        if not self.has_data:
            return EMPTY
        lang, i = self.lang, self.inputs
        blocks = [heading(i18n.t("tasks_due", lang))]
        if self.due.empty:
            return md(*blocks, i18n.t("tasks_due_none", lang, period=self.period.label(lang)))
        blocks.append(i18n.t("tasks_due_intro", lang, period=self.period.label(lang)))
        if lang == "en":
            blocks.append(i18n.t("verbatim_vi", lang))
        evidence = follow_up(self.due, i.observations, i.reports, self.units, self.period, self._cat)
        for _report_id, group in self.due.groupby("report_id", sort=False):
            first = group.iloc[0]
            blocks.append(i18n.t("set_by", lang, title=first["report_title"],
                                 period=Period.parse(first["report_period"]).label(lang)))
            items = []
            for n, (task, ev) in enumerate(zip(group.to_dict("records"), [evidence[k] for k in group.index]), 1):
                number = int(task["ordinal"]) if not pd.isna(task["ordinal"]) else n
                lead = f"{number}. "
                lines = [lead + escape(task["text"])]
                pad = " " * len(lead)
                if not ev:
                    lines.append(f"{pad}- *{i18n.t('task_no_indicator', lang)}*")
                for e in ev:
                    lines.append(f"{pad}- {self._evidence_line(e)}")
                items.append("\n".join(lines))
            blocks.append("\n".join(items))
        return md(*blocks)

    def _evidence_line(self, e: Any) -> str:
        lang = self.lang
        row = self._cat.get(e.indicator, {"label_vi": e.indicator, "label_en": e.indicator, "value_type": "count"})
        vt = common.measure_value_type(row.get("value_type", "count"), e.measure)
        label = common.row_label({**row, "measure": e.measure}, lang)
        parts = [str(i18n.t("task_figure", lang, label=label, value=self._value(e.current, vt)))]
        if e.plan.parts:
            parts.append(str(i18n.t("plan_value", lang, value=self._value(e.plan, vt))))
        if e.latest is not None:
            p, v = e.latest
            parts.append(str(i18n.t("latest_before", lang, value=self._value(v, vt), period=p.label(lang))))
        return "; ".join(parts)

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
            body.append([Raw(f"{escape(r['number'])} {mark}".strip()), r.get("doc_type"), r.get("issuer"),
                         i18n.format_date(r.get("date"), lang) if not pd.isna(r.get("date")) else "",
                         r.get("title")])
        return md(*blocks, markdown_table([i18n.t("col_number", lang), i18n.t("col_doc_type", lang),
                                           i18n.t("col_issuer", lang), i18n.t("col_date", lang),
                                           i18n.t("col_title", lang)], body, "lllll"))



class _Cite:
    """A (report_id, quote) that `Notes.mark` can number, for citations that are not figures."""

    def __init__(self, report_id: str, quote: str) -> None:
        self.report_id, self.quote = report_id, quote

