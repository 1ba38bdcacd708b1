"""Reporting periods: codes, Vietnamese phrases (as the corpus writes them), order, relations, labels."""

from __future__ import annotations

import pickle
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from giaoban.errors import InputError, PeriodError
from giaoban.domain.periods import MAX_YEAR, MIN_YEAR, Period, find_periods, parse_period_phrase

P = Period.parse
SOURCES = Path(__file__).resolve().parents[1] / "data" / "sources"


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


# --- codes ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("code, kind, year, start, end, months", [
    ("2019-H1", "H", 2019, date(2019, 1, 1), date(2019, 6, 30), 6),
    ("2019-H2", "H", 2019, date(2019, 7, 1), date(2019, 12, 31), 6),
    ("2020-Q1", "Q", 2020, date(2020, 1, 1), date(2020, 3, 31), 3),
    ("2020-Q2", "Q", 2020, date(2020, 4, 1), date(2020, 6, 30), 3),
    ("2020-Q3", "Q", 2020, date(2020, 7, 1), date(2020, 9, 30), 3),
    ("2020-Q4", "Q", 2020, date(2020, 10, 1), date(2020, 12, 31), 3),
    ("2020-9M", "M", 2020, date(2020, 1, 1), date(2020, 9, 30), 9),
    ("2014-10M", "M", 2014, date(2014, 1, 1), date(2014, 10, 31), 10),
    ("2020-2M", "M", 2020, date(2020, 1, 1), date(2020, 2, 29), 2),  # leap year
    ("2013-FY", "FY", 2013, date(2013, 1, 1), date(2013, 12, 31), 12),
    ("2021-2025", "MULTI", 2021, date(2021, 1, 1), date(2025, 12, 31), 60),
    ("1975-FY", "FY", 1975, date(1975, 1, 1), date(1975, 12, 31), 12),
    ("2100-Q4", "Q", 2100, date(2100, 10, 1), date(2100, 12, 31), 3),
])
def test_parse_code(code, kind, year, start, end, months):
    p = P(code)
    assert (p.code, str(p), p.kind, p.year, p.start, p.end, p.months) == (code, code, kind, year, start, end, months)
    assert repr(p) == f"Period({code!r})"


@pytest.mark.parametrize("code, canonical", [("2020-3M", "2020-Q1"), ("2020-6M", "2020-H1"), ("2020-12M", "2020-FY")])
def test_month_codes_with_a_better_name_are_normalised(code, canonical):
    assert P(code) == P(canonical)
    assert P(code).code == canonical
    assert Period.first_months(2020, int(code[5:-1])).code == canonical


@pytest.mark.parametrize("code, says", [
    ("2021-H3", "H1 (6 tháng đầu năm) và H2"),
    ("2021-H0", "chỉ có H1"),
    ("2021-Q5", "chỉ có quý I, II, III, IV"),
    ("2021-Q0", "chỉ có quý I, II, III, IV"),
    ("2021-13M", "từ 1 đến 12"),
    ("2021-0M", "từ 1 đến 12"),
    ("2025-2021", "năm đầu phải nhỏ hơn năm cuối"),
    ("2021-2021", "năm đầu phải nhỏ hơn năm cuối"),
    ("2020-09M", "không viết số 0 ở đầu"),
    ("1974-FY", "nằm ngoài khoảng 1975–2100"),
    ("2101-H1", "nằm ngoài khoảng 1975–2100"),
    ("2020-2101", "nằm ngoài khoảng 1975–2100"),
    ("2021-h1", "cần dạng 2021-H1"),
    ("2021H1", "cần dạng 2021-H1"),
    (" 2021-H1", "cần dạng 2021-H1"),
    ("6 tháng đầu năm 2019", "cần dạng 2021-H1"),
    ("garbage", "cần dạng 2021-H1, 2021-H2, 2021-Q1..Q4, 2021-9M, 2021-FY hoặc 2021-2025"),
    ("", "kỳ trống"),
    ("   ", "kỳ trống"),
])
def test_parse_refuses_with_a_vietnamese_message(code, says):
    with pytest.raises(PeriodError) as e:
        P(code)
    assert says in str(e.value)
    assert isinstance(e.value, InputError)
    if code.strip():
        assert f"'{code}'" in str(e.value)  # the message quotes what was given


