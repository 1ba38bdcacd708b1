"""Site search with Pagefind (the `pagefind[bin]` wheel): a static index under `pagefind/`.

Pagefind reads the built HTML, indexes the elements marked `data-pagefind-body` (briefing,
province, period and data pages), one index per page language, and folds diacritics: `quang ngai`
finds Quảng Ngãi. The index is loaded by the browser with fetch, which works from any static server;
from files (file://) the home page's search box falls back to `assets/search-index.js`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from giaoban.errors import RenderError

__all__ = ["index_site"]


def index_site(site: Path) -> None:
    """Write Pagefind's index into `site/pagefind/` (the same bytes for the same site).

    Refuses (RenderError) when Pagefind fails.
    """
    proc = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(site), "--silent"], capture_output=True, text=True
    )
    if proc.returncode != 0 or not (site / "pagefind" / "pagefind-ui.js").is_file():
        detail = (proc.stderr or proc.stdout).strip()
        raise RenderError(f"Pagefind không lập được chỉ mục tìm kiếm: {detail}")
    # Pagefind writes the languages of its entry file in hash-map order: sort them, so that two
    # builds of the same site are byte-identical (the index files themselves are content-named).
    entry = site / "pagefind" / "pagefind-entry.json"
    data = json.loads(entry.read_text(encoding="utf-8"))
    entry.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")), encoding="utf-8")
