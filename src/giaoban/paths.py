"""The project's paths in one place, so that no module spells a folder name twice.

A project is a folder holding `_quarto.yml` and `data/`. Which one a process works on is, in order:
the folder given to `set_root` (the command line's `--project DIR`), `$GIAOBAN_ROOT`, else the
nearest folder holding both, walking up from the current folder as git and Quarto do. A folder
named outright needs only `data/`. Outside any
project, `project_root()` raises `ProjectNotFound`: there is no fallback to the folder the package
was installed from.

`paths.ROOT`, `paths.DATA`, `paths.REFERENCE`, … are computed when read (module attributes, PEP
562), so importing a module never looks for the project and a `--project` given after the imports
still counts. `from giaoban.paths import DATA` reads the value once, at that import.
"""

from __future__ import annotations

import os
from pathlib import Path

from giaoban.errors import GiaobanError

__all__ = [
    "ROOT_ENV",
    "display_path",
    "ProjectNotFound",
    "project_root",
    "find_project",
    "is_project",
    "set_root",
    "given_root",
    "ROOT",
    "DATA",
    "REFERENCE",
    "SOURCES",
    "NOTEBOOKS",
    "PARAMS",
    "BUILD",
    "SITE",
]

#: Environment variable naming the project folder outright (the build's tests and benchmarks set it).
ROOT_ENV = "GIAOBAN_ROOT"

# Folders below the project root, by the attribute that names them.
_BELOW = {
    "ROOT": (),
    "DATA": ("data",),
    "REFERENCE": ("data", "reference"),
    "SOURCES": ("data", "sources"),
    "NOTEBOOKS": ("notebooks",),
    "PARAMS": ("params",),
    "BUILD": ("_build",),
    "SITE": ("_site",),
}

_root: Path | None = None  # set by `set_root`


class ProjectNotFound(GiaobanError):
    """No giaoban project here: neither `--project`, `$GIAOBAN_ROOT` nor a parent folder names one."""


def is_project(folder: str | os.PathLike[str]) -> bool:
    """Return True when `folder` holds `_quarto.yml` (a file) and `data/` (a folder)."""
    path = Path(folder)
    return (path / "_quarto.yml").is_file() and (path / "data").is_dir()


def find_project(start: str | os.PathLike[str] | None = None) -> Path | None:
    """Return the nearest folder holding `_quarto.yml` and `data/`, from `start` (default: the current
    folder) up to the file system's root, resolved; None when there is none."""
    here = Path.cwd() if start is None else Path(start)
    here = here.resolve()
    for folder in (here, *here.parents):
        if is_project(folder):
            return folder
    return None


def _checked(folder: str | os.PathLike[str], said_by: str) -> Path:
    """A folder named outright must exist and hold `data/` (`_quarto.yml` may be missing there: the
    renderer then uses its defaults); walking up, both marks are needed, so that no parent that merely
    has a `data/` folder is taken for a project."""
    path = Path(folder).expanduser().resolve()
    if not path.is_dir():
        raise ProjectNotFound(f"{said_by}: thư mục dự án “{folder}” không có")
    if not (path / "data").is_dir():
        raise ProjectNotFound(
            f"{said_by}: “{folder}” không phải thư mục dự án giaoban (cần có thư mục data/, thường kèm _quarto.yml)"
        )
    return path


def set_root(folder: str | os.PathLike[str] | None) -> Path | None:
    """Make `folder` the project of this process (None: find it again from `$GIAOBAN_ROOT` or the
    current folder); return it resolved. Refuses (ProjectNotFound) a folder that does not exist or
    has no `data/`."""
    global _root
    _root = None if folder is None else _checked(folder, "--project")
    return _root


def given_root() -> Path | None:
    """Return the folder given to `set_root`, or None when the project is found from the environment."""
    return _root


def project_root() -> Path:
    """Return the project folder: the one given to `set_root`, else `$GIAOBAN_ROOT`, else the nearest
    folder holding `_quarto.yml` and `data/` from the current folder up.

    Refuses (ProjectNotFound) a `$GIAOBAN_ROOT` that does not exist or has no `data/`, and a current
    folder that lies in no project.
    """
    if _root is not None:
        return _root
    env = os.environ.get(ROOT_ENV)
    if env:
        return _checked(env, f"${ROOT_ENV}")
    found = find_project()
    if found is None:
        raise ProjectNotFound(
            f"không tìm thấy dự án giaoban từ thư mục {Path.cwd()} trở lên (thư mục có "
            f"_quarto.yml và data/): chạy lệnh trong thư mục dự án, hoặc dùng --project THƯ_MỤC "
            f"hay ${ROOT_ENV}"
        )
    return found


def __getattr__(name: str) -> Path:
    """Return `ROOT`, `DATA`, `REFERENCE`, `SOURCES`, `NOTEBOOKS`, `PARAMS`, `BUILD` or `SITE` of the
    current project (see the module docstring)."""
    below = _BELOW.get(name)
    if below is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return project_root().joinpath(*below)


# For type checkers: the lazy attributes above are Paths.
ROOT: Path
DATA: Path
REFERENCE: Path
SOURCES: Path
NOTEBOOKS: Path
PARAMS: Path
BUILD: Path
SITE: Path


def display_path(path: str | Path) -> str:
    """Return `path` as messages show it: relative to the working folder when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
