"""The PDFs: a briefing's PDF typeset by Typst, and a period's book made of the briefings' PDFs.

A briefing's PDF (`write_book`) is a Typst project in a scratch folder: `book.typ` (the template,
from `giaoban/publish/templates/typst/`), `meta.json` (every word that comes from data: read by Typst's
`json`, never spliced into code), `ch-0.typ` (the body, written by pandoc, which escapes) and its
images. It has a cover, a table of contents, a running header, page numbers and the sources.

A period's book (`write_period_book`) is not typeset again: Typst makes only its front matter (the
book's cover and a table of contents with the page of the book where each chapter starts, from the
same template), and pypdf appends each briefing's PDF to it whole, its links kept. Each chapter gets
a bookmark (the briefing's own bookmarks under it), each line of the contents a link to its first
page. Pages are numbered by their place in the book (the cover is page 1), which is the number every
PDF viewer shows; the pages of a chapter keep the numbers printed in its briefing. It runs in a
worker process (`giaoban.publish.pipeline`), so it imports nothing heavy.

Fonts are the ones bundled in the `typst` wheel only (no system font can change the output); New
Computer Modern covers every Vietnamese letter in all four styles. Dates are the manifest's
(`Manifest.stamp`), never the clock, and a book's /ID is the hash of its pages' sources, so two
builds give the same bytes. Files are written to a temporary name and renamed.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime, UTC
from functools import cached_property
from pathlib import Path
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Callable

from giaoban.errors import RenderError
from giaoban.files import atomic_write
from giaoban.publish.typst_worker import TypstFailed, compile_pdf

if TYPE_CHECKING:
    from giaoban.publish.config import TypstOptions

__all__ = ["Chapter", "Cover", "BookChapter", "write_book", "write_period_book", "TEMPLATE"]

TEMPLATE = Path(__file__).resolve().parent / "templates" / "typst" / "book.typ"
#: The link target of a contents line in the front matter (then the chapter's number), which
#: `write_period_book` turns into a jump to the chapter's first page.
_CHAPTER_LINK = "giaoban-chapter:"
_FRONT = "phần đầu sổ tay (bìa, mục lục) do Typst dựng"

Compiler = Callable[[str, str, str | None], tuple[bytes, list[str]]]


@dataclass(frozen=True)
class Chapter:
    """One briefing as a chapter: its title, running header, meeting line, Typst body and sources."""

    title: str
    header: str
    meeting: str
    body: str
    images: Mapping[str, bytes] = field(default_factory=dict, compare=False, repr=False)
    sources_title: str = "Nguồn gốc bản tin"
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cover:
    """The cover: a kicker ("Sổ tay giao ban"), title, subtitle, lines (meeting…) and the build line."""

    kicker: str
    title: str
    subtitle: str
    lines: tuple[str, ...]
    built: str


@dataclass(frozen=True)
class BookChapter:
    """A chapter of a period's book: its title, its briefing's PDF (`name`, the site path, says
    which in messages) and that PDF's bytes."""

    title: str
    name: str
    data: bytes = field(repr=False)

    @classmethod
    def read(cls, book: str, title: str, path: Path, name: str) -> BookChapter:
        """Return the chapter whose PDF is the file `path`; refuses (RenderError naming both the
        book and the file) a PDF that is missing or cannot be read."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise RenderError(f"{book}: thiếu bản PDF của bản tin {name}") from None
        except OSError as e:
            raise RenderError(f"{book}: không đọc được bản PDF của bản tin {name}: {e.strerror or e}") from None
        return cls(title, name, data)

    @cached_property
    def digest(self) -> str:
        """Return the sha256 of the PDF's bytes (hashed once: the cache key and the book's /ID use it)."""
        return hashlib.sha256(self.data).hexdigest()


def _meta(
    *,
    cover: Cover,
    title: str,
    header: str,
    site: str,
    lang: str,
    toc_title: str,
    options: TypstOptions,
    stamp: date | None,
) -> dict:
    return {
        "site": site,
        "title": title,
        "header": header,
        "lang": lang,
        "dated": stamp is not None,
        "font": options.mainfont,
        "paper": options.paper,
        "numbering": options.section_numbering,
        "page_numbering": options.page_numbering,
        "toc": options.toc,
        "toc_depth": options.toc_depth,
        "toc_title": options.toc_title or toc_title,
        "cover": {
            "kicker": cover.kicker,
            "title": cover.title,
            "subtitle": cover.subtitle,
            "lines": list(cover.lines),
            "built": cover.built,
        },
    }


def _compile(
    book: str,
    work_dir: Path,
    meta: dict,
    main: list[str],
    options: TypstOptions,
    stamp: date | None,
    compiler: Compiler | None,
) -> tuple[bytes, list[str]]:
    """Compile `main` (lines after the template's import) with `meta.json` in `work_dir`; return
    (PDF bytes, warnings). Refuses (RenderError naming the `book`) what Typst cannot compile."""
    work_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(TEMPLATE, work_dir / "book.typ")
    (work_dir / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    lines = [
        '#import "book.typ": book, chapter, front, numbers',
        '#let meta = json("meta.json")',
        # Lengths were checked against ^\d+(\.\d+)?(pt|mm|cm|in|em)$ when _quarto.yml was read.
        f"#let margin = (x: {options.margin_x}, y: {options.margin_y})",
        f"#let size = {options.fontsize}",
        *main,
    ]
    (work_dir / "main.typ").write_text("\n".join(lines) + "\n", encoding="utf-8")
    stamp_time = datetime(stamp.year, stamp.month, stamp.day, tzinfo=UTC) if stamp else None
    try:
        return (compiler or compile_pdf)(
            str(work_dir / "main.typ"), str(work_dir), stamp_time.isoformat() if stamp_time else None
        )
    except TypstFailed as e:
        raise RenderError(f"{book}: Typst lỗi: {e.message} {e.diagnostic}".strip()) from None


def write_book(
    out: Path,
    chapters: list[Chapter],
    *,
    cover: Cover,
    title: str,
    header: str,
    site: str,
    lang: str,
    toc_title: str,
    options: TypstOptions,
    stamp: date | None,
    work_dir: Path,
    compiler: Compiler | None = None,
) -> list[str]:
    """Typeset `chapters` behind `cover` into the PDF `out` (a briefing's: one chapter); return
    Typst's warnings as text lines.

    `work_dir` is an empty scratch folder for the Typst project. `compiler(main, root, timestamp)`
    → (PDF bytes, warning messages) compiles it (default: `typst_worker.compile_pdf` in this
    process; the renderer gives one that runs it in a worker process). Refuses (RenderError) a
    book without chapters and anything Typst cannot compile, with Typst's message.
    """
    if not chapters:
        raise RenderError(f"{out.name}: sổ tay không có chương nào")
    meta = _meta(
        cover=cover, title=title, header=header, site=site, lang=lang, toc_title=toc_title, options=options, stamp=stamp
    )
    meta["chapters"] = [
        {
            "title": c.title,
            "header": c.header,
            "meeting": c.meeting,
            "sources": {"title": c.sources_title, "items": list(c.sources)},
        }
        for c in chapters
    ]
    main = ["#show: book.with(meta, margin: margin, size: size)"]
    work_dir.mkdir(parents=True, exist_ok=True)
    for i, chapter in enumerate(chapters):
        (work_dir / f"ch-{i}.typ").write_text(chapter.body, encoding="utf-8")
        for name, data in chapter.images.items():
            (work_dir / name).write_bytes(data)
        main.append(f'#chapter(meta.chapters.at({i}))[#include "ch-{i}.typ"]')
    pdf, warnings = _compile(out.name, work_dir, meta, main, options, stamp, compiler)
    with atomic_write(out, "wb") as fh:
        fh.write(pdf)
    return [f"{out.name}: Typst: {w}" for w in warnings]


def _front_matter(
    book: str,
    chapters: list[BookChapter],
    counts: list[int],
    meta: dict,
    *,
    options: TypstOptions,
    stamp: date | None,
    work_dir: Path,
    compiler: Compiler | None,
) -> tuple[bytes, list[str], int]:
    """Typeset the book's cover and contents; return (PDF, warnings, its number of pages). The
    contents give each chapter's first page counted from the cover, so they depend on their own
    length: typeset again until the length assumed is the length made."""
    assumed = 2 if options.toc else 1
    for _ in range(4):
        pages, first = [], assumed + 1
        for count in counts:
            pages.append(first)
            first += count
        meta["chapters"] = [
            {"title": c.title, "page": p, "link": f"{_CHAPTER_LINK}{i}"}
            for i, (c, p) in enumerate(zip(chapters, pages))
        ]
        pdf, warnings = _compile(
            book, work_dir, meta, ["#front(meta, margin: margin, size: size)"], options, stamp, compiler
        )
        made = len(_reader(io.BytesIO(pdf), book, _FRONT).pages)
        if made == assumed:
            return pdf, warnings, made
        assumed = made
    raise RenderError(f"{book}: mục lục không ổn định: số trang của phần đầu sổ tay đổi sau mỗi lần dàn trang")


def _reader(stream: io.BytesIO, book: str, what: str) -> Any:
    """Return a pypdf reader of `stream`, which has pages; refuses (RenderError naming the `book` and
    `what` it is) anything else."""
    # imported when needed: it loads pypdf (start-up time)
    from pypdf import PdfReader

    try:
        reader = PdfReader(stream, strict=True)
        if len(reader.pages) == 0:
            raise ValueError("không có trang nào")
        return reader
    except Exception as e:  # pypdf raises many kinds for a broken file: all mean "cannot read it"
        raise RenderError(f"{book}: không đọc được {what} ({type(e).__name__}: {e})") from None


def _top(page: Any) -> Any:
    """Where a jump to `page` lands: its top left corner, at the reader's zoom."""
    # imported when needed: it loads pypdf (start-up time)
    from pypdf.generic import Fit

    return Fit.xyz(left=0, top=float(page.mediabox.top), zoom=None)


def _copy_outline(reader: Any, items: list, writer: Any, parent: Any, first: int, skip: str | None) -> None:
    """Add the bookmarks `items` of `reader` (pypdf's nested lists) under `parent` in `writer`, their
    pages moved by `first`. A top-level bookmark titled `skip` (the chapter's heading, which the
    chapter's own bookmark stands for) gives its children to `parent`."""
    # imported when needed: it loads pypdf (start-up time)
    from pypdf.generic import Fit

    last = None
    for item in items:
        if isinstance(item, list):
            if last is not None:
                _copy_outline(reader, item, writer, last, first, None)
            continue
        page = reader.get_destination_page_number(item)
        if page is None or page < 0:
            last = None
            continue
        if skip is not None and item.title == skip:
            last = parent
            continue
        left, top = item.get("/Left"), item.get("/Top")
        last = writer.add_outline_item(
            title=item.title,
            page_number=first + page,
            parent=parent,
            is_open=False,
            fit=Fit.xyz(left=float(left) if left is not None else None, top=float(top) if top is not None else None),
        )


def _explicit_links(reader: Any) -> None:
    """Point the links of `reader`'s pages that go to a named destination (a briefing's contents) at
    the destination itself, in the reader's objects: pypdf, when it appends a PDF, drops the links
    whose name is not text (a Vietnamese heading's, in UTF-8), and looks the others up one by one."""
    # imported when needed: it loads pypdf (start-up time)
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    def raw(name: Any) -> bytes:  # a name as it is in the file, text or not
        if isinstance(name, TextStringObject):
            return name.original_bytes
        return bytes(name) if isinstance(name, bytes) else str(name).encode("utf-8")

    def target(value: Any) -> Any:
        value = value.get_object() if value is not None else None
        return value.get("/D") if isinstance(value, DictionaryObject) else value

    named: dict[bytes, Any] = {}

    def walk(node: Any, depth: int = 0) -> None:
        node = node.get_object() if node is not None else None
        if not isinstance(node, DictionaryObject) or depth > 32:
            return
        pairs = node.get("/Names")
        pairs = pairs.get_object() if pairs is not None else []
        for key, value in zip(pairs[0::2], pairs[1::2]):
            named[raw(key)] = target(value)
        for kid in node.get("/Kids", None) or []:
            walk(kid, depth + 1)

    catalog = reader.trailer["/Root"]
    names = catalog.get("/Names")
    walk(names.get_object().get("/Dests") if names is not None else None)
    for page in reader.pages:
        annots = page.get("/Annots")
        for ref in (annots.get_object() if annots is not None else None) or []:
            link = ref.get_object()
            if not isinstance(link, DictionaryObject) or link.get("/Subtype") != "/Link":
                continue
            action = link.get("/A")
            action = action.get_object() if action is not None else None
            holder, key = (link, "/Dest") if "/Dest" in link else (action, "/D")
            if not isinstance(holder, DictionaryObject) or key not in holder:
                continue
            dest = holder[key]
            if not isinstance(dest, ArrayObject):
                found = named.get(raw(dest))
                if isinstance(found, ArrayObject) and found:
                    holder[NameObject(key)] = found


#: A briefing's printed page number: the footer artifact Typst marks as pagination (no nested marks).
_FOOTER = re.compile(rb"/Artifact\s*<<(?:(?!>>).)*?/Subtype\s*/Footer(?:(?!>>).)*?>>\s*BDC.*?EMC", re.S)


def _renumber(
    book: str,
    writer: Any,
    front_pages: int,
    meta: dict,
    *,
    options: TypstOptions,
    stamp: date | None,
    work_dir: Path,
    compiler: Compiler | None,
) -> None:
    """Make the page numbers run through the book: remove the number each briefing printed in its
    footer and lay over each such page its number in the book (its place counted from the cover), in
    the same footer, typeset by Typst (`numbers` of the template)."""
    # imported when needed: it loads pypdf (start-up time)
    from pypdf.generic import DecodedStreamObject, NameObject

    numbered = []
    for index in range(front_pages, len(writer.pages)):
        page = writer.pages[index]
        contents = page.get_contents()
        if contents is None:
            continue
        data = contents.get_data()
        kept, found = _FOOTER.subn(b"", data)
        if found:
            stream = DecodedStreamObject()
            stream.set_data(kept)
            page[NameObject("/Contents")] = writer._add_object(stream)
            numbered.append(index)
    if not numbered:
        return
    count = len(writer.pages) - front_pages
    pdf, _ = _compile(
        book,
        work_dir,
        meta,
        [f"#numbers(meta, {front_pages + 1}, {count}, margin: margin, size: size)"],
        options,
        stamp,
        compiler,
    )
    overlay = _reader(io.BytesIO(pdf), book, "số trang của sổ tay")
    for index in numbered:
        writer.pages[index].merge_page(overlay.pages[index - front_pages])


def _structure(writer: Any, parts: list[tuple[Any, int]], lang: str) -> None:
    """Give the book one structure tree (its tagging) made of its parts' trees, in order: `parts` are
    (reader, index of its first page in the book) of PDFs already appended to `writer`. Each part's
    top element becomes a Part of the book's Document; the pages' and links' keys into the parent
    tree move by the keys of the parts before. Parts without a tree add nothing."""
    # imported when needed: it loads pypdf (start-up time)
    from pypdf.generic import ArrayObject, BooleanObject, DictionaryObject, NameObject, NumberObject, TextStringObject

    root = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
    root_ref = writer._add_object(root)
    document = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/StructElem"),
            NameObject("/S"): NameObject("/Document"),
            NameObject("/P"): root_ref,
            NameObject("/Lang"): TextStringObject(lang),
        }
    )
    document_ref = writer._add_object(document)
    kids, nums, roles, offset = ArrayObject(), ArrayObject(), DictionaryObject(), 0

    def nums_of(node: Any) -> list:
        node = node.get_object()
        out = list(node.get("/Nums", []))
        for kid in node.get("/Kids", []):
            out.extend(nums_of(kid))
        return out

    def parent(node: Any, ref: Any) -> None:  # the /P of every element under `node`
        k = node.get("/K")
        for kid in (k if isinstance(k, ArrayObject) else [k]) if k is not None else []:
            element = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(element, DictionaryObject) and "/S" in element:
                element[NameObject("/P")] = ref
                parent(element, kid if hasattr(kid, "idnum") else ref)

    for reader, first in parts:
        tree = reader.trailer["/Root"].get("/StructTreeRoot")
        if tree is None:
            continue
        tree = tree.get_object()
        top = tree.get("/K")
        if top is None:
            continue
        cloned = top.clone(writer, ignore_fields=("/P",))
        for kid in cloned if isinstance(cloned, ArrayObject) else [cloned]:
            element = kid.get_object()
            if isinstance(element, DictionaryObject) and element.get("/S") == "/Document":
                element[NameObject("/S")] = NameObject("/Part")
            if isinstance(element, DictionaryObject):
                element[NameObject("/P")] = document_ref
                parent(element, kid)
            kids.append(kid)
        pairs = nums_of(tree["/ParentTree"]) if "/ParentTree" in tree else []
        for key, value in zip(pairs[0::2], pairs[1::2]):
            nums.append(NumberObject(int(key) + offset))
            nums.append(value.clone(writer, ignore_fields=("/P",)))
        for name, value in (tree.get("/RoleMap") or {}).items():
            roles.setdefault(NameObject(name), value)
        for n, source in enumerate(reader.pages):  # pypdf does not copy a page's key: take the source's
            page = writer.pages[first + n]
            if "/StructParents" in source:
                page[NameObject("/StructParents")] = NumberObject(int(source["/StructParents"]) + offset)
            for annot in page.get("/Annots", []) or []:
                link = annot.get_object()
                if "/StructParent" in link:
                    link[NameObject("/StructParent")] = NumberObject(int(link["/StructParent"]) + offset)
        keys = [int(k) for k in pairs[0::2]]
        offset += int(tree.get("/ParentTreeNextKey", max(keys, default=-1) + 1))
    if not kids:
        return
    document[NameObject("/K")] = kids
    root[NameObject("/K")] = ArrayObject([document_ref])
    root[NameObject("/ParentTree")] = writer._add_object(DictionaryObject({NameObject("/Nums"): nums}))
    root[NameObject("/ParentTreeNextKey")] = NumberObject(offset)
    if roles:
        root[NameObject("/RoleMap")] = roles
    writer.root_object[NameObject("/StructTreeRoot")] = root_ref
    writer.root_object[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): BooleanObject(True)})


