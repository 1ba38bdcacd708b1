"""The renderer: manifest and `_quarto.yml` reading, notebook conversion, pages, PDF books, Quarto staging.

The site is rendered once per test process from small notebooks executed with nbclient
(tests/fixtures/render/); they carry what the real Quảng Ngãi 2021-H1 briefing carries: Vietnamese
text, `1.287`, `50.074.800 đồng`, a matplotlib chart, a Markdown table, a `<script>` line from data.
"""

from __future__ import annotations

import base64
import copy
import io
import json
import os
import re
import shutil
import stat
import struct
import threading
import unicodedata
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
import typst
import yaml
from pypdf import PdfReader
from typer.testing import CliRunner

from giaoban.cli import app
from giaoban.publish import (SUPPORTED_KEYS, ConfigError, ManifestError, RenderError, make_server,
                            read_config, read_manifest, render_site)
from giaoban.publish.config import TYPST_FONTS, rendered_by_quarto
from giaoban.publish.notebook import read_notebook, to_html, to_typst

from fixtures.render.executed import DATA
from fixtures.render.session import CONFIG, rendered

BRIEFING = "briefings/2021-H1/51-quang-ngai"
# Every Vietnamese vowel with each tone, and đ, upper and lower case.
_BASES, _TONES = "aăâeêioôơuưy", ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
VIETNAMESE = "".join(unicodedata.normalize("NFC", b + t) for b in _BASES for t in _TONES) + "đ"
VIETNAMESE += VIETNAMESE.upper()


@pytest.fixture(scope="module")
def r(tmp_path_factory):
    return rendered(tmp_path_factory)


