"""Beyond one machine: the jobs of a build on an existing Dask cluster (`giaoban build --scheduler tcp://HOST:PORT`).

The build host does everything but executing: it validates the data, expands the jobs, keys them,
restores the cached ones, and at the end writes the executed notebooks, the cache entries and the
manifest, then renders. Only the executions go to the cluster, one Dask task per job:

- the task carries the notebook's bytes, the parameters, the timeout and the engine; the data
  folder (`$GIAOBAN_DATA` of the build) travels once per worker as a tar archive, unpacked in
  the worker's scratch folder and reused while its hash is the same;
- on the worker, `giaoban.execution.execute.execute_task` runs it exactly as a local worker would (with the
  `giaoban-fork` engine a fork server per worker and data version, started on first use and ended
  with the worker; kernels over IPC sockets in a private folder of the worker's machine);
- the executed notebook comes back as bytes with the `Outcome`, and the build host writes it.

Workers must run the same code: before submitting, every worker is asked for the hash of its
`giaoban` package and its Python version (`worker_environment`), and a cluster that differs from
the build host is refused (its notebooks would be cached under this host's keys). A worker lost in
the middle of a batch costs only the jobs it was running: the scheduler gives them to another
worker (Dask's `distributed.scheduler.allowed-failures`, 3 by default, bounds how often a job may
take a worker down with it before it is reported as failed).
"""

from __future__ import annotations

import hashlib
import io
import os
import platform
import tarfile
import tempfile
import threading
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable
import importlib.metadata

from giaoban.errors import GiaobanError
from giaoban.execution.execute import FORK_ENGINE, Outcome, Task, execute_task, prepare_kernel
from giaoban.files import write_bytes
from giaoban.execution.engine.client import ForkServer, notebook_imports

__all__ = ["run", "worker_environment", "execute_remote", "pack_data", "SchedulerError"]

#: Variables of the build's kernel environment that name places on the build host, not the worker.
_HOST_ONLY = ("JUPYTER_PATH", "GIAOBAN_DATA", "GIAOBAN_KERNEL_DIR", "GIAOBAN_FORK_SOCKET", "JUPYTER_RUNTIME_DIR")


class SchedulerError(GiaobanError):
    """The Dask scheduler cannot be reached, has no workers, or its workers run other code."""


# ------------------------------------------------------------------------------ the build host


def pack_data(folder: str | os.PathLike) -> tuple[str, bytes]:
    """Return (sha256, bytes) of a gzip tar archive of the data folder (files sorted, times and
    owners zeroed: the same data give the same bytes). Hidden files are left out."""
    folder = Path(folder)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=1) as tar:
        for path in sorted(
            p
            for p in folder.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        ):
            info = tar.gettarinfo(str(path), arcname=path.relative_to(folder).as_posix())
            info.mtime, info.uid, info.gid, info.uname, info.gname, info.mode = 0, 0, 0, "", "", 0o644
            with open(path, "rb") as fh:
                tar.addfile(info, fh)
    blob = buf.getvalue()
    return hashlib.sha256(blob).hexdigest(), blob


def worker_environment() -> dict[str, str]:
    """Return what must be equal on the build host and every worker: the hash of the `giaoban`
    package, the Python version and the versions of papermill, nbclient and ipykernel."""
    # imported when called: tests replace cache.package_hash
    from giaoban.execution.cache import package_hash

    out = {"giaoban": package_hash(), "python": platform.python_version()}
    for name in ("papermill", "nbclient", "ipykernel", "jupyter_client"):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "?"
    return out


def _check_workers(client: Any) -> dict[str, str]:
    """Refuse (SchedulerError) a cluster without workers or whose workers run other code; return
    this host's `worker_environment()`."""
    mine = worker_environment()
    theirs = client.run(worker_environment)
    if not theirs:
        raise SchedulerError("cụm Dask không có worker nào")
    for address, env in sorted(theirs.items()):
        differ = sorted(k for k in mine if env.get(k) != mine[k])
        if differ:
            raise SchedulerError(
                f"worker {address} chạy mã khác máy dựng ({', '.join(differ)}): cài cùng phiên bản "
                f"giaoban và các gói trên mọi worker"
            )
    return mine


