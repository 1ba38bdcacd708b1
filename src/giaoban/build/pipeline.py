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
import socket
import sys
import time
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, UTC
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterator

from filelock import FileLock, Timeout

from giaoban import paths
from giaoban.execution import cache, execute, jobs as jobs_module, params as params_module
from giaoban.data import inputs, journal, snapshot
from giaoban.data import datacache
from giaoban.execution.engine import limits
from giaoban.errors import GiaobanError
from giaoban.files import write_text
from giaoban.execution.jobs import Job
from giaoban.data.dataset import Dataset, load_dataset
from giaoban.domain.numbers import format_number

__all__ = [
    "build",
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
#: In the build folder: the lock, who holds it, and the scratch folders of running builds.
LOCK = ".build.lock"
OWNER = "build.owner.json"
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


class BuildLocked(GiaobanError):
    """Another build holds the build folder's lock; the message names it (pid, host, start time, command)."""


def _holder(build_dir: Path) -> str:
    """Who holds the lock, as `build.owner.json` says, in words."""
    try:
        owner = json.loads((build_dir / OWNER).read_text(encoding="utf-8"))
        return (
            f"tiến trình {int(owner['pid'])} trên máy {owner['host']}, bắt đầu lúc {owner['started']}, "
            f"lệnh “{owner['command']}”"
        )
    except (OSError, ValueError, KeyError, TypeError):
        return "chưa rõ tiến trình nào (nó vừa bắt đầu)"


@contextmanager
def _locked(build_dir: Path) -> Iterator[None]:
    """Hold `<build_dir>/.build.lock` (writing who holds it) or refuse (BuildLocked) at once."""
    build_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(build_dir / LOCK))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise BuildLocked(
            f"{params_module.display_path(build_dir)}: một lần dựng khác đang chạy trên thư mục này: "
            f"{_holder(build_dir)}; chờ nó xong (hoặc dừng nó) rồi chạy lại"
        ) from None
    try:
        owner = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": " ".join(["giaoban", *sys.argv[1:]]) if sys.argv else "giaoban",
        }
        write_text(build_dir / OWNER, json.dumps(owner, ensure_ascii=False) + "\n")
        yield
    finally:
        try:
            (build_dir / OWNER).unlink()
        except OSError:
            pass
        lock.release()


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
    from giaoban.data.validation import InvalidDataError

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
    from giaoban.publish.manifest import ManifestError, check_job

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
            try:  # remembered per data hash, as the build's own jobs' (`datacache.fingerprints`)
                fingerprint = datacache.fingerprints(
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


def build(
    params_files: Sequence[str | Path] | None = None,
    *,
    workers: int | None = None,
    renderer: str = "auto",
    out: str | Path | None = None,
    engine: str = execute.DEFAULT_ENGINE,
    data_dir: str | Path | None = None,
    notebooks_dir: str | Path | None = None,
    build_dir: str | Path | None = None,
    root: str | Path | None = None,
    render: bool = True,
    progress: bool = True,
    echo: Callable[[str], None] = print,
    public: bool = False,
    scheduler: str | None = None,
    made_on: date | str | None = None,
    max_jobs: int | None = None,
    render_failed: bool = True,
) -> BuildResult:
    """Build the pages of `params_files` (default `params/batches/all.yml`) and return a `BuildResult`.

    With `scheduler` (`tcp://HOST:PORT`), the notebooks are executed on that Dask cluster and come
    back to this host, which writes them, the cache and the manifest, and renders (`giaoban.execution.distributed`).

    Validates the data and the params, expands the jobs, restores the unchanged ones from the
    cache, executes the others with `engine` on `workers` processes (default: the number of cores),
    writes `<build_dir>/executed/manifest.json`, then (unless `render=False`) calls
    `giaoban.publish.render_site(executed_dir, out, renderer)`. Defaults are the project's folders
    (`giaoban.paths`); `root` is the project whose `requirements.lock` enters the cache keys.
    `echo` receives notes (data warnings, batch entries without data, earlier pages kept or dropped),
    the phase ("Thực thi…", "Dựng trang web…") and the render report. With `public`, only the data
    that may be published are read (`Dataset.public()`), into `<build_dir>/executed-public/`; a batch
    file with `public: true` asks for the same (`params.public_build`). `made_on` (`--date`) is the day
    the books say they were made on; see `book_date` for the default. With `render_failed=False`, a
    build in which a page failed does not render: the site stays the last good one (`giaoban preview`).
    Jobs run in worker processes started with "spawn": a script calling `build` needs the usual
    `if __name__ == "__main__":` guard.

    Refuses, before anything runs: invalid data (DataInvalid), invalid params (ParamsError), an
    unknown renderer or engine, a missing notebook or one without a `parameters` cell, a malformed
    `_quarto.yml` or an output folder that is not a site (when rendering), a build folder locked by
    another build (BuildLocked). A failing job does not raise: see `exit_code`.
    """
    started = time.monotonic()
    if renderer not in RENDERERS:
        raise GiaobanError(f"--renderer '{renderer}' không có: cần một trong {', '.join(RENDERERS)}")
    execute.check_engine(engine)
    data_dir = Path(data_dir) if data_dir else Path(params_module.display_path(paths.DATA))
    notebooks_dir = Path(notebooks_dir) if notebooks_dir else paths.NOTEBOOKS
    build_dir = Path(build_dir) if build_dir else paths.BUILD
    out = site_folder(out) if out else paths.SITE
    files = [Path(p) for p in params_files] if params_files else [paths.PARAMS / "batches" / "all.yml"]
    cores = execute.default_workers()
    if workers and workers > cores:
        echo(
            f"lưu ý: --jobs {workers} nhiều hơn số lõi CPU máy này cho dùng ({cores}): các sổ tay sẽ tranh nhau lõi, "
            f"không xong sớm hơn mà tốn thêm bộ nhớ; bỏ --jobs để dùng {cores}"
        )
    workers = workers or cores
    for note in journal.recover_unlocked_or_skip(data_dir):  # an accept killed half-way is finished first
        echo(f"lưu ý: {note}")

    with datacache.using(build_dir / "cache" / "data"):  # validated data kept between builds (written under the lock)
        notes = _validate_data(data_dir)
        dataset = load_dataset(data_dir)
        datacache.share(data_dir, dataset.hash)  # for the kernels, which name it by its absolute path
    data_hash = dataset.hash
    registry = dataset.provinces
    validated = params_module.load_many(files, registry)
    notes += [note for item in validated for note in item.notes]  # e.g. a period that has not begun
    public = public or params_module.public_build(validated)
    day = book_date(made_on, validated)
    if public:
        dataset = dataset.public()
    units = inputs.report_units(dataset.reports, registry)
    expansion = jobs_module.expand(validated, dataset.reports, units, registry)
    notes += expansion.notes
    _check_job_limit(len(expansion.jobs), validated, max_jobs)
    notebooks = check_notebooks(notebooks_dir, {j.notebook for j in expansion.jobs})
    if render:
        _check_render_inputs(out, build_dir, data_dir, notebooks_dir)
    for note in notes:
        echo(f"lưu ý: {note}")

    environment = cache.with_reference(cache.environment_hash(root), data_dir)  # reference files and boundaries too
    fingerprints = datacache.fingerprints(
        expansion.jobs,
        dataset,
        public=public,  # remembered per data hash
        folder=build_dir / "cache" / "data",
        defer=True,
    )
    keyed = [
        replace(job, key=cache.job_key(notebooks[job.notebook], job.params, fingerprints[job.id], environment, engine))
        for job in expansion.jobs
    ]
    memory = _memory_limits(keyed, validated)

    executed_dir = build_dir / ("executed-public" if public else "executed")
    with _locked(build_dir):
        datacache.flush()
        # the kernels read a copy of exactly the data the keys were computed from (docs/trust.md)
        copy = snapshot.take(data_dir, build_dir, data_hash)
        _share_validated(data_dir, copy, data_hash, build_dir / "cache" / "data")
        dataset = replace(dataset, data_dir=copy)
        result = _run(
            keyed,
            notebooks,
            dataset,
            notebooks_dir,
            build_dir,
            engine,
            workers,
            progress,
            notes,
            executed_dir=executed_dir,
            environment=environment,
            public=public,
            data_hash=data_hash,
            fingerprints=fingerprints,
            echo=echo,
            scheduler=scheduler,
            build_date=day,
            memory=memory,
        )
        result.seconds = time.monotonic() - started
        if render and result.renderable and (render_failed or not result.failed):
            _render(result, out, renderer, copy, build_dir / ("site-public" if public else "site"), workers, echo)
    return result


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


def _share_validated(data_dir: Path, copy: Path, digest: str, folder: Path) -> None:
    """Store the validation result of `data_dir` also under the name of its copy `copy` (the kernels'
    `$GIAOBAN_DATA`), so that they load it instead of validating the same data again."""
    from giaoban.data import dataset as dataset_module

    checked = dataset_module._cache.get((str(data_dir), str(data_dir.resolve()), digest))
    if checked is not None:
        datacache.store_checked(digest, copy.resolve(), checked, folder)


def _check_render_inputs(out: Path, build_dir: Path, data_dir: Path, notebooks_dir: Path) -> None:
    """Refuse, before anything runs, what would make the render fail or write where it must not: a
    malformed `_quarto.yml` (ConfigError), an output folder inside the project's inputs (GiaobanError)
    or one that is not a site, the home folder included (RenderError)."""
    from giaoban.publish.config import read_config
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
                execute.run(tasks, workers, env, log_dir, finished, scheduler=scheduler)
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