def test_parse_message_names_the_expected_forms():
    with pytest.raises(PeriodError, match=r"kỳ không hợp lệ '2021-H3': .*cần dạng 2021-H1, 2021-H2, 2021-Q1\.\.Q4"):
        P("2021-H3")


def test_direct_construction_refuses_spans_that_are_no_period():
    with pytest.raises(PeriodError, match="không phải là một kỳ báo cáo"):
        Period(date(2020, 2, 1), date(2020, 3, 31))
    with pytest.raises(PeriodError, match="không phải là một kỳ báo cáo"):
        Period(date(2020, 1, 2), date(2020, 6, 29))
    with pytest.raises(PeriodError, match="không phải là một kỳ báo cáo"):
        Period(date(2019, 1, 1), date(2020, 6, 29))
    # 1 January to a day that is not the end of its month: a year-to-date period (issue 14)
    assert Period(date(2020, 1, 1), date(2020, 6, 29)).code == "2020-YTD-06-29"
    with pytest.raises(PeriodError):
        Period(date(2021, 1, 1), date(2020, 12, 31))


def test_period_is_a_frozen_hashable_value():
    a, b = P("2019-H1"), Period.half(2019, 1)
    assert a == b and hash(a) == hash(b) and a is not b
    assert len({a, b, P("2020-6M")}) == 2
    assert {a: 1}[b] == 1
    assert pickle.loads(pickle.dumps(a)) == a
    with pytest.raises(AttributeError):
        a.start = date(2000, 1, 1)  # type: ignore[misc]
    assert a != "2019-H1"


# --- phrases --------------------------------------------------------------------------------------

PHRASES = [
    # as written in the corpus
    ("6 tháng đầu năm 2019", "2019-H1"),
    ("06 tháng đầu năm 2019", "2019-H1"),
    ("6 tháng cuối năm 2019", "2019-H2"),
    ("6 tháng còn lại của năm 2019", "2019-H2"),
    ("6 tháng đầu năm 2021", "2021-H1"),
    ("6 tháng cuối năm 2021", "2021-H2"),
    ("9 tháng năm 2020", "2020-9M"),
    ("3 tháng cuối năm 2020", "2020-Q4"),
    ("năm 2013", "2013-FY"),
    ("Năm 2013", "2013-FY"),
    ("NĂM 2018", "2018-FY"),
    ("giai đoạn 2021-2025", "2021-2025"),
    ("giai đoạn 2021 - 2025", "2021-2025"),
    ("giai đoạn 2021 – 2025", "2021-2025"),
    ("giai đoạn 2016 - 2020", "2016-2020"),
    ("giai đoạn 2019-2022", "2019-2022"),
    # domain.md and other usual forms
    ("9 tháng đầu năm 2020", "2020-9M"),
    ("10 tháng năm 2014", "2014-10M"),
    ("quý I năm 2020", "2020-Q1"),
    ("quý II năm 2020", "2020-Q2"),
    ("quý III năm 2020", "2020-Q3"),
    ("quý IV năm 2020", "2020-Q4"),
    ("quý II/2020", "2020-Q2"),
    ("quý II / 2020", "2020-Q2"),
    ("quý 3 năm 2020", "2020-Q3"),
    ("Quý IV/2020", "2020-Q4"),
    ("qúy I năm 2020", "2020-Q1"),
    ("cả năm 2013", "2013-FY"),
    ("3 tháng đầu năm 2020", "2020-Q1"),
    ("12 tháng năm 2020", "2020-FY"),
    ("tháng 1 năm 2020", "2020-1M"),
    ("giai đoạn 2021 — 2025", "2021-2025"),
    ("2021-2025", "2021-2025"),
    ("2021 – 2025", "2021-2025"),
    # canonical codes, any case
    ("2021-H1", "2021-H1"),
    ("2021-h1", "2021-H1"),
    ("2020-q4", "2020-Q4"),
    ("2020-9m", "2020-9M"),
    ("2013-fy", "2013-FY"),
    ("2020-3M", "2020-Q1"),
]


