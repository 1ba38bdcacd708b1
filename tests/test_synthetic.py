"""The synthetic national dataset of `benchmarks/synthetic.py`: complete, marked, deterministic, valid.

The speed benchmarks build every briefing of this dataset, so it must have the shape of `data/`
(63 units before 1 July 2025, 34 after, every indicator in every report, verbatim quotes) and must
never be mistaken for real data.
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from giaoban.errors import InputError
from giaoban.domain.numbers import format_money, format_number
from giaoban.domain.periods import Period
from giaoban.domain.provinces import load_provinces

ROOT = Path(__file__).resolve().parents[1]
# One worker builds the module's datasets once (`make test` runs xdist with --dist loadgroup).
pytestmark = pytest.mark.xdist_group("synthetic")


def _load_module():
    spec = importlib.util.spec_from_file_location("giaoban_benchmarks_synthetic",
                                                  ROOT / "benchmarks" / "synthetic.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


synthetic = _load_module()


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    """The default dataset (12 periods), generated once for the module."""
    out = tmp_path_factory.mktemp("synthetic") / "national"
    return out, synthetic.generate(out)


@pytest.fixture(scope="module")
def catalogue() -> list[str]:
    return [r["code"] for r in _rows(ROOT / "data" / "reference", "indicators.csv")]


def test_every_unit_reports_every_period_with_every_indicator(national, catalogue):
    out, summary = national
    reports = _rows(out, "reports.csv")
    assert (summary.units_old, summary.units_new) == (63, 34)
    assert len(summary.periods) >= 12
    assert summary.periods_new[0] == "2025-H2" and summary.periods_old[-1] == "2025-H1"
    registry = load_provinces()
    by_period = defaultdict(set)
    for r in reports:
        by_period[r["period"]].add(r["province"])
    assert sorted(by_period) == sorted(summary.periods)
    for code, provinces in by_period.items():
        expected = {u.code for u in registry.units(on=Period.parse(code).end)}
        assert provinces == expected
        assert len(provinces) == (63 if code in summary.periods_old else 34)

    indicators = defaultdict(set)
    for o in _rows(out, "observations.csv"):
        if o["kind"] == "actual":
            assert o["period"] == o["report_id"][-len(o["period"]):].upper()
            indicators[o["report_id"]].add(o["indicator"])
    assert all(indicators[r["report_id"]] == set(catalogue) for r in reports)
    tasks = {t["report_id"] for t in _rows(out, "focus_tasks.csv")}
    refs = {t["report_id"] for t in _rows(out, "legal_refs.csv")}
    assert tasks == refs == {r["report_id"] for r in reports}
    assert summary.reports == len(reports) == 63 * len(summary.periods_old) + 34 * len(summary.periods_new)
    assert summary.observations == len(_rows(out, "observations.csv"))


def test_every_output_is_marked_synthetic(national):
    out, summary = national
    reports = _rows(out, "reports.csv")
    assert all(r["report_id"].startswith("synthetic-") for r in reports)
    assert all("(giả lập)" in r["title"] for r in reports)
    sources = sorted((out / "sources").glob("*.txt"))
    assert sorted(r["source_file"] for r in reports) == [p.name for p in sources]
    for path in sources:
        assert path.read_text(encoding="utf-8").split("\n", 1)[0] == synthetic.MARK
    assert "SYNTHETIC DATA, NOT REAL" in (out / "SYNTHETIC.md").read_text(encoding="utf-8")
    for name in ("observations.csv", "focus_tasks.csv", "legal_refs.csv"):
        assert all(r["report_id"].startswith("synthetic-") for r in _rows(out, name))
    assert _files(out / "reference") == _files(ROOT / "data" / "reference")


def test_quotes_are_verbatim_and_hold_the_number_as_written(national):
    out, _ = national
    texts = {r["report_id"]: (out / "sources" / r["source_file"]).read_text(encoding="utf-8")
             for r in _rows(out, "reports.csv")}
    for o in _rows(out, "observations.csv"):
        text, quote, value = texts[o["report_id"]], o["quote"], o["value"]
        assert text.count(quote) == 1, quote
        if o["unit"] == "đồng":
            written = {format_money(int(value)), format_money(int(value), "triệu đồng")}
        elif o["unit"] == "%":
            written = {format_number(float(value)) + "%"}
        else:
            written = {format_number(int(value)), f"0{value}"}
        assert any(w in quote for w in written), (value, quote)
        if o["denominator"]:
            assert f"{format_number(int(value))}/{format_number(int(o['denominator']))}" in quote
    for t in _rows(out, "focus_tasks.csv"):
        assert t["text"] in texts[t["report_id"]]
    for ref in _rows(out, "legal_refs.csv"):
        assert ref["quote"] in texts[ref["report_id"]]


def test_same_seed_gives_identical_bytes(tmp_path):
    a = synthetic.generate(tmp_path / "a", seed=7, periods=2)
    synthetic.generate(tmp_path / "b", seed=7, periods=2)
    synthetic.generate(tmp_path / "c", seed=8, periods=2)
    assert a.reports == 63 + 34
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a")["observations.csv"] != _files(tmp_path / "c")["observations.csv"]


def test_refuses_the_project_data_folder_and_non_empty_folders(tmp_path):
    data = ROOT / "data"
    before = _files(data)
    for target in (data, data / "synthetic", ROOT):
        with pytest.raises(InputError):
            synthetic.generate(target, periods=2, force=True)
    with pytest.raises(InputError):
        synthetic.change_one_figure(data, "51", "2021-H1")
    assert _files(data) == before
    assert not (data / "synthetic").exists()

    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="không trống"):
        synthetic.generate(busy, periods=2)
    assert synthetic.generate(busy, periods=2, force=True).reports == 97
    with pytest.raises(InputError):
        synthetic.plan_periods(1)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic") / "small"
    synthetic.generate(out, seed=3, periods=2)
    return out


def _problems(folder: Path) -> list[str]:
    """What `giaoban validate` says about `folder`."""
    from giaoban.data.validation import validate_data
    return validate_data(folder).lines()


@pytest.fixture(scope="module")
def small_problems(small) -> list[str]:
    return _problems(small)


def test_generated_data_passes_validation(small_problems):
    problems = small_problems
    assert problems == []


def test_change_one_figure_changes_one_observation_consistently(small, small_problems, tmp_path):
    folder = tmp_path / "copy"
    for name, data in _files(small).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    before = _rows(folder, "observations.csv")
    files_before = _files(folder)

    report_id, indicator, old, new = synthetic.change_one_figure(folder, "51", "2025-H2")

    after = _rows(folder, "observations.csv")
    changed = [(b, a) for b, a in zip(before, after) if b != a]
    assert len(before) == len(after) and len(changed) == 1
    b, a = changed[0]
    assert (a["report_id"], a["indicator"], a["value"]) == (report_id, indicator, str(new))
    assert b["value"] == str(old) and new != old
    assert {k for k in a if a[k] != b[k]} == {"value", "quote"}
    source = f"sources/{report_id}.txt"
    text = (folder / source).read_text(encoding="utf-8")
    assert text.count(a["quote"]) == 1 and b["quote"] not in text
    assert format_number(new) in a["quote"]
    files_after = _files(folder)
    assert {n for n in files_after if files_after[n] != files_before[n]} == {"observations.csv", source}
    # no new problem: the same lines as before, with this folder's paths
    assert _problems(folder) == [p.replace(str(small), str(folder)) for p in small_problems]
