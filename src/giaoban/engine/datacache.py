"""What a build remembers between runs so that unchanged data cost nothing: the validated data and the
fingerprints of the jobs' inputs, on disk under `_build/cache/`.

- **Validated data** (`store_checked` / `stored_checked`): `giaoban.dataset.load_dataset` validates a
  data folder (reading every table and text, schemas, cross-table checks: seconds on the national
  data) and keeps the result in memory by the data's content hash. With `$GIAOBAN_DATA_CACHE` set
  (the build sets it for itself, its fork server and its kernels) the result is also written into
  that folder, named by the data hash and the hash of the `giaoban` package (the code that
  validated it), so the next process with the same data and code loads it instead of validating
  again. The entry is **data only, never code**: JSON (the tables as the text the validator read,
  with their line numbers, the problems, the source texts), behind a first line that records the
  sha256 of the rest; reading one checks that digest, then parses JSON, and rebuilds the catalogue
  and the province registry with the project's own code (`checks.catalogue_rows`, `load_provinces`).
  So an entry another process rewrote can at worst hold wrong text for that data hash, which it
  could as well have written into data/; a damaged one (truncated, edited) is dropped and the data
  validated again. Only a folder owned by the user and writable by no one else is read; the three
  newest entries are kept.
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
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

__all__ = ["DATA_CACHE_ENV", "store_checked", "stored_checked", "fingerprints", "cache_folder", "using", "flush",
           "share", "encode_checked", "decode_checked", "DamagedEntry"]

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
            _trim(path.parent, "checked-*.json" if path.name.startswith("checked-") else "fingerprints-*.json")
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


_FORMAT = 1


def _checked_path(base: Path, digest: str, data_dir: str) -> Path:
    where = hashlib.sha256(data_dir.encode()).hexdigest()[:8]  # messages name the folder as it was given
    return base / f"checked-{digest[:32]}-{where}-{_code()}.json"


def encode_checked(checked: Any) -> bytes:
    """Return a validation result (`giaoban.validation.Checked`) as bytes: a first line
    `{"format": 1, "sha256": …}` (the digest of what follows), then JSON of the report's problems, the
    tables as read (header, missing columns, line numbers, values as text or null) and the source texts.
    The catalogue and the province registry are not stored: `decode_checked` makes them again."""
    tables = {}
    for name, table in checked.tables.items():
        if table is None:
            tables[name] = None
            continue
        frame = table.frame
        tables[name] = {"shown": table.shown, "header": list(table.header), "missing": sorted(table.missing),
                        "columns": [str(c) for c in frame.columns], "index": [int(i) for i in frame.index],
                        "rows": [list(row) for row in frame.itertuples(index=False, name=None)]}
    body = json.dumps({"data_dir": str(checked.data_dir),
                       "problems": [[p.path, p.row, p.column, p.message, p.severity] for p in checked.report.problems],
                       "files": checked.report.files, "tables": tables, "sources": dict(checked.sources)},
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    head = json.dumps({"format": _FORMAT, "sha256": hashlib.sha256(body).hexdigest()}).encode()
    return head + b"\n" + body


class DamagedEntry(ValueError):
    """A stored validation result whose digest or contents do not check out."""


def decode_checked(data: bytes, data_dir: str | os.PathLike) -> Any:
    """Return the `Checked` that `encode_checked` wrote, its province registry read from
    `data_dir`/reference (the folder the data hash was computed from). Refuses (DamagedEntry) bytes whose digest does
    not match, another format, or contents of the wrong shape; runs no stored code (JSON only)."""
    import pandas as pd

    from giaoban.provinces import load_provinces
    from giaoban.validation import checks
    from giaoban.validation.core import Checked
    from giaoban.validation.problems import Problem, Report
    from giaoban.validation.reading import Table

    head, _, body = data.partition(b"\n")
    try:
        meta = json.loads(head)
        if meta.get("format") != _FORMAT or meta.get("sha256") != hashlib.sha256(body).hexdigest():
            raise DamagedEntry("digest or format does not match")
        raw = json.loads(body)
        report = Report([Problem(str(path), row, column, str(message), str(severity))
                         for path, row, column, message, severity in raw["problems"]], files=int(raw["files"]))
        tables: dict[str, Any] = {}
        for name, t in raw["tables"].items():
            if t is None:
                tables[name] = None
                continue
            frame = pd.DataFrame(t["rows"], columns=t["columns"], dtype=object,
                                 index=pd.Index(t["index"], dtype="int64", name="line"))
            if not t["rows"]:
                frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in t["columns"]},
                                     index=pd.Index([], dtype="int64", name="line"))
            tables[name] = Table(name, str(t["shown"]), list(t["header"]), frame, set(t["missing"]))
        sources = {str(k): str(v) for k, v in raw["sources"].items()}
        named = Path(raw["data_dir"])
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise DamagedEntry(str(error)) from None
    catalogue = checks.catalogue_rows(tables.get("areas"), tables.get("indicators"), [])
    provinces = load_provinces(Path(data_dir) / "reference")
    return Checked(named, report, tables, catalogue, provinces, sources)


def _safe_file(path: Path) -> bool:
    st = path.stat()
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def stored_checked(digest: str, data_dir: str | os.PathLike, folder: str | os.PathLike | None = None) -> Any | None:
    """Return the validation result (`giaoban.validation.Checked`) stored for the data folder
    `data_dir` (as named) with hash `digest` by this code, or None (no cache folder, no entry, an
    entry others may write, or a damaged one: then it is removed)."""
    base = cache_folder(folder, create=False)
    if base is None:
        return None
    path = _checked_path(base, digest, str(data_dir))
    try:
        if not _safe_file(path):
            return None
        data = path.read_bytes()
    except OSError:
        return None
    try:
        return decode_checked(data, data_dir)
    except DamagedEntry:
        path.unlink(missing_ok=True)
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
    data = encode_checked(checked)
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
    _trim(base, "checked-*.json")


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
