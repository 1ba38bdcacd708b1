"""The project's paths in one place, so that no module spells a folder name twice."""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """Return the project folder: `$GIAOBAN_ROOT` if set, else the nearest parent with `_quarto.yml`.

    Falls back to the folder this package was installed from (an editable install of the repository).
    """
    env = os.environ.get("GIAOBAN_ROOT")
    if env:
        return Path(env).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "_quarto.yml").is_file() and (folder / "data").is_dir():
            return folder
    return Path(__file__).resolve().parents[2]


ROOT = project_root()
DATA = ROOT / "data"
REFERENCE = DATA / "reference"
SOURCES = DATA / "sources"
NOTEBOOKS = ROOT / "notebooks"
PARAMS = ROOT / "params"
BUILD = ROOT / "_build"
SITE = ROOT / "_site"
