"""The `giaoban-fork` engine: kernels forked from a warm template, equal to Papermill's, and the hazards of forking.

Every test executes real notebooks with real kernels (through `giaoban.execution.execute.execute_task`, as the
build does, or through the fork server's socket). One fork server is shared by the tests that do not
need a special one; the tests about a hazard start their own, warming a small module written for
the test. Timings are never asserted here (see benchmarks/build_speed.py).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest

from giaoban.execution import execute
from giaoban.execution.engine import client as fork_client
from giaoban.execution.engine.client import FORK_SOCKET_ENV, ForkServer, ForkUnavailable, ping, request_kernel
from giaoban.execution.engine.compare import differences
from giaoban.execution.engine.kernels import KERNEL_DIR_ENV, private_dir

pytestmark = pytest.mark.xdist_group("engine")


def make_notebook(path: Path, *sources: str) -> Path:
    """Write a notebook whose first cell is tagged `parameters` (`x = 1`) and whose other cells are `sources`."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    first = nbformat.v4.new_code_cell("x = 1")
    first.metadata["tags"] = ["parameters"]
    nb.cells = [first, *(nbformat.v4.new_code_cell(textwrap.dedent(s).strip()) for s in sources)]
    nbformat.write(nb, path)
    return path


def outputs(path: str | Path) -> list[str]:
    """The text of the stream outputs of an executed notebook, one string per cell of `make_notebook`'s
    `sources` (the parameters cell and the one Papermill injects are left out)."""
    nb = nbformat.read(path, as_version=4)
    return ["".join(o.get("text", "") for o in c.get("outputs", []) if o.get("output_type") == "stream")
            for c in nb.cells if not {"parameters", "injected-parameters"} & set(c.metadata.get("tags", []))]


def gone(pid: int, within: float = 15.0) -> bool:
    """True once process `pid` has ended (a zombie counts as ended) within `within` seconds."""
    import psutil

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory):
    """The environment a build gives its kernels: the python3 kernel spec of this Python, a private folder."""
    base = tmp_path_factory.mktemp("engine")
    folder = private_dir()
    env = {**execute.prepare_kernel(base / "jupyter"), KERNEL_DIR_ENV: str(folder)}
    saved = {k: os.environ.get(k) for k in [*env, FORK_SOCKET_ENV]}
    os.environ.update(env)
    yield env
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def server(kernel_env, tmp_path_factory):
    """A fork server warmed with numpy, pandas and matplotlib (as the build's is with the notebooks' imports)."""
    folder = private_dir()
    log = tmp_path_factory.mktemp("server") / "fork-server.log"
    started = ForkServer.start(folder, dict(os.environ), warm=["numpy", "pandas", "matplotlib", "giaoban.briefing.charts"],
                               log=log)
    os.environ[FORK_SOCKET_ENV] = str(started.socket_path)
    assert ping(started.socket_path)["problem"] is None, log.read_text()
    yield started
    started.stop()
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def fresh_worker(monkeypatch):
    monkeypatch.setattr(execute, "_fork_broken", None)


def task(notebook: Path, out: Path, engine: str, timeout: int = 60) -> execute.Task:
    return execute.Task(out.stem, str(notebook), str(out), {"x": 2}, timeout, str(notebook.parent), engine)


def start_server(tmp_path: Path, *warm: str, pythonpath: Path | None = None) -> ForkServer:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pythonpath), env.get("PYTHONPATH")]))
    folder = private_dir()
    return ForkServer.start(folder, env, warm=list(warm), log=tmp_path / "fork-server.log")


# --------------------------------------------------------------------------------------- registration

def test_the_engine_and_the_provisioner_are_registered_at_the_extension_points():
    from jupyter_client.provisioning.factory import KernelProvisionerFactory
    from papermill.engines import papermill_engines

    from giaoban.execution.engine.kernels import ForkProvisioner
    from giaoban.execution.engine.papermill_engine import ForkEngine

    assert papermill_engines.get_engine("giaoban-fork") is ForkEngine
    factory = KernelProvisionerFactory.instance()
    assert factory._check_availability("giaoban-fork")
    assert factory.provisioners["giaoban-fork"].load() is ForkProvisioner
    assert {"papermill", "giaoban-fork"} <= set(execute.engines())
    assert execute.DEFAULT_ENGINE == "giaoban-fork"


