"""Sentences, clauses and sentence parts, with their offsets in the text.

A report sentence often states many figures: `Tổ chức 01 hội đồng …, 02 hội đồng tư vấn … (01 …
và 01 …), 01 hội đồng nghiệm thu …; tổ chức nghiệm thu 04 nhiệm vụ …`. This module cuts a block
into sentences (at `.`, `!`, `?`, `…` before a capital, a digit or a bullet, not after an
abbreviation such as `TP.` or `TS.`), and gives, for any position, the clause (between `;` at the
same bracket depth) and the part (between `,` or `;` at the same depth, or before `và` + number)
that holds it. Brackets `()`, `[]` and quotation marks `“”`, `"` nest: a comma inside brackets
separates parts of the bracket, not of the sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Sentence", "split_sentences", "depths", "enclosing", "part_bounds", "clause_bounds"]

_ABBREVIATIONS = frozenset(
    {
        "tp",
        "ts",
        "ths",
        "pgs",
        "gs",
        "bs",
        "ks",
        "cn",
        "th.s",
        "ts.bs",
        "đ/c",
        "v.v",
        "st",
        "tt",
        "ông",
        "bà",
        "mr",
        "ms",
        "no",
        "tr",
        "p",
        "q",
        "x",
        "h",
        "tx",
    }
)
_END = re.compile(r"(?:[.!?]+|…)(?:/\.)?(?=[\s\u00a0]+(?P<next>[\"“'(\-–•+*]?[\s\u00a0]*\w))")
_OPEN, _CLOSE = "([{“", ")]}”"


@dataclass(frozen=True)
class Sentence:
    """A sentence at `start:end` of the text (`end` after its final punctuation, if any)."""

    start: int
    end: int


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Sentence]:
    """Return the sentences of `text[start:end]`, with offsets in `text`."""
    end = len(text) if end is None else end
    out: list[Sentence] = []
    begin = start
    for m in _END.finditer(text, start, end):
        following = m.group("next")[-1]
        if not (following.isupper() or following.isdigit()):
            continue
        word = re.search(r"([^\s\u00a0]*)$", text[begin : m.start()]).group(1).lower()
        if word.rstrip(".") in _ABBREVIATIONS or re.fullmatch(r"[a-zđ]", word):
            continue
        if _depth_at(text, begin, m.start()) > 0:
            continue
        out.append(Sentence(begin, m.end()))
        begin = m.end()
        while begin < end and text[begin].isspace():
            begin += 1
    if begin < end and text[begin:end].strip():
        stop = end
        while stop > begin and text[stop - 1].isspace():
            stop -= 1
        out.append(Sentence(begin, stop))
    return out


def _depth_at(text: str, start: int, pos: int) -> int:
    return depths(text, start, pos + 1)[-1] if pos >= start else 0


def depths(text: str, start: int, end: int) -> list[int]:
    """Return, for each character of `text[start:end]`, its nesting depth in brackets and quotes.

    An opening bracket or quotation mark has the depth outside it, its contents one more; a
    straight `"` opens a quotation when none is open and closes it otherwise.
    """
    out = []
    depth = 0
    straight_open = False
    for ch in text[start:end]:
        if ch in _OPEN:
            out.append(depth)
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
            out.append(depth)
        elif ch == '"':
            if straight_open:
                depth = max(0, depth - 1)
                out.append(depth)
            else:
                out.append(depth)
                depth += 1
            straight_open = not straight_open
        else:
            out.append(depth)
    return out


def enclosing(text: str, sentence: Sentence, pos: int, level: list[int] | None = None) -> tuple[int, int]:
    """Return the bounds of the innermost bracket group (or the sentence) around `pos`."""
    level = level if level is not None else depths(text, sentence.start, sentence.end)
    d = level[pos - sentence.start]
    if d == 0:
        return sentence.start, sentence.end
    lo = pos
    while lo > sentence.start and level[lo - 1 - sentence.start] >= d:
        lo -= 1
    hi = pos
    while hi < sentence.end and level[hi - sentence.start] >= d:
        hi += 1
    return lo, hi


def _bounds(
    text: str, sentence: Sentence, pos: int, separators: str, level: list[int], before_number_and: bool
) -> tuple[int, int]:
    lo, hi = enclosing(text, sentence, pos, level)
    d = level[pos - sentence.start]

    def is_separator(i: int) -> bool:
        if text[i] not in separators or level[i - sentence.start] != d:
            return False
        return not (0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit())  # 71,1

    start = pos
    while start > lo and not is_separator(start - 1):
        start -= 1
    end = pos
    while end < hi and not is_separator(end):
        end += 1
    if before_number_and:
        # A following piece without a number belongs to this part: "… 18 sở, ban, ngành".
        while end < hi and text[end] == ",":
            nxt = end + 1
            while nxt < hi and not is_separator(nxt):
                nxt += 1
            if re.search(r"\d", text[end + 1 : nxt]):
                break
            end = nxt
        # "… 18 sở, ban, ngành và 8 huyện": `và` before a number starts a new part.
        for m in re.finditer(r"[\s\u00a0]và[\s\u00a0]+(?=(?:trên|hơn|gần|khoảng|có)?[\s\u00a0]*\d)", text[start:end]):
            cut = start + m.start() + 1
            if level[cut - sentence.start] != d:
                continue
            if cut <= pos:
                start = cut
            elif cut < end:
                end = cut
                break
    while start < end and text[start] in " \u00a0\t\n":
        start += 1
    while end > start and text[end - 1] in " \u00a0\t\n":
        end -= 1
    return start, end


def clause_bounds(text: str, sentence: Sentence, pos: int, level: list[int] | None = None) -> tuple[int, int]:
    """Return the bounds of the clause around `pos`: between `;` at the depth of `pos`."""
    level = level if level is not None else depths(text, sentence.start, sentence.end)
    return _bounds(text, sentence, pos, ";", level, before_number_and=False)


def part_bounds(text: str, sentence: Sentence, pos: int, level: list[int] | None = None) -> tuple[int, int]:
    """Return the bounds of the sentence part around `pos`: between `,` or `;` at its depth, or
    before ` và ` + number."""
    level = level if level is not None else depths(text, sentence.start, sentence.end)
    return _bounds(text, sentence, pos, ",;", level, before_number_and=True)
