"""Numbers, money, percentages and qualifiers, read and written the Vietnamese way.

Vietnamese reports write `.` between thousands and `,` before decimals: `1.287` = 1287,
`50.074.800` = 50074800, `99,88%` = 99.88. Leading zeros mean nothing (`01`, `08`).
Money is stored in one unit, the đồng, as an int (`11.497 triệu đồng` = 11_497_000_000).
Qualifiers (`trên 500`, `gần 100`) are kept: "more than 500" is not exactly 500.

Reading is Vietnamese only; writing takes `lang="vi"` (default) or `lang="en"` (`1,287`,
`99.88%`, `50,074,800 VND`, `more than 500`). Grouping and decimal marks come from babel's
locales `vi` and `en`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Literal

from babel.numbers import format_decimal

from giaoban.errors import InputError, NumberError

__all__ = [
    "MAX_SIGNIFICANT_DIGITS",
    "QUALIFIERS",
    "QUALIFIER_CODES",
    "MONEY_UNITS",
    "Quantity",
    "parse_number",
    "parse_quantity",
    "parse_money",
    "format_number",
    "format_percent",
    "format_money",
    "format_quantity",
    "qualifier_label",
]

Qualifier = Literal["more_than", "about", "almost", "up_to"]

#: More digits than this (leading zeros and trailing decimal zeros aside) is refused:
#: a float keeps 15 of them exactly, and no report figure needs more.
MAX_SIGNIFICANT_DIGITS = 15

#: Words written before a number, lower case and NFC, mapped to the qualifier code.
QUALIFIERS: dict[str, Qualifier] = {
    "trên": "more_than",
    "hơn": "more_than",
    "gần": "almost",
    "khoảng": "about",
    "xấp xỉ": "about",
    "trên dưới": "about",
    "tới": "up_to",
    "đến": "up_to",
    "lên tới": "up_to",
    "lên đến": "up_to",
}

#: The label written back for each code, by language.
_QUALIFIER_LABELS: dict[str, dict[str, str]] = {
    "vi": {"more_than": "trên", "about": "khoảng", "almost": "gần", "up_to": "tới"},
    "en": {"more_than": "more than", "about": "about", "almost": "almost", "up_to": "up to"},
}
QUALIFIER_CODES: tuple[str, ...] = ("more_than", "about", "almost", "up_to")

#: Units accepted by `format_money`, with their size in đồng and their English name.
MONEY_UNITS: dict[str, tuple[int, str]] = {
    "đồng": (1, "VND"),
    "nghìn đồng": (10**3, "thousand VND"),
    "triệu đồng": (10**6, "million VND"),
    "tỷ đồng": (10**9, "billion VND"),
    "nghìn tỷ đồng": (10**12, "trillion VND"),
}
# `auto` chooses among these, largest first.
_AUTO_UNITS = ("tỷ đồng", "triệu đồng", "đồng")

# Scale words written after a number, and their size.
_SCALES: dict[str, int] = {
    "nghìn tỷ": 10**12,
    "ngàn tỷ": 10**12,
    "nghìn tỉ": 10**12,
    "ngàn tỉ": 10**12,
    "nghìn": 10**3,
    "ngàn": 10**3,
    "triệu": 10**6,
    "tỷ": 10**9,
    "tỉ": 10**9,
}
_CURRENCIES = ("đồng", "vnđ", "vnd", "đ")

_LANGS = ("vi", "en")

_WS = re.compile(r"\s+")
_NUMBER_VI = re.compile(r"(?P<int>[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,(?P<frac>[0-9]+))?")
_NUMBER_EN = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_QUALIFIER_RE = re.compile(
    r"(?P<q>" + "|".join(re.escape(w) for w in sorted(QUALIFIERS, key=len, reverse=True)) + r")(?=\s|[-−]?[0-9])\s*",
    re.IGNORECASE,
)
_QUANTITY_RE = re.compile(
    r"(?P<sign>[-−]\s*)?(?P<num>[0-9](?:[0-9.,]*[0-9])?)"
    r"(?:\s*/\s*(?P<den>[0-9](?:[0-9.,]*[0-9])?))?"
    r"(?P<pct>\s*(?:%|phần trăm(?=\s|$)))?"
    r"\s*(?P<rest>.*)",
    re.IGNORECASE,
)
_SCALE_RE = re.compile(
    r"(?P<scale>"
    + "|".join(re.escape(w) for w in sorted(_SCALES, key=len, reverse=True))
    + r")(?=\s|$)\s*(?P<rest>.*)",
    re.IGNORECASE,
)
_CURRENCY_RE = re.compile(r"(?:" + "|".join(_CURRENCIES) + r")", re.IGNORECASE)
_EXAMPLE = "ví dụ 'trên 500 sinh viên', '13/14 mẫu', '11.497 triệu đồng', '99,88%'"


def _clean(s: str, *, punctuation: bool = False) -> str:
    """NFC, one space between words, no space (and with `punctuation`, no `.;:`) at the ends."""
    if not isinstance(s, str):
        raise TypeError(f"expected str, got {type(s).__name__}")
    text = _WS.sub(" ", unicodedata.normalize("NFC", s)).strip()
    return text.rstrip(".;:").rstrip() if punctuation else text


def _check_lang(lang: str) -> None:
    if lang not in _LANGS:
        raise InputError(f"ngôn ngữ không hỗ trợ '{lang}': chọn 'vi' hoặc 'en'")


def _regroup(digits: str) -> str:
    """`12345` → `12.345` (Vietnamese grouping, for error messages)."""
    digits = digits.lstrip("0") or "0"
    head = len(digits) % 3 or 3
    return ".".join([digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))])


def _grouping_hint(s: str) -> str:
    """What to write instead of a number whose thousands groups are not 3 digits long."""
    int_part, _, frac = s.partition(",")
    groups = int_part.split(".")
    if len(groups) == 2 and not frac:
        head, tail = groups
        thousands = f"{head}.{tail.ljust(3, '0')}" if len(tail) < 3 else _regroup(head + tail)
        return f"viết {thousands} hoặc {head},{tail}"
    fixed = _regroup("".join(groups)) + (f",{frac}" if frac else "")
    return f"viết {fixed}"


def _parse_decimal(s: str, *, allow_negative: bool = False) -> Decimal:
    """The exact value of a Vietnamese number, as a Decimal; see `parse_number`."""
    text = _clean(s)
    if not text:
        raise NumberError("số trống: cần một số như 1.287 hoặc 99,88")
    sign = 1
    if text[0] in "-−":
        if not allow_negative:
            raise NumberError(f"số không hợp lệ '{s}': không nhận số âm ở đây")
        sign, text = -1, text[1:].lstrip()
    if not text or not set(text) <= set("0123456789.,"):
        raise NumberError(
            f"số không hợp lệ '{s}': chỉ được có chữ số, dấu '.' phân cách hàng nghìn "
            "và dấu ',' thập phân (ví dụ 1.287 hoặc 99,88)"
        )
    match = _NUMBER_VI.fullmatch(text)
    if match is None:
        if _NUMBER_EN.fullmatch(text):
            fixed = text.replace(",", " ").replace(".", ",").replace(" ", ".")
            raise NumberError(
                f"số không hợp lệ '{s}': viết theo kiểu Việt Nam, '.' phân cách hàng nghìn "
                f"và ',' thập phân (viết {fixed})"
            )
        if text.count(",") > 1 or "." in text.partition(",")[2]:
            raise NumberError(f"số không hợp lệ '{s}': chỉ được có một dấu ',' thập phân, ở sau cùng")
        if text[0] in ".," or text[-1] in ".,":
            raise NumberError(f"số không hợp lệ '{s}': số phải bắt đầu và kết thúc bằng chữ số")
        raise NumberError(f"số không hợp lệ '{s}': nhóm nghìn phải có 3 chữ số ({_grouping_hint(text)})")
    int_digits = match["int"].replace(".", "")
    frac = match["frac"] or ""
    int_sig, frac_sig = int_digits.lstrip("0"), frac.rstrip("0")
    significant = len(int_sig) + len(frac_sig) if int_sig else len(frac_sig.lstrip("0"))
    if significant > MAX_SIGNIFICANT_DIGITS:
        raise NumberError(f"số quá lớn hoặc quá nhiều chữ số '{s}': tối đa {MAX_SIGNIFICANT_DIGITS} chữ số có nghĩa")
    value = Decimal(f"{int_digits}.{frac}" if frac else int_digits)
    return -value if sign < 0 else value


def _parse_in(number: str, phrase: str, *, allow_negative: bool = False) -> Decimal:
    """`_parse_decimal(number)`, naming the whole phrase in the message when it fails."""
    try:
        return _parse_decimal(number, allow_negative=allow_negative)
    except NumberError as error:
        raise NumberError(f"{error.detail} (trong '{phrase}')") from None


def _to_number(value: Decimal, *, keep_float: bool) -> int | float:
    """An int when `value` is whole and `keep_float` is false, else a float."""
    if not keep_float and value == value.to_integral_value():
        return int(value)
    return float(value)


def parse_number(s: str, *, allow_negative: bool = False) -> int | float:
    """Return the number written the Vietnamese way in `s`: `1.287` → 1287, `99,88` → 99.88.

    An int when no decimal part is written, else a float; leading zeros are ignored (`08` → 8).
    Refuses (NumberError) an empty string, letters or other signs, thousands groups that are not
    3 digits (`1.5`, `12.34`, `1.2345`), English-style `1,287.5`, a minus sign unless
    `allow_negative`, and more than 15 significant digits.
    """
    text = _clean(s)
    value = _parse_decimal(text, allow_negative=allow_negative)
    return _to_number(value, keep_float="," in text)


@dataclass(frozen=True)
class Quantity:
    """A figure as a report writes it: `trên 500 sinh viên`, `13/14 mẫu`, `99,88%`, `11,6 tỷ đồng`.

    `value` is the number (for money, whole đồng as an int); `unit` the noun as written (NFC), or
    `"đồng"` for money, or None; `qualifier` one of QUALIFIER_CODES or None; `denominator` the
    `14` of `13/14`; `percent` for `%`; `money` for amounts in đồng.
    """

    value: int | float
    unit: str | None = None
    qualifier: Qualifier | None = None
    denominator: int | None = None
    percent: bool = False
    money: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float)):
            raise NumberError(f"giá trị phải là số, không phải {self.value!r}")
        if isinstance(self.value, float) and not math.isfinite(self.value):
            raise NumberError(f"giá trị phải là số hữu hạn, không phải {self.value!r}")
        if self.qualifier is not None and self.qualifier not in QUALIFIER_CODES:
            raise NumberError(
                f"từ chỉ mức độ không hợp lệ '{self.qualifier}': chọn một trong {', '.join(QUALIFIER_CODES)}"
            )
        if self.denominator is not None and (
            isinstance(self.denominator, bool) or not isinstance(self.denominator, int) or self.denominator <= 0
        ):
            raise NumberError(f"mẫu số phải là số nguyên dương, không phải {self.denominator!r}")
        if self.money and (self.percent or self.denominator is not None):
            raise NumberError("số tiền không thể là phần trăm hay tỷ số")
        if self.money and not isinstance(self.value, int):
            raise NumberError(f"số tiền phải là số đồng nguyên, không phải {self.value!r}")
        if self.money and self.unit not in (None, "đồng"):
            raise NumberError(f"số tiền được lưu bằng đồng, không phải '{self.unit}'")
        if self.money:
            object.__setattr__(self, "unit", "đồng")
        if self.unit is not None:
            unit = _WS.sub(" ", unicodedata.normalize("NFC", self.unit)).strip()
            object.__setattr__(self, "unit", unit or None)


def _split_qualifier(text: str) -> tuple[Qualifier | None, str]:
    match = _QUALIFIER_RE.match(text)
    if match is None:
        return None, text
    return QUALIFIERS[match["q"].lower()], text[match.end() :]


def _money_scale(unit: str, *, need_currency: bool) -> int | None:
    """The size in đồng of a money unit (`triệu đồng` → 10**6), or None if `unit` is not money.

    Without `need_currency` a scale word alone (`tỷ`) is money too: parse_money's caller said so.
    """
    if _CURRENCY_RE.fullmatch(unit):
        return 1
    match = _SCALE_RE.fullmatch(unit)
    if match and (_CURRENCY_RE.fullmatch(match["rest"]) or not (match["rest"] or need_currency)):
        return _SCALES[match["scale"].lower()]
    return None


def _whole_dong(value: Decimal, s: str) -> int:
    if value != value.to_integral_value():
        raise NumberError(f"số tiền không hợp lệ '{s}': phải là một số đồng nguyên")
    return int(value)


def parse_quantity(s: str, *, allow_negative: bool = False) -> Quantity:
    """Return the Quantity written in `s`: `[qualifier] number[/denominator][%] [unit]`.

    Reads `trên 500 sinh viên`, `gần 100`, `13/14 mẫu`, `99,88%` (or `phần trăm`), `1đề tài`,
    `08 cơ sở`, `50.074.800 đồng`, `11,6 tỷ đồng` (money, in đồng). A scale word before another noun
    multiplies (`1,5 triệu lượt` → 1_500_000 lượt); it is money only with a currency word
    (`đồng`, `đ`, `VNĐ`, `VND`). Input is NFC-normalised first. Refuses (NumberError) text with no
    number, words before the number other than QUALIFIERS, a unit that does not start with a
    letter, a ratio that is not two whole numbers, and what `parse_number` refuses.
    """
    text = _clean(s, punctuation=True)
    if not re.search(r"[0-9]", text):
        raise NumberError(f"không có số trong '{s}': cần một số ({_EXAMPLE})")
    qualifier, text = _split_qualifier(text)
    match = _QUANTITY_RE.match(text)
    if match is None:
        raise NumberError(
            f"không đọc được '{s}': mong đợi [từ chỉ mức độ] số [đơn vị] ({_EXAMPLE}); "
            f"từ chỉ mức độ đọc được: {', '.join(QUALIFIERS)}"
        )
    negative = match["sign"] is not None
    number = ("-" if negative else "") + match["num"]
    value = _parse_in(number, s, allow_negative=allow_negative)
    keep_float = "," in match["num"]
    rest = match["rest"]
    if rest and not rest[0].isalpha():
        raise NumberError(f"không đọc được '{s}': sau số phải là đơn vị bằng chữ ({_EXAMPLE})")
    unit = rest or None

    if match["den"] is not None:
        denominator = _parse_in(match["den"], s)
        if "," in match["num"] or "," in match["den"] or negative:
            raise NumberError(f"tỷ số không hợp lệ '{s}': cần hai số nguyên, ví dụ 13/14")
        if denominator == 0:
            raise NumberError(f"tỷ số không hợp lệ '{s}': mẫu số bằng 0")
        if unit is not None and _money_scale(unit, need_currency=True) is not None:
            raise NumberError(f"tỷ số không hợp lệ '{s}': không dùng tỷ số cho số tiền")
        return Quantity(int(value), unit, qualifier, denominator=int(denominator), percent=match["pct"] is not None)
    if match["pct"] is not None:
        return Quantity(_to_number(value, keep_float=keep_float), unit, qualifier, percent=True)
    if unit is not None:
        money_scale = _money_scale(unit, need_currency=True)
        if money_scale is not None:
            return Quantity(_whole_dong(value * money_scale, s), "đồng", qualifier, money=True)
        scaled = _SCALE_RE.fullmatch(unit)
        if scaled:
            value *= _SCALES[scaled["scale"].lower()]
            keep_float = keep_float and value != value.to_integral_value()
            unit = scaled["rest"] or None
    return Quantity(_to_number(value, keep_float=keep_float), unit, qualifier)


def parse_money(s: str, *, allow_negative: bool = False) -> int:
    """Return the amount in `s` in whole đồng: `11.497 triệu đồng` → 11_497_000_000.

    Units: `đồng`, `đ`, `VNĐ`, `VND`, `nghìn`/`ngàn`, `triệu`, `tỷ`/`tỉ`, `nghìn tỷ` (scale words
    with or without `đồng`). Refuses (NumberError) a bare number (which unit?), another noun, a
    qualifier (`trên 11 tỷ đồng` is not an exact amount: use parse_quantity), a fraction of a đồng,
    and what `parse_number` refuses.
    """
    text = _clean(s, punctuation=True)
    if not re.search(r"[0-9]", text):
        raise NumberError(f"không có số trong số tiền '{s}': ví dụ 50.074.800 đồng, 11,6 tỷ đồng")
    qualifier, rest = _split_qualifier(text)
    if qualifier is not None:
        raise NumberError(f"số tiền không chính xác '{s}': có từ chỉ mức độ; dùng parse_quantity để giữ nó")
    match = _QUANTITY_RE.match(rest)
    unit = match["rest"] if match else ""
    if match is None or match["den"] or match["pct"] or not unit:
        raise NumberError(
            f"số tiền không hợp lệ '{s}': cần số và đơn vị tiền (đồng, nghìn đồng, triệu đồng, "
            "tỷ đồng), ví dụ 50.074.800 đồng"
        )
    scale = _money_scale(unit, need_currency=False)
    if scale is None:
        raise NumberError(
            f"đơn vị tiền không hợp lệ '{unit}' trong '{s}': dùng đồng, đ, VNĐ, nghìn đồng, triệu đồng hoặc tỷ đồng"
        )
    number = ("-" if match["sign"] else "") + match["num"]
    return _whole_dong(_parse_in(number, s, allow_negative=allow_negative) * scale, s)


def _as_decimal(value: int | float | Decimal) -> Decimal:
    """The value as a Decimal with the digits a person would write (floats by shortest repr)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NumberError(f"không viết được '{value}': không phải số hữu hạn")
        return Decimal(repr(value))
    if isinstance(value, Decimal) and not value.is_finite():
        raise NumberError(f"không viết được '{value}': không phải số hữu hạn")
    return Decimal(value)


