"""What a build or a render with nothing changed does not do again: render pieces, validation, fingerprints, copies.

The render tests start from the shared fixture render (tests/fixtures/render) copied to a fresh
folder, render it with a cache, change one executed notebook, and check that only that page is
converted again and that the incremental site is byte for byte the site a full render makes.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from giaoban.execution import cache as build_cache
from giaoban.data import dataset as dataset_module
from giaoban.data import inputs
from giaoban.data import datacache
from giaoban.publish import render_site

from fixtures.render.executed import DATA
from fixtures.render.session import CONFIG, rendered

BRIEFING = "briefings/2021-H1/51-quang-ngai"


@pytest.fixture(scope="module")
def r(tmp_path_factory):
    return rendered(tmp_path_factory)


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def render(executed: Path, out: Path, stage: Path | None):
    return render_site(executed, out, "builtin", data_dir=DATA, config=CONFIG, stage_dir=stage, jobs=2)


def rewrite(notebook: Path, edit) -> None:
    """Apply `edit` to the notebook's JSON and write it as a new file, as a build writes one."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    edit(nb)
    notebook.unlink()
    notebook.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")


def change_one_page(executed: Path) -> None:
    """Change a Markdown output of the Quảng Ngãi briefing (a new file, as a build writes one)."""
    def edit(nb):
        for cell in nb["cells"]:
            for out in cell.get("outputs", []):
                text = out.get("data", {}).get("text/markdown")
                if text:
                    out["data"]["text/markdown"] = "**Đã sửa: 1.288 nhiệm vụ.**\n\n" + "".join(text)
                    return
        raise AssertionError("no Markdown output to change")

    rewrite(executed / f"{BRIEFING}.ipynb", edit)


def test_a_render_reuses_what_did_not_change_and_gives_the_site_a_full_render_gives(r, tmp_path):
    executed = tmp_path / "executed"
    shutil.copytree(r.executed, executed)
    site, stage = tmp_path / "site", tmp_path / "stage"
    first = render(executed, site, stage)
    assert first.converted > 1 and first.reused == 0 and not first.up_to_date
    inode = site.stat().st_ino

    same = render(executed, site, stage)  # nothing changed: nothing is rendered, the site is not touched
    assert same.up_to_date and site.stat().st_ino == inode
    assert "dựng lại 0 trang" in "\n".join(same.lines())
    assert same.pdfs == first.pdfs and same.books == first.books and sorted(same.pages) == sorted(first.pages)

    staged = {p: p.stat().st_mtime_ns for p in stage.rglob("*.ipynb")}
    change_one_page(executed)
    again = render(executed, site, stage)
    assert (again.converted, again.reused) == (1, first.converted - 1)
    full = render_site(executed, tmp_path / "full", "builtin", data_dir=DATA, config=CONFIG)  # no cache at all
    mine, theirs = files(site), files(tmp_path / "full")
    assert sorted(mine) == sorted(theirs)
    assert [name for name in mine if mine[name] != theirs[name]] == []
    assert "Đã sửa: 1.288 nhiệm vụ" in mine[f"{BRIEFING}.html"].decode()
    # the staged Quarto project: only the changed notebook was written again
    changed = [p for p, t in staged.items() if p.stat().st_mtime_ns != t]
    assert [p.relative_to(stage).as_posix() for p in changed] == [f"{BRIEFING}.ipynb"]


def stamp_data_hash(notebook: Path, value: str) -> None:
    """Record in `metadata.giaoban` the data hash the notebook ran with, as `giaoban build` does."""
    rewrite(notebook, lambda nb: nb["metadata"].setdefault("giaoban", {}).update(data_hash=value))