@pytest.mark.parametrize("text, code", PHRASES)
def test_phrase(text, code):
    assert parse_period_phrase(text) == P(code)


@pytest.mark.parametrize("text, code", PHRASES)
def test_phrase_with_combining_diacritics(text, code):
    decomposed = nfd(text)
    if any(unicodedata.decomposition(c) for c in text):
        assert decomposed != text  # the test really feeds combining marks
    assert parse_period_phrase(decomposed) == P(code)


@pytest.mark.parametrize("text, code", [
    ("  6   tháng  đầu\tnăm\n2019 ", "2019-H1"),
    ("6 THÁNG ĐẦU NĂM 2019", "2019-H1"),
    ("6\u00a0tháng đầu năm 2019", "2019-H1"),  # no-break space, as web pages have
    ("6 tháng đầu năm 2019", "2019-H1"),
    ("giai Ðoạn 2021-2025", "2021-2025"),  # Icelandic Ð for Đ, from old encodings
])
def test_phrase_tolerates_case_and_spaces(text, code):
    assert parse_period_phrase(text) == P(code)


@pytest.mark.parametrize("text, code", [
    ("3 tháng đầu năm", "2020-Q1"),
    ("6 tháng đầu năm", "2020-H1"),
    ("06 tháng đầu năm", "2020-H1"),
    ("6 tháng cuối năm", "2020-H2"),
    ("6 tháng còn lại", "2020-H2"),
    ("9 tháng đầu năm", "2020-9M"),
    ("9 tháng", "2020-9M"),
    ("quý IV", "2020-Q4"),
    ("quý I", "2020-Q1"),
    ("quý 2", "2020-Q2"),
    ("cả năm", "2020-FY"),
    ("Cả năm", "2020-FY"),
])
def test_phrase_without_year_takes_the_year_argument(text, code):
    assert parse_period_phrase(text, year=2020) == P(code)


def test_year_in_the_phrase_wins_over_the_argument():
    assert parse_period_phrase("6 tháng đầu năm 2019", year=2021) == P("2019-H1")


@pytest.mark.parametrize("text", ["3 tháng đầu năm", "quý IV", "cả năm", "6 tháng cuối năm", "9 tháng"])
def test_phrase_without_any_year_is_refused(text):
    with pytest.raises(PeriodError, match="thiếu năm") as e:
        parse_period_phrase(text)
    assert text in str(e.value)


@pytest.mark.parametrize("text, says", [
    ("13 tháng", "chỉ có 12 tháng"),
    ("13 tháng năm 2020", "chỉ có 12 tháng"),
    ("0 tháng", "chỉ có 12 tháng"),
    ("00 tháng đầu năm 2020", "chỉ có 12 tháng"),
    ("quý V", "chỉ có quý I, II, III, IV"),
    ("quý V năm 2020", "chỉ có quý I, II, III, IV"),
    ("quý 5/2020", "chỉ có quý I, II, III, IV"),
    ("quý 0 năm 2020", "chỉ có quý I, II, III, IV"),
    ("quý IIII năm 2020", "chỉ có quý I, II, III, IV"),
    ("4 tháng cuối năm 2020", "3 tháng cuối năm (quý IV), 6 tháng cuối năm"),
    ("tháng 2 năm 2020", "một tháng lẻ không phải là kỳ báo cáo"),
    ("giai đoạn 2025-2021", "năm đầu phải nhỏ hơn năm cuối"),
    ("2025-2021", "năm đầu phải nhỏ hơn năm cuối"),
    ("năm 1974", "nằm ngoài khoảng 1975–2100"),
    ("giai đoạn 2096-2105", "nằm ngoài khoảng 1975–2100"),
    ("2021-H3", "nửa năm 3 không hợp lệ"),
    ("2021-Q5", "quý 5 không hợp lệ"),
    ("năm", "không đọc được kỳ 'năm'"),
    ("quý vị đại biểu", "không đọc được kỳ"),
    ("6 tháng đầu năm 2019.", "không đọc được kỳ"),
    ("hôm qua", "cần cụm như '6 tháng đầu năm 2019'"),
    ("", "kỳ trống"),
])
def test_phrase_refusals_say_what_was_expected(text, says):
    with pytest.raises(PeriodError) as e:
        parse_period_phrase(text, year=2020)
    assert says in str(e.value)


