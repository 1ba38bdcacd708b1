"""The built site as a reader meets it: links, reproducibility, and a real browser.

The browser tests start Debian's `chromium` headless and drive it over the DevTools protocol (a pipe,
standard library only): they load pages from a localhost static server and from files, take
screenshots, and search with Pagefind for a province typed without diacritics. They are skipped,
saying why, where `chromium` is not on PATH; CI installs it (`.ci/run`).
"""

from __future__ import annotations

import os
import threading
from collections import deque
from pathlib import Path

import pytest

from giaoban.publish import check_links, make_server, render_site
from giaoban.publish.links import page_links

from fixtures.render.browser import Browser, chromium_path
from fixtures.render.executed import DATA
from fixtures.render.session import CONFIG, rendered

BRIEFING = "briefings/2021-H1/51-quang-ngai"


@pytest.fixture(scope="module")
def r(tmp_path_factory):
    return rendered(tmp_path_factory)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_link_checker_finds_broken_links_absolute_links_and_missing_anchors(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "index.html").write_text(
        '<a href="sub/a.html#x">ok</a><a href="sub/missing.html">missing</a><a href="/abs.html">abs</a>'
        '<a href="sub/a.html#nope">anchor</a><img src="img.png"><a href="https://example.org/x">ext</a>'
        '<a href="sub/">folder</a>', encoding="utf-8")
    (tmp_path / "sub/a.html").write_text('<h2 id="x">x</h2><a href="../index.html">up</a>', encoding="utf-8")
    (tmp_path / "sub/index.html").write_text("<p>folder index</p>", encoding="utf-8")
    problems = check_links(tmp_path)
    assert [p.split(": ")[1] for p in problems] == ["sub/missing.html", "/abs.html", "sub/a.html#nope", "img.png"]


def test_no_broken_internal_link_anywhere_in_the_site(r):
    assert check_links(r.site) == []


def test_every_page_is_reachable_from_the_home_page(r):
    pages = {p.relative_to(r.site).as_posix() for p in r.site.rglob("*.html") if "pagefind" not in p.parts}
    seen, todo = {"index.html"}, deque(["index.html"])
    while todo:
        current = todo.popleft()
        links, _ = page_links((r.site / current).read_text(encoding="utf-8"))
        for link in links:
            path = link.split("#")[0]
            if not path.endswith(".html") or ":" in path:
                continue
            target = os.path.normpath(os.path.join(os.path.dirname(current), path)).replace(os.sep, "/")
            if target in pages and target not in seen:
                seen.add(target)
                todo.append(target)
    assert sorted(pages - seen - {"404.html"}) == []  # the 404 page is the server's, for addresses no link has


def test_two_renders_of_the_same_inputs_are_byte_identical(r, tmp_path):
    render_site(r.executed, tmp_path / "again", "builtin", data_dir=DATA, config=CONFIG)
    first, second = _files(r.site), _files(tmp_path / "again")
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    assert any(name.endswith(".pdf") for name in first) and any(name.endswith(".html") for name in first)


# -- in a browser ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    if executable is None:
        pytest.skip("chromium không có trên PATH (CI cài gói Debian chromium); bỏ qua các kiểm tra trình duyệt")
    with Browser(executable) as b:
        yield b


