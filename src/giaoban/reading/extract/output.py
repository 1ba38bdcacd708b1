"""Writing extracted documents: the JSON of docs/design.md, or CSV with one row per figure."""

from __future__ import annotations

import csv
import json
from typing import IO, Iterable

from giaoban.reading.extract.model import CSV_COLUMNS, Document

__all__ = ["write_json", "write_csv"]


def write_json(documents: Iterable[Document], out: IO[str]) -> None:
    """Write `{"documents": [...]}` (UTF-8 characters as they are, indented) to `out`."""
    json.dump({"documents": [d.to_json() for d in documents]}, out, ensure_ascii=False, indent=2)
    out.write("\n")


def write_csv(documents: Iterable[Document], out: IO[str]) -> None:
    """Write one CSV row per figure, the document's fields repeated on each row, to `out`."""
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for document in documents:
        for row in document.csv_rows():
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
