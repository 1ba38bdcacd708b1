"""Limits a user can see and change: the memory one notebook may use, and how many pages one build may make.

- **Memory** (`memory:` of a params file, e.g. `memory: 2GB`): the build gives the notebook's kernel
  `$GIAOBAN_MEMORY_LIMIT` (bytes), and the kernel, as it starts (plain or forked), limits its own
  address space to it (`resource.setrlimit(RLIMIT_AS)`, `apply_memory_limit`): an allocation past it
  fails in that kernel (`MemoryError`), and the job fails with a message naming the limit; the other
  notebooks and the build go on. The address space counts the libraries the kernel has loaded
  (pandas, matplotlib, the data: about 1 GB), so a limit under 1.5 GB leaves a notebook little room.
- **Pages** (`MAX_JOBS`): a batch that expands past it is refused before anything runs, unless the
  user asks for more (`giaoban build --max-jobs N`, or `max_jobs: N` in the batch file).
"""

from __future__ import annotations

import os
import re
import resource

__all__ = [
    "MEMORY_ENV",
    "MAX_JOBS",
    "MIN_MEMORY",
    "parse_memory",
    "format_memory",
    "apply_memory_limit",
    "KERNEL_ARGUMENT",
]

#: The kernel's environment variable holding its memory limit in bytes.
MEMORY_ENV = "GIAOBAN_MEMORY_LIMIT"
#: The most pages a build makes unless asked for more.
MAX_JOBS = 5000
#: The smallest memory limit accepted (a kernel with the libraries loaded needs more than this).
MIN_MEMORY = 256 * 1024**2
#: The kernel's command-line argument that applies the limit as the kernel starts (IPython's exec_lines,
#: run before any cell, binding no name in the notebook's namespace).
KERNEL_ARGUMENT = "--IPKernelApp.exec_lines=[\"__import__('giaoban.execution.engine.limits').execution.engine.limits.apply_memory_limit()\"]"

_UNITS = {
    "": 1024**2,
    "k": 1024,
    "kb": 1024,
    "kib": 1024,
    "m": 1024**2,
    "mb": 1024**2,
    "mib": 1024**2,
    "g": 1024**3,
    "gb": 1024**3,
    "gib": 1024**3,
}


def parse_memory(text: str) -> int:
    """Return the bytes of a memory size written `2GB`, `512 MB`, `1.5 GiB` or `2048` (MB), powers of 1024.

    Refuses (ValueError, Vietnamese) another form, and a size under 256 MB."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", str(text))
    unit = match.group(2).lower() if match else ""
    if not match or unit not in _UNITS:
        raise ValueError(f"cần dung lượng bộ nhớ như 2GB hoặc 512MB, gặp {text!r}")
    size = int(float(match.group(1)) * _UNITS[unit])
    if size < MIN_MEMORY:
        raise ValueError(f"{text!r} quá nhỏ: cần ít nhất {MIN_MEMORY // 1024**2}MB")
    return size


def format_memory(size: int) -> str:
    """Return `size` bytes as a user writes it: `2GB`, `512MB`."""
    return f"{size / 1024**3:g}GB" if size >= 1024**3 else f"{size // 1024**2}MB"


def apply_memory_limit() -> None:
    """In a kernel: limit this process's address space to `$GIAOBAN_MEMORY_LIMIT` bytes (nothing when unset
    or not a number; never above the hard limit already in force)."""
    value = os.environ.get(MEMORY_ENV, "")
    if not value.isdigit():
        return

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = int(value) if hard == resource.RLIM_INFINITY else min(int(value), hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