# --------------------------------------------------------------------------------------- equivalence

RICH = (
    """
    import sys
    print("ra stdout", x)
    print("ra stderr", file=sys.stderr)
    """,
    """
    from IPython.display import Markdown, display
    display(Markdown("**Quảng Ngãi**: 1.287 nhiệm vụ"))
    41 + x
    """,
    """
    import pandas as pd
    pd.DataFrame({"tỉnh": ["Quảng Ngãi", "Yên Bái"], "số": [1287, 99]})
    """,
    """
    import matplotlib.pyplot as plt
    plt.plot([1, 2, 3], [3, 1, 2])
    plt.title("pyplot, inline backend")
    """,
    """
    from giaoban.briefing import charts
    charts.use_house_style()
    fig = charts.new_figure(2.0)
    ax = fig.add_subplot()
    ax.bar(["a", "b"], [1287, 99])
    fig
    """,
    """
    import matplotlib
    print(matplotlib.get_backend())
    """,
)


def test_the_forked_kernel_gives_the_same_executed_notebook_as_papermill(server, tmp_path):
    nb = make_notebook(tmp_path / "rich.ipynb", *RICH)
    plain = execute.execute_task(task(nb, tmp_path / "plain.ipynb", "papermill"))
    forked = execute.execute_task(task(nb, tmp_path / "forked.ipynb", "giaoban-fork"))
    assert (plain.ok, plain.engine, plain.note) == (True, "papermill", None), plain
    assert (forked.ok, forked.engine, forked.note) == (True, "giaoban-fork", None), forked
    assert differences(tmp_path / "plain.ipynb", tmp_path / "forked.ipynb") == []
    executed = nbformat.read(tmp_path / "forked.ipynb", as_version=4)
    kinds = [sorted(o.get("data", {})) for c in executed.cells for o in c.outputs if o.output_type != "stream"]
    assert kinds.count(["image/png", "text/plain"]) == 2  # pyplot's figure and the house-style one
    assert "module://matplotlib_inline.backend_inline" in outputs(tmp_path / "forked.ipynb")[-1]


def test_the_comparison_sees_a_different_image_and_a_different_text(tmp_path):
    nb = make_notebook(tmp_path / "a.ipynb", "print(1)")
    base = nbformat.read(nb, as_version=4)
    base.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n"),
                             nbformat.v4.new_output("display_data", data={"image/png": "UE5HMQ==",
                                                                          "text/plain": "<Figure>"})]
    other = nbformat.from_dict(json.loads(json.dumps(base)))
    other.cells[1].outputs[0]["text"] = "2\n"
    other.cells[1].outputs[1]["data"]["image/png"] = "UE5HMg=="  # b"PNG1" → b"PNG2"
    found = differences(base, other)
    assert len(found) == 2 and "stream" in found[0] and "data[image/png]" in found[1]
    assert differences(base, nbformat.from_dict(json.loads(json.dumps(base)))) == []


def test_the_kernel_is_forked_from_the_warm_template(server, tmp_path):
    nb = make_notebook(tmp_path / "warm.ipynb", """
        import os, sys
        print(os.getppid(), "pandas" in sys.modules, "giaoban.briefing.charts" in sys.modules)
    """)
    info = ping(server.socket_path)
    forked = execute.execute_task(task(nb, tmp_path / "forked.ipynb", "giaoban-fork"))
    plain = execute.execute_task(task(nb, tmp_path / "plain.ipynb", "papermill"))
    assert forked.ok and plain.ok
    assert outputs(tmp_path / "forked.ipynb")[0] == f"{info['pid']} True True\n"
    assert outputs(tmp_path / "plain.ipynb")[0].endswith(" False False\n")  # a fresh kernel imports them itself


