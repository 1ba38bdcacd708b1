"""Processes of other builds and servers: whether one is still running."""

from __future__ import annotations

import os

__all__ = ["alive"]


def alive(pid: int) -> bool:
    """Return whether a process `pid` exists (one of another user counts: it exists). Refuses nothing."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
