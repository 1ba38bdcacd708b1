"""Trust, second pass (docs/trust.md): a page is made from exactly the inputs of its key, and a damaged
cache heals itself.

- data saved while the notebooks execute never reach the cache under the key of the data before;
- every input of a page is in its key: map boundaries, the other reference files, the templates, the
  installed packages; after each is edited, the build gives what a clean build gives;
- a truncated executed notebook in `_build/cache/`, a truncated PDF or image in the render cache are
  dropped with a note and made again, and `_site/` never shares a file with the caches.

Each test runs the real `giaoban build` as a subprocess on its own copy of the project (one meeting, or
the period page of 2021-H1, which has a map). The code runs from a copy of `src/` (on `PYTHONPATH`), so
that a template can be edited without touching the repository.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from giaoban import paths

pytestmark = pytest.mark.xdist_group("trust-inputs")

MEETING = "params/meetings/51-quang-ngai-2021-H1.yml"
PERIOD = "params/batches/period-2021-H1.yml"
BRIEFING = "briefings/2021-H1/51-quang-ngai"
ARGS = ("--jobs", "1", "--renderer", "builtin")
OLD, NEW = "thực hiện thử nghiệm 271 mẫu các loại", "thực hiện thử nghiệm 98765 mẫu các loại"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def differences(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return sorted(set(a) ^ set(b)) + sorted(k for k in set(a) & set(b) if a[k] != b[k])


@pytest.fixture(scope="module")
def code(tmp_path_factory) -> Path:
    """A copy of the package's source, the code every build of this module runs."""
    src = tmp_path_factory.mktemp("code") / "src"
    shutil.copytree(Path(__import__("giaoban").__file__).parent, src / "giaoban",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return src


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    for name in ("data", "notebooks", "params"):
        shutil.copytree(paths.ROOT / name, root / name)
    for name in ("_quarto.yml", "requirements.lock"):
        shutil.copy(paths.ROOT / name, root / name)
    (root / PERIOD).write_text('title: Kỳ 2021-H1\nprovinces: ["51"]\nperiods: [2021-H1]\nnotebooks: [period]\n'
                               'langs: [vi]\ntimeout: 300\n', encoding="utf-8")
    return root


def _env(code: Path, extra: Path | None = None) -> dict[str, str]:
    path = [str(code)] + ([str(extra)] if extra else []) + [p for p in [os.environ.get("PYTHONPATH")] if p]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(path), "GIAOBAN_ROOT": ""}


def build(project: Path, code: Path, *args: str, extra: Path | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "giaoban", "build", *args, *ARGS], cwd=project, capture_output=True,
                          text=True, timeout=600, env=_env(code, extra))
    assert done.returncode == 0, f"exit {done.returncode}:\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr
    return done


def clean_build(project: Path, code: Path, *args: str, extra: Path | None = None) -> dict[str, bytes]:
    """The site a build gives from nothing (no `_build/`, no `_site/`), for the same inputs."""
    shutil.rmtree(project / "_build", ignore_errors=True)
    shutil.rmtree(project / "_site", ignore_errors=True)
    build(project, code, *args, extra=extra)
    return tree(project / "_site")


# ----------------------------------------------------------------------------------- data changed mid-build

def _wait_for_go(project: Path) -> None:
    """Make the briefing notebook's first cell wait until the test says go (after it changed the data)."""
    path = project / "notebooks" / "briefing.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    source = (f"import pathlib, time\n(pathlib.Path({str(project)!r}) / 'waiting').write_text('1')\n"
              f"while not (pathlib.Path({str(project)!r}) / 'go').exists():\n    time.sleep(0.05)\n")
    nb["cells"].insert(0, {"cell_type": "code", "execution_count": None, "id": "wait-for-test", "metadata": {},
                           "outputs": [], "source": source})
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")


def _set_samples(data: Path, old: str, new: str) -> None:
    value_old, value_new = old.split()[4], new.split()[4]
    edit(data / "observations.csv", f"level,{value_old},mẫu,,,{old}", f"level,{value_new},mẫu,,,{new}")
    edit(data / "sources" / "004_827c2f16ec2dc701.txt", old, new)


def test_data_saved_while_the_notebooks_execute_never_reach_the_cache(project: Path, code: Path) -> None:
    _wait_for_go(project)
    run = subprocess.Popen([sys.executable, "-m", "giaoban", "build", MEETING, *ARGS], cwd=project, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(code))
    try:
        deadline = time.monotonic() + 300
        while not (project / "waiting").exists():
            assert run.poll() is None and time.monotonic() < deadline, run.communicate()
            time.sleep(0.1)
        _set_samples(project / "data", OLD, NEW)  # saved four seconds into execution (or `giaoban accept`ed)
        (project / "go").write_text("1")
        out, err = run.communicate(timeout=300)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, out + err
    page = (project / "_site" / f"{BRIEFING}.html").read_text(encoding="utf-8")
    assert "98.765" not in page and NEW not in page and OLD in page  # the data the keys were computed from

    _set_samples(project / "data", NEW, OLD)  # the data put back: the cache must hold the page of these data
    (project / "waiting").unlink()
    again = build(project, code, MEETING)
    assert "dùng lại 1" in again.stdout
    page = (project / "_site" / f"{BRIEFING}.html").read_text(encoding="utf-8")
    assert "98.765" not in page and NEW not in page and OLD in page


