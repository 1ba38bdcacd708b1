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
from giaoban.domain.periods import Period, find_periods, find_year_to_date
from giaoban.domain.provinces import Province, load_provinces

from giaoban.reading.extract.model import Meeting
from giaoban.reading.extract.page import Block
from giaoban.reading.extract.sentences import split_sentences

__all__ = ["Metadata", "read_metadata", "find_dates", "DATE"]

#: A date as reports write it: 17/7/2019, 23/07/2021, 26-02-2019, 19.07.2019, or 15/01 (no year).
DATE = re.compile(
    r"(?<![\d/.-])(?P<d>[0-3]?\d)(?P<sep>[/.-])(?P<m>[01]?\d)(?:(?P=sep)(?P<y>(?:19|20)\d\d))?"
    r"(?![\d]|[/.-]\d)"
)
_WORDS_DATE = re.compile(r"(?i)ngày\s+(?P<d>[0-3]?\d)\s+tháng\s+(?P<m>[01]?\d)(?:\s+năm\s+(?P<y>(?:19|20)\d\d))?")
_MEETING_TYPES = [
    (
        "hoi_nghi_cbcc",
        re.compile(
            r"(?i)hội\s+nghị\s+(?:cán\s+bộ,?\s+công\s+chức|cbcc|cbccvc|công\s+chức,?"
            r"\s+viên\s+chức|cán\s+bộ,?\s+viên\s+chức)"
        ),
    ),
    ("so_ket", re.compile(r"(?i)sơ\s+kết")),
    ("tong_ket", re.compile(r"(?i)tổng\s+kết")),
    ("giao_ban", re.compile(r"(?i)giao\s+ban")),
]
_HELD = re.compile(r"(?i)tổ\s+chức|diễn\s+ra|họp|khai\s+mạc|chủ\s+trì")
_PLAN_WORDS = re.compile(r"(?i)nhiệm\s+vụ|phương\s+hướng|kế\s+hoạch|triển\s+khai|trọng\s+tâm|định\s+hướng|mục\s+tiêu")
# "kế hoạch hoạt động", "nhiệm vụ công tác": the activity word belongs to the plan, it reviews nothing.
_PLAN_OF_ACTIVITY = re.compile(r"(?i)(kế\s+hoạch|phương\s+hướng|nhiệm\s+vụ|mục\s+tiêu)\s+(?:hoạt\s+động|công\s+tác)")
_REVIEW_WORDS = re.compile(r"(?i)sơ\s+kết|tổng\s+kết|giao\s+ban|kết\s+quả|đánh\s+giá|báo\s+cáo|hoạt\s+động")
# Words before a province name that say it is the department's own province, and their weight.
_STRONG = re.compile(
    r"(?i)(?:sở\s+(?:kh&cn|khcn|khoa\s+học\s+(?:và\s+)?công\s+nghệ)[\s\n]*(?:tỉnh|thành\s+phố|tp\.?)?"
    r"|(?:ubnd|ủy\s+ban\s+nhân\s+dân|uỷ\s+ban\s+nhân\s+dân|hđnd|hội\s+đồng\s+nhân\s+dân)\s+(?:tỉnh|thành\s+phố)"
    r"|tỉnh\s+ủy|tỉnh\s+uỷ|thành\s+ủy|ngành\s+kh&cn)[\s\n]*$"
)
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
    #: Where the reviewed period was read: "title", "first paragraph", "body", "year to date"
    #: (from the page's or meeting's date: "đến nay"), "plan" (a plan: its period), or None.
    period_source: str | None = None


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
    order = [title, title + 1, title - 1, title + 2, title - 2]
    for i in order:
        if 0 <= i < len(blocks) and (i == title or blocks[i].words <= 10):
            found = find_dates(text[blocks[i].start : blocks[i].end])
            if i == title:  # a date the headline states as a period's end is not the page's date
                found = [
                    f
                    for f in found
                    if not re.search(
                        r"(?i)(?:đến|tới|từ|tính|hết|ngày)\s*$", text[blocks[i].start : blocks[i].start + f[1]]
                    )
                ]
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
    return re.sub(r"[\s\u00a0]*\(?[\s\u00a0]*$", "", text[b.start : end]).strip() or None


def _title_periods(title: str, year: int | None, on: date | None = None) -> tuple[Period | None, Period | None]:
    """Return (reviewed, planned) periods named by the headline. A headline that names no year takes
    `year`, or the year before when the reviewed period would then end after the day `on` (the meeting
    or the page's date: "tổng kết năm" held in January 2020 reviews 2019)."""
    with_year = [p for p, _s, _e in find_periods(title)]
    if not with_year and year is not None and on is not None:
        reviewed, planned = _title_periods_in(title, year)
        if reviewed is not None and not _not_after(reviewed, on):
            return _title_periods_in(title, year - 1)
        return reviewed, planned
    return _title_periods_in(title, with_year[0].year if with_year else year)


