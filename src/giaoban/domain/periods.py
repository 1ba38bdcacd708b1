"""Reporting periods: the `Period` value object, its canonical codes and the Vietnamese phrases for it.

A report of a provincial Department of Science and Technology reviews one period ("6 tháng đầu năm
2019") and sets tasks for the next ("6 tháng cuối năm 2019"). Everywhere in the project (file names,
parameters, URLs, tables) a period is written as one canonical code:

    code        kind    months  Vietnamese phrase               English label
    ----------  ------  ------  ------------------------------  -----------------------
    2019-H1     H       6       6 tháng đầu năm 2019            first half of 2019
    2019-H2     H       6       6 tháng cuối năm 2019           second half of 2019
    2020-Q1     Q       3       quý I năm 2020                  Q1 2020
      .. Q4                     (also 3 tháng cuối năm = Q4)
    2020-9M     M       N       9 tháng năm 2020                January–September 2020
                                (N months counted from January; N = 1, 2, 4, 5, 7, 8, 9, 10, 11)
    2013-FY     FY      12      năm 2013, cả năm 2013           2013
    2021-2025   MULTI   12·k    giai đoạn 2021–2025             2021–2025
    2018-YTD-11-16  YTD  -      từ đầu năm 2018 đến ngày        1 January–16 November 2018
                                16/11/2018 (year to date: 1 January to a day that is not the
                                last of its month; "tính đến ngày 30/11/2018" is 2018-11M)

N-month codes with a better name are normalised to it: `2020-3M` reads as `2020-Q1`, `2020-6M` as
`2020-H1`, `2020-12M` as `2020-FY`. A period is identified by its first and last day, so two
periods are equal exactly when they cover the same days; they sort by (first day, last day), which
puts them in chronological order (2019-Q1 < 2019-H1 < 2019-9M < 2019-FY < 2019-Q2).

Periods overlap (Q1 ⊂ H1 ⊂ 9M ⊂ FY ⊂ 2021-2025): figures of different periods are never summed
blindly, and comparisons are between like periods (`year_earlier`) or along one kind (`previous`).

Years outside 1975..2100 are refused. Every refusal raises `giaoban.errors.PeriodError` with a
Vietnamese message saying what was expected.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from giaoban.errors import InputError, PeriodError

__all__ = [
    "Period",
    "parse_period_phrase",
    "find_periods",
    "find_year_to_date",
    "YearToDate",
    "MIN_YEAR",
    "MAX_YEAR",
    "KINDS",
]

MIN_YEAR = 1975
MAX_YEAR = 2100
KINDS = ("H", "Q", "M", "FY", "MULTI", "YTD")

#: How long after its end a period can still be reviewed at a meeting (see `is_reviewable_on`).
REVIEW_WINDOW_MONTHS = 15

_EXPECTED_CODES = (
    "cần dạng 2021-H1, 2021-H2, 2021-Q1..Q4, 2021-9M, 2021-FY hoặc 2021-2025 (từ đầu năm đến một ngày: 2021-YTD-11-16)"
)
_EXPECTED_PHRASES = (
    "cần cụm như '6 tháng đầu năm 2019', '6 tháng cuối năm 2019', '9 tháng năm 2020', "
    "'quý I năm 2020', 'năm 2013', 'giai đoạn 2021-2025' hoặc mã như 2021-H1"
)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_ROMAN_OUT = {1: "I", 2: "II", 3: "III", 4: "IV"}
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _check_year(year: int, what: str = "năm") -> None:
    if isinstance(year, bool) or not isinstance(year, int):
        raise PeriodError(f"{what} phải là số nguyên, không phải {year!r}")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(f"{what} {year} nằm ngoài khoảng {MIN_YEAR}–{MAX_YEAR}")


@dataclass(frozen=True, order=True, repr=False)
class Period:
    """A reporting period, identified by its first and last day (both inclusive).

    Build one with `Period.parse(code)`, `parse_period_phrase(text)` or the constructors `half`,
    `quarter`, `first_months`, `full_year`, `span`. Direct construction `Period(start, end)` refuses
    (PeriodError) any span that is not one of the kinds in the module docstring.
    """

    start: date
    end: date

    def __post_init__(self) -> None:
        for d in (self.start, self.end):
            if isinstance(d, datetime) or not isinstance(d, date):
                raise PeriodError(f"ngày đầu và ngày cuối của kỳ phải là date, không phải {d!r}")
        _check_year(self.start.year)
        _check_year(self.end.year)
        if self._kind_index() is None:
            raise PeriodError(
                f"{self.start:%d/%m/%Y}–{self.end:%d/%m/%Y} không phải là một kỳ báo cáo: {_EXPECTED_CODES}"
            )

    # -- constructors ---------------------------------------------------------------------------

    @classmethod
    def half(cls, year: int, n: int) -> Period:
        """Returns half `n` (1 or 2) of `year`; refuses other halves and years out of range."""
        _check_year(year)
        if n not in (1, 2):
            raise PeriodError(f"nửa năm {n} không hợp lệ: chỉ có H1 (6 tháng đầu năm) và H2 (6 tháng cuối năm)")
        return cls(date(year, 6 * n - 5, 1), _last_day(year, 6 * n))

    @classmethod
    def quarter(cls, year: int, n: int) -> Period:
        """Returns quarter `n` (1..4) of `year`; refuses other quarters and years out of range."""
        _check_year(year)
        if n not in (1, 2, 3, 4):
            raise PeriodError(f"quý {n} không hợp lệ: chỉ có quý I, II, III, IV (Q1..Q4)")
        return cls(date(year, 3 * n - 2, 1), _last_day(year, 3 * n))

    @classmethod
    def first_months(cls, year: int, n: int) -> Period:
        """Returns the first `n` months (1..12) of `year`: 3 → Q1, 6 → H1, 12 → FY, else kind M.

        Refuses n outside 1..12 and years out of range.
        """
        _check_year(year)
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 12:
            raise PeriodError(f"{n} tháng không hợp lệ: số tháng tính từ tháng 1 phải từ 1 đến 12")
        return cls(date(year, 1, 1), _last_day(year, n))

    @classmethod
    def full_year(cls, year: int) -> Period:
        """Returns the whole `year` (kind FY); refuses years out of range."""
        _check_year(year)
        return cls(date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def year_to_date(cls, end: date) -> Period:
        """Returns the period from 1 January of `end`'s year to `end` (kind YTD, code `2018-YTD-11-16`);
        an `end` that is the last day of its month gives the N-month period (30/11/2018 → 2018-11M).

        Refuses (PeriodError) a datetime or a non-date, and years out of range.
        """
        if isinstance(end, datetime) or not isinstance(end, date):
            raise PeriodError(f"ngày cuối của kỳ phải là date, không phải {end!r}")
        _check_year(end.year)
        return cls(date(end.year, 1, 1), end)

    @classmethod
    def span(cls, first_year: int, last_year: int) -> Period:
        """Returns the multi-year period first_year..last_year (giai đoạn), both whole years.

        Refuses last_year <= first_year and years out of range.
        """
        _check_year(first_year, "năm đầu")
        _check_year(last_year, "năm cuối")
        if last_year <= first_year:
            raise PeriodError(
                f"giai đoạn {first_year}-{last_year} không hợp lệ: năm đầu phải nhỏ hơn năm cuối "
                f"(một năm thì viết {first_year}-FY)"
            )
        return cls(date(first_year, 1, 1), date(last_year, 12, 31))

    # Regex for a code, loose on purpose so that a wrong code gets a precise message.
    _CODE = re.compile(
        r"""
        (?P<year>\d{4}) -
        (?: H(?P<h>\d+)          # half: 2019-H1, 2019-H2
          | Q(?P<q>\d+)          # quarter: 2020-Q1 .. 2020-Q4
          | (?P<m>\d+)M          # first N months: 2020-9M
          | (?P<fy>FY)           # whole year: 2013-FY
          | (?P<last>\d{4})      # several years: 2021-2025
          | YTD-(?P<tm>\d{2})-(?P<td>\d{2})  # year to date: 2018-YTD-11-16
        )""",
        re.VERBOSE,
    )

    @classmethod
    def parse(cls, code: str) -> Period:
        """Returns the period of a canonical code (`2019-H1`, `2020-Q4`, `2020-9M`, `2013-FY`, `2021-2025`).

        `2020-3M`, `2020-6M`, `2020-12M` are read and normalised to `2020-Q1`, `2020-H1`, `2020-FY`.
        Refuses (PeriodError) anything else: lower case, spaces, leading zeros (`2020-09M`), `2021-H3`,
        `2021-Q5`, `2021-0M`, `2021-13M`, `2025-2021`, years outside 1975..2100, empty text.
        """
        if not isinstance(code, str) or not code.strip():
            raise PeriodError(f"kỳ trống: {_EXPECTED_CODES}")
        m = cls._CODE.fullmatch(code)
        if m is None:
            raise PeriodError(f"kỳ không hợp lệ '{code}': {_EXPECTED_CODES}")
        year = int(m["year"])
        if m["tm"] is not None:
            return cls._parse_ytd(code, year, int(m["tm"]), int(m["td"]))
        number = next(g for g in (m["h"], m["q"], m["m"], m["last"]) if g is not None) if not m["fy"] else None
        if number is not None and number != str(int(number)):
            raise PeriodError(f"kỳ không hợp lệ '{code}': không viết số 0 ở đầu; {_EXPECTED_CODES}")
        year = int(m["year"])
        try:
            if m["h"] is not None:
                return cls.half(year, int(m["h"]))
            if m["q"] is not None:
                return cls.quarter(year, int(m["q"]))
            if m["m"] is not None:
                return cls.first_months(year, int(m["m"]))
            if m["fy"] is not None:
                return cls.full_year(year)
            return cls.span(year, int(m["last"]))
        except PeriodError as e:
            raise PeriodError(f"kỳ không hợp lệ '{code}': {e.detail}; {_EXPECTED_CODES}") from None

    @classmethod
    def _parse_ytd(cls, code: str, year: int, month: int, day: int) -> Period:
        """The year-to-date period of a `YYYY-YTD-MM-DD` code; refuses an impossible day and a day that
        ends its month (that period has an N-month code)."""
        try:
            _check_year(year)
            end = date(year, month, day)
        except (ValueError, PeriodError) as e:
            detail = e.detail if isinstance(e, PeriodError) else f"ngày {day:02d}/{month:02d}/{year} không có thật"
            raise PeriodError(f"kỳ không hợp lệ '{code}': {detail}; {_EXPECTED_CODES}") from None
        period = cls.year_to_date(end)
        if period.kind != "YTD":
            raise PeriodError(
                f"kỳ không hợp lệ '{code}': ngày {day:02d}/{month:02d} là ngày cuối tháng, viết {period.code}"
            )
        return period

    # -- attributes -----------------------------------------------------------------------------

    def _kind_index(self) -> tuple[str, int] | None:
        """(kind, index) of the span, or None when it is no reporting period.

        index: half 1/2, quarter 1..4, number of months, 0 for FY, last year for MULTI.
        """
        s, e = self.start, self.end
        if (s.month, s.day) == (1, 1) and s.year == e.year and e != _last_day(e.year, e.month):
            return ("YTD", e.timetuple().tm_yday)
        if s.day != 1 or e != _last_day(e.year, e.month) or e < s:
            return None
        if s.year != e.year:
            return ("MULTI", e.year) if (s.month, e.month) == (1, 12) else None
        first, last = s.month, e.month
        if (first, last) == (1, 12):
            return ("FY", 0)
        if (first, last) in ((1, 6), (7, 12)):
            return ("H", last // 6)
        if last - first == 2 and first % 3 == 1:
            return ("Q", last // 3)
        if first == 1:
            return ("M", last)
        return None

    @property
    def kind(self) -> str:
        """Returns "H", "Q", "M", "FY", "MULTI" or "YTD"."""
        return self._kind_index()[0]  # type: ignore[index]

    @property
    def index(self) -> int:
        """Returns the half (1, 2), the quarter (1..4), the months (M), 0 (FY), the last year (MULTI) or the
        day of the year of the last day (YTD)."""
        return self._kind_index()[1]  # type: ignore[index]

    @property
    def year(self) -> int:
        """Returns the (first) year of the period."""
        return self.start.year

    @property
    def last_year(self) -> int:
        """Returns the last year of the period (equal to `year` except for MULTI)."""
        return self.end.year

    @property
    def months(self) -> int:
        """Returns the length of the period in months (a YTD period counts its last, partial month)."""
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def code(self) -> str:
        """Returns the canonical code, e.g. `2019-H1`, `2020-9M`, `2021-2025`."""
        kind, i = self._kind_index()  # type: ignore[misc]
        if kind == "YTD":
            return f"{self.year}-YTD-{self.end.month:02d}-{self.end.day:02d}"
        return {
            "H": f"{self.year}-H{i}",
            "Q": f"{self.year}-Q{i}",
            "M": f"{self.year}-{i}M",
            "FY": f"{self.year}-FY",
            "MULTI": f"{self.year}-{i}",
        }[kind]

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:
        return f"Period({self.code!r})"

    # -- relations ------------------------------------------------------------------------------

    def contains(self, other: Period) -> bool:
        """Returns True if every day of `other` is in this period (a period contains itself)."""
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, other: Period) -> bool:
        """Returns True if the two periods share at least one day."""
        return self.start <= other.end and other.start <= self.end

    def contains_date(self, d: date) -> bool:
        """Returns True if day `d` is in the period (first and last day included)."""
        if isinstance(d, datetime):
            d = d.date()
        return self.start <= d <= self.end

    def is_reviewable_on(self, d: date, *, early_days: int = 0) -> bool:
        """Returns True if a meeting on day `d` could review this period.

        Rule: the meeting is after the last day of the period, and at most 15 months
        (`REVIEW_WINDOW_MONTHS`) after it, counted to the end of that month: 2018-FY (ends 31/12/2018)
        is reviewable from 01/01/2019 to 31/03/2020, so a review of 2018 dated 19/01/2018 is a
        contradiction. `early_days` lets a meeting fall that many days before the period ends (some
        departments hold the year-end review in mid-December on estimated figures); 0 by default.
        """
        if isinstance(d, datetime):
            d = d.date()
        months = self.end.year * 12 + self.end.month - 1 + REVIEW_WINDOW_MONTHS
        latest = _last_day(months // 12, months % 12 + 1)
        return self.end - timedelta(days=early_days) < d <= latest

    # -- neighbours -----------------------------------------------------------------------------

    def _shift_years(self, years: int) -> Period:
        _check_year(self.start.year + years)
        _check_year(self.end.year + years)
        if self.kind == "YTD":  # the same day a year away (29/02 → 28/02)
            y = self.end.year + years
            return Period.year_to_date(
                self.end.replace(year=y, day=min(self.end.day, _last_day(y, self.end.month).day))
            )
        return Period(
            self.start.replace(year=self.start.year + years), _last_day(self.end.year + years, self.end.month)
        )

    def year_earlier(self) -> Period:
        """Returns the same period one year before (2021-H1 → 2020-H1).

        A MULTI period shifts by its own length (2021-2025 → 2016-2020). Refuses (PeriodError) a
        result before 1975.
        """
        with self._refusing("cùng kỳ năm trước của"):
            return self._shift_years(-self._step_years())

    @contextmanager
    def _refusing(self, what: str) -> Iterator[None]:
        """Re-raises a PeriodError of a neighbour as "không có kỳ <what> <code>: <reason>"."""
        try:
            yield
        except PeriodError as e:
            raise PeriodError(f"không có kỳ {what} {self.code}: {e.detail}") from None

    def _step_years(self) -> int:
        return self.end.year - self.start.year + 1

    def previous(self) -> Period:
        """Returns the period of the same kind just before this one.

        2021-H1 → 2020-H2, 2020-Q1 → 2019-Q4, 2013-FY → 2012-FY, 2021-2025 → 2016-2020; an N-month
        period (2020-9M) has only the same months of the year before (2019-9M), a year-to-date one the
        same day of the year before (2018-YTD-11-16 → 2017-YTD-11-16). Refuses (PeriodError)
        a result before 1975.
        """
        kind, i = self._kind_index()  # type: ignore[misc]
        with self._refusing("trước"):
            if kind == "H":
                return Period.half(self.year, 1) if i == 2 else Period.half(self.year - 1, 2)
            if kind == "Q":
                return Period.quarter(self.year, i - 1) if i > 1 else Period.quarter(self.year - 1, 4)
            return self._shift_years(-self._step_years())

    def next(self) -> Period:
        """Returns the period of the same kind just after this one (the mirror of `previous`).

        2021-H1 → 2021-H2, 2020-Q4 → 2021-Q1, 2013-FY → 2014-FY, 2020-9M → 2021-9M,
        2016-2020 → 2021-2025. Refuses (PeriodError) a result after 2100.
        """
        kind, i = self._kind_index()  # type: ignore[misc]
        with self._refusing("sau"):
            if kind == "H":
                return Period.half(self.year, 2) if i == 1 else Period.half(self.year + 1, 1)
            if kind == "Q":
                return Period.quarter(self.year, i + 1) if i < 4 else Period.quarter(self.year + 1, 1)
            return self._shift_years(self._step_years())

    # -- labels ---------------------------------------------------------------------------------

    def label_vi(self) -> str:
        """Returns the Vietnamese name: "6 tháng đầu năm 2019", "quý I năm 2020", "9 tháng năm 2020",
        "năm 2013", "giai đoạn 2021–2025". `parse_period_phrase` reads every one of them back."""
        kind, i = self._kind_index()  # type: ignore[misc]
        y = self.year
        if kind == "H":
            return f"6 tháng {'đầu' if i == 1 else 'cuối'} năm {y}"
        if kind == "Q":
            return f"quý {_ROMAN_OUT[i]} năm {y}"
        if kind == "M":
            return f"tháng 1 năm {y}" if i == 1 else f"{i} tháng năm {y}"
        if kind == "FY":
            return f"năm {y}"
        if kind == "YTD":
            return f"từ đầu năm {y} đến ngày {self.end:%d/%m/%Y}"
        return f"giai đoạn {y}–{i}"

    def label_en(self) -> str:
        """Returns the English name: "first half of 2019", "Q1 2020", "January–September 2020",
        "2013", "2021–2025"."""
        kind, i = self._kind_index()  # type: ignore[misc]
        y = self.year
        if kind == "H":
            return f"{'first' if i == 1 else 'second'} half of {y}"
        if kind == "Q":
            return f"Q{i} {y}"
        if kind == "M":
            return f"January {y}" if i == 1 else f"January–{MONTHS_EN[i - 1]} {y}"
        if kind == "FY":
            return str(y)
        if kind == "YTD":
            return f"1 January–{self.end.day} {MONTHS_EN[self.end.month - 1]} {y}"
        return f"{y}–{i}"

    def label(self, lang: str = "vi") -> str:
        """Returns `label_vi()` for lang "vi" and `label_en()` for "en"; refuses (InputError) other languages."""
        if lang == "vi":
            return self.label_vi()
        if lang == "en":
            return self.label_en()
        raise InputError(f"ngôn ngữ không hỗ trợ {lang!r}: cần 'vi' hoặc 'en'")


# ---------------------------------------------------------------------------------------------
# Vietnamese phrases
# ---------------------------------------------------------------------------------------------
# The phrase patterns run on NFC text with re.IGNORECASE. `[đð]`: the Icelandic ð (U+00F0) stands in
# for đ in text converted from old Vietnamese encodings. `q[uú][yý]`: "quý" is also written "qúy"
# (old tone placement).

_DASH = r"\s*[-–—]\s*"  # hyphen, en dash, em dash, spaces allowed around
_YEAR = r"\d{4}"


def _year_tail(name: str) -> str:
    """Pattern of the year after a phrase, in group `name`: " năm 2019", " của năm 2019", "/2019",
    " - 2019", " 2019"; optional and possessive (never given back to let a shorter match through)."""
    return rf"(?:(?:\s+(?:của\s+)?năm\s+|\s*/\s*|{_DASH}|\s+)(?P<{name}>{_YEAR}))?+"


_PHRASE = re.compile(
    rf"""
    # N months: "6 tháng đầu năm 2019", "06 tháng đầu năm", "6 tháng cuối năm 2019",
    # "6 tháng còn lại của năm 2019", "9 tháng năm 2020", "10 tháng", "3 tháng cuối năm 2020"
      (?P<n>\d{{1,2}})\s*tháng
      (?:\s+(?P<side>[đð]ầu|cuối|còn\s+lại))?
      (?:\s+(?:của\s+)?năm(?:\s+(?P<ny>{_YEAR}))?)?
    # A single named month: "tháng 1 năm 2020" (= 2020-1M); other months are refused later.
    | tháng\s+(?P<mon>\d{{1,2}}) {_year_tail("mony")}
    # Quarter: "quý I năm 2020", "quý II/2020", "quý 3 năm 2020", "quý IV"
    | q[uú][yý]\s+(?P<q>[ivxlcdm]+|\d+) {_year_tail("qy")}
    # Whole year: "năm 2013", "cả năm 2013", "cả năm"
    | (?P<whole>cả\s+)?năm(?:\s+(?P<fy>{_YEAR}))?
    # Several years: "giai đoạn 2021-2025", "giai đoạn 2021 – 2025", "2021 - 2025"
    | (?:giai\s+[đð]oạn\s+)?(?P<y1>{_YEAR}){_DASH}(?P<y2>{_YEAR})
    # Year to date: "từ đầu năm 2018 đến ngày 16/11/2018", "tính đến ngày 16/11/2018"
    | (?:từ\s+[đð]ầu\s+năm(?:\s+{_YEAR})?\s+|tính\s+)[đð]ến(?:\s+hết)?(?:\s+ngày)?\s+
      (?P<td>\d{{1,2}})\s*[/.-]\s*(?P<tm>\d{{1,2}})(?:\s*[/.-]\s*(?P<ty>{_YEAR}))?
