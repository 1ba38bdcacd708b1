"""Jobs: the validated params expanded into one notebook execution per page.

A `Job` is a notebook (`briefing`, `province`, `period`), the parameters Papermill injects, the page
path from `giaoban.execution.layout`, a title and, once the build has computed it, a cache key. Parameters are
built only from validated codes (province code, period code, ISO dates), never from raw YAML text.

| notebook | parameters |
|---|---|
| briefing | `province` (code), `period` (code), `lang`, `meeting_type` (code or None), `meeting_date` (ISO or None) |
| province | `province` (code), `on` (ISO date choosing among units that shared the code, or None), `lang` |
| period | `period` (code), `lang` |

A batch's product is restricted to what the data support unless both its lists are explicit: with
`provinces: all` or `periods: all-with-data`, a briefing is made only for a (province, period) that
has a report. A batch's briefings take their meeting (type, and date when it can review the period)
from `reports.csv`, so that a meeting file and a batch that agree give the same job.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Iterable

import pandas as pd

from giaoban.execution import layout
from giaoban.errors import InputError
from giaoban.execution.params import (
    EARLY_DAYS,
    Batch,
    Meeting,
    ParamsError,
    display_path,
    emptied_meeting,
    meeting_type_label,
)
from giaoban.domain.periods import Period
from giaoban.domain.provinces import Province, Provinces

__all__ = ["Job", "Expansion", "expand", "page_unit", "NOTEBOOK_ORDER"]

NOTEBOOK_ORDER = {name: i for i, name in enumerate(layout.NOTEBOOKS)}


@dataclass(frozen=True)
class Job:
    """One notebook execution: `notebook`, injected `params`, `page` (layout path without suffix),
    `title`, `lang`, `timeout` (seconds per cell), the `province` unit and `period` it is about (or
    None), the params files it came from (`origins`) and its cache `key` (set by the build)."""

    notebook: str
    params: dict[str, Any]
    page: str
    title: str
    lang: str
    timeout: int
    province: Province | None = None
    period: Period | None = None
    origins: tuple[str, ...] = ()
    key: str | None = field(default=None, compare=False)

    @property
    def id(self) -> str:
        """Return the job's identifier: its page path (unique within a build)."""
        return self.page

    @property
    def executed(self) -> str:
        """Return the path of its executed notebook, relative to `_build/executed/`."""
        return f"{self.page}.ipynb"

    def meeting(self) -> dict[str, Any] | None:
        """Return `{"type", "type_label", "date"}` of a briefing's meeting, or None when its type is unknown."""
        kind, when = self.params.get("meeting_type"), self.params.get("meeting_date")
        if self.notebook != "briefing" or kind is None:
            return None
        return {"type": kind, "type_label": meeting_type_label(kind, self.lang), "date": when}

    def describe(self) -> dict[str, Any]:
        """Return the job's entry of the manifest, without status, error and executed path."""
        p, t = self.province, self.period
        return {
            "id": self.id,
            "notebook": self.notebook,
            "page": self.page,
            "params": dict(self.params),
            "title": self.title,
            "province": None
            if p is None
            else {"code": p.code, "slug": p.slug, "name_vi": p.name_vi, "name_en": p.name_en},
            "period": None if t is None else {"code": t.code, "label_vi": t.label_vi(), "label_en": t.label_en()},
            "meeting": self.meeting(),
            "lang": self.lang,
        }


@dataclass(frozen=True)
class Expansion:
    """The jobs of a build (sorted by page) and notes on what a batch asked for but the data lack."""

    jobs: list[Job]
    notes: list[str]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def page_unit(unit: Province, registry: Provinces) -> Province:
    """Return the unit whose province page shows `unit`: itself, or its successor when they share a
    slug (the old `51-quang-ngai` is shown on the page of the new one, which reads its predecessors)."""
    while True:
        nxt = registry.successor_of(unit)
        if nxt is None or nxt.slug != unit.slug:
            return unit
        unit = nxt


def _unit_date(unit: Province) -> str | None:
    d = unit.valid_from or unit.valid_to
    return d.isoformat() if d else None


def _briefing(
    unit: Province,
    period: Period,
    lang: str,
    meeting_type: str | None,
    meeting_date: date | None,
    timeout: int,
    origin: str,
) -> Job:
    params = {
        "province": unit.code,
        "period": period.code,
        "lang": lang,
        "meeting_type": meeting_type,
        "meeting_date": meeting_date.isoformat() if meeting_date else None,
    }
    return Job(
        "briefing",
        params,
        str(layout.briefing_page(period.code, unit.slug, lang)),
        f"{unit.label(lang)} — {period.label(lang)}",
        lang,
        timeout,
        unit,
        period,
        (origin,),
    )


def _province_page(unit: Province, lang: str, timeout: int, origin: str) -> Job:
    params = {"province": unit.code, "on": _unit_date(unit), "lang": lang}
    return Job(
        "province",
        params,
        str(layout.province_page(unit.slug, lang)),
        unit.label(lang),
        lang,
        timeout,
        unit,
        None,
        (origin,),
    )


def _period_page(period: Period, lang: str, timeout: int, origin: str) -> Job:
    params = {"period": period.code, "lang": lang}
    return Job(
        "period",
        params,
        str(layout.period_page(period.code, lang)),
        _capital(period.label(lang)),
        lang,
        timeout,
        None,
        period,
        (origin,),
    )


