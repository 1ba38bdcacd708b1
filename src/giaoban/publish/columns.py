"""The widths of a table's columns in the PDF, from the text each column prints.

pandoc gives a wide pipe table relative column widths from the dashes under its header (the
Markdown's own lengths, link syntax and escapes of the `[n]` marks included), and Typst draws a
word that cannot break across its column's edge, over the next column's text. Here each column of
such a table gets, from the text its cells show (read from pandoc's AST) measured with the widths
of New Computer Modern's glyphs at the tables' size and the page's text width:

- at least its longest piece no line break divides (a word, a figure like 90.929.100), plus the
  cells' inset;
- then, step by step, the widening that saves most lines for the points it takes: lines of the
  table's height (each row as tall as its tallest cell) and, weighing less, lines of its cells
  (first-fit line breaking, as Typst breaks an unjustified paragraph);
- what is left of the line, pro rata.

Only when the longest pieces of all the columns together are wider than the line can a word still
overflow. Tables with pandoc's default widths (short ones, which Typst sizes to their content) and
tables whose cells span rows or columns are left as they are.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from giaoban.publish.pandoc_text import stringify

__all__ = ["Geometry", "geometry", "text_width", "column_widths", "fit_table"]

# Advance widths (in em) of New Computer Modern Book, measured in a PDF Typst made (rounded up);
# a letter with diacritics is as wide as its base letter.
_EM_GROUPS = {
    0.28: "!',.:;[]il|·‘’",
    0.31: "fj",
    0.34: "-",
    0.39: '()trsI"',
    0.45: "cez",
    0.5: "oag?$*/0123456789\\`{}“”–°J",
    0.56: "bkpqvxySdhnu~^",
    0.63: "ZL",
    0.73: "TFYEPBCwR",
    0.77: "AHNUVX_D",
    0.79: "&+<=>@KOQG×≥≤",
    0.84: "#%m",
    0.92: "M",
    1.03: "W—…→",
}
_EM = {ch: w for w, chars in _EM_GROUPS.items() for ch in chars}
_EM[" "] = 0.34
_OTHER_EM = 0.8  # a glyph not in the table (another script): wider than most
_BASE = {"đ": "d", "Đ": "D"}

#: The template's table text is 0.9 of the body's (`show table: set text(size: 0.9em)`), each cell
#: has 5 pt of inset on either side (`set table(inset: 5pt)`); SLACK covers rounding and kerning.
TABLE_SCALE = 0.9
INSET = 5.0
SLACK = 2.0

#: Paper widths in points (Typst's paper names); another paper is taken as A4.
_PAPER = {"a3": 841.89, "a4": 595.28, "a5": 419.53, "b5": 498.9, "us-letter": 612.0, "us-legal": 612.0}
_LENGTH = re.compile(r"^(\d+(?:\.\d+)?)(pt|mm|cm|in|em)$")
_POINTS = {"pt": 1.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0}


@dataclass(frozen=True)
class Geometry:
    """Where a table is set: the width of the text block and the size of the tables' type, in points."""

    line: float
    size: float


def _points(length: str, em: float, default: float) -> float:
    m = _LENGTH.match(str(length).strip())
    if not m:
        return default
    value, unit = float(m.group(1)), m.group(2)
    return value * (em if unit == "em" else _POINTS[unit])


def geometry(paper: str = "a4", margin_x: str = "2.2cm", fontsize: str = "11pt") -> Geometry:
    """Return the `Geometry` of the PDF's pages from its options (`_quarto.yml`'s typst format):
    the paper's width less both margins, and 0.9 of the font size. Refuses nothing: a length or a
    paper it does not know is taken at the default (11 pt, 2.2 cm, A4)."""
    size = _points(fontsize, 11.0, 11.0)
    width = _PAPER.get(str(paper).strip().lower(), _PAPER["a4"])
    return Geometry(width - 2 * _points(margin_x, size, 72 / 2.54 * 2.2), size * TABLE_SCALE)


def text_width(text: str, size: float) -> float:
    """Return the width in points of `text` on one line at `size` points. Refuses nothing."""
    total = 0.0
    for ch in text:
        base = _BASE.get(ch) or unicodedata.normalize("NFD", ch)[0]
        if unicodedata.combining(base):
            continue
        total += _EM.get(base, _OTHER_EM)
    return total * size


_BREAK = re.compile(r"(\s+)|(?<=[-/–—])(?=[^\W\d_])")


def _pieces(text: str, size: float) -> list[tuple[float, float]]:
    """Return the pieces of `text` no line break divides, as (width, width of the space before it):
    a line breaks at a space (which it then drops) and after a hyphen, slash or dash before a letter,
    as Typst does (Unicode's line-breaking rules)."""
    out: list[tuple[float, float]] = []
    space = 0.0
    for part in _BREAK.split(text.strip()):
        if part is None or part == "":
            continue
        if part.isspace():
            space = text_width(" ", size)
            continue
        out.append((text_width(part, size), space if out else 0.0))
        space = 0.0
    return out