def test_a_kernel_refuses_data_other_than_those_of_its_key(monkeypatch) -> None:
    from giaoban.data import inputs
    from giaoban.data.dataset import data_hash
    from giaoban.errors import InputError

    params = {"province": "51", "period": "2021-H1"}
    monkeypatch.setenv("GIAOBAN_DATA_HASH", data_hash(paths.DATA))
    inputs.for_job("briefing", params, paths.DATA)  # the data of the key: read
    monkeypatch.setenv("GIAOBAN_DATA_HASH", "0" * 64)
    with pytest.raises(InputError, match="không phải dữ liệu lần dựng đã tính khoá"):
        inputs.for_job("briefing", params, paths.DATA)


# ----------------------------------------------------------------------------------- every input in the key

def _distribution(folder: Path, version: str) -> Path:
    """A distribution installed on the path the build runs with (as `pip install` would leave it)."""
    shutil.rmtree(folder, ignore_errors=True)
    info = folder / f"giaoban_probe-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: giaoban-probe\nVersion: {version}\n",
                                   encoding="utf-8")
    (info / "RECORD").write_text(f"giaoban_probe-{version}.dist-info/METADATA,,\n", encoding="utf-8")
    return folder


def test_every_input_of_a_page_is_in_its_key(project: Path, code: Path, tmp_path: Path) -> None:
    packages = _distribution(tmp_path / "site-packages", "1.0")
    build(project, code, PERIOD, extra=packages)
    geo = project / "data" / "reference" / "geo" / "vn_provinces_63.geojson"
    text = geo.read_text(encoding="utf-8")
    number = re.search(r'"coordinates": \[[\s\[]*(\d+\.\d+)', text).group(1)  # An Giang's first vertex
    edits = {
        "map boundaries": lambda: geo.write_text(text.replace(number, str(float(number) + 1.5), 1), encoding="utf-8"),
        "a reference file": lambda: edit(project / "data" / "reference" / "gso_regions_6.csv",
                                         "Red River Delta", "Red River delta"),
        "an installed package": lambda: _distribution(packages, "1.1"),
    }
    for kind, change in edits.items():
        change()
        run = build(project, code, PERIOD, extra=packages)
        assert "thực thi 1" in run.stdout, (kind, run.stdout)
        incremental = tree(project / "_site")
        assert differences(incremental, clean_build(project, code, PERIOD, extra=packages)) == [], kind
    # a template: the execution is reused, the pages are made again
    edit(code / "giaoban" / "publish" / "templates" / "site" / "giaoban.css", "body.gb {", "/* sửa */\nbody.gb {")
    build(project, code, PERIOD, extra=packages)
    incremental = tree(project / "_site")
    assert "/* sửa */".encode() in incremental["assets/giaoban.css"]
    assert differences(incremental, clean_build(project, code, PERIOD, extra=packages)) == []
    edit(code / "giaoban" / "publish" / "templates" / "site" / "giaoban.css", "/* sửa */\nbody.gb {", "body.gb {")


# ----------------------------------------------------------------------------------- a damaged cache heals

