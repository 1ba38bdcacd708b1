"""What the three pages share: labels of indicators and units, the report line, the registry."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from giaoban.briefing import i18n
from giaoban.domain.provinces import Provinces, load_provinces
from giaoban.briefing.tables import Raw
from giaoban.data.validation import default_data_dir

__all__ = [
    "registry",
    "measure_value_type",
    "row_label",
    "unit_label",
    "report_line",
    "area_labels",
    "join_names",
    "succession_lines",
]


def registry(data_dir: str | Path | None = None) -> Provinces:
    """Return the province registry of the data folder (`data_dir`, else `$GIAOBAN_DATA` or `data/`)."""
    return load_provinces(Path(data_dir if data_dir is not None else default_data_dir()) / "reference")


def measure_value_type(value_type: str, measure: str) -> str:
    """Return how to write a figure of `measure`: percentages of plan and changes are percentages."""
    return "percent" if measure in ("percent_of_plan", "change_percent") else value_type


def row_label(row: Mapping[str, Any], lang: str) -> str:
    """Return the label of a comparison row in `lang`, with its measure when it is not the usual one
    (a change on a year earlier). The text is plain (escape it for Markdown)."""
    label = row[f"label_{i18n.check_lang(lang)}"]
    measure = row.get("measure", "level")
    if measure in ("level", "percent_of_plan"):
        return label
    if measure == "change_percent":
        return str(i18n.t("measure_change_percent", lang, label=Raw(label)))
    return str(i18n.t("measure_other", lang, label=Raw(label), measure=Raw(measure)))


def unit_label(unit: Any, lang: str, *, others: tuple = ()) -> str:
    """Return a unit's name in `lang`; a new unit that shares its name with one of `others` (its
    predecessors) is written `Quảng Ngãi (mới)` / `Quang Ngai (new)`."""
    name = unit.label(lang)
    if unit.valid_from is not None and any(o is not unit and o.label(lang) == name for o in others):
        return str(i18n.t("new_name", lang, name=Raw(name)))
    return name


def join_names(names: list[str], lang: str) -> str:
    """Return `a, b và c` / `a, b and c` (plain text)."""
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {i18n.t('and', lang)} " + names[-1]


def report_line(report: Mapping[str, Any], lang: str) -> Raw:
    """Return the Markdown line presenting a report: title, meeting type and date (flagged when the
    date contradicts the period, `meeting_date_status` as_written), publication date."""
    kind = i18n.meeting_type_label(report.get("meeting_type"), lang)
    day = report.get("meeting_date")
    if kind or (day is not None and not pd.isna(day)):
        key = "meeting_on_as_written" if report.get("meeting_date_status") == "as_written" else "meeting_on"
        meeting = i18n.t(key, lang, type=kind or "—", date=i18n.format_date(day, lang))
    else:
        meeting = i18n.t("meeting_none", lang)
    return i18n.t(
        "report_line",
        lang,
        title=report.get("title") or report.get("report_id"),
        meeting=meeting,
        published=i18n.format_date(report.get("published_date"), lang),
    )


def area_labels(areas: pd.DataFrame, lang: str) -> dict[str, str]:
    """Return area code → label in `lang`, in the areas' `order`."""
    ordered = areas.sort_values("order", kind="stable")
    return dict(zip(ordered["code"], ordered[f"label_{i18n.check_lang(lang)}"]))


def succession_lines(unit: Any, units: tuple, lang: str, data_dir: str | Path | None = None) -> list[Raw]:
    """Return the sentences that place `unit` in the 2025 reorganisation: how a new unit (or Huế)
    was formed from `units[1:]`, and what an old unit became (looked up in the registry)."""
    lines = []
    predecessors = [u for u in units if u is not unit]
    name = unit_label(unit, lang, others=units)
    if predecessors and unit.valid_from is not None:
        names = join_names([u.label(lang) for u in predecessors], lang)
        key = "new_unit" if len(predecessors) > 1 else "renamed_unit"
        lines.append(i18n.t(key, lang, province=name, date=i18n.format_date(unit.valid_from, lang), predecessors=names))
    if unit.valid_to is not None and unit.successor:
        reg = registry(data_dir)
        successor = reg.successor_of(unit)
        day_before = successor.valid_from - timedelta(days=1) if successor.valid_from else None
        others = [u.label(lang) for u in reg.predecessors_of(successor, on=day_before) if u != unit]
        when = i18n.format_date(successor.valid_from, lang)
        full = i18n.unit_full_name(successor, lang)
        if others:
            lines.append(
                i18n.t(
                    "merged_later",
                    lang,
                    date=when,
                    province=unit.label(lang),
                    others=join_names(others, lang),
                    successor=full,
                    code=successor.code,
                )
            )
        else:
            lines.append(
                i18n.t("renamed_later", lang, date=when, province=unit.label(lang), successor=full, code=successor.code)
            )
    return lines
