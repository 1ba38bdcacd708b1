"""The site: which pages exist, how they link, and their HTML.

Built from the manifest alone (no clock, no randomness, stable order), so that both renderers get
the same pages and two renders the same bytes. Every link is relative (`../index.html`, never `/`),
so the site works from files and from any static server, at any path.

Pages, for each language (English under `en/`):

| path | what |
|---|---|
| `index.html` | home: search box, latest briefings, coverage matrix province × period |
| `briefings/index.html` | all briefings by period, with each period's book |
| `provinces/index.html`, `periods/index.html` | the provinces and periods that have pages |
| `briefings/<period>/<slug>.html` (+ `.pdf`) | one briefing, from its executed notebook |
| `provinces/<slug>.html`, `periods/<period>.html` | from the province/period notebook when there is one, always with the list of their briefings |
| `data.html` | CSVs to download, indicator catalogue, method, what the notebooks ran with |
| `sources/<file stem>.html` | a report's text, every line anchored (`#L24`), the quoted passages marked, links back to its pages (only public reports in a public build) |
| `404.html` | the page a server shows for a missing address |

Besides the pages: `favicon.svg`, `assets/nav.js` (the navbar's menu button on a phone) and
`sitemap.xml` (`extra_files`). The date in every footer ("cập nhật ngày …") is `updated_on()`.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from giaoban.execution import layout
from giaoban.execution.layout import LANGS
from giaoban.publish.config import SiteConfig
from giaoban.publish.data import SourceText, list_downloads, read_indicators, read_reports, read_source_texts
from giaoban.publish.manifest import Job, Manifest, PeriodRef, ProvinceRef
from giaoban.publish.words import NAV_EN, WORDS, count, format_date, word
from giaoban.domain.text import fold

__all__ = ["Site", "SitePage", "rel", "TEMPLATES"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
LATEST = 12
#: The folder of the report texts' pages: `giaoban.briefing.sources.SOURCE_PAGES`, which the
#: notebooks' links (`/sources/<stem>.html#L24`) name (not imported: the renderer stays light).
SOURCE_FOLDER = "sources"
#: The files written besides the pages, from templates/site/ (`extra_files`).
EXTRA_ASSETS = {"favicon.svg": "favicon.svg", "assets/nav.js": "nav.js"}

_TABLE = re.compile(r"<table\b.*?</table>", re.S)
_SOURCE_LINK = re.compile(r'<a href="/' + SOURCE_FOLDER + r'/([A-Za-z0-9_.-]+)\.html(#L\d+)?"([^>]*)>(.*?)</a>', re.S)


def rel(from_page: str, to_path: str) -> str:
    """Return the relative link from site file `from_page` to site file `to_path` (POSIX paths)."""
    start = posixpath.dirname(from_page) or "."
    return posixpath.relpath(to_path, start)


def _prefix(lang: str) -> str:
    return "en/" if lang == "en" else ""


@dataclass
class SitePage:
    """One HTML page: where it goes, its language and kind, its title and (if any) its notebook job."""

    path: str
    lang: str
    kind: str
    title: str
    job: Job | None = None
    province: ProvinceRef | None = None
    period: PeriodRef | None = None
    briefings: list[Job] = field(default_factory=list)

    @property
    def indexed(self) -> bool:
        """True for pages whose text the search indexes (not the home page and listings)."""
        return self.kind in ("briefing", "province", "period", "data", "source")


class Site:
    """The pages of a manifest, and how to write each one as HTML (see the module docstring)."""

    def __init__(self, manifest: Manifest, config: SiteConfig, *, data_dir: Path | None = None) -> None:
        self.manifest, self.config, self.data_dir = manifest, config, data_dir
        self.reports = read_reports(data_dir)
        self.texts: dict[str, SourceText] = {t.stem: t for t in read_source_texts(data_dir, public=manifest.public)}
        self.warnings: list[str] = []
        self.pages: dict[str, SitePage] = {}
        self._ran_with: dict[str, str] = {}  # job id → data hash its notebook records (`ran_with_hash`)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES / "site")),
            autoescape=True,
            keep_trailing_newline=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=False,
            lstrip_blocks=False,
        )
        for lang in LANGS:
            self._plan(lang)

    # -- the model -------------------------------------------------------------------------------

    def site_title(self, lang: str) -> str:
        """Return the site's title: `website.title` of `_quarto.yml` in Vietnamese, a translation in English."""
        return self.config.title if lang == "vi" else word(lang, "site_title")

    def jobs(self, lang: str, notebook: str, *, rendered: bool = True) -> list[Job]:
        """Return the jobs of one notebook kind in `lang` (only rendered ones unless told otherwise)."""
        return [
            j for j in self.manifest.jobs if j.lang == lang and j.notebook == notebook and (j.rendered or not rendered)
        ]

    def briefings(self, lang: str) -> list[Job]:
        """Return the rendered briefings in `lang`, newest period first, then by province code."""
        jobs = self.jobs(lang, "briefing")
        jobs.sort(key=lambda j: (j.province.code, j.period.period.start))
        jobs.sort(
            key=lambda j: (j.period.period.end, j.meeting.date if j.meeting and j.meeting.date else date.min),
            reverse=True,
        )
        return jobs

    def provinces(self, lang: str) -> list[ProvinceRef]:
        """Return the provinces named by any job in `lang`, by code."""
        found = {j.province.code: j.province for j in self.manifest.jobs if j.lang == lang and j.province}
        return [found[k] for k in sorted(found)]

    def periods(self, lang: str) -> list[PeriodRef]:
        """Return the periods named by any job in `lang`, newest first."""
        found = {j.period.code: j.period for j in self.manifest.jobs if j.lang == lang and j.period}
        return sorted(found.values(), key=lambda p: (p.period.end, p.period.start), reverse=True)

    def books(self, lang: str) -> dict[str, list[Job]]:
        """Return, by period code, the briefings a period's book bundles (by province code)."""
        out: dict[str, list[Job]] = {}
        for job in sorted(self.jobs(lang, "briefing"), key=lambda j: j.province.code):
            out.setdefault(job.period.code, []).append(job)
        return out

    def updated_on(self) -> date | None:
        """Return the date the footer of every page shows ("cập nhật ngày …") and the books carry:
        the manifest's stamp (its `build_date`, else the latest meeting date), never the clock, so
        that two builds of the same inputs give the same bytes. The one place to wire a settable
        build date (`giaoban build --date`) into the site."""
        return self.manifest.stamp()

    @staticmethod
    def source_path(lang: str, stem: str) -> str:
        """Return the site path of the page of the report text `<stem>.txt`."""
        return f"{_prefix(lang)}{SOURCE_FOLDER}/{stem}.html"

    @staticmethod
    def pdf_path(job: Job) -> str:
        """Return the site path of a briefing's PDF."""
        return f"{job.page}.pdf"

    @staticmethod
    def book_path(lang: str, period_code: str) -> str:
        """Return the site path of a period's book."""
        return f"{layout.period_book(period_code, lang)}.pdf"

    @staticmethod
    def province_path(lang: str, slug: str) -> str:
        """Return the site path of a province's page."""
        return f"{layout.province_page(slug, lang)}.html"

    @staticmethod
    def period_path(lang: str, period_code: str) -> str:
        """Return the site path of a period's page."""
        return f"{layout.period_page(period_code, lang)}.html"

    def _add(self, page: SitePage) -> None:
        self.pages[page.path] = page

    def _plan(self, lang: str) -> None:
        p = _prefix(lang)
        w = WORDS[lang]
        self._add(SitePage(f"{p}index.html", lang, "home", self.site_title(lang)))
        self._add(SitePage(f"{p}briefings/index.html", lang, "briefings", w["briefings"]))
        self._add(SitePage(f"{p}provinces/index.html", lang, "provinces", w["provinces"]))
        self._add(SitePage(f"{p}periods/index.html", lang, "periods", w["periods"]))
        self._add(SitePage(f"{p}data.html", lang, "data", w["data"]))
        briefings = self.briefings(lang)
        for job in briefings:
            self._add(SitePage(f"{job.page}.html", lang, "briefing", job.title, job, job.province, job.period))
        notebooks = {("province", j.province.slug): j for j in self.jobs(lang, "province")}
        notebooks |= {("period", j.period.code): j for j in self.jobs(lang, "period")}
        for prov in self.provinces(lang):
            job = notebooks.get(("province", prov.slug))
            self._add(
                SitePage(
                    self.province_path(lang, prov.slug),
                    lang,
                    "province",
                    job.title if job else prov.name(lang),
                    job,
                    prov,
                    None,
                    [b for b in briefings if b.province.code == prov.code],
                )
            )
        for per in self.periods(lang):
            job = notebooks.get(("period", per.code))
            title = job.title if job else per.label(lang)
            self._add(
                SitePage(
                    self.period_path(lang, per.code),
                    lang,
                    "period",
                    title,
                    job,
                    None,
                    per,
                    sorted([b for b in briefings if b.period.code == per.code], key=lambda b: b.province.code),
                )
            )
        provinces = {prov.code: prov for prov in self.provinces(lang)}
        for stem, text in self.texts.items():
            self._add(
                SitePage(
                    self.source_path(lang, stem),
                    lang,
                    "source",
                    text.title,
                    None,
                    provinces.get(text.province),
                    None,
                    [b for b in briefings if b.province.code == text.province and b.period.code == text.period],
                )
            )
        if lang == "vi":
            self._add(SitePage("404.html", lang, "notfound", w["notfound"]))

    # -- links -----------------------------------------------------------------------------------

    def counterpart(self, page: SitePage) -> tuple[str, bool]:
        """Return (site path, exists) of `page` in the other language, or that language's home."""
        other = page.path[3:] if page.lang == "en" else f"en/{page.path}"
        if other in self.pages:
            return other, True
        return ("index.html" if page.lang == "en" else "en/index.html"), False

    def nav(self, page: SitePage) -> tuple[list[dict], dict]:
        """Return the navbar items of `page` (text, href, current) and its language switch."""
        items = []
        switch_text = None
        for item in self.config.navbar:
            target = item.page
            if target.startswith("en/"):
                switch_text = item.text
                continue
            if target not in self.pages:
                continue
            path = f"{_prefix(page.lang)}{target}"
            text = NAV_EN.get(target, item.text) if page.lang == "en" else item.text
            items.append({"text": text, "href": rel(page.path, path), "current": path == page.path})
        other, _ = self.counterpart(page)
        other_lang = "vi" if page.lang == "en" else "en"
        text = word(other_lang, "lang_name") if page.lang == "en" else (switch_text or word("en", "lang_name"))
        return items, {"text": text, "href": rel(page.path, other), "lang": other_lang}

    def check_navbar(self) -> list[str]:
        """Return a warning for each navbar target of `_quarto.yml` that is not a page of the site."""
        return [
            f"{self.config.path.name}: website.navbar: {item.href}: không có trang này; bỏ khỏi thanh điều hướng"
            for item in self.config.navbar
            if not item.page.startswith("en/") and item.page not in self.pages
        ]

    # -- the pieces of the bodies ----------------------------------------------------------------

    def meeting_text(self, job: Job) -> str:
        """Return "Sơ kết · ngày 23/07/2021" for a briefing's meeting (empty without one)."""
        if not job.meeting:
            return ""
        text = job.meeting.type_label
        if job.meeting.date:
            text += f" · {word(job.lang, 'meeting_date')} {format_date(job.meeting.date, job.lang)}"
        return text

    def briefing_item(self, page: SitePage, job: Job) -> dict:
        """Return a listing entry for `job` as seen from `page`."""
        return {
            "title": job.title,
            "href": rel(page.path, f"{job.page}.html"),
            "meeting": self.meeting_text(job),
            "pdf": rel(page.path, self.pdf_path(job)),
        }

    def matrix(self, page: SitePage) -> dict:
        """Return the coverage matrix of `page`'s language: periods (oldest first) × provinces."""
        lang = page.lang
        jobs = self.jobs(lang, "briefing", rendered=False)
        periods = sorted({j.period.code: j.period for j in jobs}.values(), key=lambda p: (p.period.start, p.period.end))
        provinces = sorted({j.province.code: j.province for j in jobs}.values(), key=lambda p: p.code)
        cell = {(j.province.code, j.period.code): j for j in jobs}
        rows = []
        for prov in provinces:
            cells = []
            for per in periods:
                job = cell.get((prov.code, per.code))
                if job is None:
                    cells.append({"href": None, "failed": False, "title": ""})
                elif job.rendered:
                    cells.append({"href": rel(page.path, f"{job.page}.html"), "failed": False, "title": job.title})
                else:
                    cells.append({"href": None, "failed": True, "title": f"{job.title}: {word(lang, 'failed')}"})
            rows.append(
                {"name": prov.name(lang), "href": rel(page.path, self.province_path(lang, prov.slug)), "cells": cells}
            )
        return {
            "periods": [
                {"code": per.code, "href": rel(page.path, self.period_path(lang, per.code))} for per in periods
            ],
            "rows": rows,
        }

    def sources(self, page: SitePage) -> dict | None:
        """Return the sources of a notebook page: the public reports, the hash of the data its notebook
        ran with (so that a page whose rows did not change stays the same page, and its PDF the same
        PDF, when another figure changes), the notebook and its parameters."""
        job = page.job
        if job is None:
            return None
        reports = []
        if job.province and job.period:
            for r in self.reports.get((job.province.code, job.period.code), []):
                published = r.published
                if published and len(published) == 10:
                    try:
                        published = format_date(date.fromisoformat(published), page.lang)
                    except ValueError:
                        pass
                stem = r.file.rsplit(".", 1)[0] if r.file else None
                reports.append(
                    {
                        "title": r.title,
                        "url": r.url,
                        "file": r.file,
                        "published": published,
                        "text_href": rel(page.path, self.source_path(page.lang, stem)) if stem in self.texts else None,
                    }
                )
        params = ", ".join(f"{k}={v}" for k, v in sorted(job.params.items()))
        return {
            "briefing": job.notebook == "briefing",
            "reports": reports,
            "data_hash": self.ran_with_hash(job) or self.manifest.data_hash,
            "data_href": rel(page.path, f"{_prefix(page.lang)}data.html"),
            "notebook": f"notebooks/{job.notebook}.ipynb",
            "params": params,
        }

    def source_lines(self, page: SitePage) -> list[str]:
        """Return the sources of a notebook page as plain lines (for the PDF)."""
        s = self.sources(page)
        if s is None:
            return []
        lang = page.lang
        lines = []
        for r in s["reports"]:
            line = f"{word(lang, 'source_report')}: {r['title']}"
            if r["published"]:
                line += f" ({word(lang, 'published')} {r['published']})"
            if r["url"]:
                line += f" — {r['url']}"
            elif r["file"]:
                line += f" — {r['file']}"
            lines.append(line)
        if not lines and s["briefing"]:
            lines.append(word(lang, "source_none"))
        lines.append(f"{word(lang, 'source_data')}: {word(lang, 'source_data_text')} {s['data_hash']}")
        lines.append(f"{word(lang, 'source_notebook')}: {s['notebook']}, {word(lang, 'source_params')} {s['params']}")
        return lines

    def crumbs(self, page: SitePage) -> list[dict]:
        """Return the breadcrumb links above a page's title."""
        p = _prefix(page.lang)
        w = WORDS[page.lang]
        home = {"text": w["home"], "href": rel(page.path, f"{p}index.html")}
        if page.kind == "briefing":
            return [
                home,
                {"text": w["briefings"], "href": rel(page.path, f"{p}briefings/index.html")},
                {
                    "text": page.period.label(page.lang),
                    "href": rel(page.path, self.period_path(page.lang, page.period.code)),
                },
            ]
        if page.kind == "province":
            return [home, {"text": w["provinces"], "href": rel(page.path, f"{p}provinces/index.html")}]
        if page.kind == "period":
            return [home, {"text": w["periods"], "href": rel(page.path, f"{p}periods/index.html")}]
        if page.kind == "home":
            return []
        if page.kind == "source" and page.province:
            return [
                home,
                {
                    "text": page.province.name(page.lang),
                    "href": rel(page.path, self.province_path(page.lang, page.province.slug)),
                },
            ]
        return [home]

    def facts(self, page: SitePage) -> str:
        """Return the line under a briefing's title: province, period, meeting."""
        if page.kind != "briefing":
            return ""
        parts = [page.province.name(page.lang), page.period.label(page.lang)]
        meeting = self.meeting_text(page.job)
        return " · ".join(parts + ([meeting] if meeting else []))

    def fact_links(self, page: SitePage) -> list[dict]:
        """Return the line under a briefing's title as pieces (text, href or None): its province
        page, its period page, its meeting."""
        if page.kind != "briefing":
            return []
        lang = page.lang
        province, period = self.province_path(lang, page.province.slug), self.period_path(lang, page.period.code)
        out = [
            {"text": page.province.name(lang), "href": rel(page.path, province) if province in self.pages else None},
            {"text": page.period.label(lang), "href": rel(page.path, period) if period in self.pages else None},
        ]
        meeting = self.meeting_text(page.job)
        return out + ([{"text": meeting, "href": None}] if meeting else [])

    # -- bodies ----------------------------------------------------------------------------------

    def data_context(self, page: SitePage) -> dict:
        """Return what the data page shows: catalogue, downloads, data hash, packages, jobs."""
        lang = page.lang
        indicators, warnings = read_indicators(self.data_dir, lang)
        self.warnings += [w for w in warnings if w not in self.warnings]
        downloads = [
            {"name": d.name, "rows": d.rows, "size": d.size, "href": rel(page.path, f"data/{d.name}")}
            for _, d in list_downloads(self.data_dir, lang, public=self.manifest.public)
        ]
        jobs = []
        for job in self.manifest.jobs:
            if job.lang != lang:
                continue
            target = f"{job.page}.html"
            # executed now or reused from the cache is the same notebook: the page says "executed" for
            # both, so that the site does not depend on the state of the build cache (reproducible)
            status = "ok" if job.rendered else job.status
            jobs.append(
                {
                    "title": job.title,
                    "href": rel(page.path, target) if target in self.pages else None,
                    "notebook": job.notebook,
                    "status": status,
                    "status_label": word(lang, f"status_{status}"),
                    "params": json.dumps(job.params, ensure_ascii=False, sort_keys=True),
                    "ran_with": self.ran_with(job),
                }
            )
        return {
            "indicators": indicators,
            "downloads": downloads,
            "data_hash": self.manifest.data_hash,
            "packages": list(self.manifest.packages.items()),
            "jobs": jobs,
            "updated": format_date(self.manifest.stamp(), lang),
            "public": self.manifest.public,
        }

    def ran_with(self, job: Job) -> str:
        """Return the first 12 digits of `ran_with_hash(job)`, or ""."""
        return self.ran_with_hash(job)[:12]

    def ran_with_hash(self, job: Job) -> str:
        """Return the data hash the executed notebook of `job` records in `metadata.giaoban`: the data
        it ran with, older than the manifest's for a notebook reused because its rows did not change;
        "" when it records none. Read once per job: every page asks for it up to four times (its
        HTML, its Quarto stage, its PDF's sources, the data pages), and a notebook is megabytes."""
        if job.id not in self._ran_with:
            try:
                with self.manifest.notebook_path(job).open(encoding="utf-8") as fh:
                    meta = json.load(fh)["metadata"].get("giaoban", {})
                value = meta.get("data_hash") if isinstance(meta, dict) else None
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                value = None
            self._ran_with[job.id] = value if isinstance(value, str) else ""
        return self._ran_with[job.id]

    def body_context(self, page: SitePage, *, content: str = "", toc: list | None = None) -> tuple[str, dict]:
        """Return (body template, context) of `page`; `content` is the notebook's HTML, if any."""
        lang = page.lang
        p = _prefix(lang)
        ctx: dict = {"lang": lang, "w": WORDS[lang], "root": rel(page.path, "index.html")[: -len("index.html")]}
        if page.kind == "home":
            ctx.update(
                latest=[self.briefing_item(page, j) for j in self.briefings(lang)[:LATEST]],
                all_briefings=rel(page.path, f"{p}briefings/index.html"),
                matrix=self.matrix(page),
            )
            return "body/home.html.j2", ctx
        if page.kind == "briefings":
            books = self.books(lang)
            groups = []
            for per in self.periods(lang):
                items = [self.briefing_item(page, j) for j in self.briefings(lang) if j.period.code == per.code]
                if items:
                    groups.append(
                        {
                            "title": per.label(lang),
                            "href": rel(page.path, self.period_path(lang, per.code)),
                            "book": rel(page.path, self.book_path(lang, per.code)) if per.code in books else None,
                            "entries": items,
                        }
                    )
            ctx.update(groups=groups, links=[])
            return "body/listing.html.j2", ctx
        if page.kind in ("provinces", "periods"):
            kind = page.kind[:-1]
            links = []
            for target in self.pages.values():
                if target.lang == lang and target.kind == kind:
                    n = len(target.briefings)
                    links.append(
                        {
                            "text": target.province.name(lang) if kind == "province" else target.period.label(lang),
                            "href": rel(page.path, target.path),
                            "meta": count(n, lang, "briefing") if n else "",
                        }
                    )
            ctx.update(groups=[], links=links)
            return "body/listing.html.j2", ctx
        if page.kind == "data":
            ctx.update(self.data_context(page))
            return "body/data.html.j2", ctx
        if page.kind == "source":
            ctx.update(self.source_context(page))
            return "body/source.html.j2", ctx
        if page.kind == "notfound":
            ctx.update(home=rel(page.path, "index.html"), home_en=rel(page.path, "en/index.html"))
            return "body/notfound.html.j2", ctx
        book = None
        if page.kind in ("briefing", "period"):
            code = page.period.code
            if code in self.books(lang):
                book = rel(page.path, self.book_path(lang, code))
        ctx.update(
            meta_line=self.facts(page),
            facts=self.fact_links(page),
            listing_first=page.kind == "province",
            content=Markup(self.link_content(page, content)),
            pdf=rel(page.path, self.pdf_path(page.job)) if page.kind == "briefing" else None,
            book=book,
            toc=toc or [],
            toc_title=self.config.html_toc_title or word(lang, "contents"),
            listing=[self.briefing_item(page, j) for j in page.briefings] if page.kind != "briefing" else None,
            sources=self.sources(page),
        )
        return "body/notebook.html.j2", ctx

    def fragment(self, page: SitePage, **kwargs) -> str:
        """Return the body of `page` alone (no navbar, no title): what a Quarto page embeds."""
        template, ctx = self.body_context(page, **kwargs)
        return self.env.get_template(template).render(ctx)

    def html(self, page: SitePage, **kwargs) -> str:
        """Return the whole HTML of `page` (navbar, title, body, footer)."""
        template, ctx = self.body_context(page, **kwargs)
        nav, switch = self.nav(page)
        css = [
            rel(page.path, f"assets/extra/{Path(c).name}")
            for c in self.config.html_css
            if Path(c).name != "giaoban.css"
        ]
        ctx.update(
            title=page.title,
            site_title=self.site_title(page.lang),
            nav=nav,
            switch=switch,
            counterpart=self.counterpart(page)[1],
            crumbs=self.crumbs(page),
            body=template,
            indexed=page.indexed,
            css=css,
            description=self.description(page),
            title_lang="vi" if page.kind == "source" else page.lang,
            home=rel(page.path, f"{_prefix(page.lang)}index.html"),
            search=page.kind == "home" and self.config.search,
            search_form=self.config.search and page.kind != "notfound",
            footer=(self.config.page_footer if page.lang == "vi" else None) or word(page.lang, "made_with"),
            updated=format_date(self.updated_on(), page.lang),
        )
        return self.env.get_template("page.html.j2").render(ctx)

    def description(self, page: SitePage) -> str:
        """Return the meta description of `page`: one sentence saying what it holds."""
        lang, w = page.lang, WORDS[page.lang]
        if page.kind == "briefing":
            return w["desc_briefing"].format(province=page.province.name(lang), period=page.period.label(lang))
        if page.kind == "province":
            return w["desc_province"].format(province=page.province.name(lang))
        if page.kind == "period":
            return w["desc_period"].format(period=page.period.label(lang))
        if page.kind == "source":
            return w["desc_source"].format(title=page.title)
        return w.get(f"desc_{page.kind}", w["intro"])

    def link_content(self, page: SitePage, content: str) -> str:
        """Return a notebook page's HTML ready for the site: each table in a box that scrolls by itself
        on a narrow screen, each link to a report text (`/sources/<stem>.html#L24`, from the notes)
        made relative to `page`, or plain text when that text is not published; what the notebook put
        in a `.no-index` div (lists of provinces that did not report) kept out of the search index."""

        def source(m: re.Match) -> str:
            stem, line, attrs, text = m.group(1), m.group(2) or "", m.group(3), m.group(4)
            if stem not in self.texts:
                return f"<span{attrs}>{text}</span>"
            return f'<a href="{rel(page.path, self.source_path(page.lang, stem))}{line}"{attrs}>{text}</a>'

        content = _SOURCE_LINK.sub(source, content)
        content = content.replace('<div class="no-index">', '<div class="no-index" data-pagefind-ignore>')
        return _TABLE.sub(lambda m: f'<div class="table-wrap" tabindex="0">{m.group(0)}</div>', content)

    def source_context(self, page: SitePage) -> dict:
        """Return what the page of a report text shows: the report, links back to its pages, and the
        text line by line (`id="L24"`), the verbatim quotes of the data marked."""
        stem = page.path.rsplit("/", 1)[-1][: -len(".html")]
        text = self.texts[stem]
        lang = page.lang
        back = [self.briefing_item(page, j) for j in page.briefings]
        province = (
            {"text": page.province.name(lang), "href": rel(page.path, self.province_path(lang, page.province.slug))}
            if page.province and self.province_path(lang, page.province.slug) in self.pages
            else None
        )
        return {
            "text": text,
            "lines": Markup(source_lines(text)),
            "back": back,
            "province_link": province,
            "n_quotes": len(text.quotes),
        }

    def extra_files(self) -> dict[str, str]:
        """Return the files the site holds besides its pages (site path → text): the favicon, the
        navbar's script and `sitemap.xml` (every page but the 404, absolute addresses when
        `website.site-url` is set, else relative to the sitemap)."""
        out = {path: (TEMPLATES / "site" / name).read_text(encoding="utf-8") for path, name in EXTRA_ASSETS.items()}
        base = (self.config.site_url or "").rstrip("/")
        lines = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        ]
        for path in sorted(self.pages):
            if self.pages[path].kind == "notfound":
                continue
            lines.append(f"<url><loc>{escape(f'{base}/{path}' if base else path)}</loc></url>")
        out["sitemap.xml"] = "\n".join(lines + ["</urlset>", ""])
        return out

    def search_index(self) -> str:
        """Return `assets/search-index.js`: titles and folded keywords of the indexed pages, for the
        search box when the site is opened from files (where Pagefind cannot load its index)."""
        entries = []
        for page in self.pages.values():
            if not page.indexed:
                continue
            words = [page.title]
            if page.province:
                words += [page.province.name_vi, page.province.name_en]
            if page.period:
                words += [page.period.label_vi, page.period.label_en, page.period.code]
            if page.job and page.job.meeting:
                words.append(page.job.meeting.type_label)
            entries.append({"u": page.path, "t": page.title, "k": fold(" ".join(words)), "l": page.lang})
        text = json.dumps(entries, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
        return "window.GIAOBAN_SEARCH = " + text.replace("</", "<\\/") + ";\n"


def source_lines(text: SourceText) -> str:
    """Return the HTML of a report text: one `<span class="line" id="L<n>">` per line, with its number
    as a link to itself, and the first occurrence of each quote of `text.quotes` in `<mark>` (a quote
    over several lines is marked on each)."""
    body = text.text
    ranges = []
    for quote in text.quotes:
        at = body.find(quote)
        if at >= 0:
            ranges.append((at, at + len(quote)))
    ranges.sort()
    merged: list[list[int]] = []
    for start, end in ranges:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out = []
    offset = 0
    for n, line in enumerate(body.split("\n"), 1):
        start, end = offset, offset + len(line)
        pieces, at = [], start
        for a, b in merged:
            if b <= start or a >= end:
                continue
            a, b = max(a, start), min(b, end)
            pieces.append(str(escape(body[at:a])))
            pieces.append(f"<mark>{escape(body[a:b])}</mark>")
            at = b
        pieces.append(str(escape(body[at:end])))
        out.append(f'<span class="line" id="L{n}"><a class="ln" href="#L{n}">{n}</a>{"".join(pieces)}</span>')
        offset = end + 1
    return "".join(out)