def _format_decimal(value: Decimal, decimals: int | None, lang: str) -> str:
    """`value` with babel's grouping and decimal marks for `lang`; all digits, or `decimals`."""
    if decimals is not None and (isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0):
        raise ValueError(f"decimals must be an int >= 0, got {decimals!r}")
    with localcontext() as ctx:  # enough precision for every digit of a large value
        digits = value.as_tuple()
        ctx.prec = max(28, len(digits.digits) + abs(int(digits.exponent)) + (decimals or 0) + 2)
        if decimals is None:
            pattern = "#,##0.###"
        else:
            value = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
            pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        text = format_decimal(value, format=pattern, locale=lang, decimal_quantization=False)
    if value == 0 and text.startswith("-"):
        text = text[1:]
    return text


def format_number(value: int | float | Decimal, decimals: int | None = None, *, lang: str = "vi") -> str:
    """Return `value` written the Vietnamese way: 1287 → `1.287`, 99.88 → `99,88`, -1234 → `-1.234`.

    With `decimals=None` every digit of the value is written (a float as its shortest repr,
    21.0 → `21`); with `decimals=n` it is rounded half up to exactly n decimals. `lang="en"`
    writes `1,287` and `99.88`. Refuses NaN and infinities (NumberError), a language other than
    vi and en (InputError), and non-numbers (TypeError).
    """
    _check_lang(lang)
    return _format_decimal(_as_decimal(value), decimals, lang)


