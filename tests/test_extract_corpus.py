"""Extraction quality on the five real reports of data/sources/, against the gold of tests/gold/.

The thresholds are the project's targets (recall ≥ 95 %, precision ≥ 90 % for figures); the
benchmark `benchmarks/extraction_quality.py` prints the numbers and the details of every error.
"""

from __future__ import annotations

import csv

import pytest

from giaoban import paths
from giaoban.extract import extract_file
from giaoban.extract.scoring import GOLD_DIR, compare_observations, score_corpus

SOURCES = sorted(paths.SOURCES.glob("*.txt"))


@pytest.fixture(scope="module")
def scores():
    return score_corpus()


@pytest.fixture(scope="module")
def documents():
    return {p.name: extract_file(p) for p in SOURCES}


def test_figures_recall_and_precision(scores):
    _, total = scores
    assert total.figures.recall >= 0.95, [e for s in scores[0] for e in s.errors]
    assert total.figures.precision >= 0.90, [e for s in scores[0] for e in s.errors]


def test_every_file_reaches_the_targets(scores):
    for s in scores[0]:
        assert s.figures.recall >= 0.95 and s.figures.precision >= 0.90, (s.file, s.errors)


def test_indicator_accuracy(scores):
    assert scores[1].figures.agreement >= 0.90, [e for s in scores[0] for e in s.errors]


def test_focus_tasks_and_legal_refs(scores):
    _, total = scores
    for part in (total.tasks, total.legal):
        assert part.recall >= 0.95 and part.precision >= 0.90, [e for s in scores[0] for e in s.errors]
    assert total.legal.agreement >= 0.90


def test_document_metadata(scores):
    assert scores[1].metadata.recall >= 0.95, [e for s in scores[0] for e in s.errors]


def test_the_gold_covers_every_source():
    with (GOLD_DIR / "documents.csv").open(encoding="utf-8") as fh:
        assert {r["report_file"] for r in csv.DictReader(fh)} == {p.name for p in SOURCES}


def test_hand_entered_observations_agree_with_the_gold():
    assert compare_observations() == []


def test_quotes_are_the_text_at_their_offsets(documents):
    for name, doc in documents.items():
        for fact in doc.facts:
            assert doc.text[fact.start:fact.end] == fact.quote, (name, fact)
            assert doc.text[fact.number_start:fact.number_end] == fact.as_written
            assert fact.start <= fact.number_start < fact.number_end <= fact.end
            assert fact.part_of is None or fact.part_of < len(doc.facts)
        for task in doc.focus_tasks:
            assert doc.text[task.start:task.end] == task.text


def test_quirks_of_the_real_pages(documents):
    d002, d003, d004 = (documents[n] for n in ("002_55c9933ae5842989.txt", "003_f487bec8c971e30f.txt",
                                              "004_827c2f16ec2dc701.txt"))
    assert d002.province is None
    assert any("19/01/2018" in w for w in d003.warnings)
    assert d003.meeting.date.isoformat() == "2018-01-19"
    values = [f.value for f in d004.facts]
    assert 30 not in [f.value for f in d004.facts if "không quá" in f.quote]
    assert values.count(1287) == 1 and 2557 not in values and 2012579 not in values