""",
    re.VERBOSE | re.IGNORECASE,
)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _from_match(m: re.Match | _Groups, year: int | None, shown: str) -> Period:
    """The period of one match of `_PHRASE`, with `year` for phrases that name none; PeriodError if none."""

    def need_year(y: str | None) -> int:
        if y is not None:
            return int(y)
        if year is None:
            raise PeriodError(
                f"thiếu năm trong '{shown}': ghi năm (ví dụ '6 tháng đầu năm 2019') hoặc cho biết năm của báo cáo"
            )
        return year

    try:
        if m["n"] is not None:
            n = int(m["n"])
            side = re.sub(r"\s+", " ", (m["side"] or "").lower()).replace("ð", "đ")
            if not 1 <= n <= 12:
                raise PeriodError(f"'{shown}': một năm chỉ có 12 tháng; cần từ 1 đến 12 tháng")
            if side in ("cuối", "còn lại"):
                last = {3: ("Q", 4), 6: ("H", 2), 12: ("FY", 0)}.get(n)
                if last is None:
                    raise PeriodError(
                        f"'{shown}': chỉ đọc được 3 tháng cuối năm (quý IV), 6 tháng cuối năm "
                        f"(H2) và 12 tháng; các kỳ khác tính từ tháng 1 ('9 tháng năm 2020')"
                    )
                y = need_year(m["ny"])
                return {"Q": Period.quarter(y, 4), "H": Period.half(y, 2), "FY": Period.full_year(y)}[last[0]]
            return Period.first_months(need_year(m["ny"]), n)
        if m["mon"] is not None:
            if int(m["mon"]) != 1:
                raise PeriodError(
                    f"'{shown}': một tháng lẻ không phải là kỳ báo cáo; kỳ tính từ tháng 1 "
                    f"viết '{int(m['mon'])} tháng năm ...'"
                )
            return Period.first_months(need_year(m["mony"]), 1)
        if m["q"] is not None:
            q = m["q"].lower()
            n = _ROMAN.get(q, int(q) if q.isdigit() else 0)
            if n not in (1, 2, 3, 4):
                raise PeriodError(f"'{shown}': không có quý {m['q']}; chỉ có quý I, II, III, IV (hoặc 1..4)")
            return Period.quarter(need_year(m["qy"]), n)
        if m["y1"] is not None:
            return Period.span(int(m["y1"]), int(m["y2"]))
        if m["td"] is not None:
            y = need_year(m["ty"])
            try:
                end = date(y, int(m["tm"]), int(m["td"]))
            except ValueError:
                raise PeriodError(f"'{shown}': ngày {m['td']}/{m['tm']}/{y} không có thật") from None
            return Period.year_to_date(end)
        if m["fy"] is None and m["whole"] is None:
            raise PeriodError(f"không đọc được kỳ '{shown}': {_EXPECTED_PHRASES}")
        return Period.full_year(need_year(m["fy"]))
    except PeriodError as e:
        if shown in e.detail:
            raise
        raise PeriodError(f"'{shown}': {e.detail}") from None


def parse_period_phrase(text: str, year: int | None = None) -> Period:
    """Returns the period named by a Vietnamese phrase or a canonical code.

    Reads, after NFC normalisation, ignoring case and extra spaces: "6 tháng đầu năm 2019",
    "06 tháng đầu năm 2019", "6 tháng cuối năm 2019", "6 tháng còn lại của năm 2019" (H2),
    "9 tháng năm 2020", "9 tháng đầu năm 2020", "3 tháng đầu năm" (Q1), "3 tháng cuối năm 2020" (Q4),
    "quý I năm 2020", "quý II/2020", "quý 3 năm 2020", "quý IV", "tháng 1 năm 2020" (1M), "năm 2013",
    "cả năm 2013", "cả năm", "giai đoạn 2021-2025" (hyphen, en or em dash, spaces allowed),
    "2021-2025", and codes such as "2021-H1" (any case). A phrase without a year takes `year`.
    Refuses (PeriodError): a missing year, "13 tháng", "0 tháng", "quý V", "4 tháng cuối năm",
    "tháng 2 năm 2020" (a single month other than January), a bare "năm", anything else.
    """
    if not isinstance(text, str) or not text.strip():
        raise PeriodError(f"kỳ trống: {_EXPECTED_PHRASES}")
    if year is not None:
        _check_year(year)
    shown = " ".join(_nfc(text).split())
    if re.fullmatch(r"\d{4}-[0-9A-Za-z]+(?:-\d+)*", shown) and not re.fullmatch(r"\d{4}-\d{4}", shown):
        return Period.parse(shown.upper())
    m = _PHRASE.fullmatch(shown)
    if m is None:
        raise PeriodError(f"không đọc được kỳ '{shown}': {_EXPECTED_PHRASES}")
    return _from_match(m, year, shown)


# find_periods uses a stricter pattern than the phrase parser: in running text "9 tháng" may be an
# age or a duration, "tháng 7 năm 2019" is part of a date, "2021-2025" may be part of a document
# number, "đến năm 2025" means "by 2025" and "năm 2012-2013" a school year. Only these are found:
_FIND = re.compile(
    rf"""
    (?<![\w/.,])                                    # not the tail of a number or a date
    (?:
      # N months with đầu/cuối/còn lại and/or "năm <year>": "6 tháng đầu năm 2019", "9 tháng năm 2020"
        (?P<n>\d{{1,2}})\s*tháng
        (?: \s+(?P<side>[đð]ầu|cuối|còn\s+lại)\s+(?:của\s+)?năm(?:\s+(?P<ny>{_YEAR}))?+
          | \s+(?:của\s+)?năm\s+(?P<ny2>{_YEAR}) )
      # January alone: "tháng 1 năm 2020" (not "ngày 20 tháng 1 năm 2020", checked below)
      | tháng\s+(?P<mon>0?1)\s+năm\s+(?P<mony>{_YEAR})
      # quarter: "quý I năm 2020", "quý II/2020", "quý IV", "Q2/2020", "Q3 năm 2020"
      | q[uú][yý]\s+(?P<q>i{{1,3}}|iv|[1-4])\b {_year_tail("qy")}
      | (?-i:Q)(?P<qn>[1-4]) {_year_tail("qny")}
      # whole year: "cả năm 2013", "cả năm", "năm 2013"
      | (?P<whole>cả\s+)năm(?:\s+(?P<cy>{_YEAR}))?+
      | năm\s+(?P<fy>{_YEAR})
      # several years, only after "giai đoạn"
      | giai\s+[đð]oạn\s+(?P<y1>{_YEAR}){_DASH}(?P<y2>{_YEAR})
    )
    (?![\w/]|{_DASH}\d)                             # not followed by more of a number or a range