def format_percent(value: int | float | Decimal, decimals: int | None = None, *, lang: str = "vi") -> str:
    """Return a percentage (99.88 means 99,88 %) as reports write it: `99,88%`, `46%`, `21%`.

    `lang="en"` writes `99.88%`. Refuses what `format_number` refuses.
    """
    return format_number(value, decimals, lang=lang) + "%"


def format_money(
    amount: int | float | Decimal, unit: str = "đồng", *, decimals: int | None = None, lang: str = "vi"
) -> str:
    """Return an amount of đồng written in `unit`: `50.074.800 đồng`, `11.497 triệu đồng`.

    `unit` is one of MONEY_UNITS or "auto". Without `decimals` every digit is kept, so nothing
    is rounded silently (`format_money(50_074_800, "triệu đồng")` → `50,0748 triệu đồng`).
    "auto" picks the largest of tỷ đồng, triệu đồng, đồng that is not more than the amount and
    writes it exactly with at most 3 decimals (or, with `decimals`, the largest not more than
    the amount): 50_074_800 → `50.074.800 đồng`, 11_600_000_000 → `11,6 tỷ đồng`,
    1_500_000 → `1,5 triệu đồng`, 500_000 → `500.000 đồng`. `lang="en"` writes
    `50,074,800 VND`, `11.6 billion VND`. Refuses a fraction of a đồng and an unknown unit
    (NumberError) and what `format_number` refuses.
    """
    _check_lang(lang)
    dong = _as_decimal(amount)
    if dong != dong.to_integral_value():
        raise NumberError(f"số tiền phải là số đồng nguyên, không phải {amount!r}")
    if unit == "auto":
        unit = "đồng"
        for candidate in _AUTO_UNITS:
            size = MONEY_UNITS[candidate][0]
            scaled = dong / size
            exact = decimals is not None or scaled == scaled.quantize(Decimal("0.001"))
            if abs(dong) >= size and exact:
                unit = candidate
                break
    if unit not in MONEY_UNITS:
        raise NumberError(f"đơn vị tiền không hợp lệ '{unit}': chọn {', '.join(MONEY_UNITS)} hoặc auto")
    size, english = MONEY_UNITS[unit]
    number = _format_decimal(dong / size, decimals, lang)
    return f"{number} {unit if lang == 'vi' else english}"