def test_phrase_refuses_a_year_argument_out_of_range():
    with pytest.raises(PeriodError, match="nằm ngoài khoảng"):
        parse_period_phrase("cả năm", year=1900)


# --- the corpus -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name, phrase, code", [
    ("000_c13fdb305f2800c7.txt", "6 tháng đầu năm 2019", "2019-H1"),
    ("000_c13fdb305f2800c7.txt", "6 tháng cuối năm 2019", "2019-H2"),
    ("000_c13fdb305f2800c7.txt", "6 tháng còn lại của năm 2019", "2019-H2"),
    ("001_02f02e2edf83f907.txt", "9 tháng năm 2020", "2020-9M"),
    ("001_02f02e2edf83f907.txt", "3 tháng cuối năm 2020", "2020-Q4"),
    ("002_55c9933ae5842989.txt", "năm 2013", "2013-FY"),
    ("003_f487bec8c971e30f.txt", "NĂM 2018", "2018-FY"),
    ("004_827c2f16ec2dc701.txt", "6 tháng đầu năm 2021", "2021-H1"),
    ("004_827c2f16ec2dc701.txt", "giai đoạn 2021-2025", "2021-2025"),
    ("004_827c2f16ec2dc701.txt", "giai đoạn 2021 – 2025", "2021-2025"),
])
def test_corpus_phrases_are_read_and_found(name, phrase, code):
    path = SOURCES / name
    text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
    assert phrase in text
    assert parse_period_phrase(phrase) == P(code)
    found = {(text[a:b], p) for p, a, b in find_periods(text)}
    assert (phrase, P(code)) in found


@pytest.mark.parametrize("name, reviewed", [
    ("000_c13fdb305f2800c7.txt", "2019-H1"),
    ("001_02f02e2edf83f907.txt", "2020-9M"),
    ("004_827c2f16ec2dc701.txt", "2021-H1"),
])
def test_corpus_reviewed_period_is_found(name, reviewed):
    path = SOURCES / name
    periods = {p for p, _, _ in find_periods(path.read_text(encoding="utf-8"))}
    assert P(reviewed) in periods


# --- find_periods ---------------------------------------------------------------------------------

def test_find_periods_spans():
    text = "Trong 6 tháng đầu năm 2019, ngành đã ... Kế hoạch 6 tháng cuối năm 2019 và giai đoạn 2021 – 2025."
    found = find_periods(text)
    assert [(p.code, text[a:b]) for p, a, b in found] == [
        ("2019-H1", "6 tháng đầu năm 2019"),
        ("2019-H2", "6 tháng cuối năm 2019"),
        ("2021-2025", "giai đoạn 2021 – 2025"),
    ]


def test_find_periods_takes_the_year_argument_for_yearless_phrases():
    text = "trong 06 tháng đầu năm, các huyện; quý IV và cả năm."
    assert find_periods(text) == []
    assert [(p.code, text[a:b]) for p, a, b in find_periods(text, year=2019)] == [
        ("2019-H1", "06 tháng đầu năm"), ("2019-Q4", "quý IV"), ("2019-FY", "cả năm")]


