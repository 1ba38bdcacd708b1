"""Issue 14 and issue 20 (item 7): periods as reports state them, figures the rules used to miss,
a confidence per document, and proposals that fit the catalogue. Every text here was written for
these tests in the style of other provinces' reports (none is in the gold of tests/gold/)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from giaoban.reading import review
from giaoban.reading.extract import extract_text
from giaoban.reading.extract.confidence import HIGH, LOW
from giaoban.reading.extract.figures import find_figures


def doc(title: str, dateline: str | None, *paragraphs: str):
    parts = [title] + ([dateline] if dateline else []) + list(paragraphs)
    return extract_text("\n\n".join(parts))


# ----------------------------------------------------------------------------------- periods

@pytest.mark.parametrize("title, dateline, body, period, source", [
    ("Sở KH&CN Hà Nam: kết quả 8 tháng đầu năm 2021", "12/09/2021",
     "Sở Khoa học và Công nghệ tỉnh Hà Nam đã cấp 03 giấy phép tiến hành công việc bức xạ, hướng dẫn 06 doanh "
     "nghiệp đăng ký nhãn hiệu.", "2021-8M", "title"),
    ("Hà Nam: hoạt động KH&CN 7 tháng", "05/08/2021",
     "Sở Khoa học và Công nghệ tỉnh Hà Nam đã cấp 03 giấy phép tiến hành công việc bức xạ, hướng dẫn 06 doanh "
     "nghiệp đăng ký nhãn hiệu.", "2021-7M", "title"),
    ("Giao ban KH&CN quý 4/2019 của Sở KH&CN Quảng Trị", "08/01/2020",
     "Trong quý, Sở KH&CN tỉnh Quảng Trị đã nghiệm thu 07 nhiệm vụ, tổ chức 02 hội đồng tư vấn.", "2019-Q4", "title"),
    ("Hưng Yên: tình hình hoạt động KH&CN Q1/2024", "05/04/2024",
     "Sở KH&CN tỉnh Hưng Yên đã tiếp nhận 12 hồ sơ công bố hợp chuẩn, kiểm định 540 phương tiện đo.",
     "2024-Q1", "title"),
    ("Ngành KH&CN Trà Vinh góp phần phát triển kinh tế - xã hội", "20/07/2019",
     "Trong 6 tháng đầu năm 2019, Sở Khoa học và Công nghệ tỉnh Trà Vinh đã quản lý 33 nhiệm vụ KH&CN, tổ "
     "chức 04 hội đồng nghiệm thu cấp tỉnh.", "2019-H1", "first paragraph"),
    ("Bạc Liêu: tính đến ngày 10/12/2020, giải ngân đạt 85% kế hoạch", "15/12/2020",
     "Sở KH&CN tỉnh Bạc Liêu đã giải ngân 6.120 triệu đồng kinh phí sự nghiệp, đạt 85% dự toán.",
     "2020-YTD-12-10", "title"),
    ("Đồng Tháp: kết quả hoạt động KH&CN giai đoạn 2017-2019", "10/02/2020",
     "Giai đoạn 2017-2019, Sở KH&CN tỉnh Đồng Tháp đã hỗ trợ tạo lập 12 nhãn hiệu tập thể.", "2017-2019", "title"),
    ("Lai Châu tổ chức tổng kết công tác năm", "09/01/2022",
     "Sáng 08/01/2022, Sở KH&CN tỉnh Lai Châu tổ chức hội nghị tổng kết công tác năm, Sở đã nghiệm thu 05 "
     "nhiệm vụ, thẩm định công nghệ 04 dự án đầu tư.", "2021-FY", "title"),
    ("Quảng Ninh: kế hoạch khởi nghiệp đổi mới sáng tạo năm 2022", "15/02/2022",
     "Năm 2022, Sở KH&CN tỉnh Quảng Ninh phấn đấu hỗ trợ 15 dự án khởi nghiệp.", "2022-FY", "plan"),
])
def test_the_period_as_the_report_states_it(title, dateline, body, period, source):
    d = doc(title, dateline, body)
    assert (d.period, d.period_source) == (period, source)


def test_n_months_are_never_widened_to_the_year():
    d = doc("Kết quả 11 tháng đầu năm 2020 của ngành KH&CN Hòa Bình", "05/12/2020",
            "Sở KH&CN tỉnh Hòa Bình đã nghiệm thu 09 nhiệm vụ, hỗ trợ 06 doanh nghiệp đổi mới công nghệ.")
    assert d.period == "2020-11M" and d.for_period is None
    assert all(f.period == "2020-11M" for f in d.facts)


def test_den_nay_takes_the_page_date_and_says_so():
    d = doc("Vĩnh Long đẩy mạnh phong trào khởi nghiệp sáng tạo", "Ngày 30/10/2022",
            "Từ đầu năm đến nay, Sở KH&CN tỉnh Vĩnh Long đã tổ chức 05 lớp tập huấn về khởi nghiệp đổi mới sáng "
            "tạo cho hơn 400 học viên, hỗ trợ 07 dự án khởi nghiệp.")
    assert d.period == "2022-YTD-10-30" and d.for_period is None
    assert any("không nêu ngày cuối" in w and "30/10/2022" in w for w in d.warnings)
    assert d.confidence < 1 and any("đến nay" in r for r in d.confidence_reasons)


def test_a_january_review_of_the_past_year_is_the_past_year():
    d = doc("Điện Biên: hội nghị tổng kết công tác năm 2023", "12/01/2024",
            "Ngày 10/01/2024, Sở KH&CN tỉnh Điện Biên tổ chức hội nghị tổng kết. Trong năm, Sở đã quản lý 27 "
            "nhiệm vụ KH&CN, nghiệm thu 09 nhiệm vụ.")
    assert (d.period, d.for_period, d.meeting.date) == ("2023-FY", "2024-FY", date(2024, 1, 10))


def test_no_period_is_null_with_a_reason_never_a_guess():
    d = doc("Cà Mau: Sở KH&CN làm việc với doanh nghiệp chế biến tôm về đổi mới công nghệ", None,
            "Sở Khoa học và Công nghệ tỉnh Cà Mau vừa làm việc với 05 doanh nghiệp chế biến thủy sản, giới "
            "thiệu các chương trình hỗ trợ và hướng dẫn thủ tục đề nghị hỗ trợ.")
    assert d.period is None and d.for_period is None
    assert any("không xác định được kỳ báo cáo" in w for w in d.warnings)
    assert "không xác định được kỳ báo cáo" in d.confidence_reasons and d.confidence <= 0.6


# ----------------------------------------------------------------------------------- figures

def figures(sentence: str) -> list[tuple]:
    return [(f.value, f.value_high, f.qualifier, f.denominator, f.indicator) for f in find_figures(sentence)]


def test_inspection_counts_fines_and_a_zero_in_words():
    got = figures("Thanh tra Sở đã tiến hành 06 cuộc thanh tra, kiểm tra, trong đó 04 cuộc theo kế hoạch, 02 cuộc "
                  "đột xuất, tại 58 tổ chức, cá nhân; đã xử phạt 03 tổ chức và 05 cá nhân, với tổng số tiền trên 42 "
                  "triệu đồng. Qua kiểm tra hàng đóng gói sẵn, chưa phát hiện trường hợp vi phạm.")
    assert got == [
        (6, None, None, None, None),  # the total: the catalogue counts planned and unannounced
        (4, None, None, None, "inspection.inspections_planned"),
        (2, None, None, None, "inspection.inspections_unannounced"),
        (58, None, None, None, "inspection.facilities_inspected"),
        (3, None, None, None, "inspection.violations"),
        (5, None, None, None, None),  # the same count of violators, written in two
        (42_000_000, None, "more_than", None, "inspection.fines"),
        (0, None, None, None, "inspection.violations"),
    ]
    zero = find_figures("Qua kiểm tra 12 cơ sở, không phát hiện cơ sở vi phạm.")[-1]
    assert (zero.value, zero.as_written) == (0, "không") and "không phát hiện cơ sở vi phạm" in zero.quote


def test_ratios_totals_raised_approved_lists_and_groups():
    got = figures("Năm 2021, Sở hoàn thành 14/15 nhiệm vụ được giao; 9/10 huyện, thành phố triển khai hoạt động "
                  "KH&CN cấp huyện. Sở đã phê duyệt danh mục 08 nhiệm vụ KH&CN cấp tỉnh đặt hàng năm 2022, nâng "
                  "tổng số nhiệm vụ đang thực hiện lên 31 nhiệm vụ; triển khai 3 nhóm nhiệm vụ về chuyển đổi số.")
    assert got == [(14, None, None, 15, None), (9, None, None, 10, "science.district_units_guided"),
                   (8, None, None, None, "science.tasks_approved"), (31, None, None, None, "science.tasks_managed"),
                   (3, None, None, None, None)]


def test_a_range_is_one_figure_with_a_low_and_a_high_value():
    facts = find_figures("Phấn đấu hỗ trợ từ 15 đến 20 dự án khởi nghiệp, bố trí từ 2 đến 3 tỷ đồng cho hoạt động "
                         "khởi nghiệp và tổ chức từ 3 đến 5 cuộc thi khởi nghiệp đổi mới sáng tạo.")
    assert [(f.value, f.value_high, f.as_written, f.kind) for f in facts] == [
        (15, 20, "15 đến 20", "plan"), (2_000_000_000, 3_000_000_000, "2 đến 3", "plan"),
        (3, 5, "3 đến 5", "plan")]
    assert facts[0].indicator == "startup.projects_supported" and facts[2].indicator == "startup.competitions"
    d = doc("Quảng Ninh: kế hoạch khởi nghiệp năm 2022", "15/02/2022",
            "Năm 2022, Sở KH&CN tỉnh Quảng Ninh phấn đấu hỗ trợ từ 15 đến 20 dự án khởi nghiệp.")
    (fact,) = d.facts
    assert (fact.value, fact.value_high) == (15, 20) and any("khoảng giá trị" in x for x in fact.doubts)
    assert d.to_json()["facts"][0]["value_high"] == 20


def test_units_are_not_cut_in_the_middle_of_a_word():
    (fact,) = find_figures("Ngành tập trung thực hiện 3 khâu đột phá về đổi mới sáng tạo.")
    assert fact.unit == "khâu đột phá"


def test_a_part_keeps_its_own_indicator_and_the_total_none():
    facts = find_figures("Kiểm định 1.045 phương tiện đo, 1.021 phương tiện đo đạt yêu cầu, 24 phương tiện đo "
                         "không đạt yêu cầu.")
    assert [f.indicator for f in facts] == ["standards.instruments_verified", "standards.instruments_passed",
                                            "standards.instruments_failed"]


# ----------------------------------------------------------------------------------- the document

def test_the_report_is_never_its_own_legal_reference():
    d = extract_text("UBND TỈNH HÀ NAM\nSỞ KHOA HỌC VÀ CÔNG NGHỆ\nSố: 215/BC-SKHCN\n\nBÁO CÁO\nKết quả hoạt động "
                     "khoa học và công nghệ 6 tháng đầu năm 2022\n\nThực hiện Quyết định số 12/QĐ-UBND ngày "
                     "05/01/2022 của UBND tỉnh, Sở KH&CN báo cáo như sau. Báo cáo số 215/BC-SKHCN được gửi tới các "
                     "sở, ngành, trong 6 tháng đầu năm 2022 Sở đã cấp 05 giấy phép tiến hành công việc bức xạ.")
    assert [r.number for r in d.legal_refs] == ["12/QĐ-UBND"]
    assert d.period == "2022-H1" and d.province == ("35", "Hà Nam")


def test_a_plain_news_page_without_a_dateline_keeps_its_title_and_period():
    d = extract_text("Trang chủ > Tin tức > Khoa học\n\nPhú Thọ cấp phép cho 06 cơ sở X-quang y tế\n\nTrong 6 tháng "
                     "đầu năm 2023, Sở KH&CN tỉnh Phú Thọ đã cấp 06 giấy phép tiến hành công việc bức xạ cho các cơ "
                     "sở y tế, cấp 09 chứng chỉ nhân viên bức xạ.")
    assert d.title == "Phú Thọ cấp phép cho 06 cơ sở X-quang y tế"
    assert (d.period, d.published) == ("2023-H1", None)
    assert [f.value for f in d.facts] == [6, 9]  # the headline's 06 is not a figure of the article


def test_a_report_in_another_language_gets_a_warning_and_no_figures():
    d = extract_text("Bac Ninh Department of Science and Technology reviews 2021\n\n20/01/2022\n\nIn 2021, the "
                     "Department managed 41 science and technology tasks, accepted 12 completed tasks and verified "
                     "2,310 measuring instruments across the province, with the support of the People's Committee.")
    assert d.language == "en" and d.facts == []
    assert any("không phải tiếng Việt" in w for w in d.warnings)
    assert d.confidence <= 0.5


def test_a_vietnamese_report_has_no_language_warning():
    d = doc("Hà Nam: kết quả 6 tháng đầu năm 2021", "10/07/2021",
            "Trong 6 tháng đầu năm 2021, Sở Khoa học và Công nghệ tỉnh Hà Nam đã cấp 03 giấy phép tiến hành công việc "
            "bức xạ, hướng dẫn 06 doanh nghiệp đăng ký nhãn hiệu, tổ chức 02 hội thảo về sở hữu trí tuệ.")
    assert d.language == "vi" and not any("tiếng Việt" in w for w in d.warnings)


def test_the_json_contract_is_kept_and_the_confidence_added():
    d = doc("Hà Nam: kết quả 6 tháng đầu năm 2021", "10/07/2021",
            "Trong 6 tháng đầu năm 2021, Sở KH&CN tỉnh Hà Nam đã hỗ trợ 05 doanh nghiệp đổi mới công nghệ, thực "
            "hiện 2 khâu đột phá.")
    out = json.loads(json.dumps(d.to_json()))
    assert out["period"] == "2021-H1" and 0 <= out["confidence"] <= 1 and out["confidence_reasons"]
    fact = out["facts"][0]
    assert {"value", "start", "end", "indicator", "quote", "confidence", "doubts", "value_high"} <= set(fact)
    unsure = out["facts"][1]
    assert unsure["indicator"] is None and unsure["confidence"] < fact["confidence"]
    assert "chưa gán được chỉ tiêu" in unsure["doubts"]


# ----------------------------------------------------------------------------------- the review sheet

def test_the_review_sheet_puts_the_least_sure_figures_first_and_colours_them(tmp_path: Path):
    report = tmp_path / "ha-nam.txt"
    report.write_text("Hà Nam: kết quả 6 tháng đầu năm 2021\n\n10/07/2021\n\nTrong 6 tháng đầu năm 2021, Sở "
                      "KH&CN tỉnh Hà Nam đã cấp 03 giấy phép tiến hành công việc bức xạ, thực hiện 2 khâu đột phá, "
                      "hỗ trợ từ 10 đến 12 doanh nghiệp đổi mới công nghệ và hướng dẫn 06 doanh nghiệp đăng ký "
                      "nhãn hiệu.\n", encoding="utf-8")
    out = review.write_review(report, tmp_path / "xet-duyet.xlsx").path
    ws = openpyxl.load_workbook(out)["Số liệu"]
    h = {c.value: c.column for c in ws[1] if c.value}
    rows = [r for r in range(2, ws.max_row + 1) if ws.cell(r, h["Giá trị"]).value is not None]
    scores = [ws.cell(r, h["Độ tin cậy"]).value for r in rows]
    assert scores == sorted(scores) and scores[0] < HIGH <= scores[-1]
    assert ws.cell(rows[0], h["Giá trị"]).value == 2  # "2 khâu đột phá": no indicator, least sure
    assert "chưa gán được chỉ tiêu" in ws.cell(rows[0], h["Lý do chưa chắc"]).value
    colours = {ws.cell(r, h["Độ tin cậy"]).fill.fgColor.rgb[-6:] for r in rows}
    assert "D9EAD3" in colours and colours & {"F4CCCC", "FFE599"}
    assert sorted(ws.cell(r, h["STT"]).value for r in rows) == list(range(1, len(rows) + 1))  # STT kept
    guide = " ".join(str(c.value) for row in openpyxl.load_workbook(out)["Hướng dẫn"].iter_rows() for c in row
                     if c.value)
    assert "độ tin cậy của văn bản" in guide
    red = next(r for r in rows if ws.cell(r, h["Độ tin cậy"]).value < LOW) if scores[0] < LOW else None
    assert red is None or ws.cell(red, h["Độ tin cậy"]).fill.fgColor.rgb.endswith("F4CCCC")
