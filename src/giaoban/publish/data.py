"""What the site shows of `data/`: the indicator catalogue, the CSVs to download, the source reports.

Read with the standard `csv` module, as text: the site shows the data, it computes nothing from it.
A missing file is not an error here (the page says so); validation is `giaoban validate`'s job.

A public site (the manifest of `giaoban build --public`) offers only the four tables, without the
reports whose `visibility` is not `public` (and every row of theirs) and without the figures whose
`visibility` is not `public`; any other CSV of `data/` is left out.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from giaoban.domain.numbers import format_number
from giaoban.domain.text import nfc
from giaoban.publish.words import WORDS, word

__all__ = [
    "Indicators",
    "Download",
    "Report",
    "SourceText",
    "read_indicators",
    "list_downloads",
    "read_reports",
    "read_source_texts",
    "download_files",
    "INDICATOR_COLUMNS",
    "TABLES",
]

#: The tables of `data/` a public site offers, without their internal rows.
TABLES = ("reports", "observations", "focus_tasks", "legal_refs")

#: The catalogue's columns, in the order the data page shows them (`label`, `unit`: by language).
INDICATOR_COLUMNS = (
    "code",
    "area",
    "label",
    "unit",
    "value_type",
    "summable_provinces",
    "summable_periods",
    "rankable",
    "max_value",
    "description",
)
_BOOL = {"true": "yes", "false": "no"}


@dataclass(frozen=True)
class Indicators:
    """The indicator catalogue as a table: header words and rows of text (codes as the CSV has
    them), and `groups`: (area label, rows) in the catalogue's area order, where the area and the
    value type are words of the page's language, not codes."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    groups: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] = ()


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


@dataclass(frozen=True)
class SourceText:
    """A report's text as the site publishes it: its file, the report it belongs to, the text (NFC),
    and the verbatim quotes of the data taken from it (figures, focus tasks, legal references)."""

    file: str
    stem: str
    report_id: str
    province: str
    period: str
    title: str
    url: str | None
    text: str
    quotes: tuple[str, ...]


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
    areas = _areas(data_dir, lang)
    groups: dict[str, list[tuple[str, ...]]] = {}
    at = {c: i for i, c in enumerate(INDICATOR_COLUMNS)}
    for entry in body:
        shown = list(entry)
        kind = shown[at["value_type"]]
        shown[at["value_type"]] = word(lang, f"type_{kind}") if f"type_{kind}" in WORDS.get(lang, {}) else kind
        groups.setdefault(entry[at["area"]], []).append(tuple(shown))
    order = [a for a in areas if a in groups] + sorted(a for a in groups if a not in areas)
    return Indicators(
        tuple(word(lang, c) for c in INDICATOR_COLUMNS),
        tuple(body),
        tuple((areas.get(a, a), tuple(groups[a])) for a in order),
    ), warnings


def _areas(data_dir: Path, lang: str) -> dict[str, str]:
    """Return area code → label in `lang` from `reference/areas.csv`, in its `order` ({} without it)."""
    path = data_dir / "reference" / "areas.csv"
    if not path.is_file():
        return {}
    rows = _read(path)

    def order(r: dict[str, str]) -> tuple[int, str]:
        value = (r.get("order") or "").strip()
        return (int(value) if value.isdigit() else 10**6, r.get("code") or "")

    return {
        (r.get("code") or "").strip(): (r.get(f"label_{lang}") or r.get("code") or "").strip()
        for r in sorted(rows, key=order)
    }


