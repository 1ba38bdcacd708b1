"""Unit tests of the extraction rules, one short sentence per rule (giaoban.reading.extract)."""

from __future__ import annotations

import json
import unicodedata

import pytest
from typer.testing import CliRunner

from giaoban.cli import app
from giaoban.errors import InputError
from giaoban.reading.extract import extract_file, extract_text, read_report
from giaoban.reading.extract.figures import find_figures
from giaoban.reading.extract.legal import find_legal_refs
from giaoban.reading.extract.lexicon import load_lexicon
from giaoban.reading.extract.page import page_blocks
from giaoban.reading.extract.sentences import split_sentences


def figures(text: str):
    """The figures of a text read as one article body."""
    return find_figures(text)


def values(text: str) -> list:
    return [f.value for f in figures(text)]


def one(text: str):
    found = figures(text)
    assert len(found) == 1, [(f.as_written, f.quote) for f in found]
    return found[0]


# ----------------------------------------------------------------------------- must not report

@pytest.mark.parametrize("sentence", [
    "Sáng ngày 17/7/2019, Sở tổ chức giao ban.",                 # date
    "Ngày 15/01, Sở tổ chức hội nghị.",                         # date without year
    "Bài đăng 26-02-2019 trên trang của Sở.",                   # date with dashes
    "Ngày 17 tháng 7 năm 2019, Sở họp giao ban.",               # date in words
    "Kế hoạch phát triển giai đoạn 2021-2025 đã được ban hành.", # years
    "Hội thi sáng tạo kỹ thuật năm 2012-2013 đã kết thúc.",      # year range
    "Theo Báo cáo số 2024/BC-SKHCN, Sở đã hoàn thành.",         # document number
    "Thực hiện Quyết định số 43/QĐ-UBND, Sở triển khai.",       # document number
    "Chương trình hành động số 190-CTr/TU của Tỉnh ủy.",        # document number with dash
    "Triển khai Nghị quyết 81/2017/NQ-HĐND về chính sách.",     # document number with year
    "Liên hệ ĐT: 0255.3822.123 hoặc 0912 345 678.",             # phone numbers
    "Hội nghị lần thứ 3 Ban Chấp hành Đảng bộ tỉnh.",            # ordinal
    "Hoàn thành ký hợp đồng các nhiệm vụ mới (đợt 2 năm 2020).", # ordinal
    "Thanh tra phương tiện đo nhóm 2 trong hoạt động khám bệnh.", # label
    "Nghị quyết Hội nghị Trung ương 6 (khoá XI) về khoa học.",   # ordinal plenum
    "Gồm các văn bản: (1) Quyết định về quy định quản lý.",      # enumeration
    "Áp dụng hệ thống TCVN ISO 9001:2015 tại cơ quan.",          # standard
    "Không phù hợp với QCVN 01:2015/BKHCN về xăng.",            # technical regulation
    "Có mẫu xăng Ron 92-E5 không đạt chỉ tiêu.",                 # product grade
    "Đăng lúc 13/10/2020 07:57:32 trên cổng thông tin.",         # time
    "Hội nghị bắt đầu lúc 8h30 tại hội trường.",                 # time glued
    "Hội nghị tổ chức giới hạn số lượng không quá 30 người tham gia.",  # a limit, not a result
    "Tuân thủ quy định 5k của Bộ Y tế về phòng dịch Covid-19.",  # codes glued to letters
    "Cấp giấy phép bảo đảm 05 ngày làm việc theo quy định.",     # duration
    "Trong 6 tháng đầu năm, Sở hoàn thành kế hoạch 5 năm.",      # durations, periods
    "Đã đổ bê tông mái tầng 2 nhà làm việc 03 tầng.",            # floor number and attribute
    "Tổ chức Hội thảo “Nuôi 500 con bò sữa” tại huyện.",         # a number inside a quoted name
    "Triển khai Đề án 844 hỗ trợ hệ sinh thái khởi nghiệp.",     # programme name
])
def test_not_a_figure(sentence):
    assert figures(sentence) == [], [(f.as_written, f.quote) for f in figures(sentence)]


