"""Writing several files of a data folder all or nothing, even under SIGKILL or a power cut.

`giaoban accept` changes up to five files of `data/` (four tables and a source text). Renaming them
one by one, a kill between two renames would leave a report without its figures, which validates. So
`commit` works with an intent journal, `<data>/.giaoban-accept.journal`:

1. every new file is written to a temporary file beside its target (`.<name>.<id>.tmp`) and fsynced;
2. the journal, naming each rename (temporary file → target), is written and fsynced, and its folder
   too: from this moment the change is decided;
3. the renames are done, their folders fsynced, and the journal removed.

Each file being replaced is kept (a hard link, `.<name>.<id>.orig.tmp`) until the journal is removed: a
rename the file system refuses (a full disk) turns the journal into an undo journal, which puts every
file back (and a kill during the undo is undone by the next `recover`).

A process killed before step 2 changed nothing: its temporary files are removed by the next command
(`recover`). Killed during step 3, the journal is there: `recover`, which every `giaoban` command runs
on its data folder before anything else, does the renames whose temporary file is still there (the
others were done) and removes the journal. Either way the data are the old files or the new ones,
never a mix. Hidden files (the journal, the temporary files) are never read as data
(`giaoban.data.dataset.data_hash` skips them).
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


class JournalError(GiaobanError, OSError):
    """A journal that cannot be read or finished (a rename it names is refused by the file system): an
    OSError too, as the write that failed."""


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
    changed; on an error during the renames (a full disk) they are undone here (the journal turned
    into an undo journal first, so that a kill during the undo is undone by the next `recover`); a kill
    after the journal is finished by the next `recover`.

    Refuses (JournalError) a target outside `folder`; raises the error that stopped the writes.
    """
    base = Path(folder)
    root = base.resolve()
    token = uuid.uuid4().hex[:12]
    renames: list[tuple[Path, Path]] = []
    backups: list[tuple[Path, Path]] = []  # (hard link of the file as it was, target)
    try:
        for target, data in files.items():
            target = Path(target)
            if root not in target.resolve().parents:
                raise JournalError(f"{target}: không nằm trong thư mục dữ liệu {base}")
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{token}.tmp")
            renames.append((tmp, target))
            _write_synced(tmp, data, modes.get(target, 0o644))
            if target.exists():
                backup = target.with_name(f".{target.name}.{token}.orig.tmp")
                os.link(target, backup)
                backups.append((backup, target))
        for folder_ in {t.parent for _tmp, t in renames}:
            _fsync_dir(folder_)
        _write_journal(base, token, "do", renames, backups)
    except BaseException:
        for path in [tmp for tmp, _t in renames] + [b for b, _t in backups] + [base / f"{JOURNAL}.{token}.tmp"]:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        raise
    try:
        _finish(base)
    except BaseException:
        _write_journal(base, token, "undo", renames, backups)  # the change is called off
        _finish(base)
        raise


def _write_journal(
    base: Path, token: str, state: str, renames: list[tuple[Path, Path]], backups: list[tuple[Path, Path]]
) -> None:
    """Write the journal of `base` (atomically, fsynced with its folder): `state` "do" (finish the renames)
    or "undo" (put the backups back, remove the new files)."""
    rel = lambda pairs: [[os.path.relpath(a, base), os.path.relpath(b, base)] for a, b in pairs]  # noqa: E731
    pending = base / f"{JOURNAL}.{token}.tmp"
    data = {"state": state, "renames": rel(renames), "backups": rel(backups)}
    _write_synced(pending, json.dumps(data, ensure_ascii=False).encode("utf-8"), 0o600)
    os.replace(pending, base / JOURNAL)
    _fsync_dir(base)


def _finish(base: Path) -> list[str]:
    """Carry out the journal of `base`: "do" — the renames whose temporary file is still there; "undo" —
    put back each file as it was and remove the files that were new; then remove the temporary files and
    backups, fsync, remove the journal. Return the targets changed now. Refuses (JournalError) a journal
    that cannot be read or names paths outside `base`."""
    journal = base / JOURNAL
    try:
        raw = json.loads(journal.read_text(encoding="utf-8"))
        state = raw.get("state", "do")
        renames = [(base / str(a), base / str(b)) for a, b in raw["renames"]]
        backups = [(base / str(a), base / str(b)) for a, b in raw.get("backups", [])]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise JournalError(f"{journal}: không đọc được nhật ký ghi dữ liệu ({type(error).__name__}: {error})") from None
    root = base.resolve()
    for a, b in renames + backups:
        for path in (a, b):
            if root not in path.resolve().parents:
                raise JournalError(f"{journal}: đường dẫn {path} ra ngoài thư mục dữ liệu")
    done = []
    try:
        if state == "undo":
            had = {target for _b, target in backups}
            for backup, target in backups:
                if backup.exists():
                    os.replace(backup, target)
                    done.append(os.path.relpath(target, base))
            for _tmp, target in renames:
                if target not in had and target.exists():
                    target.unlink()
                    done.append(os.path.relpath(target, base))
        else:
            for tmp, target in renames:
                if tmp.exists():
                    os.replace(tmp, target)
                    done.append(os.path.relpath(target, base))
    except OSError as error:
        raise JournalError(
            f"{journal}: không ghi được dữ liệu ({error}); nhật ký giữ lại để lần chạy sau làm tiếp"
        ) from None
    for folder in {t.parent for _tmp, t in renames}:
        _fsync_dir(folder)
    for leftover in [tmp for tmp, _t in renames] + [b for b, _t in backups]:
        try:
            os.unlink(leftover)
        except FileNotFoundError:
            pass
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
        notes.append(
            f"{base}: đã ghi nốt lần nhận dữ liệu bị dừng giữa chừng ({', '.join(done) or 'không còn tệp nào'})"
        )
    left = [p for p in base.rglob(".*.tmp") if p.is_file()]
    for path in left:
        try:
            path.unlink()
        except OSError:
            continue
    if left:
        notes.append(f"{base}: đã xoá {len(left)} tệp tạm của lần nhận dữ liệu bị dừng (dữ liệu không đổi)")
    return notes


def data_lock(folder: str | os.PathLike, timeout: float = 60) -> FileLock:
    """Return the lock of the data folder `folder` (in the temporary directory, one per resolved path),
    which `giaoban accept` holds while it reads and writes the data."""
    # imported when needed: it loads filelock (start-up time)
    from filelock import FileLock

    key = hashlib.sha1(str(Path(folder).resolve()).encode("utf-8")).hexdigest()[:16]
    return FileLock(str(Path(tempfile.gettempdir()) / f"giaoban-data-{key}.lock"), timeout=timeout)


def recover_unlocked_or_skip(folder: str | os.PathLike) -> list[str]:
    """`recover(folder)` under the data folder's lock; nothing (an empty list) when another process holds
    it (an accept running, which recovers the folder itself first) or the folder does not exist."""
    # imported when needed: it loads filelock (start-up time)
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
