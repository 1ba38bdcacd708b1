"""Figures: the numbers of a report that state a result or a plan of the department's work.

Vietnamese counts are written number + noun (`07 giấy phép`, `trên 500 sinh viên`, `1đề tài`);
labels are noun + number (`đợt 3`, `nhóm 2`, `lần thứ 3`, `khóa XII`, `Hội nghị Trung ương 6`).
The pipeline, one small function per step:

1. `number_tokens`: every run of digits (with `.`/`,` grouping, `/`, `:` or `-` inside);
2. `read_number`: what the token is. Refused, with the reason (`Rejection`): dates, years, times,
   document numbers (`43/QĐ-UBND`, `190-CTr/TU`), phone numbers, codes glued to letters (`E5`,
   `Covid-19`, `5k`), standard names (`ISO 9001:2015`, `QCVN 01:2015`, `Ron 92`), labels and
   ordinals, numbers inside quotation marks (names), limits (`không quá 30 người`), durations and
   attributes (`05 ngày làm việc`, `nhà 03 tầng`: classes of `lexicon_units.csv`), and a number
   with no noun after it. Accepted (`Candidate`): value, qualifier (`trên`, `hơn`, `gần`,
   `khoảng`, `lên tới`…), ratio (`13/14 mẫu`), percentage, money (in đồng), unit;
   A range `từ 10 đến 15 doanh nghiệp` is one candidate (`_merge_ranges`: value 10, value_high
   15); a zero stated in words where violations are counted (`không phát hiện vi phạm`) is one too
   (`_zero_candidates`: value 0, written `không`);
3. `_frame`: the words around each figure: its lead (before, back to the clause start or the
   previous figure; taken from the previous figure when it has no verb of its own: `…, 02 hội
   đồng`), its noun and the rest of its sentence part; the quote;
4. `_link_parts`: breakdowns, in brackets (`13 nhiệm vụ (5 cấp tỉnh, 8 cấp cơ sở)`) or after
   `trong đó`: the parts point to their total (`part_of`);
5. `_measure` and `_kind`: level, percent of plan (`đạt 96,15% kế hoạch`), change (`tăng 40% so
   với năm 2014`); actual or plan (a sentence or paragraph about a later period, `sẽ`, `dự kiến`);
6. the indicator, from the lexicon (`lexicon.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from giaoban.errors import NumberError
from giaoban.domain.numbers import QUALIFIERS, parse_number
from giaoban.domain.periods import Period, find_periods

from giaoban.reading.extract.lexicon import Lexicon, Unit, load_lexicon, normalize
from giaoban.reading.extract.model import Fact
from giaoban.reading.extract.page import Block, split_blocks
from giaoban.reading.extract.sentences import Sentence, clause_bounds, depths, part_bounds, split_sentences

__all__ = ["Candidate", "Rejection", "number_tokens", "read_number", "find_figures", "Setting"]

_SP = "[ \u00a0\t\n]"
_TOKEN = re.compile(r"(?<![\d])\d+(?:[.,:/\-–]\d+)*")
_WORD = re.compile(r"[^\W\d_][\w&'’]*(?:[/\-][\w&'’]+)*")

# Words before a number that make it a label or an ordinal, whatever follows (lower case).
_LABEL_BEFORE = frozenset(
    """
    thứ lần đợt khóa khoá kỳ phiên tầng mục điều khoản điểm chương bước vòng lô gói hạng nhóm quý
    tháng ngày năm tuần giai_đoạn trung_ương tw tổ khu quận phường km quốc_lộ ql tỉnh_lộ đường
    phòng số_hiệu phụ_lục biểu mẫu_số hồ_sơ_số quy_định phiên_bản version khóa_học lớp_học
    chương_trình đề_án nghị_quyết quyết_định nghị_định thông_tư chỉ_thị kết_luận luật tiêu_chuẩn
    quy_chuẩn hội_nghị kỳ_họp đại_hội
""".split()
)
# Two words ending with a label word that still count what follows: `danh mục 14 nhiệm vụ`.
_NOT_LABEL_BEFORE = frozenset("danh_mục".split())
# Standard and model prefixes: `ISO 9001`, `TCVN 5699`, `Ron 92`, `Euro 4`.
_CODE_BEFORE = frozenset(
    "iso tcvn qcvn iec astm en jis gmp haccp ron euro e a vietgap globalgap covid sars h5n1 iso/iec bs din".split()
)
_DATE_BEFORE = frozenset("ngày hôm sáng chiều tối đêm trưa từ đến tới trước sau lúc hạn đầu cuối giữa".split())
_PHONE_BEFORE = re.compile(
    r"(?i)(?:điện\s+thoại|đt|sđt|fax|hotline|tel|di\s+động|đường\s+dây\s+nóng)"
    r"[\s.:]*(?:[\d\s.()+-]*)$"
)
_LIMIT_BEFORE = re.compile(r"(?i)(?:không\s+(?:vượt\s+)?quá|tối\s+đa|giới\s+hạn|không\s+được\s+quá)" + _SP + r"*$")
# Function words: a lead made of these (and fewer than 3 other words) has no verb of its own.
_FUNCTION = frozenset(
    """
    và có trong đó gồm bao là với cho tại các những của đã được thêm khác còn lại cùng ngoài ra
    cụ thể như sau này kia số tổng cộng
""".split()
)
# Words that end the noun after a number (besides punctuation).
_STOP = frozenset(
    """
    cho tại của về đạt không chưa được đã đang sẽ và với thuộc trong theo từ do để là có ở nhằm
    sang đối trên dưới so gồm như các những hoặc hay tới đến bằng qua vào đều cần phải nên vì
    mà thì này đó kể
