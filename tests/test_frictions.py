"""The smaller frictions of the analyst's loop (issue 20): each reproduced, then fixed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from giaoban import paths
from giaoban.build import pipeline as build
from giaoban.execution import params
from giaoban.data.dataset import load_dataset
from giaoban.errors import GiaobanError


def test_a_tilde_in_the_output_folder_is_the_home_folder_never_a_folder_named_tilde():
    assert build.site_folder("~/giaoban-site") == Path.home() / "giaoban-site"
    assert build.site_folder("~") == Path.home()
    assert build.site_folder("_site") == Path("_site")


# --- the date on a book (item 3) ----------------------------------------------------------------------

def _batch(tmp_path: Path, name: str, extra: str = "") -> Path:
    path = tmp_path / name
    path.write_text(f'provinces: ["51"]\nperiods: [2021-H1]\nnotebooks: [briefing]\nlangs: [vi]\n{extra}',
                    encoding="utf-8")
    return path


def test_the_made_on_date_is_the_option_else_the_batch_else_source_date_epoch_else_today(tmp_path):
    registry = load_dataset(paths.DATA).provinces
    dated = params.load_many([_batch(tmp_path, "a.yml", "date: 2021-08-02\n")], registry)
    undated = params.load_many([_batch(tmp_path, "b.yml")], registry)
    epoch = {"SOURCE_DATE_EPOCH": "1627084800"}  # 2021-07-24 00:00 UTC
    assert build.book_date("2026-01-05", dated, epoch) == date(2026, 1, 5)
    assert build.book_date(None, dated, epoch) == date(2021, 8, 2)
    assert build.book_date(None, undated, epoch) == date(2021, 7, 24)
    assert build.book_date(None, undated, {}) == date.today()
    assert build.book_date("02/08/2021", undated, {}) == date(2021, 8, 2)


def test_a_malformed_date_or_source_date_epoch_or_two_batch_dates_are_refused(tmp_path):
    registry = load_dataset(paths.DATA).provinces
    undated = params.load_many([_batch(tmp_path, "b.yml")], registry)
    with pytest.raises(GiaobanError, match="--date: ngày '2021-13-01' không hợp lệ"):
        build.book_date("2021-13-01", undated, {})
    with pytest.raises(GiaobanError, match="SOURCE_DATE_EPOCH='hôm qua': cần số giây"):
        build.book_date(None, undated, {"SOURCE_DATE_EPOCH": "hôm qua"})
    two = params.load_many([_batch(tmp_path, "a.yml", "date: 2021-08-02\n"),
                            _batch(tmp_path, "c.yml", "date: 2021-08-03\n")], registry)
    with pytest.raises(params.ParamsError, match="một lần dựng chỉ có một ngày lập"):
        build.book_date(None, two, {})
    with pytest.raises(params.ParamsError, match=r"c\.yml:5:date: ngày '2021-02-30' không có thật|c\.yml:5:date"):
        params.load_many([_batch(tmp_path, "c.yml", "date: 30/02/2021\n")], registry)


# --- a CSV saved by Excel with semicolons (item 8) ------------------------------------------------------

def test_a_semicolon_separated_csv_gives_one_message_naming_the_semicolon(tmp_path):
    """Excel with Vietnamese regional settings saves "CSV" with `;` between cells: one message, not one a line."""
    import csv
    import shutil

    from giaoban.data.validation import validate_data

    data = tmp_path / "data"
    shutil.copytree(paths.DATA, data, ignore=shutil.ignore_patterns("geo"))
    path = data / "observations.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=";", lineterminator="\r\n").writerows(rows)
    report = validate_data(data)
    about = [line for line in report.lines() if "observations.csv" in line]
    assert len(about) == 1, about
    assert "observations.csv:1: " in about[0] and "dấu chấm phẩy “;”" in about[0] and "CSV UTF-8" in about[0]


# --- the province drop-down (item 8) -------------------------------------------------------------------

def test_the_province_drop_down_never_shows_one_name_twice_without_dates():
    from giaoban.domain.periods import Period
    from giaoban.reading.review import SEP, load_context, province_cell

    ctx = load_context(paths.DATA)
    entries = list(ctx.province_entries())
    undated = [e.split(SEP, 1)[1] for e in entries if "(" not in e]
    assert len(undated) == len(set(undated))
    names = [e.split(SEP, 1)[1].split(" (")[0] for e in entries]
    for name in {n for n in names if names.count(n) > 1}:
        assert all("(" in e for e in entries if e.split(SEP, 1)[1].split(" (")[0] == name), name
    assert "24 — Bắc Ninh (từ 01/07/2025)" in entries and "27 — Bắc Ninh (đến 30/06/2025)" in entries
    assert "51 — Quảng Ngãi" in entries  # a name no other code has stays short
    h2 = Period.parse("2025-H2")
    assert province_cell("24 — Bắc Ninh (từ 01/07/2025)", h2, ctx).code == "24"
    assert province_cell("24 — Bắc Ninh", h2, ctx).code == "24"  # a sheet made before the dates
    assert ctx.province_label(province_cell("27", Period.parse("2021-H1"), ctx)) == "27 — Bắc Ninh (đến 30/06/2025)"


# --- params files (item 8) -----------------------------------------------------------------------------

def _meeting_file(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "meetings"
    folder.mkdir(exist_ok=True)
    path = folder / "m.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_missing_params_key_names_its_line_and_shows_an_example(tmp_path):
    registry = load_dataset(paths.DATA).provinces
    path = _meeting_file(tmp_path, 'province: "51"\nmeeting:\n  type: sơ kết\nlang: vi\n')
    with pytest.raises(params.ParamsError) as caught:
        params.load(path, registry)
    shown = params.display_path(path)
    assert f"{shown}:1:period: thiếu trường bắt buộc: thêm một dòng như `period: 2021-H1`" in caught.value.problems
    assert any(p.startswith(f"{shown}:2:meeting.date: thiếu trường bắt buộc: thêm một dòng như `date: 2021-07-23")
               for p in caught.value.problems), caught.value.problems


def test_a_period_that_has_not_begun_gets_a_warning(tmp_path):
    registry = load_dataset(paths.DATA).provinces
    year = date.today().year + 1
    meeting = params.load(_meeting_file(tmp_path, f'province: "51"\nperiod: {year}-H1\nmeeting:\n  type: null\n'
                                                  f'  date: null\n'), registry)
    assert len(meeting.notes) == 1
    assert f":2:period: cảnh báo: kỳ {year}-H1 (6 tháng đầu năm {year}) bắt đầu ngày 01/01/{year}" in meeting.notes[0]
    batch = params.load(_batch(tmp_path, "f.yml"), registry)
    assert batch.notes == ()  # 2021-H1 has begun
    later = tmp_path / "later.yml"
    later.write_text(f'provinces: ["51"]\nperiods: [2021-H1, {year}-FY]\nnotebooks: [briefing]\nlangs: [vi]\n',
                     encoding="utf-8")
    notes = params.load(later, registry).notes
    assert len(notes) == 1 and f":2:periods[1]: cảnh báo: kỳ {year}-FY" in notes[0]


def test_a_meeting_file_that_would_replace_the_recorded_meeting_with_nothing_says_so(tmp_path):
    from giaoban.data import inputs
    from giaoban.execution import jobs

    dataset = load_dataset(paths.DATA)
    registry = dataset.provinces
    path = _meeting_file(tmp_path, 'province: "51"\nperiod: 2021-H1\nmeeting:\n  type: null\n  date: null\n')
    units = inputs.report_units(dataset.reports, registry)
    expansion = jobs.expand([params.load(path, registry)], dataset.reports, units, registry)
    said = [n for n in expansion.notes if "cuộc họp" in n]
    assert len(said) == 1, expansion.notes
    assert said[0].startswith(f"{params.display_path(path)}:meeting: cảnh báo: tệp để trống (null) cuộc họp")
    assert "type: Sơ kết, date: 2021-07-23" in said[0]
    same = _meeting_file(tmp_path, 'province: "51"\nperiod: 2021-H1\nmeeting:\n  type: sơ kết\n  date: 2021-07-23\n')
    assert not [n for n in jobs.expand([params.load(same, registry)], dataset.reports, units, registry).notes
                if "cuộc họp" in n]


def test_jobs_above_the_cores_get_a_note(monkeypatch, tmp_path):
    from giaoban.execution import execute

    said: list[str] = []
    monkeypatch.setattr(execute, "default_workers", lambda: 2)
    with pytest.raises(GiaobanError):  # stopped right after the note, before anything runs
        build.build(build.BuildOptions([tmp_path / "none.yml"], workers=8, progress=False, echo=said.append, render=False,
                    build_dir=tmp_path / "_build"))
    assert said[:1] == ["lưu ý: --jobs 8 nhiều hơn số lõi CPU máy này cho dùng (2): các sổ tay sẽ tranh nhau lõi, "
                        "không xong sớm hơn mà tốn thêm bộ nhớ; bỏ --jobs để dùng 2"]
    said.clear()
    with pytest.raises(GiaobanError):
        build.build(build.BuildOptions([tmp_path / "none.yml"], workers=2, progress=False, echo=said.append, render=False,
                    build_dir=tmp_path / "_build"))
    assert not [line for line in said if "--jobs" in line]


# --- Ctrl+C (item 8) -----------------------------------------------------------------------------------

def test_ctrl_c_says_what_it_does_and_stops_without_a_traceback(tmp_path):
    """Ctrl+C during execution, sent as a terminal sends it (to the whole process group): one line saying
    what it does, one saying what is left, exit 130, no traceback (the workers ignore it; the build process
    stops them), nothing left running and no scratch folder. How fast is measured by hand (report), not here."""
    import os
    import shutil
    import signal
    import subprocess
    import sys
    import threading
    import time

    root = tmp_path / "project"
    root.mkdir()
    for name in ("data", "notebooks", "params"):
        shutil.copytree(paths.ROOT / name, root / name)
    for name in ("_quarto.yml", "requirements.lock"):
        shutil.copy(paths.ROOT / name, root / name)
    env = {**os.environ, "GIAOBAN_ROOT": str(root)}
    env.pop("GIAOBAN_DATA", None)
    run = subprocess.Popen([sys.executable, "-m", "giaoban", "build", "params/batches/smoke.yml", "--no-render",
                            "--jobs", "1"], cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, start_new_session=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(run.stdout), daemon=True)
    reader.start()
    deadline = time.monotonic() + 240
    while not any("Thực thi" in line for line in lines) and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert run.poll() is None, "".join(lines)
    os.killpg(run.pid, signal.SIGINT)
    try:
        code = run.wait(timeout=60)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    reader.join(timeout=10)
    output = "".join(lines)
    assert code == 130, output
    assert "Ctrl+C: đang dừng các sổ tay đang chạy và dọn thư mục tạm…" in output
    assert "đã dừng theo Ctrl+C sau" in output and "trang web đã dựng trước đó còn nguyên" in output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output
    assert not any((root / "_build" / "running").glob("*")) if (root / "_build" / "running").exists() else True
    time.sleep(1)  # the workers watch the build process every half second
    survivors = subprocess.run(["pgrep", "-s", str(run.pid)], capture_output=True, text=True).stdout.split()
    assert survivors == [], survivors


# --- Jupyter's outputs next to the notebooks (item 8) --------------------------------------------------

JUPYTER_OUTPUTS = ("briefing.nbconvert.ipynb", "briefing.executed.ipynb", "briefing-output.ipynb", "briefing.html",
                   "briefing_files/figure-1.png")


def test_jupyter_outputs_next_to_the_notebooks_are_ignored_by_git(tmp_path):
    import shutil
    import subprocess

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    (repo / "notebooks").mkdir(parents=True)
    shutil.copy(paths.ROOT / ".gitignore", repo / ".gitignore")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    for name in JUPYTER_OUTPUTS:
        done = subprocess.run(["git", "check-ignore", "-q", f"notebooks/{name}"], cwd=repo)
        assert done.returncode == 0, f"notebooks/{name} is not ignored by .gitignore"
    assert subprocess.run(["git", "check-ignore", "-q", "notebooks/briefing.ipynb"], cwd=repo).returncode == 1


def test_jupyter_outputs_next_to_the_notebooks_are_not_collected_by_the_tests(tmp_path):
    import shutil
    import subprocess
    import sys

    root = tmp_path / "project"
    shutil.copytree(paths.NOTEBOOKS, root / "notebooks")
    shutil.copy(paths.ROOT / "pyproject.toml", root / "pyproject.toml")
    for name in JUPYTER_OUTPUTS:
        if name.endswith(".ipynb"):
            shutil.copy(paths.NOTEBOOKS / "briefing.ipynb", root / "notebooks" / name)
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:randomly", "-p",
                           "no:xdist", "-p", "no:cacheprovider"], cwd=root, capture_output=True, text=True, timeout=300)
    assert "notebooks/briefing.ipynb::Cell" in done.stdout, done.stdout + done.stderr
    for name in JUPYTER_OUTPUTS:
        assert f"notebooks/{name}" not in done.stdout, name


def test_an_entry_form_for_a_period_that_has_not_begun_gets_a_warning(tmp_path):
    from giaoban.reading.form import write_form

    year = date.today().year + 1
    later = write_form("51", f"{year}-H1", tmp_path / "later.xlsx", paths.DATA)
    assert later.warnings == (f"--period: cảnh báo: kỳ {year}-H1 (6 tháng đầu năm {year}) bắt đầu ngày "
                              f"01/01/{year}, sau hôm nay ({date.today():%d/%m/%Y}): kiểm tra lại năm",)
    assert write_form("51", "2021-H1", tmp_path / "now.xlsx", paths.DATA).warnings == ()