@dataclass
class _Data:
    """What the reports say exists: (unit, period) pairs with their report rows, and every period."""

    pairs: dict[tuple[Province, Period], list[dict]]
    periods: set[Period]

    @classmethod
    def read(cls, reports: pd.DataFrame, units: list[Province | None]) -> _Data:
        pairs: dict[tuple[Province, Period], list[dict]] = defaultdict(list)
        periods: set[Period] = set()
        for unit, row in zip(units, reports.to_dict("records")):
            period = Period.parse(row["period"])
            periods.add(period)
            if unit is not None:
                pairs[(unit, period)].append(row)
        return cls(dict(pairs), periods)

    def meeting(self, unit: Province, period: Period) -> tuple[str | None, date | None]:
        rows = self.pairs.get((unit, period), [])
        if len(rows) != 1:
            return None, None
        row = rows[0]
        kind = row.get("meeting_type")
        kind = None if pd.isna(kind) else str(kind)
        when = row.get("meeting_date")
        when = None if pd.isna(when) else pd.Timestamp(when).date()
        if when is not None and not period.is_reviewable_on(when, early_days=EARLY_DAYS):
            when = None  # a date that contradicts the period (kept in the data as written) is not shown
        return kind, when


def _key(pair: tuple[Province, Period]) -> tuple:
    unit, period = pair
    return (period.start, period.end, unit.code, unit.valid_from or date.min)


def _batch_jobs(batch: Batch, data: _Data, registry: Provinces, origin: str) -> tuple[list[Job], list[str]]:
    notes: list[str] = []
    if batch.pairs:
        pairs = list(batch.pairs)
    else:
        pairs = sorted(data.pairs, key=_key)
        if batch.provinces is not None:
            pairs = [p for p in pairs if any(p[0] in c.units for c in batch.provinces)]
            for i, choice in enumerate(batch.provinces):
                if not any(p[0] in choice.units for p in pairs):
                    notes.append(f"{origin}: provinces[{i}] '{choice.written}': không có báo cáo nào")
        if batch.periods is not None:
            pairs = [p for p in pairs if p[1] in batch.periods]
            if batch.provinces is None:
                for i, period in enumerate(batch.periods):
                    if not any(p[1] == period for p in pairs):
                        notes.append(f"{origin}: periods[{i}] '{period.code}': không có báo cáo nào của tỉnh nào")
    jobs: list[Job] = []
    for lang in batch.langs:
        if "briefing" in batch.notebooks:
            for unit, period in pairs:
                kind, when = data.meeting(unit, period)
                jobs.append(_briefing(unit, period, lang, kind, when, batch.timeout, origin))
        if "province" in batch.notebooks:
            for unit in dict.fromkeys(page_unit(u, registry) for u, _ in pairs):
                jobs.append(_province_page(unit, lang, batch.timeout, origin))
        if "period" in batch.notebooks:
            periods = {p for _, p in pairs}
            if batch.periods is not None:
                periods |= set(batch.periods)
            elif batch.provinces is None:
                periods |= data.periods  # also periods whose only report names no province
            for period in sorted(periods):
                jobs.append(_period_page(period, lang, batch.timeout, origin))
    return jobs, notes


def _merge(jobs: Iterable[Job]) -> list[Job]:
    by_page: dict[str, Job] = {}
    problems = []
    for job in jobs:
        seen = by_page.get(job.page)
        if seen is None:
            by_page[job.page] = job
        elif seen.params == job.params:
            by_page[job.page] = replace(
                seen, timeout=max(seen.timeout, job.timeout), origins=tuple(dict.fromkeys(seen.origins + job.origins))
            )
        else:
            differ = sorted(k for k in set(seen.params) | set(job.params) if seen.params.get(k) != job.params.get(k))
            problems.append(
                f"{job.origins[0]}: trang {job.page} đã có trong {seen.origins[0]} với tham số khác "
                f"({', '.join(f'{k}: {seen.params.get(k)!r} ≠ {job.params.get(k)!r}' for k in differ)}); "
                f"hãy dựng hai tệp này riêng"
            )
    if problems:
        raise ParamsError(problems)
    return sorted(by_page.values(), key=lambda j: (NOTEBOOK_ORDER[j.notebook], j.page))


def expand(
    params: list[Meeting | Batch], reports: pd.DataFrame, units: list[Province | None], registry: Provinces
) -> Expansion:
    """Return the jobs of validated params: one briefing per meeting file; for each batch, its
    product as described in the module docstring. `reports` is the reports table and `units` the
    unit of each of its rows (`giaoban.data.inputs.report_units`).

    Refuses (ParamsError) two params files that give the same page different parameters, and a
    report period that is not a valid code (the data must be validated first).
    """
    try:
        data = _Data.read(reports, units)
    except InputError as error:
        raise ParamsError([f"reports.csv: period: {error.detail}"]) from None
    jobs: list[Job] = []
    notes: list[str] = []
    for item in params:
        origin = display_path(item.path)
        if isinstance(item, Meeting):
            jobs.append(
                _briefing(
                    item.province, item.period, item.lang, item.meeting_type, item.meeting_date, item.timeout, origin
                )
            )
            notes.extend(n for n in [emptied_meeting(item, data.meeting(item.province, item.period))] if n)
        else:
            more, said = _batch_jobs(item, data, registry, origin)
            jobs.extend(more)
            notes.extend(said)
    return Expansion(_merge(jobs), notes)
