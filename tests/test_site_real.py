"""The real Quảng Ngãi 2021-H1 briefing, built from the project's data and notebooks and rendered.

`giaoban.build.pipeline.build` executes `notebooks/briefing.ipynb` for `params/meetings/51-quang-ngai-2021-H1.yml`
into a temporary build folder and renders it with the built-in renderer; the page and its PDF must
carry the report's figures written the Vietnamese way and the province's name with its diacritics.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from giaoban.publish.links import page_links

from giaoban.publish import check_links

from fixtures.render.session import PROJECT

MEETING = PROJECT / "params" / "meetings" / "51-quang-ngai-2021-H1.yml"
PAGE = "briefings/2021-H1/51-quang-ngai"


@pytest.fixture(scope="module")
def real_site(tmp_path_factory):
    build = pytest.importorskip("giaoban.build.pipeline", reason="giaoban.build.pipeline (the execution stage) is not there yet")
    if not MEETING.is_file():
        pytest.skip(f"{MEETING.name} is not there yet")
    root = tmp_path_factory.mktemp("real")
    result = build.build(build.BuildOptions([MEETING], workers=1, renderer="builtin", build_dir=root / "_build", out=root / "_site",
                         progress=False, echo=lambda line: None))
    assert result.exit_code == 0, result.summary_lines()
    return root / "_site"


def test_real_briefing_page_and_pdf_carry_the_report_figures(real_site: Path):
    html = (real_site / f"{PAGE}.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    pdf = unicodedata.normalize("NFC", re.sub(r"\s+", " ", " ".join(
        p.extract_text() for p in PdfReader(real_site / f"{PAGE}.pdf").pages)))
    for figure in ("1.287", "50.074.800 đồng", "Quảng Ngãi", "6 tháng đầu năm 2021"):
        assert figure in text, figure
        assert figure in pdf, figure
    assert check_links(real_site) == []
    assert (real_site / "books/2021-H1.pdf").is_file()


def test_a_figure_is_traced_to_its_sentence_in_one_click(real_site: Path):
    """Quảng Ngãi's 1.287 instruments verified: its mark leads to its entry in the sources, the
    entry to the line of the report's text, where the quote is highlighted and a link leads back."""

    html = (real_site / f"{PAGE}.html").read_text(encoding="utf-8")
    mark = re.search(r'1\.287 <a href="#(src-\d+)" class="src-mark">\[(\d+)\]</a>', html)
    assert mark, "the mark of 1.287 is a link to its source entry"
    entry = re.search(rf'<li><span id="{mark[1]}">\[{mark[2]}\]</span> \(<a href="([^"]+)" class="gb-source">'
                      r"dòng (\d+)</a>\) “([^”]*)”", html)
    assert entry, f"the entry {mark[1]} links to the report text"
    href, line, quote = entry[1], entry[2], entry[3]
    assert "1.287" in quote and href == f"../../sources/004_827c2f16ec2dc701.html#L{line}"
    target = real_site / "sources/004_827c2f16ec2dc701.html"
    text = target.read_text(encoding="utf-8")
    at = re.search(rf'<span class="line" id="L{line}">(.*?)</span>', text, re.S)
    assert at and f"<mark>{quote}" in re.sub(r"</mark><mark>", "", at[1]).replace("&#34;", '"') or quote in at[1]
    assert "<mark>" in at[1] and "1.287" in re.sub(r"<[^>]+>", "", at[1])
    links, _ = page_links(text)
    assert f"../{PAGE}.html" in links and "../provinces/51-quang-ngai.html" in links


def test_english_sources_mark_the_vietnamese_quotes_and_titles():
    import pandas as pd

    from giaoban.briefing.sources import Notes

    reports = pd.DataFrame([{"report_id": "qn", "title": "Hội nghị sơ kết", "source_file": "004_ab.txt", "source_url": ""}])
    notes = Notes(reports, {"qn": "Dòng một\nKiểm định 1.287 phương tiện đo\n"})
    assert str(notes.mark([type("P", (), {"report_id": "qn", "quote": "Kiểm định 1.287"})()])) == "[\\[1\\]](#src-1){.src-mark}"
    en = notes.markdown("en")
    assert "[*Hội nghị sơ kết*]{lang=vi}" in en
    assert "- [\\[1\\]]{#src-1} ([line 2](/sources/004_ab.html#L2){.gb-source}) [“Kiểm định 1.287”]{lang=vi}" in en
    assert "- [\\[1\\]]{#src-1} ([dòng 2](/sources/004_ab.html#L2){.gb-source}) “Kiểm định 1.287”" in notes.markdown("vi")


