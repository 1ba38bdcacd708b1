"""The site as a Quarto project: `_build/site/`, rendered by `quarto render _build/site`.

Quarto does not render files under a folder whose name starts with `_` (nor `.`), and the executed
notebooks live in `_build/executed/`. So the build *stages* a Quarto project folder, by default
`_build/site/`:

- `_quarto.yml`: the project's one configuration, copied byte for byte;
- the executed notebooks at their page paths (`briefings/2021-H1/51-quang-ngai.ipynb`), each with
  a first raw cell of YAML front matter (title, lang), cells tagged `remove-cell` dropped and outputs
  of `remove-output` cleared, and a last raw HTML cell with what the page adds (its briefings, its
  sources); Quarto does not execute them again (`execute: enabled: false`);
- the generated pages as `.qmd` (home, listings, data, provinces and periods without a notebook),
  whose body is the same HTML fragment the built-in renderer writes, in a raw ```{=html} block;
- `assets/` (stylesheet, search script and offline search index) and `data/*.csv`.

`quarto render _build/site` writes `_build/site/_site/`; `giaoban build --renderer quarto` runs
`quarto render _build/site --output-dir <temporary>` and then adds what Quarto cannot make (the
period books, the Pagefind index) before swapping the result into `_site/`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
import hashlib
import json

import nbformat
import yaml

from giaoban.publish.site import TEMPLATES, Site, SitePage
from giaoban.publish.data import download_files
from giaoban.publish.notebook import RenderError

__all__ = ["stage_quarto_project", "run_quarto", "STAGED_ASSETS"]

#: The files of `assets/` every site has (both renderers).
STAGED_ASSETS = ("giaoban.css", "search.js")


def _front_matter(page: SitePage, *, html_only: bool) -> str:
    meta: dict = {"title": page.title}
    if page.lang != "vi":
        meta["lang"] = page.lang
    if html_only:
        meta["format"] = "html"
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n"


def _raw_html(fragment: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", fragment)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{{=html}}\n{fragment}\n{fence}\n"


def _stage_notebook(site: Site, page: SitePage, source: Path, target: Path) -> None:
    nb = nbformat.read(str(source), as_version=4)
    cells = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if "remove-cell" in tags:
            continue
        if cell.cell_type == "code" and "remove-output" in tags:
            cell.outputs = []
        cells.append(cell)
    first = nbformat.v4.new_raw_cell(_front_matter(page, html_only=page.kind != "briefing"))
    last = nbformat.v4.new_raw_cell(site.fragment(page), metadata={"raw_mimetype": "text/html", "format": "text/html"})
    # Stable ids: the staged notebook of the same input is the same file.
    first["id"], last["id"] = "giaoban-front-matter", "giaoban-page-extras"
    nb.cells = [first, *cells, last]
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(target))


#: In a staged project: the key of each staged notebook (its source and the HTML around it).
STAGE_RECORD = ".giaoban-stage.json"


def stage_quarto_project(site: Site, stage: Path, *, data_dir: Path | None) -> None:
    """Write the Quarto project of `site` into the folder `stage` (made to hold exactly that).

    See the module docstring for what goes there. A staged notebook whose source and surrounding
    HTML did not change since the last staging is left as it is (keys in `.giaoban-stage.json`);
    files of pages no longer in the site are removed. Refuses nothing itself; a notebook that
    cannot be read raises nbformat's error.
    """
    try:
        record = json.loads((stage / STAGE_RECORD).read_text(encoding="utf-8"))
        if not isinstance(record, dict):
            record = {}
    except (OSError, ValueError):
        record = {}
    if stage.exists() and not (stage / STAGE_RECORD).is_file():
        shutil.rmtree(stage)
    stage.mkdir(parents=True, exist_ok=True)
    keep: set[Path] = set()
    fresh: dict[str, str] = {}
    shutil.copyfile(site.config.path, stage / "_quarto.yml")
    keep.add(stage / "_quarto.yml")
    assets = stage / "assets"
    assets.mkdir(exist_ok=True)
    for name in STAGED_ASSETS:
        shutil.copyfile(TEMPLATES / "site" / name, assets / name)
        keep.add(assets / name)
    (assets / "search-index.js").write_text(site.search_index(), encoding="utf-8")
    keep.add(assets / "search-index.js")
    if data_dir is not None and data_dir.is_dir():
        (stage / "data").mkdir(exist_ok=True)
        for name, data in download_files(data_dir, public=site.manifest.public):
            (stage / "data" / name).write_bytes(data)
            keep.add(stage / "data" / name)
    for page in site.pages.values():
        stem = page.path[: -len(".html")]
        if page.job is not None:
            source, target = site.manifest.notebook_path(page.job), stage / f"{stem}.ipynb"
            key = hashlib.sha256(
                source.read_bytes()
                + b"\0"
                + _front_matter(page, html_only=page.kind != "briefing").encode()
                + b"\0"
                + site.fragment(page).encode()
            ).hexdigest()
            if record.get(f"{stem}.ipynb") != key or not target.is_file():
                _stage_notebook(site, page, source, target)
            fresh[f"{stem}.ipynb"] = key
            keep.add(target)
            continue
        extra = ""
        if page.kind == "home" and site.config.search:
            root = "../" * page.path.count("/")
            extra = (
                f'<link rel="stylesheet" href="{root}pagefind/pagefind-ui.css">\n'
                f'<script src="{root}assets/search-index.js"></script>\n'
                f'<script src="{root}pagefind/pagefind-ui.js"></script>\n'
                f'<script src="{root}assets/search.js"></script>'
            )
        target = stage / f"{stem}.qmd"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            _front_matter(page, html_only=True) + "\n" + _raw_html(site.fragment(page) + extra), encoding="utf-8"
        )
        keep.add(target)
    for path in sorted(stage.rglob("*"), key=lambda p: -len(p.parts)):  # what is no longer in the site
        if path.is_file() and path not in keep and path.name != STAGE_RECORD:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    (stage / STAGE_RECORD).write_text(json.dumps(fresh, sort_keys=True), encoding="utf-8")


def run_quarto(quarto: str, stage: Path, out: Path) -> None:
    """Run `quarto render <stage> --output-dir <out>`; refuses (RenderError) when Quarto fails."""
    proc = subprocess.run(
        [quarto, "render", str(stage), "--output-dir", str(out.resolve())], capture_output=True, text=True
    )
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        raise RenderError(f"quarto render lỗi (mã {proc.returncode}):\n{tail}")