""",
    re.VERBOSE | re.IGNORECASE,
)

# A "năm <year>" right after one of these words is a point in time, not the year as a period:
# "đến năm 2025", "từ năm 2019", "đầu năm 2019", "ngày 17 tháng 7 năm 2019".
_NOT_A_YEAR_PERIOD = re.compile(r"(?:\b(?:đến|tới|từ|đầu|cuối|giữa|sau|trước)|tháng\s+\d{1,2})\s*$", re.IGNORECASE)

# A "tháng 1 năm 2020" right after a day number is a date: "ngày 20 tháng 1 năm 2020".
_DAY_BEFORE = re.compile(r"\d\s*$")


def find_periods(text: str, year: int | None = None) -> list[tuple[Period, int, int]]:
    """Returns every period phrase found in `text` as (period, start, end) character offsets.

    Offsets index the NFC normalisation of `text` (the same string when `text` is already NFC, as
    the pipeline's texts are). Conservative: finds the N-month phrases with "đầu/cuối/còn lại năm" or
    "năm <year>", "tháng 1 năm <year>", quarters, "cả năm", "năm <year>" (not after "đến", "từ",
    "đầu"…, nor in a date) and "giai đoạn <year>-<year>"; phrases without a year take
    `year` and are skipped when it is None; phrases that do not name a valid period are skipped,
    never raised.
    """
    text = _nfc(text)
    found: list[tuple[Period, int, int]] = []
    for m in _FIND.finditer(text):
        before = text[max(0, m.start() - 20) : m.start()]
        if m["fy"] is not None and _NOT_A_YEAR_PERIOD.search(before):
            continue
        if m["mon"] is not None and _DAY_BEFORE.search(before):
            continue
        groups = m.groupdict()
        if groups["ny2"] is not None:
            groups["ny"] = groups["ny2"]
        if groups["cy"] is not None:
            groups["fy"] = groups["cy"]
        if groups["qn"] is not None:
            groups["q"], groups["qy"] = groups["qn"], groups["qny"]
        try:
            period = _from_match(_Groups(groups), year, m[0])
        except PeriodError:
            continue
        found.append((period, m.start(), m.end()))
    return found


class _Groups(dict):
    """Lets `_from_match` read the groups of `_FIND` like a match of `_PHRASE` (missing groups are None)."""

    def __getitem__(self, key: str) -> str | None:
        return self.get(key)


# ---------------------------------------------------------------------------------------------
# Year to date: "từ đầu năm đến nay", "tính đến ngày 16/11/2018", "lũy kế đến tháng 7", "trước Tết"
# ---------------------------------------------------------------------------------------------

_UNTIL = r"(?:[đð]ến|tới)(?:\s+(?:hết|cuối))?"
_YTD_HEAD = (
    r"(?:(?:từ|kể\s+từ)\s+[đð]ầu\s+năm(?:\s+(?P<y0>\d{4}))?\s*,?\s*(?:(?:tính|lũy\s+kế|luỹ\s+kế)\s+)?"
    r"|(?:tính|lũy\s+kế|luỹ\s+kế|cộng\s+dồn)\s+)"
)
_YTD_DATE = re.compile(
    _YTD_HEAD + _UNTIL + r"(?:\s+ngày)?\s+(?P<d>[0-3]?\d)\s*[/.-]\s*(?P<m>[01]?\d)"
    r"(?:\s*[/.-]\s*(?P<y>\d{4}))?(?![\d/])",
    re.IGNORECASE,
)
_YTD_WORDS_DATE = re.compile(
    _YTD_HEAD + _UNTIL + r"\s+ngày\s+(?P<d>[0-3]?\d)\s+tháng\s+(?P<m>[01]?\d)"
    r"(?:\s+năm\s+(?P<y>\d{4}))?",
    re.IGNORECASE,
)
_YTD_MONTH = re.compile(
    _YTD_HEAD + _UNTIL + r"\s+tháng\s+(?P<mon>[01]?\d)(?:\s*(?:/|năm)\s*(?P<my>\d{4}))?(?![\d/])", re.IGNORECASE
)
_YTD_NOW = re.compile(
    r"(?:từ|kể\s+từ)\s+[đð]ầu\s+năm(?:\s+(?P<y0>\d{4}))?\s*(?:[đð]ến|tới)\s+"
    r"(?:nay|thời\s+điểm\s+(?:này|hiện\s+tại|báo\s+cáo)|hiện\s+tại)"
    r"|(?<!\w)trước\s+tết(?:\s+nguyên\s+[đð]án)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class YearToDate:
    """A year-to-date phrase found in a text: its period, where it stands, and whether the text
    states the last day (`stated`) or the day was taken from the date given (`đến nay`)."""

    period: Period
    start: int
    end: int
    stated: bool


def find_year_to_date(text: str, year: int | None = None, on: date | None = None) -> list[YearToDate]:
    """Returns the year-to-date phrases of `text` (NFC) in order: "từ đầu năm đến ngày 16/11/2018",
    "tính đến ngày 16/11/2018", "lũy kế đến tháng 7" (→ 7M), and, when the day `on` is given (the
    page's publication or meeting date), "từ đầu năm đến nay" and "trước Tết" (→ 1 January to `on`,
    with `stated` False). A phrase without a year takes `year`, else the year of `on`; phrases that
    name no valid period are skipped, never raised.
    """
    text = _nfc(text)
    found: list[YearToDate] = []
    default = year if year is not None else (on.year if on is not None else None)
    for rx in (_YTD_DATE, _YTD_WORDS_DATE):
        for m in rx.finditer(text):
            y = m["y"] or m["y0"]
            y_int = int(y) if y else default
            if y_int is None:
                continue
            try:
                _check_year(y_int)
                found.append(
                    YearToDate(Period.year_to_date(date(y_int, int(m["m"]), int(m["d"]))), m.start(), m.end(), True)
                )
            except (ValueError, PeriodError):
                continue
    for m in _YTD_MONTH.finditer(text):
        y = m["my"] or m["y0"]
        y_int = int(y) if y else default
        try:
            if y_int is None:
                continue
            found.append(YearToDate(Period.first_months(y_int, int(m["mon"])), m.start(), m.end(), True))
        except PeriodError:
            continue
    if on is not None:
        for m in _YTD_NOW.finditer(text):
            if m["y0"] and int(m["y0"]) != on.year:
                continue
            try:
                found.append(YearToDate(Period.year_to_date(on), m.start(), m.end(), False))
            except PeriodError:
                continue
    found.sort(key=lambda f: f.start)
    kept: list[YearToDate] = []
    for f in found:  # overlapping phrases: the first, longest one
        if kept and f.start < kept[-1].end:
            continue
        kept.append(f)
    return kept


def format_day(day: date, lang: str) -> str:
    """Return `day` as the pages write it: `23/07/2021` (vi) or `23 July 2021` (en). Refuses nothing:
    any language but "en" is written the Vietnamese way."""
    if lang == "en":
        return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    return f"{day.day:02d}/{day.month:02d}/{day.year}"
