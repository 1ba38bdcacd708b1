"""Reading and writing numbers, money, percentages and qualifiers the Vietnamese way.

The phrases are quoted from the reports of the corpus: Quảng Ngãi 2021-H1 (004) and
Yên Bái 2020-9M (001).
"""

from __future__ import annotations

import unicodedata

import pytest
from babel.numbers import get_decimal_symbol, get_group_symbol
from hypothesis import given
from hypothesis import strategies as st

from giaoban.errors import InputError, NumberError
from giaoban.domain.numbers import (
    MONEY_UNITS,
    QUALIFIER_CODES,
    QUALIFIERS,
    Quantity,
    format_money,
    format_number,
    format_percent,
    format_quantity,
    parse_money,
    parse_number,
    parse_quantity,
    qualifier_label,
)


def nfd(s: str) -> str:
    """The same text with combining diacritics, as some web pages deliver it."""
    return unicodedata.normalize("NFD", s)


# --- parse_number ---------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("1.287", 1287),            # phương tiện đo kiểm định (004)
    ("50.074.800", 50074800),   # tiền xử phạt (004)
    ("99,88", 99.88),           # % kế hoạch vốn (001)
    ("11,6", 11.6),
    ("01", 1),
    ("08", 8),
    ("0", 0),
    ("1.209,5", 1209.5),
    ("12.486", 12486),
    ("22.453", 22453),
    ("999.999.999.999.999", 999_999_999_999_999),
    (" 1.287 ", 1287),
])
def test_parse_number_reads_vietnamese_numbers(text, expected):
    value = parse_number(text)
    assert value == expected
    assert type(value) is type(expected)


def test_parse_number_returns_int_without_decimal_part_and_float_with_one():
    assert isinstance(parse_number("1.287"), int)
    assert isinstance(parse_number("1,0"), float)


@pytest.mark.parametrize(("text", "message"), [
    ("1.5", "số không hợp lệ '1.5': nhóm nghìn phải có 3 chữ số (viết 1.500 hoặc 1,5)"),
    ("12.34", "nhóm nghìn phải có 3 chữ số (viết 12.340 hoặc 12,34)"),
    ("1.2345", "nhóm nghìn phải có 3 chữ số (viết 12.345 hoặc 1,2345)"),
    ("1.23.456", "nhóm nghìn phải có 3 chữ số (viết 123.456)"),
    ("", "số trống"),
    ("   ", "số trống"),
    ("abc", "chỉ được có chữ số, dấu '.' phân cách hàng nghìn và dấu ',' thập phân"),
    ("12a", "chỉ được có chữ số"),
    ("1 287", "chỉ được có chữ số"),
    ("-5", "không nhận số âm"),
    ("1,287.5",
     "viết theo kiểu Việt Nam, '.' phân cách hàng nghìn và ',' thập phân (viết 1.287,5)"),
    ("1,2,3", "chỉ được có một dấu ','"),
    (",5", "phải bắt đầu và kết thúc bằng chữ số"),
    ("5.", "phải bắt đầu và kết thúc bằng chữ số"),
    ("1.000.000.000.000.000",
     "số quá lớn hoặc quá nhiều chữ số '1.000.000.000.000.000': tối đa 15"),
    ("0,1234567890123456", "tối đa 15 chữ số có nghĩa"),
    ("٣", "chỉ được có chữ số"),  # an Arabic-Indic digit is not a Vietnamese number
])
def test_parse_number_refuses_with_a_message(text, message):
    with pytest.raises(NumberError) as caught:
        parse_number(text)
    assert message in str(caught.value)
    assert isinstance(caught.value, InputError)


def test_parse_number_reads_negatives_only_when_allowed():
    assert parse_number("-1.234", allow_negative=True) == -1234
    assert parse_number("−2,5", allow_negative=True) == -2.5  # the typographic minus sign


def test_parse_number_ignores_leading_and_trailing_zeros_when_counting_digits():
    assert parse_number("000.000.000.000.000.001") == 1
    assert parse_number("1,500000000000000000") == 1.5


