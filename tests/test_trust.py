"""Trust (docs/trust.md): internal figures stay internal, two builds of the same inputs give the same bytes,
two builds at once do not corrupt each other, a build killed at any moment leaves the last good site and
the next build recovers, and building one meeting keeps the other pages.

Everything runs the real `giaoban build` as a subprocess on one copy of the project (built once for the
module and reused by each test in order: the tests of this file depend on their order), on one meeting
(Quảng Ngãi, 2021-H1), in which one real figure is marked internal with a distinctive value (271 samples
tested become 987.654, in the figure, its quote and the source text, so that validation passes) and a
whole report (Yên Bái, 2020-9M) is marked internal. Phases are detected from the build's own output and
files (the lines "Thực thi…" and "Dựng trang web…", the scratch notebook, the temporary site), never by
sleeping alone. No timing is asserted.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from giaoban import paths
from giaoban.data.dataset import data_hash

pytestmark = pytest.mark.xdist_group("trust")

MEETING = "params/meetings/51-quang-ngai-2021-H1.yml"
OTHER = "params/meetings/46-thua-thien-hue-2019-H1.yml"
BRIEFING = "briefings/2021-H1/51-quang-ngai"
OTHER_BRIEFING = "briefings/2019-H1/46-thua-thien-hue"
ARGS = ("--jobs", "1", "--renderer", "builtin")
VALUE = "987.654"
QUOTE = f"thực hiện thử nghiệm {VALUE} mẫu các loại"
INTERNAL_REPORT = ("yen-bai-2020-9m", "Một số nhiệm vụ trọng tâm của ngành khoa học và công nghệ 3 tháng cuối năm 2020",
                   "tuyển chọn được 12 nhiệm vụ KH&CN triển khai thực hiện mới năm 2020")
SECRETS = (VALUE, "987654", "987,654", QUOTE) + INTERNAL_REPORT


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def differences(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return sorted(set(a) ^ set(b)) + sorted(k for k in set(a) & set(b) if a[k] != b[k])


def searchable(path: Path) -> bytes:
    """The bytes of a built file as a reader or a search engine sees them: a PDF's extracted text too,
    Pagefind's compressed index and fragments decompressed."""
    data = path.read_bytes()
    if path.suffix == ".pdf":
        data += "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages).encode("utf-8")
    elif data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def found(site: Path) -> dict[str, list[str]]:
    """Which of SECRETS each file of `site` holds (byte for byte, after the decoding of `searchable`)."""
    out: dict[str, list[str]] = {}
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        data = searchable(path)
        hits = [s for s in SECRETS if s.encode("utf-8") in data]
        if hits:
            out[path.relative_to(site).as_posix()] = hits
    return out


# ----------------------------------------------------------------------------------- running builds