def test_a_damaged_cache_is_dropped_with_a_note_and_made_again(project: Path, code: Path) -> None:
    # the period page: its notebook, its PDF and its map (the real briefing has no chart to compare)
    first = clean_build(project, code, PERIOD)
    site, cache = project / "_site", project / "_build"
    cached = [p for p in (cache / "cache").rglob("*.ipynb")]
    pdfs = sorted((cache / "site-cache" / "pdf").glob("*.pdf"))
    images = sorted((cache / "site-cache" / "images").glob("fig-*"))
    assert cached and pdfs and images
    caches = [p for p in cache.rglob("*") if p.is_file()]
    inodes = {(p.stat().st_dev, p.stat().st_ino) for p in caches}
    assert not [p for p in site.rglob("*") if p.is_file() and (p.stat().st_dev, p.stat().st_ino) in inodes]

    for path in (*cached, pdfs[0], images[0]):  # cut short, in place (a full disk, a crash)
        with open(path, "r+b") as fh:
            fh.truncate(path.stat().st_size // 2)
    assert tree(site) == first  # the live site shares no file with the caches
    (project / "_build" / "executed" / "periods" / "2021-H1.ipynb").unlink()  # so the notebook must come from the cache
    run = build(project, code, PERIOD)
    assert "mục bộ nhớ đệm bị hỏng" in run.stderr and "thực thi 1" in run.stdout
    assert "mục bộ nhớ đệm dựng trang bị hỏng" in run.stderr
    assert differences(tree(site), first) == []
    again = build(project, code, PERIOD)
    assert "bị hỏng" not in again.stderr and "dùng lại 1" in again.stdout
    assert differences(tree(site), first) == []


# ----------------------------------------------------------------------------------- nothing outlives a build

def _session(sid: int) -> list[int]:
    """The live processes of session `sid`."""
    left = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            left.append(int(stat.parent.name))
    return left


def _spawned(parent: int) -> list[int]:
    """The worker processes (multiprocessing's "spawn") of `parent` now running: the PDF workers, once rendering."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == parent \
                    and b"spawn_main" in (stat.parent / "cmdline").read_bytes():
                out.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return out


def _gone(pid: int, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return True
        except (OSError, IndexError):
            return True
        time.sleep(0.2)
    return False


def test_nothing_outlives_a_build(project: Path, code: Path) -> None:
    import tempfile

    temp = Path(tempfile.mkdtemp(prefix="gb", dir="/tmp"))  # short: the kernels' sockets live there
    env = {**_env(code), "TMPDIR": str(temp)}
    path = project / "notebooks" / "briefing.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    child = project / "child.pid"
    nb["cells"].append({"cell_type": "code", "execution_count": None, "id": "a-child", "metadata": {}, "outputs": [],
                        "source": f"import subprocess, pathlib\np = subprocess.Popen(['sleep', '600'])\n"
                                  f"pathlib.Path({str(child)!r}).write_text(str(p.pid))\n"})
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")
    (temp / "giaoban-kernels-abc").mkdir()  # a folder of a dead build (older naming), a day old
    os.utime(temp / "giaoban-kernels-abc", (time.time() - 2 * 86400,) * 2)
    (temp / "giaoban-kernels-999999999-x").mkdir()  # of a process that is gone
    done = subprocess.run([sys.executable, "-m", "giaoban", "build", MEETING, *ARGS], cwd=project, capture_output=True,
                          text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _gone(int(child.read_text())), "a process the notebook started outlived its job"
    assert not [p.name for p in temp.iterdir() if p.name.startswith("giaoban-kernels-")]

    # killed (SIGKILL) while the PDF is typeset: its workers end too, and the next build removes the kernel folder
    shutil.rmtree(project / "_build" / "site-cache")
    shutil.rmtree(project / "_build" / "cache")
    run = subprocess.Popen([sys.executable, "-m", "giaoban", "build", MEETING, *ARGS], cwd=project, text=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while not (list(project.glob(f"._site.work-{run.pid}-*/**/main.typ")) and _spawned(run.pid)):
            assert run.poll() is None and time.monotonic() < deadline, "the build ended before typesetting"
            time.sleep(0.05)
        os.kill(run.pid, 9)
        run.wait()
        deadline = time.monotonic() + 30
        while _session(run.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _session(run.pid) == [], "processes of the killed build outlived it"
    finally:
        for pid in _session(run.pid):
            os.kill(pid, 9)
    build_again = subprocess.run([sys.executable, "-m", "giaoban", "build", MEETING, *ARGS], cwd=project,
                                 capture_output=True, text=True, timeout=600, env=env)
    assert build_again.returncode == 0, build_again.stderr
    assert not [p.name for p in temp.iterdir() if p.name.startswith("giaoban-kernels-")]
    shutil.rmtree(temp)


# ----------------------------------------------------------------------------------- limits

def test_a_notebook_past_its_memory_limit_fails_alone(project: Path, code: Path) -> None:
    path = project / "notebooks" / "briefing.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"].append({"cell_type": "code", "execution_count": None, "id": "greedy", "metadata": {}, "outputs": [],
                        "source": "if province == '51':\n    hoard = bytearray(6 * 1024 ** 3)\n"})
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")
    meeting = (project / MEETING).read_text(encoding="utf-8")
    (project / MEETING).write_text(meeting + "memory: 3GB\n", encoding="utf-8")
    other = "params/meetings/46-thua-thien-hue-2019-H1.yml"
    done = subprocess.run([sys.executable, "-m", "giaoban", "build", MEETING, other, *ARGS], cwd=project,
                          capture_output=True, text=True, timeout=600, env=_env(code))
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"✗ {BRIEFING}: hết bộ nhớ: ô [" in done.stdout and "giới hạn 3GB của sổ tay" in done.stdout
    assert "1 trang: thực thi 1" not in done.stdout and "lỗi 1" in done.stdout  # the other page was made
    assert (project / "_site" / "briefings" / "2019-H1" / "46-thua-thien-hue.html").is_file()


def test_a_batch_past_the_page_limit_is_refused_before_anything_runs(project: Path, code: Path) -> None:
    from giaoban.build.pipeline import _check_job_limit
    from giaoban.errors import GiaobanError

    with pytest.raises(GiaobanError, match="lô này mở ra 5.001 trang, quá giới hạn 5.000 trang"):
        _check_job_limit(5001, [], None)
    _check_job_limit(5001, [], 6000)  # asked for
    done = subprocess.run([sys.executable, "-m", "giaoban", "build", "params/batches/smoke.yml", "--max-jobs", "2",
                           *ARGS], cwd=project, capture_output=True, text=True, timeout=600, env=_env(code))
    assert done.returncode == 2 and "lô này mở ra 3 trang, quá giới hạn 2 trang" in done.stderr
    assert not (project / "_build").exists() and not (project / "_site").exists()