class _Text(HTMLParser):
    """The visible text of a page's <main> and its <script> tags."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []
        self.scripts: list[dict] = []
        self.images: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
        if tag == "script":
            self.scripts.append(dict(attrs))
        if tag == "img":
            self.images.append(dict(attrs))

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.parts))


def page(site: Path, path: str) -> _Text:
    p = _Text()
    p.feed((site / path).read_text(encoding="utf-8"))
    return p


def pdf_text(path: Path) -> str:
    return "\n".join(pg.extract_text() for pg in PdfReader(path).pages)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# -- the manifest -------------------------------------------------------------------------------

def _manifest(tmp_path: Path, **change) -> Path:
    job = {"id": "b", "notebook": "briefing", "page": BRIEFING,
           "params": {"province": "51", "period": "2021-H1", "lang": "vi"}, "title": "Quảng Ngãi — 6 tháng đầu năm 2021",
           "province": {"code": "51", "slug": "51-quang-ngai", "name_vi": "Quảng Ngãi", "name_en": "Quang Ngai"},
           "period": {"code": "2021-H1", "label_vi": "6 tháng đầu năm 2021", "label_en": "first half of 2021"},
           "meeting": {"type": "so_ket", "type_label": "Sơ kết", "date": "2021-07-23"},
           "lang": "vi", "status": "failed", "executed": f"{BRIEFING}.ipynb"}
    data = {"generated_from": {"data_hash": "h", "packages": {"pandas": "3"}}, "jobs": [job]}
    for dotted, value in change.items():
        node, *keys = dotted.split("__")
        target = data if node == "top" else job
        for k in keys[:-1]:
            target = target[k]
        target[keys[-1]] = value
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_manifest_reader_accepts_the_contract(tmp_path):
    m = read_manifest(_manifest(tmp_path))
    assert m.jobs[0].province.name_vi == "Quảng Ngãi" and m.jobs[0].period.code == "2021-H1"
    assert m.failed_jobs() == list(m.jobs) and m.rendered_jobs() == []
    assert m.stamp() is None  # no build_date: no "made on" date at all, never a meeting's, never the clock
    dated = read_manifest(_manifest(tmp_path, top__build_date="2026-12-07"))
    assert str(dated.stamp()) == "2026-12-07"


@pytest.mark.parametrize("change, field", [
    ({"job__status": "done"}, "jobs[0].status"),
    ({"job__notebook": "report"}, "jobs[0].notebook"),
    ({"job__lang": "fr"}, "jobs[0].lang"),
    ({"job__page": "briefings/2021-H1/quang-ngai"}, "jobs[0].page"),
    ({"job__period__code": "2021-H3"}, "jobs[0].period.code"),
    ({"job__meeting__date": "23/07/2021"}, "jobs[0].meeting.date"),
    ({"job__province": None}, "jobs[0].province"),
    ({"job__executed": "../../etc/passwd.ipynb"}, "jobs[0].executed"),
    ({"job__status": "ok"}, "jobs[0].executed"),  # ok, but no executed notebook beside the manifest
    ({"top__jobs": {}}, "jobs"),
    ({"top__generated_from": None}, "generated_from"),
])
def test_manifest_reader_refuses_a_malformed_manifest_naming_the_field(tmp_path, change, field):
    with pytest.raises(ManifestError) as e:
        read_manifest(_manifest(tmp_path, **change))
    assert f"manifest.json:{field}:" in str(e.value)


def test_manifest_reader_refuses_missing_and_broken_files(tmp_path):
    with pytest.raises(ManifestError, match="không có manifest"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ManifestError, match="không đọc được JSON"):
        read_manifest(tmp_path)


def test_manifest_reader_refuses_two_jobs_for_one_page(tmp_path):
    path = _manifest(tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["jobs"].append(copy.deepcopy(data["jobs"][0]))
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ManifestError, match=r"jobs\[1\]\.page: trùng trang"):
        read_manifest(path)


# -- _quarto.yml ----------------------------------------------------------------------------------

def test_the_project_config_is_a_quarto_website_the_builtin_renderer_reads_whole():
    cfg = read_config(CONFIG)
    assert cfg.warnings == []
    assert cfg.title and cfg.lang == "vi" and cfg.output_dir == "_site" and cfg.search
    assert [i.text for i in cfg.navbar] == ["Trang chủ", "Bản tin", "Tỉnh", "Kỳ báo cáo", "Dữ liệu", "English"]
    assert not cfg.echo and not cfg.warning
    raw = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    assert raw["execute"]["enabled"] is False and raw["execute"]["freeze"] is True
    assert set(raw["format"]) == {"html", "typst"}
    assert cfg.typst.paper == "a4" and cfg.typst.toc and cfg.typst.mainfont in TYPST_FONTS


def test_config_warns_once_per_unsupported_key_and_refuses_bad_values(tmp_path):
    path = tmp_path / "_quarto.yml"
    path.write_text("project: {type: website}\nformat:\n  html: {theme: cosmo, toc: true}\n"
                    "website:\n  navbar:\n    left: [{text: A, href: a.qmd, icon: house}]\n"
                    "bibliography: refs.bib\n", encoding="utf-8")
    warnings = read_config(path).warnings
    assert [w.split(":")[1].strip() for w in warnings] == ["format.html.theme", "website.navbar.left[0].icon",
                                                            "bibliography"]
    path.write_text("project: {type: book}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="project.type"):
        read_config(path)
    path.write_text("project: {type: website}\nformat: {typst: {fontsize: huge}}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="format.typst.fontsize"):
        read_config(path)
    assert "format.typst.papersize" in SUPPORTED_KEYS and "website.navbar.left[].href" in SUPPORTED_KEYS


def test_project_render_selects_the_staged_pages_and_not_the_source_notebooks():
    cfg = read_config(CONFIG)
    for source in (f"{BRIEFING}.ipynb", "index.qmd", "data.qmd", "provinces/51-quang-ngai.ipynb",
                   "periods/2021-H1.qmd", "en/index.qmd", f"en/{BRIEFING}.ipynb"):
        assert rendered_by_quarto(cfg, source), source
    for source in ("notebooks/briefing.ipynb", "README.md", "docs/rendering.qmd"):
        assert not rendered_by_quarto(cfg, source), source


# -- notebooks ------------------------------------------------------------------------------------

def test_markdown_is_read_without_raw_html_and_without_unsafe_attributes(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Tiêu đề\n\n<b>đậm</b> <script>alert(1)</script>\n\n"
                                      "```{=html}\n<script>alert(2)</script>\n```\n\n"
                                      "::: {.note onclick=\"alert(3)\"}\nGhi chú\n:::\n\n"
                                      "[bấm](javascript:alert(4)) [trang](../x.html) [mục](#không-có)\n\n## Mục"),
        nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output(
            "display_data", data={"text/markdown": "<img src=x onerror=alert(5)>", "text/plain": "<IPython.core.display.Markdown object>"})]),
    ])
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, str(path))
    doc = read_notebook(path)
    html = to_html(doc, "n_files")
    assert doc.heading_title == "Tiêu đề" and "<h1" not in html  # the title comes from the manifest
    assert "&lt;b&gt;đậm&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(5)&gt;" in html
    assert "<script" not in html and "onclick" not in html and "javascript:" not in html
    assert "<img" not in html and "IPython" not in html
    assert '<h2 id="mục">Mục</h2>' in html
    body = to_typst(doc, "c1")
    # a link to a missing anchor or another page is plain text in the PDF (Typst would refuse it)
    assert "#link" not in body and "<c1-mục>" in body


# -- the site -------------------------------------------------------------------------------------

def test_render_writes_the_pages_the_pdfs_and_the_books(r):
    site = r.site
    assert r.report.renderer == "builtin" and r.report.warnings == []
    expected = ["index.html", "data.html", "briefings/index.html", "provinces/index.html", "periods/index.html",
                f"{BRIEFING}.html", f"{BRIEFING}.pdf", "briefings/2021-H1/15-yen-bai.pdf",
                "briefings/2019-H1/46-thua-thien-hue.html", "provinces/51-quang-ngai.html", "periods/2021-H1.html",
                "provinces/46-thua-thien-hue.html", "periods/2019-H1.html", "books/2021-H1.pdf", "books/2019-H1.pdf",
                "en/index.html", f"en/{BRIEFING}.html", f"en/{BRIEFING}.pdf", "en/books/2021-H1.pdf",
                "en/data.html", "data/reports.csv", "data/observations.csv", "pagefind/pagefind-ui.js"]
    assert [p for p in expected if not (site / p).is_file()] == []
    # the failed job is listed, not rendered; its province still has a page (the matrix links it)
    assert not (site / "briefings/2018-FY/38-thanh-hoa.html").exists()
    assert r.report.skipped == ["briefings/2018-FY/38-thanh-hoa (briefings/2018-FY/38-thanh-hoa.ipynb)"]
    assert (site / "provinces/38-thanh-hoa.html").is_file()
    assert (site / "data/reports.csv").read_bytes() == (DATA / "reports.csv").read_bytes()
    assert r.report.lines()[0].startswith("Trình dựng: builtin")


def test_briefing_page_shows_the_figures_the_vietnamese_way_and_hides_code(r):
    p = page(r.site, f"{BRIEFING}.html")
    for text in ("Quảng Ngãi — 6 tháng đầu năm 2021", "1.287", "50.074.800 đồng", "Sơ kết · ngày 23/07/2021",
                 "Phương tiện đo được kiểm định", "Nhiệm vụ trọng tâm"):
        assert text in p.text, text
    for hidden in ("FIGURES", "display(", "import ", "REMOVED-CELL-SENTINEL", "REMOVED-OUTPUT-SENTINEL",
                   "STDERR-SENTINEL", "IPython"):
        assert hidden not in p.text, hidden
    assert unicodedata.is_normalized("NFC", p.text)


def test_script_from_data_shows_as_text_and_no_page_runs_inline_script(r):
    html = (r.site / f"{BRIEFING}.html").read_text(encoding="utf-8")
    assert "Ghi chú: &lt;script&gt;alert(1)&lt;/script&gt; và &lt;b&gt;không đậm&lt;/b&gt;" in html
    assert "Nguồn dữ liệu: &lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "Ghi chú: <script>alert(1)</script> và <b>không đậm</b>" in page(r.site, f"{BRIEFING}.html").text
    allowed = {"assets/search-index.js", "pagefind/pagefind-ui.js", "assets/search.js", "assets/nav.js"}  # nav.js: the phone menu
    for path in r.site.rglob("*.html"):
        if "pagefind" in path.parts:
            continue
        for script in page(r.site, path.relative_to(r.site).as_posix()).scripts:
            target = (path.parent / script.get("src", "")).resolve().relative_to(r.site.resolve()).as_posix()
            assert "src" in script and target in allowed, (path, script)
    data = (r.site / "data.html").read_text(encoding="utf-8")
    assert "mô tả có &lt;script&gt;alert(&#39;csv&#39;)&lt;/script&gt; phải hiện thành chữ" in data


def test_chart_keeps_its_resolution_and_width(r):
    nb = nbformat.read(str(r.executed / f"{BRIEFING}.ipynb"), as_version=4)
    out = next(o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if "image/png" in o.get("data", {}))
    width = out["metadata"]["image/png"]["width"]
    img = next(i for i in page(r.site, f"{BRIEFING}.html").images)
    assert img["width"] == str(width) and img["alt"]
    png = (r.site / "briefings/2021-H1" / img["src"]).read_bytes()
    assert png == base64.b64decode(out["data"]["image/png"])  # the PNG as it came
    assert struct.unpack(">I", png[16:20])[0] >= 2 * width - 2  # retina: twice the displayed width


def test_briefing_pdf_is_an_a4_book_with_cover_contents_header_page_numbers_and_sources(r):
    reader = PdfReader(r.site / f"{BRIEFING}.pdf")
    pages = [pg.extract_text() for pg in reader.pages]
    assert all(round(float(pg.mediabox.width)) == 595 and round(float(pg.mediabox.height)) == 842
               for pg in reader.pages)
    cover = squash(pages[0])
    for text in ("Quảng Ngãi", "6 tháng đầu năm 2021", "Sơ kết · ngày 23/07/2021", "Ngày lập: 02/08/2021"):
        assert text in cover, text
    # the briefing starts right after the cover (what a leader reads first); its contents come last,
    # or at the start of its annex when it has one
    assert "Mục lục" not in pages[1] and "Tổng quan" in pages[1]
    assert "Mục lục" in pages[-1] and "Kết quả theo lĩnh vực" in pages[-1]
    for number, text in enumerate(pages[1:], start=1):
        first = text.splitlines()[0]
        assert first.startswith("Quảng Ngãi — 6 tháng đầu năm 2021"), first  # running header
        assert text.rstrip().endswith(str(number)), text[-40:]  # page number in the footer
    body = squash(" ".join(pages[1:]))
    for text in ("1.287", "50.074.800 đồng", "Ghi chú: <script>alert(1)</script>", "Nguồn gốc bản tin",
                 "Hội nghị sơ kết công tác 6 tháng đầu năm 2021", "sha256:fixture0123456789"):
        assert text in body, text
    assert "REMOVED-CELL-SENTINEL" not in body and "FIGURES" not in body
    assert reader.metadata["/CreationDate"].startswith("D:20210802")  # the manifest's date, not the clock
    assert any("/XObject" in pg["/Resources"] for pg in reader.pages)  # the chart


def test_pdf_text_is_the_vietnamese_of_the_page(r):
    html_words = page(r.site, f"{BRIEFING}.html").text.split("Chữ tiếng Việt")[-1].split("Nhiệm vụ")[0].strip()
    assert html_words.replace(" ", "") == VIETNAMESE
    raw = pdf_text(r.site / f"{BRIEFING}.pdf")
    assert unicodedata.is_normalized("NFC", raw) and "\ufffd" not in raw  # nothing decomposed, no tofu
    assert html_words in squash(unicodedata.normalize("NFC", raw))
    reader = PdfReader(r.site / f"{BRIEFING}.pdf")
    fonts = {}
    for pg in reader.pages:
        for f in pg["/Resources"].get("/Font", {}).values():
            f = f.get_object()
            desc = f["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            fonts[f["/BaseFont"]] = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert fonts and all(fonts.values()), fonts  # every font embedded
    assert any("NewCM" in name for name in fonts)


@pytest.mark.parametrize("font", ["New Computer Modern"])
def test_the_pdf_font_has_every_vietnamese_letter_in_every_style(font):
    # fallback off: a letter the font lacks would be missing from the extracted text
    for weight in ("regular", "bold"):
        for style in ("normal", "italic"):
            src = f'#set text(font: "{font}", fallback: false, weight: "{weight}", style: "{style}")\n{VIETNAMESE}\n'
            pdf = typst.compile(src.encode("utf-8"), ignore_system_fonts=True)
            assert PdfReader(io.BytesIO(pdf)).pages[0].extract_text().strip() == VIETNAMESE, (weight, style)


def _book_contents(reader: PdfReader, titles: list[str]) -> dict[str, int]:
    """The page (1-based) the book's table of contents gives each of `titles`, in their order there."""
    front = " ".join(squash(pg.extract_text()) for pg in reader.pages[:3])
    found = {t: re.search(re.escape(t) + r"[ .]*(\d+)", front) for t in titles}
    assert all(found.values()), front
    assert sorted(titles, key=lambda t: found[t].start()) == titles, front  # listed in the book's order
    return {t: int(m[1]) for t, m in found.items()}


