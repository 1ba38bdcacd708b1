"""`giaoban build`: validate the data, expand the params into jobs, execute what changed, render.

The stages, each in its own module: `params` (the YAML files, validated) → `jobs` (one job per page)
→ `cache` (the key of each job, from `inputs`) → `execute` (Papermill, in parallel) → the manifest
(`_build/executed/manifest.json`, which the renderer reads) → `giaoban.render.render_site`.

A failing notebook does not stop the others: the build ends with exit code 1 and a summary naming
each failed page and its executed notebook, where Papermill marks the failing cell.
"""

from __future__ import annotations

import importlib.metadata
import json
import platform
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from filelock import FileLock, Timeout

from giaoban import cache, execute, inputs, jobs as jobs_module, params as params_module, paths
from giaoban.errors import GiaobanError
from giaoban.files import write_text
from giaoban.jobs import Job
from giaoban.dataset import Dataset, load_dataset
from giaoban.numbers import format_number
from giaoban.validation import validate_data

__all__ = ["build", "BuildResult", "DataInvalid", "MANIFEST", "PACKAGES", "RENDERERS", "manifest_data",
           "check_notebooks"]

MANIFEST = "manifest.json"
#: The renderers of `giaoban.render` (checked here so that a typo fails before anything executes).
RENDERERS = ("auto", "quarto", "builtin")
#: Distributions whose versions the manifest records.
PACKAGES = ("giaoban", "pandas", "papermill", "nbclient", "nbformat", "ipykernel", "jupyter_client", "pydantic",
            "pyyaml", "matplotlib")


