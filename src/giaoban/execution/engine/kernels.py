"""Kernel managers for the build: local IPC transport in a private folder, and kernels forked from a template.

`GiaobanKernelManager` is jupyter_client's `AsyncKernelManager` with `transport="ipc"`: the kernel's
five channels are UNIX sockets under a folder only the user can enter (`private_dir`, mode 0700),
next to the connection file, instead of TCP ports on 127.0.0.1 that any local user could connect
to. Both engines use it (`giaoban.execution.execute` passes it to Papermill as nbclient's
`kernel_manager_class`). `kernel_env` is added to the kernel's environment and `kernel_cwd` is its
working folder, per manager (so threads of one process can run kernels with different settings).

`ForkKernelManager` asks for the `giaoban-fork` provisioner (`ForkProvisioner`, registered under
jupyter_client's `jupyter_client.kernel_provisioners` entry point): instead of running
`python -m ipykernel_launcher`, it has the fork server (`giaoban.execution.engine.forkserver`) fork a warm
template into the kernel. Connection file, IPC sockets, kernel messages and shutdown are
jupyter_client's own; only the process comes from a fork.
"""

from __future__ import annotations

import atexit
import copy
import os
import tempfile
import uuid
from pathlib import Path
from typing import Any
import asyncio
import shutil
import time

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import Dict, Float, Unicode, default

from giaoban.execution.engine.client import FORK_SOCKET_ENV, ForkUnavailable, request_kernel
from giaoban.execution.engine.limits import KERNEL_ARGUMENT, MEMORY_ENV
from giaoban.execution.processes import alive

__all__ = [
    "GiaobanKernelManager",
    "ForkKernelManager",
    "ForkProvisioner",
    "private_dir",
    "remove_stale_dirs",
    "KERNEL_DIR_ENV",
    "PROVISIONER",
]

#: The environment variable naming the private folder of connection files and IPC sockets.
KERNEL_DIR_ENV = "GIAOBAN_KERNEL_DIR"
#: The name of the provisioner in the `jupyter_client.kernel_provisioners` entry point group.
PROVISIONER = "giaoban-fork"
#: Longest folder for IPC sockets: a UNIX socket path has at most 107 bytes, and the kernel's ends in
#: `/kernel-<uuid>-ipc-<n>`.
_MAX_DIR = 50
_process_dir: str | None = None


def private_dir(base: str | os.PathLike | None = None) -> Path:
    """Create and return a new folder only this user can enter (0700) for connection files and
    sockets, under `base` (default: the system's temporary folder; /tmp when that path is too
    long for UNIX sockets), named `giaoban-kernels-<pid>-…` after this process. The caller removes
    it; the folders of processes that are gone (a build killed before it could) are removed here
    (`remove_stale_dirs`)."""
    base = str(base or tempfile.gettempdir())
    if len(base) > _MAX_DIR - 24:
        base = "/tmp"
    remove_stale_dirs(base)
    folder = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-", dir=base))
    folder.chmod(0o700)
    return folder


_PREFIX = "giaoban-kernels-"
#: A folder of the old naming (no pid) is removed once it is this old (seconds): no batch lasts a day.
_LEGACY_AGE = 24 * 3600


def remove_stale_dirs(base: str | os.PathLike) -> list[Path]:
    """Remove the `giaoban-kernels-<pid>-…` folders of this user under `base` whose process is gone (and
    those of the older naming, without a pid, untouched for a day); return them. Refuses nothing."""
    removed: list[Path] = []
    try:
        candidates = [p for p in Path(base).iterdir() if p.name.startswith(_PREFIX)]
    except OSError:
        return removed
    for folder in candidates:
        try:
            st = folder.lstat()
        except OSError:
            continue
        if st.st_uid != os.getuid() or not folder.is_dir() or folder.is_symlink():
            continue
        owner = folder.name[len(_PREFIX) :].split("-", 1)[0]
        if owner.isdigit() and "-" in folder.name[len(_PREFIX) :]:
            stale = not alive(int(owner))
        else:
            stale = time.time() - st.st_mtime > _LEGACY_AGE
        if stale:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _remove_process_dir() -> None:
    if _process_dir is not None:
        shutil.rmtree(_process_dir, ignore_errors=True)