# --- Quantity and parse_quantity --------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("trên 500 sinh viên", Quantity(500, "sinh viên", "more_than")),               # 004
    ("hơn 350 đoàn viên thanh niên", Quantity(350, "đoàn viên thanh niên", "more_than")),  # 001
    ("gần 100", Quantity(100, None, "almost")),
    ("khoảng 20 doanh nghiệp", Quantity(20, "doanh nghiệp", "about")),
    ("xấp xỉ 20 doanh nghiệp", Quantity(20, "doanh nghiệp", "about")),
    ("trên dưới 100 người", Quantity(100, "người", "about")),
    ("tới 30", Quantity(30, None, "up_to")),
    ("đến 30", Quantity(30, None, "up_to")),
    ("lên tới 30 tỷ đồng", Quantity(30_000_000_000, "đồng", "up_to", money=True)),
    ("1.287 phương tiện đo", Quantity(1287, "phương tiện đo")),                      # 004
    ("50.074.800 đồng", Quantity(50_074_800, "đồng", money=True)),                  # 004
    ("11.497 triệu đồng", Quantity(11_497_000_000, "đồng", money=True)),            # 004
    ("22.453 triệu đồng", Quantity(22_453_000_000, "đồng", money=True)),            # 004
    ("12.486 triệu đồng", Quantity(12_486_000_000, "đồng", money=True)),            # 001
    ("11,6 tỷ đồng", Quantity(11_600_000_000, "đồng", money=True)),
    ("1,5 nghìn tỷ đồng", Quantity(1_500_000_000_000, "đồng", money=True)),
    ("50.074.800đ", Quantity(50_074_800, "đồng", money=True)),
    ("5 VNĐ", Quantity(5, "đồng", money=True)),
    ("99,88%", Quantity(99.88, percent=True)),                                       # 001
    ("46%", Quantity(46, percent=True)),
    ("46 %", Quantity(46, percent=True)),
    ("99,88% kế hoạch", Quantity(99.88, "kế hoạch", percent=True)),
    ("13/14 mẫu", Quantity(13, "mẫu", denominator=14)),                              # 004
    ("3/11 lĩnh vực", Quantity(3, "lĩnh vực", denominator=11)),
    ("01 mẫu", Quantity(1, "mẫu")),                                                  # 004
    ("1đề tài", Quantity(1, "đề tài")),
    ("08 cơ sở", Quantity(8, "cơ sở")),                                              # 004
    ("132 cột đo xăng dầu", Quantity(132, "cột đo xăng dầu")),                        # 004
    ("1,5 triệu lượt", Quantity(1_500_000, "lượt")),
    ("11,6 tỷ", Quantity(11_600_000_000)),
    ("Trên 500 sinh viên.", Quantity(500, "sinh viên", "more_than")),
    ("trên\u00a0500  sinh viên", Quantity(500, "sinh viên", "more_than")),
])
def test_parse_quantity_reads_every_form(text, expected):
    assert parse_quantity(text) == expected


def test_parse_quantity_keeps_the_qualifier():
    assert parse_quantity("trên 500 sinh viên") != parse_quantity("500 sinh viên")


def test_parse_quantity_normalises_combining_diacritics():
    assert nfd("gần") != "gần"
    assert parse_quantity(nfd("hơn 350 đoàn viên thanh niên")) == Quantity(
        350, "đoàn viên thanh niên", "more_than")
    assert parse_quantity(nfd("gần 100 học viên")) == Quantity(100, "học viên", "almost")
    assert parse_quantity(nfd("11,6 tỷ đồng")).value == 11_600_000_000
    unit = parse_quantity(nfd("1.287 phương tiện đo")).unit
    assert unit == "phương tiện đo" and unicodedata.is_normalized("NFC", unit)
    assert Quantity(1, nfd("học viên")).unit == "học viên"