""".split()
)
# A lead ending with one of these names who received the action of the figure before.
_RECIPIENT = re.compile(r"(?i)(?<!\w)(?:cho|tại|với|đối\s+với|tới|đến)[\s\u00a0]*$")
# Words a quote does not end with.
_DANGLING = frozenset("cho và với tại của về là có từ theo để trong đến tới các những".split())
# A noun starting with one of these after a number in a breakdown takes the total's unit:
# `13 nhiệm vụ (5 cấp tỉnh, 8 cấp cơ sở)`.
_MODIFIER = frozenset("cấp loại mới cũ chuyển".split())
_MONEY = re.compile(
    r"(?P<scale>nghìn\s+tỷ|ngàn\s+tỷ|nghìn|ngàn|triệu|tr\.?|tỷ|tỉ)?"
    + _SP
    + r"*(?P<cur>đồng|vnđ|vnd|đ)(?![^\W_])|(?P<abbr>trđ|tr\.đ)(?![^\W_])",
    re.IGNORECASE,
)
_SCALE_ONLY = re.compile(r"(?P<scale>nghìn\s+tỷ|ngàn\s+tỷ|nghìn|ngàn|triệu|tỷ|tỉ)(?![^\W_])", re.IGNORECASE)
_SCALES = {
    "nghìn tỷ": 10**12,
    "ngàn tỷ": 10**12,
    "nghìn": 10**3,
    "ngàn": 10**3,
    "triệu": 10**6,
    "tr": 10**6,
    "tr.": 10**6,
    "tỷ": 10**9,
    "tỉ": 10**9,
}
_MONEY_CONTEXT = re.compile(
    r"(?i)kinh\s+phí|vốn|ngân\s+sách|giải\s+ngân|tiền|phạt|dự\s+toán|"
    r"tài\s+trợ|doanh\s+thu|giá\s+trị|chi\s+phí|đầu\s+tư"
)
_PERCENT = re.compile(_SP + r"*(?:%|phần\s+trăm(?![^\W_]))", re.IGNORECASE)
# Qualifiers written before a number, longest first; `tới`/`đến` only after these words.
_QUALIFIER_WORDS = sorted(QUALIFIERS, key=len, reverse=True)
_UP_TO_AFTER = frozenset("lên có đạt là với gồm cộng hút tăng giảm nhiều".split())
_ALMOST_EXTRA = {"chưa đến": "almost", "chưa tới": "almost", "gần như": "almost"}
_PLAN_MARKERS = re.compile(
    r"(?i)(?<!\w)(?:sẽ|dự\s+kiến|phấn\s+đấu|mục\s+tiêu|chỉ\s+tiêu|cần|"
    r"định\s+hướng|đặt\s+ra|kế\s+hoạch\s+năm\s+\d{4}\s+là)(?!\w)"
)
_PLAN_TARGET = re.compile(
    r"(?i)^(?:[\s\u00a0(]*(?:so\s+với|theo|của)?[\s\u00a0]*)(?:kế\s+hoạch|kh(?!\w)|"
    r"dự\s+toán|chỉ\s+tiêu|mục\s+tiêu|nhiệm\s+vụ\s+được\s+giao)"
)
_PLAN_BEFORE = re.compile(r"(?i)(?:kế\s+hoạch|dự\s+toán|chỉ\s+tiêu)[^,;.]{0,40}(?:đạt|bằng|hoàn\s+thành)" + _SP + r"*$")
_CHANGE_BEFORE = re.compile(r"(?i)(?<!\w)(?P<dir>tăng|giảm)(?:\s+(?:thêm|trưởng|đi|lên|xuống))?" + _SP + r"*$")
_PREVIOUS_AFTER = re.compile(r"(?i)^[\s\u00a0]*so\s+với\s+(?:cùng\s+kỳ|năm|kỳ|quý|6\s+tháng)")
_BREAKDOWN = re.compile(r"(?i)(?<!\w)(?:trong\s+đó|bao\s+gồm|gồm|cụ\s+thể)(?!\w)")


@dataclass
class Rejection:
    """A number that is not a figure, and why (`date`, `year`, `document number`, `ordinal` …)."""

    start: int
    end: int
    reason: str


@dataclass
class Candidate:
    """A number read as a figure: value, qualifier, unit, and where each piece stands."""

    start: int  # of the number (as written)
    end: int
    as_written: str
    value: int | float
    qualifier: str | None = None
    qualifier_start: int | None = None
    denominator: int | None = None
    percent: bool = False
    money: bool = False
    unit: Unit | None = None
    unit_text: str | None = None
    noun_end: int = 0  # end of the unit and noun words after the number
    noun: str = ""
    needs_unit: bool = False
    depth: int = 0
    value_high: int | float | None = None  # a range `từ 10 đến 15`: its high end
    zero: bool = False  # a zero stated in words: `không phát hiện vi phạm`

    @property
    def lead_end(self) -> int:
        """Return where the words before the figure end (before its qualifier, if any)."""
        return self.qualifier_start if self.qualifier_start is not None else self.start

    @property
    def value_type(self) -> str:
        """Return `money`, `percent` or `count` (the catalogue's value types)."""
        return "money" if self.money else "percent" if self.percent else "count"


@dataclass
class Setting:
    """What figure-finding needs to know about the document: the reviewed period, the year that
    period phrases without one take, spans of focus tasks (plans), the lexicon."""

    period: Period | None = None
    for_period: Period | None = None
    year: int | None = None
    plan_spans: list[tuple[int, int, str | None]] = field(default_factory=list)
    lexicon: Lexicon | None = None


# ----------------------------------------------------------------------------- reading one number


def number_tokens(text: str, start: int = 0, end: int | None = None) -> list[re.Match]:
    """Return the digit runs of `text[start:end]` (`1.287`, `99,88`, `13/14`, `9001:2015`)."""
    end = len(text) if end is None else end
    return [m for m in _TOKEN.finditer(text, start, end) if m.end() <= end]


def _words_before(text: str, pos: int, lo: int, n: int = 3) -> list[str]:
    return [w.lower() for w in _WORD.findall(text[max(lo, pos - 60) : pos])][-n:]


def _adjacent_words(text: str, pos: int, lo: int) -> list[str]:
    """Return the (up to two) words right before `pos`, separated from it by spaces only."""
    m = re.search(r"(?:([^\W\d_][\w&]*)[ \u00a0]+)?([^\W\d_][\w&]*)[ \u00a0]*$", text[max(lo, pos - 40) : pos])
    return [w.lower() for w in m.groups() if w] if m else []


def _word_before_raw(text: str, pos: int, lo: int) -> str | None:
    m = re.search(r"([^\W\d_][\w&'’]*)[ \u00a0]*$", text[max(lo, pos - 40) : pos])
    return m.group(1) if m else None


def _qualifier(text: str, pos: int, lo: int) -> tuple[str | None, int | None]:
    before = text[max(lo, pos - 30) : pos]
    low = before.lower()
    for words, code in list(_ALMOST_EXTRA.items()) + [(w, QUALIFIERS[w]) for w in _QUALIFIER_WORDS]:
        m = re.search(r"(?<!\w)" + re.escape(words).replace(r"\ ", _SP + "+") + _SP + r"*$", low)
        if not m:
            continue
        start = pos - len(before) + m.start()
        if words in ("tới", "đến"):
            prior = _words_before(text, start, lo, 1)
            if not prior or prior[0] not in _UP_TO_AFTER:
                return None, None
        return code, start
    return None, None


def _shape_rejection(text: str, tok: re.Match, lo: int, hi: int) -> str | None:
    """Why the token's own shape or its glued neighbours make it no figure (None: it may be one)."""
    s, e, raw = tok.start(), tok.end(), tok.group()
    before = text[s - 1] if s > lo else ""
    after = text[e] if e < hi else ""
    after2 = text[e + 1] if e + 1 < hi else ""
    if before.isalpha() or (before in "-–/" and s - 2 >= lo and text[s - 2].isalnum()):
        return "code"  # E5, H5N1, Covid-19, …/2015
    if after in "/-–" and (after2.isalpha()):
        return "document number"  # 43/QĐ-UBND, 190-CTr/TU, 92-E5
    if after.isalpha():
        glued = re.match(r"[^\W\d_]+", text[e:hi]).group()
        if len(glued) == 1 or glued.isupper() or glued.lower() in ("oc", "h", "g"):
            return "code"  # 5k, 4G, 3D, 15oC, 8h30
    if ":" in raw:
        return "time or standard"  # 07:57:32, 9001:2015
    if re.search(r"\d[-–]\d", raw):
        return "date or range"  # 2019-2020, 26-02-2019, 3-5
    if "/" in raw:
        parts = raw.split("/")
        if len(parts) > 2 or len(parts[1]) == 4 or after == "/":
            return "date"
    digits = raw.replace(".", "").replace(",", "")
    if "/" not in raw and re.fullmatch(r"(?:19|20)\d\d", raw):
        return "year"
    if "/" not in raw and raw.startswith("0") and len(digits) >= 4:
        return "phone or code"
    if before == "(" and after == ")":
        return "enumeration"  # (1)
    line_start = text.rfind("\n", lo, s) + 1 if text.rfind("\n", lo, s) >= 0 else lo
    if (
        not text[max(line_start, lo) : s].strip(" \u00a0\t-–•*+")
        and after in ".)"
        and (e + 1 >= hi or text[e + 1] in " \u00a0\t")
    ):
        return "enumeration"  # 1. / 1)
    return None


def _context_rejection(
    text: str, tok: re.Match, lo: int, level: list[int], base: int, lexicon: Lexicon | None = None
) -> str | None:
    """Why the words before the token make it no figure (None: it may be one)."""
    s = tok.start()
    if level[s - base] > 0 and _in_quotes(text, base, s, level):
        return "name in quotation marks"
    words = _adjacent_words(text, s, lo)
    if words:
        last = words[-1]
        if (last in _LABEL_BEFORE or "_".join(words[-2:]) in _LABEL_BEFORE) and "_".join(
            words[-2:]
        ) not in _NOT_LABEL_BEFORE:
            return "ordinal or label"
        if (
            last == "số"
            and (len(words) < 2 or words[-2] not in ("tổng", "với", "có"))
            and lexicon is not None
            and lexicon.unit_at(text[tok.end() : tok.end() + 40].lstrip(" \u00a0")) is None
        ):
            return "number of an address or a document"  # số 15 đường Lê Lợi
        if last in _CODE_BEFORE:
            return "standard or code"
    if _PHONE_BEFORE.search(text[max(lo, s - 40) : s]):
        return "phone number"
    if _LIMIT_BEFORE.search(text[max(lo, s - 30) : s]):
        return "limit"
    return None


def _in_quotes(text: str, base: int, pos: int, level: list[int]) -> bool:
    """Return whether `pos` is inside quotation marks (not only brackets)."""
    d = level[pos - base]
    i = pos
    while i > base and d > 0:
        i -= 1
        if level[i - base] < d:
            if text[i] in '“"':
                return True
            d = level[i - base]
    return False


def _noun_after(text: str, pos: int, hi: int) -> tuple[str, int]:
    """Return the noun words after a number (up to 6, stopping at punctuation or a stop word)."""
    m = re.match(r"[ \u00a0]?", text[pos:hi])
    i = pos + (m.end() if m else 0)
    words: list[tuple[int, int]] = []
    while i < hi and len(words) < 6:
        wm = _WORD.match(text, i, hi)
        if not wm:
            break
        word = wm.group().lower()
        if words and word in _STOP:
            break
        if not words and word in _STOP:
            return "", pos
        words.append((wm.start(), wm.end()))
        sp = re.match(r"[ \u00a0]+", text[wm.end() : hi])
        if not sp or "\n" in text[wm.end() : wm.end() + (sp.end() if sp else 0)]:
            i = wm.end()
            break
        i = wm.end() + sp.end()
    if not words:
        return "", pos
    return text[words[0][0] : words[-1][1]], words[-1][1]


def read_number(
    text: str, tok: re.Match, sentence: Sentence, level: list[int], lexicon: Lexicon
) -> Candidate | Rejection:
    """Return what the number token `tok` of `sentence` is: a Candidate figure or a Rejection."""
    lo, hi = sentence.start, sentence.end
    s, e, raw = tok.start(), tok.end(), tok.group()
    reason = _shape_rejection(text, tok, lo, hi) or _context_rejection(text, tok, lo, level, lo, lexicon)
    if reason:
        return Rejection(s, e, reason)
    denominator = None
    number = raw
    if "/" in raw:
        number, den = raw.split("/")
        words = _words_before(text, s, lo, 1)
        unit = lexicon.unit_at(text[e:hi].lstrip(" \u00a0"))
        if (
            (words and words[0] in _DATE_BEFORE)
            or (int(den) <= 12 and unit is None)
            or int(number) > int(den)
            or int(den) == 0
        ):
            return Rejection(s, e, "date")
        denominator = int(den)
    try:
        value = parse_number(number)
    except NumberError:
        return Rejection(s, e, "not a Vietnamese number")
    qualifier, q_start = _qualifier(text, s, lo)
    cand = Candidate(s, e, raw, value, qualifier, q_start, denominator, depth=level[s - lo])
    rest = text[e:hi]
    pm = _PERCENT.match(rest)
    if pm and denominator is None:
        cand.percent, cand.unit_text, cand.noun_end = True, "%", e + pm.end()
        return cand
    mm = _MONEY.match(rest.lstrip(" \u00a0"))
    offset = len(rest) - len(rest.lstrip(" \u00a0"))
    if mm and denominator is None:
        scale = mm.group("scale") or ("triệu" if mm.group("abbr") else None)
        return _as_money(cand, scale, e + offset + mm.end())
    sm = _SCALE_ONLY.match(rest.lstrip(" \u00a0"))
    if sm and denominator is None:
        if _MONEY_CONTEXT.search(text[max(lo, s - 80) : s]):
            return _as_money(cand, sm.group("scale"), e + offset + sm.end())
        factor = _SCALES[re.sub(r"\s+", " ", sm.group("scale").lower())]
        cand.value = _whole(Decimal(str(value)) * factor)
        e = e + offset + sm.end()
    noun, noun_end = _noun_after(text, e, hi)
    gap = re.match(r"[ \u00a0]?", text[e:hi]).end()
    unit = lexicon.unit_at(text[e + gap : min(hi, e + gap + 60)])
    if unit is not None and len(normalize(noun)) < len(normalize(unit.written)):
        noun_end = e + gap + len(unit.written)
        noun = text[e + gap : noun_end]
    cand.noun, cand.noun_end = noun, noun_end
    if not noun:
        return _bare(text, cand, lo, lexicon)
    first = noun.split()[0].lower()
    if unit is not None:
        if unit.cls != "count":
            return Rejection(s, e, unit.cls)
        cand.unit = unit
        cand.unit_text = _as_unit_text(
            noun[: len(unit.written)] if normalize(noun).startswith(normalize(unit.written)) else unit.written
        )
        return cand
    if first in _MODIFIER:
        cand.needs_unit = True
        return cand
    before = _word_before_raw(text, cand.lead_end, lo)
    if before and before[0].isupper() and not _sentence_initial(text, cand.lead_end, lo):
        return Rejection(s, e, "name")  # Đề án 844, Trung ương 6
    syllables = noun.split()
    cand.unit_text = _as_unit_text(" ".join(syllables[:3] if len(syllables) == 3 else syllables[:2]))
    return cand


def _sentence_initial(text: str, pos: int, lo: int) -> bool:
    head = text[lo:pos]
    return len(_WORD.findall(head)) <= 1 or bool(re.search(r"[:;(\-–•]\s*[^\W\d_]+[ \u00a0]*$", head))


def _as_unit_text(words: str) -> str:
    words = " ".join(words.split())
    if words[:1].isupper() and not words.split()[0].isupper():
        return words[0].lower() + words[1:]
    return words


def _whole(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _as_money(cand: Candidate, scale: str | None, end: int) -> Candidate | Rejection:
    factor = _SCALES[re.sub(r"\s+", " ", scale.lower())] if scale else 1
    amount = Decimal(str(cand.value)) * factor
    if amount != amount.to_integral_value():
        return Rejection(cand.start, cand.end, "fraction of a đồng")
    cand.value, cand.money, cand.unit_text, cand.noun_end = int(amount), True, "đồng", end
    return cand


def _bare(text: str, cand: Candidate, lo: int, lexicon: Lexicon) -> Candidate | Rejection:
    """A number with no noun after it is a figure only after `số <noun> … là` or `:`."""
    lead = text[lo : cand.lead_end]
    m = re.search(r"(?i)(?:tổng\s+)?số\s+(?P<noun>[^\W\d_][^:;,.]*?)[^:;,.]*(?:là|:)[ \u00a0]*$", lead)
    if m:
        unit = lexicon.unit_at(m.group("noun"))
        if unit is not None and unit.cls == "count":
            cand.unit, cand.unit_text = unit, unit.written
            cand.noun_end = cand.end
            return cand
    cand.needs_unit = True
    cand.noun_end = cand.end
    return cand


# ----------------------------------------------------------------------------- a sentence's figures


@dataclass
class _Framed:
    cand: Candidate
    clause: tuple[int, int]
    part: tuple[int, int]
    lead_start: int
    lead: str = ""
    carried: str = ""
    tail_end: int = 0
    quote_start: int = 0
    quote_end: int = 0
    context: str = ""
    outer_start: int | None = None  # for a figure in brackets: where the part around them starts
    part_of: int | None = None  # index among the sentence's figures


def _last_words(text: str, n: int) -> str:
    """Return the last `n` words of `text` (with what stands between them)."""
    words = list(_WORD.finditer(text))
    return text[words[-n].start() :].strip() if len(words) > n else text.strip()


def _content_words(text: str) -> int:
    return sum(1 for w in _WORD.findall(text.lower()) if w not in _FUNCTION)


def _frame(text: str, sentence: Sentence, level: list[int], cands: list[Candidate], topic: str) -> list[_Framed]:
    framed: list[_Framed] = []
    for cand in cands:
        clause = clause_bounds(text, sentence, cand.start, level)
        part = part_bounds(text, sentence, cand.start, level)
        previous = [f for f in framed if f.cand.depth == cand.depth and clause[0] <= f.cand.start]
        lead_start = clause[0] if not previous else max(previous[-1].cand.noun_end, part[0])
        f = _Framed(cand, clause, part, lead_start)
        f.lead = text[lead_start : cand.lead_end]
        # Enclosing context for a figure in brackets: the words before the bracket.
        if cand.depth > 0:
            open_at = cand.start
            while open_at > sentence.start and level[open_at - 1 - sentence.start] >= cand.depth:
                open_at -= 1
            outer = part_bounds(text, sentence, max(sentence.start, open_at - 1), level)
            f.context = text[outer[0] : open_at]
            f.outer_start = outer[0]
            outer_clause = clause_bounds(text, sentence, max(sentence.start, open_at - 1), level)
            outer_text = text[outer_clause[0] : open_at]
        f.context = f.context + " | " + topic
        if _content_words(f.lead) == 0:
            source = next((g for g in reversed(framed) if g.cand.depth <= cand.depth), None)
            if source is not None:
                f.carried = source.carried + " " + source.lead
                if (
                    not cand.noun
                    or cand.unit is None
                    or len(cand.noun) <= len(cand.unit_text or "")
                    or _RECIPIENT.search(f.lead)
                ):  # "… 03 cuộc kiểm tra tại 19 cửa hàng"
                    f.carried += " " + source.cand.noun
            elif cand.depth > 0:
                f.carried = outer_text
        elif previous and previous[-1].clause == f.clause and _RECIPIENT.search(f.lead):
            # "tổ chức 03 lớp tập huấn … cho trên 500 sinh viên": the recipients of the action
            # of the figure before.
            source = previous[-1]
            f.carried = source.carried + " " + source.lead + " " + source.cand.noun
        if cand.unit is not None and normalize(cand.noun) == normalize(cand.unit.canonical):
            # "25 giấy phép tiến hành công việc bức xạ, gia hạn 12 giấy phép": a bare noun means
            # the same thing as the noun of the figure before with the same unit.
            fuller = next(
                (
                    g
                    for g in reversed(framed)
                    if g.cand.unit is not None
                    and g.cand.unit.canonical == cand.unit.canonical
                    and len(g.cand.noun) > len(cand.noun)
                ),
                None,
            )
            if fuller is not None:
                f.carried += " " + fuller.cand.noun
        framed.append(f)
    for i, f in enumerate(framed):
        following = [g for g in framed[i + 1 :] if g.part == f.part]
        f.tail_end = _tail_end(text, f, following[0] if following else None)
        quote_end = f.tail_end
        while True:  # no dangling "cho", "và" … at the end of a quote
            m = re.search(r"[ \u00a0,;:]*(?<!\w)([^\W\d_]+)[ \u00a0]*$", text[f.cand.noun_end : quote_end])
            if not m or m.group(1).lower() not in _DANGLING:
                break
            quote_end = f.cand.noun_end + m.start()
        own = text[f.lead_start : f.cand.lead_end]
        source = None
        if _content_words(f.lead) == 0 and f.carried and not _BREAKDOWN.search(own):
            source = next(
                (g for g in reversed(framed[:i]) if g.clause == f.clause and g.cand.depth <= f.cand.depth), None
            )
        if source is not None:
            start = source.quote_start
        elif not own.strip(" \u00a0,;:(") and f.outer_start is not None:
            start = f.outer_start  # "(21%)": quote the words before the bracket too
            while quote_end < f.part[1] + 1 and quote_end < sentence.end and text[quote_end] != ")":
                quote_end += 1
            quote_end = min(quote_end + 1, sentence.end)
        else:
            start = f.lead_start
        if _content_words(text[start : f.cand.start]) > 30:
            start = max(f.part[0], f.lead_start)
            if _content_words(text[start : f.cand.start]) > 30:  # still too long: the last words
                words = list(_WORD.finditer(text, start, f.cand.lead_end))
                start = words[-15].start()
        while start < f.cand.start and text[start] in " \u00a0,;:":
            start += 1
        f.quote_start = start
        f.quote_end = max(quote_end, f.cand.noun_end)
    # A list item with nothing after its noun takes the predicate of the next item:
    # `60 cột đo xăng dầu, 62 mẫu vàng … được giám định về đo lường`.
    for i in range(len(framed) - 2, -1, -1):
        f, g = framed[i], framed[i + 1]
        own_tail = text[f.cand.noun_end : f.tail_end].strip(" \u00a0,;")
        bare_noun = f.cand.unit is not None and len(normalize(f.cand.noun)) <= len(normalize(f.cand.unit.written))
        same_noun = (
            f.cand.unit is not None and g.cand.unit is not None and f.cand.unit.canonical == g.cand.unit.canonical
        )  # `1.045 PTĐ, 1.021 PTĐ đạt`: a subset
        if (
            not own_tail
            and bare_noun
            and not same_noun
            and not g.cand.zero
            and g.clause == f.clause
            and g.cand.depth == f.cand.depth
            and g.part != f.part
            and not text[g.lead_start : g.cand.lead_end].strip(" \u00a0,;")
        ):
            f.quote_end = g.quote_end
            f.tail_end = g.tail_end
    return framed


def _tail_end(text: str, f: _Framed, following: _Framed | None) -> int:
    """Return where the words after a figure's noun end: at its part's end, or before the next
    figure of the part, cut at the first `và`, `,` or `;` in between."""
    end = f.part[1] if following is None else following.cand.lead_end
    m = (
        re.search(r"[,;:]|(?<!\w)và(?!\w)", text[f.cand.noun_end : end])
        if following
        else re.search(r":", text[f.cand.noun_end : end])
    )
    if m:
        end = f.cand.noun_end + m.start()
    return max(end, f.cand.noun_end)


def _strip_nested(text: str) -> str:
    """Return `text` without the bracket groups that hold digits (the parts of a breakdown)."""
    previous = None
    while previous != text:
        previous, text = text, re.sub(r"\([^()]*\d[^()]*\)", " ", text)
    return text


def _link_parts(text: str, sentence: Sentence, level: list[int], framed: list[_Framed]) -> None:
    """Mark the parts of breakdowns: figures in a bracket right after a total, or after `trong đó`."""
    for i, total in enumerate(framed):
        t = total.cand
        if t.needs_unit or t.percent:
            continue
        parts: list[int] = []
        # In a bracket after the total, in its own sentence part.
        inner = [
            j
            for j in range(i + 1, len(framed))
            if framed[j].cand.depth == t.depth + 1 and total.part[0] <= framed[j].cand.start < total.part[1]
        ]
        if inner and not any(
            framed[k].cand.depth == t.depth and framed[k].part == total.part for k in range(i + 1, inner[0])
        ):
            parts = [j for j in inner if framed[j].cand.depth == t.depth + 1]
        # After `trong đó`, `gồm` … in the same clause.
        elif i + 1 < len(framed):
            nxt = framed[i + 1]
            between = text[t.noun_end : nxt.cand.start]
            # "05 cuộc thanh tra, kiểm tra, trong đó 03 cuộc …": a short gap may cross a comma
            near = nxt.clause == total.clause or len(_WORD.findall(between)) <= 5
            if nxt.cand.depth == t.depth and near and _BREAKDOWN.search(between):
                parts = [
                    j
                    for j in range(i + 1, len(framed))
                    if framed[j].clause == nxt.clause and framed[j].cand.depth == t.depth
                ]
        parts = [j for j in parts if _compatible(t, framed[j].cand)]
        if not parts:
            continue
        if not t.money and sum(framed[j].cand.value for j in parts) > t.value:
            continue
        for j in parts:
            framed[j].part_of = i
            if framed[j].cand.needs_unit:
                framed[j].cand.unit, framed[j].cand.unit_text = t.unit, t.unit_text
                framed[j].cand.needs_unit = False


def _compatible(total: Candidate, part: Candidate) -> bool:
    if total.money or part.money:
        return total.money and part.money
    if part.needs_unit or part.percent or part.denominator is not None:
        return part.needs_unit
    if total.unit is None or part.unit is None:
        return (total.unit_text or "") == (part.unit_text or "")
    # "05 cuộc thanh tra, trong đó 03 cuộc …": the part's noun may be the first word of the total's
    return total.unit.canonical == part.unit.canonical or normalize(total.unit.canonical).startswith(
        normalize(part.unit.canonical) + " "
    )


def _measure(text: str, sentence: Sentence, f: _Framed) -> tuple[str, int]:
    """Return (measure, sign): level, percent_of_plan, change_percent, change or percent_of_previous."""
    c = f.cand
    before = text[max(sentence.start, c.lead_end - 40) : c.lead_end]
    after = text[c.noun_end : min(sentence.end, c.noun_end + 60)]
    change = _CHANGE_BEFORE.search(before)
    if change:
        sign = -1 if change.group("dir").lower() == "giảm" else 1
        return ("change_percent" if c.percent else "change"), sign
    if c.percent:
        if _PLAN_TARGET.search(after) or _PLAN_BEFORE.search(before):
            return "percent_of_plan", 1
        if _PREVIOUS_AFTER.search(after) and re.search(r"(?i)(?:bằng|đạt)" + _SP + r"*$", before):
            return "percent_of_previous", 1
    return "level", 1


def _leading_period(text: str, sentence: Sentence, year: int | None) -> Period | None:
    """Return the period a sentence opens with (`Trong 6 tháng cuối năm 2021, …`), if any."""
    head = text[sentence.start : min(sentence.end, sentence.start + 70)]
    for period, start, _end in find_periods(head, year):
        prefix = head[:start]
        if len(_WORD.findall(prefix)) <= 3 and "," not in prefix:
            return period
    return None


def _after(later: Period, reviewed: Period | None) -> bool:
    return reviewed is not None and later.start > reviewed.end


_RANGE_BETWEEN = re.compile(r"[ \u00a0]*(?:đến|tới|-|–)[ \u00a0]*", re.IGNORECASE)
_RANGE_FROM = re.compile(r"(?i)(?<!\w)từ[ \u00a0]*$")


def _merge_ranges(text: str, sentence: Sentence, cands: list[Candidate]) -> list[Candidate]:
    """Return `cands` with each range `từ 10 đến 15 doanh nghiệp` made one candidate: the low end's
    value, the high end's unit and `value_high`, written from the first number to the second."""
    out: list[Candidate] = []
    i = 0
    while i < len(cands):
        a = cands[i]
        b = cands[i + 1] if i + 1 < len(cands) else None
        if (
            b is not None
            and a.qualifier is None
            and a.denominator is None
            and b.denominator is None
            and a.percent == b.percent
            and (a.needs_unit or a.percent)
            and a.depth == b.depth
            and _RANGE_FROM.search(text[sentence.start : a.lead_end])
            and _RANGE_BETWEEN.fullmatch(text[a.noun_end : b.lead_end])
        ):
            factor: Decimal = Decimal(1)
            if b.money:
                try:
                    factor = Decimal(str(b.value)) / Decimal(str(parse_number(b.as_written)))
                except (NumberError, ArithmeticError):
                    factor = Decimal(1)
            merged = Candidate(
                a.start,
                b.end,
                text[a.start : b.end],
                _whole(Decimal(str(a.value)) * factor),
                None,
                None,
                None,
                b.percent,
                b.money,
                b.unit,
                b.unit_text,
                b.noun_end,
                b.noun,
                b.needs_unit,
                a.depth,
                value_high=b.value,
            )
            out.append(merged)
            i += 2
            continue
        out.append(a)
        i += 1
    return out


# A zero stated in words where a count of violations is expected.
_ZERO = re.compile(
    r"(?i)(?<!\w)(?P<neg>không|chưa)[ \u00a0]+(?:phát[ \u00a0]+hiện|có|ghi[ \u00a0]+nhận)[ \u00a0]+"
    r"(?:(?P<noun>cơ[ \u00a0]+sở|trường[ \u00a0]+hợp|tổ[ \u00a0]+chức|cá[ \u00a0]+nhân|đơn[ \u00a0]+vị|"
    r"doanh[ \u00a0]+nghiệp|cửa[ \u00a0]+hàng|vụ)[ \u00a0]+)?(?:nào[ \u00a0]+)?"
    r"(?:vi[ \u00a0]+phạm|sai[ \u00a0]+phạm)(?!\w)"
)


def _zero_candidates(
    text: str, sentence: Sentence, level: list[int], lexicon: Lexicon, cands: list[Candidate]
) -> list[Candidate]:
    """Return a zero figure for each `không phát hiện vi phạm`, `không có cơ sở vi phạm` of the
    sentence (value 0, written `không`); the counted noun is the one named, else `trường hợp`."""
    out = []
    for m in _ZERO.finditer(text, sentence.start, sentence.end):
        if any(c.start <= m.start() < c.noun_end for c in cands):
            continue
        noun = " ".join((m.group("noun") or "trường hợp").split())
        cand = Candidate(
            m.start("neg"),
            m.end("neg"),
            m.group("neg"),
            0,
            noun_end=m.end(),
            noun=f"{noun} vi phạm",
            depth=level[m.start() - sentence.start],
            zero=True,
        )
        cand.unit = lexicon.unit_at(noun)
        cand.unit_text = noun
        out.append(cand)
    return out


def find_figures(text: str, blocks: list[Block] | None = None, setting: Setting | None = None) -> list[Fact]:
    """Return the figures of the body blocks of `text` (all of it when `blocks` is None), in order.

    Each fact has its value, unit, qualifier, kind, measure, period, part_of (an index in the
    returned list) and indicator (or None), and the quote that states it. Numbers that are not
    figures (see `read_number`) are left out; a figure without an indicator is kept.
    """
    setting = setting or Setting()
    lexicon = setting.lexicon or load_lexicon()
    if blocks is None:
        blocks = split_blocks(text)
        for b in blocks:
            b.role = "body"
    facts: list[Fact] = []
    seen: set[tuple] = set()
    sentence_index = 0
    section_period: Period | None = None
    for block in blocks:
        if block.role not in ("body",):
            continue
        heading = _heading_period(text, block, setting.year)
        if heading is not None:
            section_period = heading
        topic = _topic(text, block)
        context_period = section_period
        for sentence in split_sentences(text, block.start, block.end):
            lead_period = _leading_period(text, sentence, setting.year)
            if lead_period is not None:
                context_period = lead_period
            level = depths(text, sentence.start, sentence.end)
            cands = [
                c
                for c in (
                    read_number(text, tok, sentence, level, lexicon)
                    for tok in number_tokens(text, sentence.start, sentence.end)
                )
                if isinstance(c, Candidate)
            ]
            cands = _merge_ranges(text, sentence, cands)
            cands = sorted(cands + _zero_candidates(text, sentence, level, lexicon, cands), key=lambda c: c.start)
            if not cands:
                continue
            framed = _frame(text, sentence, level, cands, topic)
            _link_parts(text, sentence, level, framed)
            kept: dict[int, int] = {}
            sentence_index += 1
            for i, f in enumerate(framed):
                c = f.cand
                if c.needs_unit:
                    continue
                measure, sign = _measure(text, sentence, f)
                kind, period = _kind(text, sentence, f, context_period, setting)
                quote = text[f.quote_start : f.quote_end]
                key = (c.value, c.unit_text, measure, normalize(quote))
                if key in seen:
                    continue
                seen.add(key)
                value = -c.value if sign < 0 else c.value
                tail = _strip_nested(text[c.noun_end : f.tail_end])
                zero = _ZERO.search(tail) if not c.zero else None
                if zero:  # "tại 14 cơ sở, không phát hiện vi phạm": the violations are the zero's
                    tail = tail[: zero.start()]
                lead = _last_words(f.carried, 40) + " " + _last_words(f.lead, 40)
                before_here = [x for x in facts if x.sentence == sentence_index]
                if c.percent and before_here and re.fullmatch(r"(?i)[\W]*(?:đạt|bằng)[\W]*", f.lead.strip()):
                    # "giải ngân 7.905 triệu đồng, đạt 42,5% kế hoạch": the share of the figure before
                    lead = before_here[-1].lead + " " + before_here[-1].noun + " " + lead
                context = f.context
                if c.money:  # an amount belongs to the action of its sentence ("xử phạt … với số tiền")
                    context += " | " + text[sentence.start : c.start][-160:]
                fact = Fact(
                    value=value,
                    unit=c.unit_text,
                    quote=quote,
                    start=f.quote_start,
                    end=f.quote_end,
                    as_written=c.as_written,
                    number_start=c.start,
                    number_end=c.end,
                    qualifier=c.qualifier,
                    kind=kind,
                    measure=measure,
                    denominator=c.denominator,
                    unit_canonical=c.unit.canonical if c.unit else ("%" if c.percent else c.unit_text),
                    period=period.code if period else None,
                    part_of=kept.get(f.part_of) if f.part_of is not None else None,
                    lead=lead,
                    noun=c.noun,
                    tail=tail,
                    context=context,
                    value_type=c.value_type,
                    value_high=c.value_high,
                    sentence=sentence_index,
                    bare_lead=_content_words(f.lead) == 0,
                )
                kept[i] = len(facts)
                facts.append(fact)
    _assign_indicators(facts, lexicon)
    return facts


_TOPIC = re.compile(
    r"[\s\u00a0\-–•+*]*(?P<topic>(?:(?:đối\s+với|về|trong)\s+)?(?:công\s+tác|hoạt\s+động|lĩnh\s+vực)"
    r"[^:,;.]{0,80}?)[\s\u00a0]*[:,]",
    re.IGNORECASE,
)


def _topic(text: str, block: Block) -> str:
    """Return the subject a paragraph opens with (`- Công tác thanh tra:`, `Đối với hoạt động Sở
    hữu trí tuệ,`): words that tell the area of its figures, but no verb."""
    m = _TOPIC.match(text, block.start, block.end)
    return m.group("topic") if m else ""


def _heading_period(text: str, block: Block, year: int | None) -> Period | None:
    """Return the period named by a short heading block (`Phương hướng nhiệm vụ năm 2014.`)."""
    words = len(_WORD.findall(text[block.start : block.end]))
    if words > 15 or not re.search(
        r"(?i)phương\s+hướng|nhiệm\s+vụ|kế\s+hoạch|kết\s+quả", text[block.start : block.end]
    ):
        return None
    found = find_periods(text[block.start : block.end], year)
    return found[0][0] if found else None


def _kind(
    text: str, sentence: Sentence, f: _Framed, context: Period | None, setting: Setting
) -> tuple[str, Period | None]:
    """Return ("actual" or "plan", the period the figure is about)."""
    c = f.cand
    for start, end, period_code in setting.plan_spans:
        if start <= c.start < end:
            return "plan", Period.parse(period_code) if period_code else setting.for_period
    if context is not None and _after(context, setting.period):
        return "plan", context
    clause_head = text[f.clause[0] : c.lead_end]
    if _PLAN_MARKERS.search(clause_head):
        return "plan", setting.for_period
    return "actual", setting.period


def _assign_indicators(facts: list[Fact], lexicon: Lexicon) -> None:
    """Set each fact's indicator and area from the lexicon, so that no indicator is proposed twice for
    one statement: a part that would repeat its total's indicator gets none (the catalogue has no
    finer indicator for it), a total whose parts have indicators of their own that include the
    total's gets none (`05 cuộc thanh tra, trong đó 03 cuộc theo kế hoạch, 02 cuộc đột xuất`: the
    catalogue counts the parts), and a later figure of a sentence without a verb of its own and with
    another noun, that would repeat the indicator, kind and period of the one before, gets none
    (`xử phạt 04 tổ chức và 02 cá nhân`: one count of the catalogue, written in two; but `cấp mới 25
    giấy phép, gia hạn 12 giấy phép` keeps both)."""
    for fact in sorted(facts, key=lambda x: x.part_of is not None):
        total = facts[fact.part_of].indicator if fact.part_of is not None else None
        window = " ".join(x for x in (fact.lead, fact.as_written, fact.noun, fact.tail) if x)
        code = lexicon.indicator(
            value_type=fact.value_type,
            measure=fact.measure,
            unit=fact.noun or "",
            lead=fact.lead,
            window=window,
            context=fact.context,
            total=total,
        )
        fact.indicator = code
    for index, fact in enumerate(facts):
        parts = [f for f in facts if f.part_of == index]
        codes = {f.indicator for f in parts if f.indicator is not None}
        if fact.indicator is not None and len(codes) >= 2 and fact.indicator in codes:
            fact.indicator = None
        else:
            for part in parts:
                if part.indicator is not None and part.indicator == fact.indicator:
                    part.indicator = None
    taken: dict[tuple, Fact] = {}
    for fact in facts:
        key = (fact.sentence, fact.indicator, fact.kind, fact.measure, fact.period)
        earlier = taken.get(key)
        if (
            fact.indicator is not None
            and fact.sentence >= 0
            and earlier is not None
            and fact.bare_lead
            and fact.unit_canonical != earlier.unit_canonical
        ):
            fact.indicator = None
        taken.setdefault(key, fact)
    for fact in facts:
        fact.area = lexicon.areas.get(fact.indicator) if fact.indicator else None