def _dest_page(reader: PdfReader, dest) -> int:
    """The page index (0-based) a link's /Dest array points to."""
    ids = [pg.indirect_reference.idnum for pg in reader.pages]
    return ids.index(dest[0].idnum)


def test_period_book_is_its_cover_and_contents_then_each_briefing_pdf_whole(r):
    """The book is a front matter (cover, contents) typeset by Typst, then the briefings' own PDFs,
    appended page for page, by province code: 15 Yên Bái, then 51 Quảng Ngãi."""
    book = PdfReader(r.site / "books/2021-H1.pdf")
    pages = [squash(pg.extract_text()) for pg in book.pages]
    for text in ("Sổ tay giao ban cả kỳ", "6 tháng đầu năm 2021", "Giao ban KH&CN các tỉnh",
                 "Gồm các tỉnh: Yên Bái, Quảng Ngãi", "Ngày lập: 02/08/2021"):
        assert text in pages[0], text
    assert "Mục lục" in pages[1] and pages[1].startswith("6 tháng đầu năm 2021")  # the running header
    # the country's chapter (the period's page) first, then the briefings
    chapters = {"Cả nước — 6 tháng đầu năm 2021": "periods/2021-H1.pdf",
                "Yên Bái — 6 tháng đầu năm 2021": "briefings/2021-H1/15-yen-bai.pdf",
                "Quảng Ngãi — 6 tháng đầu năm 2021": f"{BRIEFING}.pdf"}
    starts = _book_contents(book, list(chapters))
    first = starts["Cả nước — 6 tháng đầu năm 2021"]
    assert first == 3  # the cover is page 1, the contents page 2
    end = first - 1
    for title, pdf in chapters.items():
        source = PdfReader(r.site / pdf)
        own = [squash(pg.extract_text()) for pg in source.pages]
        start = starts[title] - 1
        assert start == end, title  # each chapter starts where the contents say, right after the one before
        for k, text in enumerate(own):  # every page of the briefing, its text as it is but its page number,
            number = re.search(r" \d+$", text)  # which is the page's place in the book
            mine = pages[start + k]
            if number:
                assert mine == text[:number.start()] + f" {start + k + 1}", (title, k)
            else:
                assert mine == text, (title, k)
        assert "Sổ tay giao ban" in pages[start] and title.split(" — ")[0] in pages[start]  # its own cover
        # its own contents still link to its headings (pypdf alone drops the links to Vietnamese names)
        linked = 0
        for k, own_page in enumerate(source.pages):
            links = [a.get_object() for a in book.pages[start + k].get("/Annots", [])]
            assert len(links) == len(own_page.get("/Annots", [])), (title, k)
            assert all(start <= _dest_page(book, a["/Dest"]) < start + len(own) for a in links if "/Dest" in a)
            linked += sum("/Dest" in a for a in links)
        assert linked >= 3, title
        end = start + len(own)
    assert end == len(pages)
    # one bookmark a chapter, at its first page, with the briefing's own bookmarks under it
    top = [item for item in book.outline if not isinstance(item, list)]
    assert [(o.title, book.get_destination_page_number(o) + 1) for o in top] == list(starts.items())
    children = [item for item in book.outline if isinstance(item, list)]
    assert len(children) == 3 and all("Nguồn gốc bản tin" in [c.title for c in kids if not isinstance(c, list)]
                                      for kids in children)
    # each line of the contents links to its chapter's first page
    links = [a.get_object() for a in book.pages[1].get("/Annots", [])]
    assert {_dest_page(book, a["/Dest"]) + 1 for a in links} == set(starts.values())
    meta = book.metadata
    assert meta.title == "Giao ban KH&CN các tỉnh — 6 tháng đầu năm 2021" and meta.author == "Giao ban KH&CN các tỉnh"
    assert meta["/CreationDate"] == meta["/ModDate"] == "D:20210802000000Z"  # the manifest's date, not the clock
    assert book.trailer["/Root"]["/Lang"] == "vi" and book.trailer["/Root"]["/PageMode"] == "/UseOutlines"
    assert all(round(float(pg.mediabox.width)) == 595 for pg in book.pages)


