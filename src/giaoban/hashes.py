"""Content hashes: of a file, of a folder, of the package's own code, and JSON that hashes the same for
equal values. A foundation: any stage may import it; it imports nothing of giaoban's but its root."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import giaoban

__all__ = ["canonical_json", "file_hash", "tree_hash", "package_hash"]


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


def tree_hash(folder: str | os.PathLike, skip: tuple[str, ...] = ()) -> str:
    """Return the sha256 (hex) of every file under `folder` (relative path and bytes, sorted),
    skipping `__pycache__`, hidden files and the folders named in `skip` (relative paths)."""
    folder = Path(folder)
    digest = hashlib.sha256()
    files = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and not any(p.relative_to(folder).as_posix().startswith(s + "/") for s in skip)
    )
    for p in files:
        digest.update(p.relative_to(folder).as_posix().encode() + b"\0" + file_hash(p).encode() + b"\0")
    return digest.hexdigest()


def package_hash() -> str:
    """Return the hash of the `giaoban` package's files (code and data the notebooks may use), sorted by
    path; the renderer's `templates/` are left out: they change the site, not the executed notebooks."""
    return tree_hash(Path(giaoban.__file__).parent, skip=("publish/templates",))
