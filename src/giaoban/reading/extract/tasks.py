"""Focus tasks: what a report sets for a later period.

Reports write them in four ways, tried in this order:

1. ordinal paragraphs: `Một là …`, `Hai là …` … (or `Thứ nhất, …`, `Thứ hai, …`);
2. bullets (`- `, `+ `, `• `, `a) `, `1. `) under a heading that names `nhiệm vụ trọng tâm`,
   `phương hướng`, `nhiệm vụ chủ yếu` … (an introduction ending with `:` may stand between);
3. an inline list after `các nhiệm vụ trọng tâm như …` or `… các nội dung: …`, split at `;` and at
   full stops, in a sentence about a later period or with `cần`, `đề nghị`, `tập trung`;
4. when none of these is found: the one paragraph that opens with a later period and says what the
   department will do (`6 tháng còn lại của năm 2019, ngành sẽ tiếp tục …`).

The period a task is for is the later period named where the list is introduced, else the
document's plan period.
"""

from __future__ import annotations

import re

from giaoban.domain.periods import Period, find_periods

from giaoban.reading.extract.model import FocusTask
from giaoban.reading.extract.page import Block
from giaoban.reading.extract.sentences import split_sentences

__all__ = ["find_focus_tasks"]

_ORDINALS = ["một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín", "mười", "mười một", "mười hai"]
_THU = ["nhất", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười"]
_ORDINAL_PARA = re.compile(
    r"[\s\u00a0]*(?:(?P<la>" + "|".join(sorted(_ORDINALS, key=len, reverse=True)) + r")[\s\u00a0]+là"
    r"|thứ[\s\u00a0]+(?P<thu>" + "|".join(_THU) + r"))(?![^\W_])[\s\u00a0]*[:,.]?[\s\u00a0]*",
    re.IGNORECASE,
)
_BULLET = re.compile(r"[\s\u00a0]*(?:[-–+•*]|[a-zđ]\)|\d{1,2}[.)])[\s\u00a0]+", re.IGNORECASE)
_HEADING = re.compile(
    r"(?i)nhiệm\s+vụ\s+trọng\s+tâm|phương\s+hướng|nhiệm\s+vụ\s+chủ\s+yếu|"
    r"giải\s+pháp\s+trọng\s+tâm|nhiệm\s+vụ,\s+giải\s+pháp|nhiệm\s+vụ\s+năm\s+\d{4}"
)
_INLINE = re.compile(
    r"(?i)(?:nhiệm\s+vụ\s+trọng\s+tâm|nội\s+dung\s+trọng\s+tâm|giải\s+pháp\s+trọng\s+tâm"
    r"|nhiệm\s+vụ\s+chủ\s+yếu|các\s+nội\s+dung|những\s+nội\s+dung|các\s+nhiệm\s+vụ\s+sau"
    r"|những\s+nhiệm\s+vụ\s+sau)(?:[\s\u00a0]+(?:sau|như|gồm|là|chính))?[\s\u00a0]*(?::|như)"
    r"[\s\u00a0]*"
)
_PLAN_SENTENCE = re.compile(r"(?i)(?<!\w)(?:cần|đề\s+nghị|tập\s+trung|sẽ|phấn\s+đấu|yêu\s+cầu)(?!\w)")
_FUTURE = re.compile(r"(?i)(?<!\w)(?:sẽ|tiếp\s+tục|tập\s+trung|phấn\s+đấu|đẩy\s+mạnh)(?!\w)")
_TRAILING = re.compile(r"(?:[\s\u00a0]*(?:\./\.|[;,][\s\u00a0]*(?:…|\.{2,})?|(?<!\.)\.(?!\.)))+[\s\u00a0]*$")


def _clean_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim spaces, a closing `./.` and a trailing separator (`;`, `,...`, `.`) from a task."""
    while start < end and text[start] in " \u00a0\t\n":
        start += 1
    m = _TRAILING.search(text, start, end)
    if m and m.start() > start:
        end = m.start()
    while end > start and text[end - 1] in " \u00a0\t\n":
        end -= 1
    return start, end


def _later_period(text: str, year: int | None, reviewed: Period | None) -> Period | None:
    for period, _s, _e in find_periods(text, year):
        if reviewed is None or period.start > reviewed.end:
            return period
    return None


def _ordinal_index(m: re.Match) -> int:
    if m["la"]:
        return _ORDINALS.index(re.sub(r"\s+", " ", m["la"].lower())) + 1
    return _THU.index(m["thu"].lower()) + 1


def _ordinal_lists(text: str, body: list[Block]) -> list[tuple[int, list[tuple[int, int]]]]:
    """Runs of `Một là …` paragraphs: (index in body of the first, task spans)."""
    runs, i = [], 0
    while i < len(body):
        m = _ORDINAL_PARA.match(text, body[i].start, body[i].end)
        if m and _ordinal_index(m) == 1:
            spans, expected, j = [], 1, i
            while j < len(body):
                mj = _ORDINAL_PARA.match(text, body[j].start, body[j].end)
                if not mj or _ordinal_index(mj) != expected:
                    break
                spans.append(_clean_span(text, mj.end(), body[j].end))
                expected, j = expected + 1, j + 1
            if len(spans) >= 2:
                runs.append((i, spans))
                i = j
                continue
        i += 1
    return runs


def _bullet_lists(text: str, body: list[Block]) -> list[tuple[int, list[tuple[int, int]]]]:
    """Bullets under a heading naming focus tasks: (index in body of the heading, task spans)."""
    runs = []
    for i, block in enumerate(body):
        chunk = text[block.start : block.end]
        if _BULLET.match(chunk) or block.words > 25 or not _HEADING.search(chunk):
            continue
        j = i + 1
        intro = 0
        while (
            j < len(body)
            and not _BULLET.match(text, body[j].start)
            and intro < 2
            and text[body[j].start : body[j].end].rstrip().endswith(":")
        ):
            j, intro = j + 1, intro + 1
        spans = []
        while j < len(body) and _BULLET.match(text, body[j].start, body[j].end):
            m = _BULLET.match(text, body[j].start, body[j].end)
            spans.append(_clean_span(text, m.end(), body[j].end))
            j += 1
        if len(spans) >= 2:
            runs.append((i, spans))
    return runs


def _inline_lists(
    text: str, body: list[Block], year: int | None, reviewed: Period | None
) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """Lists inside a sentence after `các nhiệm vụ trọng tâm như …`: (block index, lead-in end, spans)."""
    found = []
    for i, block in enumerate(body):
        for s in split_sentences(text, block.start, block.end):
            m = _INLINE.search(text, s.start, s.end)
            if not m or m.end() >= block.end:
                continue
            head = text[block.start : m.start()]
            if not (_later_period(head, year, reviewed) or _PLAN_SENTENCE.search(text[s.start : m.start()])):
                continue
            spans = []
            for piece in re.finditer(r"[^;]+", text[m.end() : block.end]):
                for sub in split_sentences(text, m.end() + piece.start(), m.end() + piece.end()):
                    span = _clean_span(text, sub.start, sub.end)
                    if span[1] - span[0] > 3:
                        spans.append(span)
            if len(spans) >= 2:
                found.append((i, m.start(), spans))
            break
    return found


def find_focus_tasks(
    text: str, blocks: list[Block], reviewed: Period | None, for_period: Period | None, year: int | None
) -> list[FocusTask]:
    """Return the focus tasks of the body blocks, numbered 1, 2, … in the order of the text."""
    body = [b for b in blocks if b.role == "body"]
    tasks: list[FocusTask] = []

    def add(spans: list[tuple[int, int]], lead_in: str) -> None:
        period = _later_period(lead_in, year, reviewed) or for_period
        for start, end in spans:
            tasks.append(FocusTask(len(tasks) + 1, text[start:end], start, end, period.code if period else None))

    taken: set[int] = set()
    for i, spans in _ordinal_lists(text, body):
        add(spans, text[body[i - 1].start : body[i - 1].end] if i > 0 else "")
        taken.update(range(i, i + len(spans)))
    for i, spans in _bullet_lists(text, body):
        if i in taken:
            continue
        add(spans, " ".join(text[b.start : b.end] for b in body[i : i + 3]))
        taken.update(range(i, i + len(spans) + 3))
    for i, lead_end, spans in _inline_lists(text, body, year, reviewed):
        if i in taken:
            continue
        add(spans, text[body[i].start : lead_end])
        taken.add(i)
    if not tasks:
        for block in body:
            head = text[block.start : min(block.end, block.start + 60)]
            period = _later_period(head, year, reviewed)
            if period is not None and _FUTURE.search(text[block.start : block.end]):
                start, end = _clean_span(text, block.start, block.end)
                end = block.end if text[block.end - 1 : block.end] == "." else end
                tasks.append(FocusTask(1, text[start:end], start, end, period.code))
                break
    tasks.sort(key=lambda t: t.start)
    for n, task in enumerate(tasks, start=1):
        task.ordinal = n
    return tasks
