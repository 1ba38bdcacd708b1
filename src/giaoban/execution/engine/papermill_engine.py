"""`giaoban-fork`: a Papermill engine whose kernels are forked from a warm template.

Registered under Papermill's `papermill.engine` entry point, so `papermill.execute_notebook(...,
engine_name="giaoban-fork")` (and `giaoban build --engine giaoban-fork`) use it. It is Papermill's
own `NBClientEngine` (parameters, cell metadata, saving after each cell, error marking, timeouts
and interrupts are Papermill's and nbclient's), with one change: its kernel manager is
`ForkKernelManager`, whose `giaoban-fork` provisioner gets the kernel process from the fork server
(`giaoban.execution.engine.forkserver`) named by `$GIAOBAN_FORK_SOCKET` instead of starting a new Python.
"""

from __future__ import annotations

from typing import Any

from papermill.engines import NBClientEngine

from giaoban.execution.engine.kernels import ForkKernelManager

__all__ = ["ForkEngine", "NAME"]

NAME = "giaoban-fork"


class ForkEngine(NBClientEngine):
    """Papermill's nbclient engine with kernels forked from the fork server (see the module docstring)."""

    @classmethod
    def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> Any:
        kwargs.setdefault("kernel_manager_class", ForkKernelManager)
        return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