class Build:
    """`giaoban build ARGS…` running as a subprocess of its own session, its output in files."""

    count = 0

    def __init__(self, root: Path, logs: Path, *args: str) -> None:
        Build.count += 1
        self.name = f"build-{Build.count}"
        self.args = args
        self.out_path, self.err_path = logs / f"{self.name}.out", logs / f"{self.name}.err"
        env = {**os.environ, "GIAOBAN_ROOT": str(root)}
        for name in ("GIAOBAN_DATA", "GIAOBAN_VISIBILITY"):
            env.pop(name, None)
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "giaoban", "build", *args], cwd=root, env=env,
                                         stdout=out, stderr=err, start_new_session=True)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stderr(self) -> str:
        return self.err_path.read_text(encoding="utf-8", errors="replace")

    def stdout(self) -> str:
        return self.out_path.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, condition, what: str, timeout: float = 300) -> None:
        """Poll `condition()` until it holds; fail if the build ends first or after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while not condition():
            if self.proc.poll() is not None:
                pytest.fail(f"{self.name} ended (exit {self.proc.returncode}) before {what}:\n{self.stderr()}")
            if time.monotonic() > deadline:
                self.reap()
                pytest.fail(f"{self.name}: no {what} after {timeout} s:\n{self.stderr()}")
            time.sleep(0.02)

    def kill(self) -> None:
        """SIGKILL the build's own process (not its workers: as when it is killed by pid or by the OOM killer)."""
        os.kill(self.pid, signal.SIGKILL)
        self.proc.wait(timeout=60)

    def reap(self) -> None:
        """Kill what is left of the build's session (worker processes a killed build orphans)."""
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.proc.poll() is None:
            self.proc.wait(timeout=60)

    def finish(self, timeout: float = 600) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self.reap()


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project with one internal figure (987.654 samples) and one internal report."""
    root = tmp_path_factory.mktemp("trust") / "project"
    root.mkdir()
    for name in ("data", "notebooks", "params"):
        shutil.copytree(paths.ROOT / name, root / name)
    for name in ("_quarto.yml", "requirements.lock"):
        shutil.copy(paths.ROOT / name, root / name)
    data = root / "data"
    edit(data / "observations.csv",
         "quang-ngai-2021-h1,standards.samples_tested,2021-H1,actual,level,271,mẫu,,,thực hiện thử nghiệm 271 mẫu các "
         "loại,public,",
         f"quang-ngai-2021-h1,standards.samples_tested,2021-H1,actual,level,987654,mẫu,,,{QUOTE},internal,")
    edit(data / "sources" / "004_827c2f16ec2dc701.txt", "thực hiện thử nghiệm 271 mẫu các loại", QUOTE)
    lines = (data / "reports.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (data / "reports.csv").write_text("".join(
        line.replace(",public\n", ",internal\n") if line.startswith(INTERNAL_REPORT[0] + ",") else line
        for line in lines), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def logs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("trust-logs")


def build(project: Path, logs: Path, *args: str) -> Build:
    """Run a build to its end; fail with its output unless it exits 0."""
    run = Build(project, logs, *args)
    code = run.finish()
    assert code == 0, f"{run.name} exit {code}:\n{run.stdout()}\n{run.stderr()}"
    return run


@pytest.fixture(scope="module")
def first(project: Path, logs: Path) -> dict[str, bytes]:
    """The site of a first build of the meeting (every figure, internal ones too), byte for byte."""
    build(project, logs, MEETING, *ARGS)
    return tree(project / "_site")


# ----------------------------------------------------------------------------------- private figures

def test_the_data_validate_with_an_internal_figure_and_an_internal_report(project: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "giaoban", "validate"], cwd=project, capture_output=True, text=True,
                          env={**os.environ, "GIAOBAN_ROOT": str(project)}, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_without_public_the_internal_figure_is_on_every_kind_of_output(project: Path, first) -> None:
    # the positive control: the scan below finds what it looks for, so the public test can fail
    hits = found(project / "_site")
    assert VALUE in hits.get(f"{BRIEFING}.html", []) and QUOTE in hits[f"{BRIEFING}.html"]
    assert VALUE in hits.get(f"{BRIEFING}.pdf", [])          # in the PDF's text
    assert any(VALUE in v for k, v in hits.items() if k.startswith("pagefind/fragment/"))
    assert any("987654" in v for k, v in hits.items() if k.startswith("pagefind/index/"))
    assert {"987654", QUOTE} <= set(hits.get("data/observations.csv", []))
    assert set(INTERNAL_REPORT[:2]) <= set(hits.get("data/reports.csv", []))


def test_a_public_build_leaves_every_internal_figure_and_report_out(project: Path, logs: Path, first) -> None:
    run = build(project, logs, MEETING, *ARGS, "--public", "--out", "public")
    site = project / "public"
    assert (site / f"{BRIEFING}.html").is_file() and (site / f"{BRIEFING}.pdf").is_file()
    assert found(site) == {}, "internal figures or reports in the public site"
    assert not list(site.rglob("*.ipynb")), "executed notebooks are not shipped"
    # the public figures of the same report are there; the internal report's rows are not downloadable
    html = (site / f"{BRIEFING}.html").read_text(encoding="utf-8")
    assert "1.287" in html and "thực hiện kiểm định 1.287 phương tiện đo" in html
    reports = (site / "data" / "reports.csv").read_text(encoding="utf-8")
    assert "quang-ngai-2021-h1," in reports and INTERNAL_REPORT[0] not in reports
    assert "Bản công khai" in (site / "data.html").read_text(encoding="utf-8")
    # the public notebooks are kept apart from the internal ones, and say what they read
    nb = json.loads((project / "_build" / "executed-public" / f"{BRIEFING}.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["giaoban"]["visibility"] == "public"
    assert VALUE not in json.dumps(nb, ensure_ascii=False)
    assert "thực thi 1" in run.stdout()  # its own cache key: not the internal notebook reused
    internal = json.loads((project / "_build" / "executed" / f"{BRIEFING}.ipynb").read_text(encoding="utf-8"))
    assert internal["metadata"]["giaoban"]["visibility"] == "all" and VALUE in json.dumps(internal, ensure_ascii=False)
    assert tree(project / "_site") == first  # the internal site was not touched


# ----------------------------------------------------------------------------------- provenance

def test_the_executed_notebook_records_what_it_ran_with_and_the_data_page_shows_it(project: Path, first) -> None:
    nb = json.loads((project / "_build" / "executed" / f"{BRIEFING}.ipynb").read_text(encoding="utf-8"))
    meta = nb["metadata"]["giaoban"]
    manifest = json.loads((project / "_build" / "executed" / "manifest.json").read_text(encoding="utf-8"))
    entry = next(j for j in manifest["jobs"] if j["page"] == BRIEFING)
    assert meta["params"] == entry["params"] == {"province": "51", "period": "2021-H1", "lang": "vi",
                                                 "meeting_type": "so_ket", "meeting_date": "2021-07-23"}
    assert meta["data_hash"] == data_hash(project / "data") == manifest["generated_from"]["data_hash"]
    assert {"pandas", "papermill", "nbclient", "ipykernel", "matplotlib", "giaoban"} <= set(meta["packages"])
    assert meta["python"] == ".".join(map(str, sys.version_info[:3])) and len(meta["key"]) == 64
    page = first["data.html"].decode("utf-8")
    assert meta["data_hash"] in page and meta["data_hash"][:12] in page
    assert f"<td>papermill</td><td><code>{meta['packages']['papermill']}</code>" in page
    assert "&#34;province&#34;: &#34;51&#34;" in page or '"province": "51"' in page


# ----------------------------------------------------------------------------------- reproducible, locked

@pytest.fixture(scope="module")
def concurrent(project: Path, logs: Path, first) -> dict:
    """A build that executes again (cache cleared) into `site2`, and a second build started while the
    first holds the lock."""
    shutil.rmtree(project / "_build" / "cache")
    owner = project / "_build" / "build.owner.json"
    a = Build(project, logs, MEETING, *ARGS, "--out", "site2")

    def holds() -> bool:
        try:
            return json.loads(owner.read_text(encoding="utf-8"))["pid"] == a.pid and "Thực thi" in a.stderr()
        except (OSError, ValueError, KeyError):
            return False

    a.wait_for(holds, "the lock held while executing")
    b = Build(project, logs, MEETING, *ARGS)
    b_code = b.finish(timeout=300)
    a_running_after_b = a.proc.poll() is None
    a_code = a.finish()
    assert a_code == 0, a.stderr()
    return {"a": a, "b": b, "b_code": b_code, "overlap": a_running_after_b}


def test_two_builds_at_once_the_second_is_refused_and_names_the_first(project: Path, first, concurrent) -> None:
    a, b = concurrent["a"], concurrent["b"]
    assert concurrent["b_code"] == 3, b.stderr()
    message = b.stderr()
    assert "Traceback" not in message
    assert "lỗi: _build: một lần dựng khác đang chạy trên thư mục này: " in message
    assert f"tiến trình {a.pid} trên máy {socket.gethostname()}, bắt đầu lúc 20" in message
    assert f"lệnh “giaoban build {MEETING} {' '.join(ARGS)} --out site2”" in message
    assert tree(project / "_site") == first  # the refused build wrote nothing


def test_the_same_inputs_give_byte_identical_html_and_pdf(project: Path, first, concurrent) -> None:
    assert "thực thi 1, dùng lại 0" in concurrent["a"].stdout()  # the notebook really ran again
    second = tree(project / "site2")
    assert any(k.endswith(".pdf") for k in second) and any(k.endswith(".html") for k in second)
    assert differences(first, second) == []


# ----------------------------------------------------------------------------------- killed builds

def _scratch_notebook(project: Path, run: Build) -> bool:
    return any((project / "_build" / "running" / str(run.pid)).rglob("*.ipynb"))


def _temporary_site(project: Path, run: Build) -> list[Path]:
    return sorted(project.glob(f"._site.new-{run.pid}-*"))


def _session_ends(session: int, timeout: float = 30) -> bool:
    """Whether every process of the session `session` (a killed build's workers) ends within `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[3]) == session and fields[0] != "Z":
                left.append(stat.parent.name)
        if not left:
            return True
        time.sleep(0.2)
    return False


def test_a_build_killed_while_executing_or_rendering_leaves_the_last_site_and_the_next_recovers(
        project: Path, logs: Path, first, concurrent) -> None:
    site = project / "_site"
    shutil.rmtree(project / "_build" / "cache")
    killed: list[Build] = []
    try:
        # 1. while executing: the notebook is being written in the scratch folder
        k1 = Build(project, logs, MEETING, *ARGS)
        killed.append(k1)
        k1.wait_for(lambda: "Thực thi" in k1.stderr() and _scratch_notebook(project, k1), "execution")
        k1.kill()
        assert "Dựng trang web" not in k1.stderr()
        assert tree(site) == first
        assert _session_ends(k1.pid), "the killed build's worker processes outlived it"

        # 2. at the start of rendering: the temporary site exists, nearly empty
        k2 = Build(project, logs, MEETING, *ARGS)
        killed.append(k2)
        k2.wait_for(lambda: "Dựng trang web" in k2.stderr() and _temporary_site(project, k2), "rendering")
        k2.kill()
        assert tree(site) == first and _temporary_site(project, k2)

        # 3. in the middle of rendering: the briefing's PDF is written in the temporary site
        k3 = Build(project, logs, MEETING, *ARGS)
        killed.append(k3)
        k3.wait_for(lambda: any((t / f"{BRIEFING}.pdf").is_file() for t in _temporary_site(project, k3)),
                    "a PDF in the temporary site")
        k3.kill()
        assert tree(site) == first and _temporary_site(project, k3)
    finally:
        for run in killed:
            run.reap()  # in case a test failed before the workers ended

    # the next build, with no clean-up by hand, ends well and leaves nothing behind
    last = build(project, logs, MEETING, *ARGS)
    assert "dùng lại 1" in last.stdout()  # k2 had executed and cached the notebook before it was killed
    assert "thư mục tạm của lần dựng bị dừng giữa chừng" in last.stderr()  # k3's, removed by this build
    assert differences(first, tree(site)) == []
    assert not [p.name for p in project.iterdir() if p.name.startswith("._site.")]
    assert not list((project / "_build" / "running").iterdir())
    assert not list((project / "_build").rglob(".*.tmp"))
    assert not (project / "_build" / "build.owner.json").exists()


def test_a_site_left_between_the_two_renames_of_a_swap_is_restored(tmp_path: Path) -> None:
    from giaoban.publish.pipeline import recover_site

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    old = tmp_path / f"._site.old-{pid}"
    (old / "assets").mkdir(parents=True)
    (old / "index.html").write_text("trang cũ", encoding="utf-8")
    (tmp_path / f"._site.new-{pid}-abc").mkdir()
    said = recover_site(tmp_path / "_site")
    assert (tmp_path / "_site" / "index.html").read_text(encoding="utf-8") == "trang cũ"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site"] and len(said) == 2


# ----------------------------------------------------------------------------------- one meeting, every page

def test_building_one_meeting_keeps_the_pages_of_earlier_builds(project: Path, logs: Path, first) -> None:
    manifest = project / "_build" / "executed" / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    bogus = dict(next(j for j in data["jobs"] if j["page"] == BRIEFING))
    bogus.update(id="../../etc/passwd", page="../../etc/passwd", executed="../../../etc/passwd")
    data["jobs"].append(bogus)  # an entry leading out of the project: ignored, with a note
    manifest.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    run = build(project, logs, OTHER, *ARGS)
    site = project / "_site"
    assert (site / f"{OTHER_BRIEFING}.html").is_file() and (site / f"{BRIEFING}.html").is_file()
    assert (site / f"{BRIEFING}.html").read_bytes() == first[f"{BRIEFING}.html"]  # kept, not rebuilt
    assert "1 trang: thực thi 1" in run.stdout()
    assert "giữ 1 trang của lần dựng trước" in run.stderr()
    assert "bỏ 1 trang của lần dựng trước" in run.stderr() and "../../etc/passwd" in run.stderr()
    pages = [j["page"] for j in json.loads(manifest.read_text(encoding="utf-8"))["jobs"]]
    assert pages == [OTHER_BRIEFING, BRIEFING]

    # a page whose data changed is dropped rather than shown out of date
    edit(project / "data" / "observations.csv", "kiểm định 1.287 phương tiện đo", "kiểm định 1.288 phương tiện đo")
    edit(project / "data" / "observations.csv", "level,1287,phương tiện đo", "level,1288,phương tiện đo")
    edit(project / "data" / "sources" / "004_827c2f16ec2dc701.txt", "kiểm định 1.287 phương tiện đo",
         "kiểm định 1.288 phương tiện đo")
    run = build(project, logs, OTHER, *ARGS)
    assert f"bỏ 1 trang của lần dựng trước vì dữ liệu, sổ tay hoặc môi trường đã đổi (dựng lại nếu cần): {BRIEFING}" \
        in run.stderr()
    assert not (site / f"{BRIEFING}.html").exists() and (site / f"{OTHER_BRIEFING}.html").is_file()


def test_an_unreadable_manifest_of_an_earlier_build_is_a_note_not_a_failure(project: Path, logs: Path) -> None:
    manifest = project / "_build" / "executed" / "manifest.json"
    manifest.write_bytes(manifest.read_bytes()[:100])  # truncated
    run = build(project, logs, OTHER, *ARGS)
    assert "manifest.json: không đọc được manifest của lần dựng trước (JSONDecodeError" in run.stderr()
    assert "Traceback" not in run.stderr() and (project / "_site" / f"{OTHER_BRIEFING}.html").is_file()
