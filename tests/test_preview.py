"""`giaoban preview`: a save rebuilds what it reaches and reloads the open tabs; a broken save shows its
error over the last good page; Ctrl-C leaves nothing running; the published site has no preview script.

The preview runs as the command a user runs, on a copy of the project (the real data, notebooks and
`_quarto.yml`) with one meeting (Quảng Ngãi, 2021-H1: one briefing), rendered with the built-in
renderer. The tests listen to its events as a browser tab does (`/__giaoban/events`).
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from giaoban import paths
from giaoban.publish.serve import EVENTS, RELOAD_MARK, LiveReload, inject, open_server
from giaoban.build.preview import classify, input_stamp, watched_paths

MEETING = "params/meetings/51-quang-ngai-2021-H1.yml"
PAGE = "briefings/2021-H1/51-quang-ngai.html"
TIMEOUT = 240  # seconds for one rebuild on a busy machine (it takes a few)
# the pages say the day they were built ("Cập nhật ngày …"): a test that compares the bytes of two builds
# must not see the day change at midnight between them
DAY = {"SOURCE_DATE_EPOCH": "1627084800"}  # 2021-07-24


def make_project(root: Path) -> Path:
    """A copy of the project: data, notebooks, `_quarto.yml`, the lock file and one meeting."""
    root.mkdir(parents=True)
    for name in ("data", "notebooks"):
        shutil.copytree(paths.ROOT / name, root / name)
    for name in ("_quarto.yml", "requirements.lock"):
        shutil.copy(paths.ROOT / name, root / name)
    (root / "params" / "meetings").mkdir(parents=True)
    shutil.copy(paths.ROOT / MEETING, root / MEETING)
    return root


class Preview:
    """A running `giaoban preview` and one event stream, as a tab would open it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.lines: list[str] = []
        env = {**os.environ, **DAY, "GIAOBAN_ROOT": str(root), "PYTHONUNBUFFERED": "1", "PYTHONFAULTHANDLER": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "giaoban", "preview", MEETING, "--port", "0", "--renderer", "builtin",
             "--jobs", "1"], cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True, encoding="utf-8")
        self._said = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        line = self.wait_line(r"Xem trước tại http://127\.0\.0\.1:(\d+)/", 120)
        self.port = int(re.search(r":(\d+)/", line).group(1))
        self.wait_line(r"✓ dựng lần đầu|✗ dựng lần đầu", TIMEOUT)
        self.events: queue.Queue = queue.Queue()
        self.listen()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._said:
                self.lines.append(line.rstrip("\n"))
                self._said.notify_all()

    def wait_line(self, pattern: str, timeout: float, start: int = 0) -> str:
        deadline = time.monotonic() + timeout
        with self._said:
            while True:
                for line in self.lines[start:]:
                    if re.search(pattern, line):
                        return line
                left = deadline - time.monotonic()
                # once the process has ended, its last lines may still be in the pipe: give up only
                # when the reader has read them all (the end of the stream)
                if left <= 0 or (self.process.poll() is not None and not self._reader.is_alive()):
                    raise AssertionError(f"no line /{pattern}/ in:\n" + "\n".join(self.lines))
                self._said.wait(min(left, 0.5))

    def listen(self) -> "queue.Queue":
        """Open an event stream (as a newly opened tab does); its events are `self.events` from now on."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        connection.request("GET", EVENTS)
        response = connection.getresponse()
        assert response.status == 200 and response.getheader("Content-Type").startswith("text/event-stream")
        out: queue.Queue = queue.Queue()

        def read() -> None:
            kind = None
            try:
                for raw in response:
                    line = raw.decode("utf-8").rstrip("\n")
                    if line.startswith("event: "):
                        kind = line[7:]
                    elif line.startswith("data: ") and kind:
                        out.put((kind, json.loads(line[6:])))
                        kind = None
            except (OSError, ValueError):
                return

        threading.Thread(target=read, daemon=True).start()
        self.events = out
        return out

    def next_event(self, kinds: tuple[str, ...], timeout: float = TIMEOUT) -> tuple[str, dict]:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {kinds} event; the preview said:\n" + "\n".join(self.lines[-30:]))
            try:
                kind, data = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if kind in kinds:
                return kind, data

    def get(self, path: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request("GET", "/" + path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                return self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("preview") / "project")
    running = Preview(root)
    yield running
    running.stop()


def edit(path: Path, old: str, new: str) -> str:
    """Replace `old` (once in the file) by `new`, as an editor saves it; return the file's text before."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text