def _public_table(path: Path, hidden: set[str]) -> bytes:
    """The CSV at `path` without the rows of `hidden` reports and the rows whose visibility is not public."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        rows = list(reader)
    at = {name: i for i, name in enumerate(header)}
    keep = []
    for row in rows:
        cell = lambda name: row[at[name]].strip() if name in at and at[name] < len(row) else None  # noqa: E731
        if cell("report_id") in hidden:
            continue
        if "visibility" in at and cell("visibility") != "public":
            continue
        keep.append(row)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(keep)
    return buffer.getvalue().encode("utf-8")


_FORMULA = ("=", "+", "-", "@", "\t", "\r")  # = giaoban.data.validation.schemas.FORMULA_STARTS (without pandera)
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise(data: bytes) -> bytes:
    """Return the CSV `data` with every text cell a spreadsheet would run as a formula (starting with `=`,
    `+`, `-`, `@`, a tab or a carriage return) prefixed with `'`, as OWASP recommends ("CSV Injection");
    numbers (`-5`, `+1.5`) are values and stay as they are. The same bytes when no cell needs it."""
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    risky = lambda cell: cell[:1] in _FORMULA and not _NUMBER.fullmatch(cell)  # noqa: E731
    if not any(risky(cell) for row in rows for cell in row):
        return data
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([["'" + cell if risky(cell) else cell for cell in row] for row in rows])
    return buffer.getvalue().encode("utf-8")


def download_files(data_dir: Path | None, *, public: bool = False) -> list[tuple[str, bytes]]:
    """Return (file name, bytes) of the CSVs the site offers, sorted by name: every CSV directly under
    `data_dir` as it is; for a public site only the four TABLES, without internal rows (module docstring).
    Either way a cell that would run as a formula in a spreadsheet is neutralised (`neutralise`)."""
    if data_dir is None or not data_dir.is_dir():
        return []
    if not public:
        return [(path.name, neutralise(path.read_bytes())) for path in sorted(data_dir.glob("*.csv"))]
    hidden: set[str] = set()
    if (data_dir / "reports.csv").is_file():
        hidden = {
            (r.get("report_id") or "").strip()
            for r in _read(data_dir / "reports.csv")
            if (r.get("visibility") or "").strip() != "public"
        }
    return sorted(
        (f"{name}.csv", neutralise(_public_table(data_dir / f"{name}.csv", hidden)))
        for name in TABLES
        if (data_dir / f"{name}.csv").is_file()
    )


def list_downloads(data_dir: Path | None, lang: str, *, public: bool = False) -> list[tuple[bytes, Download]]:
    """Return the CSVs the site offers (`download_files`), each with its bytes, row count and size."""
    out = []
    for name, data in download_files(data_dir, public=public):
        n = max(sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))) - 1, 0)
        size = f"{format_number(round(len(data) / 1024, 1), 1, lang=lang)} KB"
        out.append((data, Download(name, format_number(n, lang=lang), size)))
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
        report = Report(
            title=(row.get("title") or row.get("report_id") or "").strip(),
            url=url if url.startswith(("http://", "https://")) else None,
            file=(row.get("source_file") or "").strip() or None,
            published=(row.get("published_date") or "").strip() or None,
        )
        out.setdefault(((row.get("province") or "").strip(), (row.get("period") or "").strip()), []).append(report)
    return out


def read_source_texts(data_dir: Path | None, *, public: bool = False) -> list[SourceText]:
    """Return the report texts the site publishes, by file name: every report of `reports.csv` whose
    `sources/<source_file>` exists; for a public site (`public`) only the reports whose visibility is
    `public` and none of whose figures, focus tasks or legal references is internal (the text holds
    their sentences), with their quotes. [] without the files. Refuses nothing (a source file that is
    missing is `giaoban validate`'s to report)."""
    if data_dir is None or not (data_dir / "reports.csv").is_file():
        return []
    quotes: dict[str, list[str]] = {}
    withheld: set[str] = set()  # reports with an internal row: their text is not published in a public site
    for table, column in (("observations", "quote"), ("focus_tasks", "text"), ("legal_refs", "quote")):
        path = data_dir / f"{table}.csv"
        if not path.is_file():
            continue
        for row in _read(path):
            if public and "visibility" in row and (row.get("visibility") or "").strip() != "public":
                withheld.add((row.get("report_id") or "").strip())
                continue
            text = nfc(row.get(column) or "")
            if text.strip():
                quotes.setdefault((row.get("report_id") or "").strip(), []).append(text)
    out = []
    for row in _read(data_dir / "reports.csv"):
        visibility = (row.get("visibility") or "public").strip()
        file = (row.get("source_file") or "").strip()
        if (public and visibility != "public") or not file or "/" in file or "\\" in file or file.startswith("."):
            continue
        if public and (row.get("report_id") or "").strip() in withheld:
            continue
        path = data_dir / "sources" / file
        if not path.is_file():
            continue
        rid = (row.get("report_id") or "").strip()
        url = (row.get("source_url") or "").strip()
        out.append(
            SourceText(
                file=file,
                stem=file.rsplit(".", 1)[0],
                report_id=rid,
                province=(row.get("province") or "").strip(),
                period=(row.get("period") or "").strip(),
                title=(row.get("title") or rid).strip(),
                url=url if url.startswith(("http://", "https://")) else None,
                text=nfc(path.read_text(encoding="utf-8-sig")),
                quotes=tuple(dict.fromkeys(quotes.get(rid, []))),
            )
        )
    return sorted(out, key=lambda t: t.file)
