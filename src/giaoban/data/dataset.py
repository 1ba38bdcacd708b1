"""The tidy tables of `data/` as typed pandas frames, loaded only after validation.

    >>> ds = load_dataset()
    >>> ds.observations.dtypes["value"], ds.reports.loc[0, "province"]
    (dtype('float64'), '46')

`load_dataset` runs every check of `giaoban.data.validation` first and refuses data with any error, so a
notebook never sees unvalidated data; there is no lenient loader (validation reads the files as
text itself). Types (columns as in `data/README.md`):

| table | column | type |
|---|---|---|
| all | codes and text (`report_id`, `province`, `period`, `indicator`, …) | `str`, missing = NaN |
| reports | `meeting_date`, `published_date` | datetime64 (midnight), missing = NaT |
| observations | `value` | float64 (counts and đồng are whole numbers) |
| observations | `denominator` | Int64, missing = <NA> |
| focus_tasks | `ordinal` | int64 |
| legal_refs | `date` | datetime64, missing = NaT |

Province codes and report ids stay strings (`"01"`, never `1`); periods stay canonical codes
(`Period.parse` them when needed, or use `Dataset.period_of`). Rows keep the files' order.

`Dataset.public()` is the same data without what may not be published (`visibility` other than
`public`): a public build (`giaoban build --public`) reads only that view.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from giaoban.errors import InputError
from giaoban.domain.indicators import Catalogue
from giaoban.domain.periods import Period
from giaoban.domain.provinces import Province, Provinces
from giaoban.data import datacache
from giaoban.data.validation import Checked, InvalidDataError, collect, default_data_dir, validated_catalogue
from giaoban.data.validation.schemas import TABLES

__all__ = ["Dataset", "load_dataset", "load_catalogue", "data_hash", "share", "TABLES", "PUBLIC"]

#: The one `visibility` that may be published; `internal` rows are kept out of public builds.
PUBLIC = "public"

_DATES = {"reports": ("meeting_date", "published_date"), "legal_refs": ("date",)}
_FLOATS = {"observations": ("value",)}
_NULLABLE_INTS = {"observations": ("denominator",)}
_INTS = {"focus_tasks": ("ordinal",)}


@dataclass(frozen=True)
class Dataset:
    """The validated data: four typed frames, the source texts, the catalogue and the provinces.

    `sources` maps a file name of `sources/` to its text in NFC; `warnings` are the lines
    `giaoban validate` prints as warnings; `hash` is `data_hash(data_dir)` of the data loaded (of a
    public view: derived from it). `visibility` is "all", or "public" for the view `public()` returns.
    The frames are the caller's own copies.
    """

    data_dir: Path
    reports: pd.DataFrame
    observations: pd.DataFrame
    focus_tasks: pd.DataFrame
    legal_refs: pd.DataFrame
    sources: Mapping[str, str]
    catalogue: Catalogue
    provinces: Provinces
    warnings: tuple[str, ...]
    hash: str
    visibility: str = "all"

    def public(self) -> Dataset:
        """Return the data that may be published: without the reports whose `visibility` is not
        `public` (nor their figures, focus tasks, legal references and source texts) and without the
        figures whose `visibility` is not `public`. Its `hash` differs from this one's. Refuses nothing."""
        if self.visibility == PUBLIC:
            return self
        reports = self.reports[self.reports["visibility"] == PUBLIC].reset_index(drop=True)
        shown = set(reports["report_id"])
        obs = self.observations
        observations = obs[(obs["visibility"] == PUBLIC) & obs["report_id"].isin(shown)].reset_index(drop=True)
        files = set(reports["source_file"].dropna())
        return replace(
            self,
            reports=reports,
            observations=observations,
            focus_tasks=self.focus_tasks[self.focus_tasks["report_id"].isin(shown)].reset_index(drop=True),
            legal_refs=self.legal_refs[self.legal_refs["report_id"].isin(shown)].reset_index(drop=True),
            sources=MappingProxyType({k: v for k, v in self.sources.items() if k in files}),
            hash=hashlib.sha256(f"{self.hash}:{PUBLIC}".encode()).hexdigest(),
            visibility=PUBLIC,
        )

    def _report_row(self, report_id: str) -> pd.Series:
        rows = self.reports[self.reports["report_id"] == report_id]
        if rows.empty:
            raise InputError(f"báo cáo “{report_id}” không có trong reports.csv", column="report_id")
        return rows.iloc[0]

    def source_text(self, report_id: str) -> str:
        """Return the NFC source text of report `report_id`; refuses (InputError) an unknown id."""
        return self.sources[self._report_row(report_id)["source_file"]]

    def period_of(self, report_id: str) -> Period:
        """Return the `Period` report `report_id` reviews; refuses (InputError) an unknown id."""
        return Period.parse(self._report_row(report_id)["period"])

    def province_of(self, report_id: str) -> Province | None:
        """Return the unit of report `report_id` as it was in its period, or None when the text names
        none; refuses (InputError) an unknown id."""
        row = self._report_row(report_id)
        if pd.isna(row["province"]):
            return None
        return self.provinces.get(row["province"], on=Period.parse(row["period"]))


