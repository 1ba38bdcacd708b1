"""Extraction: Vietnamese report text → proposed figures, focus tasks, legal references.

    from giaoban.reading.extract import extract_file
    doc = extract_file("data/sources/004_827c2f16ec2dc701.txt")
    doc.to_json()          # the object of `giaoban extract --format json` (docs/design.md)

Stages, one module each: `reading` (bytes → NFC text), `page` (article vs page clutter),
`sentences` (sentences, clauses, parts), `figures` (numbers that state results or plans),
`lexicon` (which words mean which indicator: data/reference/lexicon*.csv), `tasks` (focus tasks),
`legal` (cited documents), `metadata` (province, period, meeting), `pipeline` (wiring), `model`
(the dataclasses), `scoring` (precision and recall against the hand-labelled gold of tests/gold/).
"""

from giaoban.reading.extract.model import Document, Fact, FocusTask, LegalRef, Meeting
from giaoban.reading.extract.pipeline import extract_file, extract_text
from giaoban.domain.report_text import read_report

__all__ = ["extract_text", "extract_file", "read_report", "Document", "Fact", "FocusTask", "LegalRef", "Meeting"]
