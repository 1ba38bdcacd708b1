"""`render_site`: executed notebooks + manifest + `_quarto.yml` → the site folder, whole or not at all.

The site is written into `.<name>.new-<pid>-…` beside the output folder and swapped in at the end: on
Linux with one atomic `renameat2(RENAME_EXCHANGE)`, so that the output folder always exists and is
always a whole site; elsewhere with two renames (the old site is first moved to `.<name>.old-<pid>`).
A render killed at any moment leaves the last whole site in place (or, in the two-rename window, in
`.<name>.old-<pid>`); the next render restores that one if the output folder is missing and removes
the leftovers of renders whose process is gone. Typst's scratch files go to `.<name>.work-<pid>-…`.

The output folder is replaced whole, so `check_out_dir` refuses one that is not a site giaoban wrote
(marked by the file `.giaoban-site`; earlier sites by `assets/giaoban.css`), and one that holds the
project, its data or its build folder.
"""

from __future__ import annotations

import ctypes
import dataclasses
import errno
import functools
import glob
import hashlib
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from giaoban.files import publish_modes
from giaoban.execution.processes import alive
from giaoban.publish.config import SiteConfig, read_config, rendered_by_quarto
from giaoban.publish.data import download_files
from giaoban.publish.incremental import Parts, RenderCache
from giaoban.publish.links import check_links
from giaoban.publish.manifest import Manifest, PeriodRef, read_manifest
from giaoban.publish.columns import geometry
from giaoban.publish.notebook import Document, RenderError, read_notebook, to_html, to_typst
from giaoban.publish.pdf import TEMPLATE, BookChapter, Chapter, Cover, write_book, write_period_book
from giaoban.execution.processes import exit_with
from giaoban.publish.typst_worker import compile_pdf
from giaoban.publish.quarto import STAGE_RECORD, STAGED_ASSETS, run_quarto, stage_quarto_project
from giaoban.publish.search import index_site
from giaoban.publish.site import TEMPLATES, Site, SitePage
from giaoban.publish.words import format_date, word
from giaoban import paths

__all__ = ["RenderReport", "render_site", "RENDERERS", "check_out_dir", "recover_site", "SITE_MARKER"]

RENDERERS = ("auto", "quarto", "builtin")
#: The file that marks a folder as a site giaoban wrote (so that it may be replaced whole).
SITE_MARKER = ".giaoban-site"
#: How many period books are put together at once (each in a worker process, about 200 MB for 63 chapters).
_BOOKS_AT_ONCE = 2


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
    notes: list[str] = field(default_factory=list)
    converted: int = 0  # notebook pages converted now (pandoc), the others reused (giaoban.publish.incremental)
    reused: int = 0
    up_to_date: bool = False  # nothing the site is made from changed: nothing was rendered

    def lines(self) -> list[str]:
        """Return the report as lines for the terminal, in Vietnamese."""
        out = [f"lưu ý: {n}" for n in self.notes]
        out += [
            f"Trình dựng: {self.renderer} ({self.reason})",
            f"Đã dựng {len(self.pages)} trang, {len(self.pdfs)} bản PDF, {len(self.books)} sổ tay theo kỳ "
            f"vào {self.out_dir}",
        ]
        if self.up_to_date:
            out.append("Trang web đã mới nhất (không gì thay đổi): dựng lại 0 trang")
        elif self.converted or self.reused:
            out.append(f"dựng lại {self.converted} trang sổ tay, dùng lại {self.reused} trang không đổi")
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


class _Images(Mapping):
    """A chapter's images by name: bytes, read from the render cache only when a PDF is typeset."""

    def __init__(self, images: dict) -> None:
        self._images = images

    def __getitem__(self, name: str) -> bytes:
        return RenderCache.image_bytes(self._images[name])

    def __iter__(self):
        return iter(self._images)

    def __len__(self) -> int:
        return len(self._images)