def test_page_furniture_is_not_read():
    page = ("Tin tức\n\nHội nghị sơ kết công tác 6 tháng đầu năm 2021\n\n"
            "Sáng ngày 23/07/2021, Sở Khoa học và Công nghệ tổ chức Hội nghị sơ kết, đã cấp 07 giấy phép "
            "tiến hành công việc bức xạ, hướng dẫn 35 doanh nghiệp đăng ký nhãn hiệu.\n\n"
            "Bình luận (0)\n\nSố lượt đọc: 7139\n\nTin liên quan\n\nBạn thấy giao diện website như thế nào?\n"
            "% Bình chọn\n0% 0\na. Đẹp\n50% 1\n\nTổng bình chọn: 2\n\nThống kê truy cập\n\n"
            "Số lượt truy cập: 2557\n\n15oC\n\nThấp nhất 13°C, cao nhất 17°C. Độ ẩm trung bình 80%.")
    doc = extract_text(page)
    assert [f.value for f in doc.facts] == [7, 35]


def test_duplicated_captions_report_each_figure_once():
    caption = "Đ/c Giám đốc Sở phát biểu, Sở đã cấp 07 giấy phép tiến hành công việc bức xạ trong kỳ."
    page = ("Hội nghị sơ kết công tác 6 tháng đầu năm 2021\n\n"
            "Sáng ngày 23/07/2021, Sở Khoa học và Công nghệ tổ chức Hội nghị sơ kết công tác, với sự tham dự "
            "của lãnh đạo các phòng, đơn vị thuộc Sở.\n\n"
            f"{caption}\n\n{caption.replace('Đ/c', 'Đồng chí')}\n\n")
    doc = extract_text(page)
    assert [f.value for f in doc.facts] == [7]


# ----------------------------------------------------------------------------- must read

def test_zero_padded_count():
    f = one("Tổ chức 01 hội đồng nghiệm thu cấp tỉnh.")
    assert (f.value, f.as_written, f.unit) == (1, "01", "hội đồng")


def test_number_glued_to_noun():
    f = one("Hội đồng đã xét chọn 1đề tài cấp tỉnh.")
    assert (f.value, f.unit) == (1, "đề tài")


def test_ratio():
    f = one("Kết quả có 13/14 mẫu xăng dầu đạt yêu cầu.")
    assert (f.value, f.denominator, f.unit) == (13, 14, "mẫu xăng dầu")
    assert one("Mới có 3/11 lĩnh vực có hồ sơ đề nghị hỗ trợ.").denominator == 11


def test_breakdown_in_brackets():
    found = figures("Đang quản lý 13 nhiệm vụ (5 cấp tỉnh, 8 cấp cơ sở).")
    assert [(f.value, f.unit, f.part_of) for f in found] == [(13, "nhiệm vụ", None), (5, "nhiệm vụ", 0),
                                                            (8, "nhiệm vụ", 0)]


def test_breakdown_after_trong_do():
    found = figures("Theo dõi, quản lý 44 nhiệm vụ KH&CN, trong đó có 30 nhiệm vụ chuyển tiếp.")
    assert [(f.value, f.part_of) for f in found] == [(44, None), (30, 0)]
    assert [f.indicator for f in found] == ["science.tasks_managed", "science.tasks_carried_over"]


def test_parts_that_do_not_add_up_are_not_parts():
    found = figures("Tổ chức 5 nhóm (với 16 sản phẩm).")
    assert [f.part_of for f in found] == [None, None]


def test_percent_of_plan_is_not_a_level():
    f = one("Giải ngân kinh phí đạt 96,15% kế hoạch.")
    assert (f.value, f.unit, f.measure) == (96.15, "%", "percent_of_plan")
    assert one("Kinh phí giải ngân mới đạt 46% theo kế hoạch.").measure == "percent_of_plan"


def test_change_is_not_a_level():
    f = one("Số đề tài tăng 40% so với năm 2014.")
    assert (f.value, f.measure) == (40, "change_percent")
    assert one("Số vụ vi phạm giảm 10% so với cùng kỳ.").value == -10
    f = one("Năm nay tăng 5 đề tài so với năm trước.")
    assert (f.value, f.measure, f.unit) == (5, "change", "đề tài")
    assert one("Thu đạt 1,2 tỷ đồng, bằng 110% so với cùng kỳ.".split(", ")[1]).measure == "percent_of_previous"


