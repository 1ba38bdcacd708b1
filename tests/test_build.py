"""The build: inputs of each job, cache keys, parallel Papermill execution, failures, timeouts, manifest.

The notebooks of tests/fixtures/build/ load their rows through `giaoban.data.inputs.for_job`, as the real
ones do, and print a few numbers and `sys.executable`. One first build of the fixture batch (10
pages) is shared by every test (and every xdist worker); each test works on its own copy of it.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import psutil
import pytest
from filelock import FileLock

from giaoban.build import pipeline as build_module
from giaoban import paths
from giaoban.execution import cache
from giaoban.data import inputs
from giaoban.data.dataset import load_dataset
from giaoban.domain.indicators import Catalogue

pytestmark = pytest.mark.xdist_group("build")  # see `built`: the group is a hint, not relied on

FIXTURE = Path(__file__).parent / "fixtures" / "build"
PROVINCE_FILES = ("provinces_63.csv", "provinces_34.csv", "province_merger_2025.csv", "gso_regions_6.csv")
ALL_PAGES = {
    "briefings/2020-9M/15-yen-bai", "briefings/2020-H1/51-quang-ngai", "briefings/2021-H1/15-yen-bai",
    "briefings/2021-H1/51-quang-ngai", "provinces/15-yen-bai", "provinces/51-quang-ngai", "periods/2013-FY",
    "periods/2020-9M", "periods/2020-H1", "periods/2021-H1",
}


def make_project(root: Path) -> Path:
    """Copy the fixture project to `root`, with the project's province lists and lock file."""
    shutil.copytree(FIXTURE, root)
    for name in PROVINCE_FILES:
        shutil.copy(paths.REFERENCE / name, root / "data" / "reference" / name)
    shutil.copy(paths.ROOT / "requirements.lock", root / "requirements.lock")
    return root


def run_build(root: Path, params: list[Path] | None = None, data: str = "data", **kwargs):
    return build_module.build(build_module.BuildOptions(params or [root / "params" / "batches" / "test.yml"], workers=2,
                              data_dir=root / data, notebooks_dir=root / "notebooks", build_dir=root / "_build",
                              render=False, progress=False, echo=lambda line: None, **kwargs))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def executed(result) -> set[str]:
    return {page for page, status in result.status.items() if status != "cached"}


@pytest.fixture(scope="session")
def built(tmp_path_factory, worker_id):
    """The fixture project after a first build of test.yml (every job executed), made once per test
    run: xdist workers share it through a lock (its `xdist_group` may not keep them on one worker).

    The environment hash of that first build is used by every build of the session, so that a file
    of the package edited while the suite runs cannot make the workers' cache keys disagree.
    """
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if worker_id != "master" else base
    root = shared / "giaoban-built" / "project"
    with FileLock(str(shared / "giaoban-built.lock")):
        if not (root / "first-build.json").is_file():
            shutil.rmtree(root, ignore_errors=True)
            environment = cache.environment_hash()
            result = run_build(make_project(root))
            (root / "first-build.json").write_text(json.dumps(
                {"status": result.status, "exit_code": result.exit_code, "environment": environment}),
                encoding="utf-8")
    first = json.loads((root / "first-build.json").read_text(encoding="utf-8"))
    original = cache.environment_hash
    cache.environment_hash = lambda root=None: first["environment"]
    yield root, first
    cache.environment_hash = original


@pytest.fixture
def project(built, tmp_path):
    """A private copy of the built project (data, notebooks, _build with its cache)."""
    root, _ = built
    copy = tmp_path / "project"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".build.lock", "first-build.json"))
    return copy


# --- inputs: exactly the rows each kind of page reads ------------------------------------------------

@pytest.fixture(scope="session")
def dataset(tmp_path_factory):
    return load_dataset(make_project(tmp_path_factory.mktemp("data") / "project") / "data")