def _lines(pieces: list[tuple[float, float]], width: float) -> int:
    """Return how many lines of `width` first-fit line breaking gives the `pieces`."""
    lines, used = 1, 0.0
    for w, space in pieces:
        if used and used + space + w > width:
            lines, used = lines + 1, w
        else:
            used += (space if used else 0.0) + w
    return lines


def _steps(pieces: list[tuple[float, float]], least: float) -> list[tuple[float, int]]:
    """Return the (width, lines) at which the number of lines of `pieces` drops, from `least` up."""
    out = [(least, _lines(pieces, least))]
    width = least
    while out[-1][1] > 1:
        # the narrowest wider line that takes one more piece onto some line
        lines, used, grow = [], 0.0, []
        for w, space in pieces:
            if used and used + space + w > width:
                grow.append(used + space + w)
                lines.append(used)
                used = w
            else:
                used += (space if used else 0.0) + w
        width = min(grow)
        count = _lines(pieces, width)
        if count < out[-1][1]:
            out.append((width, count))
    return out


#: What a line of the table's height weighs against a line more in one cell (a cell broken in two
#: reads worse even where its row is two lines high anyway).
_ROW = 2


def column_widths(columns: list[list[str]], geo: Geometry) -> list[float]:
    """Return the widths in points (summing to `geo.line`) of the columns whose cells' texts are
    `columns` (one list of texts a column, the same rows in each): each at least its longest
    unbreakable piece, the rest of the line given where it saves most lines (of the table's height,
    and of its cells: `_ROW`) for the width it takes, by first-fit line breaking (Typst's, in
    unjustified paragraphs); what is left pro rata. Refuses nothing."""
    pad = 2 * INSET + SLACK
    n = len(columns)
    cells = [[_pieces(t, geo.size) for t in texts] for texts in columns]
    least = [max((w for ps in col for w, _ in ps), default=0.0) + pad for col in cells]
    line, low = geo.line, sum(least)
    if low >= line:  # not even the pieces fit: the narrowest overflow there can be
        return [w * line / low for w in least]
    # each cell's lines as a step function of its column's width: (width, row, lines from that width)
    rows = max((len(col) for col in columns), default=0)
    events = [
        sorted((w + pad, r, k) for r, ps in enumerate(col) for w, k in _steps(ps, w0 - pad)[1:])
        for col, w0 in zip(cells, least)
    ]
    current = [[_lines(col[r], w0 - pad) if r < len(col) else 1 for col, w0 in zip(cells, least)] for r in range(rows)]
    widths = list(least)
    left = line - low
    while left > 1e-6:
        best: tuple[float, int, float] | None = None
        # the tallest and second tallest cell of each row: a row's height without column c
        tops = [sorted(row, reverse=True)[:2] + [1] for row in current]
        for c in range(n):
            others = [top[1] if row[c] == top[0] else top[0] for row, top in zip(current, tops)]
            mine = [row[c] for row in current]
            saved = 0.0
            for w, r, k in events[c]:
                if w <= widths[c] + 1e-9 or k >= mine[r]:
                    continue
                if w > widths[c] + left:
                    break
                o = others[r]
                saved += _ROW * (max(o, mine[r]) - max(o, k)) + mine[r] - k
                mine[r] = k
                if saved > 0 and (best is None or saved / (w - widths[c]) > best[0] + 1e-12):
                    best = (saved / (w - widths[c]), c, w)
        if best is None:
            break
        _, c, w = best
        left -= w - widths[c]
        widths[c] = w
        for ew, r, k in events[c]:
            if ew <= w + 1e-9:
                current[r][c] = min(current[r][c], k)
    total = sum(widths)
    return [w * line / total for w in widths]


def _cell_text(cell: list) -> str:
    return " ".join(stringify(block.get("c", [])) for block in cell[4] if isinstance(block, dict))


def _rows(table: list) -> list[list]:
    head, bodies, foot = table[3], table[4], table[5]
    rows = list(head[1])
    for body in bodies:
        rows.extend(body[2])
        rows.extend(body[3])
    rows.extend(foot[1])
    return [row[1] for row in rows]


def _fit(table: list, geo: Geometry) -> list:
    """Return the content of a pandoc Table with widths fitted to its text (or as it was)."""
    specs = table[2]
    if all(spec[1].get("t") == "ColWidthDefault" for spec in specs):
        return table
    columns: list[list[str]] = [[] for _ in specs]
    for cells in _rows(table):
        if len(cells) != len(specs) or any(c[2] != 1 or c[3] != 1 for c in cells):
            return table  # a span: not measured
        for n, c in enumerate(cells):
            columns[n].append(_cell_text(c))
    widths = column_widths(columns, geo)
    fitted = [[spec[0], {"t": "ColWidth", "c": w / geo.line}] for spec, w in zip(specs, widths)]
    return [table[0], table[1], fitted, *table[3:]]


def fit_table(node: dict, geo: Geometry) -> dict:
    """Return the pandoc Table `node` with widths fitted to its text (`column_widths`) when it has
    relative column widths and no cell spanning rows or columns, else `node`. Refuses nothing."""
    return {"t": "Table", "c": _fit(node["c"], geo)} if node.get("t") == "Table" else node