def test_share_is_a_level():
    f = one("Tỷ lệ áp dụng ISO của UBND cấp xã còn thấp (21%).")
    assert (f.value, f.measure, f.indicator) == (21, "level", "standards.iso_communes_percent")
    assert f.quote.startswith("Tỷ lệ áp dụng") and f.quote.endswith("(21%)")


@pytest.mark.parametrize("phrase, dong", [
    ("xử phạt 50.074.800 đồng", 50_074_800),
    ("phân bổ 11.497 triệu đồng", 11_497_000_000),
    ("giải ngân 1,5 tỷ đồng", 1_500_000_000),
    ("kinh phí 2 tỷ", 2_000_000_000),
    ("chi 350 triệu đ", 350_000_000),
])
def test_money_in_dong(phrase, dong):
    f = one(f"Trong kỳ, Sở đã {phrase}.")
    assert (f.value, f.unit) == (dong, "đồng")


@pytest.mark.parametrize("phrase, qualifier, value", [
    ("cho trên 500 sinh viên", "more_than", 500),
    ("cho hơn 350 đoàn viên", "more_than", 350),
    ("cho gần 100 học viên", "almost", 100),
    ("cho khoảng 300 người", "about", 300),
    ("thu hút lên tới 1.000 lượt người", "up_to", 1000),
    ("có tới 30 doanh nghiệp tham gia", "up_to", 30),
    ("triển khai hoạt động tới 08 huyện", None, 8),  # "tới" here is "to", not "up to"
])
def test_qualifiers(phrase, qualifier, value):
    f = one(f"Sở đã tổ chức tập huấn {phrase}.")
    assert (f.qualifier, f.value) == (qualifier, value)


def test_line_break_inside_a_sentence():
    text = "Sở đã tổ chức 03 lớp\ntập huấn về khởi nghiệp đổi mới sáng tạo cho trên 500 sinh viên."
    found = figures(text)
    assert [(f.value, f.unit) for f in found] == [(3, "lớp tập huấn"), (500, "sinh viên")]
    assert "lớp\ntập huấn" in found[0].quote
    assert [f.indicator for f in found] == ["startup.training_courses", "startup.trainees"]


def test_combining_diacritics_are_normalised_and_offsets_refer_to_nfc():
    nfd = unicodedata.normalize("NFD", "Sở đã cấp 07 giấy phép tiến hành công việc bức xạ.")
    doc = extract_text(nfd)
    assert doc.text == unicodedata.normalize("NFC", nfd)
    (f,) = doc.facts
    assert doc.text[f.start:f.end] == f.quote
    assert doc.text[f.number_start:f.number_end] == "07"
    assert f.indicator == "technology.radiation_licences_issued"


def test_list_items_share_the_verb_before_and_the_predicate_after():
    found = figures("Số phương tiện đo đã kiểm tra là 132 cột đo xăng dầu; 25 cân phân tích; "
                    "60 cột đo xăng dầu, 62 mẫu vàng trang sức được giám định về đo lường.")
    assert [f.indicator for f in found] == [
        "inspection.fuel_dispensers_checked", "inspection.scales_checked",
        "inspection.fuel_dispensers_assessed", "inspection.gold_samples_metrology_assessed"]


def test_plan_or_actual():
    facts = extract_text(
        "Hội nghị sơ kết công tác 6 tháng đầu năm 2021\n\n"
        "Trong 6 tháng đầu năm 2021, Sở đã cấp 07 giấy phép tiến hành công việc bức xạ, hướng dẫn 08 cơ sở.\n\n"
        "Trong 6 tháng cuối năm 2021, Sở tập trung hoàn thành 55 nhiệm vụ theo kế hoạch số 76/KH-SKHCN. "
        "Đặc biệt, tổ chức phân bổ 11.497 triệu đồng kinh phí sự nghiệp.\n\n"
        "Năm 2022, Sở dự kiến tổ chức 5 lớp tập huấn, phấn đấu cấp 20 giấy phép.").facts
    assert [(f.value, f.kind, f.period) for f in facts] == [
        (7, "actual", "2021-H1"), (8, "actual", "2021-H1"), (55, "plan", "2021-H2"),
        (11_497_000_000, "plan", "2021-H2"), (5, "plan", "2022-FY"), (20, "plan", "2022-FY")]


