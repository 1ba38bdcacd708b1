"""`giaoban preview`: build once, serve the site, rebuild what a save reaches, reload the open tabs.

    giaoban preview [PARAMS.yml...] [--port 8000] [--jobs N]

1. The site is built as `giaoban build` builds it (same cache, same keys: a save re-executes only the
   pages whose notebook, parameters or data rows changed, and the renderer converts only the
   pages, PDFs and books whose input changed), into the same `_site/`.
2. It is served on http://127.0.0.1:PORT/ (8000, or a free port when 8000 is taken: the address
   is printed) by the preview server of `giaoban.publish.serve`, which adds a small script to each
   HTML page it sends (never to the files: the published `_site/` carries none of it).
3. `data/`, `notebooks/`, `params/` and `_quarto.yml` are watched (`watchfiles`, the operating
   system's file events). After a save, the build runs again in the same process: the validated
   data of earlier builds stay in memory (`giaoban.data.dataset.load_dataset` keeps them by content
   hash), and the fork server (the warm template kernels are forked from) and the worker processes
   stay up between rebuilds (`giaoban.execution.execute.warm_session`). A build during which an input changed
   again (an editor saving in place truncates the file, then writes it) is built again before
   anything is reported, so that the reload or the error a tab gets is that of the file as saved.
4. The tabs showing a page whose HTML changed reload (a Server-Sent Event). A save that breaks the
   build (a CSV row that does not validate, a notebook that raises, a `_quarto.yml` that cannot be
   read) changes nothing on the site: the error is printed in the terminal and shown over the page
   in the browser, in Vietnamese, with `file:row:column` or the failing cell; the next good save
   clears it by itself.
5. A change of the project's own code (`src/giaoban`: modules and templates) stops the warm
   template and the workers and raises `CodeChanged`: the command starts itself again (same
   process id, same port), so that no process keeps the old imports.
6. Ctrl-C (SIGINT) or SIGTERM stops the server, the workers, the fork server and its kernels; no
   process is left behind.
"""

from __future__ import annotations

import hashlib
import os
import signal
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from giaoban import paths
from giaoban.build import pipeline as build_module
from giaoban.build.pipeline import BuildOptions
from giaoban.errors import GiaobanError
from giaoban.paths import display_path
from giaoban.domain.numbers import format_number
from giaoban.execution import execute
from giaoban.publish.serve import LiveReload, open_server
import giaoban

__all__ = [
    "preview",
    "CodeChanged",
    "Watched",
    "watched_paths",
    "classify",
    "input_stamp",
    "html_digests",
    "changed_pages",
]


class CodeChanged(Exception):
    """The project's own Python code (or a template) changed: the preview must start again (`path`)."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


@dataclass(frozen=True)
class Watched:
    """What the preview watches: the data, notebooks and params folders, `_quarto.yml`, and the
    package's own code (whose change restarts the preview rather than rebuilding)."""

    data: Path
    notebooks: Path
    params: Path
    config: Path
    code: Path

    def roots(self) -> list[Path]:
        """The existing paths to give the watcher."""
        return [p for p in (self.data, self.notebooks, self.params, self.config, self.code) if p.exists()]


def watched_paths(data_dir: Path | None = None, notebooks_dir: Path | None = None) -> Watched:
    """Return the paths `preview` watches for the project of `giaoban.paths` (data and notebooks as given)."""
    return Watched(
        data=(data_dir or paths.DATA).resolve(),
        notebooks=(notebooks_dir or paths.NOTEBOOKS).resolve(),
        params=paths.PARAMS.resolve(),
        config=(paths.ROOT / "_quarto.yml").resolve(),
        code=Path(giaoban.__file__).resolve().parent,
    )


_CODE_SUFFIXES = {".py", ".j2", ".typ", ".css", ".js", ".html", ".json", ".yml", ".yaml"}


def classify(watched: Watched, path: str) -> str | None:
    """Return what a changed `path` is: "code" (the package's code or templates), "input" (data,
    notebooks, params, `_quarto.yml`), or None for what no build reads (hidden and temporary files,
    editor backups, notebook checkpoints, bytecode)."""
    p = Path(path)
    if any(part.startswith(".") or part == "__pycache__" for part in p.parts[-6:]) or p.name.endswith("~"):
        return None
    if p.suffix in (".pyc", ".swp", ".tmp"):
        return None
    if p == watched.config:
        return "input"
    if p.is_relative_to(watched.code):
        return "code" if p.suffix in _CODE_SUFFIXES else None
    for root in (watched.data, watched.notebooks, watched.params):
        if p.is_relative_to(root):
            return "input"
    return None


