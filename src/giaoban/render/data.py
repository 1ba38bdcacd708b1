"""What the site shows of `data/`: the indicator catalogue, the CSVs to download, the source reports.

Read with the standard `csv` module, as text: the site shows the data, it computes nothing from it.
A missing file is not an error here (the page says so); validation is `giaoban validate`'s job.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from giaoban.numbers import format_number
from giaoban.render.words import word

__all__ = ["Indicators", "Download", "Report", "read_indicators", "list_downloads", "read_reports",
           "INDICATOR_COLUMNS"]

#: The catalogue's columns, in the order the data page shows them (`label`, `unit`: by language).
INDICATOR_COLUMNS = ("code", "area", "label", "unit", "value_type", "summable_provinces",
                     "summable_periods", "rankable", "max_value", "description")
_BOOL = {"true": "yes", "false": "no"}


@dataclass(frozen=True)
class Indicators:
    """The indicator catalogue as a table: header words and rows of text."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Download:
    """One CSV of `data/` offered for download: file name, rows, size in words."""

    name: str
    rows: str
    size: str


@dataclass(frozen=True)
class Report:
    """A public source report of one province and period (from `data/reports.csv`)."""

    title: str
    url: str | None
    file: str | None
    published: str | None


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def read_indicators(data_dir: Path | None, lang: str) -> tuple[Indicators | None, list[str]]:
    """Return the catalogue of `data_dir/reference/indicators.csv` for the data page, and warnings.

    Returns (None, []) when there is no catalogue; a missing column gives a warning and an empty cell.
    """
    if data_dir is None or not (data_dir / "reference" / "indicators.csv").is_file():
        return None, []
    path = data_dir / "reference" / "indicators.csv"
    rows = _read(path)
    source = {"label": f"label_{lang}", "unit": f"unit_{lang}", "description": "description_vi"}
    have = set(rows[0]) if rows else set()
    missing = [source.get(c, c) for c in INDICATOR_COLUMNS if rows and source.get(c, c) not in have]
    warnings = [f"{path}: thiếu cột {c}; trang Dữ liệu để trống cột này" for c in missing]
    body = []
    for row in rows:
        cells = []
        for col in INDICATOR_COLUMNS:
            value = (row.get(source.get(col, col)) or "").strip()
            if col in ("summable_provinces", "summable_periods", "rankable") and value.lower() in _BOOL:
                value = word(lang, _BOOL[value.lower()])
            cells.append(value)
        body.append(tuple(cells))
    return Indicators(tuple(word(lang, c) for c in INDICATOR_COLUMNS), tuple(body)), warnings


def list_downloads(data_dir: Path | None, lang: str) -> list[tuple[Path, Download]]:
    """Return the CSVs directly under `data_dir` (sorted by name), each with its row count and size."""
    if data_dir is None or not data_dir.is_dir():
        return []
    out = []
    for path in sorted(data_dir.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            n = max(sum(1 for _ in csv.reader(fh)) - 1, 0)
        kb = path.stat().st_size / 1024
        size = f"{format_number(round(kb, 1), 1, lang=lang)} KB"
        out.append((path, Download(path.name, format_number(n, lang=lang), size)))
    return out


def read_reports(data_dir: Path | None) -> dict[tuple[str, str], list[Report]]:
    """Return the public reports of `data_dir/reports.csv` by (province code, period code).

    A row whose `visibility` is neither empty nor `public` is left out. Returns {} without the file.
    """
    if data_dir is None or not (data_dir / "reports.csv").is_file():
        return {}
    out: dict[tuple[str, str], list[Report]] = {}
    for row in _read(data_dir / "reports.csv"):
        if (row.get("visibility") or "public").strip() != "public":
            continue
        url = (row.get("source_url") or "").strip()
        report = Report(title=(row.get("title") or row.get("report_id") or "").strip(),
                        url=url if url.startswith(("http://", "https://")) else None,
                        file=(row.get("source_file") or "").strip() or None,
                        published=(row.get("published_date") or "").strip() or None)
        out.setdefault(((row.get("province") or "").strip(), (row.get("period") or "").strip()), []).append(report)
    return out