def test_the_english_book_has_english_words_and_its_briefings(r):
    book = PdfReader(r.site / "en/books/2021-H1.pdf")
    pages = [squash(pg.extract_text()) for pg in book.pages]
    assert "Briefing book of the period" in pages[0] and "Provinces: Quang Ngai" in pages[0]
    assert "Contents" in pages[1] and "Mục lục" not in pages[1]
    own = [squash(pg.extract_text()) for pg in PdfReader(r.site / f"en/{BRIEFING}.pdf").pages]
    start = _book_contents(book, ["Quang Ngai — first half of 2021"])["Quang Ngai — first half of 2021"] - 1
    assert [re.sub(r" \d+$", "", p) for p in pages[start:]] == [re.sub(r" \d+$", "", p) for p in own]
    assert book.trailer["/Root"]["/Lang"] == "en"


def _book(r, tmp_path: Path, chapters, name: str = "book") -> Path:
    from giaoban.publish.config import TypstOptions
    from giaoban.publish.pdf import Cover, write_period_book

    out = tmp_path / f"{name}.pdf"
    warnings = write_period_book(
        out, chapters, cover=Cover("Sổ tay giao ban cả kỳ", "6 tháng đầu năm 2021", "Giao ban KH&CN các tỉnh",
                                   ("Gồm các tỉnh: …",), "Ngày lập: 02/08/2021"),
        title="Giao ban — 2021-H1", header="6 tháng đầu năm 2021", site="Giao ban KH&CN các tỉnh", lang="vi",
        toc_title="Mục lục", options=TypstOptions(), stamp=read_manifest(r.executed).stamp(),
        work_dir=tmp_path / f"work-{name}", name=f"books/{name}.pdf")
    assert warnings == []
    return out


