"""Executing notebook jobs: Papermill in a pool of worker processes, one kernel per job.

Each worker process runs `execute_task` for one job at a time: Papermill injects the parameters
after the cell tagged `parameters`, starts a `python3` kernel, runs every cell and saves the executed
notebook after each one (so a failing or hanging notebook is saved up to the cell that stopped it,
which Papermill marks). A cell that runs longer than the job's timeout is interrupted and reported
like a failure (a kernel that ignores the interrupt is shut down); so is a kernel that does not
start within the timeout (at least 60 s). The timeout applies to each cell, as Papermill's
`execution_timeout` does.

The kernel is the Python running the build: `prepare_kernel` writes a `python3` kernel spec whose
command is `sys.executable` (the project's virtual environment) into `_build/jupyter/` and puts
that folder first on `JUPYTER_PATH` for the workers, so a `python3` kernel spec of the user or the
system is never picked instead. Kernels talk to Papermill over local IPC sockets (`transport="ipc"`)
in a private folder (mode 0700) made for each batch, never over TCP ports that another local user
could connect to: `giaoban.execution.engine.kernels.GiaobanKernelManager`, for every engine.

Engines (`giaoban build --engine`):

- `giaoban-fork` (the default): Papermill's nbclient engine whose kernels are forked from a warm
  template process that has already imported IPython, pandas, matplotlib and `giaoban` and loaded
  the validated data (`giaoban.execution.engine`). `run` starts that fork server for the batch and stops it
  at the end. A notebook it cannot serve (the server did not start, or refused) runs with plain
  kernels instead, and the outcome carries a note saying so (`Outcome.note`, shown in the build log).
- `papermill`: Papermill with its default nbclient engine; a new Python per kernel.
- any other name is looked up among Papermill's engines, which other packages register through the
  `papermill.engine` entry point, and passed to `papermill.execute_notebook`.

The same tasks run on a Dask cluster with `giaoban.execution.distributed.run` (the build chooses).
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import shutil
import signal
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator
import importlib.metadata

from giaoban.errors import GiaobanError
from giaoban.files import write_text
from giaoban.data.snapshot import HASH_ENV
from giaoban.data.validation import DATA_ENV
from giaoban.execution.engine.client import FORK_SOCKET_ENV, ForkServer, ForkUnavailable, notebook_imports
from giaoban.execution.engine.limits import MEMORY_ENV, format_memory
from giaoban.execution.processes import exit_with

__all__ = [
    "Task",
    "Outcome",
    "EngineError",
    "DEFAULT_ENGINE",
    "PLAIN_ENGINE",
    "FORK_ENGINE",
    "KERNEL",
    "engines",
    "check_engine",
    "prepare_kernel",
    "execute_task",
    "run",
    "default_workers",
    "pool_size",
    "WarmSession",
    "warm_session",
]

#: Papermill with its own nbclient engine: a new Python for every kernel.
PLAIN_ENGINE = "papermill"
#: Papermill's nbclient engine with kernels forked from a warm template (`giaoban.execution.engine`).
FORK_ENGINE = "giaoban-fork"
DEFAULT_ENGINE = FORK_ENGINE
KERNEL = "python3"
MIN_START_TIMEOUT = 60


class EngineError(GiaobanError):
    """An execution engine that is not installed."""


@dataclass(frozen=True)
class Task:
    """What a worker needs to execute one job (picklable): notebook, output path, parameters,
    timeout in seconds, working folder (the kernel's), engine name, variables added to the
    kernel's environment (besides the worker's own) and, for the fork engine, the fork server's
    socket when it is not the one of `$GIAOBAN_FORK_SOCKET`."""

    id: str
    notebook: str
    output: str
    params: dict[str, Any]
    timeout: int
    cwd: str
    engine: str = DEFAULT_ENGINE
    kernel_env: dict[str, str] = field(default_factory=dict)
    fork_socket: str = ""  # the fork server's socket, when not `$GIAOBAN_FORK_SOCKET` (Dask workers)


@dataclass(frozen=True)
class Outcome:
    """How a task ended: `ok`, the Vietnamese `error` (None when ok), the seconds it took, the
    engine that executed it and a `note` for the build log (e.g. a fall-back to plain kernels)."""

    id: str
    ok: bool
    error: str | None = None
    seconds: float = 0.0
    engine: str | None = None
    note: str | None = None


def default_workers() -> int:
    """Return the number of CPU cores this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def pool_size(workers: int, engine: str) -> int:
    """Return how many notebooks run at once for `workers` cores: `workers`, plus one with the fork
    engine, whose kernels start in milliseconds but spend about 0.3 s waiting on jupyter_client
    (kernel_info, flushing IOPub, shutdown) during which a core would otherwise be idle."""
    return workers + 1 if engine == FORK_ENGINE and workers > 1 else workers