def test_a_briefing_reads_its_province_all_periods_and_the_rankable_figures_of_its_period(dataset):
    got = inputs.for_job("briefing", {"province": "51", "period": "2021-H1", "lang": "vi"}, dataset=dataset)
    assert list(got.reports["report_id"]) == ["quang-ngai-2020-h1", "quang-ngai-2021-h1"]
    assert set(got.observations["report_id"]) == {"quang-ngai-2020-h1", "quang-ngai-2021-h1"}
    assert list(got.focus_tasks["report_id"]) == ["quang-ngai-2020-h1", "quang-ngai-2021-h1"]
    assert list(got.legal_refs["number"]) == ["43/QĐ-UBND"]
    assert sorted(got.sources) == ["quang-ngai-2020-h1", "quang-ngai-2021-h1"]
    assert "1.287 phương tiện đo" in got.sources["quang-ngai-2021-h1"]
    # standing: among the provinces with a figure in the same period, rankable indicators only
    assert list(got.standing["indicator"]) == ["science.tasks_new"] and list(got.standing["n"]) == [2]
    assert got.province.slug == "51-quang-ngai" and got.period.code == "2021-H1"
    assert set(got.reference) == {"indicators", "areas", "provinces"}


def test_a_briefing_reads_other_provinces_only_through_its_standing(dataset):
    """Another province's figure enters Quảng Ngãi's briefing (and its cache key) only through rank,
    count and median: a corrected quote there changes nothing here, a changed value that moves the
    median does."""
    params = {"province": "51", "period": "2021-H1", "lang": "vi"}
    obs = dataset.observations
    theirs = (obs["report_id"] == "yen-bai-2021-h1") & (obs["indicator"] == "science.tasks_new")
    assert theirs.sum() == 1

    def briefing_with(observations, tag):
        changed = dataclasses.replace(dataset, observations=observations, hash=f"{dataset.hash}-{tag}")
        return inputs.for_job("briefing", params, dataset=changed)

    before = inputs.for_job("briefing", params, dataset=dataset)
    requoted = briefing_with(obs.assign(quote=obs["quote"].where(~theirs, "một câu khác")), "quote")
    assert requoted.fingerprint() == before.fingerprint()
    value = float(obs.loc[theirs, "value"].iloc[0])
    revalued = briefing_with(obs.assign(value=obs["value"].where(~theirs, value + 10)), "value")
    assert revalued.standing["median"].iloc[0] == before.standing["median"].iloc[0] + 5
    assert revalued.fingerprint() != before.fingerprint()


def test_reference_tables_are_serialised_once_per_dataset_and_never_stale(dataset, monkeypatch):
    """The reference tables' bytes are remembered for the frames `for_job` shares within one dataset
    (one serialisation for many jobs); a changed catalogue (another dataset hash) or a frame that is
    not the shared one (a changed copy) is serialised again, so its fingerprint follows the change."""
    calls: list[int] = []
    real = inputs._frame_bytes

    def counting(frame):
        calls.append(id(frame))
        return real(frame)

    monkeypatch.setattr(inputs, "_frame_bytes", counting)
    dataset = dataclasses.replace(dataset, hash=f"{dataset.hash}-fresh")  # nothing remembered for it yet
    jobs = [("briefing", {"province": "51", "period": "2021-H1", "lang": "vi"}),
            ("province", {"province": "51", "on": "2021-06-30", "lang": "vi"})]
    first = [inputs.for_job(nb, params, dataset=dataset) for nb, params in jobs]
    printed = [job.fingerprint() for job in first]
    shared = {id(frame) for frame in first[0].reference.values()}
    assert all(job.reference[name] is first[0].reference[name] for job in first for name in job.reference)
    again = [inputs.for_job(nb, params, dataset=dataset).fingerprint() for nb, params in jobs]
    assert again == printed
    assert sum(1 for c in calls if c in shared) == len(shared)  # each shared table once, for 4 fingerprints

    # a changed copy of a reference table is not the remembered frame: serialised, and seen
    job = first[0]
    indicators = job.reference["indicators"].copy()
    indicators.loc[0, "label_vi"] = indicators.loc[0, "label_vi"] + " (sửa)"
    edited = dataclasses.replace(job, reference={**job.reference, "indicators": indicators})
    assert edited.fingerprint() != printed[0]
    # another dataset (a changed catalogue gives another hash): new frames, new bytes
    catalogue = dataset.catalogue
    first_indicator = dataclasses.replace(catalogue.indicators[0], label_vi=catalogue.indicators[0].label_vi + " (sửa)")
    relabelled = Catalogue((first_indicator, *catalogue.indicators[1:]), catalogue.areas)
    changed = dataclasses.replace(dataset, catalogue=relabelled, hash=f"{dataset.hash}-label")
    assert inputs.for_job(*jobs[0], dataset=changed).fingerprint() != printed[0]


