"""Build speed, side by side in one run: the `papermill` command in a loop, then `giaoban build` cold,
again with nothing changed, and again after one figure changed, on the synthetic national data.

    .venv/bin/python benchmarks/build_speed.py [--provinces all] [--periods 2] [--jobs 2] [--sample 24]
                                               [--change 51:2025-H2] [--indicator CODE] [--out DIR] [--keep]

Everything happens in a temporary folder (or `--out`): the synthetic data (`benchmarks/synthetic.py`),
a copy of the project's notebooks, `_quarto.yml` and lock file, a batch file, the build folder and
the site. The project's `data/`, `_build/` and `_site/` are never touched, and nothing of it is ever
published. The builds run as the command a user runs (`giaoban build BATCH --data DATA --jobs N`,
with `GIAOBAN_ROOT` pointing at the temporary project).

What is measured:

1. the `papermill` command, once per job in a loop, on a sample of `--sample` jobs spread over the
   batch (briefing, province and period pages): seconds per job, extrapolated to the whole batch
   (said so in the output);
2. `giaoban build` cold (empty build folder): execution (from the command's start to the start of
   rendering: validation, cache keys and the notebooks) and rendering, separately;
3. `giaoban build` again with nothing changed;
4. `giaoban build` again after `synthetic.change_one_figure` (default: `--change 51:2025-H2`, the
   synthetic default indicator), which re-executes the pages whose data changed;
5. `giaoban preview` of the same batch (unless `--no-preview`), driven as a browser tab would be
   (its Server-Sent Events on `/__giaoban/events`): after it has built, one figure is changed again,
   then one paragraph of `notebooks/briefing.ipynb` (the analyst's comment, `page.say`); for each,
   the seconds from the save until the reload event naming the edited briefing's page is sent, and
   until that page's HTML on disk has the new value.

For each: seconds, seconds per job, the ratio to the papermill loop, and the peak memory of the whole
process tree (the command and every process below it, sampled every 0.2 s with psutil): the sum
of RSS (which counts memory shared between forked processes once per process)
and the sum of PSS (which shares it out: the real footprint). The executed notebooks of the sample
are then compared with Papermill's, cell by cell (`giaoban.execution.engine.compare.differences`: sources,
output types, text, image bytes). The targets of the issue are printed as reached or not.

This environment sets PYTHONDONTWRITEBYTECODE, so every Python process would compile every module
it imports again; the benchmark gives every process it starts one bytecode cache in its folder
(`PYTHONPYCACHEPREFIX`, warmed before timing), as a normal installation has.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import synthetic  # noqa: E402  (benchmarks/synthetic.py)

VENV_BIN = Path(sys.executable).parent
TARGETS = {"cold_ratio": 6.0, "unchanged_s": 5.0, "one_change_s": 10.0, "render_page_s": 0.2, "memory_gb": 2.0}
#: The target rows of issue 13 (the edit loop), each printed as reached or not.
ISSUE_13 = {"one_change_s": 10.0, "preview_figure_s": 3.0, "preview_paragraph_s": 3.0, "unchanged_s": 2.0,
            "cold_ratio": 8.0, "warm_code_s": 0.5, "render_page_s": 0.2, "memory_gb": 1.5}


# ----------------------------------------------------------------------------------- memory

class TreeMemory:
    """Samples the memory of a process tree every `interval` seconds in a thread; keeps the peaks."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid, self.interval = pid, interval
        self.peak_rss = self.peak_pss = self.peak_processes = 0
        self.samples: list[tuple[float, int]] = []  # (seconds since start, PSS of the tree)
        self._started = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def sample(self) -> tuple[int, int, int]:
        """RSS and PSS summed over the tree, and its number of processes."""
        import psutil  # in the lock file (a dependency of ipykernel and distributed)

        rss = pss = n = 0
        try:
            procs = [psutil.Process(self.pid)]
            procs += procs[0].children(recursive=True)
        except psutil.Error:
            return 0, 0, 0
        for p in procs:
            try:
                info = p.memory_full_info()
            except psutil.Error:
                continue
            rss, pss, n = rss + info.rss, pss + getattr(info, "pss", 0), n + 1
        return rss, pss, n

    def _run(self) -> None:
        while not self._stop.is_set():
            rss, pss, n = self.sample()
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self.peak_processes = max(self.peak_processes, n)
            self.samples.append((time.monotonic() - self._started, pss))
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


# ----------------------------------------------------------------------------------- running