def engines() -> list[str]:
    """Return the engine names `run` accepts: `papermill`, `giaoban-fork` and every engine registered
    with Papermill."""
    # the `papermill.engine` entry points, read without importing papermill (whose import pulls in
    # nbformat's JSON schema validators: a second a build that has nothing to execute would waste)
    registered = {ep.name for ep in importlib.metadata.entry_points(group="papermill.engine")}
    return sorted({PLAIN_ENGINE, "nbclient", *registered})


def check_engine(name: str) -> None:
    """Refuse (EngineError, Vietnamese) an engine name that is neither `papermill` nor a Papermill engine
    (`giaoban-fork` is one when the package is installed: `pip install -e .` registers it)."""
    if name not in engines():
        raise EngineError(
            f"không có bộ máy thực thi '{name}': cần một trong {', '.join(engines())} "
            f"(bộ máy khác được cài qua điểm cắm 'papermill.engine')"
        )


def prepare_kernel(folder: str | os.PathLike) -> dict[str, str]:
    """Write a `python3` kernel spec running this interpreter (`sys.executable`) under `folder`
    (`<folder>/kernels/python3/kernel.json`) and return the environment variables that make the
    workers' kernels use it first."""
    folder = Path(folder)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (giaoban)",
        "language": "python",
        "metadata": {"debugger": False},
    }
    write_text(folder / "kernels" / KERNEL / "kernel.json", json.dumps(spec, indent=1) + "\n")
    paths = [str(folder.resolve()), *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
    return {"JUPYTER_PATH": os.pathsep.join(paths), "PYDEVD_DISABLE_FILE_VALIDATION": "1"}


def _describe(error: BaseException, timeout: int, memory: str | None = None) -> str:
    # imported when needed: it loads papermill (start-up time)
    from papermill.exceptions import PapermillExecutionError

    if isinstance(error, PapermillExecutionError):
        cell = f"ô [{error.exec_count}]" if error.exec_count else f"ô thứ {error.cell_index}"
        if error.ename in ("KeyboardInterrupt", _TIMEOUT):
            return f"quá thời gian: {cell} chạy quá {timeout} giây nên đã bị dừng"
        if error.ename == "MemoryError" and memory:
            return f"hết bộ nhớ: {cell} cần nhiều hơn giới hạn {memory} của sổ tay (memory: trong tệp tham số)"
        value = str(error.evalue).strip().splitlines()
        return f"{cell} lỗi {error.ename}: {value[0] if value else ''}".rstrip(": ")
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".rstrip(": ")


_TIMEOUT = "TimeoutError"


def _mark_stopped_cell(task: Task, error: BaseException) -> BaseException:
    """When a kernel ignored the interrupt or died, Papermill leaves the cell that was running marked
    as completed: mark it failed, with the error as its output, and let Papermill add its error
    banner. Return the resulting PapermillExecutionError, or `error` when no cell had started."""
    # imported when needed: it loads nbformat, papermill (start-up time)
    import nbformat
    from papermill.exceptions import PapermillExecutionError
    from papermill.execute import raise_for_execution_errors

    try:
        nb = nbformat.read(task.output, as_version=4)
    except (OSError, ValueError):
        return error
    started = [i for i, c in enumerate(nb.cells) if c.get("metadata", {}).get("papermill", {}).get("start_time")]
    if not started:
        return error
    index = started[-1]
    cell = nb.cells[index]
    timed_out = "Timeout" in type(error).__name__
    ename = _TIMEOUT if timed_out else type(error).__name__
    evalue = f"ô chạy quá {task.timeout} giây, kernel không dừng khi bị ngắt nên đã bị tắt" if timed_out else str(error)
    if cell.get("execution_count") is None:
        counts = [c.get("execution_count") or 0 for c in nb.cells[:index] if c.cell_type == "code"]
        cell["execution_count"] = max(counts, default=0) + 1
    cell.setdefault("outputs", []).append(
        nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])
    )
    cell.metadata.papermill.update(status="failed", exception=True)
    for later in nb.cells[index + 1 :]:
        if later.get("metadata", {}).get("papermill"):
            later.metadata.papermill["status"] = "pending"
    nb.metadata.setdefault("papermill", {})["exception"] = True
    try:
        raise_for_execution_errors(nb, task.output)  # writes the notebook with Papermill's error banner
    except PapermillExecutionError as marked:
        return marked
    return error