def _chapters(r, n: int):
    from giaoban.publish.pdf import BookChapter

    sources = [r.site / "briefings/2021-H1/15-yen-bai.pdf", r.site / f"{BRIEFING}.pdf"]
    return [BookChapter.read("books/x.pdf", f"Tỉnh số {i:02d}", sources[i % 2], f"b/{i}.pdf") for i in range(n)]


def test_a_long_contents_gives_the_right_pages_and_the_same_bytes_twice(r, tmp_path):
    """Forty-five chapters: the contents take two pages, which moves every chapter by one (the front
    matter is typeset again with its real length)."""
    chapters = _chapters(r, 45)
    out = _book(r, tmp_path, chapters)
    book = PdfReader(out)
    titles = [c.title for c in chapters]
    starts = _book_contents(book, titles)
    assert "Tỉnh số 44" not in squash(book.pages[1].extract_text())  # the contents go on to a second page
    lengths = [len(PdfReader(io.BytesIO(c.data)).pages) for c in chapters]
    assert list(starts.values()) == [4 + sum(lengths[:i]) for i in range(45)]  # cover, two contents pages
    firsts = {i: squash(PdfReader(io.BytesIO(c.data)).pages[0].extract_text()) for i, c in enumerate(chapters)}
    assert all(squash(book.pages[starts[t] - 1].extract_text()) == firsts[i] for i, t in enumerate(titles))
    assert len(book.pages) == 3 + sum(lengths)
    assert [book.get_destination_page_number(o) + 1 for o in book.outline if not isinstance(o, list)] == \
        list(starts.values())
    # the same PDFs give the same bytes (the /ID is the content's); another PDF, another /ID
    assert _book(r, tmp_path, chapters, "again").read_bytes() == out.read_bytes()
    other = _book(r, tmp_path, chapters[:44] + chapters[:1], "other")
    assert PdfReader(other).trailer["/ID"] != book.trailer["/ID"]
    assert not list(tmp_path.glob(".*.tmp"))  # written through a temporary file, renamed