def _default_dir() -> str:
    global _process_dir
    folder = os.environ.get(KERNEL_DIR_ENV)
    if folder and Path(folder).is_dir():
        return folder
    if _process_dir is None or not Path(_process_dir).is_dir():
        _process_dir = str(private_dir())
        atexit.register(_remove_process_dir)
    return _process_dir


class GiaobanKernelManager(AsyncKernelManager):
    """An AsyncKernelManager over local IPC sockets in a private 0700 folder (see the module docstring)."""

    kernel_dir = Unicode(help="Private folder (0700) of the connection file and IPC sockets.").tag(config=True)
    kernel_env = Dict(help="Variables added to the kernel's environment.").tag(config=True)
    kernel_cwd = Unicode(None, allow_none=True, help="The kernel's working folder.").tag(config=True)

    @default("kernel_dir")
    def _kernel_dir_default(self) -> str:
        return _default_dir()

    @default("transport")
    def _transport_default(self) -> str:
        return "ipc"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if self.transport == "ipc":
            folder = Path(self.kernel_dir)
            if not folder.is_dir() or (folder.stat().st_mode & 0o077):
                raise PermissionError(f"{folder}: cần một thư mục riêng (0700) cho socket của kernel")
            name = f"kernel-{uuid.uuid4()}"
            if not self.connection_file:
                self.connection_file = str(folder / f"{name}.json")
            self.ip = str(folder / f"{name}-ipc")

    async def _async_pre_start_kernel(self, **kw: Any) -> Any:
        env = dict(kw.get("env") or os.environ)
        env.update({str(k): str(v) for k, v in self.kernel_env.items()})
        kw["env"] = env
        if self.kernel_cwd and "cwd" not in kw:
            kw["cwd"] = self.kernel_cwd
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        if MEMORY_ENV in env:  # the kernel limits its own memory as it starts (giaoban.execution.engine.limits)
            cmd = [*cmd, KERNEL_ARGUMENT]
        return cmd, kw


class ForkKernelManager(GiaobanKernelManager):
    """A GiaobanKernelManager whose kernels are forked from the fork server's warm template."""

    fork_socket = Unicode(help="The fork server's socket (default: $GIAOBAN_FORK_SOCKET).").tag(config=True)

    @default("fork_socket")
    def _fork_socket_default(self) -> str:
        return os.environ.get(FORK_SOCKET_ENV, "")

    @property
    def kernel_spec(self) -> Any:
        spec = super().kernel_spec
        if spec is None or spec.metadata.get("kernel_provisioner", {}).get("provisioner_name") == PROVISIONER:
            return spec
        spec = copy.copy(spec)
        spec.metadata = {**spec.metadata, "kernel_provisioner": {"provisioner_name": PROVISIONER, "config": {}}}
        self._kernel_spec = spec
        return spec


class ForkProvisioner(LocalProvisioner):
    """A kernel provisioner (`giaoban-fork`) whose kernel process is forked by the fork server.

    Everything but the launch is `LocalProvisioner`'s: the connection file and its IPC sockets,
    polling, waiting, signals (sent through the server to the kernel's process group) and clean-up.
    Refuses (ForkUnavailable) when the server is not running, not ready within `fork_timeout`
    seconds, or cannot serve this kernel command.
    """

    fork_socket = Unicode("", help="The fork server's socket (default: the kernel manager's).").tag(config=True)
    fork_timeout = Float(60.0, help="Seconds to wait for a fork server that is warming up.").tag(config=True)
    process: Any  # a `ForkedKernel` (Popen's poll/wait/send_signal), not the Popen of LocalProvisioner

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        path = self.fork_socket or getattr(self.parent, "fork_socket", "") or os.environ.get(FORK_SOCKET_ENV, "")
        if not path:
            raise ForkUnavailable("không có máy chủ fork (biến môi trường GIAOBAN_FORK_SOCKET trống)")
        env = kwargs.get("env") or dict(os.environ)
        cwd = str(kwargs.get("cwd") or os.getcwd())

        self.process = await asyncio.get_running_loop().run_in_executor(
            None, lambda: request_kernel(path, cmd, env, cwd, self.fork_timeout)
        )
        self.pid, self.pgid, self.cwd = self.process.pid, None, cwd
        return self.connection_info

    async def cleanup(self, restart: bool = False) -> None:
        if self.process is not None and self.process.poll() is not None:
            self.process.close()
        await super().cleanup(restart=restart)