_fork_broken: str | None = None  # in a worker: why the fork server cannot serve (then plain kernels)


def _fork_unavailable(error: BaseException | None) -> Any:
    """The ForkUnavailable that `error` is or was caused by (the fork server refused a kernel), or None."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, ForkUnavailable):
            return error
        error = error.__cause__ or error.__context__
    return None


def _language(notebook: str) -> str | None:
    try:
        with open(notebook, encoding="utf-8") as fh:
            meta = json.load(fh).get("metadata", {})
    except (OSError, ValueError, AttributeError):
        return None
    return (meta.get("kernelspec") or {}).get("language") or (meta.get("language_info") or {}).get("name")


def _papermill(task: Task, engine: str) -> None:
    # imported when needed: it loads papermill, traitlets (start-up time)
    import papermill
    from traitlets.config import Config

    # imported when needed: it loads jupyter_client, tornado, traitlets, zmq (start-up time)
    from giaoban.execution.engine.kernels import GiaobanKernelManager

    Path(task.output).parent.mkdir(parents=True, exist_ok=True)
    extra: dict[str, Any] = {}
    if engine != FORK_ENGINE:  # the fork engine brings its own manager (a GiaobanKernelManager too)
        extra["kernel_manager_class"] = GiaobanKernelManager
    papermill.execute_notebook(
        task.notebook,
        task.output,
        parameters=dict(task.params),
        engine_name=None if engine == PLAIN_ENGINE else engine,
        kernel_name=KERNEL,
        language="python",
        progress_bar=False,
        log_output=False,
        # the kernel's folder and environment are the kernel manager's, per task (no os.chdir of the worker)
        config=Config(
            {
                "GiaobanKernelManager": {"kernel_cwd": task.cwd, "kernel_env": dict(task.kernel_env)},
                **({"ForkKernelManager": {"fork_socket": task.fork_socket}} if task.fork_socket else {}),
            }
        ),
        start_timeout=max(task.timeout, MIN_START_TIMEOUT),
        execution_timeout=task.timeout,
        # past the timeout: interrupt the cell and fail at once (without waiting for its reply)
        interrupt_on_timeout=True,
        error_on_timeout={"ename": _TIMEOUT, "evalue": f"quá {task.timeout} giây", "traceback": []},
        shutdown_kernel="immediate",
        **extra,
    )


def execute_task(task: Task) -> Outcome:
    """Execute one task with its engine (in a worker process) and return its `Outcome`.

    Never raises for a failing notebook: the failure is the outcome, and the executed notebook saved
    at `task.output` has its failing cell marked by Papermill (also when the cell ran past the
    timeout, or its kernel ignored the interrupt or died). With the `giaoban-fork` engine, a
    notebook the fork server cannot serve (server not running, refused, or a notebook in another
    language) is executed with plain kernels, and the outcome's `note` says why.
    """
    global _fork_broken
    # imported when needed: it loads papermill (start-up time)
    from papermill.exceptions import PapermillExecutionError

    started = time.monotonic()
    engine, note = task.engine, None
    if engine == FORK_ENGINE:
        language = _language(task.notebook)
        why = _fork_broken or (
            f"sổ tay viết bằng {language}, không phải Python" if language not in (None, "python") else None
        )
        if why:
            engine, note = PLAIN_ENGINE, why
    try:
        try:
            _papermill(task, engine)
        except Exception as error:  # noqa: BLE001 - only a fork refusal is retried
            refusal = _fork_unavailable(error) if engine == FORK_ENGINE else None
            if refusal is None:
                raise
            if refusal.lasting:
                _fork_broken = str(refusal)  # no use asking again from this worker
            engine, note = PLAIN_ENGINE, str(refusal)
            _papermill(task, engine)  # no cell ran: start again with a plain kernel
    except Exception as error:  # noqa: BLE001 - every failure of a job is reported, none stops the batch
        failure = error if isinstance(error, PapermillExecutionError) else _mark_stopped_cell(task, error)
        return Outcome(
            task.id,
            False,
            _describe(failure, task.timeout, _memory_of(task)),
            time.monotonic() - started,
            engine,
            _fallback_note(task, note),
        )
    return Outcome(task.id, True, None, time.monotonic() - started, engine, _fallback_note(task, note))


def _memory_of(task: Task) -> str | None:
    """The memory limit of `task`'s kernel as a user writes it (`2GB`), or None."""
    value = task.kernel_env.get(MEMORY_ENV, "")
    return format_memory(int(value)) if value.isdigit() else None


