"""`render_site`: executed notebooks + manifest + `_quarto.yml` → the site folder, whole or not at all."""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from giaoban.render.config import SiteConfig, read_config, rendered_by_quarto
from giaoban.render.data import list_downloads
from giaoban.render.links import check_links
from giaoban.render.manifest import Manifest, read_manifest
from giaoban.render.notebook import Document, RenderError, read_notebook, to_html, to_typst
from giaoban.render.pdf import Chapter, Cover, write_book
from giaoban.render.quarto import STAGED_ASSETS, run_quarto, stage_quarto_project
from giaoban.render.search import index_site
from giaoban.render.site import TEMPLATES, Site, SitePage
from giaoban.render.words import format_date, word

__all__ = ["RenderReport", "render_site", "RENDERERS"]

RENDERERS = ("auto", "quarto", "builtin")


@dataclass
class RenderReport:
    """What a render did: the renderer used and why, the files written, the jobs left out, warnings."""

    renderer: str
    reason: str
    out_dir: Path
    pages: list[str] = field(default_factory=list)
    pdfs: list[str] = field(default_factory=list)
    books: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Return the report as lines for the terminal, in Vietnamese."""
        out = [f"Trình dựng: {self.renderer} ({self.reason})",
               f"Đã dựng {len(self.pages)} trang, {len(self.pdfs)} bản PDF, {len(self.books)} sổ tay theo kỳ "
               f"vào {self.out_dir}"]
        out += [f"Bỏ qua (sổ tay chạy lỗi): {s}" for s in self.skipped]
        out += [f"cảnh báo: {w}" for w in self.warnings]
        return out


def _choose(renderer: str) -> tuple[str, str, str | None]:
    if renderer not in RENDERERS:
        raise RenderError(f"trình dựng không có: {renderer!r} (cần một trong {', '.join(RENDERERS)})")
    quarto = shutil.which("quarto")
    if renderer == "quarto" and quarto is None:
        raise RenderError("không tìm thấy lệnh quarto trên PATH; cài Quarto hoặc dùng --renderer builtin")
    if renderer == "builtin":
        return "builtin", "theo yêu cầu", None
    if quarto:
        return "quarto", ("theo yêu cầu" if renderer == "quarto" else "tìm thấy lệnh quarto") + f": {quarto}", quarto
    return "builtin", "không tìm thấy lệnh quarto", None


class _Builder:
    """One render into a temporary folder `tmp`, which `render_site` swaps in at the end."""

    def __init__(self, site: Site, tmp: Path, work: Path, data_dir: Path | None, report: RenderReport,
                 jobs: int) -> None:
        self.site, self.tmp, self.work, self.data_dir, self.report = site, tmp, work, data_dir, report
        self.config: SiteConfig = site.config
        self.manifest: Manifest = site.manifest
        self.jobs = jobs
        self.chapters: dict[str, Chapter] = {}

    def write(self, path: str, text: str) -> None:
        target = self.tmp / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    # -- notebook pages --------------------------------------------------------------------------

    def document(self, page: SitePage) -> Document:
        return read_notebook(self.manifest.notebook_path(page.job), echo=self.config.echo,
                             warning=self.config.warning, error=self.config.error, lang=page.lang)

    def chapter(self, page: SitePage, doc: Document) -> Chapter:
        job = page.job
        prefix = "c" + hashlib.sha256(page.path.encode()).hexdigest()[:8]
        page_url = (self.config.site_url.rstrip("/") + "/" + page.path) if self.config.site_url else None
        return Chapter(title=job.title, header=f"{job.province.name(page.lang)} — {job.period.label(page.lang)}",
                       meeting=self.site.meeting_text(job), body=to_typst(doc, prefix, page_url=page_url),
                       images=doc.images, sources_title=word(page.lang, "sources"),
                       sources=tuple(self.site.source_lines(page)))

    def built_line(self, lang: str) -> str:
        stamp = self.manifest.stamp()
        return f"{word(lang, 'cover_built')}: {format_date(stamp, lang)}" if stamp else ""

    def book(self, out: str, chapters: list[Chapter], cover: Cover, *, title: str, header: str, lang: str) -> None:
        work = self.work / hashlib.sha256(out.encode()).hexdigest()[:16]
        self.report.warnings += write_book(
            self.tmp / out, chapters, cover=cover, title=title, header=header,
            site=self.site.site_title(lang), lang=lang, toc_title=word(lang, "contents"), options=self.config.typst,
            stamp=self.manifest.stamp(), work_dir=work)

    def notebook_page(self, page: SitePage, *, html: bool = True) -> None:
        doc = self.document(page)
        if html:
            stem = page.path[: -len(".html")]
            images = f"{Path(stem).name}_files"
            for name, data in doc.images.items():
                target = self.tmp / Path(stem).parent / images / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            toc = []
            if self.config.html_toc:
                toc = [{"level": lvl, "id": ident, "text": text}
                       for lvl, ident, text in doc.headings(self.config.html_toc_depth) if lvl >= 2 and ident]
            self.write(page.path, self.site.html(page, content=to_html(doc, images),
                                                 toc=toc if len(toc) >= 2 else []))
        if page.kind == "briefing":
            chapter = self.chapter(page, doc)
            self.chapters[page.path] = chapter
            job = page.job
            cover = Cover(kicker=word(page.lang, "cover_kicker"), title=job.province.name(page.lang),
                          subtitle=job.period.label(page.lang),
                          lines=tuple(x for x in (self.site.meeting_text(job),) if x),
                          built=self.built_line(page.lang))
            self.book(self.site.pdf_path(job), [chapter], cover, title=job.title, header=chapter.header,
                      lang=page.lang)

    # -- the whole site --------------------------------------------------------------------------

    def resources(self) -> None:
        """Copy the data folder's CSVs into `data/` (the data page links them; this is what the
        `data/*.csv` of `project.resources` means) and the other `project.resources` from the
        project folder."""
        for _, d in list_downloads(self.data_dir, "vi"):
            (self.tmp / "data").mkdir(exist_ok=True)
            shutil.copyfile(self.data_dir / d.name, self.tmp / "data" / d.name)
        base = self.config.path.parent
        for pattern in self.config.resources:
            if pattern.startswith("data/"):
                continue
            for found in sorted(glob.glob(str(base / pattern), recursive=True)):
                src = Path(found)
                if src.is_file():
                    dest = self.tmp / src.relative_to(base)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(src, dest)

    def assets(self) -> None:
        for name in STAGED_ASSETS:
            self.write(f"assets/{name}", (TEMPLATES / "site" / name).read_text(encoding="utf-8"))
        self.write("assets/search-index.js", self.site.search_index())
        for css in self.config.html_css:
            if Path(css).name == "giaoban.css":
                continue
            src = self.config.path.parent / css
            if not src.is_file():
                self.report.warnings.append(f"{self.config.path.name}: format.html.css: không có tệp {css}")
                continue
            self.write(f"assets/extra/{src.name}", src.read_text(encoding="utf-8"))

    def notebooks(self, *, html: bool) -> None:
        pages = [p for p in self.site.pages.values() if p.job is not None and (html or p.kind == "briefing")]
        with ThreadPoolExecutor(max_workers=self.jobs) as pool:
            for future in [pool.submit(self.notebook_page, p, html=html) for p in pages]:
                future.result()

    def books(self) -> None:
        for lang in ("vi", "en"):
            for code, jobs in self.site.books(lang).items():
                chapters = [self.chapters[f"{j.page}.html"] for j in jobs]
                period = jobs[0].period
                provinces = ", ".join(j.province.name(lang) for j in jobs)
                cover = Cover(kicker=word(lang, "cover_book"), title=period.label(lang), subtitle=self.site.site_title(lang),
                              lines=(f"{word(lang, 'cover_provinces')}: {provinces}",), built=self.built_line(lang))
                out = self.site.book_path(lang, code)
                self.book(out, chapters, cover, title=f"{self.site.site_title(lang)} — {period.label(lang)}",
                          header=period.label(lang), lang=lang)
                self.report.books.append(out)

    def builtin(self) -> None:
        self.assets()
        self.resources()
        self.notebooks(html=True)
        for page in self.site.pages.values():
            if page.job is None:
                self.write(page.path, self.site.html(page))
        self.books()

    def quarto(self, quarto: str, stage: Path) -> None:
        run_quarto(quarto, stage, self.tmp)
        # Quarto cannot bundle notebooks into a book: the books, and with them the briefings' PDFs
        # (written over Quarto's, so both renderers give the same PDFs), are giaoban's.
        self.notebooks(html=False)
        self.books()


def _swap(tmp: Path, out: Path) -> None:
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
    try:
        os.replace(tmp, out)
    except BaseException:
        if old is not None:
            os.replace(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def render_site(executed_dir: str | Path, out_dir: str | Path, renderer: str = "auto", *,
                data_dir: str | Path | None = None, config: str | Path | None = None,
                stage_dir: str | Path | None = None, jobs: int | None = None,
                log: Callable[[str], None] | None = None) -> RenderReport:
    """Render the executed notebooks of `executed_dir` (with its manifest.json) into `out_dir`.

    `renderer`: "auto" (Quarto when the `quarto` command exists, else built-in), "quarto" or
    "builtin"; the report and `log` say which was used and why. `config` is the `_quarto.yml`
    (default: the project's), `data_dir` the project's `data/` (indicator catalogue, CSVs, source
    reports), `stage_dir` where to write the Quarto project (always written when given; Quarto
    needs one and gets a temporary one otherwise), `jobs` how many notebooks to convert at once.
    The site is built in a temporary folder beside `out_dir` and renamed over it at the end: a
    failed render leaves the previous site whole. Failed jobs are listed, not rendered.
    Returns a `RenderReport`. Refuses (GiaobanError) an unknown renderer, `quarto` without Quarto,
    a malformed manifest or `_quarto.yml`, and a notebook, PDF or index that cannot be made.
    """
    from giaoban import paths

    say = log or (lambda line: None)
    name, reason, quarto = _choose(renderer)
    say(f"Trình dựng: {name} ({reason})")
    manifest = read_manifest(executed_dir)
    cfg = read_config(config or paths.ROOT / "_quarto.yml")
    data = Path(data_dir) if data_dir is not None else None
    site = Site(manifest, cfg, data_dir=data)
    out = Path(out_dir).resolve()
    report = RenderReport(renderer=name, reason=reason, out_dir=out)
    if name == "builtin":
        report.warnings += cfg.warnings
    report.warnings += site.check_navbar() + site.warnings
    for page in site.pages.values():
        source = page.path[: -len(".html")] + (".ipynb" if page.job else ".qmd")
        if not rendered_by_quarto(cfg, source):
            report.warnings.append(f"{cfg.path.name}: project.render không chọn {source}: Quarto sẽ không dựng trang này")
    report.skipped = [f"{j.page} ({j.executed})" for j in manifest.failed_jobs()]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        with tempfile.TemporaryDirectory(prefix="giaoban-render-") as work:
            stage = Path(stage_dir) if stage_dir is not None else None
            if stage is None and name == "quarto":
                stage = Path(work) / "site"
            if stage is not None:
                stage_quarto_project(site, stage, data_dir=data)
            builder = _Builder(site, tmp, Path(work) / "typst", data, report, jobs or min(8, os.cpu_count() or 2))
            if name == "quarto":
                builder.quarto(quarto, stage)
            else:
                builder.builtin()
            if cfg.search:
                say("Lập chỉ mục tìm kiếm (Pagefind)…")
                index_site(tmp)
        report.warnings += [f"liên kết hỏng: {p}" for p in check_links(tmp)]
        tmp.chmod(0o755)
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    report.pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html")
                          if not p.relative_to(out).as_posix().startswith("pagefind/"))
    report.pdfs = sorted(site.pdf_path(p.job) for p in site.pages.values() if p.kind == "briefing")
    return report
