"""An executed notebook as a document: its narrative and outputs, as HTML and as Typst.

The notebook is read with nbformat and turned into a pandoc document (pandoc's JSON AST) that both
outputs share:

- a cell tagged `remove-cell` is dropped, and the outputs of one tagged `remove-output`;
- code is hidden (`echo: false` in `_quarto.yml`; a cell tagged `remove-input` never shows code);
  standard error only with `warning: true`, error outputs only with `error: true`;
- of each output one representation is kept, the first of: image (PNG, JPEG, SVG, written beside
  the page at the resolution it came with, its width and height attributes kept), Markdown,
  HTML (web only; the PDF takes the plain text instead), plain text;
- Markdown (cells and `text/markdown` outputs) is parsed by pandoc *without* `raw_html` and
  `raw_attribute`: `<script>` in Markdown is text, never markup. Attributes other than width,
  height, lang, dir and title, and links with a scheme other than http(s) and mailto, are removed.
  Only `text/html` outputs reach the web page as HTML (the notebooks escape what they emit there).
- A first level-1 heading is the page's title and is dropped (the title comes from the manifest);
  the other headings are shifted so that the highest is level 2, under the title.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import nbformat

from giaoban.errors import RenderError
from giaoban.publish.columns import Geometry, fit_table, geometry
from giaoban.publish.pandoc_text import stringify

__all__ = [
    "Document",
    "RenderError",
    "read_notebook",
    "to_html",
    "to_typst",
    "pandoc_path",
    "MARKDOWN_FORMAT",
    "stringify",
]

#: How Markdown is read: pandoc's ipynb Markdown with raw HTML off, and pandoc's usual extensions on.
MARKDOWN_FORMAT = (
    "ipynb-raw_html-raw_attribute+footnotes+fenced_divs+bracketed_spans+header_attributes"
    "+link_attributes+implicit_figures+table_captions+definition_lists+smart"
)
_IMAGE_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/svg+xml": ".svg"}
_KEEP_ATTRS = {"width", "height", "lang", "dir", "title"}
_SAFE_SCHEMES = ("http:", "https:", "mailto:")
# The text/plain IPython gives an object without a text form: `<IPython.core.display.HTML object>`.
_REPR = re.compile(r"^<[\w.]+ object( at 0x[0-9a-f]+)?>$")
# The text/plain of a Matplotlib figure: its size in pixels at the figure's dpi.
_FIGURE_SIZE = re.compile(r"^<Figure size (\d+(?:\.\d+)?)x(\d+(?:\.\d+)?) with \d+ Axes>$")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_ATTR_AT = {"Div": 0, "Span": 0, "CodeBlock": 0, "Code": 0, "Link": 0, "Image": 0, "Figure": 0, "Table": 0, "Header": 1}
#: Widest image in the PDF, in CSS pixels (A4 text width with the default margins).
_PDF_MAX_PX = 620


def pandoc_path() -> str:
    """Return the pandoc executable of the `pypandoc-binary` wheel."""
    # imported when needed: it loads pypandoc (start-up time)
    import pypandoc

    return pypandoc.get_pandoc_path()


def _pandoc(args: list[str], data: bytes, what: str) -> bytes:
    proc = subprocess.run([pandoc_path(), *args], input=data, capture_output=True)
    if proc.returncode != 0:
        raise RenderError(f"{what}: pandoc lỗi: {proc.stderr.decode('utf-8', 'replace').strip()}")
    return proc.stdout


@dataclass
class Document:
    """A notebook ready to write: pandoc blocks per output kind, and the images they use.

    `pieces` keeps, in order, ("blocks", blocks) for both outputs, ("web", blocks) and ("pdf", blocks)
    for one only. `images` maps file names (content hashes) to bytes.
    """

    source: Path
    api: list
    pieces: list[tuple[str, list]] = field(default_factory=list)
    images: dict[str, bytes] = field(default_factory=dict)
    heading_title: str | None = None

    def blocks(self, target: str) -> list:
        """Return the pandoc blocks for `target` ("web" or "pdf")."""
        out: list = []
        for kind, blocks in self.pieces:
            if kind in ("blocks", target):
                out += blocks
        return out

    def headings(self, max_level: int = 3) -> list[tuple[int, str, str]]:
        """Return (level, id, text) of the headings down to `max_level`, for a table of contents."""
        found: list[tuple[int, str, str]] = []

        def visit(n):
            if n["t"] == "Header" and n["c"][0] <= max_level:
                found.append((n["c"][0], n["c"][1][0], stringify(n["c"][2])))

        _visit(self.blocks("web"), visit)
        return found


def _walk(node, fn):
    """Apply `fn` bottom-up to every pandoc element (dict with "t") under `node`; fn returns a node.

    Never changes `node`: a list or element whose parts `fn` left alone is returned as it was (the
    same object), one with a changed part is a new list or element.
    """
    if isinstance(node, list):
        out = None
        for i, n in enumerate(node):
            m = _walk(n, fn) if isinstance(n, (list, dict)) else n
            if out is None:
                if m is n:
                    continue
                out = node[:i]
            out.append(m)
        return node if out is None else out
    if isinstance(node, dict) and "t" in node:
        c = node.get("c")
        if isinstance(c, (list, dict)):
            new = _walk(c, fn)
            if new is not c:
                node = {**node, "c": new}
        return fn(node)
    return node


def _visit(node, fn) -> None:
    """Call `fn` on every pandoc element (dict with "t") under `node`, children first; changes nothing."""
    if isinstance(node, list):
        for n in node:
            if isinstance(n, (list, dict)):
                _visit(n, fn)
    elif isinstance(node, dict) and "t" in node:
        c = node.get("c")
        if isinstance(c, (list, dict)):
            _visit(c, fn)
        fn(node)


def _safe_url(url: str) -> bool:
    low = url.strip().lower()
    scheme = re.match(r"^([a-z][a-z0-9+.-]*):", low)
    return scheme is None or low.startswith(_SAFE_SCHEMES)


def _sanitize(node: dict) -> dict:
    """Remove from parsed Markdown what could carry markup or script into the page."""
    t = node["t"]
    if t in ("RawBlock", "RawInline"):
        fmt, text = node["c"]
        return (
            {"t": "CodeBlock", "c": [["", [], []], text]}
            if t == "RawBlock"
            else {"t": "Code", "c": [["", [], []], text]}
        )
    if t in _ATTR_AT:
        c = list(node["c"])
        ident, classes, kvs = c[_ATTR_AT[t]]
        c[_ATTR_AT[t]] = [ident, classes, [[k, v] for k, v in kvs if k in _KEEP_ATTRS]]
        node = {"t": t, "c": c}
    if t == "Link" and not _safe_url(node["c"][2][0]):
        return {"t": "Span", "c": [["", [], []], node["c"][1]]}
    if t == "Image" and not _safe_url(node["c"][2][0]) and not node["c"][2][0].startswith("attachment:"):
        return {"t": "Str", "c": stringify(node["c"][1])}
    return node


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def _image_block(name: str, meta: dict, alt: str) -> dict:
    kvs = [[k, str(meta[k])] for k in ("width", "height") if isinstance(meta.get(k), (int, float))]
    image = {"t": "Image", "c": [["", [], kvs], [{"t": "Str", "c": alt}], [name, ""]]}
    return {"t": "Div", "c": [["", ["cell-output", "cell-output-image"], []], [{"t": "Para", "c": [image]}]]}


def _code_block(text: str, classes: list[str]) -> dict:
    return {"t": "CodeBlock", "c": [["", classes, []], text]}


def _div(blocks: list, *classes: str) -> dict:
    return {"t": "Div", "c": [["", list(classes), []], blocks]}


class _Reader:
    def __init__(self, path: Path, *, echo: bool, warning: bool, error: bool, lang: str) -> None:
        self.path, self.echo, self.warning, self.error, self.lang = path, echo, warning, error, lang
        self.doc: Document | None = None
        self.markdown: list[tuple[int, str, dict]] = []  # (piece index, text, attachments)
        self.pieces: list[tuple[str, list]] = []
        self.images: dict[str, bytes] = {}
        self.n_images = 0

    def image(self, mime: str, data, meta: dict, plain: str = "") -> dict:
        """The block of an image output. Its text alternative is, in order: the output metadata's
        `alt` (IPython's `Image(alt=…)` convention), the output's text/plain when it is not an
        object's repr, else "Biểu đồ n". Its width and height: the metadata's, else the size a
        Matplotlib figure's text/plain gives (`<Figure size 944.882x318 with 1 Axes>`)."""
        raw = _text(data).encode("utf-8") if mime == "image/svg+xml" else base64.b64decode(_text(data))
        name = f"fig-{hashlib.sha256(raw).hexdigest()[:16]}{_IMAGE_TYPES[mime]}"
        self.images[name] = raw
        self.n_images += 1
        meta = dict(meta or {})
        alt = meta.get("alt") if isinstance(meta.get("alt"), str) and meta["alt"].strip() else None
        size = _FIGURE_SIZE.match(plain)
        if size and not isinstance(meta.get("width"), (int, float)):
            meta["width"], meta["height"] = int(float(size[1])), int(float(size[2]))  # as savefig rounds
        if alt is None and plain and not _REPR.match(plain) and not size:
            alt = plain
        alt = alt or ("Biểu đồ " if self.lang == "vi" else "Chart ") + str(self.n_images)
        return _image_block(name, meta, alt.strip())

    def add_markdown(self, text: str, attachments: dict | None = None) -> None:
        self.markdown.append((len(self.pieces), text, attachments or {}))
        self.pieces.append(("blocks", []))

    def output(self, out: dict) -> None:
        kind = out.get("output_type")
        if kind == "stream":
            if out.get("name") == "stderr" and not self.warning:
                return
            text = _ANSI.sub("", _text(out.get("text"))).rstrip("\n")
            if text:
                self.pieces.append(("blocks", [_code_block(text, ["cell-output", "cell-output-stream"])]))
            return
        if kind == "error":
            if self.error:
                text = _ANSI.sub("", "\n".join(out.get("traceback", [])))
                self.pieces.append(("blocks", [_code_block(text, ["cell-output", "cell-output-error"])]))
            return
        data = out.get("data", {})
        meta = out.get("metadata", {})
        for mime in _IMAGE_TYPES:
            if mime in data:
                self.pieces.append(
                    (
                        "blocks",
                        [self.image(mime, data[mime], meta.get(mime, {}), _text(data.get("text/plain")).strip())],
                    )
                )
                return
        if "text/markdown" in data:
            self.add_markdown(_text(data["text/markdown"]))
            return
        plain = _text(data.get("text/plain")).rstrip("\n")
        if "text/html" in data:
            raw = {"t": "RawBlock", "c": ["html", _text(data["text/html"])]}
            self.pieces.append(("web", [_div([raw], "cell-output", "cell-output-html")]))
            if plain and not _REPR.match(plain):
                self.pieces.append(("pdf", [_code_block(plain, ["cell-output"])]))
            return
        if plain:
            self.pieces.append(("blocks", [_code_block(plain, ["cell-output"])]))

    def read(self) -> Document:
        try:
            nb = nbformat.read(str(self.path), as_version=4)
        except FileNotFoundError:
            raise RenderError(f"{self.path}: không có sổ tay") from None
        except Exception as e:  # nbformat raises many kinds for a broken file
            raise RenderError(f"{self.path}: không đọc được sổ tay: {e}") from None
        for cell in nb.cells:
            tags = set(cell.get("metadata", {}).get("tags", []))
            if "remove-cell" in tags:
                continue
            if cell.cell_type == "markdown":
                self.add_markdown(cell.source, cell.get("attachments"))
            elif cell.cell_type == "raw":
                fmt = cell.get("metadata", {}).get("format") or cell.get("metadata", {}).get("raw_mimetype")
                if fmt in ("text/html", "html"):
                    self.pieces.append(("web", [{"t": "RawBlock", "c": ["html", cell.source]}]))
            elif cell.cell_type == "code":
                if self.echo and "remove-input" not in tags and cell.source.strip():
                    self.pieces.append(("blocks", [_code_block(cell.source, ["python", "cell-code"])]))
                if "remove-output" not in tags:
                    for out in cell.get("outputs", []):
                        self.output(out)
        api = self.parse_markdown()
        doc = Document(source=self.path, api=api, pieces=self.pieces, images=self.images)
        _title_and_levels(doc)
        return doc

    def parse_markdown(self) -> list:
        """Parse every Markdown piece in one pandoc call; each is a cell of a scratch notebook."""
        cells = [nbformat.v4.new_markdown_cell(text, id=f"p{i}") for i, (_, text, _) in enumerate(self.markdown)]
        nb = nbformat.v4.new_notebook(cells=cells)
        parsed = json.loads(
            _pandoc(["-f", MARKDOWN_FORMAT, "-t", "json"], nbformat.writes(nb).encode("utf-8"), str(self.path))
        )
        by_id = {}
        for block in parsed["blocks"]:
            if block.get("t") == "Div" and block["c"][0][0].startswith("p"):
                by_id[block["c"][0][0]] = block["c"][1]
        for i, (piece, _, attachments) in enumerate(self.markdown):
            blocks = _walk(by_id.get(f"p{i}", []), lambda n, a=attachments: self.attachment(_sanitize(n), a))
            self.pieces[piece] = ("blocks", blocks)
        return parsed["pandoc-api-version"]

    def attachment(self, node: dict, attachments: dict) -> dict:
        if node["t"] != "Image" or not node["c"][2][0].startswith("attachment:"):
            return node
        name = node["c"][2][0][len("attachment:") :]
        bundle = attachments.get(name, {})
        for mime in _IMAGE_TYPES:
            if mime in bundle:
                block = self.image(mime, bundle[mime], {})
                image = block["c"][1][0]["c"][0]
                return {"t": "Image", "c": [node["c"][0], node["c"][1], image["c"][2]]}
        return {"t": "Str", "c": stringify(node["c"][1])}


def _title_and_levels(doc: Document) -> None:
    """Drop a leading level-1 heading (the title) and shift headings so the highest is level 2."""
    for i, (kind, blocks) in enumerate(doc.pieces):
        if not blocks:
            continue
        first = blocks[0]
        if first.get("t") == "Header" and first["c"][0] == 1:
            doc.heading_title = stringify(first["c"][2])
            doc.pieces[i] = (kind, blocks[1:])
        break
    levels: list[int] = []

    def level(n):
        if n["t"] == "Header":
            levels.append(n["c"][0])

    _visit([b for _, bs in doc.pieces for b in bs], level)
    shift = 2 - min(levels) if levels and min(levels) < 2 else 0
    if shift:

        def move(n):
            if n["t"] == "Header":
                return {"t": "Header", "c": [min(n["c"][0] + shift, 6), n["c"][1], n["c"][2]]}
            return n

        doc.pieces = [(k, _walk(bs, move)) for k, bs in doc.pieces]


def read_notebook(
    path: str | Path, *, echo: bool = False, warning: bool = False, error: bool = False, lang: str = "vi"
) -> Document:
    """Return the executed notebook at `path` as a `Document` (see the module docstring for the rules).

    Refuses (RenderError) a missing or unreadable notebook and Markdown pandoc cannot read.
    """
    return _Reader(Path(path), echo=echo, warning=warning, error=error, lang=lang).read()


def _json(doc: Document, blocks: list) -> bytes:
    return json.dumps({"pandoc-api-version": doc.api, "meta": {}, "blocks": blocks}, ensure_ascii=False).encode("utf-8")


def to_html(doc: Document, image_dir: str) -> str:
    """Return the HTML body of `doc`; images are referenced as `image_dir/<name>` (relative)."""

    def src(n):
        if n["t"] == "Image" and n["c"][2][0] in doc.images:
            c = copy.deepcopy(n["c"])
            c[2][0] = f"{image_dir}/{c[2][0]}"
            return {"t": "Image", "c": c}
        return n

    blocks = _walk(doc.blocks("web"), src)
    out = _pandoc(
        ["-f", "json", "-t", "html5", "--wrap=none", "--mathml", "--syntax-highlighting=none"],
        _json(doc, blocks),
        str(doc.source),
    )
    return out.decode("utf-8")


def to_typst(doc: Document, prefix: str, *, page_url: str | None = None, geo: Geometry | None = None) -> str:
    """Return the Typst body of `doc` as a chapter: labels get `prefix` so chapters never clash.

    Links inside the chapter keep working; links to other pages become absolute when `page_url`
    (the page's address on the published site) is given, else plain text. Images wider than the
    page are fitted to its width; the columns of wide tables get widths that fit the text they
    print on pages of geometry `geo` (default: A4, 2.2 cm margins, 11 pt; `giaoban.publish.columns`).
    """
    ids: set[str] = set()

    def collect(n):
        if n["t"] in _ATTR_AT and n["c"][_ATTR_AT[n["t"]]][0]:
            ids.add(n["c"][_ATTR_AT[n["t"]]][0])

    blocks = doc.blocks("pdf")
    _visit(blocks, collect)
    geo = geo or geometry()

    def fix(n):
        t = n["t"]
        if t == "Table":
            return fit_table(n, geo)
        if t in _ATTR_AT and n["c"][_ATTR_AT[t]][0]:
            c = copy.deepcopy(n["c"])
            c[_ATTR_AT[t]][0] = f"{prefix}-{c[_ATTR_AT[t]][0]}"
            n = {"t": t, "c": c}
        if t == "Link":
            url = n["c"][2][0]
            if url.startswith("#"):
                if url[1:] in ids:
                    c = copy.deepcopy(n["c"])
                    c[2][0] = f"#{prefix}-{url[1:]}"
                    return {"t": "Link", "c": c}
                return {"t": "Span", "c": [["", [], []], n["c"][1]]}
            if not re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I):
                if page_url:
                    c = copy.deepcopy(n["c"])
                    c[2][0] = urljoin(page_url, url)
                    return {"t": "Link", "c": c}
                return {"t": "Span", "c": [["", [], []], n["c"][1]]}
        if t == "Image":
            kvs = dict(n["c"][0][2])
            width = kvs.get("width", "")
            if width.isdigit() and int(width) > _PDF_MAX_PX:
                c = copy.deepcopy(n["c"])
                c[0][2] = [["width", "100%"]]
                return {"t": "Image", "c": c}
        return n

    blocks = _walk(blocks, fix)
    out = _pandoc(
        ["-f", "json", "-t", "typst", "--wrap=none", "--syntax-highlighting=none"], _json(doc, blocks), str(doc.source)
    )
    return out.decode("utf-8")