@pytest.mark.parametrize("engine", ["papermill", "giaoban-fork"])
def test_kernels_talk_over_ipc_sockets_in_a_private_folder(server, tmp_path, engine):
    nb = make_notebook(tmp_path / "ipc.ipynb", """
        import json
        from ipykernel.kernelapp import IPKernelApp
        app = IPKernelApp.instance()
        info = json.load(open(app.connection_file))
        print(app.transport, info["transport"], info["ip"], app.connection_file, sep="\\n")
    """)
    outcome = execute.execute_task(task(nb, tmp_path / "out.ipynb", engine))
    assert outcome.ok and outcome.engine == engine
    transport, written, ip, connection = outputs(tmp_path / "out.ipynb")[0].split()
    assert transport == written == "ipc"
    folder = Path(connection).parent
    assert folder == Path(os.environ[KERNEL_DIR_ENV]) and Path(ip).parent == folder
    assert folder.stat().st_mode & 0o777 == 0o700
    assert not list(folder.glob("kernel-*"))  # connection file and sockets removed with the kernel


def test_forked_kernels_do_not_share_a_seeded_random_state(server, tmp_path):
    nb = make_notebook(tmp_path / "random.ipynb", """
        import random
        import numpy as np
        print(random.random(), np.random.random())
    """)
    seen = []
    for i in range(2):
        assert execute.execute_task(task(nb, tmp_path / f"r{i}.ipynb", "giaoban-fork")).ok
        seen.append(outputs(tmp_path / f"r{i}.ipynb")[0].split())
    assert seen[0][0] != seen[1][0] and seen[0][1] != seen[1][1]


def test_a_cell_past_the_timeout_is_interrupted_in_a_forked_kernel(server, tmp_path):
    nb = make_notebook(tmp_path / "slow.ipynb", "import time\ntime.sleep(60)", "print('never')")
    outcome = execute.execute_task(task(nb, tmp_path / "out.ipynb", "giaoban-fork", timeout=2))
    assert not outcome.ok and outcome.engine == "giaoban-fork"
    assert outcome.error == "quá thời gian: ô [3] chạy quá 2 giây nên đã bị dừng"  # after the injected cell


# --------------------------------------------------------------------------------------- hazards

