"""Every optional field of every table may be left empty, and the pages still build.

Unit tests take each optional column's empty cell through what formats it; one whole build (the real
notebooks, the built-in renderer, PDFs and books) runs on a copy of `data/` in which the Quảng Ngãi
2021-H1 report has every optional field of every table emptied; the province, the one optional field a
report id depends on (`unknown-<period>`), is empty in the data already (`unknown-2013-fy`), whose
period page is built too.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import unicodedata
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from giaoban import paths
from giaoban.briefing import i18n
from giaoban.briefing.common import report_line
from giaoban.data.validation.schemas import REFERENCE, TABLES, columns_of

EMPTIED = "quang-ngai-2021-h1"
NO_PROVINCE = "unknown-2013-fy"
MADE_ON = "2026-12-07"  # the build's --date: what the books must say they were made on
EMPTY_VALUES = [None, "", "  ", np.nan, pd.NaT, pd.NA]


def optional_columns(table: str) -> list[str]:
    return [c.name for c in columns_of(table) if not c.required]


# --- unit: each empty value, each optional field ------------------------------------------------------

@pytest.mark.parametrize("value", EMPTY_VALUES, ids=repr)
@pytest.mark.parametrize("lang, unknown", [("vi", "không rõ"), ("en", "unknown")])
def test_an_empty_date_of_any_kind_is_written_as_unknown(value, lang, unknown):
    assert i18n.format_date(value, lang) == unknown


def test_a_date_is_still_written_the_vietnamese_way():
    assert i18n.format_date(pd.Timestamp("2021-07-23"), "vi") == "23/07/2021"
    assert i18n.format_date(date(2021, 7, 23), "en") == "23 July 2021"
    assert i18n.format_date("2021-07-23", "vi") == "23/07/2021"


@pytest.mark.parametrize("field", ["meeting_type", "meeting_date", "meeting_date_status", "published_date",
                                   "source_url"])
@pytest.mark.parametrize("empty", [None, np.nan, pd.NaT], ids=repr)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_report_line_takes_each_optional_report_field_empty(field, empty, lang):
    report = {"report_id": EMPTIED, "title": "Sơ kết 6 tháng", "meeting_type": "so_ket",
              "meeting_date": pd.Timestamp("2021-07-23"), "meeting_date_status": "stated",
              "published_date": pd.Timestamp("2021-07-23"), "source_url": "https://example.org"}
    report[field] = empty
    line = str(report_line(report, lang))
    assert "Sơ kết 6 tháng" in line
    if field == "published_date":
        assert i18n.format_date(None, lang) in line


def test_the_whole_build_below_empties_every_optional_field_there_is():
    """The build test covers the optional columns the schemas declare (a new one must be added there)."""
    covered = {"reports": {"province", "meeting_type", "meeting_date", "meeting_date_status", "published_date",
                           "source_url"},
               "observations": {"qualifier", "denominator", "note"},
               "focus_tasks": {"area", "indicators"},
               "legal_refs": {"issuer", "date", "title"},
               "indicators": {"max_value", "description_vi"}}
    declared = {t: set(optional_columns(t)) for t in (*TABLES, *REFERENCE) if optional_columns(t)}
    assert declared == covered


# --- one whole build ---------------------------------------------------------------------------------

def _empty_fields(path: Path, fields: list[str], where=lambda row: True) -> int:
    """Empty `fields` in the rows of the CSV `path` that `where` selects; return how many rows changed."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        names = reader.fieldnames
        rows = list(reader)
    changed = 0
    for row in rows:
        if where(row):
            changed += 1
            for name in fields:
                row[name] = ""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return changed


@pytest.fixture(scope="module")
def emptied_site(tmp_path_factory):
    from giaoban.build import pipeline as build

    root = tmp_path_factory.mktemp("emptied")
    data = root / "data"
    shutil.copytree(paths.DATA, data)
    ours = lambda row: row["report_id"] == EMPTIED  # noqa: E731
    reports = [f for f in optional_columns("reports") if f != "province"]
    assert _empty_fields(data / "reports.csv", reports, ours) == 1
    assert _empty_fields(data / "reports.csv", ["province"], lambda row: row["report_id"] == NO_PROVINCE) == 1
    for table in ("observations", "focus_tasks", "legal_refs"):
        assert _empty_fields(data / f"{table}.csv", optional_columns(table), ours) > 0, table
    assert _empty_fields(data / "reference" / "indicators.csv", optional_columns("indicators")) > 0
    batch = root / "batch.yml"
    batch.write_text('provinces: ["51"]\nperiods: [2021-H1]\nnotebooks: [briefing, province, period]\n'
                     "langs: [vi, en]\n", encoding="utf-8")
    unknown = root / "unknown.yml"
    unknown.write_text("provinces: all\nperiods: [2013-FY]\nnotebooks: [period]\nlangs: [vi]\n", encoding="utf-8")
    result = build.build(build.BuildOptions([batch, unknown], workers=2, renderer="builtin", data_dir=data, build_dir=root / "_build",
                         out=root / "_site", progress=False, echo=lambda line: None, made_on=MADE_ON))
    return result, root / "_site"


def _text(path: Path) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


def test_a_report_with_every_optional_field_empty_builds_every_page_and_book(emptied_site):
    result, site = emptied_site
    assert result.exit_code == 0, result.summary_lines()
    assert result.failed == []
    for page in ("briefings/2021-H1/51-quang-ngai", "en/briefings/2021-H1/51-quang-ngai",
                 "provinces/51-quang-ngai", "en/provinces/51-quang-ngai", "periods/2021-H1",
                 "en/periods/2021-H1", "periods/2013-FY"):
        assert (site / f"{page}.html").is_file(), page
    for pdf in ("briefings/2021-H1/51-quang-ngai.pdf", "en/briefings/2021-H1/51-quang-ngai.pdf",
                "books/2021-H1.pdf"):
        assert (site / pdf).is_file(), pdf
    briefing = _text(site / "briefings/2021-H1/51-quang-ngai.html")
    assert "đăng ngày không rõ" in briefing
    assert "văn bản không nêu cuộc họp" in briefing
    assert "published unknown" in _text(site / "en/briefings/2021-H1/51-quang-ngai.html")
    assert NO_PROVINCE in _text(site / "periods/2013-FY.html")


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(path).pages)))


def test_a_book_says_the_day_it_was_made_and_the_day_its_figures_run_to_on_two_lines(emptied_site):
    """Also the date of item 3 of issue 20: never the latest meeting date (23/07/2021) as "Ngày lập"."""
    result, site = emptied_site
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["build_date"] == MADE_ON
    for pdf, made, until in (("briefings/2021-H1/51-quang-ngai.pdf", "Ngày lập: 07/12/2026",
                              "Số liệu tính đến: 30/06/2021"),
                             ("books/2021-H1.pdf", "Ngày lập: 07/12/2026", "Số liệu tính đến: 30/06/2021"),
                             ("en/briefings/2021-H1/51-quang-ngai.pdf", "Made on: 7 December 2026",
                              "Figures up to: 30 June 2021")):
        text = _pdf_text(site / pdf)
        assert made in text and until in text, (pdf, text[:400])
        assert "Ngày lập: 23/07/2021" not in text