# ----------------------------------------------------------------------------- document metadata

def test_province_is_never_guessed():
    doc = extract_text("Tổng kết hoạt động KH&CN năm 2013\n\nNgày 15/01, Sở Khoa học và Công nghệ tổ "
                       "chức Hội nghị Cán bộ công chức, tổng kết năm 2013, với toàn thể cán bộ tham dự.")
    assert doc.province is None
    assert any("không nêu tên tỉnh" in w for w in doc.warnings)


def test_province_of_the_department_wins_over_places_visited():
    doc = extract_text(
        "SỞ KHOA HỌC VÀ CÔNG NGHỆ\n\nTỈNH QUẢNG NGÃI\n\nHội nghị sơ kết 6 tháng đầu năm 2021\n\n23/07/2021\n\n"
        "Sáng ngày 23/07/2021, Sở KH&CN tỉnh Quảng Ngãi tổ chức Hội nghị sơ kết, đã tổ chức đoàn học tập "
        "kinh nghiệm tại tỉnh Thừa Thiên Huế và tỉnh Quảng Bình.")
    assert doc.province == ("51", "Quảng Ngãi")
    assert (doc.period, doc.for_period, doc.meeting.type) == ("2021-H1", "2021-H2", "so_ket")
    assert doc.meeting.date.isoformat() == "2021-07-23" and doc.published.isoformat() == "2021-07-23"


def test_meeting_date_that_contradicts_the_period_is_kept_and_reported():
    doc = extract_text("HỘI NGHỊ TỔNG KẾT HOẠT ĐỘNG KHOA HỌC VÀ CÔNG NGHỆ NĂM 2018   26-02-2019\n"
                       "Ngày 19/01/2018, UBND tỉnh Thanh Hóa đã tổ chức Hội nghị Tổng kết hoạt động ngành KH&CN "
                       "năm 2018, triển khai nhiệm vụ năm 2019, với đại diện các sở, ban, ngành.")
    assert doc.period == "2018-FY" and doc.meeting.date.isoformat() == "2018-01-19"
    assert doc.published.isoformat() == "2019-02-26"
    assert any("mâu thuẫn" in w and "19/01/2019" in w for w in doc.warnings)


def test_article_without_meeting_has_none():
    doc = extract_text("Một số nhiệm vụ trọng tâm của ngành khoa học và công nghệ 3 tháng cuối năm 2020\n\n"
                       "Lãnh đạo Sở đã chỉ đạo hoàn thành các chỉ tiêu đề ra trong 9 tháng năm 2020, tuyển chọn "
                       "được 12 nhiệm vụ KH&CN mới, tổ chức 06 lớp tập huấn.")
    assert doc.meeting.type is None and doc.meeting.date is None
    assert (doc.period, doc.for_period) == ("2020-9M", "2020-Q4")


# ----------------------------------------------------------------------------- focus tasks

def test_ordinal_paragraphs():
    doc = extract_text("Kết quả 9 tháng năm 2020 và nhiệm vụ trọng tâm 3 tháng cuối năm 2020\n\n"
                       "Trong 3 tháng cuối năm 2020, ngành tập trung thực hiện các nhiệm vụ trọng tâm sau:\n\n"
                       "Một là Tiếp tục triển khai các nhiệm vụ KH&CN chuyển tiếp.\n\n"
                       "Hai là Tập trung hướng dẫn đăng ký quyền sở hữu công nghiệp...\n\n"
                       "Ba là Chủ trì thanh tra chuyên ngành về đo lường.")
    assert [(t.ordinal, t.for_period, t.text) for t in doc.focus_tasks] == [
        (1, "2020-Q4", "Tiếp tục triển khai các nhiệm vụ KH&CN chuyển tiếp"),
        (2, "2020-Q4", "Tập trung hướng dẫn đăng ký quyền sở hữu công nghiệp..."),
        (3, "2020-Q4", "Chủ trì thanh tra chuyên ngành về đo lường")]


