"""`giaoban build`: validate the data, expand the params into jobs, execute what changed, render.

The stages, each in its own module: `params` (the YAML files, validated) → `jobs` (one job per page)
→ `cache` (the key of each job, from `inputs`) → `execute` (Papermill, in parallel) → the manifest
(`_build/executed/manifest.json`, which the renderer reads) → `giaoban.publish.render_site`.

A failing notebook does not stop the others: the build ends with exit code 1 and a summary naming
each failed page and its executed notebook, where Papermill marks the failing cell.

What keeps a build trustworthy (see docs/trust.md):

- **one build at a time**: `_build/.build.lock` (filelock) is held from the first write to `_build/`
  until the site is swapped in; a second build exits at once (`BuildLocked`), naming the holder
  (pid, host, start time, command) from `_build/build.owner.json`;
- **killed at any moment, nothing half-done is used**: notebooks are executed into a scratch folder
  `_build/running/<pid>/` and moved into `_build/executed/` only when their job ends; cache entries
  and the manifest are written atomically; the site is built beside `_site/` and swapped in whole
  (`giaoban.publish`). The next build removes what a killed one left (scratch folders, temporary
  files) under the lock, with no manual clean-up;
- **earlier pages are kept**: the manifest lists this build's jobs and those of earlier builds whose
  executed notebook is still there and still up to date, i.e. its recorded cache key (in the
  notebook's `metadata.giaoban`) equals the key computed now from the notebook, its parameters, the
  data it reads and the environment. So `giaoban build params/meetings/x.yml` adds or refreshes one
  page without wiping the others; a page whose data changed is dropped (with a note) rather than shown
  out of date;
- **provenance**: each executed notebook records in `metadata.giaoban` its parameters, the data hash,
  the fingerprint of the rows it read, the visibility, the package versions, Python, the engine and
  its cache key;
- **public builds** (`public=True`, `giaoban build --public`): only `Dataset.public()` is read (no
  internal report or figure), in `_build/executed-public/`, and the renderer ships only public rows.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import os
import platform
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, UTC
from pathlib import Path, PurePosixPath
from typing import Any, Callable


from giaoban import paths
from giaoban.execution import cache, distributed, execute, jobs as jobs_module, params as params_module
from giaoban.data import datacache, dataset as dataset_module, inputs, journal, snapshot
from giaoban.execution.engine import limits
from giaoban.errors import GiaobanError
from giaoban.files import write_text
from giaoban.locks import LOCK, OWNER, BuildLocked, build_lock
from giaoban.publish.config import read_config
from giaoban.publish.manifest import ManifestError, check_job
from giaoban.execution.jobs import Job
from giaoban.data.dataset import Dataset, load_dataset
from giaoban.domain.numbers import format_number
from giaoban.data.validation import InvalidDataError

__all__ = [
    "build",
    "BuildOptions",
    "BuildResult",
    "DataInvalid",
    "BuildLocked",
    "MANIFEST",
    "PACKAGES",
    "RENDERERS",
    "manifest_data",
    "check_notebooks",
    "provenance",
    "LOCK",
    "OWNER",
    "RUNNING",
]

MANIFEST = "manifest.json"
#: In the build folder: the scratch folders of running builds (the lock: `giaoban.locks`).
RUNNING = "running"
#: The renderers of `giaoban.publish` (checked here so that a typo fails before anything executes).
RENDERERS = ("auto", "quarto", "builtin")
#: Distributions whose versions the manifest records.
PACKAGES = (
    "giaoban",
    "pandas",
    "papermill",
    "nbclient",
    "nbformat",
    "ipykernel",
    "jupyter_client",
    "pydantic",
    "pyyaml",
    "matplotlib",
)


class DataInvalid(GiaobanError):
    """The data did not pass `giaoban validate`; `lines` are its problems, one a line."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = list(lines)
        super().__init__("dữ liệu chưa hợp lệ, không dựng gì:\n" + "\n".join(self.lines))


def _clean_stale(build_dir: Path, mine: Path) -> None:
    """Remove what a killed build left under `build_dir` (called with the lock held): the scratch
    folders of `running/` other than `mine`, and the temporary files of atomic writes (`.*.tmp`)."""
    running = build_dir / RUNNING
    if running.is_dir():
        for folder in running.iterdir():
            if folder != mine:
                shutil.rmtree(folder, ignore_errors=True)
    for sub in ("cache", "executed", "executed-public"):
        folder = build_dir / sub
        if folder.is_dir():
            for tmp in folder.rglob(".*.tmp"):
                try:
                    tmp.unlink()
                except OSError:
                    pass


