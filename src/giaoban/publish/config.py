"""`_quarto.yml` as the built-in renderer reads it: the Quarto options it supports, and a warning each
for the rest.

The one configuration of the site and the PDF books is the project's `_quarto.yml`, written by
Quarto's documentation so that Quarto renders it as it is. The built-in renderer reads the keys in
`SUPPORTED_KEYS` and nothing else; every other key becomes one warning line (it is not pretended to
be honoured).
"""

from __future__ import annotations

import glob
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from giaoban.errors import InputError
from giaoban.domain.report_text import ENCODING_NAMES, detect_legacy

__all__ = [
    "SiteConfig",
    "NavItem",
    "TypstOptions",
    "ConfigError",
    "read_config",
    "SUPPORTED_KEYS",
    "TYPST_FONTS",
    "glob_match",
    "rendered_by_quarto",
]

#: Fonts bundled in the `typst` wheel. Only New Computer Modern has every Vietnamese letter in all
#: four styles (Libertinus Serif Bold Italic writes ư as ươ; DejaVu Sans Mono lacks ả, ắ, ầ…).
TYPST_FONTS = ("New Computer Modern", "Libertinus Serif", "DejaVu Sans Mono")
_DEFAULT_FONT = "New Computer Modern"

_ITEM = {"text": True, "href": True}
_SCHEMA: dict[str, Any] = {
    "project": {"type": True, "output-dir": True, "render": True, "resources": True},
    "lang": True,
    "website": {
        "title": True,
        "search": True,
        "site-url": True,
        "page-footer": True,
        "navbar": {"left": [_ITEM], "right": [_ITEM]},
    },
    "execute": {"enabled": True, "freeze": True, "echo": True, "warning": True, "error": True},
    "format": {
        "html": {"toc": True, "toc-title": True, "toc-depth": True, "css": True},
        "typst": {
            "papersize": True,
            "margin": {"x": True, "y": True},
            "mainfont": True,
            "fontsize": True,
            "toc": True,
            "toc-depth": True,
            "toc-title": True,
            "section-numbering": True,
            "page-numbering": True,
        },
    },
}


def _paths(schema: dict, prefix: str = "") -> list[str]:
    out = []
    for key, sub in schema.items():
        path = f"{prefix}{key}"
        if isinstance(sub, dict):
            out += _paths(sub, path + ".")
        elif isinstance(sub, list):
            out += [f"{path}[].{k}" for k in sub[0]]
        else:
            out.append(path)
    return out


#: Every `_quarto.yml` key the built-in renderer reads (`[]` marks the items of a list).
SUPPORTED_KEYS: tuple[str, ...] = tuple(_paths(_SCHEMA))

_LENGTH = re.compile(r"^\d+(\.\d+)?(pt|mm|cm|in|em)$")
_PAPERS = {
    "a4": "a4",
    "a5": "a5",
    "a3": "a3",
    "letter": "us-letter",
    "us-letter": "us-letter",
    "legal": "us-legal",
    "us-legal": "us-legal",
}


class ConfigError(InputError):
    """`_quarto.yml` is missing, not YAML, or a supported key has a value of the wrong form."""


#: `_quarto.yml` is a page of options; a larger file is not one.
MAX_CONFIG_BYTES = 256 * 1024