def test_report_texts_follow_the_visibility_of_their_report(tmp_path):
    from giaoban.publish.data import read_source_texts

    data = tmp_path / "data"
    (data / "sources").mkdir(parents=True)
    (data / "sources" / "a.txt").write_text("Dòng một\nKiểm định 1.287 phương tiện đo\n", encoding="utf-8")
    (data / "sources" / "b.txt").write_text("Nội bộ\n", encoding="utf-8")
    (data / "sources" / "c.txt").write_text("Cấp 12 giấy phép\n", encoding="utf-8")
    (data / "reports.csv").write_text(
        "report_id,province,period,title,source_file,source_url,visibility\n"
        "a,51,2021-H1,A,a.txt,,public\nb,51,2021-H1,B,b.txt,,internal\nc,51,2021-H1,C,c.txt,,public\n",
        encoding="utf-8")
    (data / "observations.csv").write_text(
        "report_id,quote,visibility\na,Kiểm định 1.287 phương tiện đo,public\na,Dòng một,internal\n"
        "c,Cấp 12 giấy phép,public\n", encoding="utf-8")
    assert [t.file for t in read_source_texts(data)] == ["a.txt", "b.txt", "c.txt"]
    public = read_source_texts(data, public=True)
    # a public report with an internal figure: its text holds that figure's sentence, so it is not published
    assert [t.file for t in public] == ["c.txt"] and public[0].quotes == ("Cấp 12 giấy phép",)


def test_data_page_offers_the_downloads_first_and_names_areas_and_types_in_vietnamese(real_site: Path):
    html = (real_site / "data.html").read_text(encoding="utf-8")
    assert html.index('id="dl-h"') < html.index('id="ind-h"')
    catalogue = html.split('id="ind-h"')[1].split('id="method-h"')[0]
    assert "<h3>Quản lý khoa học</h3>" in catalogue and "số đếm" in catalogue
    assert "<td>count</td>" not in catalogue and "<td>science</td>" not in catalogue


def test_marks_link_to_their_sources_and_the_sources_to_the_report_text(real_site: Path):
    html = (real_site / f"{PAGE}.html").read_text(encoding="utf-8")
    links, ids = page_links(html)
    marks = [link for link in links if link.startswith("#src-")]
    assert marks and all(m[1:] in ids for m in marks)
    texts = [link for link in links if "sources/004_827c2f16ec2dc701.html#L" in link]
    assert texts and all(t.startswith("../../sources/") for t in texts)
    source = (real_site / "sources/004_827c2f16ec2dc701.html").read_text(encoding="utf-8")
    assert f'href="../{PAGE}.html"' in source and "<mark>" in source


def test_an_image_takes_its_alt_from_the_output_metadata_and_its_size_from_the_figure(tmp_path):
    import base64
    import json

    from giaoban.publish.notebook import read_notebook, to_html

    png = base64.b64encode(bytes.fromhex("89504e470d0a1a0a")).decode()
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "source": "", "execution_count": 1, "outputs": [
        {"output_type": "display_data", "metadata": {"image/png": {"alt": "Số phương tiện đo kiểm định: 1.287"}},
         "data": {"image/png": png, "text/plain": "<Figure size 944.882x318 with 1 Axes>"}},
        {"output_type": "display_data", "metadata": {},
         "data": {"image/png": png + "AA", "text/plain": "<Figure size 600x400 with 2 Axes>"}}]}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "a.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    html = to_html(read_notebook(tmp_path / "a.ipynb", lang="vi"), "img")
    assert 'width="944" height="318" alt="Số phương tiện đo kiểm định: 1.287"' in html
    assert 'width="600" height="400" alt="Biểu đồ 2"' in html