OBSERVATION = ",science.tasks_carried_over,2021-H1,actual,level,30,"


def reload_of(p: Preview, page: str) -> dict:
    kind, data = p.next_event(("reload", "error"))
    assert kind == "reload", data
    assert page in data["pages"], data
    return data


def test_the_published_site_has_no_reload_script_and_the_served_pages_have_it(preview):
    site = preview.root / "_site"
    assert (site / PAGE).is_file()
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".js", ".json"):
            text = path.read_text(encoding="utf-8", errors="replace")
            assert RELOAD_MARK not in text and "/__giaoban/" not in text, path
    status, served = preview.get(PAGE)
    assert status == 200 and served.count(RELOAD_MARK) == 1
    assert served.replace(f'<script src="/__giaoban/reload.js" {RELOAD_MARK}></script>', "") == \
        (site / PAGE).read_text(encoding="utf-8")


def test_a_data_edit_rebuilds_the_briefing_and_reloads_its_tab(preview):
    observations = preview.root / "data" / "observations.csv"
    before = (preview.root / "_site" / PAGE).read_bytes()
    original = edit(observations, OBSERVATION, OBSERVATION.replace(",30,", ",31,"))
    try:
        reload_of(preview, PAGE)
        assert (preview.root / "_site" / PAGE).read_bytes() != before
    finally:
        observations.write_text(original, encoding="utf-8")
    reload_of(preview, PAGE)  # back as it was: restored from the build cache
    assert (preview.root / "_site" / PAGE).read_bytes() == before


def fork_servers(p: Preview) -> set[int]:
    """The fork servers (warm templates) running under the preview: not their kernels, which are
    forked from them and so have the same command line."""
    found = set()
    for child in psutil.Process(p.process.pid).children(recursive=True):
        try:
            if "giaoban.execution.engine.forkserver" in " ".join(child.cmdline()) and child.status() != psutil.STATUS_ZOMBIE \
                    and "giaoban.execution.engine.forkserver" not in " ".join(child.parent().cmdline()):
                found.add(child.pid)
        except psutil.Error:
            continue
    return found


def test_a_notebook_edit_rebuilds_the_briefing_and_reloads_its_tab(preview):
    notebook = preview.root / "notebooks" / "briefing.ipynb"
    text = "Nhận xét viết trong lúc xem trước"
    templates = fork_servers(preview)
    assert len(templates) == 1  # started by the first build, kept since
    original = edit(notebook, 'page.say(vi=\\"\\"', f'page.say(vi=\\"{text}\\"')
    try:
        reload_of(preview, PAGE)
        assert fork_servers(preview) == templates  # the notebook ran in a kernel forked from the same template
        assert text in (preview.root / "_site" / PAGE).read_text(encoding="utf-8")
        status, served = preview.get(PAGE)
        assert status == 200 and text in served and RELOAD_MARK in served
    finally:
        notebook.write_text(original, encoding="utf-8")
    reload_of(preview, PAGE)
    assert text not in (preview.root / "_site" / PAGE).read_text(encoding="utf-8")