def _not_after(period: Period, on: date | None) -> bool:
    """Whether `period` ends by the day `on` (20 days of grace: year-end reviews held in December)."""
    return on is None or period.end - timedelta(days=20) <= on


def _loose_months(text: str, year: int | None) -> Period | None:
    """ "7 tháng", "10 tháng qua" in a headline without "năm": the first N months of `year`."""
    m = re.search(r"(?i)(?<![\w/.,])(\d{1,2})\s*tháng(?!\s*\d)(?:\s+(?:qua|vừa\s+qua|đầu\s+năm))?", text)
    if m is None or year is None or not 1 <= int(m.group(1)) <= 12:
        return None
    before = text[max(0, m.start() - 12) : m.start()]
    if re.search(r"(?i)(?:sau|vòng|hơn|gần|kéo\s+dài)\s*$", before):  # a duration, not a period
        return None
    return Period.first_months(year, int(m.group(1)))


def _title_periods_in(title: str, guess: int | None) -> tuple[Period | None, Period | None]:
    reviewed = planned = None
    previous_end = 0
    for period, start, end in find_periods(title, guess):
        segment = _PLAN_OF_ACTIVITY.sub(r"\1", title[previous_end:start])
        previous_end = end
        is_plan = _PLAN_WORDS.search(segment) and not _REVIEW_WORDS.search(segment)
        if is_plan and planned is None:
            planned = period
        elif not is_plan and reviewed is None:
            reviewed = period
    if reviewed is None and planned is None and not find_periods(title, guess):
        reviewed = _loose_months(title, guess) or _loose_year(title, guess)
    return reviewed, planned


def _loose_year(text: str, year: int | None) -> Period | None:
    """ "tổng kết công tác năm", "sơ kết hoạt động năm" (no year written): the whole `year`."""
    m = re.search(
        r"(?i)(?:tổng\s+kết|báo\s+cáo|kết\s+quả)(?:\s+(?:công\s+tác|hoạt\s+động|[^\W\d_]+)){0,3}?\s+năm"
        r"(?!\s*\d)(?!\s+(?:học|mới|tới|sau|nay))",
        text,
    )
    return Period.full_year(year) if m and year is not None else None


def _following(period: Period) -> Period | None:
    """The period a plan made at the end of `period` is for: H1 → H2, 9M → Q4, FY → next FY."""
    try:
        if period.kind == "YTD":  # "đến ngày 16/11": the rest of the year has no code of its own
            return None
        if period.kind == "M":
            months = period.months
            return {9: Period.quarter(period.year, 4), 3: Period.quarter(period.year, 2)}.get(months)
        return period.next()
    except Exception:  # noqa: BLE001 - an edge period has no successor: no plan period then
        return None


def _body_period(
    text: str, blocks: list[Block], year: int | None, planned: Period | None, on: date | None = None
) -> Period | None:
    """The reviewed period when the headline names none: the one right before the plan, else the
    period the article names most often (none ending after the day `on`, the meeting or page date;
    phrases without a year take `year`, or the year before when that gives none)."""
    body = [b for b in blocks if b.role == "body"]
    found = [p for b in body for p, _s, _e in find_periods(text[b.start : b.end], year)]
    if planned is not None:
        before = [p for p in found if p.end + timedelta(days=1) == planned.start and p.kind != "MULTI"]
        if before:
            return Counter(before).most_common(1)[0][0]
    candidates = [
        p for p in found if p.kind != "MULTI" and (planned is None or p.end < planned.start) and _not_after(p, on)
    ]
    if not candidates and year is not None and on is not None:
        found = [p for b in body for p, _s, _e in find_periods(text[b.start : b.end], year - 1)]
        candidates = [
            p for p in found if p.kind != "MULTI" and (planned is None or p.end < planned.start) and _not_after(p, on)
        ]
    return Counter(candidates).most_common(1)[0][0] if candidates else None


_REVIEW_LEAD = re.compile(
    r"(?i)(?:trong|kết\s+quả|sơ\s+kết|tổng\s+kết|đánh\s+giá|qua|thực\s+hiện|hoạt\s+động"
    r"|công\s+tác)[^.;]{0,40}$"
)


def _first_paragraph(blocks: list[Block]) -> tuple[int, int] | None:
    """The span of the article's first paragraph (its first body block)."""
    body = next((b for b in blocks if b.role == "body"), None)
    return (body.start, body.end) if body else None


def _first_paragraph_period(
    text: str, span: tuple[int, int] | None, year: int | None, planned: Period | None, on: date | None
) -> Period | None:
    """A period the first paragraph names as the one reviewed (`Trong 6 tháng đầu năm 2019, …`,
    `kết quả giai đoạn 2017-2019`): not a plan's, not ending after the day `on`."""
    if span is None:
        return None
    chunk = text[span[0] : span[1]]
    for period, start, _end in find_periods(chunk, year):
        head = chunk[max(0, start - 50) : start]
        if planned is not None and period.end >= planned.start:
            continue
        if re.search(r"(?i)(?:so\s+với|cùng\s+kỳ|bằng|hơn)(?:\s+cùng\s+kỳ)?\s*$", head):
            continue  # "tăng 15% so với cùng kỳ năm 2020": a comparison, not the period reviewed
        if not _not_after(period, on) or (period.kind == "FY" and not _REVIEW_LEAD.search(head)):
            continue
        if _PLAN_WORDS.search(head[-25:]) and not _REVIEW_WORDS.search(head[-25:]):
            continue
        return period
    return None