@dataclass
class Run:
    label: str
    seconds: float
    peak_rss: int
    peak_pss: int
    returncode: int
    stdout: str = ""
    lines: list[tuple[float, str]] = field(default_factory=list)  # (seconds since start, stderr line)
    memory: list[tuple[float, int]] = field(default_factory=list)  # (seconds since start, PSS of the tree)

    def at(self, prefix: str) -> float | None:
        """Seconds from the start to the first stderr line starting with `prefix`."""
        return next((t for t, line in self.lines if line.startswith(prefix)), None)


def run_measured(label: str, argv: list[str], env: dict[str, str], cwd: Path) -> Run:
    started = time.monotonic()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    memory = TreeMemory(proc.pid)
    lines: list[tuple[float, str]] = []

    def read_stderr() -> None:
        for line in proc.stderr:
            lines.append((time.monotonic() - started, line.rstrip("\n")))

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    stdout = proc.stdout.read()
    proc.wait()
    reader.join()
    seconds = time.monotonic() - started
    memory.stop()
    return Run(label, seconds, memory.peak_rss, memory.peak_pss, proc.returncode, stdout, lines, memory.samples)


# ----------------------------------------------------------------------------------- the setup

def make_project(folder: Path, provinces: str) -> Path:
    """A project folder for the benchmark: notebooks, _quarto.yml, the lock file, a batch."""
    folder.mkdir(parents=True, exist_ok=True)
    # a project folder has a data/ folder ($GIAOBAN_ROOT is refused without one); the builds read the
    # synthetic data through --data, so this one stays empty
    (folder / "data").mkdir(exist_ok=True)
    shutil.copytree(ROOT / "notebooks", folder / "notebooks", dirs_exist_ok=True)
    for name in ("_quarto.yml", "requirements.lock"):
        shutil.copy(ROOT / name, folder / name)
    for extra in ("assets",):
        if (ROOT / extra).is_dir():
            shutil.copytree(ROOT / extra, folder / extra, dirs_exist_ok=True)
    which = "all" if provinces == "all" else "[" + ", ".join(f'"{p.strip()}"' for p in provinces.split(",")) + "]"
    batch = folder / "params" / "batches" / "bench.yml"
    batch.parent.mkdir(parents=True, exist_ok=True)
    batch.write_text(f"title: Benchmark\nprovinces: {which}\nperiods: all-with-data\n"
                     f"notebooks: [briefing, province, period]\nlangs: [vi, en]\ntimeout: 600\n", encoding="utf-8")
    return batch


def expand_jobs(batch: Path, data: Path) -> list:
    from giaoban.data import inputs
    from giaoban.execution import jobs, params
    from giaoban.data.dataset import load_dataset

    dataset = load_dataset(data)
    validated = params.load_many([batch], dataset.provinces)
    units = inputs.report_units(dataset.reports, dataset.provinces)
    return jobs.expand(validated, dataset.reports, units, dataset.provinces).jobs


def sample_jobs(all_jobs: list, n: int) -> list:
    """`n` jobs spread evenly over the batch, at least one of each kind of page when n allows."""
    if n >= len(all_jobs):
        return list(all_jobs)
    step = len(all_jobs) / n
    chosen = {int(i * step) for i in range(n)}
    for kind in ("briefing", "province", "period"):
        if not any(all_jobs[i].notebook == kind for i in chosen):
            first = next((i for i, j in enumerate(all_jobs) if j.notebook == kind), None)
            if first is not None:
                chosen.discard(max(chosen))
                chosen.add(first)
    return [all_jobs[i] for i in sorted(chosen)]


def base_env(project: Path, pycache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(PYTHONPYCACHEPREFIX=str(pycache), GIAOBAN_ROOT=str(project), PYTHONUNBUFFERED="1",
               PYDEVD_DISABLE_FILE_VALIDATION="1")
    return env


def warm_bytecode(env: dict[str, str], cwd: Path) -> None:
    code = ("import giaoban.briefing, giaoban.briefing.charts, giaoban.build.pipeline, giaoban.publish, giaoban.execution.engine.kernels, "
            "giaoban.execution.engine.forkserver, papermill, papermill.cli, nbclient, ipykernel.kernelapp, ipykernel.debugger, "
            "jupyter_client, pandas, matplotlib.pyplot, pandera, typer, rich, distributed")
    subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, check=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0", str(Path(sys.prefix) / "lib"),
                    str(ROOT / "src")], env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# ----------------------------------------------------------------------------------- the steps

