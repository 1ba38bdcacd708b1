"""Markdown for the pages: tables, lists and paragraphs, with every text from data escaped.

Tables that must reach the PDF are emitted as Markdown (`IPython.display.Markdown`), which both
Jupyter and pandoc read. Any text that comes from the data or from a report (labels, quotes, task
texts, titles) goes through `escape`, so that `<script>` shows as text, a `|` does not split a
table cell and `*`, `_` or a backtick do not start emphasis or code. Markdown written by the
program itself (headings, note marks) is wrapped in `Raw` and passed through unchanged.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

__all__ = [
    "Raw",
    "Empty",
    "EMPTY",
    "escape",
    "cell",
    "markdown_table",
    "table",
    "md",
    "bullets",
    "numbered",
    "heading",
    "join",
]

# Markdown punctuation escaped with a backslash wherever it stands (CommonMark, GFM and pandoc all
# read these escapes; `$` would start TeX in Jupyter and pandoc, `~` strike-out or a subscript).
_BACKSLASHED = set("\\`*_{}[]|~$#")
# HTML-significant characters, written as entities so that no tag or entity from data is live.
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_WS = re.compile(r"\s+")
# What a cell's Markdown shows: a link's or span's text (not its target or attributes), an escaped
# character, an entity as one character, no emphasis marks.
_LINK = re.compile(r"\[((?:\\.|[^\]\\])*)\](?:\([^)]*\))?(?:\{[^}]*\})?")
_SHOWN = [(re.compile(r"\\(.)"), r"\1"), (re.compile(r"&(?:[a-z]+|#\d+);"), "x"), (re.compile(r"\*+"), "")]


def _shown_length(markdown: str) -> int:
    """Return how many characters the Markdown of a cell shows (roughly: links, escapes, entities
    and emphasis taken off)."""
    text = _LINK.sub(r"\1", markdown)
    for pattern, repl in _SHOWN:
        text = pattern.sub(repl, text)
    return len(text)


class Raw(str):
    """Markdown written by the program, passed through `escape` and `cell` unchanged."""

    __slots__ = ()


class Empty:
    """Displays nothing in a notebook (no output at all): what a section with nothing to say returns."""

    def _ipython_display_(self) -> None:
        return None

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "EMPTY"


EMPTY = Empty()


def escape(text: Any) -> str:
    """Return `text` (any value, shown with `str`) as Markdown that displays exactly that text.

    Whitespace runs (newlines, tabs, no-break spaces kept as they are) collapse to one space so a
    value cannot end a table row or start a block; `&`, `<`, `>` become entities; backslash,
    backtick, `*`, `_`, `|`, `[`, `]`, `{`, `}`, `#`, `~`, `$` get a backslash, and so do a leading
    `-`, `+`, `=` and the `.` or `)` of a leading `1. ` (not of `1.287`). A `Raw` value is returned unchanged; None and NaN give "". Refuses nothing.
    """
    if isinstance(text, Raw):
        return str(text)
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    try:
        if pd.isna(text) is True:
            return ""
    except (TypeError, ValueError):
        pass
    s = str(text)
    s = re.sub(r"[^\S\u00a0]+", " ", s).strip()
    out = []
    for ch in s:
        if ch in _ENTITIES:
            out.append(_ENTITIES[ch])
        elif ch in _BACKSLASHED:
            out.append("\\" + ch)
        else:
            out.append(ch)
    escaped = "".join(out)
    # At the start of a line "1. ", "1) ", "- ", "+ " or "=" would start a list or a heading
    # ("1.287" would not, and keeps its dot unescaped).
    escaped = re.sub(r"^(\d+)([.)])(?=\s|$)", r"\1\\\2", escaped)
    return re.sub(r"^([-+=])", r"\\\1", escaped)


def cell(value: Any) -> str:
    """Return one table cell: `escape(value)`, or the `Raw` Markdown as given (its newlines removed)."""
    if isinstance(value, Raw):
        return _WS.sub(" ", str(value)).strip()
    return escape(value)


def markdown_table(
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    align: Sequence[str] | None = None,
    widths: Sequence[int] | None = None,
) -> str:
    """Return a pipe table: `header` and `rows` of cells (escaped unless `Raw`); `align` per column
    is "l", "r" or "c". The dashes under the header set the columns' relative widths when pandoc
    wraps a wide table: `widths` (relative numbers), else each column's longest cell as shown
    (a mark's link syntax and escapes not counted), between 6 and 60 characters; the PDF fits them
    again to the text it prints (`giaoban.publish.columns`). Refuses (ValueError) a row whose length differs from the header's,
    an unknown alignment, and `widths` of the wrong length."""
    header = list(header)
    if not header:
        raise ValueError("a table needs at least one column")
    align = list(align) if align is not None else ["l"] * len(header)
    if len(align) != len(header) or any(a not in ("l", "r", "c") for a in align):
        raise ValueError(f"align must give 'l', 'r' or 'c' for each of the {len(header)} columns")
    body = []
    for n, row in enumerate(rows):
        row = [cell(c) or " " for c in row]
        if len(row) != len(header):
            raise ValueError(f"row {n} has {len(row)} cells, the header {len(header)}")
        body.append(row)
    head = [cell(h) or " " for h in header]
    if widths is None:
        widths = [min(60, max(6, *(_shown_length(r[i]) for r in [head, *body]))) for i in range(len(header))]
    elif len(widths) != len(header):
        raise ValueError(f"widths must give one number for each of the {len(header)} columns")
    rule = []
    for a, w in zip(align, widths):
        dashes = "-" * max(3, int(w))
        rule.append({"l": ":" + dashes, "r": dashes + ":", "c": ":" + dashes + ":"}[a])
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join(rule) + " |"]
    lines.extend("| " + " | ".join(r) + " |" for r in body)
    return "\n".join(lines)


def md(*blocks: Any) -> Any:
    """Return an `IPython.display.Markdown` of the non-empty `blocks` (Markdown strings, already
    safe), separated by blank lines; `EMPTY` when every block is empty."""
    # imported when needed: it loads IPython (start-up time)
    from IPython.display import Markdown

    text = join(*blocks)
    return Markdown(text) if text else EMPTY


def join(*blocks: Any) -> str:
    """Return the non-empty Markdown `blocks` separated by blank lines."""
    return "\n\n".join(str(b).strip("\n") for b in blocks if b)


def table(
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    align: Sequence[str] | None = None,
    *,
    caption: str | None = None,
    widths: Sequence[int] | None = None,
) -> Any:
    """Return `markdown_table(...)` as `IPython.display.Markdown`, with an optional escaped caption
    paragraph above it. Refuses what `markdown_table` refuses."""
    return md(f"*{escape(caption)}*" if caption else "", markdown_table(header, rows, align, widths))


def heading(text: Any, level: int = 2) -> str:
    """Return a Markdown heading of `level` (1..6) with `text` escaped (unless `Raw`).

    Refuses (ValueError) another level."""
    if level not in range(1, 7):
        raise ValueError("heading level must be 1..6")
    return "#" * level + " " + cell(text)


def bullets(items: Iterable[Any]) -> str:
    """Return a bulleted list, one escaped (unless `Raw`) item per line; "" for no items."""
    return "\n".join(f"- {cell(i)}" for i in items)


def numbered(items: Iterable[tuple[int, Any]]) -> str:
    """Return a numbered list from (number, item) pairs, items escaped unless `Raw`; "" for none."""
    return "\n".join(f"{int(n)}. {cell(i)}" for n, i in items)