def test_bullets_under_a_heading():
    doc = extract_text("Tổng kết hoạt động KH&CN năm 2013, phương hướng nhiệm vụ năm 2014\n\n"
                       "Năm 2013, Sở đã hoàn thành các nhiệm vụ được giao, tổ chức nghiệm thu 12 đề tài, dự án.\n\n"
                       "Phương hướng nhiệm vụ trọng tâm năm 2014.\n\n"
                       "Sở tập trung vào những nhiệm vụ chủ yếu:\n\n"
                       "- Phát triển hoạt động sở hữu trí tuệ;\n\n- Xây dựng kế hoạch nguồn nhân lực KH&CN; …\n\n"
                       "Cuối hội nghị, lãnh đạo Sở trao giấy khen.")
    assert [(t.for_period, t.text) for t in doc.focus_tasks] == [
        ("2014-FY", "Phát triển hoạt động sở hữu trí tuệ"),
        ("2014-FY", "Xây dựng kế hoạch nguồn nhân lực KH&CN")]


def test_inline_list():
    doc = extract_text("Hội nghị sơ kết 6 tháng đầu năm 2021\n\n"
                       "Trong 6 tháng cuối năm 2021, cần tập trung triển khai các nhiệm vụ trọng tâm như trình "
                       "phê duyệt các nhiệm vụ; đôn đốc, kiểm tra việc thực hiện; tổ chức Cuộc thi khởi nghiệp,...")
    assert [t.text for t in doc.focus_tasks] == [
        "trình phê duyệt các nhiệm vụ", "đôn đốc, kiểm tra việc thực hiện", "tổ chức Cuộc thi khởi nghiệp"]
    assert {t.for_period for t in doc.focus_tasks} == {"2021-H2"}


# ----------------------------------------------------------------------------- legal references

def test_legal_reference():
    text = ("Thực hiện Quyết định số 43/QĐ-UBND ngày 20/01/2021 của UBND tỉnh về ban hành Chương trình "
            "công tác năm 2021 và kế hoạch số 76/KH-SKHCN ngày 20/01/2021; Chỉ thị số 30/CT-TTg ngày "
            "27/11/2017 của Thủ tướng; Nghị quyết 19-NQ/TW Hội nghị lần thứ sáu (khóa XII) ngày 25/10/2017. "
            "Mẫu không phù hợp QCVN 01:2015/BKHCN, áp dụng TCVN ISO 9001:2015.")
    doc = extract_text(text)
    got = [(r.number, r.doc_type, r.issuer, r.date and r.date.isoformat(), r.title) for r in doc.legal_refs]
    assert got == [
        ("43/QĐ-UBND", "Quyết định", "UBND tỉnh", "2021-01-20", "ban hành Chương trình công tác năm 2021"),
        ("76/KH-SKHCN", "Kế hoạch", "Sở KH&CN", "2021-01-20", None),
        ("30/CT-TTg", "Chỉ thị", "Thủ tướng Chính phủ", "2017-11-27", None),
        ("19-NQ/TW", "Nghị quyết", "Ban Chấp hành Trung ương", "2017-10-25", None),
        ("QCVN 01:2015/BKHCN", "QCVN", "Bộ KH&CN", None, None)]
    for r in doc.legal_refs:
        assert doc.text[r.start:r.end] == r.quote


def test_a_document_cited_twice_is_one_reference():
    text = "Theo Quyết định số 43/QĐ-UBND ngày 20/01/2021, và lại theo Quyết định số 43/QĐ-UBND."
    assert len(find_legal_refs(text, [b for b in page_blocks(text)])) == 1


# ----------------------------------------------------------------------------- reading files

def test_file_that_is_not_utf8_is_refused_with_its_name(tmp_path):
    path = tmp_path / "bao_cao.txt"
    path.write_bytes("Sở Khoa học và Công nghệ đã cấp 07 giấy phép.".encode("cp1258", errors="replace"))
    with pytest.raises(InputError) as error:
        read_report(path)
    assert "bao_cao.txt" in str(error.value) and "UTF-8" in str(error.value)
    assert "có vẻ là mã" in str(error.value)


def test_byte_order_mark_is_dropped_and_text_is_nfc(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + unicodedata.normalize("NFD", "Sở cấp 07 giấy phép.").encode())
    assert read_report(path) == "Sở cấp 07 giấy phép."


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="không tìm thấy"):
        extract_file(tmp_path / "none.txt")


