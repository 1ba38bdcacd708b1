"""The data a build's notebooks read: a copy of `data/` that the build owns, checked against its hash.

A build computes its cache keys from the data it loaded at the start (`Dataset.hash`); its kernels
read the data again, seconds or minutes later. Were they to read `data/` itself, a CSV saved (or a
review sheet accepted) in between would be executed under the key of the data before it, and the
cache would serve that page for the old data ever after. So, once it holds the build lock, the build
copies the data folder into `_build/data/<hash>/` (`take`), hashes the copy, and refuses to go on
when the copy is not the data its keys were computed from (the data changed while the build was
starting: run it again). The kernels get the copy as `$GIAOBAN_DATA` and the hash as
`$GIAOBAN_DATA_HASH`; `giaoban.data.inputs.for_job` fails a job whose data do not have that hash
(`check_expected`), whatever happened to the copy.

A copy is a few megabytes (the national data: ~3 MB) and is kept for the next build with the same
data, which only checks its hash; copies of other data are removed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from giaoban.errors import GiaobanError, InputError

__all__ = ["FOLDER", "HASH_ENV", "DataChanged", "take", "check_expected"]

#: Under the build folder: one copy of the data per data hash (the latest only).
FOLDER = "data"
#: The data hash a build's kernels must read (set beside `$GIAOBAN_DATA`).
HASH_ENV = "GIAOBAN_DATA_HASH"


class DataChanged(GiaobanError):
    """The data changed between the moment the build computed its keys and the copy its kernels read."""


def _copy_tree(source: Path, target: Path) -> None:
    """Copy the files of `source` into `target` (a new folder), leaving hidden files out, as `data_hash` does;
    a symbolic link is copied as the file it names."""
    for folder, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        here = Path(folder)
        out = target / here.relative_to(source)
        out.mkdir(parents=True, exist_ok=True)
        for name in sorted(files):
            if not name.startswith("."):
                shutil.copyfile(here / name, out / name)


def take(data_dir: str | os.PathLike, build_dir: str | os.PathLike, digest: str) -> Path:
    """Return a folder under `<build_dir>/data/` holding exactly the data of hash `digest` (`data_hash`),
    copied from `data_dir` now unless a copy of that hash is already there; remove the copies of other data.

    Refuses (DataChanged) when the files of `data_dir` no longer have the hash `digest`.
    """
    # imported when needed: it loads numpy, pandas, pandera, pydantic (start-up time)
    from giaoban.data.dataset import data_hash

    base = Path(build_dir) / FOLDER
    target = base / digest[:32]
    if target.is_dir():
        try:
            if data_hash(target) == digest:
                _remove_others(base, target)
                return target
        except (OSError, InputError):
            pass
        shutil.rmtree(target, ignore_errors=True)
    base.mkdir(parents=True, exist_ok=True)
    tmp = base / f".{digest[:32]}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        _copy_tree(Path(data_dir), tmp)
        copied = data_hash(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if copied != digest:
        shutil.rmtree(tmp, ignore_errors=True)
        raise DataChanged(
            f"{data_dir}: dữ liệu vừa thay đổi trong lúc bắt đầu dựng (mã băm {copied[:12]}…, "
            f"khác {digest[:12]}… của dữ liệu đã kiểm tra); không dựng gì: chạy lại khi dữ liệu "
            f"đã lưu xong"
        )
    os.replace(tmp, target)
    _remove_others(base, target)
    return target


def _remove_others(base: Path, keep: Path) -> None:
    for other in base.iterdir():
        if other != keep and other.is_dir():
            shutil.rmtree(other, ignore_errors=True)


def check_expected(digest: str) -> None:
    """Refuse (InputError) data of hash `digest` when `$GIAOBAN_DATA_HASH` names another hash: the job
    would show data other than those its cache key was computed from. Nothing when the variable is unset."""
    expected = os.environ.get(HASH_ENV, "").strip()
    if expected and digest != expected:
        raise InputError(
            f"dữ liệu sổ tay đọc (mã băm {digest[:12]}…) không phải dữ liệu lần dựng đã tính khoá "
            f"(mã băm {expected[:12]}…): dữ liệu đã đổi trong lúc dựng; dựng lại"
        )
