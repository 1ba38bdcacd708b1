"""Accepting a reviewed sheet or an entry form into `data/`: read it back, check every row and the whole
data folder with the new rows, then write all the tables at once (`giaoban accept`).

`read_submission` tells the two kinds of workbook apart by their hidden marker sheet (`review` from
`giaoban.reading.review`, `form` from `giaoban.reading.form`); `accept` writes what it accepts through
`giaoban.data.journal` (all or nothing, even when killed) under the data folder's lock and the
build lock, so that no build reads half-written data.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from giaoban.data import journal
from giaoban.data.journal import data_lock
from giaoban.data.validation import collect
from giaoban.errors import InputError
from giaoban.files import file_mode
from giaoban.locks import build_lock
from giaoban.reading.form import read_form
from giaoban.reading.review import (
    FIGURES,
    FIGURES_SHEET,
    LEGAL,
    LEGAL_SHEET,
    REPORT_FIELDS,
    REPORT_SHEET,
    SHEET_ORDER,
    TASKS,
    TASKS_SHEET,
    Context,
    Row,
    Submission,
    check_formulas,
    data_folder,
    read_report_sheet,
    read_table,
    report_where,
)
from giaoban.reading.workbook import (
    Problems,
    Where,
    WorkbookError,
    load_text,
    open_workbook,
    read_marker,
    safe_text,
)

__all__ = ["accept", "read_submission", "Accepted"]


def read_submission(
    path: str | Path,
    ctx: Context,
    shown: str | None = None,
    taken_ids: set[str] | None = None,
    problems: Problems | None = None,
) -> Submission:
    """Read a workbook of `giaoban ingest` or `giaoban form` (told apart by its hidden `_giaoban` sheet)
    into a Submission of the rows that could be read.

    Refuses (WorkbookError, every problem a line) a file that is not such a workbook or whose stored
    text was altered; every other problem (a cell that cannot be read, a missing decision…) is
    recorded in `problems` when given (the row is left out), else raised together as WorkbookError.
    """
    shown = shown or str(path)
    wb = open_workbook(path, shown)
    marker = read_marker(wb, shown)
    kind = marker.get("kind")
    own = problems is None
    problems = Problems(sheets=SHEET_ORDER) if own else problems
    if kind == "form":
        sub = read_form(wb, shown, marker, ctx, taken_ids, problems)
    elif kind == "review":
        text = load_text(wb, shown, marker.get("source_sha256", ""))
        check_formulas(wb, shown, [REPORT_SHEET, FIGURES_SHEET, TASKS_SHEET, LEGAL_SHEET], problems)
        report = read_report_sheet(wb, shown, ctx, REPORT_FIELDS, problems, taken_ids)
        figures = read_table(wb, shown, ctx, FIGURES, problems)
        tasks = read_table(wb, shown, ctx, TASKS, problems)
        legal = read_table(wb, shown, ctx, LEGAL, problems)
        sub = Submission("review", shown, report, figures, tasks, legal, text)
    else:
        raise WorkbookError([f"{shown}: loại bảng “{kind}” không rõ: cần bảng của giaoban ingest hoặc giaoban form"])
    if own:
        problems.raise_if_any()
    return sub


# ----------------------------------------------------------------------------------- accept


@dataclass
class Accepted:
    """What `accept` added: the report, its counts, the files written, the warnings of validation."""

    report_id: str
    figures: int
    focus_tasks: int
    legal_refs: int
    written: list[Path]
    warnings: list[str] = field(default_factory=list)


_TABLES = ("reports", "observations", "focus_tasks", "legal_refs")


def _relative(path: str, folder: Path) -> str:
    prefix = str(folder)
    return path[len(prefix) :].lstrip("/\\") if path.startswith(prefix) else path


def _serialise(header: list[str], values: dict[str, str | None]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(["" if values.get(c) is None else values[c] for c in header])
    return buffer.getvalue()


@dataclass
class _Plan:
    files: dict[Path, bytes]  # target → new bytes
    lines: dict[tuple[str, int], Row]  # (table file, line) → the row it came from
    report_row: Row


def _plan(sub: Submission, folder: Path, checked, problems: Problems) -> _Plan:
    """The new bytes of every file to write, and which file line comes from which sheet row."""
    report = sub.report
    rid = report.values.get("report_id")
    tables = checked.tables
    reports = tables.get("reports")
    if rid and reports is not None and reports.has("report_id"):
        for line, r in reports.rows("report_id"):
            if r["report_id"] == rid:
                problems.add(
                    report_where(report, "report_id"),
                    f"mã báo cáo “{rid}” đã có trong {folder / 'reports.csv'} (dòng {line}): báo cáo này đã "
                    f"được nhập; nếu là báo cáo khác cùng tỉnh và kỳ, thêm hậu tố, ví dụ {rid}-2",
                )
    # the text
    name = report.values.get("source_file")
    data = sub.text.encode("utf-8")
    files: dict[Path, bytes] = {}
    if name:
        target = folder / "sources" / name
        if target.exists() and target.read_bytes() != data:
            problems.add(
                report_where(report, "source_file"),
                f"data/sources/{name} đã có với nội dung khác: đặt tên tệp khác (văn bản nguồn không bao giờ "
                f"bị ghi đè)",
            )
        elif not target.exists():
            files[target] = data
        same = {n for n, t in checked.sources.items() if t == sub.text}
        if reports is not None and reports.has("report_id", "source_file"):
            for line, r in reports.rows("report_id", "source_file"):
                if r["source_file"] in same:
                    problems.add(
                        report_where(report, "source_file"),
                        f"văn bản này đã là nguồn của báo cáo “{r['report_id']}” (reports.csv dòng {line}, "
                        f"tệp {r['source_file']}): không nhập hai lần",
                    )
    # figures: repeated keys, in the sheet and against the data
    key_cols = ("indicator", "period", "kind", "measure")
    seen: dict[tuple, Row] = {}
    existing: dict[tuple, int] = {}
    obs = tables.get("observations")
    if obs is not None and obs.has("report_id", *key_cols):
        for line, r in obs.rows("report_id", *key_cols):
            existing[tuple(r[c] for c in ("report_id", *key_cols))] = line
    for row in sub.observations:
        key = tuple(row.values.get(c) for c in key_cols)
        if key in seen:
            first = seen[key]
            problems.add(
                row.at("indicator"),
                f"số liệu trùng với dòng {first.where.row} (cùng chỉ tiêu {key[0]}, kỳ "
                f"{key[1]}, loại, cách đo): mỗi chỉ tiêu một số liệu cho một kỳ; bỏ một "
                f"dòng hoặc chọn chỉ tiêu khác",
            )
        else:
            seen[key] = row
        if (rid, *key) in existing:
            problems.add(row.at("indicator"), f"số liệu đã có trong observations.csv (dòng {existing[(rid, *key)]})")
    numbers: dict[str, Row] = {}
    for row in sub.legal_refs:
        number = row.values.get("number")
        if number in numbers:
            problems.add(row.at("number"), f"văn bản {number} trùng với dòng {numbers[number].where.row}: bỏ một dòng")
        numbers.setdefault(number, row)
    # ordinals of the focus tasks: their order in the sheet, per period
    counters: dict[str | None, int] = {}
    for row in sub.focus_tasks:
        period = row.values.get("for_period")
        counters[period] = counters.get(period, 0) + 1
        row.values["ordinal"] = str(counters[period])
    # the tables, appended
    lines: dict[tuple[str, int], Row] = {}
    for table, rows in zip(_TABLES, ([report], sub.observations, sub.focus_tasks, sub.legal_refs)):
        if not rows:
            continue
        path = folder / f"{table}.csv"
        if not path.is_file():
            problems.add(str(path), "không tìm thấy tệp dữ liệu")
            continue
        old = path.read_bytes()
        text = old.decode("utf-8")
        header = next(csv.reader(io.StringIO(text.split("\n", 1)[0])), [])
        if text and not text.endswith("\n"):
            text += "\n"
        line = text.count("\n") + 1
        added = []
        for row in rows:
            values = dict(row.values)
            values["report_id"] = rid
            values["visibility"] = "public"
            chunk = _serialise(header, values)
            lines[(f"{table}.csv", line)] = row
            line += chunk.count("\n")
            added.append(chunk)
        files[path] = (text + "".join(added)).encode("utf-8")
    for row in [report, *sub.observations, *sub.focus_tasks, *sub.legal_refs]:
        for column, value in row.values.items():
            if isinstance(value, str):
                try:
                    safe_text(value)
                except InputError:
                    problems.add(row.at(column), "ô chứa ký tự điều khiển")
    return _Plan(files, lines, report)


def _where_of(plan: _Plan, rel: str, line: int | None, column: str | None) -> Where | None:
    row = plan.lines.get((rel, line)) if line is not None else None
    if row is None:
        return None
    if row is plan.report_row:
        return report_where(row, column) if column else row.where
    return row.at(column) if column in row.origin else row.where


def _stage_and_validate(plan: _Plan, folder: Path, before) -> tuple[list[tuple[Where | str, str]], list[str]]:
    """Validate a temporary copy of the data with the new files; return the errors ((place, message))
    and warnings (lines) that the new rows cause, each mapped back to its sheet row and column."""
    old = {(_relative(p.path, folder), p.row, p.column, p.message, p.severity) for p in before.report.problems}
    errors: list[tuple[Where | str, str]] = []
    warnings: list[str] = []
    with tempfile.TemporaryDirectory(prefix="giaoban-accept-") as tmp:
        staged = Path(tmp) / "data"
        shutil.copytree(folder, staged, ignore=shutil.ignore_patterns("geo", ".*"))
        for target, data in plan.files.items():
            destination = staged / target.relative_to(folder)
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(data)
        after = collect(staged)
    for p in after.report.problems:
        rel = _relative(p.path, staged)
        if (rel, p.row, p.column, p.message, p.severity) in old:
            continue
        where: Where | str | None = _where_of(plan, rel, p.row, p.column)
        if where is not None and "trùng với dòng" in p.message:
            continue  # repeated keys: `_plan` has said it, with the sheet rows
        message = p.message
        if where is None:
            where = ":".join(str(x) for x in (folder / rel, p.row, p.column) if x is not None)
        elif isinstance(where, Where) and where.header is None and p.column:
            message = f"({p.column}) {message}"
        if p.is_error:
            errors.append((where, message))
        else:
            warnings.append(f"{where}: cảnh báo: {message}")
    return errors, warnings


def _commit(files: dict[Path, bytes], folder: Path) -> None:
    """Write every file all or nothing, even if the process is killed half-way (`giaoban.data.journal`: temporary
    files, then an intent journal, then the renames, finished by the next command after a kill)."""
    modes = {target: (target.stat().st_mode & 0o7777 if target.exists() else file_mode()) for target in files}
    journal.commit(folder, files, modes)


@contextmanager
def _build_lock(folder: Path) -> Iterator[None]:
    """Hold the build lock of the project whose data folder is `folder` (`<project>/_build/.build.lock`,
    the one `giaoban build` holds) while data are written; refuse (BuildLocked) while a build runs.
    Nothing when that project has no build folder yet (no build ever ran there)."""
    build_dir = folder.resolve().parent / "_build"
    if not build_dir.is_dir():
        yield
        return
    with build_lock(build_dir):
        yield


def accept(workbook: str | Path, data_dir: str | Path | None = None) -> Accepted:
    """Add the rows a review workbook (or an entry form) accepts to `data_dir` (default: `$GIAOBAN_DATA`
    or the project's `data/`): the report, its figures, focus tasks and legal refs, and its text under
    `sources/`. Returns what was added and the validation warnings about it.

    Refuses (WorkbookError, one `file:Sheet!row:Header: message` line per problem; nothing written):
    anything `read_submission` refuses, data that are already invalid, a report_id already present,
    a text already the source of a report, a different file of the same name in `sources/`, repeated
    figures, and every error `giaoban validate` finds in a staged copy of the data with the new rows.
    Writes each file to a temporary path and renames it; on any failure nothing under `data_dir` changes.
    """
    shown = str(workbook)
    folder = data_folder(data_dir)
    with _build_lock(folder), data_lock(folder):
        journal.recover(folder)  # an accept killed half-way is finished first
        before = collect(folder)
        if not before.report.ok:
            raise WorkbookError(
                [f"{folder}: dữ liệu hiện có chưa hợp lệ, không nhận thêm gì; chạy `giaoban validate` và sửa trước:"]
                + [str(p) for p in before.report.errors]
            )
        ctx = Context(before.catalogue, before.provinces)
        taken = set()
        reports = before.tables.get("reports")
        if reports is not None and reports.has("report_id"):
            taken = {r["report_id"] for _l, r in reports.rows("report_id") if r["report_id"]}
        problems = Problems(sheets=SHEET_ORDER)
        sub = read_submission(workbook, ctx, shown, taken, problems)
        report_ok = not problems.touches(REPORT_SHEET)
        plan = _plan(sub, folder, before, problems)
        warnings: list[str] = []
        if report_ok and sub.report.values.get("report_id"):  # else validation would only repeat the cause
            errors, warnings = _stage_and_validate(plan, folder, before)
            for where, message in errors:
                problems.add(where, message)
        problems.raise_if_any()
        _commit(plan.files, folder)
    return Accepted(
        sub.report.values.get("report_id") or "",
        len(sub.observations),
        len(sub.focus_tasks),
        len(sub.legal_refs),
        sorted(plan.files),
        warnings,
    )