class _RecycledPool:
    """A pool of `workers` processes ("spawn") that is replaced by a new pool once it has been given
    `tasks` tasks per worker. The old pool's tasks finish before the new pool starts, so no more than
    `workers` processes ever run. Not `ProcessPoolExecutor`'s `max_tasks_per_child`: on Python 3.11
    and 3.12 a worker that reaches it while tasks wait is never replaced, and the render would hang
    (CPython gh-115634)."""

    def __init__(self, workers: int, tasks: int) -> None:
        self.workers, self.limit = workers, workers * tasks
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._given = 0

    def submit(self, fn: Callable, *args: Any) -> Future:
        """Submit `fn(*args)` to the current pool (a new one, once the old one is done, when the
        current has had its share)."""
        with self._lock:
            if self._pool is not None and self._given >= self.limit:
                self._pool.shutdown(wait=True)
                self._pool = None
            if self._pool is None:
                # each worker ends with the render's process, however it ends (SIGKILL included)
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=exit_with,
                    initargs=(os.getpid(),),
                )
                self._given = 0
            self._given += 1
            return self._pool.submit(fn, *args)

    def shutdown(self) -> None:
        """Wait for the pool to end (tasks not started are cancelled)."""
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None


class _Builder:
    """One render into a temporary folder `tmp`, which `render_site` swaps in at the end."""

    def __init__(
        self,
        site: Site,
        tmp: Path,
        work: Path,
        data_dir: Path | None,
        report: RenderReport,
        jobs: int,
        cache: RenderCache | None = None,
    ) -> None:
        self.site, self.tmp, self.work, self.data_dir, self.report = site, tmp, work, data_dir, report
        self.config: SiteConfig = site.config
        self.manifest: Manifest = site.manifest
        self.jobs = jobs
        self.cache = cache or RenderCache(None)
        self._lock = threading.Lock()
        self._pool: _RecycledPool | None = None

    def in_worker(self, fn: Callable, *args: Any, **kwargs: Any) -> Any:
        """Return `fn(*args, **kwargs)` run in one of the PDF worker processes, which make every PDF:
        the `typst` module never gives back the memory of what it compiled (about 27 MB a briefing),
        nor does pypdf all of a book's, so each worker is replaced after 10 PDFs, and all are ended
        once the briefings are done (`release`); the books get new ones."""
        with self._lock:
            if self._pool is None:
                self._pool = _RecycledPool(self.jobs, 10)
            pool = self._pool
        return pool.submit(functools.partial(fn, *args, **kwargs)).result()

    def compiler(self) -> Callable:
        """Return `typst_worker.compile_pdf` run by `in_worker`, for `pdf.write_book`."""
        return lambda main, root, timestamp: self.in_worker(compile_pdf, main, root, timestamp)

    def release(self) -> None:
        """End the PDF workers (and give their memory back); the next `in_worker` starts new ones."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown()

    def close(self) -> None:
        self.release()

    def write(self, path: str, text: str) -> None:
        target = self.tmp / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    # -- notebook pages --------------------------------------------------------------------------

    def document(self, page: SitePage) -> Document:
        return read_notebook(
            self.manifest.notebook_path(page.job),
            echo=self.config.echo,
            warning=self.config.warning,
            error=self.config.error,
            lang=page.lang,
        )

    def parts(self, page: SitePage) -> Parts:
        """The pandoc outputs of a notebook page (HTML body, Typst body for a briefing, headings,
        images), from the render cache when the executed notebook is the same."""
        path = self.manifest.notebook_path(page.job)
        stem = page.path[: -len(".html")]
        images = f"{Path(stem).name}_files"
        prefix = "c" + hashlib.sha256(page.path.encode()).hexdigest()[:8]
        page_url = (self.config.site_url.rstrip("/") + "/" + page.path) if self.config.site_url else None
        briefing = page.kind in ("briefing", "period")  # a period's page is the first chapter of its book
        typst = self.config.typst
        geo = geometry(typst.paper, typst.margin_x, typst.fontsize)  # the tables' columns are fitted to it

        def compute() -> tuple:
            doc = self.document(page)
            return (
                to_html(doc, images),
                to_typst(doc, prefix, page_url=page_url, geo=geo) if briefing else None,
                doc.headings(self.config.html_toc_depth),
                dict(doc.images),
            )

        key = [
            hashlib.sha256(path.read_bytes()).hexdigest(),
            page.path,
            page.lang,
            self.config.echo,
            self.config.warning,
            self.config.error,
            self.config.html_toc_depth,
            page_url,
            images,
            prefix,
            [geo.line, geo.size],
        ]
        return self.cache.parts(key, compute, need_html=True, need_typst=briefing)

    def chapter(self, page: SitePage, parts: Parts) -> Chapter:
        job = page.job
        place = job.province.name(page.lang) if page.kind == "briefing" else word(page.lang, "country")
        return Chapter(
            title=self.chapter_title(job, page.lang),
            header=f"{place} — {job.period.label(page.lang)}",
            meeting=self.site.meeting_text(job),
            body=parts.typst,
            images=_Images(parts.images),
            sources_title=word(page.lang, "sources"),
            sources=tuple(self.site.source_lines(page)),
        )

    @staticmethod
    def chapter_title(job: Any, lang: str) -> str:
        """A briefing's title; a period's page, the country's chapter of its book: `Cả nước — <period>`."""
        return job.title if job.province is not None else f"{word(lang, 'country')} — {job.period.label(lang)}"

    def built_line(self, lang: str) -> str:
        """The cover's "made on" line: the build's date (`Manifest.stamp`), never a date of the data."""
        stamp = self.manifest.stamp()
        return f"{word(lang, 'cover_built')}: {format_date(stamp, lang)}" if stamp else ""

    @staticmethod
    def data_line(period: PeriodRef, lang: str) -> str:
        """The cover's "figures up to" line: the last day of the period the figures are for."""
        return f"{word(lang, 'cover_data_until')}: {format_date(period.period.end, lang)}"

    @functools.cached_property
    def _template_digest(self) -> str:
        return hashlib.sha256(TEMPLATE.read_bytes()).hexdigest()

    def _work_dir(self, out: str) -> Path:
        """The scratch folder of the PDF `out` (its Typst project)."""
        return self.work / hashlib.sha256(out.encode()).hexdigest()[:16]

    def _pdf_key(self, cover: Cover, *, title: str, header: str, lang: str) -> dict:
        """Return what a PDF is made from besides its chapters (template, cover, words, options, date)."""
        return {
            "template": self._template_digest,
            "cover": dataclasses.asdict(cover),
            "title": title,
            "header": header,
            "site": self.site.site_title(lang),
            "lang": lang,
            "toc_title": word(lang, "contents"),
            "options": dataclasses.asdict(self.config.typst),
            "stamp": str(self.manifest.stamp()),
        }

    def briefing_pdf(self, out: str, chapter: Chapter, cover: Cover, *, title: str, header: str, lang: str) -> None:
        """Write a briefing's PDF (`pdf.write_book`, Typst in a worker) at `out`, or link it from the cache."""
        key = self._pdf_key(cover, title=title, header=header, lang=lang)
        key["chapters"] = [
            [
                chapter.title,
                chapter.header,
                chapter.meeting,
                chapter.body,
                sorted(chapter.images),
                chapter.sources_title,
                list(chapter.sources),
            ]
        ]
        compiler = self.compiler()
        warnings = self.cache.pdf(
            key,
            self.tmp / out,
            lambda: write_book(
                self.tmp / out,
                [chapter],
                cover=cover,
                title=title,
                header=header,
                site=key["site"],
                lang=lang,
                toc_title=key["toc_title"],
                options=self.config.typst,
                stamp=self.manifest.stamp(),
                work_dir=self._work_dir(out),
                compiler=compiler,
            ),
        )
        with self._lock:
            self.report.warnings += warnings

    def period_book(self, out: str, jobs: list, cover: Cover, *, title: str, header: str, lang: str) -> None:
        """Write a period's book at `out` from the PDFs of its briefings `jobs`, already in the site
        (`pdf.write_period_book`, in a worker process), or link it from the cache when none of them
        changed. Refuses (RenderError) a briefing PDF that is missing or unreadable, naming it."""
        chapters = [
            BookChapter.read(
                out, self.chapter_title(job, lang), self.tmp / self.site.pdf_path(job), self.site.pdf_path(job)
            )
            for job in jobs
        ]
        key = self._pdf_key(cover, title=title, header=header, lang=lang)
        key["book"] = [[c.title, c.name, c.digest] for c in chapters]  # the briefings' PDFs, by their bytes
        warnings = self.cache.pdf(
            key,
            self.tmp / out,
            lambda: self.in_worker(
                write_period_book,
                self.tmp / out,
                chapters,
                cover=cover,
                title=title,
                header=header,
                site=key["site"],
                lang=lang,
                toc_title=key["toc_title"],
                options=self.config.typst,
                stamp=self.manifest.stamp(),
                work_dir=self._work_dir(out),
                name=out,
            ),
        )
        with self._lock:
            self.report.warnings += warnings

    def notebook_page(self, page: SitePage, *, html: bool = True) -> None:
        parts = self.parts(page)
        if html:
            stem = page.path[: -len(".html")]
            images = f"{Path(stem).name}_files"
            for name, value in parts.images.items():
                self.cache.put_image(value, self.tmp / Path(stem).parent / images / name)
            toc = []
            if self.config.html_toc:
                toc = [
                    {"level": lvl, "id": ident, "text": text}
                    for lvl, ident, text in parts.headings
                    if lvl >= 2 and ident
                ]
            self.write(page.path, self.site.html(page, content=parts.html, toc=toc if len(toc) >= 2 else []))
        if page.kind in ("briefing", "period"):
            chapter = self.chapter(page, parts)
            job = page.job
            place = job.province.name(page.lang) if page.kind == "briefing" else word(page.lang, "country")
            cover = Cover(
                kicker=word(page.lang, "cover_kicker"),
                title=place,
                subtitle=job.period.label(page.lang),
                lines=tuple(x for x in (self.site.meeting_text(job), self.data_line(job.period, page.lang)) if x),
                built=self.built_line(page.lang),
            )
            self.briefing_pdf(
                self.site.pdf_path(job), chapter, cover, title=job.title, header=chapter.header, lang=page.lang
            )

    # -- the whole site --------------------------------------------------------------------------

    def resources(self) -> None:
        """Copy the data folder's CSVs into `data/` (the data page links them; this is what the
        `data/*.csv` of `project.resources` means) and the other `project.resources` from the
        project folder."""
        for name, data in download_files(self.data_dir, public=self.manifest.public):
            (self.tmp / "data").mkdir(exist_ok=True)
            (self.tmp / "data" / name).write_bytes(data)
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
        for path, text in self.site.extra_files().items():  # favicon, nav.js, sitemap.xml
            self.write(path, text)
        for css in self.config.html_css:
            if Path(css).name == "giaoban.css":
                continue
            src = self.config.path.parent / css
            if not src.is_file():
                self.report.warnings.append(f"{self.config.path.name}: format.html.css: không có tệp {css}")
                continue
            self.write(f"assets/extra/{src.name}", src.read_text(encoding="utf-8"))

    def notebooks(self, *, html: bool) -> None:
        pages = [
            p for p in self.site.pages.values() if p.job is not None and (html or p.kind in ("briefing", "period"))
        ]  # PDFs: briefings, periods
        try:
            with ThreadPoolExecutor(max_workers=self.jobs) as pool:
                for future in [pool.submit(self.notebook_page, p, html=html) for p in pages]:
                    future.result()
        finally:
            self.release()  # the briefings' Typst memory goes; the books start new workers

    def books(self) -> None:
        """Write each period's book (`period_book`) from the briefings' PDFs, which must be in the
        site already."""
        todo = []
        for lang in ("vi", "en"):
            countries = {j.period.code: j for j in self.site.jobs(lang, "period")}
            for code, jobs in self.site.books(lang).items():
                period = jobs[0].period
                if code in countries and (self.tmp / self.site.pdf_path(countries[code])).is_file():
                    # the book opens with the country: the period's own page
                    jobs = [countries[code], *jobs]
                provinces = ", ".join(j.province.name(lang) for j in jobs if j.province is not None)
                cover = Cover(
                    kicker=word(lang, "cover_book"),
                    title=period.label(lang),
                    subtitle=self.site.site_title(lang),
                    lines=(f"{word(lang, 'cover_provinces')}: {provinces}", self.data_line(jobs[0].period, lang)),
                    built=self.built_line(lang),
                )
                out = self.site.book_path(lang, code)
                todo.append(
                    (
                        out,
                        jobs,
                        cover,
                        {
                            "title": f"{self.site.site_title(lang)} — {period.label(lang)}",
                            "header": period.label(lang),
                            "lang": lang,
                        },
                    )
                )
                self.report.books.append(out)
        # each in a worker process (`in_worker`), _BOOKS_AT_ONCE at a time: a worker putting a
        # 63-chapter book together takes about 200 MB
        with ThreadPoolExecutor(max_workers=min(_BOOKS_AT_ONCE, self.jobs)) as pool:
            for future in [pool.submit(self.period_book, out, jobs, cover, **kw) for out, jobs, cover, kw in todo]:
                future.result()

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


