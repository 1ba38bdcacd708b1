"""Writing several files of a data folder all or nothing, even under SIGKILL or a power cut.

`giaoban accept` changes up to five files of `data/` (four tables and a source text). Renaming them
one by one, a kill between two renames would leave a report without its figures, which validates. So
`commit` works with an intent journal, `<data>/.giaoban-accept.journal`:

1. every new file is written to a temporary file beside its target (`.<name>.<id>.tmp`) and fsynced;
2. the journal, naming each rename (temporary file → target), is written and fsynced, and its folder
   too: from this moment the change is decided;
3. the renames are done, their folders fsynced, and the journal removed.

A process killed before step 2 changed nothing: its temporary files are removed by the next command
(`recover`). Killed during step 3, the journal is there: `recover`, which every `giaoban` command runs
on its data folder before anything else, does the renames whose temporary file is still there (the
others were done) and removes the journal. Either way the data are the old files or the new ones,
never a mix. Hidden files (the journal, the temporary files) are never read as data
(`giaoban.dataset.data_hash` skips them).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from giaoban.errors import GiaobanError

if TYPE_CHECKING:
    from filelock import FileLock

__all__ = ["JOURNAL", "commit", "recover", "recover_unlocked_or_skip", "data_lock", "JournalError"]

#: In the data folder: the renames a `commit` decided and has not finished.
JOURNAL = ".giaoban-accept.journal"


class JournalError(GiaobanError):
    """A journal that cannot be finished (a rename it names is refused by the file system)."""


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_synced(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(path, mode)


def commit(folder: str | os.PathLike, files: dict[Path, bytes], modes: dict[Path, int]) -> None:
    """Write `files` (target → bytes, each under `folder`) all or nothing (see the module docstring);
    `modes` gives each target's permission bits. On an error before the journal is written nothing
    changed; after it, the renames are finished here or by the next `recover`.

    Refuses (JournalError) a target outside `folder`.
    """
    base = Path(folder)
    root = base.resolve()
    token = uuid.uuid4().hex[:12]
    renames: list[tuple[Path, Path]] = []
    try:
        for target, data in files.items():
            target = Path(target)
            if root not in target.resolve().parents:
                raise JournalError(f"{target}: không nằm trong thư mục dữ liệu {base}")
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{token}.tmp")
            renames.append((tmp, target))
            _write_synced(tmp, data, modes.get(target, 0o644))
        for folder_ in {t.parent for _tmp, t in renames}:
            _fsync_dir(folder_)
        entries = [[os.path.relpath(tmp, base), os.path.relpath(target, base)] for tmp, target in renames]
        journal = base / JOURNAL
        pending = base / f"{JOURNAL}.{token}.tmp"
        _write_synced(pending, json.dumps({"renames": entries}, ensure_ascii=False).encode("utf-8"), 0o600)
        os.replace(pending, journal)
        _fsync_dir(base)
    except BaseException:
        for tmp, _target in renames:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        try:
            os.unlink(base / f"{JOURNAL}.{token}.tmp")
        except FileNotFoundError:
            pass
        raise
    _finish(base)


def _finish(base: Path) -> list[str]:
    """Do the renames of the journal of `base` whose temporary file is still there, fsync, remove the
    journal; return the targets renamed now. Refuses (JournalError) a journal naming paths outside `base`."""
    journal = base / JOURNAL
    try:
        entries = json.loads(journal.read_text(encoding="utf-8"))["renames"]
        pairs = [(base / str(tmp), base / str(target)) for tmp, target in entries]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise JournalError(f"{journal}: không đọc được nhật ký ghi dữ liệu ({type(error).__name__}: {error})") from None
    root = base.resolve()
    for tmp, target in pairs:
        for path in (tmp, target):
            if root not in path.resolve().parents:
                raise JournalError(f"{journal}: đường dẫn {path} ra ngoài thư mục dữ liệu")
    done = []
    for tmp, target in pairs:
        if tmp.exists():
            try:
                os.replace(tmp, target)
            except OSError as error:
                raise JournalError(f"{target}: không đổi tên được {tmp.name} ({error}); nhật ký {journal} giữ lại "
                                   f"để lần chạy sau làm tiếp") from None
            done.append(os.path.relpath(target, base))
    for folder in {t.parent for _tmp, t in pairs}:
        _fsync_dir(folder)
    journal.unlink()
    _fsync_dir(base)
    return done


def recover(folder: str | os.PathLike) -> list[str]:
    """Finish what a killed `commit` left in the data folder `folder`, and return notes (Vietnamese):
    a journal's renames done, the temporary files of a commit that never got to its journal removed.
    Call it with the data folder's lock held. Nothing (an empty list) in a clean folder.

    Refuses (JournalError) a journal that cannot be read or finished (kept for a later try).
    """
    base = Path(folder)
    if not base.is_dir():
        return []
    notes = []
    if (base / JOURNAL).is_file():
        done = _finish(base)
        notes.append(f"{base}: đã ghi nốt lần nhận dữ liệu bị dừng giữa chừng ({', '.join(done) or 'không còn tệp nào'})")
    left = [p for p in base.rglob(".*.tmp") if p.is_file()]
    for path in left:
        try:
            path.unlink()
        except OSError:
            continue
    if left:
        notes.append(f"{base}: đã xoá {len(left)} tệp tạm của lần nhận dữ liệu bị dừng (dữ liệu không đổi)")
    return notes


def data_lock(folder: str | os.PathLike, timeout: float = 60) -> "FileLock":
    """Return the lock of the data folder `folder` (in the temporary directory, one per resolved path),
    which `giaoban accept` holds while it reads and writes the data."""
    from filelock import FileLock

    key = hashlib.sha1(str(Path(folder).resolve()).encode("utf-8")).hexdigest()[:16]
    return FileLock(str(Path(tempfile.gettempdir()) / f"giaoban-data-{key}.lock"), timeout=timeout)


def recover_unlocked_or_skip(folder: str | os.PathLike) -> list[str]:
    """`recover(folder)` under the data folder's lock; nothing (an empty list) when another process holds
    it (an accept running, which recovers the folder itself first) or the folder does not exist."""
    from filelock import Timeout

    if not Path(folder).is_dir():
        return []
    lock = data_lock(folder)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return []
    try:
        return recover(folder)
    finally:
        lock.release()
