"""The site on a phone and for every reader, measured in headless Chromium (see fixtures/render/browser.py).

- Every page kind fits a 390-pixel phone: the document is never wider than the screen (tables
  scroll inside their own box), and the navbar collapses behind its menu button.
- axe-core (the npm package of package.json, installed by `make node`) finds no serious or critical
  violation on any page kind, in Vietnamese and in English.

Skipped, saying why, without `chromium` on PATH or without node_modules/axe-core (run `make node`).
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from giaoban.publish import make_server

from fixtures.render.browser import Browser, chromium_path
from fixtures.render.session import PROJECT, rendered

AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
#: One page of each kind, in both languages.
PAGES = {kind: path for kind, path in {
    "home": "index.html", "briefing": "briefings/2021-H1/51-quang-ngai.html", "period": "periods/2021-H1.html",
    "province": "provinces/51-quang-ngai.html", "data": "data.html", "briefings": "briefings/index.html",
    "source": "sources/004_827c2f16ec2dc701.html", "notfound": "404.html"}.items()}
PAGES_EN = {f"en-{k}": f"en/{v}" for k, v in PAGES.items() if k != "notfound"}


@pytest.fixture(scope="module")
def r(tmp_path_factory):
    return rendered(tmp_path_factory)


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
    folder = Path(os.environ.get("GIAOBAN_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _chromium() -> str:
    executable = chromium_path()
    if executable is None:
        pytest.skip("chromium không có trên PATH (CI cài gói Debian chromium); bỏ qua các kiểm tra trình duyệt")
    return executable


@pytest.fixture(scope="module")
def phone():
    with Browser(_chromium(), width=390, height=844) as b:
        yield b


@pytest.fixture(scope="module")
def desktop():
    with Browser(_chromium(), width=1280, height=900) as b:
        yield b


def test_the_fixture_site_has_every_page_kind_the_checks_visit(r):
    assert [p for p in {**PAGES, **PAGES_EN}.values() if not (r.site / p).is_file()] == []


@pytest.mark.parametrize("kind", sorted({**PAGES, **PAGES_EN}))
def test_every_page_kind_fits_a_390_pixel_phone(phone, server, shots, kind):
    phone.open(server + {**PAGES, **PAGES_EN}[kind])
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{kind}: the page is {width} px wide on a 390 px screen"
    if kind in ("briefing", "data"):
        phone.screenshot(shots / f"{kind}-390.png")


def test_the_navbar_collapses_behind_its_menu_button_on_a_phone(phone, server):
    phone.open(server + PAGES["briefing"])
    state = "(() => { const m = document.querySelector('.gb-menu-items'); return [getComputedStyle(m).display," \
            " document.querySelector('.gb-menu').getAttribute('aria-expanded')]; })()"
    assert phone.evaluate(state) == ["none", "false"]
    assert phone.evaluate("document.querySelector('.gb-navbar').offsetHeight") < 80
    phone.evaluate("document.querySelector('.gb-menu').click()")
    assert phone.evaluate(state) == ["flex", "true"]
    # the search box is in the opened menu
    assert phone.evaluate("document.querySelector('#gb-q').offsetWidth") > 200


def test_the_navbar_search_of_any_page_searches_on_the_home_page(desktop, server):
    desktop.open(server + PAGES["province"])
    desktop.evaluate("(() => { document.querySelector('#gb-q').value = 'quang ngai';"
                     " document.querySelector('.gb-search').submit(); })()")
    desktop.wait_for("location.pathname.endsWith('/index.html') && location.search.includes('q=')")
    desktop.wait_for("document.querySelectorAll('.pagefind-ui__result-link').length > 0")
    links = desktop.evaluate("Array.from(document.querySelectorAll('.pagefind-ui__result-link'))"
                             ".map(a => a.getAttribute('href'))")
    assert "/briefings/2021-H1/51-quang-ngai.html" in links


@pytest.mark.skipif(not AXE.is_file(), reason="node_modules/axe-core không có: chạy `make node` (npm ci)")
@pytest.mark.parametrize("kind", sorted({**PAGES, **PAGES_EN}))
def test_axe_finds_no_serious_or_critical_violation(desktop, server, kind):
    desktop.open(server + {**PAGES, **PAGES_EN}[kind])
    desktop.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
    found = desktop.evaluate("axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify("
                             "r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3)"
                             ".map(n => n.target.join(' '))}))))")
    bad = [v for v in json.loads(found) if v["impact"] in ("serious", "critical")]
    assert bad == [], f"{kind}: {bad}"


def test_charts_carry_a_text_alternative_and_their_size(desktop, server):
    desktop.open(server + PAGES["briefing"])
    images = desktop.evaluate("Array.from(document.querySelectorAll('main img')).map(i => "
                              "[i.getAttribute('alt'), i.getAttribute('width'), i.getAttribute('height')])")
    assert images and all(alt and width and height for alt, width, height in images), images
