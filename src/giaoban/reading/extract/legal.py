"""Legal references: the decisions, resolutions, plans and regulations a report cites.

`Quyết định số 43/QĐ-UBND ngày 20/01/2021 của UBND tỉnh về ban hành Chương trình công tác năm
2021` gives number `43/QĐ-UBND`, type `Quyết định`, issuer `UBND tỉnh`, date 2021-01-20 and title
`ban hành Chương trình công tác năm 2021`. A number is `n/TYPE-ISSUER`, `n/year/TYPE-ISSUER`,
`n-TYPE/ISSUER` or `n/TYPE/ISSUER`; it is read with or without the document type before it (the type
then comes from the number). Technical regulations (`QCVN 01:2015/BKHCN`) are mandatory and are
references; national standards (`TCVN ISO 9001:2015`) are voluntary and are not. A document cited
twice is reported once, at its first citation.
"""

from __future__ import annotations

import re
from datetime import date

from giaoban.reading.extract.metadata import find_dates
from giaoban.reading.extract.model import LegalRef
from giaoban.reading.extract.page import Block

__all__ = ["find_legal_refs", "DOC_TYPES", "ISSUERS"]

#: Document types as written before a number, longest first.
DOC_TYPES = (
    "Thông tư liên tịch",
    "Chương trình hành động",
    "Quyết định",
    "Nghị quyết",
    "Nghị định",
    "Thông tư",
    "Chỉ thị",
    "Kế hoạch",
    "Chương trình",
    "Kết luận",
    "Công văn",
    "Thông báo",
    "Pháp lệnh",
    "Hướng dẫn",
    "Đề án",
    "Quy chế",
    "Quy định",
    "Báo cáo",
    "Tờ trình",
    "Công điện",
    "Văn bản",
    "Luật",
)
#: Type codes inside numbers, and the type they stand for.
_TYPE_CODES = {
    "QĐ": "Quyết định",
    "NQ": "Nghị quyết",
    "NĐ": "Nghị định",
    "TT": "Thông tư",
    "TTLT": "Thông tư liên tịch",
    "CT": "Chỉ thị",
    "KH": "Kế hoạch",
    "CTr": "Chương trình hành động",
    "KL": "Kết luận",
    "BC": "Báo cáo",
    "TB": "Thông báo",
    "HD": "Hướng dẫn",
    "CV": "Công văn",
    "QH": "Luật",
    "TTr": "Tờ trình",
    "CĐ": "Công điện",
}
#: Issuer codes at the end of numbers, and the issuer they stand for.
ISSUERS = {
    "UBND": "UBND tỉnh",
    "TTg": "Thủ tướng Chính phủ",
    "CP": "Chính phủ",
    "HĐND": "HĐND tỉnh",
    "TU": "Tỉnh ủy",
    "TW": "Ban Chấp hành Trung ương",
    "SKHCN": "Sở KH&CN",
    "BKHCN": "Bộ KH&CN",
    "QH": "Quốc hội",
    "BTC": "Bộ Tài chính",
    "BCT": "Bộ Công Thương",
    "BYT": "Bộ Y tế",
    "BTNMT": "Bộ Tài nguyên và Môi trường",
    "VPCP": "Văn phòng Chính phủ",
    "BNNPTNT": "Bộ Nông nghiệp và Phát triển nông thôn",
    "BKHĐT": "Bộ Kế hoạch và Đầu tư",
}

_CODE = r"[A-ZĐ][A-Za-zĐđ0-9&]*"
_NUMBER = rf"\d+(?:/\d{{4}})?(?:/|-){_CODE}(?:[-/]{_CODE})*"
_TYPES = "|".join(re.escape(t) for t in DOC_TYPES)
_REF = re.compile(
    rf"(?:(?P<type>(?i:{_TYPES}))[\s\u00a0]+(?:(?i:số)[\s\u00a0]*:?[\s\u00a0]*)?)?(?<![\w/-])"
    rf"(?P<number>{_NUMBER})(?![\w/])"
    r"|(?P<qcvn>QCVN[\s\u00a0]+\d+(?:-\d+)*(?::\d{4})?(?:/[A-ZĐ]+)?)"
)
_DATE_AFTER = re.compile(r"^[\s\u00a0,]*(?:được[\s\u00a0]+)?(?:ban[\s\u00a0]+hành[\s\u00a0]+)?ngày[\s\u00a0]+")
_ISSUER_TEXT = re.compile(
    r"^[\s\u00a0,]*của[\s\u00a0]+(?P<who>(?:(?![\s\u00a0]và[\s\u00a0])[^,;“\"(])*?)(?=[\s\u00a0]+(?:về|v/v|ban\s+hành|"
    r"triển\s+khai|thực\s+hiện|phê\s+duyệt|quy\s+định|hướng\s+dẫn)(?!\w)|[,;.(“\"]|$)"
)
_ABOUT = re.compile(r"^[\s\u00a0,]*(?:về[\s\u00a0]+việc|v/v|về)[\s\u00a0]+", re.IGNORECASE)
_VERB_TITLE = re.compile(
    r"^[\s\u00a0,]*(?=(?:triển\s+khai|thực\s+hiện|ban\s+hành|phê\s+duyệt|quy\s+định|"
    r"hướng\s+dẫn|giao|kiểm\s+tra|tiếp\s+tục)(?!\w))",
    re.IGNORECASE,
)


def _type_of(number: str) -> str | None:
    for code in re.split(r"[-/]", number):
        if code in _TYPE_CODES:
            return _TYPE_CODES[code]
        if re.fullmatch(r"QH\d*", code):
            return "Luật"
    return None