def test_new_data_leaves_the_pages_whose_notebooks_did_not_run_again_byte_for_byte(r, tmp_path):
    """A page shows the data hash its notebook ran with, not the newest: when one figure changes, the
    pages (and PDFs) of the notebooks reused from the cache stay the same files."""
    executed = tmp_path / "executed"
    shutil.copytree(r.executed, executed)
    for notebook in executed.rglob("*.ipynb"):
        stamp_data_hash(notebook, "a" * 64)
    site, stage = tmp_path / "site", tmp_path / "stage"
    render(executed, site, stage)
    before = files(site)
    manifest = executed / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["generated_from"]["data_hash"] = "b" * 64  # new data, of which only the Quảng Ngãi briefing ran again
    manifest.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    change_one_page(executed)
    stamp_data_hash(executed / f"{BRIEFING}.ipynb", "b" * 64)
    render(executed, site, stage)
    after = files(site)
    changed = {name for name in after if before.get(name) != after[name]}
    pages = {name for name in changed if name.endswith((".html", ".pdf")) and "/" in name}
    assert {f"{BRIEFING}.html", f"{BRIEFING}.pdf"} <= pages
    assert not {name for name in pages if name.startswith(("briefings/", "provinces/", "periods/"))
                and not name.startswith(BRIEFING) and not name.endswith("index.html")}
    assert "b" * 64 in after[f"{BRIEFING}.html"].decode() and "a" * 64 not in after[f"{BRIEFING}.html"].decode()
    others = [n for n in after if n.startswith("briefings/") and n.endswith(".html") and not n.startswith(BRIEFING)
              and not n.endswith("index.html")]
    assert others and all("a" * 64 in after[n].decode() for n in others)


def test_unchanged_pdfs_and_images_come_from_the_cache_as_copies(r, tmp_path):
    """Reused PDFs and images are the cache's bytes, copied: the site never shares a file with the cache
    (a damaged cache entry cannot damage the live site; docs/trust.md)."""
    executed = tmp_path / "executed"
    shutil.copytree(r.executed, executed)
    site, stage = tmp_path / "site", tmp_path / "stage"
    render(executed, site, stage)
    change_one_page(executed)
    render(executed, site, stage)
    cache = tmp_path / "stage-cache"
    pdfs = {p.name: p for p in (cache / "pdf").glob("*.pdf")}
    entries = {c.read_bytes() for c in pdfs.values()}
    assert all(p.read_bytes() in entries for p in site.rglob("*.pdf"))  # every PDF of the site is a cache entry
    cached = {(p.stat().st_dev, p.stat().st_ino) for p in cache.rglob("*") if p.is_file()}
    assert not [p for p in site.rglob("*") if p.is_file() and (p.stat().st_dev, p.stat().st_ino) in cached]
    images = list(site.rglob("*.png"))
    assert images and all(p.stat().st_nlink == 1 for p in images)
    # entries of the page before the change are gone: the cache holds one site
    assert len(pdfs) == len(list(site.rglob("*.pdf")))


def test_a_book_is_made_again_when_one_of_its_briefings_changes_and_reused_otherwise(r, tmp_path):
    """A period's book is made from its briefings' PDFs: keyed by their bytes, it is put together
    again when one changed (and holds the change), and otherwise comes from the cache (a link to the
    same file: not made again)."""
    from pypdf import PdfReader

    executed = tmp_path / "executed"
    shutil.copytree(r.executed, executed)
    site, stage = tmp_path / "site", tmp_path / "stage"
    render(executed, site, stage)
    changed, other = site / "books/2021-H1.pdf", site / "books/2019-H1.pdf"
    before = {p: (p.read_bytes(), p.stat().st_ino) for p in (changed, other)}

    change_one_page(executed)  # the Quảng Ngãi briefing of 2021-H1
    render(executed, site, stage)
    text = " ".join(" ".join(pg.extract_text().split()) for pg in PdfReader(changed).pages)
    assert changed.read_bytes() != before[changed][0] and "Đã sửa: 1.288 nhiệm vụ" in text
    assert other.read_bytes() == before[other][0]  # the other period's book: reused (its cache entry untouched)
    entry = {p.read_bytes(): p for p in (tmp_path / "stage-cache" / "pdf").glob("*.pdf")}
    made, kept = entry[changed.read_bytes()].stat().st_ino, entry[other.read_bytes()].stat().st_ino

    shutil.rmtree(site)  # a render that must run again, with the same briefings
    site.mkdir()
    (site / ".giaoban-site").write_text("giaoban\n", encoding="utf-8")
    again = render(executed, site, stage)
    assert not again.up_to_date and again.converted == 0
    entry = {p.read_bytes(): p for p in (tmp_path / "stage-cache" / "pdf").glob("*.pdf")}
    assert entry[changed.read_bytes()].stat().st_ino == made and entry[other.read_bytes()].stat().st_ino == kept