def test_a_template_with_a_thread_is_not_forked_and_the_job_runs_with_plain_kernels(kernel_env, tmp_path):
    (tmp_path / "has_thread.py").write_text("import threading, time\n"
                                            "threading.Thread(target=time.sleep, args=(600,), daemon=True).start()\n")
    nb = make_notebook(tmp_path / "thread.ipynb", "import has_thread\nprint('ok')")
    env = {**kernel_env, "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))}
    task_ = execute.Task("thread", str(nb), str(tmp_path / "out.ipynb"), {}, 60, str(tmp_path), "giaoban-fork")
    outcomes = execute.run([task_], 1, env, tmp_path / "logs")
    outcome = outcomes["thread"]
    assert outcome.ok and outcome.engine == "papermill"
    assert "luồng" in outcome.note and "--engine papermill" in outcome.note
    assert outputs(tmp_path / "out.ipynb")[0] == "ok\n"
    assert "không phục vụ" in (tmp_path / "logs" / "fork-server.log").read_text()


def test_a_zmq_context_in_the_template_is_refused(kernel_env, tmp_path):
    (tmp_path / "has_context.py").write_text("import zmq\nCONTEXT = zmq.Context.instance()\n")
    started = start_server(tmp_path, "has_context", pythonpath=tmp_path)
    try:
        assert "zmq.Context" in ping(started.socket_path)["problem"]
        with pytest.raises(ForkUnavailable, match="zmq.Context"):
            request_kernel(started.socket_path, [sys.executable, "-m", "ipykernel_launcher"], {}, str(tmp_path))
    finally:
        started.stop()


def test_the_template_never_imports_pyplot(kernel_env, tmp_path):
    started = start_server(tmp_path, "matplotlib", "matplotlib.pyplot", "matplotlib_inline.backend_inline")
    try:
        info = ping(started.socket_path)
        assert info["problem"] is None and "matplotlib" in info["warm"]
        assert "matplotlib.pyplot" not in info["warm"] and "matplotlib_inline.backend_inline" not in info["warm"]
    finally:
        started.stop()


def test_a_module_changed_on_disk_makes_a_new_template(kernel_env, server, tmp_path):
    module = tmp_path / "changing.py"
    module.write_text("VALUE = 1\n")
    nb = make_notebook(tmp_path / "changing.ipynb", "import changing\nprint(changing.VALUE)")
    started = start_server(tmp_path, "changing", pythonpath=tmp_path)
    os.environ[FORK_SOCKET_ENV] = str(started.socket_path)
    try:
        first = ping(started.socket_path)["pid"]
        assert execute.execute_task(task(nb, tmp_path / "v1.ipynb", "giaoban-fork")).ok
        module.write_text("VALUE = 22\n")  # another size, another mtime
        outcome = execute.execute_task(task(nb, tmp_path / "v2.ipynb", "giaoban-fork"))
        assert outcome.ok and outcome.engine == "giaoban-fork" and outcome.note is None
        assert outputs(tmp_path / "v1.ipynb")[0] == "1\n" and outputs(tmp_path / "v2.ipynb")[0] == "22\n"
        assert ping(started.socket_path)["pid"] != first
        assert gone(first)  # the old template left once its kernels were done
    finally:
        started.stop()
        os.environ[FORK_SOCKET_ENV] = str(server.socket_path)


def test_output_buffered_in_the_template_is_not_written_again_by_each_kernel(kernel_env, tmp_path):
    (tmp_path / "chatty.py").write_text("import sys\nsys.stdout.write('warm-marker')\n")  # buffered, no newline
    nb = make_notebook(tmp_path / "quiet.ipynb", "print('x')")
    started = start_server(tmp_path, "chatty", pythonpath=tmp_path)
    os.environ[FORK_SOCKET_ENV] = str(started.socket_path)
    try:
        for i in range(2):
            assert execute.execute_task(task(nb, tmp_path / f"q{i}.ipynb", "giaoban-fork")).engine == "giaoban-fork"
    finally:
        started.stop()
        os.environ.pop(FORK_SOCKET_ENV, None)
    assert (tmp_path / "fork-server.log").read_text().count("warm-marker") == 1


# --------------------------------------------------------------------------------------- lifetimes

def _connection_file(folder: Path) -> str:
    from jupyter_client.connect import write_connection_file

    name = folder / f"kernel-test-{os.getpid()}.json"
    write_connection_file(str(name), transport="ipc", ip=str(folder / f"kernel-test-{os.getpid()}-ipc"))
    return str(name)


def test_a_kernel_whose_client_went_away_is_killed_and_signals_reach_it(server, kernel_env, tmp_path):
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", _connection_file(Path(kernel_env[KERNEL_DIR_ENV]))]
    kernel = request_kernel(server.socket_path, argv, dict(os.environ), str(tmp_path))
    assert kernel.poll() is None
    kernel.send_signal(signal.SIGTERM)
    assert kernel.wait(15) != 0 and gone(kernel.pid)
    other = request_kernel(server.socket_path, argv, dict(os.environ), str(tmp_path))
    assert other.poll() is None
    other.close()  # the client goes away without stopping its kernel
    assert gone(other.pid)


def test_the_fork_server_ends_with_the_process_that_started_it(kernel_env, tmp_path):
    folder = private_dir()
    script = (f"import sys, time\nfrom giaoban.execution.engine.client import ForkServer, ping\n"
              f"s = ForkServer.start({str(folder)!r}, dict(__import__('os').environ))\n"
              f"print(ping(s.socket_path)['pid'], flush=True)\ntime.sleep(120)\n")
    owner = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        pid = int(owner.stdout.readline())
        owner.kill()
        owner.wait()
        assert gone(pid)
        assert not (folder / "fork.sock").exists() or not fork_client._alive(pid)
    finally:
        owner.kill()


def test_no_fork_server_means_plain_kernels_with_a_note(kernel_env, tmp_path, monkeypatch):
    monkeypatch.setenv(FORK_SOCKET_ENV, str(tmp_path / "nowhere.sock"))
    nb = make_notebook(tmp_path / "n.ipynb", "print(x)")
    outcome = execute.execute_task(task(nb, tmp_path / "out.ipynb", "giaoban-fork"))
    assert outcome.ok and outcome.engine == "papermill" and "máy chủ fork không chạy" in outcome.note
    assert outputs(tmp_path / "out.ipynb")[0] == "2\n"
    again = execute.execute_task(task(nb, tmp_path / "again.ipynb", "giaoban-fork"))
    assert again.engine == "papermill" and again.note  # the worker does not ask again
