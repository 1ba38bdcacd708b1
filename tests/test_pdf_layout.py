"""The PDFs a leader reads: no two pieces of text drawn over each other (checked from the PDF's own text
positions), the highlights first, and a period's book that opens with the country's chapter.

Renders the real Quảng Ngãi 2021-H1 briefing and its period's book, and a synthetic briefing and book
(`benchmarks/synthetic.py`), with the built-in renderer.
"""

from __future__ import annotations

import importlib.util
import io
import re
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from giaoban.publish.pdf_layout import TextRun, overlaps, text_runs

from fixtures.render.session import PROJECT

pytestmark = pytest.mark.xdist_group("pdf_layout")
PERIODS = {"2021-H1": "6 tháng đầu năm 2021", "2026-H1": "6 tháng đầu năm 2026"}


def _build(root: Path, batch: str, data: Path | None = None) -> Path:
    build = pytest.importorskip("giaoban.build.pipeline")
    params = root / "batch.yml"
    params.write_text(batch, encoding="utf-8")
    result = build.build(build.BuildOptions(
        [params],
        workers=1,
        renderer="builtin",
        build_dir=root / "_build",
        out=root / "_site",
        data_dir=data,
        progress=False,
        echo=lambda line: None,
    ))
    assert result.exit_code == 0, result.summary_lines()
    return root / "_site"


@pytest.fixture(scope="module")
def real_site(tmp_path_factory):
    return _build(
        tmp_path_factory.mktemp("real"),
        'title: t\nprovinces: ["51"]\nperiods: [2021-H1]\nnotebooks: [briefing, period]\nlangs: [vi]\ntimeout: 300\n',
    )