@pytest.mark.parametrize("text", [
    "ngày 17 tháng 7 năm 2019",          # a date
    "ngày 17 tháng 1 năm 2019",
    "ngày 17 tháng 01 năm 2019",
    "đến năm 2025",                     # a point in time
    "ngay từ đầu năm 2019",
    "triển khai từ năm 2019",
    "Hội thi sáng tạo kỷ thuật năm 2012-2013",  # a school year (corpus 002)
    "kế hoạch 5 năm 2010-2015",         # corpus 002
    "Quyết định số 2021-2025/QĐ",       # a bare range is not looked for
    "thí điểm 9 tháng",                 # a duration
    "3 tháng đầu tiên của dự án",
    "kính thưa quý vị đại biểu",
    "13 tháng năm 2020",                # not a period: skipped, not raised
    "4 tháng cuối năm 2020",
])
def test_find_periods_is_conservative(text):
    assert find_periods(text, year=2020) == []


def test_find_periods_finds_january_but_not_a_date_in_january():
    text = "Trong tháng 1 năm 2020, ngày 20 tháng 1 năm 2020"
    assert [(p.code, text[a:b]) for p, a, b in find_periods(text)] == [("2020-1M", "tháng 1 năm 2020")]


def test_find_periods_on_decomposed_text():
    text = nfd("Hội nghị sơ kết công tác 6 tháng đầu năm 2021.")
    [(p, a, b)] = find_periods(text)
    assert p == P("2021-H1")
    assert unicodedata.normalize("NFC", text)[a:b] == "6 tháng đầu năm 2021"


def test_find_periods_does_not_split_a_year_from_its_range():
    text = "Hội nghị 6 tháng cuối năm 2019 - 2020"
    assert P("2019-H2") not in {p for p, _, _ in find_periods(text)}


# --- order and relations --------------------------------------------------------------------------

def test_sorting_mixed_kinds_is_chronological():
    mixed = ["2021-2025", "2019-FY", "2019-Q2", "2019-H2", "2019-H1", "2019-9M", "2019-Q1", "2018-H2",
             "2020-1M", "2016-2020", "2019-Q4"]
    assert [p.code for p in sorted(map(P, mixed))] == [
        "2016-2020", "2018-H2", "2019-Q1", "2019-H1", "2019-9M", "2019-FY", "2019-Q2", "2019-H2",
        "2019-Q4", "2020-1M", "2021-2025"]


@pytest.mark.parametrize("a, b", [
    ("2019-H1", "2019-H2"), ("2019-Q4", "2020-Q1"), ("2019-Q1", "2019-H1"), ("2019-H1", "2019-9M"),
    ("2019-9M", "2019-FY"), ("2018-FY", "2019-Q1"), ("2016-2020", "2021-2025"), ("2021-FY", "2021-2025"),
])
def test_order(a, b):
    assert P(a) < P(b) and P(b) > P(a) and P(a) <= P(b) and not P(b) <= P(a)


@pytest.mark.parametrize("outer, inner", [
    ("2019-H1", "2019-Q1"), ("2019-H1", "2019-Q2"), ("2020-9M", "2020-H1"), ("2020-FY", "2020-9M"),
    ("2021-2025", "2023-FY"), ("2021-2025", "2025-Q4"), ("2019-H2", "2019-Q4"), ("2020-9M", "2020-Q3"),
    ("2019-H1", "2019-H1"), ("2020-10M", "2020-9M"),
])
def test_contains(outer, inner):
    assert P(outer).contains(P(inner))
    assert P(outer).overlaps(P(inner)) and P(inner).overlaps(P(outer))


