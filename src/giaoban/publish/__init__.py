"""Rendering: the executed notebooks become the static website and the PDF briefing books.

One configuration, the project's `_quarto.yml`, drives two renderers:

- **quarto** (when the `quarto` command is on PATH): Quarto ignores files under folders that start
  with `_`, so the executed notebooks of `_build/executed/` are *staged* as a Quarto project in
  `_build/site/` (`_quarto.yml` copied as it is, notebooks at their page paths, the generated pages
  as `.qmd`; see `giaoban.publish.quarto`). `quarto render _build/site` renders it by hand;
  `giaoban build --renderer quarto` does so into a temporary folder and adds the period books
  and the Pagefind index.
- **builtin** (everywhere else, e.g. CI): the same manifest, notebooks and `_quarto.yml`, rendered
  with pandoc (the `pypandoc-binary` wheel) to HTML and to Typst, Typst (the `typst` wheel) to PDF,
  Pagefind (the `pagefind[bin]` wheel) for search. It reads only `config.SUPPORTED_KEYS` and warns,
  one line each, about every other key.

`render_site(executed_dir, out_dir, renderer="auto")` renders any folder; `render()` is what
`giaoban build` calls, with the project's folders. Both build in a temporary folder and rename it
over the site at the end, so a failed render leaves the previous site whole. Nothing depends on the
clock or on chance: two renders of the same inputs give the same bytes (HTML and PDF).
See `docs/rendering.md`.

Stage 6. May import: the foundations and stages 1–5; `templates/` holds the site's and Typst's templates.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from giaoban import paths

if TYPE_CHECKING:
    from giaoban.publish.pipeline import RenderReport

#: Where each public name lives. They are imported on first use (PEP 562), so that a process which
#: needs one module of the package (a Typst worker unpickling `typst_worker.compile_pdf`) does not
#: import pandas, nbformat and the rest: that costs about 3 s a worker on a 2-core machine.
_EXPORTS = {
    "SUPPORTED_KEYS": "config",
    "ConfigError": "config",
    "SiteConfig": "config",
    "read_config": "config",
    "check_links": "links",
    "Job": "manifest",
    "Manifest": "manifest",
    "ManifestError": "manifest",
    "read_manifest": "manifest",
    "RenderError": "notebook",
    "RENDERERS": "pipeline",
    "RenderReport": "pipeline",
    "render_site": "pipeline",
    "make_server": "serve",
    "serve": "serve",
}


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "render",
    "render_site",
    "RenderReport",
    "RENDERERS",
    "read_manifest",
    "Manifest",
    "Job",
    "ManifestError",
    "read_config",
    "SiteConfig",
    "ConfigError",
    "SUPPORTED_KEYS",
    "RenderError",
    "check_links",
    "serve",
    "make_server",
]


def render(
    renderer: str = "auto",
    *,
    out_dir: str | Path | None = None,
    executed_dir: str | Path | None = None,
    data_dir: str | Path | None = None,
    jobs: int | None = None,
    log: Callable[[str], None] | None = None,
) -> RenderReport:
    """Render the project's executed notebooks (`_build/executed/`) into `_site/` (or `out_dir`).

    Uses the project's `_quarto.yml` and `data/` (or `data_dir`), and always stages the Quarto
    project in `_build/site/` (so that `quarto render _build/site` works by hand). Returns the
    `RenderReport`; refuses what `render_site` refuses.
    """
    # imported when needed: it loads jinja2, nbformat, traitlets, yaml (start-up time)
    from giaoban.publish.pipeline import render_site

    return render_site(
        executed_dir or paths.BUILD / "executed",
        out_dir or paths.SITE,
        renderer,
        data_dir=data_dir or paths.DATA,
        config=paths.ROOT / "_quarto.yml",
        stage_dir=paths.BUILD / "site",
        jobs=jobs,
        log=log,
    )