class DataInvalid(GiaobanError):
    """The data did not pass `giaoban validate`; `lines` are its problems, one a line."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = list(lines)
        super().__init__("dữ liệu chưa hợp lệ, không dựng gì:\n" + "\n".join(self.lines))


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
        lines = [f"{len(self.jobs)} trang: thực thi {self.count('ok')}, dùng lại {self.count('cached')} "
                 f"(không đổi), lỗi {self.count('failed')}; {format_number(round(self.seconds, 1))} giây."]
        if self.failed:
            lines.append("Trang lỗi (sổ tay đã thực thi ghi lại ô lỗi, Papermill đánh dấu ô đó):")
            for job in self.failed:
                lines.append(f"  ✗ {job.page}: {self.errors.get(job.id)}")
                lines.append(f"    → {params_module.display_path(self.executed_dir / job.executed)}")
        return lines


def _validate_data(data_dir: Path) -> list[str]:
    """Run `giaoban.validation.validate_data`; return a note about warnings; refuse (DataInvalid) errors."""
    report = validate_data(data_dir)
    if not report.ok:
        raise DataInvalid(list(report.lines()))
    warnings = len(report.warnings)
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
    out = {}
    for name in PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return out


def manifest_data(jobs: list[Job], status: dict[str, str], errors: dict[str, str | None],
                  data_hash: str) -> dict[str, Any]:
    """Return the manifest: what the build was generated from (`data_hash`, `giaoban.dataset.data_hash`
    of the data; package versions; Python) and one entry per job, sorted by id, with its status
    (`ok`, `cached`, `failed`), executed notebook (relative to the manifest) and error."""
    entries = []
    for job in sorted(jobs, key=lambda j: j.id):
        entry = job.describe()
        entry.update(status=status[job.id], executed=job.executed, error=errors.get(job.id))
        entries.append(entry)
    return {"generated_from": {"data_hash": data_hash, "packages": _versions(),
                               "python": platform.python_version()},
            "jobs": entries}


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

            self.bar = Progress(TextColumn("[bold]Dựng trang"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[counts]}"), TimeElapsedColumn(),
                                console=Console(stderr=True))
            self.task = self.bar.add_task("build", total=total, completed=cached, counts=self._counts())

    def _counts(self) -> str:
        remaining = self.total - self.done - self.failed - self.cached
        return (f"[green]xong {self.done}[/] · [red]lỗi {self.failed}[/] · [cyan]dùng lại {self.cached}[/] · "
                f"còn {remaining}")

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


def build(params_files: list[str | Path] | None = None, *, workers: int | None = None, renderer: str = "auto",
          out: str | Path | None = None, engine: str = execute.DEFAULT_ENGINE, data_dir: str | Path | None = None,
          notebooks_dir: str | Path | None = None, build_dir: str | Path | None = None,
          root: str | Path | None = None, render: bool = True, progress: bool = True,
          echo: Callable[[str], None] = print) -> BuildResult:
    """Build the pages of `params_files` (default `params/batches/all.yml`) and return a `BuildResult`.

    Validates the data and the params, expands the jobs, restores the unchanged ones from the
    cache, executes the others with `engine` on `workers` processes (default: the number of cores),
    writes `<build_dir>/executed/manifest.json`, then (unless `render=False`) calls
    `giaoban.render.render_site(executed_dir, out, renderer)`. Defaults are the project's folders
    (`giaoban.paths`); `root` is the project whose `requirements.lock` enters the cache keys.
    `echo` receives notes (data warnings, batch entries without data) and the render report.
    Jobs run in worker processes started with "spawn": a script calling `build` needs the usual
    `if __name__ == "__main__":` guard.

    Refuses, before anything runs: invalid data (DataInvalid), invalid params (ParamsError), an
    unknown renderer or engine, a missing notebook or one without a `parameters` cell, a build
    folder locked by another build (GiaobanError). A failing job does not raise: see `exit_code`.
    """
    started = time.monotonic()
    if renderer not in RENDERERS:
        raise GiaobanError(f"--renderer '{renderer}' không có: cần một trong {', '.join(RENDERERS)}")
    execute.check_engine(engine)
    data_dir = Path(data_dir) if data_dir else paths.DATA
    notebooks_dir = Path(notebooks_dir) if notebooks_dir else paths.NOTEBOOKS
    build_dir = Path(build_dir) if build_dir else paths.BUILD
    out = Path(out) if out else paths.SITE
    files = [Path(p) for p in params_files] if params_files else [paths.PARAMS / "batches" / "all.yml"]
    workers = workers or execute.default_workers()

    notes = _validate_data(data_dir)
    dataset = load_dataset(data_dir)
    registry = dataset.provinces
    validated = params_module.load_many(files, registry)
    units = inputs.report_units(dataset.reports, registry)
    expansion = jobs_module.expand(validated, dataset.reports, units, registry)
    notes += expansion.notes
    notebooks = check_notebooks(notebooks_dir, {j.notebook for j in expansion.jobs})
    for note in notes:
        echo(f"lưu ý: {note}")

    environment = cache.environment_hash(root)
    keyed = [replace(job, key=cache.job_key(notebooks[job.notebook], job.params,
                                            inputs.for_job(job.notebook, job.params, dataset=dataset).fingerprint(),
                                            environment, engine))
             for job in expansion.jobs]

    build_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(build_dir / ".build.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise GiaobanError(f"{params_module.display_path(build_dir)}: một lần dựng khác đang chạy "
                           f"(khoá {build_dir / '.build.lock'})") from None
    try:
        result = _run(keyed, notebooks, dataset, notebooks_dir, build_dir, engine, workers, progress, notes)
    finally:
        lock.release()
    result.seconds = time.monotonic() - started
    if render and (result.count("ok") or result.count("cached")):
        _render(result, out, renderer, data_dir, build_dir, workers, echo)
    return result


def _run(keyed: list[Job], notebooks: dict[str, Path], dataset: Dataset, notebooks_dir: Path, build_dir: Path,
         engine: str, workers: int, progress: bool, notes: list[str]) -> BuildResult:
    executed_dir = build_dir / "executed"
    store = cache.Cache(build_dir / "cache")
    status: dict[str, str] = {}
    errors: dict[str, str | None] = {}
    _remove_stale(executed_dir, {j.executed for j in keyed})
    tasks = []
    for job in keyed:
        if store.restore(job.key, executed_dir / job.executed):
            status[job.id] = "cached"
        else:
            tasks.append(execute.Task(job.id, str(notebooks[job.notebook].resolve()),
                                      str((executed_dir / job.executed).resolve()), job.params, job.timeout,
                                      str(notebooks_dir.resolve()), engine))
    if tasks:
        env = {inputs.DATA_ENV: str(Path(dataset.data_dir).resolve()), **execute.prepare_kernel(build_dir / "jupyter")}
        log_dir = build_dir / "logs"
        for old in log_dir.glob("worker-*.log"):
            old.unlink()
        by_id = {j.id: j for j in keyed}
        with _Progress(len(keyed), len(status), progress) as bar:
            def finished(outcome: execute.Outcome) -> None:
                job = by_id[outcome.id]
                status[job.id] = "ok" if outcome.ok else "failed"
                errors[job.id] = outcome.error
                if outcome.ok:
                    store.put(job.key, executed_dir / job.executed)
                bar.update(outcome)

            execute.run(tasks, workers, env, log_dir, finished)
    manifest = executed_dir / MANIFEST
    data = manifest_data(keyed, status, errors, dataset.hash)
    write_text(manifest, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return BuildResult(keyed, status, errors, executed_dir, manifest, notes)


def _render(result: BuildResult, out: Path, renderer: str, data_dir: Path, build_dir: Path, workers: int,
            echo: Callable[[str], None]) -> None:
    """Render the executed notebooks into `out` with `giaoban.render.render_site` and echo its report."""
    from giaoban.render import render_site  # imported here: rendering pulls in pandoc, typst, pagefind

    report = render_site(result.executed_dir, out, renderer, data_dir=data_dir, stage_dir=build_dir / "site",
                         jobs=workers)
    for line in report.lines():
        echo(line)