def test_a_broken_csv_row_shows_its_file_row_column_keeps_the_last_good_page_and_a_good_save_recovers(preview):
    observations = preview.root / "data" / "observations.csv"
    site_page = preview.root / "_site" / PAGE
    before = site_page.read_bytes()
    line = next(i for i, row in enumerate(observations.read_text(encoding="utf-8").splitlines(), 1)
                if OBSERVATION in row)
    original = edit(observations, OBSERVATION, OBSERVATION.replace(",30,", ",3O,"))
    try:
        kind, data = preview.next_event(("reload", "error"))
        assert kind == "error"
        assert any(f"observations.csv:{line}:value:" in shown and "3O" in shown for shown in data["lines"]), data
        assert "Dữ liệu chưa hợp lệ" in data["title"]
        assert site_page.read_bytes() == before  # the last good page stays
        status, served = preview.get(PAGE)
        assert status == 200 and RELOAD_MARK in served
        late = preview.listen()  # a tab opened now is told at once
        assert late.get(timeout=30)[0] == "error"
        preview.wait_line(rf"observations\.csv:{line}:value:", 30)  # the terminal says it too
    finally:
        observations.write_text(original, encoding="utf-8")
    kind, data = preview.next_event(("reload", "ok", "error"))
    assert kind in ("reload", "ok"), data
    assert site_page.read_bytes() == before


def test_a_notebook_that_raises_shows_the_cell_keeps_the_last_good_page_and_a_good_save_recovers(preview):
    notebook = preview.root / "notebooks" / "briefing.ipynb"
    site_page = preview.root / "_site" / PAGE
    before = site_page.read_bytes()
    original = edit(notebook, 'page.say(vi=\\"\\"', 'raise ValueError(\\"số liệu thử hỏng\\")\\npage.say(vi=\\"\\"')
    try:
        kind, data = preview.next_event(("reload", "error"))
        assert kind == "error"
        shown = "\n".join(data["lines"])
        assert re.search(r"briefings/2021-H1/51-quang-ngai: ô \[\d+\] lỗi ValueError: số liệu thử hỏng", shown), shown
        assert site_page.read_bytes() == before
    finally:
        notebook.write_text(original, encoding="utf-8")
    kind, data = preview.next_event(("reload", "ok", "error"))
    assert kind in ("reload", "ok"), data
    assert site_page.read_bytes() == before
    assert preview.process.poll() is None


def test_ctrl_c_stops_the_preview_and_every_process_it_started(preview, tmp_path):
    root = make_project(tmp_path / "project")
    shutil.copytree(preview.root / "_build", root / "_build",
                    ignore=shutil.ignore_patterns(".build.lock", "build.owner.json"))
    own = Preview(root)
    try:
        edit(root / "data" / "observations.csv", OBSERVATION, OBSERVATION.replace(",30,", ",32,"))
        reload_of(own, PAGE)  # something executed: workers, the fork server and its kernels were started
        started = psutil.Process(own.process.pid).children(recursive=True)
        assert fork_servers(own), "\n".join(own.lines)
        own.process.send_signal(signal.SIGINT)
        try:
            code = own.process.wait(120)
        except subprocess.TimeoutExpired:
            still = [f"{p.pid} {' '.join(p.cmdline())[:150]}" for p in started if p.is_running()]
            own.process.send_signal(signal.SIGABRT)  # PYTHONFAULTHANDLER: the stacks of its threads, to stderr
            own.process.wait(30)
            own._reader.join(30)
            raise AssertionError("still running after Ctrl-C:\n" + "\n".join(still + own.lines)) from None
        assert code == 0, "\n".join(own.lines)
        own.wait_line("Đã dừng xem trước", 5)
        gone, alive = psutil.wait_procs(started, timeout=10)
        assert not alive, [p.cmdline() for p in alive]
        with socket.socket() as sock:  # nothing listens on its port any more
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", own.port))
    finally:
        own.stop()


# --------------------------------------------------------------------------------------- in-process parts

def test_the_script_goes_before_the_end_of_the_body_and_only_once():
    page = b"<html><body><p>x</p></body></html>"
    assert inject(page) == b'<html><body><p>x</p><script src="/__giaoban/reload.js" ' + RELOAD_MARK.encode() + \
        b"></script></body></html>"