@pytest.mark.parametrize(("text", "message"), [
    ("", "không có số"),
    ("không có số liệu", "không có số trong 'không có số liệu'"),
    ("số tiền 5 đồng", "mong đợi [từ chỉ mức độ] số [đơn vị]"),
    ("dưới 100 người", "từ chỉ mức độ đọc được: trên, hơn"),
    ("20/01/2021", "sau số phải là đơn vị bằng chữ"),                 # a date
    ("43/QĐ-UBND", "sau số phải là đơn vị bằng chữ"),                 # a legal reference
    ("2021-2025", "sau số phải là đơn vị bằng chữ"),
    ("1.5 sinh viên", "nhóm nghìn phải có 3 chữ số (viết 1.500 hoặc 1,5) (trong '1.5 sinh viên')"),
    ("1,5/3 mẫu", "tỷ số không hợp lệ '1,5/3 mẫu': cần hai số nguyên"),
    ("3/0 mẫu", "mẫu số bằng 0"),
    ("3/14 tỷ đồng", "không dùng tỷ số cho số tiền"),
    ("0,5 đồng", "phải là một số đồng nguyên"),
    ("-5 mẫu", "không nhận số âm"),
])
def test_parse_quantity_refuses_with_a_message(text, message):
    with pytest.raises(NumberError) as caught:
        parse_quantity(text)
    assert message in str(caught.value)


def test_parse_quantity_reads_negatives_only_when_allowed():
    assert parse_quantity("-5%", allow_negative=True) == Quantity(-5, percent=True)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"value": "5"}, "giá trị phải là số"),
    ({"value": float("nan")}, "số hữu hạn"),
    ({"value": 5, "qualifier": "less_than"}, "từ chỉ mức độ không hợp lệ 'less_than'"),
    ({"value": 5, "denominator": 0}, "mẫu số phải là số nguyên dương"),
    ({"value": 5.5, "money": True}, "số đồng nguyên"),
    ({"value": 5, "unit": "triệu đồng", "money": True}, "được lưu bằng đồng"),
    ({"value": 5, "percent": True, "money": True}, "không thể là phần trăm"),
])
def test_quantity_refuses_inconsistent_values(kwargs, message):
    with pytest.raises(NumberError, match=message):
        Quantity(**kwargs)


def test_quantity_is_frozen_and_money_is_in_dong():
    q = Quantity(5, money=True)
    assert q.unit == "đồng"
    with pytest.raises(AttributeError):
        q.value = 6  # type: ignore[misc]


# --- parse_money ------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("50.074.800 đồng", 50_074_800),
    ("11.497 triệu đồng", 11_497_000_000),
    ("11,6 tỷ đồng", 11_600_000_000),
    ("12.486 triệu đồng", 12_486_000_000),
    ("50.074.800 đ", 50_074_800),
    ("50.074.800đ", 50_074_800),
    ("50.074.800 VNĐ", 50_074_800),
    ("50.074.800 VND", 50_074_800),
    ("11.497 triệu", 11_497_000_000),
    ("11,6 tỷ", 11_600_000_000),
    ("11,6 tỉ đồng", 11_600_000_000),
    ("500 nghìn đồng", 500_000),
    ("500 ngàn đồng", 500_000),
    ("12,5 triệu VNĐ", 12_500_000),
    ("1,5 nghìn tỷ đồng", 1_500_000_000_000),
])
def test_parse_money_returns_whole_dong(text, expected):
    value = parse_money(text)
    assert value == expected and isinstance(value, int)
    assert parse_money(nfd(text)) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("50.074.800", "cần số và đơn vị tiền"),
    ("5 người", "đơn vị tiền không hợp lệ 'người'"),
    ("trên 11 tỷ đồng", "có từ chỉ mức độ; dùng parse_quantity"),
    ("0,5 đồng", "phải là một số đồng nguyên"),
    ("1,2345678 triệu đồng", "phải là một số đồng nguyên"),
    ("-5 đồng", "không nhận số âm"),
    ("đồng", "không có số"),
])
def test_parse_money_refuses_with_a_message(text, message):
    with pytest.raises(NumberError) as caught:
        parse_money(text)
    assert message in str(caught.value)


# --- formatting ---------------------------------------------------------------------------------

def test_babel_vi_locale_uses_dot_for_thousands_and_comma_for_decimals():
    assert (get_group_symbol("vi"), get_decimal_symbol("vi")) == (".", ",")
    assert (get_group_symbol("en"), get_decimal_symbol("en")) == (",", ".")