@dataclass
class BuildResult:
    """What a build did: its jobs, the status of each (`ok`, `cached`, `failed`), the errors, where
    the executed notebooks and the manifest are, notes, and what rendering said."""

    jobs: list[Job]
    status: dict[str, str]
    errors: dict[str, str | None]
    executed_dir: Path
    manifest: Path
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    kept: int = 0

    @property
    def renderable(self) -> bool:
        """True when the manifest has a page to render: a job of this build that succeeded, or a kept one."""
        return bool(self.count("ok") or self.count("cached") or self.kept)

    def count(self, status: str) -> int:
        """Return how many jobs ended with `status`."""
        return sum(1 for s in self.status.values() if s == status)

    @property
    def failed(self) -> list[Job]:
        """Return the failed jobs, in job order."""
        return [j for j in self.jobs if self.status.get(j.id) == "failed"]

    @property
    def exit_code(self) -> int:
        """Return 0 when every job succeeded (executed or cached), else 1."""
        return 1 if self.failed else 0

    def summary_lines(self) -> list[str]:
        """Return the summary in Vietnamese: counts, then each failed page with its error and the
        path of its executed notebook."""
        lines = [
            f"{len(self.jobs)} trang: thực thi {self.count('ok')}, dùng lại {self.count('cached')} "
            f"(không đổi), lỗi {self.count('failed')}; {format_number(round(self.seconds, 1))} giây."
        ]
        if self.failed:
            lines.append("Trang lỗi (sổ tay đã thực thi ghi lại ô lỗi, Papermill đánh dấu ô đó):")
            for job in self.failed:
                lines.append(f"  ✗ {job.page}: {self.errors.get(job.id)}")
                lines.append(f"    → {params_module.display_path(self.executed_dir / job.executed)}")
        return lines


def _validate_data(data_dir: Path) -> list[str]:
    """Validate the data (once: `load_dataset` keeps the result, on disk too under `_build/cache/data`);
    return a note about warnings; refuse (DataInvalid) errors."""
    try:
        warnings = len(load_dataset(data_dir).warnings)
    except InvalidDataError as error:
        raise DataInvalid(list(error.report.lines())) from None
    return [f"dữ liệu có {warnings} cảnh báo (xem: giaoban validate)"] if warnings else []


def check_notebooks(notebooks_dir: Path, names: set[str]) -> dict[str, Path]:
    """Return the path of each notebook in `names` (`<notebooks_dir>/<name>.ipynb`).

    Refuses (GiaobanError listing every problem) a notebook that is missing, unreadable, or has no
    cell tagged `parameters` (where Papermill injects the parameters).
    """
    found, problems = {}, []
    for name in sorted(names):
        path = notebooks_dir / f"{name}.ipynb"
        shown = params_module.display_path(path)
        try:
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            tagged = any("parameters" in c.get("metadata", {}).get("tags", []) for c in cells)
        except FileNotFoundError:
            problems.append(f"{shown}: không có sổ tay '{name}'")
            continue
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            problems.append(f"{shown}: không đọc được sổ tay ({type(error).__name__}: {error})")
            continue
        if not tagged:
            problems.append(f"{shown}: không có ô nào gắn thẻ 'parameters' (Papermill chèn tham số sau ô đó)")
            continue
        found[name] = path
    if problems:
        raise GiaobanError("\n".join(problems))
    return found


def _versions() -> dict[str, str]:
    return dict(_installed_versions())


