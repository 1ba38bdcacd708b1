"""The build cache: an executed notebook is reused while its job's inputs are unchanged.

Like Quarto's freeze or jupyter-cache, a job is executed again only when something it depends on
changed. Its key is the sha256 of

* the notebook file's bytes,
* the canonical JSON of its parameters,
* the fingerprint of the data it reads (`giaoban.data.inputs.for_job(...).fingerprint()`, the very rows
  the notebook loads),
* the environment: the hash of `requirements.lock`, the Python version, the hash of the `giaoban`
  package's files (but the renderer's templates), the distributions installed in the environment
  that runs the build (`installed_hash`: name, version and the digest of the file list pip recorded
  for each, so a package upgraded or reinstalled in `.venv` without touching the lock file counts),
  every file of the data's `reference/` folder (`reference_hash`: the catalogue, the registries, the
  lexicon and the map boundaries `reference/geo/*.geojson`, which notebooks read beside the rows),
  and the execution engine.

Entries live in `_build/cache/<key[:2]>/<key>.ipynb`, each beside `<key>.sha256`, the digest of its
bytes recorded when it was written; the folder is safe to delete (everything is executed again). Only
successful executions are stored: a failed job is never cached. An entry is checked against its
digest each time it is restored: one that was damaged (cut short, edited, its digest missing) is
removed, said in `Cache.dropped`, and its job executed again. Entries are copies, never hard links
of the executed notebooks (a damaged entry cannot damage a page, nor the other way round).
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping
import importlib.metadata

from giaoban import paths
from giaoban.files import atomic_write, write_bytes
from giaoban.hashes import canonical_json, file_hash, package_hash

__all__ = [
    "Cache",
    "canonical_json",
    "environment",
    "environment_hash",
    "job_key",
    "package_hash",
    "file_hash",
    "installed_hash",
    "reference_hash",
    "with_reference",
]


@lru_cache(maxsize=1)
def installed_hash() -> str:
    """Return the sha256 (hex) of the distributions this Python sees (`importlib.metadata`): for each,
    the sha256 of its `METADATA` (name, version…) and of its `RECORD` (the files and their hashes pip
    wrote), sorted. Computed once per process (the metadata are hashed, not parsed: 10 ms, not 150)."""
    rows = set()
    for dist in importlib.metadata.distributions():
        parts = []
        for name in ("METADATA", "PKG-INFO", "RECORD"):
            try:
                text = dist.read_text(name)
            except OSError:
                text = None
            parts.append(hashlib.sha256((text or "").encode()).hexdigest())
        rows.add("\0".join(parts))
    return hashlib.sha256("\n".join(sorted(rows)).encode()).hexdigest()


def reference_hash(data_dir: str | os.PathLike) -> str:
    """Return the sha256 (hex) of every file of `<data_dir>/reference/` (paths and bytes; documentation
    `*.md` left out, as `giaoban.data.dataset.data_hash` does), map boundaries included. Never cached: cheap."""
    folder = Path(data_dir) / "reference"
    digest = hashlib.sha256()
    if folder.is_dir():
        for p in sorted(
            p
            for p in folder.rglob("*")
            if p.is_file()
            and p.suffix != ".md"
            and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        ):
            digest.update(p.relative_to(folder).as_posix().encode() + b"\0" + file_hash(p).encode() + b"\0")
    return digest.hexdigest()


def with_reference(environment_digest: str, data_dir: str | os.PathLike) -> str:
    """Return the environment digest of the jobs reading the data of `data_dir`: `environment_digest`
    combined with `reference_hash(data_dir)`, so that an edited reference file executes every notebook again."""
    return hashlib.sha256(f"{environment_digest}\0{reference_hash(data_dir)}".encode()).hexdigest()


def environment(root: str | os.PathLike | None = None) -> dict[str, str]:
    """Return what the environment contributes to every cache key: the hash of `requirements.lock`
    (of the project at `root`, default the project folder), the Python version, the package hash and
    the hash of the installed distributions (`installed_hash`)."""
    root = Path(root) if root else paths.ROOT
    return {
        "requirements.lock": file_hash(root / "requirements.lock"),
        "python": platform.python_version(),
        "giaoban": package_hash(),
        "packages": installed_hash(),
    }


@lru_cache(maxsize=8)
def _environment_hash(root: str) -> str:
    return hashlib.sha256(canonical_json(environment(root)).encode()).hexdigest()


def environment_hash(root: str | os.PathLike | None = None) -> str:
    """Return the sha256 of `environment(root)` (computed once per process and root)."""
    return _environment_hash(str(Path(root) if root else paths.ROOT))


def job_key(
    notebook_path: str | os.PathLike,
    params: Mapping[str, Any],
    inputs_fingerprint: str,
    environment_digest: str,
    engine: str = "papermill",
) -> str:
    """Return the cache key (sha256 hex) of a job: notebook bytes, canonical params, the fingerprint
    of the data it reads, the environment hash and the engine name.

    Refuses (FileNotFoundError) a notebook that does not exist.
    """
    if not Path(notebook_path).is_file():
        raise FileNotFoundError(notebook_path)
    parts = {
        "notebook": file_hash(notebook_path),
        "params": canonical_json(dict(params)),
        "inputs": inputs_fingerprint,
        "environment": environment_digest,
        "engine": engine,
    }
    return hashlib.sha256(canonical_json(parts).encode()).hexdigest()


class Cache:
    """Executed notebooks by cache key, under one folder (default `_build/cache`); `dropped` lists, in
    Vietnamese, the entries found damaged (and removed) by `restore`."""

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)
        self.dropped: list[str] = []

    def path(self, key: str) -> Path:
        """Return where the entry of `key` lives (whether or not it exists). Refuses a key that is not hex."""
        if not key or any(c not in "0123456789abcdef" for c in key):
            raise ValueError(f"khoá bộ nhớ đệm không hợp lệ: {key!r}")
        return self.folder / key[:2] / f"{key}.ipynb"

    def _digest_path(self, key: str) -> Path:
        return self.path(key).with_suffix(".sha256")

    def get(self, key: str) -> Path | None:
        """Return the cached executed notebook of `key` when it is whole (its bytes have the digest recorded
        when it was written), else None; a damaged entry is removed and named in `dropped`."""
        path = self.path(key)
        if not path.is_file():
            return None
        try:
            recorded = self._digest_path(key).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            recorded = ""
        if recorded and file_hash(path) == recorded:
            return path
        if recorded:
            self.dropped.append(
                f"{path.relative_to(self.folder).as_posix()}: mục bộ nhớ đệm bị hỏng (mã băm "
                f"khác lúc ghi), đã bỏ và thực thi lại"
            )
        for damaged in (path, self._digest_path(key)):
            try:
                damaged.unlink()
            except OSError:
                pass
        return None

    def put(self, key: str, executed: str | os.PathLike) -> Path:
        """Store a copy of the executed notebook `executed` under `key` (atomically), then its digest; return its path."""
        target = self.path(key)
        _copy(executed, target)
        write_bytes(self._digest_path(key), (file_hash(target) + "\n").encode("ascii"))
        return target

    def restore(self, key: str, destination: str | os.PathLike) -> bool:
        """Put a copy of the entry of `key` at `destination` (atomically; nothing when `destination` already
        has its bytes, so a build with nothing changed touches no executed notebook); return False when
        there is no whole entry (see `get`)."""
        source = self.get(key)
        if source is None:
            return False
        dst = Path(destination)
        if dst.is_file() and not _same_inode(source, dst) and file_hash(dst) == file_hash(source):
            return True
        _copy(source, dst)
        return True


def _same_inode(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _copy(source: str | os.PathLike, destination: str | os.PathLike) -> None:
    """Copy the bytes of `source` to `destination`, atomically (a temporary file renamed): never a hard
    link, so that the cache and the pages never share a file."""
    with open(source, "rb") as fh, atomic_write(destination, "wb") as out:
        shutil.copyfileobj(fh, out)