@pytest.fixture(scope="module")
def synthetic_site(tmp_path_factory):
    spec = importlib.util.spec_from_file_location(
        "giaoban_benchmarks_synthetic", PROJECT / "benchmarks" / "synthetic.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    root = tmp_path_factory.mktemp("synthetic")
    module.generate(root / "data", seed=0, periods=4)
    return _build(
        root,
        'title: t\nprovinces: ["51", "01"]\nperiods: [2026-H1]\n'
        "notebooks: [briefing, period]\nlangs: [vi]\ntimeout: 300\n",
        root / "data",
    )


def _said(pairs: list[tuple[TextRun, TextRun]]) -> list[str]:
    return [f"page {a.page + 1}: {a.text[:40]!r} × {b.text[:40]!r}" for a, b in pairs[:10]]


def test_the_check_finds_text_drawn_over_text():
    typst = pytest.importorskip("typst")
    source = (
        "#set page(width: 10cm, height: 5cm)\n#table(columns: (1.2cm, 3cm), [20/01/2021], [ban hành"
        " Chương trình], [a], [b])\n#place(top + left, dx: 0cm, dy: 3cm)[Trùng]\n"
        "#place(top + left, dx: 0.3cm, dy: 3cm)[Chồng chữ]\n"
    )
    pdf = typst.compile(source.encode("utf-8"))
    found = overlaps(text_runs(pdf))
    texts = {(a.text, b.text) for a, b in found}
    assert (
        ("20/01/2021", "ban hành") in texts
        or ("20/01/2021", "ban hành Chương") in texts
        or any(a.startswith("20/01") for a, _ in texts)
    )
    assert any("Trùng" in a or "Trùng" in b for a, b in texts)
    clean = typst.compile(b"#set page(width: 10cm, height: 5cm)\n#table(columns: (3cm, 3cm), [20/01/2021], [x])\n")
    assert overlaps(text_runs(clean)) == []


def test_no_table_cell_overlaps_another_in_the_real_pdfs(real_site):
    for name in ("briefings/2021-H1/51-quang-ngai.pdf", "books/2021-H1.pdf"):
        found = overlaps(text_runs((real_site / name).read_bytes()))
        assert found == [], (name, _said(found))


def test_no_table_cell_overlaps_another_in_the_synthetic_pdfs(synthetic_site):
    for name in ("briefings/2026-H1/51-quang-ngai.pdf", "briefings/2026-H1/01-ha-noi.pdf", "books/2026-H1.pdf"):
        found = overlaps(text_runs((synthetic_site / name).read_bytes()))
        assert found == [], (name, _said(found))


def _page_text(reader: PdfReader, n: int) -> str:
    return re.sub(r"\s+", " ", reader.pages[n].extract_text())


def test_the_briefing_pdf_opens_with_highlights_key_figures_and_tasks_and_ends_with_the_annex(synthetic_site):
    reader = PdfReader(synthetic_site / "briefings/2026-H1/51-quang-ngai.pdf")
    first_two = _page_text(reader, 1) + " " + _page_text(reader, 2)
    for heading in ("Điểm nổi bật", "Số liệu chính của kỳ", "Nhiệm vụ trọng tâm đặt cho kỳ này"):
        assert heading in first_two, heading
    later = " ".join(_page_text(reader, n) for n in range(3, len(reader.pages)))
    assert "Phụ lục" in later and "Văn bản được viện dẫn" in later and "Phụ lục" not in first_two


def test_the_real_briefing_pdf_leaves_out_empty_comparison_columns(real_site):
    reader = PdfReader(real_site / "briefings/2021-H1/51-quang-ngai.pdf")
    text = " ".join(_page_text(reader, n) for n in range(len(reader.pages)))
    assert "Cùng kỳ năm trước (6 tháng đầu năm 2020)" not in text  # no figure of 2020-H1 at all
    assert "bỏ cột này khỏi các bảng" in text


def test_a_period_book_opens_with_the_country_chapter_and_its_contents_list_it(real_site, synthetic_site):
    for site, period, provinces in (
        (real_site, "2021-H1", ["Quảng Ngãi"]),
        (synthetic_site, "2026-H1", ["Hà Nội", "Quảng Ngãi"]),
    ):
        reader = PdfReader(io.BytesIO((site / f"books/{period}.pdf").read_bytes()))
        top = [item.title for item in reader.outline if not isinstance(item, list)]
        assert len(top) == 1 + len(provinces)
        assert top[0] == f"Cả nước — {PERIODS[period]}"  # the country first
        for title, province in zip(top[1:], provinces):
            assert province in title
        contents = _page_text(reader, 1)
        assert all(title in contents for title in top), contents
        # the country's chapter starts right after the front matter, before the first province's
        starts = [reader.get_destination_page_number(item) for item in reader.outline if not isinstance(item, list)]
        assert starts == sorted(starts) and starts[0] == 2


def test_a_period_book_is_one_book_numbers_bookmarks_tagging_and_language(synthetic_site):
    data = (synthetic_site / "books/2026-H1.pdf").read_bytes()
    reader = PdfReader(io.BytesIO(data))
    # page numbers run through the book: each numbered page prints its place counted from the cover,
    # and no page prints its briefing's own number any more
    runs = text_runs(data)
    printed: dict[int, list[str]] = {}
    for run in runs:
        if re.fullmatch(r"\d+", run.text) and run.y < 60:
            printed.setdefault(run.page, []).append(run.text)
    numbered = [p for p in printed if p >= 2]
    assert len(numbered) > len(reader.pages) // 2
    for page in numbered:
        assert printed[page] == [str(page + 1)], (page, printed[page])
    # bookmarks: one per chapter, the briefings' own under them
    top = [item for item in reader.outline if not isinstance(item, list)]
    assert any(isinstance(item, list) and item for item in reader.outline)
    assert len(top) == 3
    # tagging and language: one structure tree, every element's marked content where it says it is
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "vi" and root["/MarkInfo"]["/Marked"]
    tree = root["/StructTreeRoot"].get_object()
    document = tree["/K"][0].get_object()
    assert document["/S"] == "/Document" and len(document["/K"]) == 4  # front matter and three chapters
    nums = tree["/ParentTree"].get_object()["/Nums"]
    keys = [int(k) for k in nums[0::2]]
    assert len(keys) == len(set(keys)) and int(tree["/ParentTreeNextKey"]) > max(keys)
    assert all(page.get("/StructParents") is not None for page in reader.pages)
    assert _structure_problems(reader) == []


_MCID = re.compile(rb"/MCID\s*(\d+)")  # in a BDC operator's properties, where Typst writes it


def _structure_problems(reader: PdfReader) -> list[str]:
    """What is wrong with the structure tree of `reader`'s PDF, checked against its pages: each
    marked-content reference of an element (an MCID in its /K on its /Pg, or an /MCR with its own
    /Pg, which Typst writes for a paragraph that goes on to the next page) names marked content
    drawn on that page, and the parent tree maps that page's MCID back to that element; each object
    reference (/OBJR: a link) names an annotation of its page whose /StructParent maps back to the
    element; every marked content of every page is referenced once."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    page_of = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages)}
    drawn: dict[int, set[int]] = {}
    for n, page in enumerate(reader.pages):
        contents = page.get_contents()
        drawn[n] = {int(m) for m in _MCID.findall(contents.get_data())} if contents is not None else set()
    tree = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    nums: list = []

    def collect(node) -> None:
        node = node.get_object()
        nums.extend(node.get("/Nums", []))
        for kid in node.get("/Kids", []):
            collect(kid)

    collect(tree["/ParentTree"])
    parents = {int(k): v for k, v in zip(nums[0::2], nums[1::2])}
    problems: list[str] = []
    referenced: dict[tuple[int, int], int] = {}

    def page(ref, where: str) -> int | None:
        n = page_of.get(ref.idnum) if isinstance(ref, IndirectObject) else None
        if n is None:
            problems.append(f"{where}: /Pg is not a page of the book")
        return n

    def marked(n: int, mcid: int, element: int, where: str) -> None:
        if mcid not in drawn[n]:
            problems.append(f"{where}: MCID {mcid} is not drawn on page {n + 1}")
        key = reader.pages[n].get("/StructParents")
        entry = parents.get(int(key)) if key is not None else None
        array = entry.get_object() if entry is not None else []
        if mcid >= len(array) or getattr(array[mcid], "idnum", None) != element:
            problems.append(f"{where}: the parent tree of page {n + 1} does not map MCID {mcid} to it")
        if (n, mcid) in referenced:
            problems.append(f"{where}: MCID {mcid} of page {n + 1} is referenced twice")
        referenced[(n, mcid)] = element

    def walk(ref, depth: int = 0) -> None:
        element = ref.get_object()
        where = f"element {ref.idnum} ({element.get('/S')})"
        own = element.raw_get("/Pg") if "/Pg" in element else None
        k = element.get("/K")
        if isinstance(k, IndirectObject) and isinstance(k.get_object(), ArrayObject):
            k = k.get_object()
        for kid in (k if isinstance(k, ArrayObject) else [k]) if k is not None else []:
            if isinstance(kid, IndirectObject) or isinstance(kid, DictionaryObject):
                item = kid.get_object()
                kind = item.get("/Type")
                on = item.raw_get("/Pg") if "/Pg" in item else own
                if kind == "/MCR":
                    n = page(on, where)
                    if n is not None:
                        marked(n, int(item["/MCID"]), ref.idnum, where)
                elif kind == "/OBJR":
                    n, annot = page(on, where), item.raw_get("/Obj")
                    annots = reader.pages[n].get("/Annots") if n is not None else None
                    if n is not None and annot.idnum not in [a.idnum for a in (annots or [])]:
                        problems.append(f"{where}: its annotation is not on page {n + 1}")
                    key = annot.get_object().get("/StructParent")
                    if key is None or getattr(parents.get(int(key)), "idnum", None) != ref.idnum:
                        problems.append(f"{where}: the parent tree does not map its annotation back to it")
                elif "/S" in item and depth < 64:
                    walk(kid, depth + 1)
            else:  # an MCID on the element's own page
                n = page(own, where)
                if n is not None:
                    marked(n, int(kid), ref.idnum, where)

    for top in tree["/K"] if isinstance(tree["/K"], ArrayObject) else [tree.raw_get("/K")]:
        walk(top)
    problems.extend(
        f"page {n + 1}: MCID {m} is in no element"
        for n, ms in drawn.items()
        for m in sorted(ms)
        if (n, m) not in referenced
    )
    return problems


def test_the_structure_check_finds_an_element_pointed_at_the_wrong_page(synthetic_site):
    from pypdf.generic import NameObject

    data = (synthetic_site / "books/2026-H1.pdf").read_bytes()
    reader = PdfReader(io.BytesIO(data))
    assert _structure_problems(reader) == []
    # an element whose marked content is on its own page (MCIDs in its /K), pointed at the next page
    tree = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    nums = tree["/ParentTree"].get_object()["/Nums"]
    mine = dict(zip([int(k) for k in nums[0::2]], nums[1::2]))[int(reader.pages[30]["/StructParents"])]
    element = next(
        e.get_object()
        for e in mine.get_object()
        if e.get_object().raw_get("/Pg").idnum == reader.pages[30].indirect_reference.idnum
    )
    element[NameObject("/Pg")] = reader.pages[31].indirect_reference
    found = _structure_problems(reader)
    assert any("page 31" in p for p in found) and any("page 32" in p for p in found), found


def test_table_columns_get_at_least_their_longest_word_and_fill_the_line():
    from giaoban.publish.columns import INSET, column_widths, geometry, text_width

    geo = geometry("a4", "2.2cm", "11pt")
    columns = [
        ["Chỉ tiêu", "Mẫu vàng trang sức, mỹ nghệ trưng cầu giám định chất lượng", "Tiền xử phạt vi phạm hành chính"],
        ["Số tỉnh có số liệu", "34", "34"],
        ["Trung vị các tỉnh", "53", "90.929.100 đồng"],
        ["Cao nhất", "Thái Nguyên: 201 [259]", "Thái Nguyên: 372.840.300 đồng [249]"],
        ["Thấp nhất", "Điện Biên: 11 [260]", "Sơn La: 25.371.400 đồng [250]"],
        ["Trung vị năm trước", "27", "46.077.100 đồng"],
    ]
    widths = column_widths(columns, geo)
    assert abs(sum(widths) - geo.line) < 1e-6
    for texts, width in zip(columns, widths):
        longest = max(text_width(word, geo.size) for text in texts for word in text.split())
        assert width >= longest + 2 * INSET, (texts[0], width, longest)
    assert widths[1] < widths[0] and widths[1] < widths[3]
    # a line too narrow for the words: each column its longest word's share, the sum still the line
    narrow = column_widths(columns, type(geo)(120.0, geo.size))
    assert abs(sum(narrow) - 120.0) < 1e-6


def test_the_structure_check_follows_a_paragraph_onto_its_next_page():
    typst = pytest.importorskip("typst")
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    source = '#set page(width: 8cm, height: 4cm)\n#set text(lang: "vi")\n' + " ".join(["Sở khoa học báo cáo"] * 60)
    reader = PdfReader(io.BytesIO(typst.compile(source.encode("utf-8"))))
    assert len(reader.pages) > 1
    assert _structure_problems(reader) == []  # Typst's own tagging: the paragraph on every page
    # the paragraph keeps the first page as its /Pg and names the others in /MCR kids
    stack, references = [reader.trailer["/Root"]["/StructTreeRoot"].get_object()], []
    while stack:
        kids = stack.pop().get("/K")
        for kid in kids if isinstance(kids, ArrayObject) else [kids] if kids is not None else []:
            item = kid.get_object()
            if isinstance(item, DictionaryObject) and item.get("/Type") == "/MCR":
                references.append(item)
            elif isinstance(item, DictionaryObject) and "/S" in item:
                stack.append(item)
    assert references
    moved = references[-1]
    n = reader.get_page_number(moved["/Pg"])
    moved[NameObject("/Pg")] = reader.pages[n - 1].indirect_reference
    assert any(f"page {n}" in problem for problem in _structure_problems(reader))
