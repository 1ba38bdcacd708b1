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
system is never picked instead.

The engine is a parameter (`giaoban build --engine`): `papermill` is Papermill with its default
nbclient engine; any other name is looked up among Papermill's engines, which other packages
register through the `papermill.engine` entry point, and passed to `papermill.execute_notebook`.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from giaoban.errors import GiaobanError
from giaoban.files import write_text

__all__ = ["Task", "Outcome", "EngineError", "DEFAULT_ENGINE", "KERNEL", "engines", "check_engine",
           "prepare_kernel", "execute_task", "run", "default_workers"]

DEFAULT_ENGINE = "papermill"
KERNEL = "python3"
MIN_START_TIMEOUT = 60


class EngineError(GiaobanError):
    """An execution engine that is not installed."""


@dataclass(frozen=True)
class Task:
    """What a worker needs to execute one job (picklable): notebook, output path, parameters,
    timeout in seconds, working folder and engine name."""

    id: str
    notebook: str
    output: str
    params: dict[str, Any]
    timeout: int
    cwd: str
    engine: str = DEFAULT_ENGINE


@dataclass(frozen=True)
class Outcome:
    """How a task ended: `ok`, the Vietnamese `error` (None when ok) and the seconds it took."""

    id: str
    ok: bool
    error: str | None = None
    seconds: float = 0.0


def default_workers() -> int:
    """Return the number of CPU cores this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def engines() -> list[str]:
    """Return the engine names `run` accepts: `papermill` and every engine registered with Papermill."""
    from papermill.engines import papermill_engines

    return sorted({DEFAULT_ENGINE, *(name for name in papermill_engines._engines if name)})


def check_engine(name: str) -> None:
    """Refuse (EngineError, Vietnamese) an engine name that is neither `papermill` nor a Papermill engine."""
    if name not in engines():
        raise EngineError(f"không có bộ máy thực thi '{name}': cần một trong {', '.join(engines())} "
                          f"(bộ máy khác được cài qua điểm cắm 'papermill.engine')")


def prepare_kernel(folder: str | os.PathLike) -> dict[str, str]:
    """Write a `python3` kernel spec running this interpreter (`sys.executable`) under `folder`
    (`<folder>/kernels/python3/kernel.json`) and return the environment variables that make the
    workers' kernels use it first."""
    folder = Path(folder)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (giaoban)", "language": "python", "metadata": {"debugger": False}}
    write_text(folder / "kernels" / KERNEL / "kernel.json", json.dumps(spec, indent=1) + "\n")
    paths = [str(folder.resolve()), *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
    return {"JUPYTER_PATH": os.pathsep.join(paths), "PYDEVD_DISABLE_FILE_VALIDATION": "1"}


def _describe(error: BaseException, timeout: int) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(error, PapermillExecutionError):
        cell = f"ô [{error.exec_count}]" if error.exec_count else f"ô thứ {error.cell_index}"
        if error.ename in ("KeyboardInterrupt", _TIMEOUT):
            return f"quá thời gian: {cell} chạy quá {timeout} giây nên đã bị dừng"
        value = str(error.evalue).strip().splitlines()
        return f"{cell} lỗi {error.ename}: {value[0] if value else ''}".rstrip(": ")
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".rstrip(": ")


_TIMEOUT = "TimeoutError"


def _mark_stopped_cell(task: Task, error: BaseException) -> BaseException:
    """When a kernel ignored the interrupt or died, Papermill leaves the cell that was running marked
    as completed: mark it failed, with the error as its output, and let Papermill add its error
    banner. Return the resulting PapermillExecutionError, or `error` when no cell had started."""
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
    cell.setdefault("outputs", []).append(nbformat.v4.new_output("error", ename=ename, evalue=evalue,
                                                                  traceback=[f"{ename}: {evalue}"]))
    cell.metadata.papermill.update(status="failed", exception=True)
    for later in nb.cells[index + 1:]:
        if later.get("metadata", {}).get("papermill"):
            later.metadata.papermill["status"] = "pending"
    nb.metadata.setdefault("papermill", {})["exception"] = True
    try:
        raise_for_execution_errors(nb, task.output)  # writes the notebook with Papermill's error banner
    except PapermillExecutionError as marked:
        return marked
    return error


def execute_task(task: Task) -> Outcome:
    """Execute one task with its engine (in a worker process) and return its `Outcome`.

    Never raises for a failing notebook: the failure is the outcome, and the executed notebook saved
    at `task.output` has its failing cell marked by Papermill (also when the cell ran past the
    timeout, or its kernel ignored the interrupt or died).
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    started = time.monotonic()
    try:
        Path(task.output).parent.mkdir(parents=True, exist_ok=True)
        papermill.execute_notebook(
            task.notebook, task.output, parameters=dict(task.params),
            engine_name=None if task.engine == DEFAULT_ENGINE else task.engine,
            kernel_name=KERNEL, language="python", progress_bar=False, log_output=False,
            cwd=task.cwd, start_timeout=max(task.timeout, MIN_START_TIMEOUT), execution_timeout=task.timeout,
            # past the timeout: interrupt the cell and fail at once (without waiting for its reply)
            interrupt_on_timeout=True, error_on_timeout={"ename": _TIMEOUT, "evalue": f"quá {task.timeout} giây",
                                                         "traceback": []},
            shutdown_kernel="immediate",
        )
    except Exception as error:  # noqa: BLE001 - every failure of a job is reported, none stops the batch
        if not isinstance(error, PapermillExecutionError):
            error = _mark_stopped_cell(task, error)
        return Outcome(task.id, False, _describe(error, task.timeout), time.monotonic() - started)
    return Outcome(task.id, True, None, time.monotonic() - started)


def _init_worker(env: dict[str, str], log_dir: str) -> None:
    """Set the workers' environment and send their output (and their kernels') to a log file."""
    os.environ.update(env)
    Path(log_dir).mkdir(parents=True, exist_ok=True)
    log = os.open(Path(log_dir) / f"worker-{os.getpid()}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, force=True)


def run(tasks: Iterable[Task], workers: int, env: dict[str, str], log_dir: str | os.PathLike,
        on_outcome: Callable[[Outcome], None] | None = None) -> dict[str, Outcome]:
    """Execute `tasks` in a pool of `workers` processes and return their outcomes by task id.

    `env` is added to the workers' environment (and so their kernels'); their output goes to
    `log_dir/worker-<pid>.log`. `on_outcome` is called in this process as each task ends. Should a
    worker process itself die, its task and those still waiting fail with a message (finished ones
    keep their outcome).
    """
    tasks = list(tasks)
    outcomes: dict[str, Outcome] = {}
    if not tasks:
        return outcomes
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=max(1, min(workers, len(tasks))), mp_context=context,
                               initializer=_init_worker, initargs=(env, str(log_dir)))
    try:
        pending = {pool.submit(execute_task, task): task for task in tasks}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                task = pending.pop(future)
                try:
                    outcome = future.result()
                except Exception as error:  # noqa: BLE001 - a dead worker fails its task only
                    outcome = Outcome(task.id, False, f"tiến trình thực thi dừng đột ngột ({type(error).__name__}: "
                                                      f"{error})")
                outcomes[task.id] = outcome
                if on_outcome is not None:
                    on_outcome(outcome)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return outcomes