@pytest.mark.parametrize("a, b", [
    ("2019-H1", "2019-H2"), ("2019-Q1", "2019-Q2"), ("2020-9M", "2020-Q4"), ("2020-FY", "2021-FY"),
    ("2016-2020", "2021-2025"),
])
def test_disjoint(a, b):
    assert not P(a).overlaps(P(b)) and not P(b).overlaps(P(a))
    assert not P(a).contains(P(b)) and not P(b).contains(P(a))


def test_overlap_without_containment():
    assert P("2020-9M").overlaps(P("2020-H2"))
    assert not P("2020-9M").contains(P("2020-H2")) and not P("2020-H2").contains(P("2020-9M"))
    assert not P("2019-Q1").contains(P("2019-H1"))


def test_contains_date():
    h1 = P("2019-H1")
    assert h1.contains_date(date(2019, 1, 1)) and h1.contains_date(date(2019, 6, 30))
    assert not h1.contains_date(date(2019, 7, 1)) and not h1.contains_date(date(2018, 12, 31))


# --- neighbours -----------------------------------------------------------------------------------

@pytest.mark.parametrize("code, earlier", [
    ("2021-H1", "2020-H1"), ("2021-H2", "2020-H2"), ("2020-Q1", "2019-Q1"), ("2020-9M", "2019-9M"),
    ("2013-FY", "2012-FY"), ("2021-2025", "2016-2020"), ("2019-2020", "2017-2018"),
])
def test_year_earlier(code, earlier):
    assert P(code).year_earlier() == P(earlier)


@pytest.mark.parametrize("code, previous, following", [
    ("2021-H1", "2020-H2", "2021-H2"),
    ("2021-H2", "2021-H1", "2022-H1"),
    ("2020-Q1", "2019-Q4", "2020-Q2"),
    ("2020-Q4", "2020-Q3", "2021-Q1"),
    ("2020-9M", "2019-9M", "2021-9M"),
    ("2013-FY", "2012-FY", "2014-FY"),
    ("2021-2025", "2016-2020", "2026-2030"),
    ("2020-2M", "2019-2M", "2021-2M"),  # 29 February has no twin in 2019 or 2021
])
def test_previous_and_next(code, previous, following):
    p = P(code)
    assert p.previous() == P(previous) and p.next() == P(following)
    assert p.previous().next() == p and p.next().previous() == p


@pytest.mark.parametrize("code, method", [
    ("1975-H1", "previous"), ("1975-Q1", "previous"), ("1975-FY", "year_earlier"), ("1980-1990", "previous"),
    ("2100-H2", "next"), ("2100-Q4", "next"), ("2096-2100", "next"),
])
def test_neighbours_out_of_range_are_refused(code, method):
    with pytest.raises(PeriodError, match=f"không có kỳ .*{code}: năm .* nằm ngoài khoảng 1975–2100"):
        getattr(P(code), method)()


# --- labels ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("code, vi, en", [
    ("2019-H1", "6 tháng đầu năm 2019", "first half of 2019"),
    ("2019-H2", "6 tháng cuối năm 2019", "second half of 2019"),
    ("2020-Q1", "quý I năm 2020", "Q1 2020"),
    ("2020-Q4", "quý IV năm 2020", "Q4 2020"),
    ("2020-9M", "9 tháng năm 2020", "January–September 2020"),
    ("2014-10M", "10 tháng năm 2014", "January–October 2014"),
    ("2020-1M", "tháng 1 năm 2020", "January 2020"),
    ("2013-FY", "năm 2013", "2013"),
    ("2021-2025", "giai đoạn 2021–2025", "2021–2025"),
])
def test_labels(code, vi, en):
    p = P(code)
    assert (p.label_vi(), p.label_en(), p.label("vi"), p.label("en"), p.label()) == (vi, en, vi, en, vi)


@pytest.mark.parametrize("lang", ["fr", "VI", ""])
def test_label_refuses_other_languages(lang):
    with pytest.raises(InputError, match="cần 'vi' hoặc 'en'"):
        P("2019-H1").label(lang)


