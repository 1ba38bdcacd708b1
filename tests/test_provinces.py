"""Provincial units: the reference data, name matching, dates, succession and mentions in reports."""

import csv
import hashlib
import shutil
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from giaoban import paths
from giaoban.errors import InputError, ProvinceError
from giaoban.domain.provinces import Province, load_provinces, mentions
from giaoban.domain.text import nfc, normalize_tone_placement, strip_diacritics

BEFORE = date(2020, 9, 30)          # 63 units, code 46 = Thừa Thiên Huế
HUE_CITY = date(2025, 3, 1)         # 63 units, code 46 = Huế
AFTER = date(2025, 8, 1)            # 34 units
REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"


@dataclass(frozen=True)
class FakePeriod:  # stands for giaoban.domain.periods.Period: only .start and .end matter here
    start: date
    end: date


@pytest.fixture(scope="module")
def reg():
    return load_provinces()


def rows(name):
    with open(REFERENCE / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# ---------------------------------------------------------------- reference data

def test_registry_reads_the_project_copy_not_shared():
    assert Path(paths.REFERENCE).resolve() == REFERENCE
    assert load_provinces() is load_provinces()  # cached
    assert "shared" not in Path(paths.REFERENCE).resolve().parts


def test_geojson_copy_matches_the_checksum_in_sources():
    digest = hashlib.sha256((REFERENCE / "geo" / "vn_provinces_63.geojson").read_bytes()).hexdigest()
    assert digest in (REFERENCE / "SOURCES.md").read_text(encoding="utf-8")


def test_counts(reg):
    assert len(reg.units(on=BEFORE)) == 63
    assert len(reg.units(on=HUE_CITY)) == 63
    assert len(reg.units(on=AFTER)) == 34
    assert len(reg.units(on=date(2025, 6, 30))) == 63
    assert len(reg.units(on=date(2025, 7, 1))) == 34
    # 52 merged + 10 unchanged + Thừa Thiên Huế + Huế + 23 new
    assert len(reg.units()) == len(reg) == 87
    assert {p.code for p in reg.units(on=AFTER)} == {r["code"] for r in rows("provinces_34.csv")}
    assert reg.merger_date == date(2025, 7, 1)


def test_codes_are_two_digit_strings(reg):
    assert all(isinstance(p.code, str) and len(p.code) == 2 for p in reg)
    assert reg.get("01").name_vi == "Hà Nội"
    assert reg.get("04").name_vi == "Cao Bằng"
    for bad in ("1", "001", 1, 15, "", "ab"):
        with pytest.raises(ProvinceError, match="hai chữ số"):
            reg.get(bad)
    with pytest.raises(ProvinceError, match="99"):
        reg.get("99")


def test_province_fields(reg):
    qn = reg.get("51", on=BEFORE)
    assert (qn.name_vi, qn.name_ascii, qn.name_en, qn.type) == ("Quảng Ngãi", "Quang Ngai", "Quang Ngai", "tỉnh")
    assert qn.region == "Bắc Trung Bộ và duyên hải miền Trung"
    assert (qn.valid_from, qn.valid_to, qn.successor) == (None, date(2025, 6, 30), "51")
    assert qn.slug == "51-quang-ngai" and qn.full_name_vi == "Tỉnh Quảng Ngãi"
    hcm = reg.get("79", on=AFTER)
    assert hcm.full_name_vi == "Thành phố Hồ Chí Minh"
    assert hcm.label("vi") == "Hồ Chí Minh" and hcm.label("en") == "Ho Chi Minh City"
    assert hcm.region is None and hcm.valid_from == date(2025, 7, 1)
    with pytest.raises(InputError, match="lang"):
        hcm.label("fr")
    with pytest.raises(AttributeError):
        hcm.code = "80"


def test_slugs(reg):
    assert reg.get("15", on=BEFORE).slug == "15-yen-bai"
    assert reg.get("15", on=AFTER).slug == "15-lao-cai"
    assert reg.get("38", on=BEFORE).slug == reg.get("38", on=AFTER).slug == "38-thanh-hoa"
    assert reg.by_slug("15-yen-bai").name_vi == "Yên Bái"
    assert reg.by_slug("38-thanh-hoa") is reg.get("38")
    assert reg.by_slug("51-quang-ngai", on=AFTER).valid_from == date(2025, 7, 1)
    with pytest.raises(ProvinceError, match="ngày"):
        reg.by_slug("51-quang-ngai")  # the old and the new Quảng Ngãi share code and name
    with pytest.raises(ProvinceError, match="15-yen-bai"):
        reg.by_slug("15-yen-ba")


# ---------------------------------------------------------------- dates

def test_code_reused_by_new_unit(reg):
    assert reg.get("15", on=BEFORE).name_vi == "Yên Bái"
    assert reg.get("15", on=AFTER).name_vi == "Lào Cai"
    assert reg.get("15", on=date(2025, 6, 30)).name_vi == "Yên Bái"
    assert reg.get("15", on=date(2025, 7, 1)).name_vi == "Lào Cai"
    with pytest.raises(ProvinceError, match="ngày"):
        reg.get("15")


def test_code_46_thua_thien_hue_then_hue(reg):
    tth = reg.get("46", on=date(2019, 7, 17))
    assert (tth.name_vi, tth.type, tth.valid_to) == ("Thừa Thiên Huế", "tỉnh", date(2024, 12, 31))
    hue = reg.get("46", on=HUE_CITY)
    assert (hue.name_vi, hue.type, hue.valid_from) == ("Huế", "thành phố trực thuộc trung ương", date(2025, 1, 1))
    assert reg.get("46", on=AFTER) is hue and hue.valid_to is None
    assert reg.get("46", on=date(2024, 12, 31)) is tth and reg.get("46", on=date(2025, 1, 1)) is hue
    assert hue.region == tth.region and hue.full_name_vi == "Thành phố Huế"


def test_on_accepts_a_period_and_uses_its_end(reg):
    assert reg.get("15", on=FakePeriod(date(2025, 1, 1), date(2025, 6, 30))).name_vi == "Yên Bái"
    assert reg.get("15", on=FakePeriod(date(2025, 1, 1), date(2025, 12, 31))).name_vi == "Lào Cai"
    assert reg.match("Huế", on=FakePeriod(date(2019, 1, 1), date(2019, 6, 30))).name_vi == "Thừa Thiên Huế"
    assert len(reg.units(on=FakePeriod(date(2025, 1, 1), date(2025, 9, 30)))) == 34
    with pytest.raises(TypeError):
        reg.get("15", on="2020-01-01")


def test_unit_not_in_force_is_refused_with_its_successor(reg):
    with pytest.raises(ProvinceError, match="Tuyên Quang") as err:
        reg.get("02", on=AFTER)
    assert "Hà Giang" in str(err.value) and "01/08/2025" in str(err.value)
    with pytest.raises(ProvinceError, match="Lào Cai"):
        reg.match("Yên Bái", on=AFTER)


# ---------------------------------------------------------------- succession

def test_succession(reg):
    yen_bai, lao_cai_old = reg.get("15", on=BEFORE), reg.get("10", on=BEFORE)
    lao_cai = reg.get("15", on=AFTER)
    assert reg.successor_of(yen_bai) is lao_cai
    assert reg.successor_of(lao_cai_old) is lao_cai
    assert reg.predecessors_of(lao_cai) == [lao_cai_old, yen_bai]
    kon_tum = reg.match("Kon Tum", on=BEFORE)
    quang_ngai = reg.match("Quảng Ngãi", on=AFTER)
    assert reg.successor_of(kon_tum) is quang_ngai
    assert {p.name_vi for p in reg.predecessors_of(quang_ngai)} == {"Quảng Ngãi", "Kon Tum"}
    assert reg.match("Quảng Ngãi", on=BEFORE) in reg.predecessors_of(quang_ngai)
    assert reg.successor_of(lao_cai) is None
    assert reg.successor_of(yen_bai, on=AFTER) is lao_cai
    assert reg.successor_of(yen_bai, on=BEFORE) is yen_bai
    with pytest.raises(ProvinceError):
        reg.successor_of(lao_cai, on=BEFORE)


def test_unchanged_unit_is_one_unit_with_its_own_history(reg):
    thanh_hoa = reg.match("Thanh Hóa", on=BEFORE)
    assert reg.match("Thanh Hóa", on=AFTER) is thanh_hoa is reg.get("38")
    assert (thanh_hoa.valid_from, thanh_hoa.valid_to, thanh_hoa.successor) == (None, None, None)
    assert reg.predecessors_of(thanh_hoa) == [thanh_hoa]
    assert reg.predecessors_of(thanh_hoa, on=date(2014, 1, 1)) == [thanh_hoa]
    assert reg.successor_of(thanh_hoa) is None
    assert reg.successor_of(thanh_hoa, on=AFTER) is thanh_hoa
    merger = rows("province_merger_2025.csv")
    sources = {}
    for r in merger:
        sources.setdefault(r["new_code"], []).append(r["old_code"])
    unchanged = sorted(c for c, olds in sources.items() if olds == [c])
    assert len(unchanged) == 11
    for code in unchanged:
        unit = reg.get(code, on=AFTER)
        assert reg.predecessors_of(unit) == [unit]
        assert unit in reg.units(on=HUE_CITY) and unit in reg.units(on=AFTER)


def test_predecessors_reach_back_through_the_renaming_of_hue(reg):
    hue, tth = reg.get("46", on=AFTER), reg.get("46", on=BEFORE)
    assert reg.predecessors_of(hue) == [hue]
    assert reg.predecessors_of(hue, on=BEFORE) == [tth]
    assert reg.successor_of(tth) is hue and reg.successor_of(hue) is None
    lao_cai = reg.get("15", on=AFTER)
    assert [p.name_vi for p in reg.predecessors_of(lao_cai, on=BEFORE)] == ["Lào Cai", "Yên Bái"]
    with pytest.raises(ProvinceError):
        reg.predecessors_of(reg.get("15", on=BEFORE), on=AFTER)


def test_every_old_unit_reaches_exactly_one_new_unit(reg):
    merger = {r["old_code"]: r["new_code"] for r in rows("province_merger_2025.csv")}
    new_units = reg.units(on=AFTER)
    for old in reg.units(on=date(2025, 6, 30)):
        assert reg.successor_of(old, on=AFTER).code == merger[old.code]
    assert sum(len(reg.predecessors_of(p)) for p in new_units) == 63


# ---------------------------------------------------------------- names

def spellings(name):
    """The name as GSO writes it, in both tone placements, and without diacritics."""
    return {name, normalize_tone_placement(name, "old"), normalize_tone_placement(name, "new"),
            strip_diacritics(name), name.lower(), name.upper()}


@pytest.mark.parametrize("on", [BEFORE, HUE_CITY], ids=["2020", "2025-03"])
def test_every_old_name_matches_itself(reg, on):
    for unit in reg.units(on=on):
        for spelling in spellings(unit.name_vi) | {unit.name_ascii, unit.name_en, unit.full_name_vi}:
            assert reg.match(spelling, on=on) is unit, spelling
        assert reg.match(unit.code, on=on) is unit


def test_every_new_name_matches_itself(reg):
    for unit in reg.units(on=AFTER):
        for spelling in spellings(unit.name_vi) | {unit.name_ascii, unit.name_en, unit.full_name_vi}:
            assert reg.match(spelling, on=AFTER) is unit, spelling
        assert reg.match(unit.code, on=AFTER) is unit


@pytest.mark.parametrize("spelling, code", [
    ("Hòa Bình", "17"), ("Hoà Bình", "17"), ("Thanh Hoá", "38"), ("Thanh Hóa", "38"),
    ("Khánh Hoà", "56"), ("tỉnh Hòa Bình", "17"), ("Tỉnh Quảng Ngãi", "51"),
    ("TP. Hồ Chí Minh", "79"), ("TP.HCM", "79"), ("TPHCM", "79"), ("TP HCM", "79"), ("Tp.HCM", "79"),
    ("T.P Hồ Chí Minh", "79"), ("Thành phố Hồ Chí Minh", "79"), ("thành phố Hồ Chí Minh", "79"),
    ("Hồ Chí Minh", "79"), ("HCM", "79"), ("Ho Chi Minh City", "79"),
    ("Thừa Thiên - Huế", "46"), ("Thừa Thiên Huế", "46"), ("Thua Thien-Hue", "46"), ("Huế", "46"),
    ("thành phố Huế", "46"),
    ("Bà Rịa–Vũng Tàu", "77"), ("Bà Rịa - Vũng Tàu", "77"), ("Bà Rịa-Vũng Tàu", "77"),
    ("Đăk Lăk", "66"), ("Đắk Lắk", "66"), ("Dak Lak", "66"), ("Đắk Nông", "67"),
    ("Hà Nội", "01"), ("Thủ đô Hà Nội", "01"), ("Hanoi", "01"), ("Ha Noi", "01"), ("TP. Hà Nội", "01"),
    ("Thành phố Cần Thơ", "92"), ("Hai Phong", "31"), ("Da Nang", "48"), ("Quang Ngai Province", "51"),
    ("51", "51"), ("01", "01"), (" 01 ", "01"),
])
def test_spellings_seen_in_reports(reg, spelling, code):
    assert reg.match(spelling, on=BEFORE).code == code
    assert reg.match(unicodedata.normalize("NFD", spelling), on=BEFORE).code == code


def test_hue_names_code_46_on_any_date(reg):
    assert reg.match("Huế", on=date(2019, 7, 17)).name_vi == "Thừa Thiên Huế"
    assert reg.match("Huế", on=HUE_CITY).name_vi == "Huế"
    assert reg.match("Thừa Thiên Huế", on=AFTER).name_vi == "Huế"
    assert reg.match("Huế").slug == "46-hue"                    # undated: each name its own record
    assert reg.match("Thừa Thiên Huế").slug == "46-thua-thien-hue"


def test_undated_names(reg):
    assert reg.match("Thanh Hóa") is reg.get("38")  # one continuing unit
    assert reg.match("Yên Bái").code == "15"        # only ever one unit
    for ambiguous in ("Lào Cai", "Quảng Ngãi", "TP.HCM"):
        with pytest.raises(ProvinceError, match="hãy cho biết ngày") as err:
            reg.match(ambiguous)
        assert ambiguous in str(err.value)
    assert "mã 10" in str(pytest.raises(ProvinceError, reg.match, "Lào Cai").value)


def test_unknown_names_suggest_the_closest(reg):
    with pytest.raises(ProvinceError) as err:
        reg.match("Quang Ngi", on=BEFORE)
    message = str(err.value)
    assert "“Quang Ngi”" in message and "Có phải" in message and "Quảng Ngãi" in message
    with pytest.raises(ProvinceError, match="Thanh Hóa"):
        reg.match("Thanh Hoà Bìnhh", on=BEFORE)
    for refused in ("Sài Gòn", "Saigon", "1", "", "   ", "tỉnh"):
        with pytest.raises(ProvinceError):
            reg.match(refused, on=BEFORE)


# ---------------------------------------------------------------- mentions

def spans(found, text):
    return [(p.slug, nfc(text)[a:b]) for p, a, b in found]


def test_mentions_in_short_texts(reg):
    text = "Sở Khoa học và Công nghệ tỉnh Yên Bái"
    assert spans(reg.mentions(text, on=BEFORE), text) == [("15-yen-bai", "Yên Bái")]
    text = "tại tỉnh Thừa Thiên Huế và tỉnh Quảng Bình; TP.HCM, Thành phố Huế"
    assert spans(reg.mentions(text, on=BEFORE), text) == [
        ("46-thua-thien-hue", "Thừa Thiên Huế"), ("44-quang-binh", "Quảng Bình"),
        ("79-ho-chi-minh", "HCM"), ("46-thua-thien-hue", "Huế")]
    text = "SỞ KHOA HỌC VÀ CÔNG NGHỆ\n\nTỈNH QUẢNG NGÃI\n\nTỉnh ủy Thanh Hoá; Bà Rịa–Vũng Tàu"
    assert spans(reg.mentions(text, on=BEFORE), text) == [
        ("51-quang-ngai", "QUẢNG NGÃI"), ("38-thanh-hoa", "Thanh Hoá"), ("77-ba-ria-vung-tau", "Bà Rịa–Vũng Tàu")]


def test_mentions_avoid_false_positives(reg):
    for text in ("học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
                 "vì hòa bình và hợp tác", "khu vực Thái Bình Dương", "xã Hòa Bình, huyện Long An",
                 "phố Huế", "Đ/c Trần Công Hòa, Phó Giám đốc Sở",
                 "hoạt động khoa học và công nghệ tỉnh năm 2013"):
        assert reg.mentions(text, on=BEFORE) == [], text
    assert [p.code for p, *_ in reg.mentions("Đại học Quốc gia TP. Hồ Chí Minh", on=BEFORE)] == ["79"]


def test_mentions_spans_index_the_nfc_text(reg):
    text = unicodedata.normalize("NFD", "Ủy ban nhân dân tỉnh Hòa Bình")
    ((unit, start, end),) = reg.mentions(text, on=BEFORE)
    assert unit.code == "17" and nfc(text)[start:end] == "Hòa Bình"


def test_mentions_with_dates(reg):
    text = "Sở KH&CN tỉnh Lào Cai và tỉnh Yên Bái"
    assert [p.slug for p, *_ in reg.mentions(text, on=BEFORE)] == ["10-lao-cai", "15-yen-bai"]
    # After the merger Lào Cai is the new unit; Yên Bái still names the old one.
    assert [p.slug for p, *_ in reg.mentions(text, on=AFTER)] == ["15-lao-cai", "15-yen-bai"]
    with pytest.raises(ProvinceError, match="ngày"):
        reg.mentions(text)
    assert [p.code for p, *_ in mentions("tỉnh Thanh Hóa")] == ["38"]


def source_text(phrase):
    """A report of data/sources containing `phrase`, or skip the test if it is not there yet."""
    folder = Path(paths.SOURCES)
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if path.is_file() and path.suffix in {".txt", ".md", ".html"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            if phrase in nfc(text):
                return text
    pytest.skip(f"no report containing {phrase!r} in {folder} yet")


@pytest.mark.parametrize("phrase, on, about, others", [
    ("Sở Khoa học và Công nghệ tỉnh Thừa Thiên Huế và UBND huyện Nam Đông", date(2019, 7, 19),
     "46-thua-thien-hue", set()),
    ("Hội đồng nhân dân tỉnh Yên Bái về kế hoạch phát triển", date(2020, 10, 13), "15-yen-bai", set()),
    ("Tổng kết hoạt động khoa học và công nghệ tỉnh năm 2013", date(2014, 1, 16), None, set()),
    ("UBND tỉnh Thanh Hóa đã tổ chức Hội nghị Tổng kết", date(2019, 2, 26), "38-thanh-hoa", set()),
    ("TỈNH QUẢNG NGÃI", date(2021, 7, 23), "51-quang-ngai", {"46-thua-thien-hue", "44-quang-binh"}),
])
def test_mentions_in_the_real_reports(reg, phrase, on, about, others):
    """The province a report is about is the one it names most; a report may name none (2013)."""
    text = source_text(phrase)
    found = reg.mentions(text, on=on)
    counts = Counter(p.slug for p, *_ in found)
    assert set(counts) == ({about} if about else set()) | others
    if about:
        assert counts.most_common(1)[0][0] == about
    source = nfc(text)
    for p, a, b in found:
        assert reg.match(source[a:b], on=on) is p


# ---------------------------------------------------------------- checks on load

def copy_reference(tmp_path):
    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE, folder, ignore=shutil.ignore_patterns("geo"))
    return folder


def rewrite(path, edit):
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(edit(lines)), encoding="utf-8", newline="")