def _fallback_note(task: Task, why: str | None) -> str | None:
    if why is None:
        return None
    return (
        f"{task.id}: chạy bằng kernel thường (--engine {PLAIN_ENGINE}) vì bộ máy {FORK_ENGINE} không dùng được: {why}"
    )


def _init_worker(env: dict[str, str], log_dir: str, build: int) -> None:
    """Set the workers' environment, send their output (and their kernels') to a log file, and
    make each worker end with the build process `build` (`_exit_with`). A worker ignores Ctrl+C,
    which the terminal sends to the whole process group: the build process stops the workers itself
    (`run`), without a traceback from each."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with(build)
    os.environ.update(env)
    Path(log_dir).mkdir(parents=True, exist_ok=True)
    log = os.open(Path(log_dir) / f"worker-{os.getpid()}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, force=True)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _exit_with(build: int) -> None:
    """End this worker process as soon as the build process `build` is gone, however it ended (a
    SIGKILL or the OOM killer included): a thread checks the parent every half second. The worker's
    kernel follows it (a plain kernel's parent poller watches the worker; a forked kernel is killed
    by the fork server when the worker's connection closes); the notebook it was writing stays in the
    build's scratch folder, which the next build removes."""
    exit_with(build)


def _template_key(env: dict[str, str]) -> tuple:
    """The environment a fork server's template depends on: all of `env` but the data snapshot's
    folder and hash (`$GIAOBAN_DATA`, `$GIAOBAN_DATA_HASH`), which change with every data edit in
    `giaoban preview`. A template started for other data stays usable: its kernels get the
    environment of the worker that asks for them (`execute_task`), so they read the new snapshot;
    the template's preloaded tables are keyed by the data's content hash, so a kernel never sees
    other data than a fresh template would give it (it loads the new data from the build's cache of
    validated data instead). Restarting the template there would cost a warm-up for every save."""
    return tuple(sorted((k, v) for k, v in env.items() if k not in (DATA_ENV, HASH_ENV)))


class WarmSession:
    """The fork server and worker pool of `run`, kept between its calls (`giaoban preview`).

    Inside `warm_session()`, `run` starts them on its first call and reuses them on the next ones
    (same environment and pool size; for the fork server, a new data snapshot is no other
    environment: `_template_key`), so a rebuild neither warms a template nor starts workers again.
    `restart()` stops both (the project's own code changed: a forked template keeps its old
    imports); the next `run` starts fresh ones. `close()` stops both and removes the private folder."""

    def __init__(self) -> None:
        self.server: Any = None
        self.pool: ProcessPoolExecutor | None = None
        self.folder: Path | None = None
        self._pool_key: tuple | None = None
        self._server_key: tuple | None = None
        self.started = 0  # how many times a fork server was started (the tests read it)

    def private_folder(self) -> Path:
        # imported when needed: it loads jupyter_client, tornado, traitlets, zmq (start-up time)
        from giaoban.execution.engine.kernels import private_dir

        if self.folder is None or not self.folder.is_dir():
            self.folder = private_dir()
        return self.folder

    def fork_server(self, env: dict[str, str], warm: list[str], log: Path) -> Any:
        key = _template_key(env)
        if self.server is not None and (self.server.process.poll() is not None or key != self._server_key):
            self.server.stop()  # it died, or the kernels need another environment: start another
            self.server = None
        if self.server is None:
            self._server_key = key
            self.server = ForkServer.start(
                self.private_folder(), env, warm=warm, preload=["giaoban.execution.engine.warm:preload_data"], log=log
            )
            self.started += 1
        return self.server

    def worker_pool(self, size: int, env: dict[str, str], log_dir: str) -> ProcessPoolExecutor:
        key = (size, tuple(sorted(env.items())), log_dir)
        if self.pool is not None and (key != self._pool_key or getattr(self.pool, "_broken", False)):
            self.stop_pool()
        if self.pool is None:
            self.pool = ProcessPoolExecutor(
                max_workers=size,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(env, log_dir, os.getpid()),
            )
            self._pool_key = key
        return self.pool

    def stop_pool(self) -> None:
        """Stop the worker processes now (their running notebooks are abandoned)."""
        pool, self.pool, self._pool_key = self.pool, None, None
        if pool is not None:
            _stop_pool(pool)

    def restart(self) -> None:
        """Stop the fork server and the workers; the next `run` starts new ones (with the code as it is now)."""
        self.stop_pool()
        server, self.server = self.server, None
        if server is not None:
            server.stop()

    def close(self) -> None:
        """Stop everything and remove the private folder."""
        self.restart()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Shut `pool` down without waiting for its running tasks: its processes are terminated (killed
    after 5 s); their kernels end with them (see `_exit_with`)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join(1)


_session: WarmSession | None = None


@contextmanager
def warm_session() -> Iterator[WarmSession]:
    """Within the block, every `run` of this process shares one fork server and one worker pool
    (see `WarmSession`); both are stopped when the block ends, however it ends."""
    global _session
    if _session is not None:
        raise RuntimeError("warm_session() is already open")
    session = WarmSession()
    _session = session
    try:
        yield session
    finally:
        _session = None
        session.close()


def run(
    tasks: Iterable[Task],
    workers: int,
    env: dict[str, str],
    log_dir: str | os.PathLike,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> dict[str, Outcome]:
    """Execute `tasks` in a pool of processes and return their outcomes by task id.

    `workers` is the number of cores to use (`pool_size` notebooks run at once). `env` is added to
    the workers' environment (and so their kernels'); their output goes to `log_dir/worker-<pid>.log`
    (the fork server's and its kernels' to `log_dir/fork-server.log`). `on_outcome` is called in this
    process as each task ends. Should a worker process itself die, its task and those still waiting
    fail with a message (finished ones keep their outcome). On a Dask cluster, the same tasks run with
    `giaoban.execution.distributed.run`.
    """
    tasks = list(tasks)
    outcomes: dict[str, Outcome] = {}
    if not tasks:
        return outcomes
    # imported when needed: it loads jupyter_client, tornado, traitlets, zmq (start-up time)
    from giaoban.execution.engine.kernels import KERNEL_DIR_ENV, private_dir

    session = _session
    Path(log_dir).mkdir(parents=True, exist_ok=True)
    folder = session.private_folder() if session is not None else private_dir()
    env = {**env, KERNEL_DIR_ENV: str(folder), "JUPYTER_RUNTIME_DIR": str(folder)}
    server = None
    size = max(pool_size(workers, t.engine) for t in tasks)
    try:
        if any(t.engine == FORK_ENGINE for t in tasks):
            warm = notebook_imports(sorted({t.notebook for t in tasks}))
            log = Path(log_dir) / "fork-server.log"
            if session is not None:
                server = session.fork_server({**os.environ, **env}, warm, log)
            else:
                server = ForkServer.start(
                    folder,
                    {**os.environ, **env},
                    warm=warm,
                    preload=["giaoban.execution.engine.warm:preload_data"],
                    log=log,
                )
            env[FORK_SOCKET_ENV] = str(server.socket_path)
        context = multiprocessing.get_context("spawn")
        # Workers are never replaced after N tasks: with `max_tasks_per_child`, Python 3.11 and 3.12 never
        # replace a worker that reached its limit while jobs wait (CPython gh-115634), and the build
        # hangs (seen at job 300 of 338 with a limit of 100). A worker grows by about 0.3 MB a notebook
        # (papermill, nbclient, jupyter_client; the kernels are new processes): ~150 MB for 500 notebooks.
        if session is not None:  # kept for the next run: as many workers as the cores allow
            pool = session.worker_pool(max(1, size), env, str(log_dir))
        else:
            pool = ProcessPoolExecutor(
                max_workers=max(1, min(size, len(tasks))),
                mp_context=context,
                initializer=_init_worker,
                initargs=(env, str(log_dir), os.getpid()),
            )
        try:
            # the workers start while the tasks are submitted: they inherit Ctrl+C ignored, so that one
            # still starting does not print a traceback (the build process stops them, below)
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if _main_thread() else None
            try:
                pending = {pool.submit(execute_task, task): task for task in tasks}
            finally:
                if previous is not None:
                    signal.signal(signal.SIGINT, previous)
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    task = pending.pop(future)
                    try:
                        outcome = future.result()
                    except Exception as error:  # noqa: BLE001 - a dead worker fails its task only
                        outcome = Outcome(
                            task.id, False, f"tiến trình thực thi dừng đột ngột ({type(error).__name__}: {error})"
                        )
                    outcomes[task.id] = outcome
                    if on_outcome is not None:
                        on_outcome(outcome)
        except BaseException:
            if session is not None:
                session.stop_pool()
            else:
                pool.shutdown(wait=False, cancel_futures=True)
                for process in list((getattr(pool, "_processes", None) or {}).values()):
                    process.terminate()  # Ctrl+C: the running notebooks stop now, not when they end
            raise
        if session is None:
            pool.shutdown(wait=True)
    finally:
        if session is None:
            if server is not None:
                server.stop()
            shutil.rmtree(folder, ignore_errors=True)
    return outcomes