def test_a_province_page_reads_its_rows_and_a_period_page_every_province_and_a_year_earlier(dataset):
    page = inputs.for_job("province", {"province": "15", "on": "2025-06-30", "lang": "vi"}, dataset=dataset)
    assert list(page.reports["report_id"]) == ["yen-bai-2020-9m", "yen-bai-2021-h1"]
    assert page.standing.empty and not page.sources
    period = inputs.for_job("period", {"period": "2021-H1", "lang": "en"}, dataset=dataset)
    assert list(period.reports["report_id"]) == ["quang-ngai-2020-h1", "quang-ngai-2021-h1", "yen-bai-2021-h1"]
    assert set(period.observations["period"]) == {"2020-H1", "2021-H1"}
    unnamed = inputs.for_job("period", {"period": "2013-FY"}, dataset=dataset)
    assert list(unnamed.reports["report_id"]) == ["unknown-2013-fy"]  # a report with no province: here only


def test_a_new_unit_reads_its_predecessors_never_an_old_unit_its_successor(dataset):
    reg = dataset.provinces
    new = reg.get("51", on=reg.merger_date)
    assert sorted((u.code, u.valid_to is None) for u in inputs.lineage(new, reg)) == [
        ("51", False), ("51", True), ("62", False)]
    old = reg.get("15", on=reg.merger_date.replace(day=1, month=1))
    assert inputs.lineage(old, reg) == [old]
    page = inputs.for_job("province", {"province": "51", "on": "2025-07-01"}, dataset=dataset)
    assert list(page.reports["report_id"]) == ["quang-ngai-2020-h1", "quang-ngai-2021-h1"]


def test_an_ambiguous_or_missing_parameter_is_refused(dataset):
    with pytest.raises(Exception, match="15"):
        inputs.for_job("province", {"province": "15", "on": None}, dataset=dataset)  # Yên Bái or Lào Cai?
    with pytest.raises(Exception, match="period"):
        inputs.for_job("briefing", {"province": "51"}, dataset=dataset)
    with pytest.raises(Exception, match="slides"):
        inputs.for_job("slides", {}, dataset=dataset)


# --- cache keys --------------------------------------------------------------------------------------

def test_the_cache_key_changes_with_each_of_its_parts_and_nothing_else(tmp_path):
    nb = tmp_path / "n.ipynb"
    nb.write_bytes(b'{"cells": []}')
    key = cache.job_key(nb, {"a": 1, "b": "x"}, "f" * 64, "e" * 64)
    assert key == cache.job_key(nb, {"b": "x", "a": 1}, "f" * 64, "e" * 64)  # canonical params
    assert key != cache.job_key(nb, {"a": 2, "b": "x"}, "f" * 64, "e" * 64)
    assert key != cache.job_key(nb, {"a": 1, "b": "x"}, "0" * 64, "e" * 64)
    assert key != cache.job_key(nb, {"a": 1, "b": "x"}, "f" * 64, "0" * 64)
    nb.write_bytes(b'{"cells": [] }')
    assert key != cache.job_key(nb, {"a": 1, "b": "x"}, "f" * 64, "e" * 64)
    assert set(cache.environment()) == {"requirements.lock", "python", "giaoban", "packages"}


# --- building -----------------------------------------------------------------------------------------

