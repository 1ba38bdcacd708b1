"""The fork server: a warm template process that forks Jupyter kernels on request, over a UNIX socket.

    python -m giaoban.execution.engine.forkserver --socket PATH --owner PID [--warm MODULE]... [--preload MOD:FUNC]...

Starting a kernel the usual way costs a new interpreter that imports IPython, pandas, matplotlib
and `giaoban` again for every notebook (about 2 s), and each kernel then loads and validates the
data again. The template does that once: it imports the `--warm` modules, runs the `--preload`
functions (the build preloads the validated dataset, which `giaoban.data.dataset.load_dataset` caches by
content hash), then waits. For each request it forks a child that *becomes* the kernel: it starts
ipykernel's own `IPKernelApp` with the connection file and arguments the kernel manager would have
passed to `python -m ipykernel_launcher`, so the kernel code is the same; only the imports are
already done. `giaoban.execution.engine.kernels.ForkProvisioner` is the client (a jupyter_client kernel
provisioner); nothing else talks to the socket.

The hazards of forking, and what is done about each:

- threads alive before the fork are not copied and may hold locks: the template refuses to serve
  (every request is answered "unavailable", and the build falls back to plain kernels) when it has
  more than one native thread after warming; the build starts it with `OPENBLAS_NUM_THREADS=1` (and
  the OpenMP/MKL equivalents) so that numpy's OpenBLAS starts no thread pool;
- a `zmq.Context` created before the fork is unusable in the child: the template refuses to serve
  if one exists; the kernel creates its own after the fork;
- matplotlib state: the template sets `MPLBACKEND` exactly as ipykernel does before matplotlib is
  imported, never imports `pyplot` or the inline backend, and refuses to serve if matplotlib's
  rcParams changed while warming;
- random state: Python's `random` reseeds itself in a forked child; numpy's global RandomState is
  reseeded from the OS in each child, so children never share a seeded state (a fresh kernel is not
  seeded either). String hashing stays the template's (`PYTHONHASHSEED` is fixed per process);
- stdio buffers: flushed before every fork, and the child leaves with `os._exit` after running its
  exit handlers, so nothing buffered in the template is written twice;
- frozen imports after an upgrade: before each fork the template compares the size and mtime of
  every imported module file with those at warm-up; when one changed it hands the socket to a new
  template (started afresh, so it imports the new code) and exits once its own kernels are done.

Each kernel is a session leader (signals reach its process group), its `JPY_PARENT_PID` is the
template (ipykernel's parent poller ends it if the template dies), and it is killed when the client
that asked for it disconnects. The template ends when its owner process ends, or on "shutdown".

Protocol (JSON lines). Request `{"op": "kernel", "argv": [...], "env": {...}, "cwd": "..."}`, where
argv is the kernel command (`python -m ipykernel_launcher -f FILE ...`); reply `{"pid": N}` or
`{"error": "...", "detail": "..."}` (errors: "unavailable", "stale", "refused"), then on the same
connection `{"exit": CODE}` when the kernel ends. While it runs, the client may send
`{"op": "signal", "signum": N}`. Also `{"op": "ping"}` → `{"ok": true, "pid": N, "warm": [...]}`
and `{"op": "shutdown"}` → `{"ok": true}`. Only the user running the template may connect
(`SO_PEERCRED`); the socket lives in a folder only that user can enter.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys

from giaoban.execution.processes import alive

__all__ = ["main", "THREAD_VARS", "MPLBACKEND", "FORBIDDEN_WARM", "PROTOCOL"]

PROTOCOL = 1
#: Environment variables that keep numerical libraries from starting thread pools in the template.
THREAD_VARS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
#: What ipykernel sets when MPLBACKEND is unset (`IPKernelApp.init_gui_pylab`).
MPLBACKEND = "module://matplotlib_inline.backend_inline"
#: Modules the template must never import: they would fix matplotlib's backend before a kernel exists.
FORBIDDEN_WARM = ("matplotlib.pyplot", "matplotlib_inline.backend_inline", "pylab")
#: What every kernel needs, imported in any case.
BASE_WARM = (
    "ipykernel_launcher",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "IPython",
    "IPython.display",
    "IPython.core.interactiveshell",
    "IPython.core.debugger",
    "IPython.core.completerlib",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "jupyter_client.session",
    "zmq",
    "tornado.ioloop",
    "tornado.queues",
    "tornado.platform.asyncio",
    "comm",
    "sqlite3",
    "pdb",
    "pydoc",
    "http.server",
    "xmlrpc.server",
)


def _log(message: str) -> None:
    print(f"[giaoban fork server {os.getpid()}] {message}", file=sys.stderr, flush=True)


class _Template:
    """The warm template: warm-up, checks, the accept loop and the forking."""

    def __init__(self, path: str, owner: int, warm: list[str], preload: list[str]) -> None:
        self.path, self.owner, self.warm_modules, self.preloads = path, owner, warm, preload
        self.problem: str | None = None  # why this template cannot serve (answered to every request)
        self.warmed: list[str] = []
        self.snapshot: dict[str, tuple[int, int]] = {}
        self.children: dict[int, socket.socket] = {}  # kernel pid → its client connection
        self.clients: dict[socket.socket, dict] = {}  # connection → {"buf": bytes, "pid": int | None}
        self.listener: socket.socket | None = None
        self.draining = False
        self.argv = list(sys.argv)
        self.startup_env = dict(os.environ)

    # ------------------------------------------------------------------ warm-up
    def warm(self) -> None:
        # like ipykernel_launcher: the folder the template was started from is not on sys.path
        if sys.path and (sys.path[0] == "" or os.path.abspath(sys.path[0]) == os.getcwd()):
            del sys.path[0]
        os.environ.setdefault("MPLBACKEND", MPLBACKEND)
        # imported in the template process when it warms up, not by its clients
        import importlib
        import importlib.util

        rc_before = None
        for name in [*BASE_WARM, *self.warm_modules]:
            optional = name.startswith("?")  # `from a import b`: b may be a module or not
            name = name.lstrip("?")
            if name in self.warmed or any(name == f or name.startswith(f + ".") for f in FORBIDDEN_WARM):
                continue
            if optional:
                parent, _, child = name.rpartition(".")
                if parent not in sys.modules or not isinstance(
                    getattr(sys.modules[parent], child, None), (type(sys), type(None))
                ):
                    continue
                if importlib.util.find_spec(name) is None:
                    continue
            try:
                importlib.import_module(name)
            except BaseException as error:  # noqa: BLE001 - a module that does not import is left cold
                _log(f"không nạp trước được {name}: {type(error).__name__}: {error}")
                continue
            self.warmed.append(name)
            if rc_before is None and "matplotlib" in sys.modules:
                rc_before = self._rc()
        for spec in self.preloads:
            module, _, function = spec.partition(":")
            try:
                getattr(importlib.import_module(module), function)()
            except BaseException as error:  # noqa: BLE001 - the kernels will do the work themselves
                _log(f"không chạy trước được {spec}: {type(error).__name__}: {error}")
        if rc_before is None and "matplotlib" in sys.modules:
            rc_before = self._rc()
        self.problem = self._check(rc_before)
        if self.problem:
            _log(f"không phục vụ: {self.problem}")
        self.snapshot = self._modules()
        # imported in the template process when it warms up, not by its clients
        import gc

        gc.collect()
        gc.freeze()  # the children's collector never touches (and so never copies) the template's objects

    @staticmethod
    def _rc() -> dict:
        # imported in the template process when it warms up, not by its clients
        import matplotlib

        return {k: repr(v) for k, v in dict.items(matplotlib.rcParams)}

    def _check(self, rc_before: dict | None) -> str | None:
        threads = _native_threads()
        if threads > 1:
            return f"{threads} luồng đang chạy trong tiến trình mẫu (fork chỉ an toàn với một luồng)"
        zmq = sys.modules.get("zmq")
        if zmq is not None and getattr(zmq.Context, "_instance", None) is not None:
            return "đã có zmq.Context trong tiến trình mẫu"
        for name in FORBIDDEN_WARM:
            if name in sys.modules:
                return f"tiến trình mẫu đã nạp {name} (backend của matplotlib bị cố định trước khi có kernel)"
        if rc_before is not None and self._rc() != rc_before:
            return "rcParams của matplotlib đã bị đổi trong tiến trình mẫu"
        return None

    @staticmethod
    def _modules() -> dict[str, tuple[int, int]]:
        out = {}
        for module in list(sys.modules.values()):
            path = getattr(module, "__file__", None)
            if not path or path in out:
                continue
            try:
                st = os.stat(path)
            except OSError:
                continue
            out[path] = (st.st_mtime_ns, st.st_size)
        return out

    def changed_module(self) -> str | None:
        """Return the first imported module file that changed since warm-up, or None."""
        for path, seen in self.snapshot.items():
            try:
                st = os.stat(path)
            except OSError:
                return path
            if (st.st_mtime_ns, st.st_size) != seen:
                return path
        return None

    # ------------------------------------------------------------------ serving
    def serve(self) -> None:
        # imported in the template process when it warms up, not by its clients
        import selectors

        self.selector = selectors.DefaultSelector()
        self.wake_r, wake_w = os.pipe()
        os.set_blocking(self.wake_r, False)
        os.set_blocking(wake_w, False)
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, lambda *_: self._stop())
        self.selector.register(self.wake_r, selectors.EVENT_READ, "wake")
        self.owner_fd = _pidfd(self.owner)
        if self.owner_fd is not None:
            self.selector.register(self.owner_fd, selectors.EVENT_READ, "owner")
        self.listener = _bind(self.path)
        self.selector.register(self.listener, selectors.EVENT_READ, "listen")
        _log(f"sẵn sàng tại {self.path}" + (f" (không phục vụ: {self.problem})" if self.problem else ""))
        while True:
            for key, _ in self.selector.select(timeout=1.0):
                if key.data == "wake":
                    try:
                        while os.read(self.wake_r, 512):
                            pass
                    except BlockingIOError:
                        pass
                elif key.data == "owner":
                    self._stop()
                elif key.data == "listen":
                    self._accept()
                else:
                    self._read(key.fileobj)  # type: ignore[arg-type]  # registered connections are sockets
            self._reap()
            if not alive(self.owner):
                self._stop()
            if self.draining and not self.children:
                _log("tiến trình mẫu cũ đã xong các kernel của mình")
                os._exit(0)

    def _accept(self) -> None:
        # imported in the template process when it warms up, not by its clients
        import selectors

        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        if not _same_user(conn):
            conn.close()
            return
        conn.setblocking(False)
        self.clients[conn] = {"buf": b"", "pid": None}
        self.selector.register(conn, selectors.EVENT_READ, "client")

    def _read(self, conn: socket.socket) -> None:
        state = self.clients.get(conn)
        if state is None:
            return
        try:
            data = conn.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._drop(conn)
            return
        state["buf"] += data
        while b"\n" in state["buf"]:
            line, state["buf"] = state["buf"].split(b"\n", 1)
            try:
                request = json.loads(line)
                op = request.get("op")
            except (ValueError, AttributeError):
                self._send(conn, {"error": "refused", "detail": "yêu cầu không phải JSON"})
                continue
            if op == "ping":
                self._send(
                    conn,
                    {
                        "ok": True,
                        "pid": os.getpid(),
                        "protocol": PROTOCOL,
                        "warm": self.warmed,
                        "problem": self.problem,
                        "python": sys.executable,
                    },
                )
            elif op == "shutdown":
                self._send(conn, {"ok": True})
                self._stop()
            elif op == "signal":
                pid = state["pid"]
                if pid in self.children and isinstance(request.get("signum"), int):
                    _signal(pid, request["signum"])
            elif op == "kernel":
                if state["pid"] is not None:
                    self._send(conn, {"error": "refused", "detail": "một kết nối chỉ xin một kernel"})
                else:
                    self._kernel(conn, request)
            else:
                self._send(conn, {"error": "refused", "detail": f"không biết yêu cầu {op!r}"})

    def _send(self, conn: socket.socket, message: dict) -> None:
        try:
            conn.setblocking(True)
            conn.sendall(json.dumps(message).encode() + b"\n")
            conn.setblocking(False)
        except OSError:
            pass

    def _drop(self, conn: socket.socket) -> None:
        """The client went away: kill its kernel (its notebook is no longer being executed)."""
        state = self.clients.pop(conn, None)
        try:
            self.selector.unregister(conn)
        except (KeyError, ValueError):
            pass
        conn.close()
        pid = state and state["pid"]
        if pid in self.children:
            self.children[pid] = None
            _signal(pid, signal.SIGKILL)

    def _reap(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.children.pop(pid, None)
            if conn is not None:
                self._send(conn, {"exit": os.waitstatus_to_exitcode(status)})
                self._drop(conn)

    def _refusal(self, request: dict) -> dict | None:
        if self.problem:
            return {"error": "unavailable", "detail": self.problem}
        argv, env, cwd = request.get("argv"), request.get("env"), request.get("cwd")
        if not (
            isinstance(argv, list)
            and all(isinstance(a, str) for a in argv)
            and isinstance(env, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in env.items())
            and isinstance(cwd, str)
        ):
            return {"error": "refused", "detail": "yêu cầu kernel thiếu argv, env hoặc cwd"}
        if (
            len(argv) < 3
            or argv[1:3] != ["-m", "ipykernel_launcher"]
            or os.path.realpath(argv[0]) != os.path.realpath(sys.executable)
        ):
            return {
                "error": "refused",
                "detail": f"chỉ tạo được kernel ipykernel của {sys.executable}, không phải: {' '.join(argv[:3])}",
            }
        changed = self.changed_module()
        if changed:
            return {"error": "stale", "detail": f"{changed} đã thay đổi sau khi tiến trình mẫu nạp nó"}
        return None

    def _kernel(self, conn: socket.socket, request: dict) -> None:
        refusal = self._refusal(request)
        if refusal is not None:
            if refusal["error"] == "stale" and not self.draining:
                self._handover(refusal["detail"])
            self._send(conn, refusal)
            return
        sys.stdout.flush()
        sys.stderr.flush()
        # signals stay blocked across the fork: the child must not run the template's handlers
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
        try:
            pid = os.fork()
        except OSError as error:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            self._send(conn, {"error": "unavailable", "detail": f"fork lỗi: {error}"})
            return
        if pid == 0:  # the child: never returns
            _become_kernel(self, conn, request)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        self.children[pid] = conn
        self.clients[conn]["pid"] = pid
        self._send(conn, {"pid": pid})

    def _handover(self, why: str) -> None:
        """A module changed: let a new template (which imports it afresh) take the socket."""
        # imported in the template process when it warms up, not by its clients
        import subprocess

        _log(f"nạp lại: {why}")
        self.draining = True
        self.selector.unregister(self.listener)
        self.listener.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        successor = subprocess.Popen(
            [sys.executable, "-m", "giaoban.execution.engine.forkserver", *self.argv[1:]],
            env=self.startup_env,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        # clients wait for the socket while the pid file names a live template: name the successor now
        # (this one may be gone before the successor has started)
        tmp = f"{self.path}.pid.{os.getpid()}"
        with open(tmp, "w") as fh:
            fh.write(f"{successor.pid}\n")
        os.replace(tmp, f"{self.path}.pid")

    def _stop(self) -> None:
        for pid in list(self.children):
            _signal(pid, signal.SIGKILL)
        if self.listener is not None and not self.draining:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass
        os._exit(0)


def _signal(pid: int, signum: int) -> None:
    """Signal a kernel's process group (it is a session leader), or the kernel alone when it has
    not yet made its session (just forked: the signal waits, blocked, until its handlers are reset)."""
    try:
        os.killpg(pid, signum)
    except OSError:
        try:
            os.kill(pid, signum)
        except OSError:
            pass


def _native_threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:  # pragma: no cover - not Linux
        import threading  # imported when needed: only where /proc is missing

        return threading.active_count()


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _same_user(conn: socket.socket) -> bool:
    # imported in the template process when it warms up, not by its clients
    import struct

    try:
        creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except (AttributeError, OSError):  # pragma: no cover - not Linux: the folder's 0700 is the guard
        return True
    _, uid, _ = struct.unpack("3i", creds)
    return uid == os.getuid()


def _bind(path: str) -> socket.socket:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    tmp = f"{path}.{os.getpid()}"
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
    old = os.umask(0o177)
    try:
        listener.bind(tmp)
    finally:
        os.umask(old)
    listener.listen(128)
    os.replace(tmp, path)  # appears only when it accepts connections
    return listener


def _become_kernel(template: _Template, conn: socket.socket, request: dict) -> None:
    """In the forked child: drop the template's sockets and handlers, become a fresh-looking
    process with the kernel's environment, run ipykernel's IPKernelApp, and exit."""
    code = 1
    try:
        parent = os.getppid()
        os.setsid()
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        for fd in [template.wake_r, *([template.owner_fd] if template.owner_fd is not None else [])]:
            try:
                os.close(fd)
            except OSError:
                pass
        for other in [template.listener, conn, *template.clients]:
            try:
                other.close()
            except (OSError, AttributeError):
                pass
        template.selector.close()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        env = dict(request["env"])
        env["JPY_PARENT_PID"] = str(parent)
        os.environ.clear()
        os.environ.update(env)
        os.chdir(request["cwd"])
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()  # never share the template's global RandomState
        argv = request["argv"]
        import ipykernel_launcher  # noqa: F401 - what `python -m ipykernel_launcher` runs
        from ipykernel.kernelapp import IPKernelApp

        sys.argv = [ipykernel_launcher.__file__, *argv[3:]]
        app = IPKernelApp.instance(parent_handle=parent)
        app.initialize(argv[3:])
        app.start()
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:  # noqa: BLE001 - reported on the template's stderr (the build's log)
        import traceback  # imported in the template process when it fails, not by its clients

        traceback.print_exc(file=sys.__stderr__)
    finally:
        try:
            import atexit  # imported in the template's child as it exits, not by the fork server's clients

            atexit._run_exitfuncs()
            for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
                try:
                    stream.flush()
                except Exception:  # noqa: BLE001
                    pass
        finally:
            os._exit(code)


def main(argv: list[str] | None = None) -> int:
    """Run the template (see the module docstring); returns only on bad arguments."""
    # imported in the template process when it warms up, not by its clients
    import argparse

    for name, value in THREAD_VARS.items():
        os.environ.setdefault(name, value)
    parser = argparse.ArgumentParser(prog="python -m giaoban.execution.engine.forkserver")
    parser.add_argument("--socket", required=True)
    parser.add_argument("--owner", type=int, required=True, help="exit when this process ends")
    parser.add_argument("--warm", action="append", default=[], help="a module to import before forking")
    parser.add_argument("--preload", action="append", default=[], help="MODULE:FUNCTION to run before forking")
    args = parser.parse_args(argv)
    with open(f"{args.socket}.pid.{os.getpid()}", "w") as fh:
        fh.write(f"{os.getpid()}\n")
    os.replace(f"{args.socket}.pid.{os.getpid()}", f"{args.socket}.pid")
    template = _Template(args.socket, args.owner, args.warm, args.preload)
    template.warm()
    template.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
