"""Incremental rendering: what a render already made is made again only when its inputs changed.

`render_site(..., cache_dir=...)` (the build passes `_build/site-cache`, beside the staged Quarto
project) keeps, by the hash of everything each piece is made from:

| piece | keyed by | reused when |
|---|---|---|
| a notebook page's HTML body, Typst body, headings and images (pandoc, three runs a page) | the executed notebook's bytes, the page's path and language, `execute.*`, the TOC depth, `site-url`, the renderer's code and pandoc's version, the PDF's text width and table type size | the notebook is byte for byte the same (a job restored from the build cache is) |
| a briefing's PDF | the Typst template, the chapter (body, image names, title, sources), cover, options and date | the same Typst input |
| a period's book | the Typst template, cover, options and date, and each chapter's title and the sha256 of its briefing's PDF | no briefing PDF of the period changed (nor the front matter's input) |
| the search index (`pagefind/`) | every HTML file of the site | no page changed |
| the links and ids of an HTML page (link check) | the page's bytes | the page is the same |
| a staged Quarto notebook | its source notebook and the HTML around it | the same |

The HTML of every page is still written from its template each time (milliseconds a page: the
navigation, listings and the coverage matrix depend on the whole manifest). Files come from the
cache as copies, never hard links: the site never shares a file with the cache, so a damaged entry
cannot damage the live site. Each entry is checked when it is reused against a digest recorded when
it was written (an image's name holds the sha256 of its bytes; a PDF's `<key>.json` and the search
index's `digest.json` hold theirs; a page's parts are JSON that must parse): a damaged one is removed,
named in `dropped` (the render's notes), and made again. Entries this render did not use are removed
at the end, so the cache holds one site.

Before all that, `inputs_digest` hashes what a render reads (the renderer's code and tools, the
manifest, the identity of each executed notebook — size, mtime and inode, which a build that
restores a notebook from its cache leaves unchanged — `_quarto.yml`, the project's resources and
the data folder). When it equals the digest recorded by the last render (`last-render.json` in the
cache, with the inode and mtime of the site it swapped in, so a site replaced by anything else is
rendered again), the site is up to date and nothing is rendered at all.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
import importlib.metadata

__all__ = ["RenderCache", "Parts", "DIGEST_FILE", "code_version"]

#: The file in the cache that records which site the last render made, and from which inputs.
DIGEST_FILE = "last-render.json"
_RENDER = Path(__file__).resolve().parent


def _sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def _tree(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


_code: str | None = None


def code_version() -> str:
    """Return the hash of the renderer (giaoban.publish's modules, the site and Typst templates) and
    the versions of pandoc, typst and pagefind: what every cached piece depends on."""
    global _code
    if _code is None:
        versions = []
        for name in ("pypandoc-binary", "typst", "pagefind", "pagefind-bin", "jinja2", "nbformat"):
            try:
                versions.append(f"{name}={importlib.metadata.version(name)}")
            except importlib.metadata.PackageNotFoundError:
                versions.append(f"{name}=?")
        _code = _sha("\n".join([_tree(_RENDER), *versions]))  # the templates are inside publish/
    return _code


def _link(source: Path, target: Path) -> None:
    """Put a copy of `source` at `target` (never a hard link: the site must not share a file with the cache)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.unlink()
    shutil.copyfile(source, target)


def _file_sha(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _image_whole(path: Path) -> bool:
    """Whether a cached image (`fig-<sha256[:16]>.<ext>`) still has the bytes its name was made from."""
    stem = path.stem
    if not stem.startswith("fig-"):
        return path.is_file()
    try:
        return _file_sha(path)[:16] == stem[4:]
    except OSError:
        return False


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


@dataclass
class Parts:
    """What pandoc makes of one notebook page: HTML body, Typst body, headings, and image names
    (files in the cache's `images/`, or bytes when there is no cache)."""

    html: str | None
    typst: str | None
    headings: list
    images: dict[str, Any]


#: In a cached search index: the sha256 of each of its files, recorded when it was stored.
_INDEX_DIGESTS = "digest.json"


def _tree_digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): _file_sha(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != _INDEX_DIGESTS
    }


def _recorded(path: Path) -> dict | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


class RenderCache:
    """The cache of one site's render pieces (see the module docstring); `folder` None disables it."""

    def __init__(self, folder: str | os.PathLike | None) -> None:
        self.folder = Path(folder) if folder is not None else None
        self.used: dict[str, set[str]] = {"parts": set(), "images": set(), "pdf": set(), "pagefind": set()}
        self.dropped: list[str] = []  # damaged entries found and removed (the render's notes)
        self.converted = self.reused = 0
        self._lock = threading.Lock()
        self._links: dict[str, list] = {}
        self._links_used: set[str] = set()
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            try:
                self._links = json.loads((self.folder / "links.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._links = {}

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def _use(self, kind: str, key: str) -> None:
        with self._lock:
            self.used[kind].add(key)

    # -- the whole site -----------------------------------------------------------------------

    @staticmethod
    def inputs_digest(
        *,
        renderer: str,
        out: Path,
        manifest_path: Path,
        notebooks: list[Path],
        config: Path,
        resources: list[str],
        data_dir: Path | None,
        stage: Path | None,
        extra: str = "",
    ) -> str:
        """Return the digest of everything a render reads (see the module docstring)."""
        digest = hashlib.sha256()

        def add(*parts: Any) -> None:
            digest.update(json.dumps(parts, ensure_ascii=False, default=str).encode() + b"\n")

        add("code", code_version(), renderer, str(out), str(stage), extra)
        try:  # "ok" (executed now) and "cached" (reused) render the same: the site does not tell them apart
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            for job in manifest.get("jobs", []):
                if isinstance(job, dict) and job.get("status") in ("ok", "cached"):
                    job["status"] = "rendered"
            add("manifest", manifest)
        except (OSError, ValueError, AttributeError):
            add("manifest", _sha(manifest_path.read_bytes()))
        for path in notebooks:
            try:
                st = path.stat()
                add("nb", str(path), st.st_size, st.st_mtime_ns, st.st_ino)
            except OSError:
                add("nb", str(path), None)
        add("config", _sha(config.read_bytes()))
        base = config.parent
        for pattern in resources:
            for found in sorted(glob.glob(str(base / pattern), recursive=True)):
                p = Path(found)
                if p.is_file():
                    st = p.stat()
                    add("resource", found, st.st_size, st.st_mtime_ns)
        if data_dir is not None and data_dir.is_dir():
            # imported when needed: it loads numpy, pandas, pandera, pydantic (start-up time)
            from giaoban.data.dataset import data_hash

            add("data", data_hash(data_dir))
        return digest.hexdigest()

    def up_to_date(self, out: Path, digest: str) -> dict | None:
        """When the site at `out` is the one this cache's last render swapped in (same folder, inode
        and mtime) and was rendered from inputs `digest`, return what that render reported
        (`warnings`, `skipped`, `books`, `pdfs`); else None."""
        if not self.enabled:
            return None
        try:
            recorded = json.loads((self.folder / DIGEST_FILE).read_text(encoding="utf-8"))
            st = out.stat()
            if recorded.get("inputs") != digest or recorded.get("site") != [str(out), st.st_ino, st.st_mtime_ns]:
                return None
            return {k: list(recorded.get(k, [])) for k in ("warnings", "skipped", "books", "pdfs")}
        except (OSError, ValueError, AttributeError, TypeError):
            return None

    def mark(self, out: Path, digest: str, report: dict) -> None:
        """Record that the site now at `out` was rendered from inputs `digest`, with what its render
        reported (given back by `up_to_date`)."""
        if not self.enabled:
            return
        st = out.stat()
        _write_atomic(
            self.folder / DIGEST_FILE,
            json.dumps(
                {"inputs": digest, "site": [str(out), st.st_ino, st.st_mtime_ns], **report}, ensure_ascii=False
            ).encode(),
        )

    # -- notebook pages -----------------------------------------------------------------------

    def parts(
        self,
        key_parts: list,
        compute: Callable[[], tuple[str | None, str | None, list, dict]],
        *,
        need_html: bool,
        need_typst: bool,
    ) -> Parts:
        """Return the Parts of a page whose inputs are `key_parts` (the notebook's hash first), from
        the cache or from `compute()` → (html, typst, headings, images {name: bytes})."""
        if not self.enabled:
            html, typst, headings, images = compute()
            self.converted += 1
            return Parts(html, typst, headings, images)
        key = _sha(json.dumps([code_version(), *key_parts], ensure_ascii=False))
        path = self.folder / "parts" / key[:2] / f"{key}.json"
        entry = None
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            entry = None
        if entry is None and path.is_file():
            self._drop(path)
        if entry is not None and not isinstance(entry, dict):
            self._drop(path)
            entry = None
        if (
            entry is not None
            and (entry.get("html") is not None or not need_html)
            and (entry.get("typst") is not None or not need_typst)
            and all(self._image_ok(name) for name in entry.get("images", []))
        ):
            with self._lock:
                self.reused += 1
        else:
            html, typst, headings, images = compute()
            for name, data in images.items():
                target = self.folder / "images" / name
                if not self._image_ok(name, note=False):
                    _write_atomic(target, data)
            entry = {"html": html, "typst": typst, "headings": headings, "images": sorted(images)}
            _write_atomic(path, json.dumps(entry, ensure_ascii=False).encode("utf-8"))
            with self._lock:
                self.converted += 1
        self._use("parts", f"{key[:2]}/{key}.json")
        for name in entry["images"]:
            self._use("images", name)
        return Parts(
            entry.get("html"),
            entry.get("typst"),
            [tuple(h) for h in entry.get("headings", [])],
            {name: self.folder / "images" / name for name in entry["images"]},
        )

    def _drop(self, path: Path) -> None:
        """Remove a damaged entry and say so."""
        with self._lock:
            self.dropped.append(
                f"{path.relative_to(self.folder).as_posix()}: mục bộ nhớ đệm dựng trang bị hỏng, đã bỏ và dựng lại"
            )
        path.unlink(missing_ok=True)

    def _image_ok(self, name: str, note: bool = True) -> bool:
        """Whether the cached image `name` is there and whole; a damaged one is removed (and, with `note`, said)."""
        path = self.folder / "images" / name
        if not path.is_file():
            return False
        if _image_whole(path):
            return True
        if note:
            self._drop(path)
        else:
            path.unlink(missing_ok=True)
        return False

    @staticmethod
    def image_bytes(value: Any) -> bytes:
        return value.read_bytes() if isinstance(value, Path) else value

    def put_image(self, value: Any, target: Path) -> None:
        """Write one image of a page's Parts at `target` (a link from the cache when it is cached)."""
        if isinstance(value, Path):
            _link(value, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(value)

    # -- PDFs -----------------------------------------------------------------------------------

    def pdf(self, key_parts: Any, target: Path, make: Callable[[], list[str]]) -> list[str]:
        """Write the PDF made from inputs `key_parts` at `target`, from the cache or by `make()`
        (which writes it and returns Typst's warnings); return the warnings."""
        if not self.enabled:
            return make()
        key = _sha(json.dumps([code_version(), key_parts], ensure_ascii=False, default=str))
        cached = self.folder / "pdf" / f"{key}.pdf"
        notes = self.folder / "pdf" / f"{key}.json"
        self._use("pdf", key)
        if cached.is_file():
            recorded: Any = None
            try:
                recorded = json.loads(notes.read_text(encoding="utf-8"))
                if isinstance(recorded, dict) and recorded.get("sha256") == _file_sha(cached):
                    _link(cached, target)
                    return list(recorded.get("warnings", []))
            except (OSError, ValueError):
                pass
            if isinstance(recorded, list):  # written before digests were recorded: made again, nothing to say
                cached.unlink(missing_ok=True)
            else:
                self._drop(cached)  # cut short, edited, or without its digest: made again
            notes.unlink(missing_ok=True)
        warnings = make()
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f".{cached.name}.{os.getpid()}-{threading.get_ident()}.tmp")
        shutil.copyfile(target, tmp)
        os.replace(tmp, cached)
        _write_atomic(
            notes, json.dumps({"warnings": warnings, "sha256": _file_sha(cached)}, ensure_ascii=False).encode("utf-8")
        )
        return warnings

    # -- search index and link check ------------------------------------------------------------

    def pagefind(self, site: Path, make: Callable[[Path], None]) -> bool:
        """Give `site` its `pagefind/` index: from the cache when no HTML file changed (True), else
        by `make(site)` (False)."""
        if not self.enabled:
            make(site)
            return False
        digest = hashlib.sha256()
        for path in sorted(site.rglob("*.html")):
            rel = path.relative_to(site).as_posix()
            if not rel.startswith("pagefind/"):
                digest.update(rel.encode() + b"\0" + _sha(path.read_bytes()).encode() + b"\0")
        key = digest.hexdigest()
        cached = self.folder / "pagefind" / key
        self._use("pagefind", key)
        if cached.is_dir():
            recorded = _recorded(cached / _INDEX_DIGESTS)
            if (cached / "pagefind-ui.js").is_file() and _tree_digests(cached) == recorded:
                shutil.copytree(
                    cached, site / "pagefind", ignore=shutil.ignore_patterns(_INDEX_DIGESTS), dirs_exist_ok=True
                )
                return True
            if recorded is not None:  # (none: stored before digests were recorded)
                with self._lock:
                    self.dropped.append(f"pagefind/{key}: chỉ mục tìm kiếm trong bộ nhớ đệm bị hỏng, đã bỏ và tạo lại")
            shutil.rmtree(cached, ignore_errors=True)
        make(site)
        tmp = self.folder / "pagefind" / f".{key}.{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(site / "pagefind", tmp)
        (tmp / _INDEX_DIGESTS).write_text(json.dumps(_tree_digests(tmp)), encoding="utf-8")
        shutil.rmtree(cached, ignore_errors=True)
        os.replace(tmp, cached)
        return False

    def parsed_links(self) -> dict | None:
        """The link check's memory for `check_links(memo=...)`: sha256 of a page's HTML → [links, ids];
        None without a cache."""
        if not self.enabled:
            return None
        cache = self

        class _Memo(dict):
            def get(self, key, default=None):
                cache._links_used.add(key)
                return super().get(key, default)

            def __setitem__(self, key, value):
                cache._links_used.add(key)
                super().__setitem__(key, value)

        self._links = _Memo(self._links)
        return self._links

    # -- the end --------------------------------------------------------------------------------

    def collect(self) -> None:
        """Remove the entries this render did not use, and save the link check's memory."""
        if not self.enabled:
            return
        for kind in ("parts", "images", "pdf", "pagefind"):
            folder = self.folder / kind
            if not folder.is_dir():
                continue
            used = self.used[kind]
            if kind == "parts":
                for path in folder.glob("*/*.json"):
                    if f"{path.parent.name}/{path.name}" not in used:
                        path.unlink(missing_ok=True)
            elif kind == "images":
                for path in folder.iterdir():
                    if path.name not in used:
                        path.unlink(missing_ok=True)
            elif kind == "pdf":
                for path in folder.iterdir():
                    if path.stem not in used:
                        path.unlink(missing_ok=True)
            else:
                for path in folder.iterdir():
                    if path.name not in used:
                        shutil.rmtree(path, ignore_errors=True)
        kept = {k: v for k, v in self._links.items() if k in self._links_used}
        _write_atomic(self.folder / "links.json", json.dumps(kept).encode("utf-8"))
