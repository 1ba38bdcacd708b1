"""Validation of the data folder: every problem as `file:row:column: message`, in Vietnamese.

`validate_data(data_dir)` returns a `Report` (`ok`, `lines()`, `summary()`); `giaoban validate`
prints it. The modules, in the order a file goes through them:

- `reading`: bytes to text rows with line numbers (UTF-8 or the encoding it seems to be, BOM,
  NFC, header, number of fields);
- `schemas`: the columns of each table and their per-cell checks, run as a lazy pandera schema;
- `checks`: checks across rows and tables (keys, references, dates against periods, figures against
  their indicator and their quote in the source text);
- `core`: runs them all over a folder and keeps what it read, for `giaoban.data.dataset` and
  `giaoban.domain.indicators`, which never load data that has an error.
"""

from giaoban.data.validation.core import (
    DATA_ENV,
    Checked,
    InvalidDataError,
    collect,
    default_data_dir,
    validate_data,
    validated_catalogue,
)
from giaoban.data.validation.problems import ERROR, WARNING, Problem, Report

__all__ = [
    "validate_data",
    "validated_catalogue",
    "collect",
    "default_data_dir",
    "Checked",
    "Report",
    "Problem",
    "InvalidDataError",
    "ERROR",
    "WARNING",
    "DATA_ENV",
]