@pytest.fixture(scope="module")
def server(r):
    srv = make_server(r.site, 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/"
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    """Where screenshots go: $GIAOBAN_SCREENSHOTS if set (to look at them), else a temporary folder."""
    folder = Path(os.environ.get("GIAOBAN_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _search(browser, query: str, selector: str, *, done: str = "true"):
    """Type `query` into the home page's search box; return [text, href] of the results once `done`."""
    browser.wait_for("!!document.querySelector('#search input')")
    browser.evaluate(f"(() => {{ const i = document.querySelector('#search input'); i.value = {query!r};"
                     " i.dispatchEvent(new Event('input', {bubbles: true})); })()")
    browser.wait_for(done)
    return browser.wait_for(f"Array.from(document.querySelectorAll({selector!r}))"
                            ".map(a => [a.textContent.trim(), a.getAttribute('href')])")


def _pagefind(browser, query: str):
    # Pagefind's UI announces "N kết quả cho <query>", then fills in the results one by one (up to 5)
    done = (f"(() => {{ const m = document.querySelector('.pagefind-ui__message');"
            f" if (!m || !m.textContent.includes({query!r})) return false;"
            " const n = Math.min(parseInt(m.textContent, 10), 5);"
            " return document.querySelectorAll('.pagefind-ui__result-link').length >= n; })()")
    return _search(browser, query, ".pagefind-ui__result-link", done=done)


def test_briefing_page_in_a_browser_shows_chart_table_and_escaped_script(browser, server, shots):
    browser.open(server + f"{BRIEFING}.html")
    state = browser.evaluate("""({
        images: Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.width]),
        inline: document.querySelectorAll('script:not([src])').length,
        text: document.querySelector('main').innerText,
        title: document.title,
        lang: document.documentElement.lang})""")
    assert state["images"] and all(done and natural >= 2 * width - 2 for done, natural, width in state["images"])
    assert state["inline"] == 0 and state["lang"] == "vi"
    assert "Ghi chú: <script>alert(1)</script> và <b>không đậm</b>" in state["text"]
    assert "50.074.800 đồng" in state["text"] and "1.287" in state["text"]
    assert state["title"].startswith("Quảng Ngãi — 6 tháng đầu năm 2021")
    shot = browser.screenshot(shots / "briefing.png")
    assert shot.stat().st_size > 20_000


def test_home_page_search_finds_a_province_typed_without_diacritics(browser, server, shots):
    browser.open(server + "index.html")
    browser.screenshot(shots / "home.png")
    results = _pagefind(browser, "quang ngai")
    assert ["Quảng Ngãi — 6 tháng đầu năm 2021", f"/{BRIEFING}.html"] in results
    assert ["Quảng Ngãi", "/provinces/51-quang-ngai.html"] in results
    browser.screenshot(shots / "home-search.png", full_page=False)
    assert _pagefind(browser, "thua thien hue")[0][0].startswith("Thừa Thiên Huế")


def test_home_page_opened_from_files_searches_titles(browser, r, shots):
    browser.open((r.site / "index.html").as_uri())
    results = _search(browser, "quang ngai", ".search-results a")
    assert ["Quảng Ngãi — 6 tháng đầu năm 2021", f"{BRIEFING}.html"] in results
    browser.screenshot(shots / "home-from-files.png", full_page=False)
    # the links work from files too
    browser.open((r.site / f"{BRIEFING}.html").as_uri())
    assert browser.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")


# -- what a web server and a crawler need ---------------------------------------------------------

def test_every_published_file_is_readable_by_another_user(r):
    """Copied to a web server's folder as the README says (modes kept), every file of the site can
    be read by a user who owns none of it: `nobody` when the tests run as root, else by its mode."""
    import shutil
    import stat
    import subprocess
    import tempfile

    assert [p.relative_to(r.site).as_posix() for p in r.site.rglob("*.pdf")]  # the PDFs were 0600
    www = Path(tempfile.mkdtemp(prefix="giaoban-www-"))
    try:
        www.chmod(0o755)
        shutil.copytree(r.site, www / "site")  # copy2: modes kept, like cp -a or rsync -a
        files = [p for p in (www / "site").rglob("*") if p.is_file()]
        bad = [f"{p.relative_to(www).as_posix()} {stat.filemode(p.stat().st_mode)}" for p in [www / "site", *
               (www / "site").rglob("*")] if (p.stat().st_mode & 0o044) != 0o044 or (p.is_dir() and p.stat().st_mode & 0o011 != 0o011)]
        assert bad == []
        if os.geteuid() == 0:  # read every file as `nobody`, who owns none of them
            proc = subprocess.run(["cat", *map(str, files)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True, preexec_fn=lambda: (os.setgid(65534), os.setuid(65534)))
            assert proc.returncode == 0, proc.stderr[:2000]
    finally:
        shutil.rmtree(www, ignore_errors=True)


def test_atomic_writes_get_the_mode_of_an_ordinary_open(tmp_path):
    from giaoban.files import file_mode, write_bytes

    old = os.umask(0o022)
    try:
        write_bytes(tmp_path / "a.pdf", b"%PDF")
        assert (tmp_path / "a.pdf").stat().st_mode & 0o777 == 0o644 == file_mode()
        os.umask(0o002)
        write_bytes(tmp_path / "b.pdf", b"%PDF")
        assert (tmp_path / "b.pdf").stat().st_mode & 0o777 == 0o664
    finally:
        os.umask(old)


def test_every_page_has_a_description_a_favicon_and_the_navbar_search(r):
    pages = [p for p in r.site.rglob("*.html") if "pagefind" not in p.parts]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        name = page.relative_to(r.site).as_posix()
        assert '<meta name="description" content="' in html and 'content=""' not in html, name
        assert 'rel="icon"' in html, name
        if name != "404.html":
            assert 'class="gb-search" role="search"' in html, name
    footer = (r.site / "index.html").read_text(encoding="utf-8").split('<footer class="gb-footer">')[1]
    assert "Cập nhật ngày 02/08/2021" in footer  # the manifest's build date, never the clock
    assert "Updated on 2 August 2021" in (r.site / "en/index.html").read_text(encoding="utf-8")
    assert (r.site / "favicon.svg").read_text(encoding="utf-8").startswith("<svg")
    assert "Không tìm thấy trang" in (r.site / "404.html").read_text(encoding="utf-8")


def test_sitemap_lists_every_page_but_the_404(r):
    import xml.etree.ElementTree as ET

    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locs = [e.text for e in ET.parse(r.site / "sitemap.xml").getroot().iter(f"{ns}loc")]
    pages = sorted(p.relative_to(r.site).as_posix() for p in r.site.rglob("*.html")
                   if "pagefind" not in p.parts and p.name != "404.html")
    assert sorted(locs) == pages


def test_english_listings_agree_in_number(r):
    html = (r.site / "en/provinces/index.html").read_text(encoding="utf-8")
    assert "· 1 briefing<" in html and "1 briefings" not in html


def test_lists_of_provinces_without_a_report_are_kept_out_of_the_search_index(r):
    from giaoban.briefing import i18n
    from giaoban.publish.config import read_config
    from giaoban.publish.manifest import read_manifest
    from giaoban.publish.notebook import MARKDOWN_FORMAT, _pandoc
    from giaoban.publish.site import Site

    text = str(i18n.t("not_reported", "vi", names="Kon Tum, Gia Lai"))
    html = _pandoc(["-f", MARKDOWN_FORMAT.replace("ipynb", "markdown"), "-t", "html5"], text.encode(), "test").decode()
    site = Site(read_manifest(r.executed), read_config(CONFIG), data_dir=DATA)
    page = site.pages["periods/2021-H1.html"]
    out = site.link_content(page, html)
    assert '<div class="no-index" data-pagefind-ignore>' in out and "Kon Tum" in out.split("data-pagefind-ignore>")[1]


def test_a_link_to_a_report_text_that_is_not_published_becomes_plain_text(r):
    from giaoban.publish.config import read_config
    from giaoban.publish.manifest import read_manifest
    from giaoban.publish.site import Site

    site = Site(read_manifest(r.executed), read_config(CONFIG), data_dir=DATA)
    page = site.pages[f"en/{BRIEFING}.html"]
    html = ('<a href="/sources/004_827c2f16ec2dc701.html#L46" class="gb-source">line 46</a> '
            '<a href="/sources/999_internal.html#L3" class="gb-source">line 3</a><table><tr><td>1</td></tr></table>')
    out = site.link_content(page, html)
    assert '<a href="../../sources/004_827c2f16ec2dc701.html#L46" class="gb-source">line 46</a>' in out
    assert '<span class="gb-source">line 3</span>' in out and "999_internal" not in out
    assert '<div class="table-wrap" tabindex="0"><table>' in out