def _issuer_of(number: str, text_after: str) -> str | None:
    m = _ISSUER_TEXT.match(text_after)
    code_issuer = None
    parts = re.split(r"[-/]", number)
    for code in reversed(parts):
        if code in ISSUERS:
            code_issuer = ISSUERS[code]
            break
        if re.fullmatch(r"QH\d+", code):
            code_issuer = "Quốc hội"
            break
    if m and re.match(r"(?i)chủ\s+tịch", m["who"]) and code_issuer == "UBND tỉnh":
        return "Chủ tịch UBND tỉnh"
    if code_issuer:
        return code_issuer
    return " ".join(m["who"].split()) if m else (parts[-1] if len(parts) > 1 else None)


def _title(text: str, start: int, end: int) -> str | None:
    """The subject after `về việc`, `về`, or a verb (`triển khai …`), up to `;`, `,` or the end."""
    rest = text[start:end]
    m = _ISSUER_TEXT.match(rest)
    if m:
        rest = rest[m.end() :]
    about = _ABOUT.match(rest) or _VERB_TITLE.match(rest)
    if not about:
        return None
    rest = rest[about.end() :]
    quoted = re.match(r"[“\"]([^”\"]+)[”\"]", rest)
    if quoted:
        return quoted.group(1).strip()
    stop = re.search(
        r"[;]|,[\s\u00a0]+(?=(?:đồng\s+thời|trong|tiêu\s+biểu|ngành|sở|đã|nhằm|góp|theo|tại|"
        r"cùng|để|đảm\s+bảo|phải|ubnd|kết\s+quả|qua\s+đó)(?!\w))|\.(?:[\s\u00a0]|$)|"
        r"[\s\u00a0]\((?=\d\))|\n",
        rest,
        re.IGNORECASE,
    )
    title = rest[: stop.start()] if stop else rest
    title = re.sub(r"(?:[\s\u00a0,;]+(?:và|,))+[\s\u00a0]*$", "", " ".join(title.split())).rstrip(".…,; ")
    return title[:250] or None


_OWN_NUMBER = re.compile(r"(?i)(?<!\w)số[\s\u00a0]*:[\s\u00a0]*(?P<number>\d+[\w/.-]*/[\w/.&-]+)")


def own_numbers(text: str, blocks: list[Block]) -> set[str]:
    """Return the numbers the report gives itself: `Số: 125/BC-SKHCN` in its header, or any document
    number in the lines before the article (header, headline). The report being read is never one of
    its own references."""
    out: set[str] = set()
    for block in blocks:
        if block.role == "body":
            break
        chunk = text[block.start : block.end]
        out.update(m["number"] for m in _REF.finditer(chunk) if not m["qcvn"] and m["number"])
        out.update(m["number"].rstrip(".,;") for m in _OWN_NUMBER.finditer(chunk))
    return out


def find_legal_refs(text: str, blocks: list[Block]) -> list[LegalRef]:
    """Return the legal references cited in the body blocks, each document once, without the
    report's own number (see `own_numbers`)."""
    refs: list[LegalRef] = []
    seen: set[str] = own_numbers(text, blocks)
    for block in blocks:
        if block.role != "body":
            continue
        matches = list(_REF.finditer(text, block.start, block.end))
        for k, m in enumerate(matches):
            if m["qcvn"]:
                number = " ".join(m["qcvn"].split())
                doc_type, issuer = "QCVN", _issuer_of(number.split(" ", 1)[1], "")
            else:
                number = m["number"]
                written = m["type"]
                doc_type = _canonical_type(written) if written else _type_of(number)
                if doc_type is None:
                    continue  # a code like 92-E5 or 190-CTr without a type: not a document
                issuer = None
            if number in seen:
                continue
            seen.add(number)
            clause_end = _clause_end(text, m.end(), block.end)
            limit = matches[k + 1].start() if k + 1 < len(matches) else block.end
            limit = min(limit, clause_end)
            # The title runs past a cited document unless the two are listed (`… và Nghị quyết …`).
            title_end = limit
            if limit < clause_end and not re.search(r"(?:,|;|(?<!\w)và)[\s\u00a0]*$", text[m.end() : limit]):
                title_end = clause_end
            after = text[m.end() : limit]
            when: date | None = None
            dm = _DATE_AFTER.match(after)
            date_end = m.end()
            if dm:
                found = find_dates(after[dm.end() : dm.end() + 30])
                if found and found[0][1] == 0:
                    when = found[0][0]
                    date_end = m.end() + dm.end() + found[0][2]
            if when is None:
                later = re.search(r"ngày[\s\u00a0]+", after[:120])
                if later:
                    found = find_dates(after[later.end() : later.end() + 30])
                    if found and found[0][1] == 0:
                        when = found[0][0]
            if not m["qcvn"]:
                issuer = _issuer_of(number, text[date_end:limit])
            title = None if m["qcvn"] else _title(text, date_end, title_end)
            end = date_end
            refs.append(LegalRef(number, doc_type, issuer, when, title, text[m.start() : end], m.start(), end))
    return refs


def _canonical_type(written: str) -> str:
    for t in DOC_TYPES:
        if t.lower() == " ".join(written.split()).lower():
            return t
    return written


def _clause_end(text: str, start: int, end: int) -> int:
    m = re.search(r";|\.(?:[\s\u00a0]+[A-ZĐ]|$)", text[start:end])
    return start + m.start() if m else end
