"""The build's side of the fork server: starting and stopping it, and asking it for a kernel.

`ForkServer.start(...)` runs `python -m giaoban.execution.engine.forkserver` (see that module) with the
kernels' environment and returns at once: the template warms up while the first jobs are handed
out, and `request_kernel` waits for its socket. `request_kernel` returns a `ForkedKernel`, a
`subprocess.Popen` look-alike (pid, poll, wait, send_signal, kill, terminate) that the kernel
provisioner keeps as its process. A request the fork server cannot serve raises `ForkUnavailable`;
the build then runs that notebook with plain Papermill kernels.
"""

from __future__ import annotations

import ast
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterable

from giaoban.errors import GiaobanError
from giaoban.execution.processes import alive
from giaoban.execution.engine import forkserver

__all__ = [
    "ForkServer",
    "ForkUnavailable",
    "ForkedKernel",
    "request_kernel",
    "ping",
    "notebook_imports",
    "FORK_SOCKET_ENV",
]

#: The environment variable naming the fork server's socket, for the provisioner in the workers.
FORK_SOCKET_ENV = "GIAOBAN_FORK_SOCKET"


class ForkUnavailable(GiaobanError):
    """The fork server cannot give this notebook a kernel (not running, not ready, or it refused).

    `lasting` is True when asking again is useless (the server is gone, never became ready, or
    cannot serve any kernel), False when only this request was refused."""

    def __init__(self, message: str, *, lasting: bool = True) -> None:
        super().__init__(message)
        self.lasting = lasting


def _pid_file(path: str | os.PathLike) -> Path:
    return Path(f"{path}.pid")


def _connect(path: str, timeout: float) -> socket.socket:
    """Connect to the fork server at `path`, waiting (up to `timeout` s) while it warms up.

    Refuses (ForkUnavailable) when its process is gone or it is not ready in time.
    """
    deadline = time.monotonic() + timeout
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            return sock
        except (FileNotFoundError, ConnectionRefusedError):
            sock.close()
        try:
            pid = int(_pid_file(path).read_text().strip())
        except (OSError, ValueError):
            pid = None
        if pid is None or not alive(pid):
            raise ForkUnavailable(f"máy chủ fork không chạy ({path})")
        if time.monotonic() > deadline:
            raise ForkUnavailable(f"máy chủ fork chưa sẵn sàng sau {timeout:.0f} giây")
        time.sleep(0.05)


def _read_line(sock: socket.socket, buf: bytearray, timeout: float | None) -> dict | None:
    """Read one JSON line (None at EOF); `timeout` None blocks, 0 polls (raises BlockingIOError)."""
    while b"\n" not in buf:
        sock.settimeout(timeout)
        try:
            data = sock.recv(65536)
        except TimeoutError:
            raise BlockingIOError from None
        if not data:
            return None
        buf.extend(data)
    line, _, rest = bytes(buf).partition(b"\n")
    buf[:] = rest
    return json.loads(line)


def ping(path: str | os.PathLike, timeout: float = 60.0) -> dict:
    """Return the fork server's `ping` answer (pid, warmed modules, problem), waiting while it warms up.

    Refuses (ForkUnavailable) when it is not running or not ready within `timeout` seconds.
    """
    sock = _connect(str(path), timeout)
    try:
        sock.sendall(b'{"op": "ping"}\n')
        answer = _read_line(sock, bytearray(), timeout)
    finally:
        sock.close()
    if answer is None:
        raise ForkUnavailable("máy chủ fork đóng kết nối")
    return answer


