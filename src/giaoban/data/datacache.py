"""What a build remembers between runs so that unchanged data cost nothing: the validated data and the
fingerprints of the jobs' inputs, on disk under `_build/cache/`.

- **Validated data** (`store_checked` / `stored_checked`): `giaoban.data.dataset.load_dataset` validates a
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
- **Fingerprints** (`giaoban.data.inputs.fingerprints`, in the memo files of `read_memo` / `write_memo`): the cache key of a job hashes the very rows it reads
  (`giaoban.data.inputs.for_job(...).fingerprint()`, tens of milliseconds per job: minutes for the
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

from giaoban.hashes import package_hash
from giaoban.domain.provinces import load_provinces

__all__ = [
    "DATA_CACHE_ENV",
    "store_checked",
    "stored_checked",
    "memo_path",
    "read_memo",
    "write_memo",
    "cache_folder",
    "using",
    "flush",
    "encode_checked",
    "decode_checked",
    "DamagedEntry",
    "FileMemo",
    "file_memo",
]

#: The environment variable naming the folder of pickled validated data.
DATA_CACHE_ENV = "GIAOBAN_DATA_CACHE"
_KEEP = 3


_code_hash: str | None = None


def _code() -> str:
    """The hash of the `giaoban` package, once per process (`giaoban preview` starts itself again when
    the package changes)."""
    global _code_hash
    if _code_hash is None:
        _code_hash = package_hash()[:16]
    return _code_hash


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
    """Write what `using` and `write_memo(..., defer=True)` held back."""
    while _pending:
        path, data = _pending.pop(0)
        if path.name.startswith("file-"):
            _write_entry(path, data)
            continue
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
    """Return a validation result (`giaoban.data.validation.Checked`) as bytes: a first line
    `{"format": 1, "sha256": …}` (the digest of what follows), then JSON of the report's problems, the
    tables as read (header, missing columns, line numbers, values as text or null) and the source texts.
    The catalogue and the province registry are not stored: `decode_checked` makes them again."""
    tables = {name: _table_json(table) for name, table in checked.tables.items()}
    return _sealed(
        {
            "data_dir": str(checked.data_dir),
            "problems": _problems_json(checked.report.problems),
            "files": checked.report.files,
            "tables": tables,
            "sources": dict(checked.sources),
        }
    )


def _sealed(content: Any) -> bytes:
    """JSON of `content` behind a first line with its sha256 (see `_unsealed`)."""
    body = json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    head = json.dumps({"format": _FORMAT, "sha256": hashlib.sha256(body).hexdigest()}).encode()
    return head + b"\n" + body


def _unsealed(data: bytes) -> Any:
    """The JSON `_sealed` wrote; refuses (DamagedEntry) a digest or format that does not match."""
    head, _, body = data.partition(b"\n")
    try:
        meta = json.loads(head)
        if (
            not isinstance(meta, dict)
            or meta.get("format") != _FORMAT
            or meta.get("sha256") != hashlib.sha256(body).hexdigest()
        ):
            raise DamagedEntry("digest or format does not match")
        return json.loads(body)
    except ValueError as error:
        raise DamagedEntry(str(error)) from None


def _problems_json(problems: Iterable[Any]) -> list:
    return [[p.path, p.row, p.column, p.message, p.severity] for p in problems]


def _problems_from(raw: Any) -> list:
    # imported when needed: it loads numpy, pandas, pandera, pydantic (start-up time)
    from giaoban.data.validation.problems import Problem

    return [
        Problem(str(path), row, column, str(message), str(severity)) for path, row, column, message, severity in raw
    ]


def _table_json(table: Any) -> dict | None:
    if table is None:
        return None
    frame = table.frame
    return {
        "name": table.name,
        "shown": table.shown,
        "header": list(table.header),
        "missing": sorted(table.missing),
        "columns": [str(c) for c in frame.columns],
        "index": [int(i) for i in frame.index],
        "rows": [list(row) for row in frame.itertuples(index=False, name=None)],
    }


def _table_from(name: str, t: Any) -> Any:
    # imported when needed: it loads pandas (start-up time)
    import pandas as pd

    # imported when needed: it loads numpy, pandas, pandera, pydantic (start-up time)
    from giaoban.data.validation.reading import Table

    if t is None:
        return None
    kinds = {type(v) for row in t["rows"] for v in row}
    if not kinds <= {str, type(None)} or any(len(row) != len(t["columns"]) for row in t["rows"]):
        raise DamagedEntry(f"{name}: values that are not text")  # text or None, as the reader gives them
    if t["rows"]:
        frame = pd.DataFrame(
            t["rows"], columns=t["columns"], dtype=object, index=pd.Index(t["index"], dtype="int64", name="line")
        )
    else:
        frame = pd.DataFrame(
            {c: pd.Series([], dtype=object) for c in t["columns"]}, index=pd.Index([], dtype="int64", name="line")
        )
    return Table(name, str(t["shown"]), [str(h) for h in t["header"]], frame, {str(m) for m in t["missing"]})


class DamagedEntry(ValueError):
    """A stored validation result whose digest or contents do not check out."""


def decode_checked(data: bytes, data_dir: str | os.PathLike) -> Any:
    """Return the `Checked` that `encode_checked` wrote, its province registry read from
    `data_dir`/reference (the folder the data hash was computed from). Refuses (DamagedEntry) bytes whose digest does
    not match, another format, or contents of the wrong shape; runs no stored code (JSON only)."""
    # imported when needed: it loads numpy, pandas, pandera, pydantic (start-up time)
    from giaoban.data.validation import checks
    from giaoban.data.validation.core import Checked
    from giaoban.data.validation.problems import Report

    raw = _unsealed(data)
    try:
        report = Report(_problems_from(raw["problems"]), files=int(raw["files"]))
        tables = {str(name): _table_from(str(name), t) for name, t in raw["tables"].items()}
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
    """Return the validation result (`giaoban.data.validation.Checked`) stored for the data folder
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