def _meeting(text: str, blocks: list[Block], title: str | None, year: int | None) -> tuple[Meeting, str | None]:
    """The meeting the article reports: its type and date, from the sentence that says it was held."""
    body = [b for b in blocks if b.role == "body"][:4]
    for block in body:
        for s in split_sentences(text, block.start, block.end)[:3]:
            sentence = text[s.start : s.end]
            if not _HELD.search(sentence):
                continue
            kind = next((code for code, rx in _MEETING_TYPES if rx.search(sentence)), None)
            if kind is None:
                continue
            dates = find_dates(sentence[: _HELD.search(sentence).start() + 40], year)
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
        chunk = text[block.start : block.end]
        try:
            found = registry.mentions(chunk, on=on)
        except ProvinceError:
            continue
        for unit, start, _end in found:
            before = text[max(0, block.start + start - 60) : block.start + start]
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
    on = meeting.date or meta.published
    reviewed, planned, meta.period_source, notes = _report_period(text, blocks, meta.title or "", meta.year, on)
    meta.warnings.extend(notes)
    if planned is None and reviewed is not None:
        planned = reviewed if meta.period_source == "plan" else _following(reviewed)
    meta.period, meta.for_period = reviewed, planned
    if reviewed is not None:
        if meta.year is None or (on is not None and reviewed.last_year < meta.year and reviewed.kind != "MULTI"):
            meta.year = reviewed.last_year
    on = meeting.date or meta.published or (reviewed.end if reviewed else None)
    meta.province, warnings = _province(text, blocks, on)
    meta.warnings.extend(warnings)
    meta.warnings.extend(_contradictions(meta))
    return meta


def _report_period(
    text: str, blocks: list[Block], title: str, year: int | None, on: date | None
) -> tuple[Period | None, Period | None, str | None, list[str]]:
    """Return (reviewed, planned, where the reviewed period was read, warnings). In this order: the
    headline; a day the headline states (`tính đến ngày 16/11/2018`); the period before the plan;
    the first paragraph; `từ đầu năm đến nay` in the headline or first paragraph (to the meeting's or
    page's date, with a warning); the period the article names most often; a plan's own period."""
    reviewed, planned = _title_periods(title, year, on)
    if reviewed is not None:
        return reviewed, planned, "title", []
    first = _first_paragraph(blocks)
    head = title + "\n" + (text[first[0] : first[1]] if first else "")
    ytd = find_year_to_date(head, year, on)
    stated = next((f for f in ytd if f.stated and _not_after(f.period, on)), None)
    if stated is not None and stated.start < len(title):
        return stated.period, planned, "title", []
    if planned is not None:
        before = _body_period(text, blocks, year, planned, on)
        if before is not None and before.end + timedelta(days=1) == planned.start:
            return before, planned, "body", []
    found = _first_paragraph_period(text, first, year, planned, on)
    if found is not None:
        return found, planned, "first paragraph", []
    if stated is not None:
        return stated.period, planned, "first paragraph", []
    unstated = next((f for f in ytd if not f.stated), None)
    if unstated is not None and on is not None:
        return (
            unstated.period,
            planned,
            "year to date",
            [
                f"kỳ báo cáo “{head[unstated.start : unstated.end]}” không nêu ngày cuối: lấy đến ngày "
                f"{_fmt(on)} (ngày họp hoặc ngày đăng bài), kỳ {unstated.period.code}; hãy kiểm tra"
            ],
        )
    body = _body_period(text, blocks, year, planned, on)
    if body is not None:
        return body, planned, "body", []
    if planned is not None:
        return planned, planned, "plan", [f"văn bản chỉ nêu kỳ kế hoạch {planned.code}: số liệu được coi là của kỳ đó"]
    return None, None, None, []


def _contradictions(meta: Metadata) -> list[str]:
    out = []
    if meta.period is None:
        out.append("không xác định được kỳ báo cáo (tiêu đề và bài không nêu kỳ nào): để trống kỳ, không đoán")
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
        out.append(
            f"ngày họp {_fmt(d)} mâu thuẫn với kỳ báo cáo {meta.period.code} (kỳ kết thúc "
            f"{_fmt(meta.period.end)}): giữ ngày như văn bản viết{hint}"
        )
    if d is not None and meta.published is not None and d > meta.published:
        out.append(f"ngày họp {_fmt(d)} sau ngày đăng bài {_fmt(meta.published)}")
    if meta.published is not None and meta.period is not None and meta.published < meta.period.start:
        out.append(f"bài đăng ngày {_fmt(meta.published)} trước khi kỳ {meta.period.code} bắt đầu")
    return out