@pytest.mark.parametrize(("value", "decimals", "vi", "en"), [
    (1287, None, "1.287", "1,287"),
    (50074800, None, "50.074.800", "50,074,800"),
    (99.88, None, "99,88", "99.88"),
    (1209.5, 1, "1.209,5", "1,209.5"),
    (1209.5, 2, "1.209,50", "1,209.50"),
    (0.5, None, "0,5", "0.5"),
    (0, None, "0", "0"),
    (-1234, None, "-1.234", "-1,234"),
    (21.0, None, "21", "21"),
    (2.675, 2, "2,68", "2.68"),      # half up on the written digits, not on the binary float
    (12.5, 0, "13", "13"),
    (-0.001, 2, "0,00", "0.00"),      # no "-0"
    (1e20, None, "100.000.000.000.000.000.000", "100,000,000,000,000,000,000"),
])
def test_format_number(value, decimals, vi, en):
    assert format_number(value, decimals) == vi
    assert format_number(value, decimals, lang="en") == en


@pytest.mark.parametrize(("value", "bad", "error"), [
    (float("nan"), {}, NumberError),
    (float("inf"), {}, NumberError),
    ("12", {}, TypeError),
    (True, {}, TypeError),
    (1.5, {"decimals": -1}, ValueError),
    (1.5, {"lang": "fr"}, InputError),
])
def test_format_number_refuses(value, bad, error):
    with pytest.raises(error):
        format_number(value, **bad)


def test_format_refuses_other_languages_with_a_message():
    for call in (lambda: format_number(1, lang="fr"), lambda: format_percent(1, lang="fr"),
                 lambda: format_money(1, lang="fr"), lambda: qualifier_label("about", "fr"),
                 lambda: format_quantity(Quantity(1), lang="fr")):
        with pytest.raises(InputError, match="ngôn ngữ không hỗ trợ 'fr': chọn 'vi' hoặc 'en'"):
            call()


def test_format_percent():
    assert format_percent(99.88) == "99,88%"
    assert format_percent(46) == "46%"
    assert format_percent(21.0) == "21%"
    assert format_percent(99.88, 1) == "99,9%"
    assert format_percent(99.88, lang="en") == "99.88%"


@pytest.mark.parametrize(("amount", "unit", "vi", "en"), [
    (50_074_800, "đồng", "50.074.800 đồng", "50,074,800 VND"),
    (11_497_000_000, "triệu đồng", "11.497 triệu đồng", "11,497 million VND"),
    (11_600_000_000, "tỷ đồng", "11,6 tỷ đồng", "11.6 billion VND"),
    (500_000, "nghìn đồng", "500 nghìn đồng", "500 thousand VND"),
    (1_500_000_000_000, "nghìn tỷ đồng", "1,5 nghìn tỷ đồng", "1.5 trillion VND"),
    (50_074_800, "triệu đồng", "50,0748 triệu đồng", "50.0748 million VND"),  # nothing rounded
    (50_074_800, "auto", "50.074.800 đồng", "50,074,800 VND"),  # triệu would need 4 decimals
    (500_000, "auto", "500.000 đồng", "500,000 VND"),
    (1_500_000, "auto", "1,5 triệu đồng", "1.5 million VND"),
    (11_600_000_000, "auto", "11,6 tỷ đồng", "11.6 billion VND"),
    (11_497_000_000, "auto", "11,497 tỷ đồng", "11.497 billion VND"),
    (0, "auto", "0 đồng", "0 VND"),
    (-2_000_000, "auto", "-2 triệu đồng", "-2 million VND"),
])
def test_format_money(amount, unit, vi, en):
    assert format_money(amount, unit=unit) == vi
    assert format_money(amount, unit=unit, lang="en") == en


def test_format_money_defaults_to_dong_and_rounds_only_when_asked():
    assert format_money(50_074_800) == "50.074.800 đồng"
    assert format_money(50_074_800, unit="triệu đồng", decimals=1) == "50,1 triệu đồng"
    assert format_money(50_074_800, unit="auto", decimals=1) == "50,1 triệu đồng"
    assert format_money(11_600_000_000.0) == "11.600.000.000 đồng"


def test_format_money_refuses():
    with pytest.raises(NumberError, match="đơn vị tiền không hợp lệ 'USD'"):
        format_money(5, unit="USD")
    with pytest.raises(NumberError, match="số đồng nguyên"):
        format_money(5.5)