# --- meeting dates --------------------------------------------------------------------------------

@pytest.mark.parametrize("code, day, ok", [
    ("2019-H1", date(2019, 7, 17), True),    # corpus 000
    ("2021-H1", date(2021, 7, 23), True),    # corpus 004
    ("2013-FY", date(2014, 1, 15), True),    # corpus 002
    ("2018-FY", date(2018, 1, 19), False),   # corpus 003: the date contradicts the period
    ("2018-FY", date(2019, 1, 19), True),
    ("2018-FY", date(2018, 12, 31), False),  # the last day of the period itself
    ("2018-FY", date(2020, 3, 31), True),    # 15 months after, to the end of the month
    ("2018-FY", date(2020, 4, 1), False),
    ("2020-9M", date(2020, 10, 5), True),
    ("2021-2025", date(2026, 1, 20), True),
])
def test_is_reviewable_on(code, day, ok):
    assert P(code).is_reviewable_on(day) is ok


def test_is_reviewable_on_allows_an_early_meeting_only_when_asked():
    assert not P("2018-FY").is_reviewable_on(date(2018, 12, 20))
    assert P("2018-FY").is_reviewable_on(date(2018, 12, 20), early_days=15)
    assert not P("2018-FY").is_reviewable_on(date(2018, 12, 10), early_days=15)


# --- properties -----------------------------------------------------------------------------------

@st.composite
def periods(draw) -> Period:
    kind = draw(st.sampled_from(["H", "Q", "M", "FY", "MULTI"]))
    year = draw(st.integers(MIN_YEAR, MAX_YEAR - 1 if kind == "MULTI" else MAX_YEAR))
    if kind == "H":
        return Period.half(year, draw(st.integers(1, 2)))
    if kind == "Q":
        return Period.quarter(year, draw(st.integers(1, 4)))
    if kind == "M":
        return Period.first_months(year, draw(st.integers(1, 12)))
    if kind == "FY":
        return Period.full_year(year)
    return Period.span(year, draw(st.integers(year + 1, min(MAX_YEAR, year + 30))))


@given(periods())
def test_code_round_trip(p):
    assert P(p.code) == p and P(p.code).code == p.code
    assert parse_period_phrase(p.code) == p
    assert parse_period_phrase(p.code.lower()) == p


@given(periods())
def test_vietnamese_label_round_trip(p):
    assert parse_period_phrase(p.label_vi()) == p
    assert parse_period_phrase(nfd(p.label_vi().upper())) == p


@given(periods())
def test_label_is_found_in_running_text(p):
    text = f"Báo cáo kết quả {p.label_vi()}, phương hướng kỳ tới."
    assert [q for q, _, _ in find_periods(text)] == [p]


@given(periods(), periods())
def test_order_is_by_start_then_end(p, q):
    assert (p < q) == ((p.start, p.end) < (q.start, q.end))
    assert (p == q) == (p.code == q.code)
    if p.contains(q):
        assert p.overlaps(q) and p.start <= q.start and p.months >= q.months


@given(periods())
def test_neighbours_keep_the_kind_and_do_not_overlap(p):
    for neighbour in (p.previous, p.next, p.year_earlier):
        try:
            q = neighbour()
        except PeriodError:
            continue
        assert q.kind == p.kind and q.months == p.months
        assert not q.overlaps(p)


# ---------------------------------------------------------------------------------------------
# Year to date (issue 14): "từ đầu năm đến ngày 16/11/2018", its own kind and canonical code
# ---------------------------------------------------------------------------------------------

from giaoban.domain.periods import find_year_to_date  # noqa: E402
from giaoban.data.validation.schemas import parse_period as _schema_period  # noqa: E402


