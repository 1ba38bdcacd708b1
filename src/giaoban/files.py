"""Writing files so that a reader never sees half of one: write to a temporary path, then rename.

A file written here gets the mode an ordinary `open()` gives (0666 less the umask: 0644 under the
usual 022), not `mkstemp`'s 0600, so that a web server serving a copied site can read every file;
`publish_modes` gives a whole folder those modes, whichever way its files were written.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator


@contextmanager
def atomic_write(
    path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8", newline: str | None = None
) -> Iterator[IO]:
    """Open a temporary file beside `path`; on success rename it over `path`, on error remove it.

    Returns the open file object. Refuses nothing itself; the folder of `path` is created if missing.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    binary = "b" in mode
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, file_mode())
        extra: dict[str, Any] = {} if binary else {"encoding": encoding, "newline": newline}
        with os.fdopen(fd, mode, **extra) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _umask() -> int:
    # the only portable way to read the umask is to set it; set it straight back
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """Return the mode of a new file under the current umask (0644 under the usual 022)."""
    return 0o666 & ~_umask()


def folder_mode() -> int:
    """Return the mode of a new folder under the current umask (0755 under the usual 022)."""
    return 0o777 & ~_umask()


def publish_modes(root: str | os.PathLike) -> int:
    """Give `root`, every folder under it and every file the modes `folder_mode()` and `file_mode()`,
    adding read permission for everyone (and search for folders) that a umask such as 077 would have
    taken away: what is published must be readable by the web server. Symbolic links are not
    followed. Returns how many modes were changed. Refuses nothing."""
    files = file_mode() | 0o444
    folders = folder_mode() | 0o555
    changed = 0
    for path in [Path(root), *Path(root).rglob("*")]:
        if path.is_symlink():
            continue
        want = folders if path.is_dir() else files
        if path.stat().st_mode & 0o7777 != want:
            path.chmod(want)
            changed += 1
    return changed


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write `text` as UTF-8 to `path` atomically (LF line endings kept as given)."""
    with atomic_write(path, "w", newline="") as fh:
        fh.write(text)


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `path` atomically."""
    with atomic_write(path, "wb") as fh:
        fh.write(data)
