"""Processes of other builds and servers: whether one is still running; a worker that ends with its parent."""

from __future__ import annotations

import os
import threading
import time

__all__ = ["alive", "exit_with"]


def alive(pid: int) -> bool:
    """Return whether a process `pid` exists (one of another user counts: it exists). Refuses nothing."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def exit_with(parent: int) -> None:
    """End this process as soon as the process `parent` is gone, however it ended (a SIGKILL or the OOM
    killer included): a daemon thread checks the parent every half second, then `os._exit(1)`. For the
    worker processes of a build (execution, PDF): meant as a pool's `initializer`."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="giaoban-exit-with-parent", daemon=True).start()