def papermill_loop(sample: list, project: Path, data: Path, out: Path, env: dict[str, str]) -> tuple[Run, dict]:
    """Run the `papermill` command once per sampled job; return the combined Run and the outputs by page."""
    import yaml

    env = {**env, "GIAOBAN_DATA": str(data)}
    outputs, seconds, peak_rss, peak_pss, failed = {}, 0.0, 0, 0, 0
    for job in sample:
        target = out / f"{job.page}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        params = out / f"{job.page}.params.yml"
        params.write_text(yaml.safe_dump(dict(job.params), allow_unicode=True, sort_keys=False), encoding="utf-8")
        argv = [str(VENV_BIN / "papermill"), str(project / "notebooks" / f"{job.notebook}.ipynb"), str(target),
                "-f", str(params), "-k", "python3", "--cwd", str(project / "notebooks"), "--no-progress-bar",
                "--log-level", "WARNING"]
        run = run_measured(job.page, argv, env, project)
        seconds += run.seconds
        peak_rss, peak_pss = max(peak_rss, run.peak_rss), max(peak_pss, run.peak_pss)
        failed += run.returncode != 0
        outputs[job.page] = target
        print(f"  papermill {job.page}: {run.seconds:.1f} s" + ("" if run.returncode == 0 else " (LỖI)"), flush=True)
    return Run("papermill", seconds, peak_rss, peak_pss, failed), outputs


_FLOOR = r"""
import json, sys, time
import nbformat
from jupyter_client import KernelManager
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook
jobs = json.loads(sys.argv[1])
km = KernelManager(kernel_name="python3", transport="ipc", ip=sys.argv[2] + "/floor-ipc",
                   connection_file=sys.argv[2] + "/floor.json")
km.start_kernel(cwd=sys.argv[3])
kc = km.client()
kc.start_channels()
kc.wait_for_ready(timeout=120)
def run(notebook, params):
    nb = parameterize_notebook(load_notebook_node(notebook), params)
    started = time.perf_counter()
    for cell in nb.cells:
        if cell.cell_type == "code":
            reply = kc.execute_interactive(cell.source, output_hook=lambda msg: None, timeout=600)
            if reply["content"]["status"] != "ok":
                raise SystemExit(f"{notebook}: {reply['content'].get('ename')}")
    return time.perf_counter() - started
run(*jobs[0])  # warm-up: imports and the data, once
print(json.dumps([run(notebook, params) for notebook, params in jobs]))
kc.stop_channels()
km.shutdown_kernel(now=True)
"""