def qualifier_label(code: str | None, lang: str = "vi") -> str:
    """Return the word written for a qualifier code: `more_than` → `trên` (vi), `more than` (en).

    None gives "". Refuses an unknown code (NumberError) and a language other than vi and en.
    """
    _check_lang(lang)
    if code is None:
        return ""
    try:
        return _QUALIFIER_LABELS[lang][code]
    except KeyError:
        raise NumberError(f"từ chỉ mức độ không hợp lệ '{code}': chọn một trong {', '.join(QUALIFIER_CODES)}") from None


def format_quantity(q: Quantity, *, decimals: int | None = None, money_unit: str = "đồng", lang: str = "vi") -> str:
    """Return `q` written as a report writes it; `parse_quantity` reads it back to an equal value.

    `trên 500 sinh viên`, `13/14 mẫu`, `99,88%`, `50.074.800 đồng` (money in `money_unit`, see
    `format_money`). Leading zeros are not written back (`01 mẫu` → `1 mẫu`); the canonical
    qualifier word is (`hơn` → `trên`, `đến` → `tới`). With `lang="en"` the number and the
    qualifier are English and the unit stays as written. Refuses what `format_money` and
    `format_number` refuse.
    """
    _check_lang(lang)
    parts = [qualifier_label(q.qualifier, lang)] if q.qualifier else []
    if q.money:
        parts.append(format_money(q.value, money_unit, decimals=decimals, lang=lang))
    else:
        number = format_number(q.value, decimals, lang=lang)
        if q.denominator is not None:
            number += "/" + format_number(q.denominator, lang=lang)
        if q.percent:
            number += "%"
        parts.append(number)
        if q.unit:
            parts.append(q.unit)
    return " ".join(parts)
