"""The order the test files are handed to the xdist workers in: the slowest first.

`make test` runs `pytest -n 2 --dist loadfile --no-loadscope-reorder`: each file goes to one worker
as a whole, and a worker takes the next file when it is done. The suite ends when the last file does,
so a file that takes minutes must not be the last one handed out (xdist's default hands out the files
with the most tests first, which puts the few long tests of the real builds at the end, on one
worker, while the other waits). With `--no-loadscope-reorder` (an xdist option: not in addopts,
which `pytest -p no:xdist` reads too) xdist keeps the collection order, which this hook sets: the
files of `SLOW`, in that order, then the rest as collected. Only the order changes: every test
runs, and none depends on another having run first.
"""

from __future__ import annotations

import pytest

#: Test files (paths from the project root) that take minutes, slowest first (measured with
#: `pytest -n 2 --dist loadfile --durations=40`; they build real sites, preview them, typeset PDFs).
SLOW = (
    "tests/test_preview.py",
    "tests/test_trust_inputs.py",
    "tests/test_pdf_layout.py",
)


def _rank(item: pytest.Item) -> int:
    path = item.nodeid.split("::", 1)[0]
    return SLOW.index(path) if path in SLOW else len(SLOW)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=_rank)  # stable: within a file and among the other files, the collected order stays