def warm_floor(sample: list, project: Path, data: Path, env: dict[str, str], work: Path) -> float:
    """Seconds per job of the notebooks' own code in one warm kernel (imports and data loaded once):
    the sample run one after another in the same kernel, after one warm-up run."""
    jobs = [[str(project / "notebooks" / f"{j.notebook}.ipynb"), dict(j.params)] for j in sample]
    folder = Path(tempfile.mkdtemp(prefix="gb-floor-"))
    try:
        done = subprocess.run([sys.executable, "-c", _FLOOR, json.dumps(jobs), str(folder), str(project / "notebooks")],
                              env={**env, "GIAOBAN_DATA": str(data)}, cwd=project, capture_output=True, text=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if done.returncode != 0:
        print(done.stderr[-2000:])
        return float("nan")
    times = json.loads(done.stdout.strip().splitlines()[-1])
    return sum(times) / len(times)


def giaoban_build(label: str, batch: Path, data: Path, jobs: int, project: Path, env: dict[str, str],
                  render: bool, extra: list[str]) -> Run:
    argv = [str(VENV_BIN / "giaoban"), "build", str(batch), "--data", str(data), "--jobs", str(jobs),
            "--renderer", "builtin", *([] if render else ["--no-render"]), *extra]
    run = run_measured(label, argv, env, project)
    if run.returncode not in (0,):
        print(f"  {label}: exit {run.returncode}\n" + "\n".join(l for _, l in run.lines[-20:]) + run.stdout)
    return run


def summary_counts(run: Run) -> dict[str, int]:
    """Executed / cached / failed from the build's summary line, and pages rendered."""
    import re

    out = {"ok": 0, "cached": 0, "failed": 0, "pages": 0, "rerendered": -1}
    m = re.search(r"thực thi (\d+), dùng lại (\d+) \(không đổi\), lỗi (\d+)", run.stdout)
    if m:
        out.update(ok=int(m.group(1)), cached=int(m.group(2)), failed=int(m.group(3)))
    for _, line in run.lines:
        m = re.match(r"Đã dựng (\d+) trang", line)
        if m:
            out["pages"] = int(m.group(1))
        m = re.search(r"dựng lại (\d+) trang", line)
        if m:
            out["rerendered"] = int(m.group(1))
    return out


def phases(run: Run) -> dict[str, float]:
    """Seconds before execution, executing, until rendering and rendering; and the peak PSS (bytes)
    of the process tree until rendering and while rendering."""
    end = run.seconds
    render_start = run.at("Dựng trang web")
    execution_start = run.at("Thực thi")
    split = render_start if render_start is not None else end
    return {"before_execution": execution_start if execution_start is not None else split,
            "execution": split - execution_start if execution_start is not None else 0.0,
            "until_render": split,
            "render": end - split,
            "pss_until_render": max((m for t, m in run.memory if t < split), default=0),
            "pss_render": max((m for t, m in run.memory if t >= split), default=0)}


class PreviewRun:
    """A `giaoban preview` started by the benchmark, its stderr lines and its events (as a tab sees them)."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        import re

        self.started = time.monotonic()
        self.lines: list[tuple[float, str]] = []
        self.events: list[tuple[float, str, dict]] = []
        self._cond = threading.Condition()
        self.proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True, encoding="utf-8")
        threading.Thread(target=self._read, daemon=True).start()
        line = self.wait_line(r"Xem trước tại http://127\.0\.0\.1:\d+/", 600)
        self.port = int(re.search(r":(\d+)/", line).group(1))
        threading.Thread(target=self._listen, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            with self._cond:
                self.lines.append((time.monotonic(), line.rstrip("\n")))
                self._cond.notify_all()

    def _listen(self) -> None:
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=3600)
        conn.request("GET", "/__giaoban/events")
        kind = None
        try:
            for raw in conn.getresponse():
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: ") and kind:
                    with self._cond:
                        self.events.append((time.monotonic(), kind, json.loads(line[6:])))
                        self._cond.notify_all()
                    kind = None
        except (OSError, ValueError):
            return

    def wait_line(self, pattern: str, timeout: float, after: float = 0.0) -> str:
        import re

        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for t, line in self.lines:
                    if t >= after and re.search(pattern, line):
                        return line
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError(f"giaoban preview: no line /{pattern}/:\n"
                                       + "\n".join(l for _, l in self.lines[-20:]))
                self._cond.wait(0.5)

    def reload_of(self, page: str, after: float, timeout: float = 1800) -> float | None:
        """Seconds from `after` to the first reload event (sent after `after`) naming `page`; None on an error event."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while time.monotonic() < deadline:
                for t, kind, data in self.events:
                    if t < after:
                        continue
                    if kind == "error":
                        return None
                    if kind == "reload" and (data.get("all") or page in data.get("pages", [])):
                        return t - after
                self._cond.wait(0.5)
        return None

    def stop(self) -> int:
        import signal

        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def wait_on_disk(path: Path, text: str, after: float, timeout: float = 1800) -> float | None:
    """Seconds from `after` until the file at `path` contains `text` (polled every 20 ms)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if text in path.read_text(encoding="utf-8"):
                return time.monotonic() - after
        except OSError:
            pass
        time.sleep(0.02)
    return None


def measure_preview(batch: Path, data: Path, jobs: int, project: Path, env: dict[str, str], page: str,
                    province: str, period: str, indicator: str) -> dict:
    """Start `giaoban preview` on the built project, change one figure, then one paragraph of the
    briefing notebook; return the seconds of each step (see the module docstring)."""
    from giaoban.domain.numbers import format_number

    argv = [str(VENV_BIN / "giaoban"), "preview", str(batch), "--data", str(data), "--jobs", str(jobs),
            "--renderer", "builtin", "--port", "0"]
    run = PreviewRun(argv, env, project)
    out: dict = {}
    try:
        run.wait_line(r"^[✓✗] dựng lần đầu", 3600)
        out["start_s"] = run.lines[-1][0] - run.started
        time.sleep(1.0)  # the watcher is set up right after the first build
        html = project / "_site" / page
        saved = time.monotonic()
        report_id, _, old, new = synthetic.change_one_figure(data, province, period, indicator=indicator)
        out["figure"] = f"{report_id} {indicator}: {old} → {new}"
        out["preview_figure_s"] = run.reload_of(page, saved)
        out["preview_figure_disk_s"] = wait_on_disk(html, format_number(new), saved, 60)
        run.wait_line(r"^[✓✗] dựng lại", 600, after=saved)
        time.sleep(1.0)
        notebook = project / "notebooks" / "briefing.ipynb"
        text = notebook.read_text(encoding="utf-8")
        comment = "Đoạn nhận xét viết lúc xem trước (đo tốc độ)"
        assert text.count('page.say(vi=\\"\\"') == 1, "the briefing notebook has no empty page.say(vi=...)"
        saved = time.monotonic()
        notebook.write_text(text.replace('page.say(vi=\\"\\"', f'page.say(vi=\\"{comment}\\"'), encoding="utf-8")
        out["preview_paragraph_s"] = run.reload_of(page, saved)
        out["preview_paragraph_disk_s"] = wait_on_disk(html, comment, saved, 60)
        line = run.wait_line(r"^[✓✗] dựng lại", 3600, after=saved)
        out["paragraph_rebuild"] = line
        notebook.write_text(text, encoding="utf-8")
        run.wait_line(r"^[✓✗] dựng lại", 3600, after=time.monotonic())
    finally:
        out["exit"] = run.stop()
        out["lines"] = [line for _, line in run.lines if line.startswith(("✓", "✗", "Thực thi", "dựng lại"))]
    return out


def preview_briefing(all_jobs: list, province: str, period: str):
    """The Vietnamese briefing of `province` for `period` in the batch, or None."""
    return next((j for j in all_jobs if j.notebook == "briefing" and j.params.get("province") == province
                 and j.params.get("period") == period and j.lang == "vi"), None)


def preview_only(args: argparse.Namespace, batch: Path, data: Path, project: Path, env: dict[str, str],
                 all_jobs: list) -> int:
    """Step 5 alone (`--preview-only`): the preview's first build is a cold one."""
    province, period = args.change.split(":")
    briefing = preview_briefing(all_jobs, province, period)
    if briefing is None:
        print(f"không có bản tin tiếng Việt của {province} kỳ {period} trong lô")
        return 1
    print(f"5. giaoban preview (chỉ bước này), trang {briefing.page}.html:", flush=True)
    result = measure_preview(batch, data, args.jobs, project, env, f"{briefing.page}.html", province, period,
                             args.indicator)
    for line in result.get("lines", []):
        print(f"   {line}")
    print_preview_rows(result)
    if args.json:
        args.json.write_text(json.dumps({"preview": result}, ensure_ascii=False, indent=1, default=str),
                             encoding="utf-8")
    return 0 if result.get("exit") == 0 else 1


def print_preview_rows(preview: dict) -> None:
    """The two preview rows of issue 13, reached or not."""
    for key, what in (("preview_figure_s", "đổi 1 số liệu, preview: lưu → bản tin tải lại"),
                      ("preview_paragraph_s", "đổi 1 đoạn briefing.ipynb, preview: lưu → bản tin tải lại")):
        value, disk = preview.get(key), preview.get(key.replace("_s", "_disk_s"))
        reached = value is not None and value <= ISSUE_13[key]
        shown = f"{value:.1f} s" if value is not None else "không thấy sự kiện"
        shown += f" (HTML trên đĩa: {disk:.1f} s)" if disk is not None else " (HTML trên đĩa: không thấy giá trị mới)"
        print(f"  {'✓ đạt' if reached else '✗ chưa đạt':<12} {what} ≤ {ISSUE_13[key]:.0f} s: {shown}")
    print(f"  (preview dựng lần đầu: {preview.get('start_s', 0):.1f} s; dừng bằng Ctrl-C: mã thoát {preview.get('exit')})")


def gb(n: int) -> str:
    return f"{n / 1e9:.2f} GB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/build_speed.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--provinces", default="all", help="all (default) or GSO codes separated by commas")
    parser.add_argument("--periods", type=int, default=2, help="periods of the synthetic data, 2..40 (default 2; 12 = "
                                                              "the national data set of benchmarks/README.md)")
    parser.add_argument("--jobs", type=int, default=2, help="giaoban build --jobs (default 2)")
    parser.add_argument("--sample", type=int, default=24, help="jobs run with the papermill command (default 24)")
    parser.add_argument("--change", default="51:2025-H2", help="PROVINCE:PERIOD of the figure changed")
    parser.add_argument("--indicator", default=synthetic.CHANGE_INDICATOR, help="the indicator changed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-render", action="store_true", help="execute only (no site, no PDFs)")
    parser.add_argument("--no-preview", action="store_true", help="do not measure giaoban preview (step 5)")
    parser.add_argument("--preview-only", action="store_true",
                        help="measure only giaoban preview (step 5; its first build is then a cold one)")
    parser.add_argument("--engine", default=None, help="giaoban build --engine (default: the build's default)")
    parser.add_argument("--out", type=Path, default=None, help="working folder (default: a temporary one, removed)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers to this JSON file")
    args = parser.parse_args(argv)

    work = args.out or Path(tempfile.mkdtemp(prefix="giaoban-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    data, project = work / "data", work / "project"
    print(f"Thư mục làm việc: {work} (dữ liệu giả lập, không phải data/ của dự án; không xuất bản)")
    try:
        summary = synthetic.generate(data, seed=args.seed, periods=args.periods, force=True)
        print(f"Dữ liệu giả lập: {summary.reports} báo cáo, {summary.observations} số liệu, kỳ "
              f"{', '.join(summary.periods)}")
        batch = make_project(project, args.provinces)
        env = base_env(project, work / "pycache")
        warm_bytecode(env, project)
        all_jobs = expand_jobs(batch, data)
        sample = sample_jobs(all_jobs, args.sample)
        n = len(all_jobs)
        kinds = {k: sum(1 for j in all_jobs if j.notebook == k) for k in ("briefing", "province", "period")}
        print(f"Lô toàn quốc: {n} trang ({kinds['briefing']} bản tin, {kinds['province']} trang tỉnh, "
              f"{kinds['period']} trang kỳ), --jobs {args.jobs}, {os.cpu_count()} lõi")
        extra = ["--engine", args.engine] if args.engine else []
        render = not args.no_render
        if args.preview_only:
            return preview_only(args, batch, data, project, env, all_jobs)

        print(f"\n1. Lệnh papermill, từng trang một, {len(sample)} trang mẫu:")
        loop, cli_outputs = papermill_loop(sample, project, data, work / "papermill", env)
        per_cli = loop.seconds / len(sample)
        print("   mã của sổ tay trong một kernel ấm (sàn):", flush=True)
        warm = warm_floor(sample, project, data, env, work)
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        floor = warm / cores

        print("\n2. giaoban build, lần đầu (thư mục _build trống):", flush=True)
        shutil.rmtree(project / "_build", ignore_errors=True)
        shutil.rmtree(project / "_site", ignore_errors=True)
        cold = giaoban_build("cold", batch, data, args.jobs, project, env, render, extra)
        executed = project / "_build" / "executed"
        kept = work / "cold-sample"  # the cold build's notebooks of the sample, before anything changes
        for job in sample:
            if (executed / f"{job.page}.ipynb").is_file():
                (kept / job.page).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(executed / f"{job.page}.ipynb", kept / f"{job.page}.ipynb")
        print("3. giaoban build, không đổi gì:", flush=True)
        unchanged = giaoban_build("unchanged", batch, data, args.jobs, project, env, render, extra)
        province, period = args.change.split(":")
        report_id, indicator, old, new = synthetic.change_one_figure(data, province, period, indicator=args.indicator)
        print(f"4. giaoban build sau khi đổi một số liệu ({report_id}, {indicator}: {old} → {new}):", flush=True)
        changed = giaoban_build("one_change", batch, data, args.jobs, project, env, render, extra)
        preview: dict = {}
        if render and not args.no_preview:
            briefing = preview_briefing(all_jobs, province, period)
            if briefing is None:
                print(f"5. giaoban preview: không có bản tin tiếng Việt của {province} kỳ {period} trong lô; bỏ qua")
            else:
                print(f"5. giaoban preview, sửa một số liệu rồi một đoạn của notebooks/briefing.ipynb "
                      f"(trang {briefing.page}.html):", flush=True)
                preview = measure_preview(batch, data, args.jobs, project, env, f"{briefing.page}.html", province,
                                          period, args.indicator)
                for line in preview.get("lines", []):
                    print(f"   {line}")

        # --------------------------------------------------------------- equivalence
        from giaoban.execution.engine.compare import differences

        problems = {}
        for job in sample:
            mine, theirs = kept / f"{job.page}.ipynb", cli_outputs[job.page]
            if not mine.is_file() or not theirs.is_file():
                problems[job.page] = ["thiếu sổ tay đã thực thi"]
                continue
            found = differences(theirs, mine)
            if found:
                problems[job.page] = found

        # --------------------------------------------------------------- report
        c_cold, c_unchanged, c_changed = (summary_counts(r) for r in (cold, unchanged, changed))
        p_cold, p_unchanged, p_changed = (phases(r) for r in (cold, unchanged, changed))
        executed_cold = max(1, c_cold["ok"])
        per_cold_exec = p_cold["until_render"] / executed_cold
        per_cold_all = cold.seconds / executed_cold
        html_pages = c_cold["pages"] or 0
        print("\n" + "=" * 100)
        print(f"{'bước':<38}{'giây':>9}{'giây/trang':>12}{'nhanh hơn':>11}{'RSS đỉnh':>12}{'PSS đỉnh':>12}")
        print(f"{'papermill (lệnh), ' + str(len(sample)) + ' trang mẫu':<38}{loop.seconds:>9.1f}{per_cli:>12.2f}"
              f"{'1.0×':>11}{gb(loop.peak_rss):>12}{gb(loop.peak_pss):>12}")
        print(f"{'  → ngoại suy cho ' + str(n) + ' trang':<38}{per_cli * n:>9.0f}{per_cli:>12.2f}{'':>11}")
        print(f"{'sàn: mã sổ tay, kernel ấm, ÷ ' + str(cores) + ' lõi':<38}{warm * len(sample):>9.1f}{floor:>12.2f}"
              f"{per_cli / floor:>10.1f}×   ({warm:.2f} s/trang trên một lõi)")
        print(f"{'giaoban build lần đầu: thực thi':<38}{p_cold['until_render']:>9.1f}{per_cold_exec:>12.2f}"
              f"{per_cli / per_cold_exec:>10.1f}×{gb(cold.peak_rss):>12}{gb(cold.peak_pss):>12}")
        if render:
            print(f"{'  dựng trang web và PDF':<38}{p_cold['render']:>9.1f}"
                  f"{(p_cold['render'] / html_pages if html_pages else 0):>12.3f}  (giây/trang HTML, {html_pages} trang)")
            print(f"{'  cả lệnh':<38}{cold.seconds:>9.1f}{per_cold_all:>12.2f}{per_cli / per_cold_all:>10.1f}×")
        print(f"{'giaoban build, không đổi gì':<38}{unchanged.seconds:>9.1f}{'':>12}{'':>11}{gb(unchanged.peak_rss):>12}"
              f"{gb(unchanged.peak_pss):>12}")
        print(f"{'giaoban build, đổi 1 số liệu':<38}{changed.seconds:>9.1f}{'':>12}{'':>11}{gb(changed.peak_rss):>12}"
              f"{gb(changed.peak_pss):>12}")
        print(f"   thực thi lại {c_changed['ok']} trang (dùng lại {c_changed['cached']}); "
              f"thực thi {p_changed['until_render']:.1f} s, dựng {p_changed['render']:.1f} s"
              + (f", dựng lại {c_changed['rerendered']} trang HTML" if c_changed['rerendered'] >= 0 else ""))
        print(f"   bộ nhớ đỉnh (PSS) lần đầu: thực thi {gb(p_cold['pss_until_render'])}, dựng {gb(p_cold['pss_render'])}; "
              f"đổi 1 số liệu: thực thi {gb(p_changed['pss_until_render'])}, dựng {gb(p_changed['pss_render'])}")
        print(f"   không đổi gì: trước dựng {p_unchanged['until_render']:.1f} s, dựng {p_unchanged['render']:.1f} s"
              + (f", dựng lại {c_unchanged['rerendered']} trang HTML" if c_unchanged['rerendered'] >= 0 else ""))
        if preview:
            def sec(v: float | None) -> str:
                return f"{v:.1f} s" if v is not None else "không thấy"

            print(f"{'giaoban preview: dựng lần đầu':<38}{sec(preview.get('start_s')):>9}")
            print(f"{'  đổi 1 số liệu → sự kiện tải lại':<38}{sec(preview.get('preview_figure_s')):>9}"
                  f"   (HTML trên đĩa có giá trị mới: {sec(preview.get('preview_figure_disk_s'))}; {preview.get('figure')})")
            print(f"{'  đổi 1 đoạn sổ tay → sự kiện tải lại':<38}{sec(preview.get('preview_paragraph_s')):>9}"
                  f"   (HTML trên đĩa có đoạn mới: {sec(preview.get('preview_paragraph_disk_s'))})")
        print("=" * 100)
        same = len(sample) - len(problems)
        print(f"Sổ tay đã thực thi so với papermill: {same}/{len(sample)} giống hệt từng ô (mã, loại đầu ra, chữ, "
              f"ảnh PNG theo byte)")
        for page, found in sorted(problems.items())[:10]:
            print(f"  ✗ {page}: {'; '.join(found[:3])}")
        memory_peak = max(cold.peak_pss, unchanged.peak_pss, changed.peak_pss)
        results = {
            "cold_ratio": per_cli / per_cold_exec,
            "unchanged_s": unchanged.seconds,
            "one_change_s": changed.seconds,
            "render_page_s": (p_cold["render"] / html_pages) if html_pages else None,
            "memory_gb": memory_peak / 1e9,
            "floor_ratio": per_cli / floor,
        }
        print("\nMục tiêu (máy 2 lõi):")
        checks = [
            ("cold_ratio", f"thực thi lần đầu ≥ {TARGETS['cold_ratio']:.0f}× nhanh hơn vòng lặp papermill",
             lambda v: v >= TARGETS["cold_ratio"], f"{results['cold_ratio']:.1f}×"),
            ("unchanged_s", f"không đổi gì ≤ {TARGETS['unchanged_s']:.0f} s", lambda v: v <= TARGETS["unchanged_s"],
             f"{results['unchanged_s']:.1f} s"),
            ("one_change_s", f"đổi 1 số liệu ≤ {TARGETS['one_change_s']:.0f} s", lambda v: v <= TARGETS["one_change_s"],
             f"{results['one_change_s']:.1f} s ({c_changed['ok']} trang bị ảnh hưởng)"),
            ("render_page_s", f"dựng ≤ {TARGETS['render_page_s']} s/trang HTML",
             lambda v: v is not None and v <= TARGETS["render_page_s"],
             f"{results['render_page_s']:.3f} s" if results["render_page_s"] is not None else "không dựng"),
            ("memory_gb", f"bộ nhớ đỉnh ≤ {TARGETS['memory_gb']:.0f} GB (PSS, cả cây tiến trình)",
             lambda v: v <= TARGETS["memory_gb"], f"{results['memory_gb']:.2f} GB (RSS cộng dồn "
                                                   f"{max(cold.peak_rss, unchanged.peak_rss, changed.peak_rss) / 1e9:.2f} GB)"),
        ]
        for key, text, ok, shown in checks:
            print(f"  {'✓' if ok(results[key]) else '✗'} {text}: {shown}")
        results.update(preview_figure_s=preview.get("preview_figure_s"),
                       preview_paragraph_s=preview.get("preview_paragraph_s"), warm_code_s=warm)

        def row(text: str, shown: str, reached: bool | None) -> None:
            mark = {True: "✓ đạt", False: "✗ chưa đạt", None: "– không đo"}[reached]
            print(f"  {mark:<12} {text:<66} {shown}")

        def at_most(key: str) -> bool | None:
            return None if results.get(key) is None else results[key] <= ISSUE_13[key]

        print(f"\nMục tiêu của issue 13 (--provinces {args.provinces}, --periods {args.periods}, --jobs {args.jobs}; "
              f"các mục tiêu đặt cho dữ liệu toàn quốc):")
        row(f"đổi 1 số liệu, giaoban build ≤ {ISSUE_13['one_change_s']:.0f} s",
            f"{results['one_change_s']:.1f} s", at_most("one_change_s"))
        for key, what in (("preview_figure_s", "đổi 1 số liệu, preview: lưu → bản tin tải lại"),
                          ("preview_paragraph_s", "đổi 1 đoạn briefing.ipynb, preview: lưu → bản tin tải lại")):
            value = results.get(key)
            row(f"{what} ≤ {ISSUE_13[key]:.0f} s", f"{value:.1f} s" if value is not None else
                ("không đo (--no-preview)" if not preview else "không thấy sự kiện"),
                at_most(key) if preview and value is not None else (False if preview else None))
        row(f"không đổi gì, giaoban build ≤ {ISSUE_13['unchanged_s']:.0f} s",
            f"{results['unchanged_s']:.1f} s", at_most("unchanged_s"))
        row(f"thực thi lần đầu ≥ {ISSUE_13['cold_ratio']:.0f}× vòng lặp papermill",
            f"{results['cold_ratio']:.1f}×", results["cold_ratio"] >= ISSUE_13["cold_ratio"])
        row(f"mã sổ tay trong kernel ấm ≤ {ISSUE_13['warm_code_s']} s/trang",
            f"{warm:.2f} s", at_most("warm_code_s"))
        row(f"dựng ≤ {ISSUE_13['render_page_s']} s/trang HTML (đo bằng giây thực, không phải CPU)",
            f"{results['render_page_s']:.3f} s" if results["render_page_s"] is not None else "không dựng",
            at_most("render_page_s"))
        row(f"bộ nhớ đỉnh ≤ {ISSUE_13['memory_gb']} GB (PSS, --jobs {args.jobs})",
            f"{results['memory_gb']:.2f} GB", at_most("memory_gb"))
        print(f"  {'✓' if not problems else '✗'} sổ tay giống của papermill: {same}/{len(sample)}")
        print(f"  (sàn của máy này: {per_cli / floor:.1f}× nhanh hơn vòng lặp papermill; lần đầu đạt "
              f"{per_cold_exec / floor:.2f} lần sàn)")
        if args.json:
            args.json.write_text(json.dumps({
                "jobs": n, "sample": len(sample), "cpu": os.cpu_count(), "jobs_option": args.jobs,
                "papermill_s_per_job": per_cli, "floor_s_per_job": floor, "warm_s_per_job": warm, "cold": {"seconds": cold.seconds, **p_cold, **c_cold},
                "unchanged": {"seconds": unchanged.seconds, **p_unchanged, **c_unchanged},
                "one_change": {"seconds": changed.seconds, **p_changed, **c_changed},
                "peak_rss": max(cold.peak_rss, unchanged.peak_rss, changed.peak_rss), "peak_pss": memory_peak,
                "papermill_peak_rss": loop.peak_rss, "equivalent": same, "results": results, "preview": preview,
                "problems": problems}, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        return 0 if not problems and cold.returncode == unchanged.returncode == changed.returncode == 0 else 1
    finally:
        if args.out is None and not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