def test_a_clean_copy_loads(tmp_path):
    assert len(load_provinces(copy_reference(tmp_path))) == 87


@pytest.mark.parametrize("name, edit, file_, row, words", [
    ("province_merger_2025.csv", lambda ls: ls + [ls[16]], "province_merger_2025.csv", 65, "hai dòng"),
    ("province_merger_2025.csv", lambda ls: [l for l in ls if not l.startswith("62,")],
     "province_merger_2025.csv", None, "mã cũ 62 không có dòng nào"),
    ("province_merger_2025.csv", lambda ls: [l.replace("62,Kon Tum,51,", "62,Kon Tum,53,") for l in ls],
     "province_merger_2025.csv", 41, "mã mới 53"),
    ("provinces_34.csv", lambda ls: [l for l in ls if not l.startswith("52,")], "provinces_34.csv", None, "cần 34 dòng"),
    ("provinces_63.csv", lambda ls: [l.replace("01,Hà Nội", "1,Hà Nội") for l in ls], "provinces_63.csv", 2, "“1”"),
    ("provinces_63.csv", lambda ls: [l.replace(",tỉnh,Tây Nguyên", ",tinh,Tây Nguyên") for l in ls],
     "provinces_63.csv", 41, "loại"),
    ("gso_regions_6.csv", lambda ls: [l.replace(",11\n", ",12\n") for l in ls], "gso_regions_6.csv", 2, "12"),
])
def test_broken_reference_data_is_refused_with_file_and_row(tmp_path, name, edit, file_, row, words):
    folder = copy_reference(tmp_path)
    rewrite(folder / name, edit)
    with pytest.raises(InputError) as err:
        load_provinces(folder)
    assert err.value.path.endswith(file_) and err.value.row == row
    assert words in str(err.value)


def test_missing_reference_file_is_refused(tmp_path):
    folder = copy_reference(tmp_path)
    (folder / "provinces_34.csv").unlink()
    with pytest.raises(InputError, match="provinces_34.csv"):
        load_provinces(folder)


def test_province_is_a_plain_value():
    p = Province("38", "Thanh Hóa", "Thanh Hoa", "Thanh Hoa", "tỉnh", None, None, None)
    assert str(p) == "Thanh Hóa" and p.successor is None and p.in_force_on(date(2030, 1, 1))
