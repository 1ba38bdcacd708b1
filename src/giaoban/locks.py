"""The build folder's lock: one build at a time in a project's `_build/`, and no data written into
its `data/` while a build reads them (`giaoban accept` takes the same lock). A foundation: any stage
may import it.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

from filelock import FileLock, Timeout

from giaoban.errors import GiaobanError
from giaoban.files import write_text
from giaoban.paths import display_path

__all__ = ["BuildLocked", "build_lock", "LOCK", "OWNER"]

#: In the build folder: the lock and who holds it.
LOCK = ".build.lock"
OWNER = "build.owner.json"


class BuildLocked(GiaobanError):
    """Another build holds the build folder's lock; the message names it (pid, host, start time, command)."""


def _holder(build_dir: Path) -> str:
    """Who holds the lock, as `build.owner.json` says, in words."""
    try:
        owner = json.loads((build_dir / OWNER).read_text(encoding="utf-8"))
        return (
            f"tiến trình {int(owner['pid'])} trên máy {owner['host']}, bắt đầu lúc {owner['started']}, "
            f"lệnh “{owner['command']}”"
        )
    except (OSError, ValueError, KeyError, TypeError):
        return "chưa rõ tiến trình nào (nó vừa bắt đầu)"


@contextmanager
def build_lock(build_dir: Path) -> Iterator[None]:
    """Hold `<build_dir>/.build.lock` (writing who holds it) or refuse (BuildLocked) at once."""
    build_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(build_dir / LOCK))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise BuildLocked(
            f"{display_path(build_dir)}: một lần dựng khác đang chạy trên thư mục này: "
            f"{_holder(build_dir)}; chờ nó xong (hoặc dừng nó) rồi chạy lại"
        ) from None
    try:
        owner = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": " ".join(["giaoban", *sys.argv[1:]]) if sys.argv else "giaoban",
        }
        write_text(build_dir / OWNER, json.dumps(owner, ensure_ascii=False) + "\n")
        yield
    finally:
        try:
            (build_dir / OWNER).unlink()
        except OSError:
            pass
        lock.release()