@functools.cache
def _installed_versions() -> tuple[tuple[str, str], ...]:
    # Read once per process: each lookup scans site-packages (about 80 ms for the list on 2 cores),
    # and every executed notebook records them.
    out = []
    for name in PACKAGES:
        try:
            out.append((name, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            continue
    return tuple(out)


#: The reproducible-builds convention: a build's clock, as seconds since 1970-01-01 UTC.
SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"


def parse_day(text: str, where: str = "--date") -> date:
    """Return the day written `YYYY-MM-DD` (or `dd/mm/yyyy`); refuses (GiaobanError naming `where`) anything else."""
    try:
        return params_module.parse_date(text)
    except ValueError as error:
        raise GiaobanError(f"{where}: {error}") from None


def book_date(given: date | str | None, validated: list[Any], environ: dict[str, str] | None = None) -> date:
    """Return the day the books and pages of this build are made on ("Ngày lập"): `given` (`--date`),
    else the batch files' `date:` (`params.made_on`), else `$SOURCE_DATE_EPOCH` (seconds, read in UTC),
    else today. A rebuild with the same date gives the same bytes; the clock is read only when nothing
    else sets the day. Refuses (GiaobanError) a malformed date or SOURCE_DATE_EPOCH, and (ParamsError)
    batch files that disagree."""
    if isinstance(given, str):
        given = parse_day(given)
    batch = params_module.made_on(validated)
    if given is not None:
        return given
    if batch is not None:
        return batch
    epoch = (os.environ if environ is None else environ).get(SOURCE_DATE_EPOCH, "").strip()
    if epoch:
        if not epoch.isdigit():
            raise GiaobanError(
                f"{SOURCE_DATE_EPOCH}={epoch!r}: cần số giây kể từ 01/01/1970 (UTC), ví dụ "
                f"1627084800; hoặc dùng giaoban build --date YYYY-MM-DD"
            )
        return datetime.fromtimestamp(int(epoch), tz=UTC).date()
    return date.today()


def manifest_data(
    jobs: list[Job],
    status: dict[str, str],
    errors: dict[str, str | None],
    data_hash: str,
    *,
    earlier: Sequence[dict[str, Any]] = (),
    visibility: str = "all",
    build_date: date | None = None,
) -> dict[str, Any]:
    """Return the manifest: what the build was generated from (`data_hash`, `giaoban.data.dataset.data_hash`
    of the data; package versions; Python; `visibility`, "public" for a public build) and one entry per
    job, sorted by id, with its status (`ok`, `cached`, `failed`), executed notebook (relative to the
    manifest) and error; `earlier` are entries of earlier builds kept as they were (see the module docstring);
    `build_date`, the day the books are made on (`book_date`), when given."""
    entries = []
    for job in jobs:
        entry = job.describe()
        entry.update(status=status[job.id], executed=job.executed, error=errors.get(job.id))
        entries.append(entry)
    entries += list(earlier)
    entries.sort(key=lambda e: e["id"])
    data = {
        "generated_from": {
            "data_hash": data_hash,
            "packages": _versions(),
            "python": platform.python_version(),
            "visibility": visibility,
        },
        "jobs": entries,
    }
    if build_date is not None:
        data["build_date"] = build_date.isoformat()
    return data


def provenance(job: Job, *, data_hash: str, inputs_fingerprint: str, visibility: str, engine: str) -> dict[str, Any]:
    """Return what an executed notebook records in `metadata.giaoban`: its notebook, page and parameters,
    the data hash, the fingerprint of the rows it read, the visibility, the package versions, Python,
    the engine and its cache key (which the next build compares to decide whether the page is up to date)."""
    return {
        "notebook": job.notebook,
        "page": job.page,
        "params": dict(job.params),
        "data_hash": data_hash,
        "inputs": inputs_fingerprint,
        "visibility": visibility,
        "packages": _versions(),
        "python": platform.python_version(),
        "engine": engine,
        "key": job.key,
    }


def _stamp(path: Path, meta: dict[str, Any]) -> None:
    """Write `meta` into `metadata.giaoban` of the notebook at `path` (atomically); nothing when unreadable.

    The notebook is written as nbformat writes it (the same bytes), with `json`: importing nbformat
    costs the build about 3 s of CPU (jsonschema's IRI grammars) while the notebooks execute."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        nb["metadata"]["giaoban"] = meta
    except (OSError, ValueError, KeyError, TypeError):
        return
    write_text(path, json.dumps(nb, indent=1, sort_keys=True, separators=(",", ": "), ensure_ascii=False))


def _recorded_key(path: Path) -> tuple[str | None, str]:
    """The cache key and engine an executed notebook records in `metadata.giaoban` (None when it has none)."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))["metadata"]["giaoban"]
        return (meta["key"] if isinstance(meta.get("key"), str) else None), str(meta.get("engine") or "papermill")
    except (OSError, ValueError, KeyError, TypeError):
        return None, "papermill"


def _earlier_jobs(
    executed_dir: Path, pages: set[str], notebooks_dir: Path, dataset: Dataset, environment: str, public: bool
) -> tuple[list[dict[str, Any]], list[str]]:
    """Return the manifest entries of earlier builds to keep beside this build's `pages`, and notes.

    An entry is kept when its page is not rebuilt now, it rendered (ok or cached), its executed notebook
    is there, and the cache key the notebook records equals the key computed now for its notebook,
    parameters, data and environment. A manifest that cannot be read keeps nothing (with a note).
    """
    path = executed_dir / MANIFEST
    shown = params_module.display_path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        entries = raw["jobs"]
        if not isinstance(entries, list):
            raise TypeError("jobs không phải danh sách")
    except FileNotFoundError:
        return [], []
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        return [], [
            f"{shown}: không đọc được manifest của lần dựng trước ({type(error).__name__}: {error}); "
            f"trang web chỉ gồm các trang của lần dựng này"
        ]
    kept, dropped = [], []
    for i, entry in enumerate(entries):
        page = entry.get("page") if isinstance(entry, dict) else None
        if page in pages:
            continue  # rebuilt now
        try:
            job = check_job(entry, i, path)
        except ManifestError:
            dropped.append(str(page) if isinstance(page, str) else f"jobs[{i}]")
            continue
        if not job.rendered:
            continue  # an earlier failure is not shown again
        rel = PurePosixPath(job.executed)
        notebook = notebooks_dir / f"{job.notebook}.ipynb"
        key, engine = _recorded_key(executed_dir / rel) if rel.as_posix() == f"{job.page}.ipynb" else (None, "")
        current = None
        if key is not None and notebook.is_file():
            try:  # remembered per data hash, as the build's own jobs' (`inputs.fingerprints`)
                fingerprint = inputs.fingerprints(
                    [job], dataset, public=public, folder=executed_dir.parent / "cache" / "data"
                )[job.id]
                current = cache.job_key(notebook, job.params, fingerprint, environment, engine)
            except (GiaobanError, OSError, TypeError, ValueError):
                current = None
        if current is not None and current == key:
            kept.append(entry)
        else:
            dropped.append(job.page)
    notes = []
    if kept:
        notes.append(f"giữ {len(kept)} trang của lần dựng trước (vẫn đúng với dữ liệu và sổ tay hiện tại)")
    if dropped:
        notes.append(
            f"bỏ {len(dropped)} trang của lần dựng trước vì dữ liệu, sổ tay hoặc môi trường đã đổi (dựng "
            f"lại nếu cần): {', '.join(dropped)}"
        )
    return kept, notes


def _remove_stale(executed_dir: Path, keep: set[str]) -> None:
    """Remove executed notebooks of pages that are not part of this build (and emptied folders)."""
    if not executed_dir.is_dir():
        return
    for path in sorted(executed_dir.rglob("*.ipynb")):
        if path.relative_to(executed_dir).as_posix() not in keep:
            path.unlink()
    for folder in sorted((p for p in executed_dir.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        if not any(folder.iterdir()):
            folder.rmdir()


class _Progress:
    """A rich progress bar counting done, failed, cached and remaining jobs (or nothing when off)."""

    def __init__(self, total: int, cached: int, enabled: bool) -> None:
        self.done = self.failed = 0
        self.cached, self.total = cached, total
        self.bar = None
        if enabled and total:
            # imported when needed: it loads rich (start-up time)
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                TextColumn("[bold]Dựng trang"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[counts]}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
            )
            self.task = self.bar.add_task("build", total=total, completed=cached, counts=self._counts())

    def _counts(self) -> str:
        remaining = self.total - self.done - self.failed - self.cached
        return (
            f"[green]xong {self.done}[/] · [red]lỗi {self.failed}[/] · [cyan]dùng lại {self.cached}[/] · "
            f"còn {remaining}"
        )

    def __enter__(self) -> _Progress:
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.stop()

    def update(self, outcome: execute.Outcome) -> None:
        if outcome.ok:
            self.done += 1
        else:
            self.failed += 1
        if self.bar is not None:
            self.bar.update(self.task, advance=1, counts=self._counts())


@dataclass(frozen=True)
class BuildOptions:
    """What `giaoban build` is asked to do; every field has the command line's default.

    `params_files` (default `params/batches/all.yml`); `workers` (default: the number of cores);
    `renderer` (`RENDERERS`); `out`, `data_dir`, `notebooks_dir`, `build_dir` (default: the project's
    folders, `giaoban.paths`); `root`, the project whose `requirements.lock` enters the cache keys;
    `engine` (`giaoban.execution.execute.engines()`); `render=False` executes without rendering;
    `progress` shows the bar; `echo` receives notes (data warnings, batch entries without data,
    earlier pages kept or dropped), the phase ("Thực thi…", "Dựng trang web…") and the render report;
    `public` reads only the data that may be published (`Dataset.public()`) into
    `<build_dir>/executed-public/` (a batch file with `public: true` asks for the same); `scheduler`
    (`tcp://HOST:PORT`) executes the notebooks on that Dask cluster (`giaoban.execution.distributed`),
    and they come back to this host, which writes them, the cache and the manifest, and renders;
    `made_on` (`--date`), the day the books say they were made on (see `book_date`); `max_jobs`, the
    most pages one build may expand to (`--max-jobs`); with `render_failed=False`, a build in which a
    page failed does not render: the site stays the last good one (`giaoban preview`).
    """

    params_files: Sequence[Path] | None = None
    workers: int | None = None
    renderer: str = "auto"
    out: Path | None = None
    engine: str = execute.DEFAULT_ENGINE
    data_dir: Path | None = None
    notebooks_dir: Path | None = None
    build_dir: Path | None = None
    root: Path | None = None
    render: bool = True
    progress: bool = True
    echo: Callable[[str], None] = print
    public: bool = False
    scheduler: str | None = None
    made_on: date | str | None = None
    max_jobs: int | None = None
    render_failed: bool = True


def build(options: BuildOptions | None = None) -> BuildResult:
    """Build the pages that `options` asks for (default: `BuildOptions()`, the whole project) and return
    a `BuildResult`: one step per stage of the pipeline.

    Validates the data and the params, expands the jobs, restores the unchanged ones from the
    cache, executes the others, writes `<build_dir>/executed/manifest.json`, then (unless
    `render=False`) renders the site with `giaoban.publish.render_site`. Jobs run in worker
    processes started with "spawn": a script calling `build` needs the usual
    `if __name__ == "__main__":` guard.

    Refuses, before anything runs: invalid data (DataInvalid), invalid params (ParamsError), an
    unknown renderer or engine, a missing notebook or one without a `parameters` cell, a malformed
    `_quarto.yml` or an output folder that is not a site (when rendering), a build folder locked by
    another build (BuildLocked). A failing job does not raise: see `exit_code`.
    """
    started = time.monotonic()
    o = _settled(options or BuildOptions())  # the project's folders unless told otherwise
    dataset, notes = _read_data(o)  # the data: validated once, kept between builds
    plan = _plan(o, dataset, notes)  # the execution: params → jobs → cache keys
    with build_lock(o.build_dir):
        result, copy = _execute(o, plan)
        result.seconds = time.monotonic() - started
        if o.render and result.renderable and (o.render_failed or not result.failed):  # publishing
            stage = o.build_dir / ("site-public" if plan.public else "site")
            _render(result, o.out, o.renderer, copy, stage, o.workers, o.echo)
    return result


def _settled(options: BuildOptions) -> BuildOptions:
    """Return `options` with the project's folders and the number of workers filled in; refuse an
    unknown renderer or engine."""
    if options.renderer not in RENDERERS:
        raise GiaobanError(f"--renderer '{options.renderer}' không có: cần một trong {', '.join(RENDERERS)}")
    execute.check_engine(options.engine)
    cores = execute.default_workers()
    if options.workers and options.workers > cores:
        options.echo(
            f"lưu ý: --jobs {options.workers} nhiều hơn số lõi CPU máy này cho dùng ({cores}): các sổ tay sẽ tranh "
            f"nhau lõi, không xong sớm hơn mà tốn thêm bộ nhớ; bỏ --jobs để dùng {cores}"
        )
    return replace(
        options,
        params_files=[Path(p) for p in options.params_files or [paths.PARAMS / "batches" / "all.yml"]],
        workers=options.workers or cores,
        out=site_folder(options.out) if options.out else paths.SITE,
        data_dir=Path(options.data_dir) if options.data_dir else Path(params_module.display_path(paths.DATA)),
        notebooks_dir=Path(options.notebooks_dir) if options.notebooks_dir else paths.NOTEBOOKS,
        build_dir=Path(options.build_dir) if options.build_dir else paths.BUILD,
    )


def _read_data(o: BuildOptions) -> tuple[Dataset, list[str]]:
    """Finish an accept killed half-way, validate and load the data (the validated data kept between
    builds); return the dataset and the notes to show."""
    for note in journal.recover_unlocked_or_skip(o.data_dir):  # an accept killed half-way is finished first
        o.echo(f"lưu ý: {note}")
    with datacache.using(o.build_dir / "cache" / "data"):  # validated data kept between builds (written under the lock)
        notes = _validate_data(o.data_dir)
        dataset = load_dataset(o.data_dir)
        dataset_module.share(o.data_dir, dataset.hash)  # for the kernels, which name it by its absolute path
    return dataset, notes


@dataclass(frozen=True)
class _Plan:
    """What a build will execute: the jobs with their cache keys, and what they were computed from."""

    dataset: Dataset
    data_hash: str
    public: bool
    day: date
    keyed: list[Job]
    notebooks: dict[str, Path]
    fingerprints: dict[str, str]
    environment: str
    memory: dict[str, int]
    notes: list[str]


def _plan(o: BuildOptions, dataset: Dataset, notes: list[str]) -> _Plan:
    """Read the params, expand the jobs and key each by what it reads; refuse bad params, too many
    pages, a missing notebook or (when rendering) bad render inputs before anything runs."""
    data_hash = dataset.hash
    registry = dataset.provinces
    validated = params_module.load_many(o.params_files, registry)
    notes = notes + [note for item in validated for note in item.notes]  # e.g. a period that has not begun
    public = o.public or params_module.public_build(validated)
    day = book_date(o.made_on, validated)
    if public:
        dataset = dataset.public()
    units = inputs.report_units(dataset.reports, registry)
    expansion = jobs_module.expand(validated, dataset.reports, units, registry)
    notes += expansion.notes
    _check_job_limit(len(expansion.jobs), validated, o.max_jobs)
    notebooks = check_notebooks(o.notebooks_dir, {j.notebook for j in expansion.jobs})
    if o.render:
        _check_render_inputs(o.out, o.build_dir, o.data_dir, o.notebooks_dir)
    for note in notes:
        o.echo(f"lưu ý: {note}")

    environment = cache.with_reference(cache.environment_hash(o.root), o.data_dir)  # reference files and boundaries too
    fingerprints = inputs.fingerprints(
        expansion.jobs,
        dataset,
        public=public,  # remembered per data hash
        folder=o.build_dir / "cache" / "data",
        defer=True,
    )
    keyed = [
        replace(
            job, key=cache.job_key(notebooks[job.notebook], job.params, fingerprints[job.id], environment, o.engine)
        )
        for job in expansion.jobs
    ]
    return _Plan(
        dataset,
        data_hash,
        public,
        day,
        keyed,
        notebooks,
        fingerprints,
        environment,
        _memory_limits(keyed, validated),
        notes,
    )


def _execute(o: BuildOptions, plan: _Plan) -> tuple[BuildResult, Path]:
    """With the build lock held: write what the data cache held back, take the snapshot of the data the
    kernels read, and execute the jobs whose keys are not in the cache; return the result and that copy."""
    datacache.flush()
    # the kernels read a copy of exactly the data the keys were computed from (docs/trust.md)
    copy = snapshot.take(o.data_dir, o.build_dir, plan.data_hash)
    dataset_module.share(o.data_dir, plan.data_hash, name=copy, folder=o.build_dir / "cache" / "data")
    result = _run(
        plan.keyed,
        plan.notebooks,
        replace(plan.dataset, data_dir=copy),
        o.notebooks_dir,
        o.build_dir,
        o.engine,
        o.workers,
        o.progress,
        plan.notes,
        executed_dir=o.build_dir / ("executed-public" if plan.public else "executed"),
        environment=plan.environment,
        public=plan.public,
        data_hash=plan.data_hash,
        fingerprints=plan.fingerprints,
        echo=o.echo,
        scheduler=o.scheduler,
        build_date=plan.day,
        memory=plan.memory,
    )
    return result, copy


def site_folder(out: str | Path) -> Path:
    """Return the output folder `out` with a leading `~` or `~user` expanded to that home folder (a
    shell leaves a quoted "~" as it is: it must not become a folder named `~`). Refuses (GiaobanError)
    a `~user` whose home is unknown."""
    text = str(out)
    if not text.startswith("~"):
        return Path(out)
    try:
        return Path(text).expanduser()
    except RuntimeError:
        raise GiaobanError(
            f"--out {text}: không biết thư mục nhà của '{text.split('/')[0]}': ghi đường dẫn đầy đủ"
        ) from None


def check_out_not_in_inputs(out: Path, inputs: list[Path]) -> None:
    """Refuse (GiaobanError) an output folder inside one of the project's `inputs` (data/, notebooks/,
    params/, src/): a site written there would be read back as data, notebooks or code."""
    target = out.resolve()
    for folder in inputs:
        folder = folder.resolve()
        if folder in target.parents:
            raise GiaobanError(
                f"--out {out}: thư mục trang web nằm trong {params_module.display_path(folder)}, "
                f"thư mục đầu vào của dự án (data/, notebooks/, params/, src/ không bao giờ nhận "
                f"kết quả dựng): chọn một thư mục riêng, ví dụ _site"
            )


def _check_job_limit(count: int, validated: list, asked: int | None) -> None:
    """Refuse (GiaobanError) a build of more pages than `asked` (--max-jobs), else than `limits.MAX_JOBS` or
    the largest `max_jobs:` of its batch files: a slip in a batch file (`provinces: all` × every period ×
    both languages) must not start hours of work."""
    allowed = asked or max([limits.MAX_JOBS] + [getattr(v, "max_jobs", None) or 0 for v in validated])
    if count > allowed:
        raise GiaobanError(
            f"lô này mở ra {format_number(count)} trang, quá giới hạn {format_number(allowed)} trang "
            f"một lần dựng; không chạy gì. Nếu đúng là cần: giaoban build --max-jobs {count} "
            f"(hoặc max_jobs: {count} trong tệp lô)"
        )


def _memory_limits(jobs: list[Job], validated: list) -> dict[str, int]:
    """The memory limit in bytes (`memory:` of its params files, the smallest when several name it) of each
    job that has one."""
    by_file = {params_module.display_path(v.path): v.memory for v in validated if getattr(v, "memory", None)}
    out = {}
    for job in jobs:
        sizes = [by_file[o] for o in job.origins if o in by_file]
        if sizes:
            out[job.id] = min(sizes)
    return out


def _check_render_inputs(out: Path, build_dir: Path, data_dir: Path, notebooks_dir: Path) -> None:
    """Refuse, before anything runs, what would make the render fail or write where it must not: a
    malformed `_quarto.yml` (ConfigError), an output folder inside the project's inputs (GiaobanError)
    or one that is not a site, the home folder included (RenderError)."""
    # imported when needed: the renderer loads jinja2, nbformat, traitlets (start-up time)
    from giaoban.publish.pipeline import check_out_dir

    read_config(params_module.display_path(paths.ROOT / "_quarto.yml"))
    check_out_not_in_inputs(out, [data_dir, notebooks_dir, paths.PARAMS, paths.ROOT / "src"])
    check_out_dir(out, protect=[paths.ROOT, build_dir, data_dir, notebooks_dir, paths.PARAMS, Path.home()])


def _settle(scratch: Path, target: Path) -> None:
    """Move a job's executed notebook from the scratch folder to `target` (a rename: whole or not at
    all); without one (its kernel never started), remove the earlier notebook of that page."""
    if scratch.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(scratch, target)
    else:
        try:
            target.unlink()
        except FileNotFoundError:
            pass


def _run(
    keyed: list[Job],
    notebooks: dict[str, Path],
    dataset: Dataset,
    notebooks_dir: Path,
    build_dir: Path,
    engine: str,
    workers: int,
    progress: bool,
    notes: list[str],
    *,
    executed_dir: Path | None = None,
    environment: str = "",
    public: bool = False,
    data_hash: str | None = None,
    fingerprints: dict[str, str] | None = None,
    echo: Callable[[str], None] = print,
    scheduler: str | None = None,
    build_date: date | None = None,
    memory: dict[str, int] | None = None,
) -> BuildResult:
    executed_dir = executed_dir or build_dir / "executed"
    data_hash = data_hash or dataset.hash
    fingerprints = fingerprints or {}
    visibility = "public" if public else "all"
    store = cache.Cache(build_dir / "cache")
    status: dict[str, str] = {}
    errors: dict[str, str | None] = {}
    running = build_dir / RUNNING / str(os.getpid())
    _clean_stale(build_dir, running)
    earlier, said = _earlier_jobs(executed_dir, {j.page for j in keyed}, notebooks_dir, dataset, environment, public)
    for note in said:
        echo(f"lưu ý: {note}")
    notes += said
    _remove_stale(executed_dir, {j.executed for j in keyed} | {e["executed"] for e in earlier})
    tasks = []
    for job in keyed:
        if store.restore(job.key, executed_dir / job.executed):
            status[job.id] = "cached"
        else:
            limit = (memory or {}).get(job.id)
            tasks.append(
                execute.Task(
                    job.id,
                    str(notebooks[job.notebook].resolve()),
                    str((running / job.executed).resolve()),
                    job.params,
                    job.timeout,
                    str(notebooks_dir.resolve()),
                    engine,
                    {limits.MEMORY_ENV: str(limit)} if limit else {},
                )
            )
    for note in store.dropped:  # damaged entries, removed: their jobs execute again
        echo(f"lưu ý: {note}")
    notes += store.dropped
    if tasks:
        echo(f"Thực thi {len(tasks)} sổ tay ({len(status)} dùng lại)…")
        env = {
            inputs.DATA_ENV: str(Path(dataset.data_dir).resolve()),
            inputs.VISIBILITY_ENV: visibility,
            snapshot.HASH_ENV: data_hash,
            datacache.DATA_CACHE_ENV: str((build_dir / "cache" / "data").resolve()),
            **execute.prepare_kernel(build_dir / "jupyter"),
        }
        log_dir = build_dir / "logs"
        for old in log_dir.glob("worker-*.log"):
            old.unlink()
        by_id = {j.id: j for j in keyed}
        with _Progress(len(keyed), len(status), progress) as bar:

            def finished(outcome: execute.Outcome) -> None:
                job = by_id[outcome.id]
                status[job.id] = "ok" if outcome.ok else "failed"
                errors[job.id] = outcome.error
                target = executed_dir / job.executed
                _settle(running / job.executed, target)
                _stamp(
                    target,
                    provenance(
                        job,
                        data_hash=data_hash,
                        inputs_fingerprint=fingerprints.get(job.id, ""),
                        visibility=visibility,
                        engine=engine,
                    ),
                )
                if outcome.ok:
                    store.put(job.key, target)
                if outcome.note:  # e.g. a notebook the fast engine could not serve ran with plain kernels
                    notes.append(outcome.note)
                    echo(f"lưu ý: {outcome.note}")
                bar.update(outcome)

            try:
                if scheduler:
                    distributed.run(tasks, scheduler, env, finished)
                else:
                    execute.run(tasks, workers, env, log_dir, finished)
            finally:
                shutil.rmtree(running, ignore_errors=True)
    manifest = executed_dir / MANIFEST
    data = manifest_data(
        keyed, status, errors, data_hash, earlier=earlier, visibility=visibility, build_date=build_date
    )
    write_text(manifest, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return BuildResult(keyed, status, errors, executed_dir, manifest, notes, kept=len(earlier))


def _render(
    result: BuildResult,
    out: Path,
    renderer: str,
    data_dir: Path,
    stage_dir: Path,
    workers: int,
    echo: Callable[[str], None],
) -> None:
    """Render the executed notebooks into `out` with `giaoban.publish.render_site` and echo its report."""
    from giaoban.publish import render_site  # imported here: rendering pulls in pandoc, typst, pagefind

    echo(f"Dựng trang web vào {params_module.display_path(out)}…")
    report = render_site(result.executed_dir, out, renderer, data_dir=data_dir, stage_dir=stage_dir, jobs=workers)
    for line in report.lines():
        echo(line)