def test_qualifiers_map_words_to_codes_and_back():
    assert set(QUALIFIERS.values()) == set(QUALIFIER_CODES)
    assert QUALIFIERS["trên"] == QUALIFIERS["hơn"] == "more_than"
    assert QUALIFIERS["tới"] == QUALIFIERS["đến"] == "up_to"
    assert [qualifier_label(c) for c in QUALIFIER_CODES] == ["trên", "khoảng", "gần", "tới"]
    assert [qualifier_label(c, "en") for c in QUALIFIER_CODES] == [
        "more than", "about", "almost", "up to"]
    assert qualifier_label(None) == ""
    for code in QUALIFIER_CODES:
        assert QUALIFIERS[qualifier_label(code)] == code
    with pytest.raises(NumberError, match="từ chỉ mức độ không hợp lệ 'less_than'"):
        qualifier_label("less_than")


# --- format_quantity and round trips -------------------------------------------------------------

@pytest.mark.parametrize(("text", "vi", "en"), [
    ("trên 500 sinh viên", "trên 500 sinh viên", "more than 500 sinh viên"),
    ("hơn 350 đoàn viên thanh niên", "trên 350 đoàn viên thanh niên",
     "more than 350 đoàn viên thanh niên"),
    ("gần 100", "gần 100", "almost 100"),
    ("khoảng 20 doanh nghiệp", "khoảng 20 doanh nghiệp", "about 20 doanh nghiệp"),
    ("đến 30", "tới 30", "up to 30"),
    ("tới 30", "tới 30", "up to 30"),
    ("1.287 phương tiện đo", "1.287 phương tiện đo", "1,287 phương tiện đo"),
    ("50.074.800 đồng", "50.074.800 đồng", "50,074,800 VND"),
    ("11.497 triệu đồng", "11.497.000.000 đồng", "11,497,000,000 VND"),
    ("11,6 tỷ đồng", "11.600.000.000 đồng", "11,600,000,000 VND"),
    ("99,88%", "99,88%", "99.88%"),
    ("46%", "46%", "46%"),
    ("13/14 mẫu", "13/14 mẫu", "13/14 mẫu"),
    ("3/11 lĩnh vực", "3/11 lĩnh vực", "3/11 lĩnh vực"),
    ("01 mẫu", "1 mẫu", "1 mẫu"),
    ("1đề tài", "1 đề tài", "1 đề tài"),
    ("08 cơ sở", "8 cơ sở", "8 cơ sở"),
])
def test_format_quantity_writes_and_round_trips(text, vi, en):
    q = parse_quantity(text)
    assert format_quantity(q) == vi
    assert format_quantity(q, lang="en") == en
    assert parse_quantity(format_quantity(q)) == q


def test_format_quantity_writes_money_in_the_unit_asked():
    q = parse_quantity("11.497 triệu đồng")
    assert format_quantity(q, money_unit="triệu đồng") == "11.497 triệu đồng"
    over = parse_quantity("trên 11,6 tỷ đồng")
    assert format_quantity(over, money_unit="auto") == "trên 11,6 tỷ đồng"
    for unit in [*MONEY_UNITS, "auto"]:
        assert parse_quantity(format_quantity(q, money_unit=unit)) == q


@given(st.integers(min_value=0, max_value=10**12))
def test_round_trip_integers(n):
    assert parse_number(format_number(n)) == n


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_round_trip_negative_integers(n):
    assert parse_number(format_number(n), allow_negative=True) == n


@given(st.integers(min_value=0, max_value=10**12))
def test_round_trip_floats_with_two_decimals(cents):
    x = cents / 100
    assert parse_number(format_number(x)) == x
    assert parse_number(format_number(x, decimals=2)) == x


@given(st.integers(min_value=0, max_value=10**14), st.sampled_from([*MONEY_UNITS, "auto"]))
def test_round_trip_money(amount, unit):
    assert parse_money(format_money(amount, unit=unit)) == amount


@given(st.builds(
    Quantity,
    value=st.one_of(st.integers(0, 10**12), st.integers(0, 10**9).map(lambda c: c / 100)),
    unit=st.sampled_from([None, "sinh viên", "phương tiện đo", "mẫu", "đề tài", "học viên"]),
    qualifier=st.sampled_from([None, *QUALIFIER_CODES]),
))
def test_round_trip_quantities(q):
    assert parse_quantity(format_quantity(q)) == q
    assert parse_quantity(nfd(format_quantity(q))) == q
