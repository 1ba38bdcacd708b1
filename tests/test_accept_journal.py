"""`giaoban accept` is all or nothing, even when its process is killed between two renames (SIGKILL,
a power cut): the next command finishes it from its journal, and removes the temporary files of an
accept killed before it decided anything. An accept waits for no build: while a build holds the
project's build lock, it is refused (exit 3) and writes nothing.

The kill is real: `giaoban accept` runs in a child process whose `os.replace` ends the process
(`os._exit`, no clean-up of any kind, as SIGKILL) right after the first rename of a data file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl
import pytest
from filelock import FileLock

from giaoban import paths
from giaoban.reading import review
from giaoban.reading.accept import accept

from review_sheets import accept_all  # tests/review_sheets.py

REPORT_ID = "quang-ngai-2021-h1"
SOURCE = "004_827c2f16ec2dc701.txt"
TABLES = ("reports", "observations", "focus_tasks", "legal_refs")

KILLED_ACCEPT = textwrap.dedent("""
    import os, sys
    real, renamed = os.replace, []

    def replace(src, dst):
        real(src, dst)
        if str(dst).endswith((".csv", ".txt")) and {when!r} == "after-first-rename":
            renamed.append(dst)
            os._exit(137)  # killed: nothing runs after this, as with SIGKILL

    os.replace = replace
    if {when!r} == "before-journal":  # killed once the new files are written aside, before the journal
        from giaoban.data import journal
        real_write = journal._write_synced

        def write(path, data, mode):
            if path.name.startswith(journal.JOURNAL):
                os._exit(137)
            real_write(path, data, mode)

        journal._write_synced = write
    from giaoban.reading.accept import accept
    accept(sys.argv[1], sys.argv[2])
""")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def without_report(target: Path) -> Path:
    shutil.copytree(paths.DATA, target, ignore=shutil.ignore_patterns("geo"))
    for table in TABLES:
        path = target / f"{table}.csv"
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(line for line in lines if not line.startswith(REPORT_ID + ",")), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """A review sheet of report 004 with every row decided; the data before, and after a whole accept."""
    folder = tmp_path_factory.mktemp("journal")
    data = without_report(folder / "data")
    sheet = review.write_review(paths.SOURCES / SOURCE, folder / "review.xlsx", data).path
    wb = openpyxl.load_workbook(sheet)
    accept_all(wb)
    wb.save(sheet)
    before = tree(data)
    accept(sheet, data)
    after = tree(data)
    assert before != after
    return sheet, before, after


def _giaoban(*args: str, data: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "giaoban", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "GIAOBAN_DATA": str(data), "GIAOBAN_ROOT": str(data.parent)},
                          cwd=data.parent)


def _killed_accept(sheet: Path, data: Path, when: str) -> None:
    done = subprocess.run([sys.executable, "-c", KILLED_ACCEPT.format(when=when), str(sheet), str(data)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 137, done.stderr


def test_an_accept_killed_between_two_renames_is_finished_by_the_next_command(reviewed, tmp_path: Path) -> None:
    sheet, before, after = reviewed
    data = without_report(tmp_path / "data")
    assert tree(data) == before
    _killed_accept(sheet, data, "after-first-rename")
    assert (data / ".giaoban-accept.journal").is_file()  # the decision was written before the first rename

    done = _giaoban("validate", data=data)  # any command: it finishes the accept first
    assert done.returncode == 0, done.stdout + done.stderr
    assert "đã ghi nốt lần nhận dữ liệu bị dừng giữa chừng" in done.stderr and "Traceback" not in done.stderr
    assert tree(data) == after  # every file of the accept, as if it had never been killed
    retry = _giaoban("accept", str(sheet), "--data", str(data), data=data)
    assert retry.returncode == 1 and f"“{REPORT_ID}”" in retry.stdout + retry.stderr  # already there: refused
    assert tree(data) == after


def test_an_accept_killed_before_it_decided_changes_nothing_and_its_temporary_files_go(
        reviewed, tmp_path: Path) -> None:
    sheet, before, after = reviewed
    data = without_report(tmp_path / "data")
    _killed_accept(sheet, data, "before-journal")
    assert any(name.endswith(".tmp") for name in tree(data))  # the new files, written aside
    done = _giaoban("validate", data=data)
    assert done.returncode == 0 and "đã xoá" in done.stderr and "tệp tạm" in done.stderr
    assert tree(data) == before  # not a byte changed, nothing left behind
    again = _giaoban("accept", str(sheet), "--data", str(data), data=data)
    assert again.returncode == 0, again.stdout + again.stderr
    assert tree(data) == after


def test_an_accept_while_a_build_runs_is_refused_and_writes_nothing(reviewed, tmp_path: Path) -> None:
    sheet, before, _after = reviewed
    data = without_report(tmp_path / "data")
    (tmp_path / "_build").mkdir()
    with FileLock(str(tmp_path / "_build" / ".build.lock")):  # what a running build holds
        done = _giaoban("accept", str(sheet), "--data", str(data), data=data)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "một lần dựng khác đang chạy" in done.stderr and "Traceback" not in done.stderr
    assert tree(data) == before