def test_the_first_build_executes_every_page_with_the_project_python(built):
    root, first = built
    assert first["status"] == dict.fromkeys(ALL_PAGES, "ok") and first["exit_code"] == 0
    nb = nbformat.read(root / "_build" / "executed" / "briefings" / "2021-H1" / "51-quang-ngai.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert printed.splitlines()[0] == sys.executable  # the kernel runs this interpreter (the project's venv)
    assert "2 4 2407.0" in printed  # two reports, four figures of Quảng Ngãi, read through giaoban.data.inputs
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "province = \"51\"" in injected[0].source
    assert nb.cells.index(injected[0]) == 2  # right after the cell tagged `parameters`


def test_the_manifest_is_written_as_the_renderer_expects(built):
    root, _ = built
    manifest = json.loads((root / "_build" / "executed" / "manifest.json").read_text(encoding="utf-8"))
    assert list(manifest) == ["generated_from", "jobs", "build_date"]  # the day the books are made on
    assert datetime.date.fromisoformat(manifest["build_date"])
    generated = manifest["generated_from"]
    assert generated["data_hash"] == load_dataset(root / "data").hash
    assert {"giaoban", "pandas", "papermill", "nbclient", "ipykernel"} <= set(generated["packages"])
    assert generated["python"] == ".".join(map(str, sys.version_info[:3]))
    ids = [job["id"] for job in manifest["jobs"]]
    assert ids == sorted(ids) and set(ids) == ALL_PAGES
    entry = next(j for j in manifest["jobs"] if j["page"] == "briefings/2021-H1/51-quang-ngai")
    assert entry == {
        "id": "briefings/2021-H1/51-quang-ngai", "notebook": "briefing", "page": "briefings/2021-H1/51-quang-ngai",
        "params": {"province": "51", "period": "2021-H1", "lang": "vi", "meeting_type": "so_ket",
                   "meeting_date": "2021-07-23"},
        "title": "Quảng Ngãi — 6 tháng đầu năm 2021",
        "province": {"code": "51", "slug": "51-quang-ngai", "name_vi": "Quảng Ngãi", "name_en": "Quang Ngai"},
        "period": {"code": "2021-H1", "label_vi": "6 tháng đầu năm 2021", "label_en": "first half of 2021"},
        "meeting": {"type": "so_ket", "type_label": "Sơ kết", "date": "2021-07-23"},
        "lang": "vi", "status": "ok", "executed": "briefings/2021-H1/51-quang-ngai.ipynb", "error": None,
    }
    period = next(j for j in manifest["jobs"] if j["page"] == "periods/2013-FY")
    assert period["province"] is None and period["meeting"] is None and period["period"]["code"] == "2013-FY"
    for job in manifest["jobs"]:
        assert (root / "_build" / "executed" / job["executed"]).is_file()
    # the renderer's reader accepts it
    from giaoban.publish.manifest import read_manifest

    assert len(read_manifest(root / "_build" / "executed").jobs) == len(ALL_PAGES)


def test_a_second_build_of_an_unchanged_batch_executes_nothing(project, monkeypatch):
    def must_not_run(tasks, *args, **kwargs):
        assert not list(tasks), "a job ran again"
        return {}

    monkeypatch.setattr(build_module.execute, "run", must_not_run)
    result = run_build(project)
    assert result.status == dict.fromkeys(ALL_PAGES, "cached") and result.exit_code == 0
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert {j["status"] for j in manifest["jobs"]} == {"cached"}


def test_editing_one_figure_re_executes_only_the_pages_that_read_it(project):
    shutil.copytree(project / "data", project / "data-copy")
    data = project / "data-copy"
    # a figure of Quảng Ngãi 2020-H1 on an indicator that is not ranked (value, its quote, its source)
    edit(data / "observations.csv", "level,1100,phương tiện đo,,,kiểm định 1.100", "level,1101,phương tiện đo,,,kiểm định 1.101")
    edit(data / "sources" / "quang-ngai-2020-h1.txt", "kiểm định 1.100", "kiểm định 1.101")
    result = run_build(project, data="data-copy")
    assert executed(result) == {
        "briefings/2020-H1/51-quang-ngai", "briefings/2021-H1/51-quang-ngai",  # its briefings (all periods)
        "provinces/51-quang-ngai",                                             # its province page
        "periods/2020-H1", "periods/2021-H1",                                  # its period, a year later
    }
    assert set(result.status.values()) == {"ok", "cached"}


def test_editing_a_ranked_figure_also_re_executes_the_other_briefings_of_its_period(project):
    data = project / "data"
    edit(data / "observations.csv", "level,10,nhiệm vụ,,,triển khai mới 10", "level,11,nhiệm vụ,,,triển khai mới 11")
    edit(data / "sources" / "yen-bai-2021-h1.txt", "triển khai mới 10", "triển khai mới 11")
    result = run_build(project)
    assert executed(result) == {
        "briefings/2020-9M/15-yen-bai", "briefings/2021-H1/15-yen-bai", "provinces/15-yen-bai", "periods/2021-H1",
        "briefings/2021-H1/51-quang-ngai",  # ranks Quảng Ngãi among the provinces of 2021-H1
    }


def test_a_broken_notebook_fails_alone_and_is_never_cached(project):
    shutil.copy(FIXTURE / "variants" / "broken.ipynb", project / "notebooks" / "province.ipynb")
    result = run_build(project)
    failed = {"provinces/15-yen-bai", "provinces/51-quang-ngai"}
    assert {p for p, s in result.status.items() if s == "failed"} == failed
    assert {s for p, s in result.status.items() if p not in failed} == {"cached"}
    assert result.exit_code == 1
    summary = "\n".join(result.summary_lines())
    for page in sorted(failed):
        notebook = project / "_build" / "executed" / f"{page}.ipynb"
        assert str(notebook) in summary and f"✗ {page}: ô [4] lỗi ZeroDivisionError: division by zero" in summary
        nb = nbformat.read(notebook, as_version=4)
        marked = [c for c in nb.cells if c.metadata.get("papermill", {}).get("status") == "failed"]
        assert len(marked) == 1 and "1 / 0" in marked[0].source
        assert any("papermill-error-cell-tag" in c.metadata.get("tags", []) for c in nb.cells)
    store = cache.Cache(project / "_build" / "cache")
    assert all(store.get(job.key) is None for job in result.failed)  # a failed job is never cached
    assert all(store.get(job.key) is not None for job in result.jobs if job.id not in failed)


def _processes_of(project: Path, before: set[int]) -> list[psutil.Process]:
    """The running processes a build of `project` started: this process's children that were not
    there `before` (the workers), and the processes started with `$GIAOBAN_DATA` under `project` (the
    fork server and its kernels, which are session leaders: once their template is gone they are no
    one's children)."""
    found = {p.pid: p for p in psutil.Process().children(recursive=True) if p.pid not in before}
    for process in psutil.process_iter():
        try:
            if process.environ().get("GIAOBAN_DATA", "").startswith(str(project.resolve())):
                found[process.pid] = process
        except psutil.Error:
            continue
    out = []
    for pid, process in found.items():
        try:
            if pid != os.getpid() and process.status() != psutil.STATUS_ZOMBIE:
                out.append(process)
        except psutil.Error:
            continue
    return out


def test_a_hanging_notebook_is_stopped_by_the_batch_timeout(project):
    shutil.copy(FIXTURE / "variants" / "hang.ipynb", project / "notebooks" / "period.ipynb")
    batch = project / "params" / "batches" / "hang.yml"
    batch.write_text("provinces: all\nperiods: [2020-H1, 2021-H1]\nnotebooks: [period]\nlangs: [vi]\ntimeout: 2\n",
                     encoding="utf-8")
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    seen: set[int] = set()
    building = threading.Event()

    def watch() -> None:  # what the build runs, while it runs: the check below must be able to see it
        while not building.wait(0.2):
            seen.update(p.pid for p in _processes_of(project, before))

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        result = run_build(project, [batch])  # 2021-H1's kernel even ignores the interrupt: it is shut down
    finally:
        building.set()
        watcher.join()
    assert len(seen) >= 3  # the workers, the fork server and the hanging kernels were found while they ran
    # nothing the build started is left running: forked kernels are session leaders whose template may be
    # gone, so they are looked for by their data folder, not as children of this process
    _, alive = psutil.wait_procs(_processes_of(project, before), timeout=30)
    assert not alive, [p.cmdline() for p in alive]
    assert result.status == {"periods/2020-H1": "failed", "periods/2021-H1": "failed"} and result.exit_code == 1
    for page in result.status:
        assert result.errors[page] == "quá thời gian: ô [3] chạy quá 2 giây nên đã bị dừng"
        nb = nbformat.read(project / "_build" / "executed" / f"{page}.ipynb", as_version=4)
        marked = [c for c in nb.cells if c.metadata.get("papermill", {}).get("status") == "failed"]
        assert len(marked) == 1 and "time.sleep(600)" in marked[0].source
        assert any("papermill-error-cell-tag" in c.metadata.get("tags", []) for c in nb.cells)
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert [(j["id"], j["status"]) for j in manifest["jobs"] if j["id"] in result.status] == [
        ("periods/2020-H1", "failed"), ("periods/2021-H1", "failed")]
    # pages of the first build that this batch does not rebuild are kept while up to date (docs/trust.md):
    # the other period pages are not, since the period notebook changed
    assert {j["id"] for j in manifest["jobs"]} == {p for p in ALL_PAGES if not p.startswith("periods/")} | set(
        result.status)


def test_the_build_calls_the_renderer_with_the_executed_notebooks(project, monkeypatch):
    import giaoban.publish

    calls = []

    class Report:
        def lines(self):
            return ["rendered"]

    def fake_render_site(executed_dir, out_dir, renderer, **kwargs):
        calls.append((Path(executed_dir), Path(out_dir), renderer))
        return Report()

    monkeypatch.setattr(giaoban.publish, "render_site", fake_render_site)
    said = []
    build_module.build(build_module.BuildOptions([project / "params" / "batches" / "test.yml"], data_dir=project / "data",
                       notebooks_dir=project / "notebooks", build_dir=project / "_build", out=project / "_site",
                       renderer="builtin", progress=False, echo=said.append))
    assert calls == [(project / "_build" / "executed", project / "_site", "builtin")] and said[-1] == "rendered"


def test_the_command_line_exits_1_and_names_the_executed_notebook_of_each_failure(project):
    shutil.copy(FIXTURE / "variants" / "broken.ipynb", project / "notebooks" / "province.ipynb")
    (project / "params" / "batches" / "provinces.yml").write_text(
        "provinces: all\nperiods: all-with-data\nnotebooks: [province]\nlangs: [vi]\n", encoding="utf-8")
    env = {**os.environ, "GIAOBAN_ROOT": str(project)}
    env.pop("GIAOBAN_DATA", None)
    done = subprocess.run([sys.executable, "-m", "giaoban", "build", "params/batches/provinces.yml", "--jobs", "2",
                           "--no-render"], cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("2 trang: thực thi 0, dùng lại 0 (không đổi), lỗi 2;")
    assert "_build/executed/provinces/15-yen-bai.ipynb" in done.stdout
    assert "_build/executed/provinces/51-quang-ngai.ipynb" in done.stdout


def test_the_command_line_refuses_broken_params_with_exit_2_and_runs_nothing(project):
    bad = project / "params" / "meetings" / "bad.yml"
    bad.parent.mkdir()
    bad.write_text("province: \"../../etc/passwd\"\nperiod: 2021-H1\nmeeting: {type: null, date: null}\n",
                   encoding="utf-8")
    shutil.rmtree(project / "_build")
    env = {**os.environ, "GIAOBAN_ROOT": str(project)}
    done = subprocess.run([sys.executable, "-m", "giaoban", "build", "params/meetings/bad.yml"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert done.stderr.startswith("lỗi: params/meetings/bad.yml:1:province: ") and "../../etc/passwd" in done.stderr
    assert not (project / "_build").exists()
