"""The notebooks: stored without outputs, and executed with Papermill as the build runs them.

Each execution costs a kernel start (a few seconds), so each (notebook, parameters) runs at most once
per worker (`executed`), and the tests reading one execution share an `xdist_group`. nbval runs every
notebook with its default parameters separately (`--nbval-lax`, see `docs/notebooks.md`).
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
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


# ------------------------------------------------------------------ Papermill's and Jupyter's own command lines

def _short(folder: Path, name: str, tagged: bool = True) -> Path:
    """A copy of notebook `name` cut after its title cell (parameters, setup, title): what the
    parameters decide, without the cost of the whole page (nbval and the tests above run that)."""
    book = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    book.cells = book.cells[:3]
    if not tagged:
        book.cells[0].metadata.pop("tags")
    path = folder / f"{name}-{'tagged' if tagged else 'untagged'}.ipynb"
    nbformat.write(book, path)
    return path


def _tool(name: str, *args: str) -> subprocess.CompletedProcess:
    """Run the environment's `name` (papermill, jupyter) as a user would, from the project folder."""
    env = {k: v for k, v in os.environ.items() if k not in ("GIAOBAN_ROOT", "GIAOBAN_DATA")}
    return subprocess.run([str(Path(sys.executable).with_name(name)), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def _markdown(path: Path) -> str:
    book = nbformat.read(path, as_version=4)
    return "\n".join(o["data"]["text/markdown"] for c in book.cells for o in c.get("outputs", [])
                     if "text/markdown" in o.get("data", {}))


@pytest.mark.parametrize("name", NAMES)
def test_help_notebook_shows_every_parameter_with_its_type(name):
    done = _tool("papermill", "--help-notebook", str(NOTEBOOKS / f"{name}.ipynb"))
    assert done.returncode == 0, done.stderr
    book = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    names = re.findall(r"^(\w+)\s*:", book.cells[0].source, re.M)
    assert names and "Unknown type" not in done.stdout
    for param in names:
        assert re.search(rf"^  {param}: (str|Optional\[str\]) \(default ", done.stdout, re.M), (param, done.stdout)
    if name != "period":
        assert 'province: str (default "51")' in done.stdout


@pytest.mark.xdist_group("nb-cli-number")
def test_papermill_command_line_takes_the_province_as_a_number(tmp_path):
    """`-p` makes 51 an int: the command every Papermill user types works."""
    out = tmp_path / "out.ipynb"
    done = _tool("papermill", str(_short(tmp_path, "briefing")), str(out), "-p", "province", "51",
                 "-p", "period", "2021-H1")
    assert done.returncode == 0, done.stderr
    book = nbformat.read(out, as_version=4)
    assert "province = 51\n" in book.cells[1].source  # what Papermill injected: a number
    assert "# Bản tin giao ban KH&CN: Quảng Ngãi, 6 tháng đầu năm 2021" in _markdown(out)


@pytest.mark.xdist_group("nb-cli-name")
def test_papermill_command_line_takes_the_province_by_name(tmp_path):
    out = tmp_path / "out.ipynb"
    done = _tool("papermill", str(_short(tmp_path, "briefing")), str(out), "-p", "province", "yen bai",
                 "-p", "period", "2020-9M", "-p", "lang", "vi")
    assert done.returncode == 0, done.stderr
    assert "# Bản tin giao ban KH&CN: Yên Bái, 9 tháng năm 2020" in _markdown(out)


@pytest.mark.xdist_group("nb-cli-untagged")
def test_a_notebook_that_lost_its_parameters_tag_fails_under_plain_papermill(tmp_path):
    """Papermill then injects at the top and the defaults cell overrides what was asked (Yên Bái
    9M-2020 would silently have been Quảng Ngãi 2021-H1): the first cell after the parameters refuses."""
    out = tmp_path / "out.ipynb"
    done = _tool("papermill", str(_short(tmp_path, "briefing", tagged=False)), str(out), "-p", "province", "15",
                 "-p", "period", "2020-9M")
    assert done.returncode != 0
    said = done.stdout + done.stderr
    assert "sổ tay không dùng tham số Papermill truyền vào: province=15 (sổ tay đang dùng '51')" in said
    assert "mất nhãn (tag) 'parameters'" in said
    assert "Quảng Ngãi" not in _markdown(out)  # no page was made


@pytest.mark.xdist_group("nb-cli-nbconvert")
def test_nbconvert_executes_a_notebook_top_to_bottom_with_its_defaults(tmp_path):
    """What `jupyter nbconvert --execute` and JupyterLab's "run all" do: no Papermill, the defaults, and
    a kernel started in the notebook's folder, which finds its project by walking up from there."""
    project = tmp_path / "project"
    (project / "notebooks").mkdir(parents=True)
    (project / "data").symlink_to(ROOT / "data", target_is_directory=True)
    (project / "_quarto.yml").write_bytes((ROOT / "_quarto.yml").read_bytes())
    source = _short(project / "notebooks", "province")
    done = _tool("jupyter", "nbconvert", "--to", "notebook", "--execute", str(source), "--output", "ran.ipynb")
    assert done.returncode == 0, done.stderr
    assert "# Quảng Ngãi: số liệu KH&CN qua các kỳ" in _markdown(project / "notebooks" / "ran.ipynb")
    # the same notebook outside any project says so (it used to read the data of the install folder)
    alone = _short(tmp_path, "province")
    done = _tool("jupyter", "nbconvert", "--to", "notebook", "--execute", str(alone), "--output", "alone.ipynb")
    assert done.returncode != 0 and "không tìm thấy dự án giaoban" in done.stderr


# ------------------------------------------------------------------ the parameters, one by one

@pytest.mark.parametrize(("given", "code"), [
    (51, "51"), ("51", "51"), (1, "01"), ("1", "01"), ("01", "01"), (" 15 ", "15"),
    ("Quảng Ngãi", "51"), ("quang ngai", "51"), ("Tỉnh Quảng Ngãi", "51"), ("TP.HCM", "79"),
    ("Thừa Thiên Huế", "46"), ("Yen Bai", "15"),
])
def test_a_province_parameter_is_a_code_or_a_name_as_reports_write_it(given, code):
    from giaoban.briefing.parameters import province_code
    from giaoban.domain.periods import Period

    assert province_code(given, on=Period.parse("2021-H1")) == code


def test_a_province_parameter_that_is_unknown_or_ambiguous_is_refused_with_the_candidates():
    from giaoban.briefing.parameters import province_code
    from giaoban.errors import InputError
    from giaoban.domain.periods import Period

    with pytest.raises(InputError, match="không nhận ra tỉnh/thành phố “Quang Ngay”. Có phải: Quảng Ngãi"):
        province_code("Quang Ngay", on=Period.parse("2021-H1"))
    with pytest.raises(InputError, match=r"“Lào Cai” có thể là Lào Cai \(mã 10, .*\) hoặc Lào Cai \(mã 15, "):
        province_code("Lào Cai", on=None)
    for wrong in (0, 100, True, 5.0, None, "", ["51"]):
        with pytest.raises(InputError, match="tham số 'province' cần mã GSO"):
            province_code(wrong)
    # a name of a unit that had ended gives its code: the page then points to its successor
    assert province_code("Kon Tum", on=Period.parse("2025-H2")) == "62"


def test_the_injected_cell_is_read_and_checked_once():
    from giaoban.briefing import parameters
    from giaoban.errors import InputError

    injected = '# Parameters\nprovince = 15\nperiod = "2020-9M"\nflags = {"a": [1, None]}\n'
    defaults = 'province: str = "51"\nperiod: str = "2021-H1"\n'
    assert parameters.injected_values(["", defaults, injected, "x = 1"]) == (
        2, {"province": 15, "period": "2020-9M", "flags": {"a": [1, None]}})
    assert parameters.injected_values(["", defaults]) is None
    # the tag in place: the injected cell ran after the defaults
    parameters.check_injected({"In": ["", defaults, injected, "check"], "province": 15, "period": "2020-9M",
                               "flags": {"a": [1, None]}})
    # the tag lost: the defaults ran after the injected cell
    lost = {"In": ["", injected, defaults, "check"], "province": "51", "period": "2021-H1", "flags": {"a": [1, None]}}
    with pytest.raises(InputError, match=r"province=15 \(sổ tay đang dùng '51'\), period='2020-9M'"):
        parameters.check_injected(lost)
    parameters.check_injected(lost)  # the analyst's own re-runs afterwards are theirs
    # outside IPython, or when nothing was injected (nbconvert, JupyterLab): nothing to check
    parameters.check_injected({"province": "51"})
    parameters.check_injected({"In": ["", defaults, "check"], "province": "51"})