def test_a_tab_gets_the_error_shown_now_then_the_events_in_order():
    live = LiveReload()
    live.error("Dữ liệu chưa hợp lệ", ["data/observations.csv:47:value: giá trị “3O” không phải số"])
    got: list[bytes] = []

    def write(data: bytes) -> None:
        got.append(data)
        if len(got) == 3:
            live.close()

    reader = threading.Thread(target=live.stream, args=(write,))
    reader.start()
    time.sleep(0.2)
    live.reload(["briefings/2021-H1/51-quang-ngai.html"])
    reader.join(5)
    assert not reader.is_alive()
    assert got[1].startswith(b"event: error\n") and "3O" in got[1].decode("utf-8")
    assert got[2] == b'event: reload\ndata: {"pages": ["briefings/2021-H1/51-quang-ngai.html"]}\n\n'
    assert live.current_error is None


def test_a_taken_port_gives_a_free_one():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = open_server(paths.ROOT, port, live=LiveReload())
        try:
            assert server.server_address[1] not in (port, 0)
        finally:
            server.server_close()


def test_temporary_files_and_checkpoints_are_not_changes_and_code_is_told_apart(tmp_path):
    watched = watched_paths(tmp_path / "data", tmp_path / "notebooks")
    assert classify(watched, str(tmp_path / "data" / "observations.csv")) == "input"
    assert classify(watched, str(tmp_path / "data" / ".observations.csv.123.tmp")) is None
    assert classify(watched, str(tmp_path / "notebooks" / ".ipynb_checkpoints" / "briefing-checkpoint.ipynb")) is None
    assert classify(watched, str(tmp_path / "notebooks" / "briefing.ipynb~")) is None
    assert classify(watched, str(watched.code / "briefing" / "page.py")) == "code"
    assert classify(watched, str(watched.code / "__pycache__" / "cli.cpython-311.pyc")) is None


def test_the_stamp_of_the_inputs_changes_with_a_save_not_with_temporary_files_or_the_output(tmp_path):
    for name in ("data", "notebooks", "params", "_site"):
        (tmp_path / name).mkdir()
    (tmp_path / "data" / "observations.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    watched = watched_paths(tmp_path / "data", tmp_path / "notebooks")
    stamp = input_stamp(watched)
    assert str(tmp_path / "data" / "observations.csv") in stamp
    (tmp_path / "data" / ".observations.csv.123.tmp").write_text("x", encoding="utf-8")
    (tmp_path / "notebooks" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "notebooks" / ".ipynb_checkpoints" / "briefing-checkpoint.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "_site" / "index.html").write_text("<html></html>", encoding="utf-8")
    assert input_stamp(watched) == stamp
    with open(tmp_path / "data" / "observations.csv", "w", encoding="utf-8"):  # an in-place save, half done
        assert input_stamp(watched) != stamp
    (tmp_path / "notebooks" / "briefing.ipynb").write_text("{}", encoding="utf-8")
    assert str(tmp_path / "notebooks" / "briefing.ipynb") in input_stamp(watched)


def site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_the_site_a_rebuild_makes_is_byte_for_byte_the_site_a_clean_build_of_the_same_inputs_makes(preview,
                                                                                                   tmp_path):
    observations = preview.root / "data" / "observations.csv"
    original = edit(observations, OBSERVATION, OBSERVATION.replace(",30,", ",33,"))
    try:
        reload_of(preview, PAGE)  # rebuilt incrementally: one notebook executed, one page converted
        clean = make_project(tmp_path / "clean")
        shutil.copy(observations, clean / "data" / "observations.csv")
        env = {**os.environ, **DAY, "GIAOBAN_ROOT": str(clean)}
        proc = subprocess.run([sys.executable, "-m", "giaoban", "build", MEETING, "--renderer", "builtin",
                               "--jobs", "1"], cwd=clean, env=env, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr
        incremental, whole = site_files(preview.root / "_site"), site_files(clean / "_site")
        assert sorted(incremental) == sorted(whole)
        assert [p for p in whole if incremental[p] != whole[p]] == []
    finally:
        observations.write_text(original, encoding="utf-8")
    reload_of(preview, PAGE)