def run(
    tasks: list[Task],
    scheduler: str,
    env: dict[str, str],
    on_outcome: Callable[[Outcome], None] | None = None,
    *,
    timeout: float = 30.0,
) -> dict[str, Outcome]:
    """Execute `tasks` on the Dask cluster of `scheduler` (`tcp://HOST:PORT`); write each executed
    notebook at its task's `output` on this host; return the outcomes by task id.

    `env` is the kernels' environment of the build (`$GIAOBAN_DATA` names the data folder, which
    is shipped to the workers). `on_outcome` is called in this process as each task ends. Refuses
    (SchedulerError) a scheduler that cannot be reached within `timeout` seconds, a cluster without
    workers and workers whose code differs from this host's. A job whose worker died more often than
    Dask allows, or that raised on the worker, fails with a message; the others are not affected.
    """
    # imported when needed: it loads distributed (start-up time)
    from distributed import Client, as_completed

    # imported when needed: it loads numpy, pandas, pandera, pydantic (start-up time)
    from giaoban.data.validation import DATA_ENV

    try:
        client = Client(scheduler, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise SchedulerError(f"không kết nối được bộ lập lịch Dask {scheduler}: {error}") from None
    outcomes: dict[str, Outcome] = {}
    try:
        expected = _check_workers(client)
        data = env.get(DATA_ENV)
        digest, blob = pack_data(data) if data else ("", b"")
        data_future = client.scatter(blob, hash=False)
        kernel_env = {k: v for k, v in env.items() if k not in _HOST_ONLY}
        batch = uuid.uuid4().hex[:8]
        futures = {}
        for i, task in enumerate(tasks):
            notebook = Path(task.notebook).read_bytes()
            key = f"giaoban-{batch}-{i}-{task.id}"
            future = client.submit(
                execute_remote,
                task,
                notebook,
                digest,
                data_future,
                kernel_env,
                expected,
                key=key,
                pure=False,
                retries=1,
            )
            futures[future] = task
        for future in as_completed(list(futures), loop=client.loop):
            task = futures[future]
            try:
                outcome, executed = future.result()
            except Exception as error:  # noqa: BLE001 - a lost job fails alone
                outcome, executed = (
                    Outcome(
                        task.id,
                        False,
                        f"cụm Dask không thực thi được ({type(error).__name__}: "
                        f"{str(error).strip().splitlines()[0] if str(error).strip() else ''})",
                    ),
                    None,
                )
            if executed is not None:
                write_bytes(task.output, executed)
            outcomes[task.id] = outcome
            if on_outcome is not None:
                on_outcome(outcome)
    finally:
        client.close()
    return outcomes


# ------------------------------------------------------------------------------ the workers

_lock = threading.Lock()
_state: dict[str, Any] = {}


def _scratch() -> Path:
    try:
        from distributed import get_worker  # imported when needed: on a Dask worker, where it is loaded already

        base = Path(get_worker().local_directory)
    except (ImportError, ValueError):
        base = Path(tempfile.gettempdir())
    folder = base / "giaoban"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _setup() -> dict[str, Any]:
    """Once per worker process: this Python's kernel spec first on JUPYTER_PATH, and a private
    0700 folder for connection files and sockets."""
    with _lock:
        if not _state:
            # imported when needed: it loads jupyter_client, tornado, traitlets, zmq (start-up time)
            from giaoban.execution.engine.kernels import KERNEL_DIR_ENV, private_dir

            scratch = _scratch()
            os.environ.update(prepare_kernel(scratch / "jupyter"))
            folder = private_dir()
            os.environ[KERNEL_DIR_ENV] = str(folder)
            _state.update(scratch=scratch, kernels=folder, data={}, servers={}, environment=worker_environment())
        return _state


def _data(state: dict[str, Any], digest: str, blob: bytes) -> str | None:
    if not digest:
        return None
    with _lock:
        folder = state["data"].get(digest)
        if folder is None:
            folder = state["scratch"] / f"data-{digest[:16]}"
            if not folder.is_dir():
                tmp = state["scratch"] / f".data-{digest[:16]}-{uuid.uuid4().hex[:6]}"
                with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
                    tar.extractall(tmp, filter="data")
                os.replace(tmp, folder)
            state["data"][digest] = folder
    return str(folder)


def _fork_server(state: dict[str, Any], digest: str, data: str | None, kernel_env: dict[str, str]) -> str:
    """The socket of this worker's fork server for the data `digest` (started on first use)."""
    # imported when needed: it loads numpy, pandas, pandera, pydantic (start-up time)
    from giaoban.data.validation import DATA_ENV

    with _lock:
        server = state["servers"].get(digest)
        if server is None or server.process.poll() is not None:
            for old in list(state["servers"].values()):  # one data version at a time
                old.stop()
            state["servers"].clear()
            folder = Path(state["kernels"]) / f"fork-{digest[:8] or 'none'}"
            folder.mkdir(mode=0o700, exist_ok=True)
            env = {**os.environ, **kernel_env, **({DATA_ENV: data} if data else {})}
            server = ForkServer.start(
                folder,
                env,
                warm=notebook_imports(sorted(state["scratch"].glob("nb-*.ipynb"))),
                preload=["giaoban.execution.engine.warm:preload_data"] if data else [],
                log=state["scratch"] / "fork-server.log",
            )
            state["servers"][digest] = server
    return str(server.socket_path)


def execute_remote(
    task: Task,
    notebook: bytes,
    digest: str,
    blob: bytes,
    kernel_env: dict[str, str],
    expected: dict[str, str] | None = None,
) -> tuple[Outcome, bytes | None]:
    """On a Dask worker: execute one task (its notebook given as bytes, the data as the archive
    `blob` of hash `digest`) with `giaoban.execution.execute.execute_task`; return its outcome and the bytes
    of its executed notebook (None when none was written). A worker whose `worker_environment()`
    is not `expected` (the build host's) fails the task without executing it."""
    # imported when needed: it loads numpy, pandas, pandera, pydantic (start-up time)
    from giaoban.data.validation import DATA_ENV

    state = _setup()
    if expected is not None and state["environment"] != expected:
        differ = sorted(k for k in expected if state["environment"].get(k) != expected[k])
        return Outcome(task.id, False, f"worker chạy mã khác máy dựng ({', '.join(differ)})"), None
    data = _data(state, digest, blob)
    scratch: Path = state["scratch"]
    source = scratch / f"nb-{hashlib.sha256(notebook).hexdigest()[:16]}.ipynb"
    if not source.is_file():
        write_bytes(source, notebook)
    output = scratch / "out" / f"{uuid.uuid4().hex}.ipynb"
    env = {**kernel_env, **({DATA_ENV: data} if data else {})}
    fork_socket = _fork_server(state, digest, data, kernel_env) if task.engine == FORK_ENGINE else ""
    local = replace(
        task, notebook=str(source), output=str(output), cwd=str(scratch), kernel_env=env, fork_socket=fork_socket
    )
    try:
        outcome = execute_task(local)
        executed = output.read_bytes() if output.is_file() else None
    finally:
        try:
            output.unlink()
        except FileNotFoundError:
            pass
    return outcome, executed
