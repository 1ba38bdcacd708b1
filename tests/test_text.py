"""Vietnamese text helpers: NFC, diacritics, folding, tone placement, slugs."""

import unicodedata

import pytest
from hypothesis import given, strategies as st

from giaoban.domain.text import fold, nfc, normalize_tone_placement, slugify, strip_diacritics

VOWELS = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵ"
vietnamese_text = st.text(alphabet=VOWELS + VOWELS.upper() + "đĐbchklmnpqrstvgx .-–,", max_size=40)


def test_nfc_composes_decomposed_input():
    decomposed = unicodedata.normalize("NFD", "Thừa Thiên Huế")
    assert decomposed != "Thừa Thiên Huế"
    assert nfc(decomposed) == "Thừa Thiên Huế"


@pytest.mark.parametrize("text, expected", [
    ("Thừa Thiên Huế", "Thua Thien Hue"),
    ("Đắk Lắk", "Dak Lak"),
    ("đường Điện Biên Phủ", "duong Dien Bien Phu"),
    ("Bà Rịa – Vũng Tàu", "Ba Ria – Vung Tau"),
    ("KH&CN 99,88%", "KH&CN 99,88%"),
])
def test_strip_diacritics(text, expected):
    assert strip_diacritics(text) == expected


def test_strip_diacritics_removes_every_vowel_mark():
    assert strip_diacritics(VOWELS) == "a" * 18 + "e" * 12 + "i" * 6 + "o" * 18 + "u" * 12 + "y" * 6
    assert strip_diacritics(VOWELS.upper()) == strip_diacritics(VOWELS).upper()


@pytest.mark.parametrize("text, expected", [
    ("TP. Hồ Chí Minh", "tp ho chi minh"),
    ("TP.HCM", "tp hcm"),
    ("Bà Rịa–Vũng Tàu", "ba ria vung tau"),
    ("Bà Rịa - Vũng Tàu", "ba ria vung tau"),
    ("Thừa Thiên — Huế", "thua thien hue"),
    ("  Thanh   Hoá\t", "thanh hoa"),
    ("Thanh Hóa", "thanh hoa"),
    ("ĐẮK_LẮK", "dak lak"),
    (unicodedata.normalize("NFD", "Khánh Hòa"), "khanh hoa"),
])
def test_fold(text, expected):
    assert fold(text) == expected


@pytest.mark.parametrize("old, new", [
    ("Hòa Bình", "Hoà Bình"),
    ("Thanh Hóa", "Thanh Hoá"),
    ("Khánh Hòa", "Khánh Hoà"),
    ("thỏa", "thoả"), ("xõa", "xoã"), ("họa", "hoạ"),
    ("khỏe", "khoẻ"), ("xòe", "xoè"), ("lóe", "loé"),
    ("thủy", "thuỷ"), ("Ủy ban", "Uỷ ban"), ("lũy", "luỹ"), ("Thúy", "Thuý"), ("ngụy", "nguỵ"),
    ("HÒA BÌNH", "HOÀ BÌNH"),
])
def test_tone_placement_both_ways(old, new):
    assert normalize_tone_placement(old, style="new") == new
    assert normalize_tone_placement(new, style="old") == old
    assert normalize_tone_placement(old, style="old") == old
    assert normalize_tone_placement(new, style="new") == new


@pytest.mark.parametrize("word", ["hoàn", "toán", "hoạt", "khoảng", "huỳnh", "khuya", "quý", "Quỳnh",
                                  "quỷ", "ngoài", "xoáy", "hoa", "oa", "Huế", "thuở"])
def test_tone_placement_leaves_other_syllables_alone(word):
    assert normalize_tone_placement(word, "old") == word
    assert normalize_tone_placement(word, "new") == word


def test_tone_placement_in_a_sentence_and_decomposed_input():
    text = unicodedata.normalize("NFD", "Ủy ban nhân dân tỉnh Thanh Hóa hoàn thành, sức khỏe tốt")
    assert normalize_tone_placement(text, "new") == "Uỷ ban nhân dân tỉnh Thanh Hoá hoàn thành, sức khoẻ tốt"


def test_tone_placement_refuses_unknown_style():
    with pytest.raises(ValueError):
        normalize_tone_placement("Hòa", style="modern")


@given(vietnamese_text, st.sampled_from(["old", "new"]))
def test_tone_placement_keeps_length_fold_and_is_idempotent(text, style):
    once = normalize_tone_placement(text, style)
    assert len(once) == len(nfc(text))
    assert normalize_tone_placement(once, style) == once
    assert fold(once) == fold(text)


@given(vietnamese_text)
def test_fold_is_idempotent_and_ascii_for_vietnamese(text):
    folded = fold(text)
    assert fold(folded) == folded
    assert folded.isascii()


@pytest.mark.parametrize("text, expected", [
    ("Thừa Thiên Huế", "thua-thien-hue"),
    ("Đắk Lắk", "dak-lak"),
    ("Bà Rịa - Vũng Tàu", "ba-ria-vung-tau"),
    ("Hồ Chí Minh", "ho-chi-minh"),
    ("  Quảng  Ngãi!! ", "quang-ngai"),
    ("Hoà Bình", "hoa-binh"),
    ("Hòa Bình", "hoa-binh"),
    ("", ""),
])
def test_slugify(text, expected):
    assert slugify(text) == expected
