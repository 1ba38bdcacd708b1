"""Running every check over a data folder, in file order, and keeping what was read for the loader."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from giaoban import paths
from giaoban.errors import InputError
from giaoban.domain.indicators import Catalogue
from giaoban.domain.provinces import Provinces, load_provinces
from giaoban.domain.text import nfc
from giaoban.data.validation import checks
from giaoban.data.validation.problems import WARNING, Problem, Report
from giaoban.data.validation.reading import Table, read_table, read_text
from giaoban.data.validation.schemas import TABLES, Context, check_columns, columns_of

__all__ = [
    "Checked",
    "InvalidDataError",
    "collect",
    "validate_data",
    "validated_catalogue",
    "default_data_dir",
    "DATA_ENV",
]

#: Environment variable naming the data folder (the build sets it for the notebooks' kernels).
DATA_ENV = "GIAOBAN_DATA"


class InvalidDataError(InputError):
    """The data folder has errors; `report` holds them and the message lists them one a line."""

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__(report.summary() + "; chạy `giaoban validate` để xem:\n" + "\n".join(report.lines()))


def default_data_dir() -> Path:
    """Return `$GIAOBAN_DATA` when set, else the project's `data/`, relative to the current folder
    when it lies inside it (so that messages name short paths)."""
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env)
    try:
        return paths.DATA.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return paths.DATA


@dataclass
class Checked:
    """What one validation run read and found: the report, the tables as text, the catalogue and
    the province registry (None when they could not be built), the source texts in NFC by file name."""

    data_dir: Path
    report: Report
    tables: dict[str, Table | None] = field(default_factory=dict)
    catalogue: Catalogue | None = None
    provinces: Provinces | None = None
    sources: dict[str, str] = field(default_factory=dict)


class FileMemo(Protocol):
    """What `collect` remembers per file (`giaoban.data.datacache.FileMemo`): the result of reading and
    checking one table, or one source text, by the file's bytes and what the checks looked up."""

    def get(self, kind: str, path: Path, context: str) -> tuple[Any, list[Problem]] | None: ...

    def put(self, kind: str, path: Path, context: str, value: Any, problems: list[Problem]) -> None: ...


def _context_key(ctx: Context) -> str:
    return repr([sorted(v) if v is not None else None for v in (ctx.provinces, ctx.areas, ctx.indicators, ctx.sources)])


def _read(
    folder: Path, name: str, ctx: Context, problems: list[Problem], order: list[str], memo: FileMemo | None = None
) -> Table | None:
    columns = columns_of(name, ctx)
    path = folder / f"{name}.csv"
    order.append(str(path))
    context = f"{name}:{_context_key(ctx)}"
    known = memo.get("table", path, context) if memo is not None else None
    if known is not None:
        problems.extend(known[1])
        return known[0]
    found: list[Problem] = []
    table = read_table(path, str(path), name, [c.name for c in columns], {c.name for c in columns if c.text}, found)
    if table is not None:
        check_columns(table, columns, found)
        raw = path.read_bytes()
        if b"\r\n" in raw:
            found.append(
                Problem(str(path), None, None, "tệp dùng xuống dòng kiểu Windows (CRLF): nên lưu với LF", WARNING)
            )
    problems.extend(found)
    if memo is not None and path.is_file():
        memo.put("table", path, context, table, found)
    return table


def _read_source(path: Path, problems: list[Problem], memo: FileMemo | None) -> str | None:
    known = memo.get("text", path, "") if memo is not None else None
    if known is not None:
        problems.extend(known[1])
        return known[0]
    found: list[Problem] = []
    text = read_text(path, str(path), found)
    text = nfc(text) if text is not None else None
    problems.extend(found)
    if memo is not None:
        memo.put("text", path, "", text, found)
    return text


def _catalogue(
    data_dir: Path, problems: list[Problem], order: list[str], memo: FileMemo | None = None
) -> tuple[dict, Catalogue | None]:
    reference = data_dir / "reference"
    areas = _read(reference, "areas", Context(), problems, order, memo)
    area_codes = frozenset(areas.frame["code"].dropna()) if areas is not None and areas.has("code") else None
    indicators = _read(reference, "indicators", Context(areas=area_codes), problems, order, memo)
    catalogue = checks.catalogue_rows(areas, indicators, problems)
    return {"areas": areas, "indicators": indicators}, catalogue


