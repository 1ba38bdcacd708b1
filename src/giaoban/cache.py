"""The build cache: an executed notebook is reused while its job's inputs are unchanged.

Like Quarto's freeze or jupyter-cache, a job is executed again only when something it depends on
changed. Its key is the sha256 of

* the notebook file's bytes,
* the canonical JSON of its parameters,
* the fingerprint of the data it reads (`giaoban.inputs.for_job(...).fingerprint()`, the very rows
  the notebook loads),
* the environment: the hash of `requirements.lock`, the Python version, the hash of the `giaoban`
  package's files (but the renderer's templates), and the execution engine.

Entries live in `_build/cache/<key[:2]>/<key>.ipynb`; the folder is safe to delete (everything is
executed again). Only successful executions are stored: a failed job is never cached.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import giaoban
from giaoban import paths
from giaoban.files import atomic_write

__all__ = ["Cache", "canonical_json", "environment", "environment_hash", "job_key", "package_hash", "file_hash"]


def canonical_json(value: Any) -> str:
    """Return `value` as JSON with sorted keys, no spaces and UTF-8 text: equal values, equal text.

    Refuses (TypeError) values JSON cannot represent (sets, dates: give ISO strings).
    """
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def file_hash(path: str | os.PathLike) -> str:
    """Return the sha256 (hex) of a file's bytes; of the empty string when the file does not exist."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except FileNotFoundError:
        pass
    return digest.hexdigest()


def _tree_hash(folder: str | os.PathLike, skip: tuple[str, ...] = ()) -> str:
    """Return the sha256 (hex) of every file under `folder` (relative path and bytes, sorted),
    skipping `__pycache__`, hidden files and the top-level folders named in `skip`."""
    folder = Path(folder)
    digest = hashlib.sha256()
    files = sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                   and not any(part.startswith(".") for part in p.relative_to(folder).parts)
                   and p.relative_to(folder).parts[0] not in skip)
    for p in files:
        digest.update(p.relative_to(folder).as_posix().encode() + b"\0" + file_hash(p).encode() + b"\0")
    return digest.hexdigest()


def package_hash() -> str:
    """Return the hash of the `giaoban` package's files (code and data the notebooks may use), sorted by
    path; the renderer's `templates/` are left out: they change the site, not the executed notebooks."""
    return _tree_hash(Path(giaoban.__file__).parent, skip=("templates",))


def environment(root: str | os.PathLike | None = None) -> dict[str, str]:
    """Return what the environment contributes to every cache key: the hash of `requirements.lock`
    (of the project at `root`, default the project folder), the Python version, the package hash."""
    root = Path(root) if root else paths.ROOT
    return {"requirements.lock": file_hash(root / "requirements.lock"), "python": platform.python_version(),
            "giaoban": package_hash()}


@lru_cache(maxsize=8)
def _environment_hash(root: str) -> str:
    return hashlib.sha256(canonical_json(environment(root)).encode()).hexdigest()


def environment_hash(root: str | os.PathLike | None = None) -> str:
    """Return the sha256 of `environment(root)` (computed once per process and root)."""
    return _environment_hash(str(Path(root) if root else paths.ROOT))


def job_key(notebook_path: str | os.PathLike, params: Mapping[str, Any], inputs_fingerprint: str,
            environment_digest: str, engine: str = "papermill") -> str:
    """Return the cache key (sha256 hex) of a job: notebook bytes, canonical params, the fingerprint
    of the data it reads, the environment hash and the engine name.

    Refuses (FileNotFoundError) a notebook that does not exist.
    """
    if not Path(notebook_path).is_file():
        raise FileNotFoundError(notebook_path)
    parts = {"notebook": file_hash(notebook_path), "params": canonical_json(dict(params)),
             "inputs": inputs_fingerprint, "environment": environment_digest, "engine": engine}
    return hashlib.sha256(canonical_json(parts).encode()).hexdigest()


class Cache:
    """Executed notebooks by cache key, under one folder (default `_build/cache`)."""

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)

    def path(self, key: str) -> Path:
        """Return where the entry of `key` lives (whether or not it exists). Refuses a key that is not hex."""
        if not key or any(c not in "0123456789abcdef" for c in key):
            raise ValueError(f"khoá bộ nhớ đệm không hợp lệ: {key!r}")
        return self.folder / key[:2] / f"{key}.ipynb"

    def get(self, key: str) -> Path | None:
        """Return the cached executed notebook of `key`, or None."""
        path = self.path(key)
        return path if path.is_file() else None

    def put(self, key: str, executed: str | os.PathLike) -> Path:
        """Store the executed notebook `executed` under `key` (atomically, a hard link when possible);
        return its path."""
        target = self.path(key)
        _copy(executed, target)
        return target

    def restore(self, key: str, destination: str | os.PathLike) -> bool:
        """Put the entry of `key` at `destination` (atomically, a hard link when possible); return False
        when there is none."""
        source = self.get(key)
        if source is None:
            return False
        _copy(source, destination)
        return True


def _copy(source: str | os.PathLike, destination: str | os.PathLike) -> None:
    """Put the bytes of `source` at `destination`, atomically: a hard link when both are on one file
    system (no bytes copied; nothing done when `destination` is already that file, so a build with
    nothing changed touches no executed notebook), else a copy. Every writer of these files
    replaces them (`giaoban.files.atomic_write`), never writes into them, so sharing is safe."""
    src, dst = Path(source), Path(destination)
    try:
        if os.path.samefile(src, dst):
            return
    except OSError:
        pass
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        os.link(src, tmp)
        os.replace(tmp, dst)
        return
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass
    with open(source, "rb") as fh, atomic_write(destination, "wb") as out:
        shutil.copyfileobj(fh, out)