def test_year_to_date_has_a_code_of_its_own_that_reads_back():
    p = Period.year_to_date(date(2018, 11, 16))
    assert (p.code, p.kind, p.start, p.end) == ("2018-YTD-11-16", "YTD", date(2018, 1, 1), date(2018, 11, 16))
    assert P("2018-YTD-11-16") == p and parse_period_phrase("2018-ytd-11-16") == p
    assert p.label_vi() == "từ đầu năm 2018 đến ngày 16/11/2018"
    assert p.label_en() == "1 January–16 November 2018"
    assert parse_period_phrase(p.label_vi()) == p
    assert parse_period_phrase("tính đến ngày 16/11/2018") == p
    assert _schema_period("2018-YTD-11-16") == p  # data/ validation accepts the code


def test_year_to_date_to_the_end_of_a_month_is_the_n_month_period():
    assert Period.year_to_date(date(2019, 7, 31)).code == "2019-7M"
    assert Period.year_to_date(date(2019, 6, 30)).code == "2019-H1"
    with pytest.raises(PeriodError, match="ngày cuối tháng, viết 2019-7M"):
        P("2019-YTD-07-31")
    for bad in ("2019-YTD-02-30", "2019-YTD-7-5", "2019-YTD-13-01"):
        with pytest.raises(PeriodError):
            P(bad)


def test_year_to_date_sorts_and_compares_with_the_other_kinds():
    ytd = P("2018-YTD-11-16")
    assert sorted([P("2018-FY"), ytd, P("2018-9M"), P("2018-Q4"), P("2018-10M")]) == [
        P("2018-9M"), P("2018-10M"), ytd, P("2018-FY"), P("2018-Q4")]
    assert P("2018-FY").contains(ytd) and ytd.contains(P("2018-10M")) and not ytd.contains(P("2018-11M"))
    assert ytd.previous() == ytd.year_earlier() == P("2017-YTD-11-16") and ytd.next() == P("2019-YTD-11-16")
    assert P("2021-YTD-03-15").previous() == P("2020-YTD-03-15")
    assert P("2020-YTD-02-28").previous() == P("2019-2M")  # the same days: 28/02/2019 ends February
    assert ytd.is_reviewable_on(date(2018, 11, 20)) and not ytd.is_reviewable_on(date(2018, 11, 10))


@pytest.mark.parametrize("text, code, stated", [
    ("Tính đến ngày 15/11/2019, Sở đã giải ngân", "2019-YTD-11-15", True),
    ("từ đầu năm đến ngày 20 tháng 9 năm 2021, ngành", "2021-YTD-09-20", True),
    ("Lũy kế đến tháng 8 năm 2022, đã kiểm định", "2022-8M", True),
    ("từ đầu năm 2023 đến hết tháng 10, Sở", "2023-10M", True),
    ("Từ đầu năm đến nay, Sở đã tổ chức", "2024-YTD-05-14", False),
    ("Trước Tết Nguyên đán, Chi cục đã kiểm tra", "2024-YTD-05-14", False),
])
def test_find_year_to_date(text, code, stated):
    found = find_year_to_date(text, None, date(2024, 5, 14))
    assert [(f.period.code, f.stated) for f in found] == [(code, stated)]


def test_find_year_to_date_needs_a_day_for_den_nay_and_ignores_deadlines():
    assert find_year_to_date("Từ đầu năm đến nay, Sở đã tổ chức", 2024) == []
    assert find_year_to_date("nộp hồ sơ đến ngày 20/7/2024 tại Sở") == []


@pytest.mark.parametrize("text, code", [
    ("kết quả quý 2/2023 của Sở", "2023-Q2"), ("kết quả Q3/2021", "2021-Q3"), ("giao ban Q1 năm 2022", "2022-Q1"),
    ("11 tháng đầu năm 2019", "2019-11M"), ("10 tháng năm 2021", "2021-10M"), ("6 tháng cuối năm 2018", "2018-H2"),
])
def test_find_periods_reads_quarters_in_numerals_and_n_months(text, code):
    assert [p.code for p, _s, _e in find_periods(text)] == [code]