class ForkedKernel:
    """A kernel process forked by the fork server, driven like a `subprocess.Popen`.

    The kernel is the server's child: its exit code arrives over the connection, and signals go
    through the server (to the kernel's process group), which knows whether it is still alive.
    Closing the connection makes the server kill the kernel.
    """

    stdin = stdout = stderr = None

    def __init__(self, sock: socket.socket, pid: int, buf: bytearray) -> None:
        self.sock, self.pid, self._buf = sock, pid, buf
        self.returncode: int | None = None
        self._lock = threading.Lock()

    def _take(self, timeout: float | None) -> None:
        with self._lock:
            if self.returncode is not None or self.sock is None:
                return
            try:
                message = _read_line(self.sock, self._buf, timeout)
            except BlockingIOError:
                return
            except OSError:
                message = None
            if message is None:  # the server went away: its kernels went with it
                self.returncode = -signal.SIGKILL
            elif "exit" in message:
                self.returncode = int(message["exit"])
            if self.returncode is not None:
                self.close()

    def poll(self) -> int | None:
        """Return the exit code, or None while the kernel runs."""
        self._take(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the kernel to end and return its exit code (raises TimeoutExpired after `timeout`)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.returncode is None:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            self._take(left if left is not None else None)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        """Send `signum` to the kernel's process group (nothing once it has ended)."""
        if self.poll() is not None:
            return
        try:
            self.sock.sendall(json.dumps({"op": "signal", "signum": int(signum)}).encode() + b"\n")
        except OSError:
            pass

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def close(self) -> None:
        """Close the connection (which makes the server kill the kernel if it still runs)."""
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def request_kernel(
    path: str | os.PathLike, argv: list[str], env: dict[str, str], cwd: str, timeout: float = 60.0
) -> ForkedKernel:
    """Ask the fork server at `path` for a kernel running `argv` (the kernel command,
    `python -m ipykernel_launcher -f FILE ...`) with environment `env` in folder `cwd`.

    Waits up to `timeout` seconds for a server that is still warming up or reloading. Refuses
    (ForkUnavailable, with the server's reason) when it is not running, not ready, or refuses.
    """
    deadline = time.monotonic() + timeout
    request = (
        json.dumps(
            {
                "op": "kernel",
                "argv": [str(a) for a in argv],
                "env": {str(k): str(v) for k, v in env.items()},
                "cwd": str(cwd),
            }
        ).encode()
        + b"\n"
    )
    while True:
        sock = _connect(str(path), max(0.0, deadline - time.monotonic()))
        buf = bytearray()
        try:
            sock.sendall(request)
            answer = _read_line(sock, buf, max(1.0, deadline - time.monotonic()))
        except (OSError, BlockingIOError, ValueError):
            answer = None
        if answer is not None and "pid" in answer:
            return ForkedKernel(sock, int(answer["pid"]), buf)
        sock.close()
        if answer is not None and answer.get("error") == "stale" and time.monotonic() < deadline:
            continue  # a new template takes over the socket: ask it
        detail = "máy chủ fork đóng kết nối" if answer is None else answer.get("detail") or answer.get("error")
        raise ForkUnavailable(str(detail), lasting=answer is None or answer.get("error") != "refused")


def notebook_imports(paths: Iterable[str | os.PathLike]) -> list[str]:
    """Return the modules the code cells of the notebooks at `paths` import, in order of first
    appearance: `import a.b` → "a.b"; `from a.b import c` → "a.b" and "?a.b.c" (a name that may be a
    module: the fork server imports it if it is one). Unreadable notebooks and cells are skipped."""
    found: dict[str, None] = {}
    for path in paths:
        try:
            cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError, AttributeError):
            continue
        for cell in cells:
            if not isinstance(cell, dict) or cell.get("cell_type") != "code":
                continue
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else str(source)
            lines = [("pass" if line.lstrip().startswith(("%", "!")) else line) for line in source.splitlines()]
            try:
                tree = ast.parse("\n".join(lines))
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    for alias in node.names:
                        found.setdefault(alias.name, None)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found.setdefault(node.module, None)
                    for alias in node.names:  # `from giaoban import charts`: maybe a module
                        if alias.name != "*":
                            found.setdefault(f"?{node.module}.{alias.name}", None)
    return list(found)


class ForkServer:
    """A running fork server (see `giaoban.execution.engine.forkserver`), owned by this process."""

    def __init__(self, socket_path: Path, process: subprocess.Popen) -> None:
        self.socket_path, self.process = socket_path, process

    @classmethod
    def start(
        cls,
        folder: str | os.PathLike,
        env: dict[str, str],
        *,
        warm: Iterable[str] = (),
        preload: Iterable[str] = (),
        log: str | os.PathLike | None = None,
    ) -> ForkServer:
        """Start a fork server whose socket is `<folder>/fork.sock` and whose kernels get `env` (the
        environment a plain kernel of the build would get; the thread limits of
        `forkserver.THREAD_VARS` are added). `warm` are modules to import, `preload` `MODULE:FUNCTION`
        calls to run before forking; its output (and its kernels') goes to `log`. Returns at once."""
        folder = Path(folder)
        path = folder / "fork.sock"
        environ = {**env, **{k: env.get(k, v) for k, v in forkserver.THREAD_VARS.items()}}
        environ.setdefault("MPLBACKEND", forkserver.MPLBACKEND)
        argv = [
            sys.executable,
            "-m",
            "giaoban.execution.engine.forkserver",
            "--socket",
            str(path),
            "--owner",
            str(os.getpid()),
        ]
        for name in warm:
            argv += ["--warm", name]
        for spec in preload:
            argv += ["--preload", spec]
        out = open(log, "ab") if log else subprocess.DEVNULL
        try:
            process = subprocess.Popen(
                argv,
                env=environ,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                cwd=str(folder),
                start_new_session=True,
            )
        finally:
            if not isinstance(out, int):
                out.close()
        _pid_file(path).write_text(f"{process.pid}\n")
        threading.Thread(target=process.wait, name="giaoban-fork-server-reaper", daemon=True).start()
        return cls(path, process)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the server (it kills the kernels it still has) and wait for it."""
        try:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            sock.connect(str(self.socket_path))
            sock.sendall(b'{"op": "shutdown"}\n')
            sock.recv(64)
            sock.close()
        except OSError:
            pass
        try:  # a template that took over after a reload is not our child: signal it by pid
            successor = int(_pid_file(self.socket_path).read_text().strip())
        except (OSError, ValueError):
            successor = self.process.pid
        if successor != self.process.pid and alive(successor):
            try:
                os.kill(successor, signal.SIGTERM)
            except OSError:
                pass
        if self.process.poll() is None:
            try:
                self.process.terminate()
            except OSError:
                pass
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for leftover in (self.socket_path, _pid_file(self.socket_path)):
            try:
                leftover.unlink()
            except FileNotFoundError:
                pass