def data_hash(data_dir: str | Path | None = None) -> str:
    """Return the sha256 (hex) of the data files of `data_dir` (default: `$GIAOBAN_DATA` or `data/`).

    Covers every file under the folder (tables, reference lists, boundaries, source texts) except
    documentation (`*.md`) and hidden files, in the order of their POSIX paths relative to the
    folder, each hashed with its path and length, so that renaming, moving or editing any data file
    changes the hash. Refuses (InputError) a folder that does not exist.
    """
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    if not folder.is_dir():
        raise InputError("không tìm thấy thư mục dữ liệu", path=str(folder))
    files = []
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or path.suffix == ".md" or not path.is_file():
            continue
        files.append((relative.as_posix(), path))
    digest = hashlib.sha256()
    for name, path in sorted(files):
        data = path.read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _typed(name: str, checked: Checked) -> pd.DataFrame:
    """The table `name` with the types of the module docstring (the data are known to be valid)."""
    table = checked.tables[name]
    frame = table.frame.reset_index(drop=True).astype("str")
    for column in _DATES.get(name, ()):
        frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d")
    for column in _FLOATS.get(name, ()):
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    for column in _NULLABLE_INTS.get(name, ()):
        frame[column] = pd.to_numeric(frame[column]).astype("Int64")
    for column in _INTS.get(name, ()):
        frame[column] = pd.to_numeric(frame[column]).astype("int64")
    return frame


_cache: dict[tuple[str, str, str], Checked] = {}
_lock = threading.Lock()


def load_dataset(data_dir: str | Path | None = None) -> Dataset:
    """Return the validated, typed data of `data_dir` (default: `$GIAOBAN_DATA` or the project's `data/`).

    Refuses (`giaoban.data.validation.InvalidDataError`, an InputError whose message lists every problem
    one a line as `giaoban validate` prints it) data with any error; warnings are kept in
    `Dataset.warnings`. Validation runs again only when a data file changed (`data_hash`); with
    `$GIAOBAN_DATA_CACHE` set (the build sets it), its result is also kept on disk for the next
    process (`giaoban.data.datacache`).
    """
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    digest = data_hash(folder)
    key = (str(folder), str(folder.resolve()), digest)  # messages name the folder as given
    with _lock:
        checked = _cache.get(key)
    if checked is None:
        checked = datacache.stored_checked(digest, folder)
        if checked is None:  # tables and texts whose bytes did not change are not checked again
            checked = collect(folder, memo=datacache.file_memo())
            if not checked.report.ok:
                raise InvalidDataError(checked.report)
            datacache.store_checked(digest, folder, checked)
        with _lock:
            if len(_cache) >= 4:
                _cache.pop(next(iter(_cache)))
            _cache[key] = checked
    assert checked.catalogue is not None and checked.provinces is not None  # ok implies both were built
    frames = {name: _typed(name, checked) for name in TABLES}
    return Dataset(
        data_dir=folder,
        **frames,
        sources=MappingProxyType(dict(checked.sources)),
        catalogue=checked.catalogue,
        provinces=checked.provinces,
        warnings=tuple(str(p) for p in checked.report.warnings),
        hash=digest,
    )


def share(
    data_dir: str | os.PathLike,
    digest: str,
    *,
    name: str | os.PathLike | None = None,
    folder: str | os.PathLike | None = None,
) -> None:
    """Store the validation result this process holds for `data_dir` (with hash `digest`) also under
    `name` (default: its absolute path) in the cache folder `folder` (default: `$GIAOBAN_DATA_CACHE`):
    the name the build gives its kernels and fork server (`$GIAOBAN_DATA`, the absolute path or the
    build's copy of the data), so that they load it instead of validating the same data again (its
    warnings name the folder as the build gave it; the notebooks never show them). Nothing when this
    process has not validated `data_dir`."""
    data_dir = Path(data_dir)
    target = Path(name if name is not None else data_dir).resolve()
    if folder is None and str(target) == str(data_dir):
        return  # load_dataset stored it under that name already
    checked = _cache.get((str(data_dir), str(data_dir.resolve()), digest))
    if checked is not None:
        datacache.store_checked(digest, target, checked, folder)


def load_catalogue(data_dir: str | Path | None = None) -> Catalogue:
    """Return the catalogue of `data_dir` (default: the project's `data/`), validated.

    Refuses (InputError, one `file:row:column: message` line per problem, as `giaoban validate`
    prints them) missing or malformed `reference/areas.csv` or `reference/indicators.csv`: repeated
    codes, an unknown area, a value_type other than count, money, percent, a flag other than true or
    false, a summable percentage, a `max_value` on a count.
    """
    return validated_catalogue(data_dir)