def write_period_book(
    out: Path,
    chapters: list[BookChapter],
    *,
    cover: Cover,
    title: str,
    header: str,
    site: str,
    lang: str,
    toc_title: str,
    options: TypstOptions,
    stamp: date | None,
    work_dir: Path,
    compiler: Compiler | None = None,
    name: str | None = None,
) -> list[str]:
    """Write the PDF `out`: a front matter typeset by Typst (`cover`, and with `options.toc` the
    contents: each chapter's title and the page of the book where it starts, a link to it), then
    each chapter's PDF whole, one bookmark a chapter; return Typst's warnings as text lines.

    `work_dir` and `compiler` are as for `write_book`; `name` is how messages call the book (default:
    the file's name). Refuses (RenderError) a book without chapters, a chapter's PDF that cannot be
    read (naming it), and a front matter Typst cannot compile.
    """
    # imported when needed: it loads pypdf (start-up time)
    from pypdf import PdfWriter
    from pypdf.generic import (
        ArrayObject,
        BooleanObject,
        ByteStringObject,
        DictionaryObject,
        NameObject,
        NullObject,
        NumberObject,
        TextStringObject,
    )

    book = name or out.name
    if not chapters:
        raise RenderError(f"{book}: sổ tay không có chương nào")
    readers = [_reader(io.BytesIO(c.data), book, f"bản PDF của bản tin {c.name}") for c in chapters]
    counts = [len(r.pages) for r in readers]
    meta = _meta(
        cover=cover, title=title, header=header, site=site, lang=lang, toc_title=toc_title, options=options, stamp=stamp
    )
    front, warnings, front_pages = _front_matter(
        book, chapters, counts, meta, options=options, stamp=stamp, work_dir=work_dir, compiler=compiler
    )
    writer = PdfWriter()
    front_reader = _reader(io.BytesIO(front), book, _FRONT)
    writer.append(front_reader, import_outline=False)
    starts = []
    for chapter, reader in zip(chapters, readers):
        first = len(writer.pages)
        starts.append(first)
        try:
            _explicit_links(reader)
            writer.append(reader, import_outline=False)
            item = writer.add_outline_item(
                title=chapter.title, page_number=first, fit=_top(writer.pages[first]), is_open=False
            )
            _copy_outline(reader, reader.outline, writer, item, first, chapter.title)
        except Exception as e:  # a broken object deep in the file shows only when it is copied
            raise RenderError(
                f"{book}: không đọc được bản PDF của bản tin {chapter.name} ({type(e).__name__}: {e})"
            ) from None
    for page in writer.pages[:front_pages]:  # the contents' links: to the chapters' first pages
        for annot in page.get("/Annots", []):
            link = annot.get_object()
            action = link.get("/A")
            target = action.get_object().get("/URI") if action is not None else None
            if isinstance(target, str) and target.startswith(_CHAPTER_LINK):
                dest = writer.pages[starts[int(target[len(_CHAPTER_LINK) :])]]
                for key in ("/A", "/Contents"):
                    link.pop(NameObject(key), None)
                link[NameObject("/Dest")] = ArrayObject(
                    [
                        dest.indirect_reference,
                        NameObject("/XYZ"),
                        NumberObject(0),
                        NumberObject(round(float(dest.mediabox.top))),
                        NullObject(),
                    ]
                )
    _renumber(book, writer, front_pages, meta, options=options, stamp=stamp, work_dir=work_dir, compiler=compiler)
    _structure(writer, [(front_reader, 0), *zip(readers, starts)], lang)
    writer.root_object[NameObject("/ViewerPreferences")] = DictionaryObject(
        {NameObject("/DisplayDocTitle"): BooleanObject(True)}
    )
    info = {"/Title": title, "/Author": site, "/Creator": "giaoban"}
    if stamp is not None:
        info["/CreationDate"] = info["/ModDate"] = f"D:{stamp:%Y%m%d}000000Z"
    writer.add_metadata(info)
    writer.root_object[NameObject("/Lang")] = TextStringObject(lang)
    writer.page_mode = "/UseOutlines"
    digest = hashlib.sha256(front)
    for chapter in chapters:
        digest.update(bytes.fromhex(chapter.digest))
    ident = ByteStringObject(digest.digest()[:16])
    writer._ID = ArrayObject([ident, ident])  # pypdf's own /ID is random; this one is the content's
    buffer = io.BytesIO()
    writer.write(buffer)
    with atomic_write(out, "wb") as fh:
        fh.write(buffer.getvalue())
    return [f"{book}: Typst: {w}" for w in warnings]
