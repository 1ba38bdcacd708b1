"""Document metadata: province, reviewed period, period of the plan, meeting, publication date.

Read from the headline, the lines around it (page dates) and the first sentences of the article;
nothing is guessed from nothing: a text that names no province gets none, a text that reports no
meeting gets no meeting. Contradictions are kept as written and reported as warnings (a review of
2018 dated 19/01/2018, a meeting after the page's date).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from giaoban.errors import ProvinceError
from giaoban.periods import Period, find_periods
from giaoban.provinces import Province, load_provinces

from giaoban.extract.model import Meeting
from giaoban.extract.page import Block
from giaoban.extract.sentences import split_sentences

__all__ = ["Metadata", "read_metadata", "find_dates", "DATE"]

#: A date as reports write it: 17/7/2019, 23/07/2021, 26-02-2019, 19.07.2019, or 15/01 (no year).
DATE = re.compile(r"(?<![\d/.-])(?P<d>[0-3]?\d)(?P<sep>[/.-])(?P<m>[01]?\d)(?:(?P=sep)(?P<y>(?:19|20)\d\d))?"
                  r"(?![\d]|[/.-]\d)")
_WORDS_DATE = re.compile(r"(?i)ngày\s+(?P<d>[0-3]?\d)\s+tháng\s+(?P<m>[01]?\d)(?:\s+năm\s+(?P<y>(?:19|20)\d\d))?")
_MEETING_TYPES = [
    ("hoi_nghi_cbcc", re.compile(r"(?i)hội\s+nghị\s+(?:cán\s+bộ,?\s+công\s+chức|cbcc|cbccvc|công\s+chức,?"
                                 r"\s+viên\s+chức|cán\s+bộ,?\s+viên\s+chức)")),
    ("so_ket", re.compile(r"(?i)sơ\s+kết")),
    ("tong_ket", re.compile(r"(?i)tổng\s+kết")),
    ("giao_ban", re.compile(r"(?i)giao\s+ban")),
]
_HELD = re.compile(r"(?i)tổ\s+chức|diễn\s+ra|họp|khai\s+mạc|chủ\s+trì")
_PLAN_WORDS = re.compile(r"(?i)nhiệm\s+vụ|phương\s+hướng|kế\s+hoạch|triển\s+khai|trọng\s+tâm|định\s+hướng")
_REVIEW_WORDS = re.compile(r"(?i)sơ\s+kết|tổng\s+kết|giao\s+ban|kết\s+quả|đánh\s+giá|báo\s+cáo|hoạt\s+động")
# Words before a province name that say it is the department's own province, and their weight.
_STRONG = re.compile(r"(?i)(?:sở\s+(?:kh&cn|khcn|khoa\s+học\s+(?:và\s+)?công\s+nghệ)[\s\n]*(?:tỉnh|thành\s+phố|tp\.?)?"
                     r"|(?:ubnd|ủy\s+ban\s+nhân\s+dân|uỷ\s+ban\s+nhân\s+dân|hđnd|hội\s+đồng\s+nhân\s+dân)\s+(?:tỉnh|thành\s+phố)"
                     r"|tỉnh\s+ủy|tỉnh\s+uỷ|thành\s+ủy|ngành\s+kh&cn)[\s\n]*$")
_PREFIXED = re.compile(r"(?i)(?:tỉnh|thành\s+phố|tp\.?)[\s\n]*$")


@dataclass
class Metadata:
    """What the document is about, and what contradicts what."""

    title: str | None = None
    province: Province | None = None
    period: Period | None = None
    for_period: Period | None = None
    meeting: Meeting = field(default_factory=Meeting)
    published: date | None = None
    year: int | None = None
    warnings: list[str] = field(default_factory=list)


def _to_date(d: str, m: str, y: str | None, year: int | None) -> date | None:
    year = int(y) if y else year
    if year is None:
        return None
    try:
        return date(year, int(m), int(d))
    except ValueError:
        return None


def find_dates(text: str, year: int | None = None) -> list[tuple[date, int, int]]:
    """Return the dates written in `text` as (date, start, end); a date without a year takes
    `year` and is skipped when `year` is None; impossible dates (31/02) are skipped."""
    out = []
    for m in list(DATE.finditer(text)) + list(_WORDS_DATE.finditer(text)):
        d = _to_date(m["d"], m["m"], m["y"], year)
        if d is not None:
            out.append((d, m.start(), m.end()))
    return sorted(out, key=lambda x: x[1])


def _fmt(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def _published(text: str, blocks: list[Block], title: int | None) -> tuple[date | None, tuple[int, int] | None]:
    """The page's date: in the headline or in a short block next to it."""
    if title is None:
        return None, None
    order = [title, title + 1, title - 1, title + 2]
    for i in order:
        if 0 <= i < len(blocks) and (i == title or blocks[i].words <= 10):
            found = find_dates(text[blocks[i].start:blocks[i].end])
            if found:
                d, s, e = found[0]
                return d, (blocks[i].start + s, blocks[i].start + e)
    return None, None