def store_checked(
    digest: str, data_dir: str | os.PathLike, checked: Any, folder: str | os.PathLike | None = None
) -> None:
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


class FileMemo:
    """What validation remembers per file (`giaoban.data.validation.core.collect(memo=...)`): the table read
    and checked from a CSV, or the text read from a source file, with the problems found, by the
    sha256 of the file's bytes, its name as shown and what its cells were checked against. Kept in
    this process and, with a cache folder, on disk as sealed JSON (one entry per file: a new one
    replaces the file's earlier entry), so a build after one table or text changed reads and checks
    only that file again."""

    def __init__(self) -> None:
        self._memory: dict[tuple[str, str, str], tuple[str, Any, list]] = {}
        self._digests: dict[tuple[str, str], str] = {}

    @staticmethod
    def _slot(kind: str, path: Path, context: str) -> tuple[str, str, str]:
        return kind, str(path), hashlib.sha256(context.encode("utf-8")).hexdigest()[:32]

    @staticmethod
    def _name(slot: tuple[str, str, str], digest: str) -> tuple[str, str]:
        prefix = "file-" + hashlib.sha256("\0".join(slot).encode("utf-8")).hexdigest()[:24]
        return prefix, f"{prefix}-{digest[:32]}-{_code()}.json"

    def get(self, kind: str, path: Path, context: str) -> tuple[Any, list] | None:
        """Return (value, problems) remembered for the file at `path` as it is now, or None."""
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            return None
        slot = self._slot(kind, path, context)
        self._digests[(kind, str(path))] = digest
        known = self._memory.get(slot)
        if known is not None and known[0] == digest:
            return known[1], list(known[2])
        base = cache_folder(create=False)
        if base is None:
            return None
        entry = base / self._name(slot, digest)[1]
        try:
            if not _safe_file(entry):
                return None
            raw = _unsealed(entry.read_bytes())
            if raw["kind"] != kind or raw["shown"] != str(path):
                raise DamagedEntry("another file's entry")
            value = _table_from(path.stem, raw["value"]) if kind == "table" else raw["value"]
            if value is not None and kind == "text" and not isinstance(value, str):
                raise DamagedEntry("text is not a string")
            problems = _problems_from(raw["problems"])
        except OSError:
            return None
        except (DamagedEntry, KeyError, TypeError, ValueError):
            entry.unlink(missing_ok=True)
            return None
        self._memory[slot] = (digest, value, problems)
        return value, list(problems)

    def put(self, kind: str, path: Path, context: str, value: Any, problems: list) -> None:
        """Remember (value, problems) for the file at `path`, read just after `get` said it had none;
        nothing when the file changed in between (the result may be of either version)."""
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            return
        if self._digests.get((kind, str(path))) != digest:
            return
        slot = self._slot(kind, path, context)
        self._memory[slot] = (digest, value, list(problems))
        name = os.environ.get(DATA_CACHE_ENV)
        if not name:
            return
        prefix, file_name = self._name(slot, digest)
        data = _sealed(
            {
                "kind": kind,
                "shown": str(path),
                "problems": _problems_json(problems),
                "value": _table_json(value) if kind == "table" else value,
            }
        )
        target = Path(name) / file_name
        if _deferring:
            _pending.append((target, data))
        else:
            _write_entry(target, data)


def _write_entry(path: Path, data: bytes) -> None:
    """Write one per-file entry and remove the earlier entries of the same file."""
    if cache_folder(path.parent) is None:
        return
    prefix = path.name.split("-", 2)[:2]
    try:
        _write(path, data)
    except OSError:
        return
    for old in path.parent.glob("-".join(prefix) + "-*.json"):
        if old != path:
            old.unlink(missing_ok=True)


_memo = FileMemo()


def file_memo() -> FileMemo:
    """Return this process's `FileMemo` (its disk part is `$GIAOBAN_DATA_CACHE`, when set)."""
    return _memo


_read_memos: dict[Path, tuple[tuple[int, int], dict]] = {}  # memo files read by this process


def memo_path(folder: str | os.PathLike, name: str) -> Path:
    """Return the path of the memo file `name` in `folder`, for the code that runs now (its hash in the
    name: another version of giaoban never reads it)."""
    return Path(folder) / f"{name}-{_code()}.json"


def read_memo(path: Path) -> dict:
    """Return the memo (a JSON object) stored at `path`, or an empty one when there is none, it is
    damaged, or its folder is not a safe cache folder (`cache_folder`). Read once per process while
    the file does not change."""
    if cache_folder(path.parent, create=False) is None:
        return {}
    try:
        st = path.stat()
        seen = _read_memos.get(path)
        if seen is not None and seen[0] == (st.st_mtime_ns, st.st_size):
            return dict(seen[1])  # read before by this process, unchanged since
        memo = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(memo, dict):
            memo = {}
        _read_memos[path] = ((st.st_mtime_ns, st.st_size), dict(memo))
        return memo
    except (OSError, ValueError):
        return {}


def write_memo(path: Path, memo: dict, *, defer: bool = False) -> None:
    """Store `memo` at `path` (the newest three of its kind kept), now, or at `flush()` inside `using`
    or with `defer`; nothing when the folder is not a safe cache folder."""
    data = json.dumps(memo, sort_keys=True).encode()
    if _deferring or defer:
        _pending.append((path, data))
    elif cache_folder(path.parent) is not None:
        _write(path, data)
        _trim(path.parent, "fingerprints-*.json")
