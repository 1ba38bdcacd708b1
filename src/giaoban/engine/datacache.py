"""What a build remembers between runs so that unchanged data cost nothing: the validated data and the
fingerprints of the jobs' inputs, on disk under `_build/cache/`.

- **Validated data** (`store_checked` / `stored_checked`): `giaoban.dataset.load_dataset` validates a
  data folder (reading every table and text, schemas, cross-table checks: seconds on the national
  data) and keeps the result in memory by the data's content hash. With `$GIAOBAN_DATA_CACHE` set
  (the build sets it for itself, its fork server and its kernels) the result is also pickled into
  that folder, named by the data hash and the hash of the `giaoban` package (the code that
  validated it), so the next process with the same data and code loads it in a tenth of a second
  instead of validating again. Only a folder owned by the user and writable by no one else is
  read (a pickle runs code when loaded); the three newest entries are kept.
- **Fingerprints** (`fingerprints`): the cache key of a job hashes the very rows it reads
  (`giaoban.inputs.for_job(...).fingerprint()`, tens of milliseconds per job: minutes for the
  national batch). They are a pure function of the data (its hash), the job's notebook kind and
  parameters, the visibility and the code, so they are remembered under those, in one file per data
  hash; a build with unchanged data computes none.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

__all__ = ["DATA_CACHE_ENV", "store_checked", "stored_checked", "fingerprints", "cache_folder", "using", "flush",
           "share"]

#: The environment variable naming the folder of pickled validated data.
DATA_CACHE_ENV = "GIAOBAN_DATA_CACHE"
_KEEP = 3


def _code() -> str:
    from giaoban.cache import package_hash

    return package_hash()[:16]


def cache_folder(folder: str | os.PathLike | None = None, *, create: bool = True) -> Path | None:
    """Return the cache folder (`folder`, else `$GIAOBAN_DATA_CACHE`), created 0700 when `create`, or
    None when neither is set, it is missing, or it is not safe to use (not owned by this user, or
    writable by others)."""
    name = folder if folder is not None else os.environ.get(DATA_CACHE_ENV)
    if not name:
        return None
    path = Path(name)
    try:
        if create:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = path.stat()
    except OSError:
        return None
    if st.st_uid != os.getuid() or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None
    return path


_pending: list[tuple[Path, bytes]] = []  # writes held back until `flush` (the build writes under its lock)
_deferring = False


@contextmanager
def using(folder: str | os.PathLike) -> Iterator[None]:
    """Within the block, `$GIAOBAN_DATA_CACHE` is `folder` (unless it was already set), and what would
    be stored is held back until `flush()`: the build reads its cache before it takes the build lock
    (refusing bad params writes nothing under `_build/`) and writes it once it holds the lock."""
    global _deferring
    saved = os.environ.get(DATA_CACHE_ENV)
    if not saved:
        os.environ[DATA_CACHE_ENV] = str(folder)
    _deferring = True
    try:
        yield
    finally:
        _deferring = False
        if not saved:
            os.environ.pop(DATA_CACHE_ENV, None)


def flush() -> None:
    """Write what `using` and `fingerprints(..., defer=True)` held back."""
    while _pending:
        path, data = _pending.pop(0)
        try:
            cache_folder(path.parent)
            _write(path, data)
            _trim(path.parent, "checked-*.pickle" if path.name.startswith("checked-") else "fingerprints-*.json")
        except OSError:
            continue


def _trim(folder: Path, pattern: str) -> None:
    entries = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[_KEEP:]:
        try:
            old.unlink()
        except OSError:
            pass


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def _checked_path(base: Path, digest: str, data_dir: str) -> Path:
    where = hashlib.sha256(data_dir.encode()).hexdigest()[:8]  # messages name the folder as it was given
    return base / f"checked-{digest[:32]}-{where}-{_code()}.pickle"


def stored_checked(digest: str, data_dir: str | os.PathLike, folder: str | os.PathLike | None = None) -> Any | None:
    """Return the validation result (`giaoban.validation.Checked`) stored for the data folder
    `data_dir` (as named) with hash `digest` by this code, or None (no cache folder, no entry, or an
    unreadable one)."""
    base = cache_folder(folder, create=False)
    if base is None:
        return None
    path = _checked_path(base, digest, str(data_dir))
    try:
        st = path.stat()
        if st.st_uid != os.getuid() or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return None
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None


def store_checked(digest: str, data_dir: str | os.PathLike, checked: Any,
                  folder: str | os.PathLike | None = None) -> None:
    """Store a validation result without errors for the data folder `data_dir` with hash `digest`
    (nothing without a cache folder)."""
    name = folder if folder is not None else os.environ.get(DATA_CACHE_ENV)
    if not name:
        return
    path = _checked_path(Path(name), digest, str(data_dir))
    if path.is_file():
        return
    try:
        data = pickle.dumps(checked, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return
    if _deferring:
        _pending.append((path, data))
        return
    base = cache_folder(path.parent)
    if base is None:
        return
    try:
        _write(path, data)
    except OSError:
        return
    _trim(base, "checked-*.pickle")


def share(data_dir: str | os.PathLike, digest: str) -> None:
    """Store the validation result this process holds for `data_dir` also under its absolute path,
    the name the build gives its kernels and fork server (`$GIAOBAN_DATA`), so that they load it
    instead of validating the same data again (its warnings name the folder as the build gave it;
    the notebooks never show them)."""
    from giaoban import dataset

    folder = Path(data_dir)
    resolved = folder.resolve()
    if str(resolved) == str(folder):
        return
    checked = dataset._cache.get((str(folder), str(resolved), digest))
    if checked is not None:
        store_checked(digest, resolved, checked)


def _job_key(notebook: str, params: dict, visibility: str) -> str:
    from giaoban.cache import canonical_json

    return hashlib.sha256(canonical_json([notebook, params, visibility]).encode()).hexdigest()


def fingerprints(jobs: Iterable[Any], dataset: Any, *, public: bool, folder: str | os.PathLike | None,
                 defer: bool = False) -> dict[str, str]:
    """Return `{job.id: giaoban.inputs.for_job(job.notebook, job.params, dataset=dataset,
    public=public).fingerprint()}`, computing only those not remembered for this data hash and code
    in `folder` (then remembering them; with `defer`, at `flush()`). Without a folder, computes every one."""
    from giaoban import inputs

    jobs = list(jobs)
    base = cache_folder(folder, create=False) if folder is not None else None
    visibility = "public" if public else "all"
    memo: dict[str, str] = {}
    path = None if folder is None else Path(folder) / f"fingerprints-{dataset.hash[:32]}-{visibility}-{_code()}.json"
    if base is not None:
        try:
            memo = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(memo, dict):
                memo = {}
        except (OSError, ValueError):
            memo = {}
    out, added = {}, False
    for job in jobs:
        key = _job_key(job.notebook, dict(job.params), visibility)
        value = memo.get(key)
        if not isinstance(value, str):
            value = inputs.for_job(job.notebook, job.params, dataset=dataset, public=public).fingerprint()
            memo[key], added = value, True
        out[job.id] = value
    if path is not None and added:
        data = json.dumps(memo, sort_keys=True).encode()
        if _deferring or defer:
            _pending.append((path, data))
        elif cache_folder(path.parent) is not None:
            _write(path, data)
            _trim(path.parent, "fingerprints-*.json")
    return out