def _title_text(text: str, blocks: list[Block], title: int | None, date_span) -> str | None:
    if title is None:
        return None
    b = blocks[title]
    end = b.end
    if date_span and b.start <= date_span[0] < b.end:
        end = date_span[0]
    return re.sub(r"[\s\u00a0]*\(?[\s\u00a0]*$", "", text[b.start:end]).strip() or None


def _title_periods(title: str, year: int | None) -> tuple[Period | None, Period | None]:
    """Return (reviewed, planned) periods named by the headline."""
    with_year = [p for p, _s, _e in find_periods(title)]
    guess = with_year[0].year if with_year else year
    reviewed = planned = None
    previous_end = 0
    for period, start, end in find_periods(title, guess):
        segment = title[previous_end:start]
        previous_end = end
        is_plan = _PLAN_WORDS.search(segment) and not _REVIEW_WORDS.search(segment)
        if is_plan and planned is None:
            planned = period
        elif not is_plan and reviewed is None:
            reviewed = period
    return reviewed, planned


def _following(period: Period) -> Period | None:
    """The period a plan made at the end of `period` is for: H1 → H2, 9M → Q4, FY → next FY."""
    try:
        if period.kind == "M":
            months = period.months
            return {9: Period.quarter(period.year, 4), 3: Period.quarter(period.year, 2)}.get(months)
        return period.next()
    except Exception:  # noqa: BLE001 - an edge period has no successor: no plan period then
        return None


def _body_period(text: str, blocks: list[Block], year: int | None, planned: Period | None) -> Period | None:
    """The reviewed period when the headline names none: the one right before the plan, else the
    period the article names most often."""
    found = [p for b in blocks if b.role == "body" for p, _s, _e in find_periods(text[b.start:b.end], year)]
    if planned is not None:
        before = [p for p in found if p.end + timedelta(days=1) == planned.start and p.kind != "MULTI"]
        if before:
            return Counter(before).most_common(1)[0][0]
    candidates = [p for p in found if p.kind != "MULTI" and (planned is None or p.end < planned.start)]
    return Counter(candidates).most_common(1)[0][0] if candidates else None


def _meeting(text: str, blocks: list[Block], title: str | None, year: int | None) -> tuple[Meeting, str | None]:
    """The meeting the article reports: its type and date, from the sentence that says it was held."""
    body = [b for b in blocks if b.role == "body"][:4]
    for block in body:
        for s in split_sentences(text, block.start, block.end)[:3]:
            sentence = text[s.start:s.end]
            if not _HELD.search(sentence):
                continue
            kind = next((code for code, rx in _MEETING_TYPES if rx.search(sentence)), None)
            if kind is None:
                continue
            dates = find_dates(sentence[:_HELD.search(sentence).start() + 40], year)
            return Meeting(kind, dates[0][0] if dates else None), sentence
    if title:
        kind = next((code for code, rx in _MEETING_TYPES if rx.search(title)), None)
        if kind:
            return Meeting(kind, None), None
    return Meeting(), None