def test_a_site_replaced_by_anything_else_is_rendered_again(r, tmp_path):
    executed = tmp_path / "executed"
    shutil.copytree(r.executed, executed)
    site, stage = tmp_path / "site", tmp_path / "stage"
    render(executed, site, stage)
    shutil.rmtree(site)
    site.mkdir()
    (site / "index.html").write_text("<p>not ours</p>", encoding="utf-8")
    (site / ".giaoban-site").write_text("giaoban\n", encoding="utf-8")
    again = render(executed, site, stage)
    assert not again.up_to_date and again.converted == 0 and again.reused > 0
    assert "not ours" not in (site / "index.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------- the build's side

@pytest.fixture
def data_copy(tmp_path):
    from giaoban import paths

    folder = tmp_path / "data"
    shutil.copytree(Path(__file__).parent / "fixtures" / "build" / "data", folder)
    for name in ("provinces_63.csv", "provinces_34.csv", "province_merger_2025.csv", "gso_regions_6.csv"):
        shutil.copy(paths.REFERENCE / name, folder / "reference" / name)
    return folder


def test_validated_data_is_kept_on_disk_and_used_by_the_next_process(data_copy, tmp_path, monkeypatch):
    store = tmp_path / "cache"
    monkeypatch.setenv(datacache.DATA_CACHE_ENV, str(store))
    dataset_module._cache.clear()
    first = dataset_module.load_dataset(data_copy)
    assert len(list(store.glob("checked-*.json"))) == 1
    assert store.stat().st_mode & 0o777 == 0o700

    def refuse(folder, **kwargs):
        raise AssertionError("validated again")

    monkeypatch.setattr(dataset_module, "collect", refuse)
    dataset_module._cache.clear()  # as in a new process
    again = dataset_module.load_dataset(data_copy)
    assert again.hash == first.hash and again.observations.equals(first.observations)
    with open(data_copy / "observations.csv", "a", encoding="utf-8") as fh:
        fh.write("\n")  # another data hash: validated again
    dataset_module._cache.clear()
    with pytest.raises(AssertionError, match="validated again"):
        dataset_module.load_dataset(data_copy)


def test_validated_data_are_stored_as_json_under_a_digest_and_a_damaged_entry_is_validated_again(
        data_copy, tmp_path, monkeypatch):
    store = tmp_path / "cache"
    monkeypatch.setenv(datacache.DATA_CACHE_ENV, str(store))
    dataset_module._cache.clear()
    fresh = dataset_module.load_dataset(data_copy)
    (entry,) = store.glob("checked-*.json")
    head, body = entry.read_bytes().split(b"\n", 1)
    assert json.loads(head)["format"] == 1 and json.loads(body)["tables"]["observations"]["rows"]  # data, no code
    dataset_module._cache.clear()
    cached = dataset_module.load_dataset(data_copy)  # as in a new process: from the entry
    for name in ("reports", "observations", "focus_tasks", "legal_refs"):
        assert getattr(cached, name).equals(getattr(fresh, name)), name
        assert list(getattr(cached, name).dtypes) == list(getattr(fresh, name).dtypes), name
    assert cached.warnings == fresh.warnings and dict(cached.sources) == dict(fresh.sources)
    assert cached.catalogue.indicators == fresh.catalogue.indicators and list(cached.provinces) == list(fresh.provinces)

    validated = []
    real_collect = dataset_module.collect
    monkeypatch.setattr(dataset_module, "collect", lambda folder, **kw: validated.append(folder) or real_collect(folder, **kw))
    tampered = body.replace(b'"1100"', b'"98765"', 1)
    assert tampered != body
    entry.write_bytes(head + b"\n" + tampered)  # rewritten by another process, digest left as it was
    dataset_module._cache.clear()
    again = dataset_module.load_dataset(data_copy)
    assert validated and again.observations.equals(fresh.observations)  # validated again, not read
    assert 98765 not in set(again.observations["value"])
    entry.write_bytes(entry.read_bytes()[:100])  # truncated
    dataset_module._cache.clear()
    validated.clear()
    assert dataset_module.load_dataset(data_copy).observations.equals(fresh.observations) and validated


def test_validation_reads_and_checks_again_only_the_tables_and_texts_whose_bytes_changed(
        data_copy, tmp_path, monkeypatch):
    from giaoban.data.validation import core

    monkeypatch.setenv(datacache.DATA_CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(datacache, "_memo", datacache.FileMemo())
    core.collect(data_copy, memo=datacache.file_memo())
    read: list[str] = []
    real_table, real_text = core.read_table, core.read_text
    monkeypatch.setattr(core, "read_table", lambda path, *a: read.append(path.name) or real_table(path, *a))
    monkeypatch.setattr(core, "read_text", lambda path, *a: read.append(path.name) or real_text(path, *a))
    observations = data_copy / "observations.csv"
    observations.write_text(observations.read_text(encoding="utf-8").replace(",1100,", ",1101,", 1), encoding="utf-8")
    monkeypatch.setattr(datacache, "_memo", datacache.FileMemo())  # as in a new process: from the disk
    again = core.collect(data_copy, memo=datacache.file_memo())
    assert read == ["observations.csv"]
    read.clear()
    monkeypatch.setattr(core, "read_table", real_table)
    monkeypatch.setattr(core, "read_text", real_text)
    whole = core.collect(data_copy)  # everything read and checked: the same report and tables
    assert again.report == whole.report and again.sources == whole.sources
    assert all(again.tables[n].frame.equals(whole.tables[n].frame) for n in whole.tables)
    assert "1101" in set(again.tables["observations"].frame["value"])
    sources = sorted((data_copy / "sources").glob("*.txt"))
    sources[0].write_text(sources[0].read_text(encoding="utf-8") + "\n", encoding="utf-8")
    monkeypatch.setattr(core, "read_table", lambda path, *a: read.append(path.name) or real_table(path, *a))
    monkeypatch.setattr(core, "read_text", lambda path, *a: read.append(path.name) or real_text(path, *a))
    core.collect(data_copy, memo=datacache.file_memo())
    assert read == [sources[0].name]


def test_a_cache_folder_others_may_write_into_is_never_read(data_copy, tmp_path, monkeypatch):
    store = tmp_path / "cache"
    monkeypatch.setenv(datacache.DATA_CACHE_ENV, str(store))
    dataset_module._cache.clear()
    loaded = dataset_module.load_dataset(data_copy)
    assert datacache.stored_checked(loaded.hash, data_copy) is not None
    store.chmod(0o777)
    assert datacache.stored_checked(loaded.hash, data_copy) is None
    store.chmod(0o700)
    for entry in store.iterdir():
        entry.chmod(0o666)
    assert datacache.stored_checked(loaded.hash, data_copy) is None


def test_fingerprints_are_remembered_per_data_hash_and_equal_the_computed_ones(data_copy, tmp_path, monkeypatch):
    from giaoban.execution.jobs import Job

    dataset_module._cache.clear()
    loaded = dataset_module.load_dataset(data_copy)
    jobs = [Job("briefing", {"province": "51", "period": "2021-H1", "lang": "vi"}, "b", "t", "vi", 60),
            Job("period", {"period": "2021-H1", "lang": "vi"}, "p", "t", "vi", 60)]
    direct = {j.id: inputs.for_job(j.notebook, j.params, dataset=loaded).fingerprint() for j in jobs}
    memo = tmp_path / "memo"
    assert inputs.fingerprints(jobs, loaded, public=False, folder=memo) == direct

    def refuse(*args, **kwargs):
        raise AssertionError("computed again")

    monkeypatch.setattr(inputs, "for_job", refuse)
    assert inputs.fingerprints(jobs, loaded, public=False, folder=memo) == direct
    with pytest.raises(AssertionError, match="computed again"):
        inputs.fingerprints(jobs, loaded, public=True, folder=memo)  # another visibility, other rows


def test_a_cached_notebook_is_restored_as_a_copy_and_left_alone_when_it_is_already_there(tmp_path):
    store = build_cache.Cache(tmp_path / "cache")
    executed = tmp_path / "executed" / "page.ipynb"
    executed.parent.mkdir()
    executed.write_text('{"cells": []}', encoding="utf-8")
    key = "ab" * 32
    store.put(key, executed)
    assert not os.path.samefile(store.get(key), executed) and store.get(key).read_bytes() == executed.read_bytes()
    before = executed.stat()
    assert store.restore(key, executed)
    after = executed.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    executed.unlink()
    assert store.restore(key, executed) and executed.read_text(encoding="utf-8") == '{"cells": []}'
    with open(store.get(key), "r+b") as fh:  # an entry cut short: dropped, with a note, never restored
        fh.truncate(5)
    executed.unlink()
    assert not store.restore(key, executed) and not executed.exists() and store.get(key) is None
    assert store.dropped and "mục bộ nhớ đệm bị hỏng" in store.dropped[0]