#: The deepest nesting of lists and mappings `_quarto.yml` may have (it uses 5).
MAX_DEPTH = 20


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing anchors and aliases (a few lines of them can expand to billions
    of nodes)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.MarkedYAMLError(
                problem="không dùng neo (&) và bí danh (*) của YAML trong _quarto.yml: hãy viết rõ từng giá trị",
                problem_mark=event.start_mark,
            )
        if not isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            return super().compose_node(parent, index)
        self._depth = getattr(self, "_depth", 0) + 1
        if self._depth > MAX_DEPTH:  # (deeper, Python's recursion limit would end the read with a traceback)
            mark: Any = event.start_mark  # the C loader's Mark or the Python one: both have line and column
            raise yaml.MarkedYAMLError(
                problem=f"YAML lồng quá sâu (hơn {MAX_DEPTH} tầng danh sách hoặc bảng): _quarto.yml chỉ cần vài tầng",
                problem_mark=mark,
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _inside(pattern: str) -> bool:
    """True when a path or glob of `_quarto.yml` stays inside the project (relative, no `..`)."""
    path = PurePosixPath(pattern.replace("\\", "/"))
    return (
        bool(pattern.strip())
        and not path.is_absolute()
        and ".." not in path.parts
        and not re.match(r"^[A-Za-z]:", pattern)
    )


def _linked_outside(base: Path, pattern: str) -> tuple[str, str] | None:
    """The first file (or folder) that `pattern` names under `base` (a glob, folders taken whole) whose real
    path, symbolic links followed, is outside `base`: (the path as named, its real path); else None."""
    root = base.resolve()
    for found in sorted(glob.glob(str(base / pattern), recursive=True)):
        path = Path(found)
        named = [path] + (sorted(path.rglob("*")) if path.is_dir() and not path.is_symlink() else [])
        for each in named:
            real = each.resolve()
            if real != root and root not in real.parents:
                return each.relative_to(base).as_posix(), str(real)
    return None


@dataclass(frozen=True)
class NavItem:
    """One navbar link: its text and its target as written in `_quarto.yml` (`data.qmd`)."""

    text: str
    href: str

    @property
    def page(self) -> str:
        """The site path of the target: `data.qmd` → `data.html`, `briefings/index.qmd` → same .html."""
        return re.sub(r"\.(qmd|ipynb|md)$", ".html", self.href)


@dataclass(frozen=True)
class TypstOptions:
    """The PDF options: paper, margins, fonts, table of contents, numbering."""

    paper: str = "a4"
    margin_x: str = "2.2cm"
    margin_y: str = "2.5cm"
    mainfont: str = _DEFAULT_FONT
    fontsize: str = "11pt"
    toc: bool = True
    toc_depth: int = 2
    toc_title: str | None = None
    section_numbering: str | None = None
    page_numbering: str = "1"


@dataclass
class SiteConfig:
    """What the built-in renderer takes from `_quarto.yml`, and the warnings about the rest."""

    path: Path
    title: str = "Giao ban KH&CN các tỉnh"
    lang: str = "vi"
    output_dir: str = "_site"
    render: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    navbar_left: list[NavItem] = field(default_factory=list)
    navbar_right: list[NavItem] = field(default_factory=list)
    search: bool = True
    site_url: str | None = None
    page_footer: str | None = None
    echo: bool = False
    warning: bool = False
    error: bool = False
    html_toc: bool = False
    html_toc_title: str | None = None
    html_toc_depth: int = 3
    html_css: list[str] = field(default_factory=list)
    typst: TypstOptions = field(default_factory=TypstOptions)
    warnings: list[str] = field(default_factory=list)

    @property
    def navbar(self) -> list[NavItem]:
        """The navbar links, left then right."""
        return self.navbar_left + self.navbar_right


def _unsupported(node: Any, schema: Any, path: str, out: list[str]) -> None:
    if schema is True:
        return
    if isinstance(schema, list):
        if isinstance(node, list):
            for i, item in enumerate(node):
                if isinstance(item, dict):
                    for key in item:
                        if key not in schema[0]:
                            out.append(f"{path}[{i}].{key}")
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        sub = schema.get(key) if isinstance(schema, dict) else None
        where = f"{path}.{key}" if path else str(key)
        if sub is None:
            out.append(where)
        else:
            _unsupported(value, sub, where, out)


class _Read:
    def __init__(self, path: Path, raw: dict) -> None:
        self.path, self.raw = path, raw

    def get(self, dotted: str, default: Any = None) -> Any:
        node: Any = self.raw
        for key in dotted.split("."):
            if not isinstance(node, dict) or key not in node:
                return default
            node = node[key]
            if isinstance(node, str) and node == "default" and key in ("html", "typst"):
                node = {}
        return default if node is None else node

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(message, path=str(self.path), column=key)

    def typed(self, dotted: str, kind: type | tuple, default: Any) -> Any:
        value = self.get(dotted, default)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(dotted, f"giá trị không hợp lệ {value!r}")
        return value

    def strings(self, dotted: str) -> list[str]:
        value = self.get(dotted, [])
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(dotted, f"cần một chuỗi hoặc danh sách chuỗi, gặp {value!r}")
        return value

    def paths(self, dotted: str) -> list[str]:
        """Like `strings`, and each must stay inside the project (no absolute path, no `..`), and so must
        every file it names once symbolic links are followed."""
        value = self.strings(dotted)
        for i, item in enumerate(value):
            if not _inside(item):
                raise self.fail(
                    f"{dotted}[{i}]",
                    f"đường dẫn {item!r} ra ngoài dự án: cần đường dẫn tương đối "
                    f"trong dự án, không có '..' và không bắt đầu bằng '/'",
                )
            outside = _linked_outside(self.path.parent, item)
            if outside is not None:
                raise self.fail(
                    f"{dotted}[{i}]",
                    f"đường dẫn {item!r} có liên kết tượng trưng {outside[0]} trỏ ra "
                    f"ngoài dự án ({outside[1]}): chép tệp vào dự án thay cho liên kết",
                )
        return value

    def nav(self, side: str) -> list[NavItem]:
        items = self.get(f"website.navbar.{side}", [])
        if not isinstance(items, list):
            raise self.fail(f"website.navbar.{side}", "cần một danh sách liên kết")
        out = []
        for i, item in enumerate(items):
            if isinstance(item, str):
                item = {"href": item, "text": item}
            if not isinstance(item, dict) or not isinstance(item.get("href"), str):
                raise self.fail(f"website.navbar.{side}[{i}]", "cần một mục có href")
            out.append(NavItem(str(item.get("text") or item["href"]), item["href"]))
        return out

    def length(self, dotted: str, default: str) -> str:
        value = str(self.get(dotted, default))
        if not _LENGTH.match(value):
            raise self.fail(dotted, f"cần độ dài như '2.5cm' hoặc '11pt', gặp {value!r}")
        return value


def read_config(path: str | Path) -> SiteConfig:
    """Return the options the built-in renderer reads from `_quarto.yml` at `path`, with warnings.

    `warnings` holds one line per key outside `SUPPORTED_KEYS`, and one for a font that does not
    cover Vietnamese. Refuses (ConfigError) a missing or unreadable file, a project type other than
    `website`, and a supported key with a value of the wrong form.
    """
    p = Path(path)
    try:
        if p.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError(
                f"tệp lớn hơn {MAX_CONFIG_BYTES // 1024} KiB: _quarto.yml chỉ gồm vài chục dòng tuỳ chọn", path=str(p)
            )
        data = p.read_bytes()
    except FileNotFoundError:
        raise ConfigError("không có _quarto.yml", path=str(p)) from None
    except OSError as e:
        raise ConfigError(f"không đọc được tệp ({e.strerror or e})", path=str(p)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        legacy = detect_legacy(data)
        seems = f", có vẻ là {ENCODING_NAMES[legacy]}" if legacy else ""
        raise ConfigError(
            f"tệp không phải UTF-8 (byte {e.start}{seems}): cần lưu lại dưới dạng UTF-8", path=str(p)
        ) from None
    loader = _Loader(text)
    try:
        raw = loader.get_single_data()
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        what = getattr(e, "problem", None) or str(e)
        where = f"dòng {mark.line + 1}: " if mark is not None else ""
        raise ConfigError(f"{where}YAML không hợp lệ ({what})", path=str(p)) from None
    finally:
        loader.dispose()
    if not isinstance(raw, dict):
        raise ConfigError(
            "cần một bảng YAML ở gốc (project:, website:, format:…), tệp "
            + ("trống" if raw is None else f"là {type(raw).__name__}"),
            path=str(p),
        )
    r = _Read(p, raw)
    if r.get("project.type") != "website":
        raise r.fail("project.type", f"trình dựng sẵn chỉ dựng 'website', gặp {r.get('project.type')!r}")
    paper = str(r.get("format.typst.papersize", "a4")).lower()
    if paper not in _PAPERS:
        raise r.fail("format.typst.papersize", f"cần một trong {', '.join(sorted(_PAPERS))}, gặp {paper!r}")
    warnings: list[str] = []
    font = str(r.get("format.typst.mainfont", _DEFAULT_FONT))
    if font != _DEFAULT_FONT:
        warnings.append(
            f"{p.name}: format.typst.mainfont: {font!r} không có đủ chữ tiếng Việt trong mọi "
            f"kiểu chữ (hoặc không đi kèm Typst); dùng {_DEFAULT_FONT!r}"
        )
        font = _DEFAULT_FONT
    numbering = r.get("format.typst.section-numbering")
    typst = TypstOptions(
        paper=_PAPERS[paper],
        margin_x=r.length("format.typst.margin.x", TypstOptions.margin_x),
        margin_y=r.length("format.typst.margin.y", TypstOptions.margin_y),
        mainfont=font,
        fontsize=r.length("format.typst.fontsize", TypstOptions.fontsize),
        toc=r.typed("format.typst.toc", bool, True),
        toc_depth=r.typed("format.typst.toc-depth", int, 2),
        toc_title=r.get("format.typst.toc-title"),
        section_numbering=str(numbering) if numbering else None,
        page_numbering=str(r.get("format.typst.page-numbering", "1")),
    )
    found: list[str] = []
    _unsupported(raw, _SCHEMA, "", found)
    warnings += [f"{p.name}: {key}: trình dựng sẵn không hỗ trợ tuỳ chọn này của Quarto, bỏ qua" for key in found]
    if r.get("execute.enabled", False):
        warnings.append(f"{p.name}: execute.enabled: trình dựng sẵn không bao giờ chạy lại sổ tay")
    lang = str(r.get("lang", "vi"))
    return SiteConfig(
        path=p,
        title=str(r.get("website.title", SiteConfig.title)),
        lang=lang,
        output_dir=str(r.get("project.output-dir", "_site")),
        render=r.strings("project.render"),
        resources=r.paths("project.resources"),
        navbar_left=r.nav("left"),
        navbar_right=r.nav("right"),
        search=bool(r.get("website.search", True)),
        site_url=r.get("website.site-url"),
        page_footer=r.get("website.page-footer") if isinstance(r.get("website.page-footer"), str) else None,
        echo=r.typed("execute.echo", bool, False),
        warning=r.typed("execute.warning", bool, False),
        error=r.typed("execute.error", bool, False),
        html_toc=r.typed("format.html.toc", bool, False),
        html_toc_title=r.get("format.html.toc-title"),
        html_toc_depth=r.typed("format.html.toc-depth", int, 3),
        html_css=r.paths("format.html.css"),
        typst=typst,
        warnings=warnings,
    )


def glob_match(pattern: str, path: str) -> bool:
    """True when site path `path` (`briefings/2021-H1/51-quang-ngai.ipynb`) matches a Quarto
    `project.render` pattern (`*` within a folder, `**` across folders)."""
    rx = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            rx += r"(?:[^/]+/)*"
            i += 3
        elif pattern.startswith("**", i):
            rx += r".*"
            i += 2
        elif pattern[i] == "*":
            rx += r"[^/]*"
            i += 1
        elif pattern[i] == "?":
            rx += r"[^/]"
            i += 1
        else:
            rx += re.escape(pattern[i])
            i += 1
    if pattern.endswith("/"):
        rx += ".*"
    return re.fullmatch(rx, path) is not None


def rendered_by_quarto(config: SiteConfig, source: str) -> bool:
    """True when `project.render` (with `!` exclusions) selects `source`; all files when it is empty."""
    if not config.render:
        return True
    selected = False
    for pattern in config.render:
        if pattern.startswith("!"):
            if glob_match(pattern[1:], source):
                selected = False
        elif glob_match(pattern, source):
            selected = True
    return selected
