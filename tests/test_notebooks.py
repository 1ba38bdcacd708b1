"""The notebooks: stored without outputs, and executed with Papermill as the build runs them.

Each execution costs a kernel start (a few seconds), so each (notebook, parameters) runs at most once
per worker (`executed`), and the tests reading one execution share an `xdist_group`. nbval runs every
notebook with its default parameters separately (`--nbval-lax`, see `docs/notebooks.md`).
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
NAMES = ("briefing", "province", "period")
VIETNAMESE = re.compile(r"[À-ỹĐđ]")

_runs: dict[str, dict] = {}


def executed(tmp_dir: Path, notebook: str, **params) -> dict:
    """Execute `notebook` with `params` (once per worker) and return its outputs: `markdown` (all
    Markdown outputs joined), `pngs` (bytes), `errors`, `stderr`."""
    import papermill

    key = json.dumps([notebook, params], sort_keys=True)
    if key not in _runs:
        out = tmp_dir / f"{notebook}-{len(_runs)}.ipynb"
        papermill.execute_notebook(str(NOTEBOOKS / f"{notebook}.ipynb"), str(out), parameters=params,
                                   kernel_name="python3", progress_bar=False, cwd=str(ROOT))
        book = nbformat.read(out, as_version=4)
        found = {"markdown": [], "pngs": [], "errors": [], "stderr": []}
        for cell in book.cells:
            for o in cell.get("outputs", []):
                data = o.get("data", {})
                if "text/markdown" in data:
                    found["markdown"].append(data["text/markdown"])
                if "image/png" in data:
                    found["pngs"].append(base64.b64decode(data["image/png"]))
                if o.get("output_type") == "error":
                    found["errors"].append(f"{o['ename']}: {o['evalue']}")
                if o.get("output_type") == "stream" and o.get("name") == "stderr":
                    found["stderr"].append(o["text"])
        found["markdown"] = "\n\n".join(found["markdown"])
        _runs[key] = found
    return _runs[key]


@pytest.fixture(scope="session")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("executed")
    return lambda notebook, **params: executed(folder, notebook, **params)


def headings(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("#")]


def assert_clean(result: dict) -> None:
    assert result["errors"] == [] and not any("Traceback" in s for s in result["stderr"])


# ------------------------------------------------------------------ stored form

@pytest.mark.parametrize("name", NAMES)
def test_notebooks_are_stored_without_outputs_and_with_a_parameters_cell(name):
    raw = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    book = nbformat.reads(json.dumps(raw), as_version=4)
    nbformat.validate(book)
    assert book.metadata["kernelspec"]["name"] == "python3"
    assert "papermill" not in book.metadata and "widgets" not in book.metadata
    for cell in book.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.id
    tagged = [c for c in book.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and book.cells[0] is tagged[0]


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_are_thin(name):
    book = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    code = [c.source for c in book.cells if c.cell_type == "code"]
    assert all(len(src.splitlines()) <= 10 for src in code)
    assert not any(re.search(r"^\s*(def|class) ", src, re.M) for src in code)
    assert not any("read_csv" in src or "open(" in src for src in code)   # data only through giaoban


# ------------------------------------------------------------------ executed with Papermill

@pytest.mark.xdist_group("nb-briefing-51-vi")
def test_quang_ngai_briefing_shows_vietnamese_numbers(run):
    result = run("briefing")                                      # the default parameters
    assert_clean(result)
    md = result["markdown"]
    assert "# Bản tin giao ban KH&CN: Quảng Ngãi, 6 tháng đầu năm 2021" in md
    assert "| Phương tiện đo được kiểm định | 1.287 [\\[" in md  # the mark is a link       # 1.287 instruments verified
    assert "50.074.800 đồng" in md                                  # the fines
    assert "trên 500" in md and "13/14" in md
    for heading in ("## Số liệu chính của kỳ", "## Số liệu theo lĩnh vực", "### Tiêu chuẩn, đo lường, chất lượng",
                    "## Vị trí so với các tỉnh, thành phố khác", "## Nhiệm vụ trọng tâm kỳ tới",
                    "## Văn bản được viện dẫn", "## Nguồn"):
        assert heading in md
    assert "6 tháng cuối năm 2021" in md and "6. thông tin, thống kê khoa học công nghệ" in md
    assert "([dòng 46](/sources/004_827c2f16ec2dc701.html#L46){.gb-source}) “thực hiện kiểm định 1.287 phương tiện đo (PTĐ) các loại”" in md  # the line links to the report text
    assert "không tìm thấy nguyên văn" not in md                    # every quote is in its source text
    # charts compare one indicator with itself (across periods, or across provinces): with one report and
    # no other province's figure, the real page has none, and its highlights say there is nothing to compare
    assert result["pngs"] == []
    assert "## Điểm nổi bật" in md and "Chưa có gì để so sánh" in md


@pytest.mark.xdist_group("nb-briefing-51-en")
def test_quang_ngai_briefing_in_english(run):
    result = run("briefing", province="51", period="2021-H1", lang="en")
    assert_clean(result)
    md = result["markdown"]
    assert "# S&T briefing: Quang Ngai, first half of 2021" in md
    assert "1,287" in md and "50,074,800 VND" in md and "more than 500" in md
    assert "## Key figures of the period" in md and "## Sources" in md
    assert [h for h in headings(md) if VIETNAMESE.search(h)] == []   # every heading in English


@pytest.mark.xdist_group("nb-briefing-15-9m")
def test_yen_bai_nine_months_lists_the_seven_tasks_under_next_period(run):
    result = run("briefing", province="15", period="2020-9M")
    assert_clean(result)
    md = result["markdown"]
    assert "99,88%" in md and "12,486 tỷ đồng" in md
    section = md.split("## Nhiệm vụ trọng tâm kỳ tới", 1)[1].split("\n## ", 1)[0]
    assert "Báo cáo kỳ này đặt các nhiệm vụ dưới đây cho quý IV năm 2020." in section
    assert re.findall(r"^(\d)\. ", section, re.M) == ["1", "2", "3", "4", "5", "6", "7"]
    assert "Không có nhiệm vụ trọng tâm nào được đặt cho 9 tháng năm 2020" in md


@pytest.mark.xdist_group("nb-briefing-15-q4")
def test_yen_bai_fourth_quarter_lists_the_seven_tasks_as_set_for_this_period(run):
    result = run("briefing", province="15", period="2020-Q4")
    assert_clean(result)
    md = result["markdown"]
    assert "Chưa có báo cáo của Yên Bái cho quý IV năm 2020" in md
    assert "## Nhiệm vụ trọng tâm kỳ tới" not in md
    section = md.split("## Nhiệm vụ trọng tâm đặt cho kỳ này", 1)[1]
    assert "Đặt tại: *Một số nhiệm vụ trọng tâm của ngành khoa học và công nghệ 3 tháng cuối năm 2020*" in section
    assert re.findall(r"^(\d)\. ", section, re.M) == ["1", "2", "3", "4", "5", "6", "7"]
    assert "Nhiệm vụ KH&amp;CN mới triển khai: *không có số liệu*; gần nhất trước kỳ: 12 [\\[1\\]](#src-1){.src-mark} (9 tháng năm 2020)" in section  # the mark links to its source entry
    assert "*chưa gắn chỉ tiêu nào để theo dõi*" in section          # task 5 names no indicator


@pytest.mark.xdist_group("nb-province")
def test_province_notebook(run):
    result = run("province")
    assert_clean(result)
    md = result["markdown"]
    assert "# Quảng Ngãi: số liệu KH&CN qua các kỳ" in md
    assert "| Phương tiện đo được kiểm định | 1.287 [\\[" in md  # the mark is a link
    assert "chưa vẽ được xu hướng" in md                            # one period only: said, not drawn


@pytest.mark.xdist_group("nb-period")
def test_period_notebook(run):
    result = run("period")
    assert_clean(result)
    md = result["markdown"]
    assert "1/63 đơn vị hành chính cấp tỉnh có báo cáo cho 6 tháng đầu năm 2021" in md
    assert "| Quảng Ngãi | quang-ngai-2021-h1 | 4 | 3 | 1 | 9 | 13 | 2 | · | 32 |" in md
    assert len(result["pngs"]) == 1                                 # the map