def html_digests(site: Path) -> dict[str, str]:
    """Return the sha256 of every HTML page of `site` by its path in the site (`briefings/x.html`)."""
    out: dict[str, str] = {}
    if not site.is_dir():
        return out
    for path in site.rglob("*.html"):
        rel = path.relative_to(site).as_posix()
        if rel.startswith("pagefind/"):
            continue
        try:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            continue
    return out


def changed_pages(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Return the pages of `after` that are new or whose bytes differ from `before`."""
    return sorted(p for p, digest in after.items() if before.get(p) != digest)


@dataclass
class _Outcome:
    ok: bool
    title: str = ""
    lines: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    seconds: float = 0.0


def input_stamp(watched: Watched) -> dict[str, tuple[int, int]]:
    """Return the (mtime in ns, size) of every file a build reads among the watched inputs (data,
    notebooks, params, `_quarto.yml`), by path: what `classify` calls "input"."""
    out: dict[str, tuple[int, int]] = {}
    files = [str(watched.config)]
    for root in (watched.data, watched.notebooks, watched.params):
        for folder, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"]
            files += [os.path.join(folder, name) for name in names]
    for path in files:
        if classify(watched, path) != "input":
            continue
        try:
            st = os.stat(path)
        except OSError:
            continue
        out[path] = (st.st_mtime_ns, st.st_size)
    return out


def _rebuild(options: BuildOptions, echo: Callable[[str], None], before: dict[str, str] | None = None) -> _Outcome:
    """Build once; return whether the site was (re)made, the pages whose HTML changed (since `before`,
    the digests of `html_digests`; by default those of now), or the error."""
    started = time.monotonic()
    out = options.out
    before = html_digests(out) if before is None else before
    try:
        result = build_module.build(replace(options, echo=echo))
    except build_module.DataInvalid as error:
        errors = [line for line in error.lines if ": cảnh báo: " not in line]  # warnings do not stop a build
        return _Outcome(
            False,
            "Dữ liệu chưa hợp lệ, trang chưa được dựng lại (lỗi ở tệp:dòng:cột):",
            errors or error.lines,
            seconds=time.monotonic() - started,
        )
    except GiaobanError as error:
        return _Outcome(
            False, "Không dựng lại được trang:", str(error).splitlines(), seconds=time.monotonic() - started
        )
    except Exception as error:  # noqa: BLE001 - the preview keeps running; the next save tries again
        return _Outcome(
            False,
            "Lỗi ngoài dự kiến khi dựng lại (xin báo cho người phát triển giaoban):",
            [f"{type(error).__name__}: {error}"],
            seconds=time.monotonic() - started,
        )
    if result.failed:
        lines = []
        for job in result.failed:
            lines.append(f"{job.page}: {result.errors.get(job.id)}")
            lines.append(
                f"  → sổ tay đã thực thi (ô lỗi được đánh dấu): {display_path(result.executed_dir / job.executed)}"
            )
        return _Outcome(
            False,
            f"{len(result.failed)} trang lỗi khi thực thi sổ tay, trang web giữ bản tốt gần nhất:",
            lines,
            seconds=time.monotonic() - started,
        )
    summary = result.summary_lines()[0]
    return _Outcome(True, summary, pages=changed_pages(before, html_digests(out)), seconds=time.monotonic() - started)


#: How many times a save is built again when its files changed while it was being built.
_ROUNDS = 3


def _group(changes: Iterable[tuple[Any, str]], watched: Watched) -> tuple[list[str], list[str]]:
    inputs, code = [], []
    for _, path in changes:
        kind = classify(watched, path)
        if kind == "input":
            inputs.append(path)
        elif kind == "code":
            code.append(path)
    return sorted(set(inputs)), sorted(set(code))


def preview(
    params_files: Sequence[str | Path] | None = None,
    *,
    port: int = 8000,
    workers: int | None = None,
    renderer: str = "auto",
    out: str | Path | None = None,
    data_dir: str | Path | None = None,
    notebooks_dir: str | Path | None = None,
    build_dir: str | Path | None = None,
    engine: str | None = None,
    echo: Callable[[str], None] = print,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Build, serve and rebuild on every save until interrupted (see the module docstring).

    `on_ready(url)` is called once the server listens (before the first build). Returns on Ctrl-C
    (SIGINT) or SIGTERM, with every process it started stopped. Raises `CodeChanged` when the
    package's own code changed (everything stopped first: the caller starts again). Refuses
    (GiaobanError) what `giaoban build` refuses before building (an unknown renderer or engine) and a
    port that cannot be opened; errors of a rebuild are shown, never raised.
    """
    # imported when needed: it loads watchfiles (start-up time)
    import watchfiles

    if renderer not in build_module.RENDERERS:
        raise GiaobanError(f"--renderer '{renderer}' không có: cần một trong {', '.join(build_module.RENDERERS)}")
    execute.check_engine(engine or execute.DEFAULT_ENGINE)
    out = Path(out) if out else paths.SITE
    watched = watched_paths(Path(data_dir) if data_dir else None, Path(notebooks_dir) if notebooks_dir else None)
    options = build_module.BuildOptions(
        [Path(p) for p in params_files] if params_files else None,
        workers=workers,
        renderer=renderer,
        out=out,
        engine=engine or execute.DEFAULT_ENGINE,
        data_dir=Path(data_dir) if data_dir else None,
        notebooks_dir=Path(notebooks_dir) if notebooks_dir else None,
        build_dir=Path(build_dir) if build_dir else None,
        progress=False,
        render_failed=False,
    )
    live = LiveReload()
    server = open_server(out, port, live=live)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, name="giaoban-preview-server", daemon=True)
    thread.start()
    echo(f"Xem trước tại {url} (tự tải lại khi lưu tệp; Ctrl+C để dừng)")
    if port and server.server_address[1] != port:
        echo(f"lưu ý: cổng {port} đang bận, dùng cổng {server.server_address[1]}")
    if on_ready is not None:
        on_ready(url)
    stop = threading.Event()
    previous_term = signal.getsignal(signal.SIGTERM)

    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, on_term)

    def settled(why: str) -> _Outcome:
        """Rebuild until no input changed while building (at most `_ROUNDS` times), and return the
        outcome of the last build. An editor that saves in place truncates the file then writes it: a
        build started between the two, or that read a file while it was being written, stands for no
        save; its error must not be shown, nor its reload sent before the one of the save itself."""
        before = html_digests(out)
        started = time.monotonic()
        for attempt in range(_ROUNDS):
            stamp = input_stamp(watched)
            outcome = _rebuild(options, echo, before)
            if input_stamp(watched) == stamp:
                break
            if attempt + 1 < _ROUNDS:
                echo(f"tệp đã đổi trong khi {why}: dựng lại…")
        outcome.seconds = time.monotonic() - started
        return outcome

    def report(outcome: _Outcome, why: str) -> None:
        # the tabs are told first, then the terminal: whoever opens the event stream once the line is
        # printed (a tab opened on the address, a test) never gets an event of a build that came before
        if outcome.ok:
            if outcome.pages:
                live.reload(outcome.pages)
            else:
                live.ok()
            took = format_number(round(outcome.seconds, 1))
            echo(f"✓ {why} xong sau {took} giây, tải lại {len(outcome.pages)} trang: {outcome.title}")
        else:
            live.error(outcome.title, outcome.lines)
            echo(f"✗ {why}: {outcome.title}")
            for line in outcome.lines:
                echo(f"  {line}")

    try:
        with execute.warm_session() as session:
            report(settled("dựng lần đầu"), "dựng lần đầu")
            echo(f"Đang theo dõi: {', '.join(str(p) for p in watched.roots())}")
            for changes in watchfiles.watch(
                *watched.roots(), debounce=400, step=60, stop_event=stop, raise_interrupt=True, watch_filter=None
            ):
                inputs, code = _group(changes, watched)
                if code:
                    echo(f"mã nguồn giaoban đã đổi ({code[0]}): khởi động lại tiến trình mẫu và lệnh xem trước")
                    session.restart()
                    raise CodeChanged(code[0])
                if not inputs:
                    continue
                shown = ", ".join(os.path.relpath(p) for p in inputs[:3]) + ("…" if len(inputs) > 3 else "")
                echo(f"đã lưu {shown}: dựng lại…")
                report(settled("dựng lại"), "dựng lại")
    except KeyboardInterrupt:
        echo("Đã dừng xem trước.")
    finally:
        stop.set()
        live.close()
        server.shutdown()
        server.server_close()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, previous_term)