# ----------------------------------------------------------------------------- lexicon

def test_lexicon_codes_exist_in_the_catalogue():
    lexicon = load_lexicon()
    assert {r.indicator for r in lexicon.rules} <= set(lexicon.value_types)
    assert set(lexicon.value_types) <= {r.indicator for r in lexicon.rules}, "every indicator has a rule"


def test_lexicon_refuses_unknown_indicator(tmp_path):
    from giaoban import paths

    reference = tmp_path / "reference"
    reference.mkdir()
    for name in ("areas.csv", "indicators.csv", "lexicon_units.csv", "lexicon.csv"):
        (reference / name).write_text((paths.REFERENCE / name).read_text(encoding="utf-8"), encoding="utf-8")
    with (reference / "lexicon.csv").open("a", encoding="utf-8") as fh:
        fh.write("science.no_such_code,10,nhiệm vụ,,,,,,\n")
    with pytest.raises(InputError, match="science.no_such_code") as error:
        load_lexicon(tmp_path)
    assert "lexicon.csv" in str(error.value) and ":indicator" in str(error.value)


def test_an_analyst_extends_the_lexicon_without_code(tmp_path):
    from giaoban import paths
    from giaoban.reading.extract.figures import Setting

    reference = tmp_path / "reference"
    reference.mkdir()
    for name in ("areas.csv", "indicators.csv", "lexicon_units.csv", "lexicon.csv"):
        (reference / name).write_text((paths.REFERENCE / name).read_text(encoding="utf-8"), encoding="utf-8")
    sentence = "Sở đã hỗ trợ 4 dự án đổi mới sáng tạo mở."
    assert one(sentence).indicator is None
    with (reference / "lexicon.csv").open("a", encoding="utf-8") as fh:
        fh.write("startup.projects_supported,30,dự án,hỗ trợ,đổi mới sáng tạo,,,,ví dụ\n")
    (f,) = find_figures(sentence, setting=Setting(lexicon=load_lexicon(tmp_path)))
    assert f.indicator == "startup.projects_supported"


# ----------------------------------------------------------------------------- sentences, output, CLI

def test_sentences_do_not_end_at_abbreviations_or_thousands():
    text = "TP. Huế có 1.287 phương tiện đo. Sở KH&CN cấp 07 giấy phép."
    assert [text[s.start:s.end] for s in split_sentences(text)] == [
        "TP. Huế có 1.287 phương tiện đo.", "Sở KH&CN cấp 07 giấy phép."]


def test_json_contract_fields():
    doc = extract_text("Sở đã cấp 07 giấy phép tiến hành công việc bức xạ.", file="x.txt")
    data = doc.to_json()
    assert {"file", "province", "period", "meeting", "facts", "focus_tasks", "legal_refs",
            "warnings"} <= set(data)
    fact = data["facts"][0]
    assert {"value", "unit", "indicator", "qualifier", "kind", "quote", "start", "end", "measure",
            "denominator", "part_of", "area", "unit_canonical"} <= set(fact)
    assert data["meeting"] == {"type": None, "type_code": None, "date": None}


def test_cli_extract_json_and_csv(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("Sở Khoa học và Công nghệ tỉnh Yên Bái đã cấp 07 giấy phép tiến hành công việc bức xạ, "
                    "xử phạt 50.074.800 đồng.", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["extract", str(path)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)["documents"][0]
    assert doc["province"] == {"code": "15", "name": "Yên Bái"}
    assert [f["value"] for f in doc["facts"]] == [7, 50074800]
    result = runner.invoke(app, ["extract", str(path), "--format", "csv"])
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("file,province_code,province_name,report_period") and len(lines) == 3
    assert ",15,Yên Bái," in lines[1]


def test_cli_extract_refuses_bad_input(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("Sở đã cấp".encode("utf-16-le"))
    result = CliRunner().invoke(app, ["extract", str(path)])
    assert result.exit_code == 2 and "latin.txt" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(app, ["extract", str(path), "--format", "xml"])
    assert result.exit_code == 2 and "json hoặc csv" in result.output
