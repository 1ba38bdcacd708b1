"""A link checker for a built site: every internal href/src must reach a file, every #anchor an id.

Run by the renderer after each build (problems become warnings) and by the tests (problems fail).
A link that starts with `/` is a problem too: it breaks the site opened from files.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

__all__ = ["check_links", "page_links"]

_LINK_ATTRS = {
    "a": "href",
    "link": "href",
    "script": "src",
    "img": "src",
    "source": "src",
    "iframe": "src",
    "audio": "src",
    "video": "src",
}
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        if d.get("id"):
            self.ids.add(d["id"])
        if tag == "a" and d.get("name"):
            self.ids.add(d["name"])
        attr = _LINK_ATTRS.get(tag)
        if attr and d.get(attr) is not None:
            self.links.append(d[attr])

    handle_startendtag = handle_starttag


def page_links(html: str) -> tuple[list[str], set[str]]:
    """Return (every href/src, every id) of one HTML page."""
    c = _Collect()
    c.feed(html)
    c.close()
    return c.links, c.ids


def check_links(site: str | Path, memo: dict | None = None) -> list[str]:
    """Return one line per broken internal link of the site folder `site` (empty when all work).

    External links (with a scheme: http, mailto…) are not followed. `memo` (sha256 of a page's
    HTML → [links, ids]) spares parsing pages seen before; it is filled with the pages parsed.
    """
    root = Path(site)
    pages = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html"))

    def parse(page: str) -> tuple[list[str], set[str]]:
        text = (root / page).read_text(encoding="utf-8")
        if memo is None:
            return page_links(text)
        key = hashlib.sha256(text.encode("utf-8")).hexdigest()
        hit = memo.get(key)
        if hit is not None:
            return list(hit[0]), set(hit[1])
        links, ids = page_links(text)
        memo[key] = [links, sorted(ids)]
        return links, ids

    parsed = {p: parse(p) for p in pages}
    problems = []
    for page in pages:
        links, ids = parsed[page]
        for link in links:
            if _SCHEME.match(link) or link.startswith("//"):
                continue
            if link.startswith("/"):
                problems.append(f"{page}: {link}: liên kết tuyệt đối, hỏng khi mở từ tệp")
                continue
            parts = urlsplit(link)
            target = (
                page
                if not parts.path
                else posixpath.normpath(posixpath.join(posixpath.dirname(page), unquote(parts.path)))
            )
            if target.startswith("../") or target == "..":
                problems.append(f"{page}: {link}: ra ngoài thư mục trang")
                continue
            path = root / target
            if path.is_dir():
                target = posixpath.join(target, "index.html")
                path = root / target
            if not path.is_file():
                problems.append(f"{page}: {link}: không có tệp {target}")
                continue
            if parts.fragment and target in parsed and unquote(parts.fragment) not in parsed[target][1]:
                problems.append(f"{page}: {link}: không có id #{unquote(parts.fragment)} trong {target}")
    return problems