def test_links_to_vietnamese_headings_inside_a_chapter_still_lead_there_in_the_book(r, tmp_path):
    """Typst names a heading's destination by its label, in UTF-8 ("số-liệu-chính-của-kỳ"), which
    pypdf cannot read as text: appended as they are, such links are dropped."""
    from giaoban.publish.pdf import BookChapter

    source = ("#link(<số-liệu-chính-của-kỳ>)[Số liệu chính của kỳ] #link(<khởi-nghiệp>)[Khởi nghiệp]\n"
              "#pagebreak()\n= Số liệu chính của kỳ <số-liệu-chính-của-kỳ>\n#pagebreak()\n= Khởi nghiệp <khởi-nghiệp>\n")
    chapter = typst.compile(source.encode("utf-8"), ignore_system_fonts=True)
    book = PdfReader(_book(r, tmp_path, [BookChapter("Quảng Ngãi", "briefings/x.pdf", chapter)]))
    start = _book_contents(book, ["Quảng Ngãi"])["Quảng Ngãi"] - 1
    links = [a.get_object() for a in book.pages[start].get("/Annots", [])]
    assert sorted(_dest_page(book, a["/Dest"]) - start for a in links) == [1, 2]


def test_a_missing_or_broken_briefing_pdf_is_refused_naming_it(r, tmp_path):
    from giaoban.publish.pdf import BookChapter

    with pytest.raises(RenderError) as e:
        BookChapter.read("books/2021-H1.pdf", "Yên Bái", tmp_path / "none.pdf", "briefings/2021-H1/15-yen-bai.pdf")
    assert str(e.value) == "books/2021-H1.pdf: thiếu bản PDF của bản tin briefings/2021-H1/15-yen-bai.pdf"
    chapters = _chapters(r, 2)
    for broken in (b"", chapters[1].data[: len(chapters[1].data) // 2], b"%PDF-1.7\nnot a PDF"):
        bad = BookChapter(chapters[1].title, "briefings/2021-H1/51-quang-ngai.pdf", broken)
        with pytest.raises(RenderError, match=r"^books/book\.pdf: không đọc được bản PDF của bản tin "
                                              r"briefings/2021-H1/51-quang-ngai\.pdf \("):
            _book(r, tmp_path, [chapters[0], bad])
    assert not (tmp_path / "book.pdf").exists()


def test_a_briefing_pdf_missing_when_the_book_is_made_fails_the_render_naming_it(r, tmp_path, monkeypatch):
    from giaoban.publish import pipeline

    made = pipeline._Builder.briefing_pdf

    def and_lost(self, out, *args, **kwargs):
        made(self, out, *args, **kwargs)
        if out == "briefings/2021-H1/15-yen-bai.pdf":
            (self.tmp / out).unlink()

    monkeypatch.setattr(pipeline._Builder, "briefing_pdf", and_lost)
    with pytest.raises(RenderError) as e:
        render_site(r.executed, tmp_path / "site", "builtin", data_dir=DATA, config=CONFIG)
    assert str(e.value) == "books/2021-H1.pdf: thiếu bản PDF của bản tin briefings/2021-H1/15-yen-bai.pdf"
    assert not (tmp_path / "site").exists()


def test_province_period_and_listing_pages_link_their_briefings(r):
    prov = (r.site / "provinces/51-quang-ngai.html").read_text(encoding="utf-8")
    assert "Mã tỉnh theo Tổng cục Thống kê" in prov and 'href="../briefings/2021-H1/51-quang-ngai.html"' in prov
    per = (r.site / "periods/2021-H1.html").read_text(encoding="utf-8")
    assert 'href="../briefings/2021-H1/15-yen-bai.html"' in per and 'href="../books/2021-H1.pdf"' in per
    home = (r.site / "index.html").read_text(encoding="utf-8")
    assert 'href="briefings/2021-H1/51-quang-ngai.html" title="Quảng Ngãi — 6 tháng đầu năm 2021"' in home
    assert 'title="Thanh Hóa — năm 2018: sổ tay chạy lỗi"' in home  # a failed job: a mark, no link
    assert home.index("Quảng Ngãi — 6 tháng đầu năm 2021") < home.index("Thừa Thiên Huế — 6 tháng đầu năm 2019")


def test_english_pages_live_under_en_with_a_language_switch(r):
    vi = (r.site / f"{BRIEFING}.html").read_text(encoding="utf-8")
    en = (r.site / f"en/{BRIEFING}.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in en and "Quang Ngai — first half of 2021" in en
    assert 'class="lang-switch" href="../../en/briefings/2021-H1/51-quang-ngai.html"' in vi
    assert 'class="lang-switch" href="../../../briefings/2021-H1/51-quang-ngai.html"' in en
    assert ">Briefings</a>" in en and ">Bản tin</a>" in vi
    # a page without an English counterpart switches to the English home
    assert 'class="lang-switch" href="../../en/index.html"' in (r.site / "briefings/2021-H1/15-yen-bai.html").read_text(encoding="utf-8")


def test_data_page_has_catalogue_downloads_method_and_environment(r):
    p = page(r.site, "data.html")
    for text in ("Phương tiện đo được kiểm định", "tdc.instruments_verified", "observations.csv", "2 dòng",
                 "sha256:fixture0123456789", "matplotlib", "3.11.2", '{"lang": "vi", "period": "2021-H1", "province": "51"}',
                 "tệp:dòng:cột"):
        assert text in p.text, text
    assert "Measuring instruments verified" in page(r.site, "en/data.html").text


# -- the Quarto project ---------------------------------------------------------------------------

def test_staged_quarto_project_holds_the_config_and_every_page(r):
    stage = r.stage
    assert (stage / "_quarto.yml").read_bytes() == CONFIG.read_bytes()
    cfg = read_config(stage / "_quarto.yml")
    for html in (p.relative_to(r.site).as_posix() for p in r.site.rglob("*.html")):
        if html.startswith("pagefind/"):
            continue
        stem = html[: -len(".html")]
        sources = [s for s in (f"{stem}.ipynb", f"{stem}.qmd") if (stage / s).is_file()]
        assert len(sources) == 1 and rendered_by_quarto(cfg, sources[0]), html
    nb = nbformat.read(str(stage / f"{BRIEFING}.ipynb"), as_version=4)
    assert nb.cells[0].cell_type == "raw" and yaml.safe_load(nb.cells[0].source.strip("-\n"))["title"] == \
        "Quảng Ngãi — 6 tháng đầu năm 2021"
    assert "REMOVED-CELL-SENTINEL" not in json.dumps(nb) and "REMOVED-OUTPUT-SENTINEL" not in json.dumps(
        [c.get("outputs") for c in nb.cells])
    assert nb.cells[-1].metadata["raw_mimetype"] == "text/html" and "Nguồn gốc bản tin" in nb.cells[-1].source
    index = (stage / "index.qmd").read_text(encoding="utf-8")
    assert index.startswith("---\ntitle: Giao ban KH&CN các tỉnh\nformat: html\n---") and "```{=html}" in index
    assert (stage / "data/reports.csv").is_file() and (stage / "assets/giaoban.css").is_file()


def _fake_quarto(bin_dir: Path) -> None:
    """A `quarto` that renders like Quarto would, minimally: an index.html per .qmd/.ipynb."""
    script = bin_dir / "quarto"
    script.write_text(
        "#!/usr/bin/env python3\n"
        "import sys, pathlib\n"
        "args = sys.argv[1:]\n"
        "assert args[0] == 'render', args\n"
        "stage, out = pathlib.Path(args[1]), pathlib.Path(args[args.index('--output-dir') + 1])\n"
        "assert (stage / '_quarto.yml').is_file()\n"
        "for src in list(stage.rglob('*.qmd')) + list(stage.rglob('*.ipynb')):\n"
        "    rel = src.relative_to(stage).with_suffix('.html')\n"
        "    (out / rel).parent.mkdir(parents=True, exist_ok=True)\n"
        "    (out / rel).write_text('<!DOCTYPE html><html lang=\"vi\"><body><main data-pagefind-body>'\n"
        "                           '<h1>Quảng Ngãi</h1></main></body></html>', encoding='utf-8')\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


def test_auto_renderer_uses_quarto_when_the_command_exists(r, tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _fake_quarto(bin_dir)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    report = render_site(r.executed, tmp_path / "site", "auto", data_dir=DATA, config=CONFIG)
    assert report.renderer == "quarto" and "quarto" in report.reason
    site = tmp_path / "site"
    assert (site / f"{BRIEFING}.html").is_file() and (site / "index.html").is_file()
    # what Quarto cannot make: the books (and with them the briefings' PDFs), the search index
    assert (site / "books/2021-H1.pdf").is_file() and (site / f"{BRIEFING}.pdf").is_file()
    assert (site / "pagefind/pagefind-entry.json").is_file()


def test_auto_renderer_falls_back_to_builtin_and_quarto_is_refused_without_quarto(r, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no quarto here
    with pytest.raises(RenderError, match="không tìm thấy lệnh quarto"):
        render_site(r.executed, tmp_path / "site", "quarto", data_dir=DATA, config=CONFIG)
    with pytest.raises(RenderError, match="trình dựng không có"):
        render_site(r.executed, tmp_path / "site", "pandoc", data_dir=DATA, config=CONFIG)
    assert not (tmp_path / "site").exists()


# -- failures and serving -------------------------------------------------------------------------

def test_a_failed_render_leaves_the_previous_site_whole(r, tmp_path):
    executed = tmp_path / "executed"
    shutil.copytree(r.executed, executed)
    (executed / f"{BRIEFING}.ipynb").write_text("{broken", encoding="utf-8")
    out = tmp_path / "site"
    shutil.copytree(r.site, out)
    before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    with pytest.raises(RenderError, match="51-quang-ngai.ipynb: không đọc được sổ tay"):
        render_site(executed, out, "builtin", data_dir=DATA, config=CONFIG)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == before
    assert (out / f"{BRIEFING}.html").read_bytes() == (r.site / f"{BRIEFING}.html").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["executed", "site"]  # no temporary left


def test_serve_binds_localhost_and_serves_the_site(r):
    server = make_server(r.site, 0)
    host, port = server.server_address[:2]
    assert host == "127.0.0.1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/{BRIEFING}.html", timeout=10) as resp:
            assert "50.074.800 đồng" in resp.read().decode("utf-8")
    finally:
        server.shutdown()
        server.server_close()


def test_cli_serve_refuses_a_folder_without_a_site(tmp_path):
    result = CliRunner().invoke(app, ["serve", "--dir", str(tmp_path), "--port", "0"])
    assert result.exit_code == 2
    assert "chưa có trang web" in result.output


def test_the_pdf_worker_pool_is_renewed_and_never_hangs_with_work_waiting():
    """Typst's workers are replaced after their share of PDFs, also while tasks wait in the queue:
    `ProcessPoolExecutor(max_tasks_per_child=…)` hangs there on Python 3.11 and 3.12 (gh-115634)."""
    from giaoban.publish.pipeline import _RecycledPool

    pool = _RecycledPool(workers=2, tasks=2)
    try:
        futures = [pool.submit(os.getpid) for _ in range(12)]  # all at once: a backlog behind each worker
        pids = [future.result(timeout=120) for future in futures]
    finally:
        pool.shutdown()
    assert len(pids) == 12
    assert len(set(pids)) >= 3  # twelve tasks, four per pool: three pools, each with its own processes


def _typeset_for(seconds: float) -> tuple[float, float]:
    import time

    started = time.monotonic()
    time.sleep(seconds)
    return started, time.monotonic()


def test_a_renewed_pool_never_runs_more_than_its_workers_at_once():
    """The old pool's tasks end before the new pool starts: each worker holds the memory of its PDFs,
    so a renewal must not add processes to those still running."""
    from concurrent.futures import ThreadPoolExecutor

    from giaoban.publish.pipeline import _RecycledPool

    pool = _RecycledPool(workers=1, tasks=1)  # a new worker for each task
    try:
        with ThreadPoolExecutor(max_workers=3) as threads:  # three PDFs asked for at once
            spans = sorted(threads.map(lambda _: pool.submit(_typeset_for, 0.5).result(timeout=120), range(3)))
    finally:
        pool.shutdown()
    assert all(earlier[1] <= later[0] for earlier, later in zip(spans, spans[1:])), spans