def _exchange(a: Path, b: Path) -> bool:
    """Swap the folders `a` and `b` atomically (Linux `renameat2(RENAME_EXCHANGE)`); False when the
    system or the file system cannot, and nothing was done."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _swap(tmp: Path, out: Path) -> None:
    """Put the site built in `tmp` at `out` (see the module docstring); `tmp` is gone afterwards."""
    if out.exists() and _exchange(tmp, out):
        shutil.rmtree(tmp, ignore_errors=True)  # now the previous site
        return
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


def recover_site(out: Path) -> list[str]:
    """Undo what a render killed in the middle left beside `out`, and return what was done (lines).

    When `out` is missing and a previous site waits in `.<name>.old-<pid>` (a render stopped between
    its two renames), it is put back. The temporary folders of renders whose process is gone
    (`.<name>.new-<pid>-…`, `.<name>.old-<pid>`, `.<name>.work-<pid>-…`) are removed. Refuses nothing.
    """
    said: list[str] = []
    if not out.parent.is_dir():
        return said
    pattern = re.compile(rf"^\.{re.escape(out.name)}\.(new|old|work)-(\d+)(?:-.*)?$")
    leftovers = []
    for entry in sorted(out.parent.iterdir()):
        m = pattern.match(entry.name)
        if m and entry.is_dir() and not alive(int(m[2])):
            leftovers.append((m[1], entry))
    if not out.exists():
        olds = [e for kind, e in leftovers if kind == "old"]
        if olds:
            newest = max(olds, key=lambda e: e.stat().st_mtime)
            os.replace(newest, out)
            said.append(f"đã khôi phục trang web trước từ {newest.name} (lần dựng trước bị dừng giữa chừng)")
            leftovers = [(k, e) for k, e in leftovers if e != newest]
    for _, entry in leftovers:
        shutil.rmtree(entry, ignore_errors=True)
    if leftovers:
        said.append(f"đã xoá {len(leftovers)} thư mục tạm của lần dựng bị dừng giữa chừng")
    return said


def _is_site(folder: Path) -> bool:
    return (folder / SITE_MARKER).is_file() or (
        (folder / "index.html").is_file() and (folder / "assets" / "giaoban.css").is_file()
    )


def check_out_dir(out: str | Path, *, protect: Sequence[str | Path] = ()) -> Path:
    """Return `out` resolved if a site may be written there, i.e. replaced whole: a folder that does not
    exist yet, an empty one, or a site giaoban wrote. Refuses (RenderError) a file, any other folder, and
    a folder that is or holds one of `protect` (the project, its data, its build folder…)."""
    target = Path(out).resolve()
    for kept in protect:
        kept = Path(kept).resolve()
        if target == kept or target in kept.parents:
            raise RenderError(
                f"{out}: thư mục trang web không thể là {kept} hay thư mục chứa nó (toàn bộ thư mục "
                f"trang web bị thay mới mỗi lần dựng): chọn một thư mục riêng, ví dụ _site"
            )
    if target.exists() and not target.is_dir():
        raise RenderError(f"{out}: đã có và là một tệp, không phải thư mục trang web: chọn đường dẫn khác")
    if target.is_dir() and any(target.iterdir()) and not _is_site(target):
        raise RenderError(
            f"{out}: thư mục đã có và không phải trang web do giaoban dựng (thiếu {SITE_MARKER}); toàn "
            f"bộ thư mục trang web bị thay mới mỗi lần dựng, nên giaoban không ghi vào đó: chọn thư mục "
            f"khác, hoặc tự xoá thư mục này nếu chắc chắn"
        )
    return target


def render_site(
    executed_dir: str | Path,
    out_dir: str | Path,
    renderer: str = "auto",
    *,
    data_dir: str | Path | None = None,
    config: str | Path | None = None,
    stage_dir: str | Path | None = None,
    jobs: int | None = None,
    log: Callable[[str], None] | None = None,
    cache_dir: str | Path | None = None,
) -> RenderReport:
    """Render the executed notebooks of `executed_dir` (with its manifest.json) into `out_dir`.

    With `cache_dir` (default: `<stage_dir>-cache` when `stage_dir` is given, else none) the render
    is incremental (`giaoban.publish.incremental`): pieces whose inputs did not change are reused,
    and when nothing the site is made from changed, nothing is rendered (`RenderReport.up_to_date`).

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
    say = log or (lambda line: None)
    out = check_out_dir(out_dir, protect=[p for p in (executed_dir, data_dir) if p is not None])
    recovered = recover_site(out)
    for line in recovered:
        say(line)
    name, reason, quarto = _choose(renderer)
    say(f"Trình dựng: {name} ({reason})")
    manifest = read_manifest(executed_dir)
    cfg = read_config(config or paths.ROOT / "_quarto.yml")
    data = Path(data_dir) if data_dir is not None else None
    stage = Path(stage_dir) if stage_dir is not None else None
    if cache_dir is None and stage is not None:
        cache_dir = stage.with_name(stage.name + "-cache")
    digest = None
    if cache_dir is not None:
        digest = RenderCache.inputs_digest(
            renderer=name,
            out=out,
            manifest_path=manifest.path,
            config=cfg.path,
            notebooks=[manifest.notebook_path(j) for j in manifest.rendered_jobs()],
            resources=[*cfg.resources, *cfg.html_css],
            data_dir=data,
            stage=stage,
            extra=str(quarto),
        )
        done = RenderCache(cache_dir).up_to_date(out, digest) if out.is_dir() else None
        if done is not None and (stage is None or (stage / STAGE_RECORD).is_file()):  # the staged project too
            report = RenderReport(renderer=name, reason=reason, out_dir=out, notes=recovered, up_to_date=True, **done)
            report.pages = sorted(
                p.relative_to(out).as_posix()
                for p in out.rglob("*.html")
                if not p.relative_to(out).as_posix().startswith("pagefind/")
            )
            return report
    site = Site(manifest, cfg, data_dir=data)
    report = RenderReport(renderer=name, reason=reason, out_dir=out, notes=recovered)
    cache = RenderCache(cache_dir)
    if name == "builtin":
        report.warnings += cfg.warnings
    report.warnings += site.check_navbar() + site.warnings
    for page in site.pages.values():
        source = page.path[: -len(".html")] + (".ipynb" if page.job else ".qmd")
        if not rendered_by_quarto(cfg, source):
            report.warnings.append(
                f"{cfg.path.name}: project.render không chọn {source}: Quarto sẽ không dựng trang này"
            )
    report.skipped = [f"{j.page} ({j.executed})" for j in manifest.failed_jobs()]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-{os.getpid()}-", dir=out.parent))
    try:
        with tempfile.TemporaryDirectory(prefix=f".{out.name}.work-{os.getpid()}-", dir=out.parent) as work:
            if stage is None and name == "quarto":
                stage = Path(work) / "site"
            if stage is not None:
                stage_quarto_project(site, stage, data_dir=data)
            builder = _Builder(
                site, tmp, Path(work) / "typst", data, report, jobs or min(8, os.cpu_count() or 2), cache
            )
            try:
                if name == "quarto":
                    builder.quarto(quarto, stage)
                else:
                    builder.builtin()
            finally:
                builder.close()
            if cfg.search:
                say("Lập chỉ mục tìm kiếm (Pagefind)…")
                cache.pagefind(tmp, index_site)
        report.warnings += [f"liên kết hỏng: {p}" for p in check_links(tmp, memo=cache.parsed_links())]
        (tmp / SITE_MARKER).write_text("giaoban\n", encoding="utf-8")
        publish_modes(tmp)  # 0644 files, 0755 folders: a web server must read them all (mkstemp gives 0600)
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if digest is not None:
        cache.mark(
            out,
            digest,
            {
                "warnings": report.warnings,
                "skipped": report.skipped,
                "books": report.books,
                "pdfs": sorted(site.pdf_path(p.job) for p in site.pages.values() if p.kind == "briefing"),
            },
        )
    cache.collect()
    report.notes += cache.dropped  # damaged cache entries, removed and made again
    report.converted, report.reused = cache.converted, cache.reused
    report.pages = sorted(
        p.relative_to(out).as_posix()
        for p in out.rglob("*.html")
        if not p.relative_to(out).as_posix().startswith("pagefind/")
    )
    report.pdfs = sorted(site.pdf_path(p.job) for p in site.pages.values() if p.kind == "briefing")
    return report
