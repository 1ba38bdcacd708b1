"""The data one notebook job reads: exactly the rows its kind of page needs, and their fingerprint.

The notebooks load their data only through `for_job`, and the build cache hashes what `for_job`
returns (`Inputs.fingerprint`), so the cache key and the notebook can never disagree about which
data a page depends on. Changing a figure re-executes only the jobs whose inputs contain that row.

What each kind of job reads (tables of `data/`, see `data/README.md`):

| job | rows |
|---|---|
| briefing (province P, period T) | the reports of P, all periods, with their observations, focus tasks and legal refs; the same for the units whose territory went into P (a post-2025 unit reads its predecessors, Huế reads Thừa Thiên Huế; never a successor); where P stands among every province with a figure in period T, for the indicators whose `rankable` is true: rank, number of provinces, median (`standing`; computed from the observations of T of every province, but only the standing enters the page and its fingerprint, so a changed figure elsewhere re-executes P's briefing only when P's rank, the number of provinces or the median changes); the source texts of P's reports (`sources`, for quotes) |
| province page (P) | the reports of P and of its predecessors, with their observations, focus tasks, legal refs |
| period page (T) | the reports of every province for T and for the same period a year earlier, the observations of those two periods (of any report), and the focus tasks and legal refs of those reports; a report with an empty province is read here only (it belongs to no province) |

Every job also reads the reference tables (`Inputs.reference`): the indicator catalogue, the areas
and the province registry (one row per unit, old and new), all from the validated dataset.

A public build (`giaoban build --public`) sets `$GIAOBAN_VISIBILITY=public` for its kernels, as it
sets `$GIAOBAN_DATA`: `for_job` then reads `Dataset.public()`, without the reports and figures whose
`visibility` is `internal`. This is the one place where data enter the notebooks, so nothing internal
can reach a public page; the visibility is part of the fingerprint, hence of the cache key.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Mapping

import pandas as pd

from giaoban.data import datacache
from giaoban.data.dataset import Dataset, load_dataset
from giaoban.errors import InputError
from giaoban.domain.periods import Period
from giaoban.domain.provinces import Province, Provinces
from giaoban.data.snapshot import check_expected
from giaoban.data.standings import of_province, ranking, standings
from giaoban.data.validation import DATA_ENV, default_data_dir
from giaoban.hashes import canonical_json

__all__ = [
    "Inputs",
    "for_job",
    "fingerprints",
    "report_units",
    "lineage",
    "REFERENCE_TABLES",
    "DATA_ENV",
    "VISIBILITY_ENV",
    "NOTEBOOKS",
    "public_from_env",
]

#: Environment variable a public build sets to `public` for its kernels (see the module docstring).
VISIBILITY_ENV = "GIAOBAN_VISIBILITY"

#: The reference tables every job reads (`Inputs.reference`), built from the validated catalogue
#: and province registry: one row per indicator, per area, per provincial unit (old and new).
REFERENCE_TABLES = ("indicators", "areas", "provinces")
NOTEBOOKS = ("briefing", "province", "period")


# ----------------------------------------------------------------------------------- loading


@dataclass(frozen=True)
class _Loaded:
    """What every job derives from a validated dataset (computed once per `Dataset.hash`)."""

    reference: dict[str, pd.DataFrame]
    units: list[Province | None]  # the unit of each row of reports
    standings: dict[str, pd.DataFrame] = field(default_factory=dict)  # period code → `standings.standings`
    reference_bytes: dict[str, bytes] = field(default_factory=dict)  # name → `_frame_bytes` of `reference[name]`


_cache: dict[str, _Loaded] = {}
_lock = threading.Lock()


def _frame(items: Any) -> pd.DataFrame:
    return pd.DataFrame([dataclasses.asdict(item) for item in items])


def _loaded(dataset: Dataset) -> _Loaded:
    with _lock:
        hit = _cache.get(dataset.hash)
    if hit is not None:
        return hit
    reference = {
        "indicators": _frame(dataset.catalogue.indicators),
        "areas": _frame(dataset.catalogue.areas),
        "provinces": _frame(dataset.provinces).astype({"valid_from": "str", "valid_to": "str"}),
    }
    loaded = _Loaded(reference, report_units(dataset.reports, dataset.provinces))
    with _lock:
        if len(_cache) >= 4:
            _cache.pop(next(iter(_cache)))
        _cache[dataset.hash] = loaded
    return loaded


# ----------------------------------------------------------------------------------- provinces


def report_units(reports: pd.DataFrame, registry: Provinces) -> list[Province | None]:
    """Return, for each row of `reports`, the unit its `province` code named during its `period`.

    None for a report with an empty province. Refuses (InputError naming reports.csv and the row) a
    code or period that does not resolve; `giaoban validate` reports those first.
    """
    units: list[Province | None] = []
    for row, (code, period) in enumerate(zip(reports["province"], reports["period"]), start=2):
        if pd.isna(code):
            units.append(None)
            continue
        try:
            units.append(registry.get(code, on=Period.parse(period)))
        except InputError as error:
            raise InputError(error.detail, path="reports.csv", row=row, column="province") from None
    return units


def lineage(unit: Province, registry: Provinces) -> list[Province]:
    """Return `unit` and every unit whose territory went into it (its predecessors, at any date).

    A new unit of 1 July 2025 gives itself and the old units merged into it; Huế gives itself and
    Thừa Thiên Huế; an unchanged or old unit gives itself only. Successors are never included.
    """
    on = unit.valid_from or unit.valid_to or registry.merger_date
    out = [unit]
    for other in registry:
        if other == unit or other.valid_to is None or other.valid_to >= on:
            continue
        try:
            if registry.successor_of(other, on=on) == unit:
                out.append(other)
        except InputError:
            continue
    return out


# ----------------------------------------------------------------------------------- the inputs


def _reference_bytes(name: str, frame: pd.DataFrame) -> bytes:
    """`_frame_bytes` of a reference table, serialised once per loaded dataset.

    Memoised only for the very frame object `_loaded` made for a dataset (identity, not equality),
    under that dataset's content hash: a data change gives a new hash, hence new frames and new
    bytes; any other frame (a copy, a table built by a caller) is serialised every time.
    """
    with _lock:
        loaded = next((hit for hit in _cache.values() if hit.reference.get(name) is frame), None)
        if loaded is not None and name in loaded.reference_bytes:
            return loaded.reference_bytes[name]
    payload = _frame_bytes(frame)
    if loaded is not None:
        with _lock:
            loaded.reference_bytes[name] = payload
    return payload


def _frame_bytes(frame: pd.DataFrame) -> bytes:
    header = "\x1f".join(map(str, frame.columns)) + "\n" + "\x1f".join(map(str, frame.dtypes)) + "\n"
    return header.encode() + frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


@dataclass(frozen=True)
class Inputs:
    """The rows one job reads (see the module docstring), as pandas DataFrames.

    `reports`, `observations`, `focus_tasks`, `legal_refs`: the job's rows, in file order.
    `standing` (briefing only, else empty): where the province stands among every province with a
    figure in the briefing's period, one row per rankable indicator it has a figure for
    (`giaoban.data.standings`: value, rank, n, median). `reference`: the tables
    `indicators`, `areas` and `provinces` (see REFERENCE_TABLES). `sources`: report_id → source text (briefing only).
    `province` / `units` / `period`: the unit, its lineage and the period the params named.
    `visibility`: "all", or "public" when internal reports and figures were left out.
    """

    notebook: str
    params: Mapping[str, Any]
    reports: pd.DataFrame
    observations: pd.DataFrame
    focus_tasks: pd.DataFrame
    legal_refs: pd.DataFrame
    standing: pd.DataFrame
    reference: Mapping[str, pd.DataFrame]
    sources: Mapping[str, str] = field(default_factory=dict)
    province: Province | None = None
    units: tuple[Province, ...] = ()
    period: Period | None = None
    visibility: str = "all"

    @property
    def indicators(self) -> pd.DataFrame:
        """Return the indicator catalogue, one row per indicator (columns of `indicators.csv`, flags as bools)."""
        return self.reference["indicators"]

    @property
    def areas(self) -> pd.DataFrame:
        """Return the areas of work (`code`, `order`, `label_vi`, `label_en`), in briefing order."""
        return self.reference["areas"]

    def fingerprint(self) -> str:
        """Return the sha256 (hex) of every row this job reads, serialised canonically.

        Two `Inputs` have the same fingerprint exactly when their tables (columns, types, values,
        row order), source texts and visibility are equal; parameters are not part of it.
        """
        digest = hashlib.sha256()

        def add(name: str, payload: bytes) -> None:
            digest.update(f"{name}\0{len(payload)}\0".encode())
            digest.update(payload)

        for name in ("reports", "observations", "focus_tasks", "legal_refs", "standing"):
            add(name, _frame_bytes(getattr(self, name)))
        for name in sorted(self.reference):
            add(f"reference/{name}", _reference_bytes(name, self.reference[name]))
        for report_id in sorted(self.sources):
            add(f"sources/{report_id}", self.sources[report_id].encode("utf-8"))
        if self.visibility != "all":  # (a full read keeps the fingerprint it always had)
            add("visibility", self.visibility.encode())
        return digest.hexdigest()


def _param(params: Mapping[str, Any], name: str, notebook: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise InputError(f"sổ tay '{notebook}' cần tham số '{name}' (chuỗi), nhận được {value!r}", column=name)
    return value


def _period(params: Mapping[str, Any], notebook: str) -> Period:
    try:
        return Period.parse(_param(params, "period", notebook))
    except InputError as error:
        raise InputError(error.detail, column="period") from None


def _rows_of(frame: pd.DataFrame, report_ids: pd.Series | set) -> pd.DataFrame:
    return frame[frame["report_id"].isin(set(report_ids))].reset_index(drop=True)


def _sources(dataset: Dataset, reports: pd.DataFrame) -> dict[str, str]:
    return {
        rid: dataset.sources[name]
        for rid, name in zip(reports["report_id"], reports["source_file"])
        if not pd.isna(name)
    }


def _standing(dataset: Dataset, loaded: _Loaded, period: Period, code: str) -> pd.DataFrame:
    """The `ranks.rank_table` of province `code` in `period`; the standings of all provinces of a period
    are computed once per dataset (a national batch asks for them 34 or 63 times a period)."""
    with _lock:
        table = loaded.standings.get(period.code)
    if table is None:
        observations, reports = dataset.observations, dataset.reports
        same = observations[observations["period"] == period.code]
        named = reports.loc[reports["province"].notna(), ["report_id", "province"]]
        peers = same.merge(named, on="report_id", how="inner", validate="many_to_one")
        table = standings(peers, ranking(dataset.catalogue.indicators))
        with _lock:
            loaded.standings[period.code] = table
    return of_province(table, code)


def public_from_env() -> bool:
    """Return True when `$GIAOBAN_VISIBILITY` asks for the public data only (set by `giaoban build --public`).
    Refuses (InputError) a value other than `public`, `all` or empty: a typo must not publish internal rows."""
    value = os.environ.get(VISIBILITY_ENV, "").strip()
    if value not in ("", "all", "public"):
        raise InputError(f"${VISIBILITY_ENV}={value!r} không hợp lệ: cần 'public' (chỉ số liệu công khai) hoặc 'all'")
    return value == "public"


def for_job(
    notebook: str,
    params: Mapping[str, Any],
    data_dir: str | Path | None = None,
    *,
    dataset: Dataset | None = None,
    public: bool | None = None,
) -> Inputs:
    """Return the `Inputs` of one job: `notebook` is "briefing", "province" or "period"; `params`
    its parameters (`province` code and `period` code for a briefing; `province` and `on`, an ISO
    date choosing among units that shared a code, or None, for a province page; `period` for a
    period page; other keys such as `lang` are ignored). The data are `giaoban.data.dataset.load_dataset`
    of `data_dir` (default `$GIAOBAN_DATA`, which the build sets for its kernels, else `data/`), or
    `dataset` when given (the build loads it once for all jobs). With `public` (default:
    `public_from_env()`), only `dataset.public()` is read: no internal report or figure.

    Refuses (InputError): an unknown notebook, a missing or malformed parameter, a province not in
    force in the period (or, without `on`, a code that named several units), invalid data
    (`giaoban.data.validation.InvalidDataError`).
    """
    if notebook not in NOTEBOOKS:
        raise InputError(f"sổ tay không có: {notebook!r} (cần một trong {', '.join(NOTEBOOKS)})")
    if public is None:
        public = public_from_env()
    if dataset is None:
        dataset = load_dataset(Path(data_dir) if data_dir is not None else default_data_dir())
        check_expected(dataset.hash)  # a build's kernel reads the data its key was computed from
    if public:
        dataset = dataset.public()
    loaded = _loaded(dataset)
    reg = dataset.provinces
    reports, observations = dataset.reports, dataset.observations
    province: Province | None = None
    units: list[Province] = []
    period: Period | None = None
    standing = pd.DataFrame()
    sources: dict[str, str] = {}

    if notebook in ("briefing", "province"):
        code = _param(params, "province", notebook)
        if notebook == "briefing":
            period = _period(params, notebook)
            on: Any = period
        else:
            on = params.get("on")
        try:
            province = reg.get(code, on=date.fromisoformat(on) if isinstance(on, str) else on)
        except (InputError, ValueError) as error:
            raise InputError(getattr(error, "detail", str(error)), column="province") from None
        units = lineage(province, reg)
        own = set(units)
        selected = reports[[u in own for u in loaded.units]].reset_index(drop=True)
        mine = selected
        obs = _rows_of(observations, mine["report_id"])
        if notebook == "briefing":
            standing = _standing(dataset, loaded, period, province.code)
            sources = _sources(dataset, mine)
    else:
        period = _period(params, notebook)
        codes = {period.code}
        try:
            codes.add(period.year_earlier().code)
        except InputError:
            pass
        obs = observations[observations["period"].isin(codes)].reset_index(drop=True)
        of_period = reports["period"].isin(codes)
        selected = reports[of_period | reports["report_id"].isin(set(obs["report_id"]))].reset_index(drop=True)
        mine = reports[of_period]

    return Inputs(
        notebook=notebook,
        params=dict(params),
        reports=selected,
        observations=obs,
        focus_tasks=_rows_of(dataset.focus_tasks, mine["report_id"]),
        legal_refs=_rows_of(dataset.legal_refs, mine["report_id"]),
        standing=standing,
        reference=dict(loaded.reference),
        sources=sources,
        province=province,
        units=tuple(units),
        period=period,
        visibility=dataset.visibility,
    )


def _job_key(notebook: str, params: dict, visibility: str) -> str:
    return hashlib.sha256(canonical_json([notebook, params, visibility]).encode()).hexdigest()


def fingerprints(
    jobs: Iterable[Any], dataset: Any, *, public: bool, folder: str | os.PathLike | None, defer: bool = False
) -> dict[str, str]:
    """Return `{job.id: for_job(job.notebook, job.params, dataset=dataset,
    public=public).fingerprint()}`, computing only those not remembered for this data hash and code
    in `folder` (then remembering them; with `defer`, at `flush()`). Without a folder, computes every one."""
    jobs = list(jobs)
    visibility = "public" if public else "all"
    path = None if folder is None else datacache.memo_path(folder, f"fingerprints-{dataset.hash[:32]}-{visibility}")
    memo = datacache.read_memo(path) if path is not None else {}
    out, added = {}, False
    for job in jobs:
        key = _job_key(job.notebook, dict(job.params), visibility)
        value = memo.get(key)
        if not isinstance(value, str):
            value = for_job(job.notebook, job.params, dataset=dataset, public=public).fingerprint()
            memo[key], added = value, True
        out[job.id] = value
    if path is not None and added:
        datacache.write_memo(path, memo, defer=defer)
    return out
