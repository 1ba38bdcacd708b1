"""`giaoban build --scheduler tcp://HOST:PORT`: the jobs on a Dask cluster, the results written by the build host.

One real `LocalCluster` (its scheduler in this process, two workers in their own processes, on
127.0.0.1) serves the tests. The notebooks are the tiny ones of tests/fixtures/build.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import threading
import time
from pathlib import Path

import nbformat
import pytest

from giaoban.build import pipeline as build_module
from giaoban.execution import distributed as gb_distributed
from giaoban import paths
from giaoban.execution import execute
from giaoban.execution.engine.compare import differences
from giaoban.data.validation import DATA_ENV

pytestmark = pytest.mark.xdist_group("distributed")

FIXTURE = Path(__file__).parent / "fixtures" / "build"
PROVINCE_FILES = ("provinces_63.csv", "provinces_34.csv", "province_merger_2025.csv", "gso_regions_6.csv")


def make_project(root: Path) -> Path:
    shutil.copytree(FIXTURE, root)
    for name in PROVINCE_FILES:
        shutil.copy(paths.REFERENCE / name, root / "data" / "reference" / name)
    shutil.copy(paths.ROOT / "requirements.lock", root / "requirements.lock")
    (root / "params" / "batches" / "small.yml").write_text(
        'provinces: ["51"]\nperiods: [2021-H1]\nnotebooks: [briefing, province]\nlangs: [vi]\ntimeout: 60\n',
        encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
                      silence_logs=logging.ERROR) as local:
        with Client(local) as client:
            client.wait_for_workers(2)
        yield local


def run_build(root: Path, build_dir: str, **kwargs):
    return build_module.build(build_module.BuildOptions([root / "params" / "batches" / "small.yml"], workers=2, data_dir=root / "data",
                              notebooks_dir=root / "notebooks", build_dir=root / build_dir, render=False,
                              progress=False, echo=lambda line: None, **kwargs))


def test_a_build_on_the_cluster_writes_the_same_notebooks_and_manifest_on_the_build_host(cluster, tmp_path):
    root = make_project(tmp_path / "project")
    assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    remote = run_build(root, "_build", scheduler=cluster.scheduler_address)
    assert remote.status == {"briefings/2021-H1/51-quang-ngai": "ok", "provinces/51-quang-ngai": "ok"}, remote.errors
    local = run_build(root, "_build-local")
    for page in remote.status:
        written = root / "_build" / "executed" / f"{page}.ipynb"
        assert differences(written, root / "_build-local" / "executed" / f"{page}.ipynb") == []
        text = "".join(o.get("text", "") for c in nbformat.read(written, as_version=4).cells for o in c.get("outputs", []))
        assert "\n2 4 2407.0\n" in text  # numbers from the rows of the data shipped to the worker
    manifest = (root / "_build" / "executed" / "manifest.json").read_text(encoding="utf-8")
    assert all(page in manifest for page in remote.status)
    assert local.status == remote.status
    # the cache is this host's: a second build on the cluster executes nothing
    again = run_build(root, "_build", scheduler=cluster.scheduler_address)
    assert set(again.status.values()) == {"cached"}


def test_workers_with_other_code_are_refused(cluster, monkeypatch):
    import giaoban.execution.cache

    monkeypatch.setattr(giaoban.execution.cache, "package_hash", lambda: "another version")  # here, not on the workers
    with pytest.raises(gb_distributed.SchedulerError, match="chạy mã khác"):
        gb_distributed.run([], cluster.scheduler_address, {})


def test_a_scheduler_that_is_not_there_is_a_clear_error():
    with pytest.raises(gb_distributed.SchedulerError, match="không kết nối được"):
        gb_distributed.run([], "tcp://127.0.0.1:9", {}, timeout=2)


def _notebook(path: Path, source: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    first = nbformat.v4.new_code_cell("x = 1\nmarkers = ''")
    first.metadata["tags"] = ["parameters"]
    nb.cells = [first, nbformat.v4.new_code_cell(source)]
    nbformat.write(nb, path)
    return path


def test_a_worker_killed_while_it_runs_a_job_costs_only_that_job_which_is_run_again(cluster, tmp_path):
    from distributed import Client

    markers = tmp_path / "markers"
    markers.mkdir()
    slow = _notebook(tmp_path / "slow.ipynb", "import os, pathlib, time\n"
                                              "pathlib.Path(markers, f'started-{os.getpid()}').write_text('')\n"
                                              "time.sleep(4)\nprint('slow', x * 3)")
    fast = _notebook(tmp_path / "fast.ipynb", "print('fast', x * 2)")
    tasks = [execute.Task("slow", str(slow), str(tmp_path / "out" / "slow.ipynb"), {"x": 7, "markers": str(markers)},
                          60, str(tmp_path))]
    tasks += [execute.Task(f"fast-{i}", str(fast), str(tmp_path / "out" / f"fast-{i}.ipynb"), {"x": i}, 60,
                           str(tmp_path)) for i in range(4)]
    killed = {}

    def kill_the_worker_running_the_slow_job() -> None:
        with Client(cluster.scheduler_address) as client:
            deadline = time.monotonic() + 60
            while not list(markers.iterdir()) and time.monotonic() < deadline:
                time.sleep(0.05)
            pids = client.run(os.getpid)
            for address, keys in client.processing().items():
                if any("-slow" in str(k) for k in keys):
                    killed["address"], killed["pid"] = address, pids[address]
                    os.kill(pids[address], signal.SIGKILL)

    killer = threading.Thread(target=kill_the_worker_running_the_slow_job)
    killer.start()
    outcomes = gb_distributed.run(tasks, cluster.scheduler_address, {DATA_ENV: str(FIXTURE / "data")})
    killer.join()
    assert killed, "the slow job was never seen running"
    assert len(list(markers.iterdir())) == 2  # started, killed with its worker, started again elsewhere
    assert {t.id: outcomes[t.id].ok for t in tasks} == {t.id: True for t in tasks}, outcomes
    printed = ["".join(o.get("text", "") for o in c.get("outputs", []))
               for c in nbformat.read(tmp_path / "out" / "slow.ipynb", as_version=4).cells]
    assert printed[-1] == "slow 21\n"
    for i in range(4):
        assert nbformat.read(tmp_path / "out" / f"fast-{i}.ipynb", as_version=4).cells[-1].outputs[0]["text"] == \
            f"fast {2 * i}\n"