def _province(text: str, blocks: list[Block], on) -> tuple[Province | None, list[str]]:
    registry = load_provinces()
    scores: Counter = Counter()
    units: dict[str, Province] = {}
    for block in blocks:
        if block.role in ("furniture", "duplicate"):
            continue
        chunk = text[block.start:block.end]
        try:
            found = registry.mentions(chunk, on=on)
        except ProvinceError:
            continue
        for unit, start, _end in found:
            before = text[max(0, block.start + start - 60):block.start + start]
            weight = 5 if _STRONG.search(before) else 2 if _PREFIXED.search(before) else 1
            # The page header ("SỞ KHOA HỌC VÀ CÔNG NGHỆ\n\nTỈNH QUẢNG NGÃI") spans two blocks.
            if block.role == "preamble" and _PREFIXED.search(before):
                weight = 5
            scores[unit.slug] += weight
            units[unit.slug] = unit
    if not scores:
        return None, ["văn bản không nêu tên tỉnh/thành phố nào: để trống tỉnh"]
    ranked = scores.most_common()
    warnings = []
    if len(ranked) > 1 and ranked[1][1] * 2 >= ranked[0][1]:
        listed = ", ".join(f"{units[s].name_vi} ({n} điểm)" for s, n in ranked[:3])
        warnings.append(f"văn bản nêu nhiều tỉnh: {listed}; chọn {units[ranked[0][0]].name_vi}")
    return units[ranked[0][0]], warnings


def read_metadata(text: str, blocks: list[Block]) -> Metadata:
    """Return the document's metadata, with warnings for what is missing or contradictory."""
    meta = Metadata()
    title_index = next((i for i, b in enumerate(blocks) if b.role == "title"), None)
    meta.published, date_span = _published(text, blocks, title_index)
    meta.title = _title_text(text, blocks, title_index, date_span)
    hint = meta.published.year if meta.published else None
    meeting, _sentence = _meeting(text, blocks, meta.title, hint)
    meta.meeting = meeting
    meta.year = (meeting.date or meta.published).year if (meeting.date or meta.published) else None
    reviewed, planned = _title_periods(meta.title or "", meta.year)
    if reviewed is None:
        reviewed = _body_period(text, blocks, meta.year, planned)
    if planned is None and reviewed is not None:
        planned = _following(reviewed)
    meta.period, meta.for_period = reviewed, planned
    if reviewed is not None:
        meta.year = reviewed.year if meta.year is None else meta.year
    on = meeting.date or meta.published or (reviewed.end if reviewed else None)
    meta.province, warnings = _province(text, blocks, on)
    meta.warnings.extend(warnings)
    meta.warnings.extend(_contradictions(meta))
    return meta


def _contradictions(meta: Metadata) -> list[str]:
    out = []
    if meta.period is None:
        out.append("không xác định được kỳ báo cáo (tiêu đề và bài không nêu kỳ nào)")
    d = meta.meeting.date
    if meta.meeting.type and d is None:
        out.append("văn bản nêu cuộc họp nhưng không nêu ngày họp")
    if d is not None and meta.period is not None and not meta.period.is_reviewable_on(d, early_days=20):
        hint = ""
        if meta.published and meta.period.is_reviewable_on(meta.published, early_days=20):
            try:
                guess = d.replace(year=meta.published.year)
                if meta.period.is_reviewable_on(guess, early_days=20) and guess <= meta.published:
                    hint = f"; bài đăng ngày {_fmt(meta.published)}, có lẽ là {_fmt(guess)}"
            except ValueError:
                pass
        out.append(f"ngày họp {_fmt(d)} mâu thuẫn với kỳ báo cáo {meta.period.code} (kỳ kết thúc "
                   f"{_fmt(meta.period.end)}): giữ ngày như văn bản viết{hint}")
    if d is not None and meta.published is not None and d > meta.published:
        out.append(f"ngày họp {_fmt(d)} sau ngày đăng bài {_fmt(meta.published)}")
    if meta.published is not None and meta.period is not None and meta.published < meta.period.start:
        out.append(f"bài đăng ngày {_fmt(meta.published)} trước khi kỳ {meta.period.code} bắt đầu")
    return out