def _sorted(problems: list[Problem], order: list[str], tables: dict[str, Table | None]) -> list[Problem]:
    rank = {path: i for i, path in enumerate(order)}
    columns = {t.shown: list(t.frame.columns) + t.header for t in tables.values() if t is not None}

    def key(item: tuple[int, Problem]) -> tuple:
        i, p = item
        cols = columns.get(p.path, [])
        return (
            rank.get(p.path, len(rank)),
            p.path,
            p.row or 0,
            cols.index(p.column) if p.column in cols else len(cols),
            i,
        )

    return [p for _, p in sorted(enumerate(problems), key=key)]


def collect(data_dir: str | Path | None = None, *, memo: FileMemo | None = None) -> Checked:
    """Run every check on `data_dir` (default: `default_data_dir()`) and return what was read.

    Paths in the problems are `data_dir` as given joined with the file name. Refuses (InputError)
    only a `data_dir` that is not a folder; everything else wrong is a problem in the report. With
    `memo`, a table or source text whose bytes (and, for a table, the codes its cells are checked
    against) are those of an earlier run is not read and checked again: its result comes from the
    memo. The checks across tables (reports, observations, focus tasks, legal references) always run.
    """
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    if not folder.is_dir():
        raise InputError(
            "không tìm thấy thư mục dữ liệu: cần thư mục có reports.csv, observations.csv, reference/ và sources/",
            path=str(folder),
        )
    problems: list[Problem] = []
    order: list[str] = []

    tables, catalogue = _catalogue(folder, problems, order, memo)

    registry: Provinces | None = None
    try:
        registry = load_provinces(folder / "reference")
    except InputError as error:
        problems.append(Problem(error.path or str(folder / "reference"), error.row, error.column, error.detail))

    sources: dict[str, str] = {}
    source_dir = folder / "sources"
    if not source_dir.is_dir():
        problems.append(Problem(str(source_dir), None, None, "không tìm thấy thư mục văn bản nguồn sources/"))
        source_files: list[Path] = []
    else:
        source_files = sorted(p for p in source_dir.iterdir() if p.suffix == ".txt" and not p.name.startswith("."))

    ctx = Context(
        provinces=frozenset(p.code for p in registry) if registry is not None else None,
        areas=frozenset(a.code for a in catalogue.areas) if catalogue is not None else None,
        indicators=(
            frozenset(tables["indicators"].frame["code"].dropna())
            if tables["indicators"] is not None and tables["indicators"].has("code")
            else None
        ),
        sources=frozenset(p.name for p in source_files) if source_dir.is_dir() else None,
    )
    for name in TABLES:
        tables[name] = _read(folder, name, ctx, problems, order, memo)
    for path in source_files:
        order.append(str(path))
        text = _read_source(path, problems, memo)
        if text is not None:
            sources[path.name] = text

    reports = tables["reports"]
    infos = checks.check_reports(
        reports, registry, sources, problems, synthetic=(folder / checks.SYNTHETIC_MARKER).is_file()
    )
    known_ids = set(reports.frame["report_id"].dropna()) if reports is not None and reports.has("report_id") else None
    checks.check_observations(tables["observations"], infos, known_ids, catalogue, problems)
    checks.check_focus_tasks(tables["focus_tasks"], infos, known_ids, problems)
    checks.check_legal_refs(tables["legal_refs"], infos, known_ids, problems)
    if reports is not None and reports.has("source_file"):
        used = set(reports.frame["source_file"].dropna())
        for path in source_files:
            if path.name not in used:
                problems.append(
                    Problem(
                        str(path),
                        None,
                        None,
                        "văn bản nguồn không thuộc báo cáo nào trong reports.csv: thêm dòng báo cáo cho nó",
                        WARNING,
                    )
                )

    n_files = len(order) + 4  # the four province reference files
    report = Report(_sorted(problems, order, tables), files=n_files)
    return Checked(folder, report, tables, catalogue, registry, sources)


def validate_data(data_dir: str | Path | None = None) -> Report:
    """Return the report of every problem in `data_dir` (default: `$GIAOBAN_DATA` or the project's
    `data/`): `report.ok`, `report.lines()` (`file:row:column: message`), `report.summary()`.

    Refuses (InputError) only a `data_dir` that is not a folder.
    """
    return collect(data_dir).report


def validated_catalogue(data_dir: str | Path | None = None) -> Catalogue:
    """Return the catalogue of `data_dir` after checking `reference/areas.csv` and
    `reference/indicators.csv`; refuses (InvalidDataError) a catalogue with any error."""
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    problems: list[Problem] = []
    order: list[str] = []
    tables, catalogue = _catalogue(folder, problems, order)
    report = Report(_sorted(problems, order, tables), files=len(order))
    if not report.ok or catalogue is None:
        raise InvalidDataError(report)
    return catalogue
