"""Sentences written for these tests (not taken from the five source reports), in the style of
other provinces' reports, with varied wording: they check that the rules and the lexicon are
general and not fitted to the five texts. Each case: the sentence and the expected figures as
(value, qualifier, measure, indicator).
"""

from __future__ import annotations

import pytest

from giaoban.reading.extract.figures import find_figures

CASES = [
    ("Trong năm 2022, Sở đã cấp mới 25 giấy phép tiến hành công việc bức xạ, gia hạn 12 giấy phép "
     "và cấp 40 chứng chỉ nhân viên bức xạ.",
     [(25, None, "level", "technology.radiation_licences_issued"),
      (12, None, "level", "technology.radiation_licences_issued"),
      (40, None, "level", "technology.radiation_worker_certificates")]),
    ("Đã thẩm định, cho ý kiến về công nghệ đối với 17 dự án đầu tư trên địa bàn tỉnh.",
     [(17, None, "level", "technology.investment_projects_appraised")]),
    ("Kiểm định, hiệu chuẩn được 3.450 phương tiện đo các loại, tăng 15% so với cùng kỳ năm 2021.",
     [(3450, None, "level", "standards.instruments_verified"), (15, None, "change_percent", None)]),
    ("Tổ chức 02 đoàn thanh tra, kiểm tra đột xuất về chất lượng xăng dầu tại 45 cửa hàng, phát hiện "
     "03 cửa hàng vi phạm, xử phạt 35,5 triệu đồng.",
     [(2, None, "level", "inspection.inspections_planned"),
      (45, None, "level", "inspection.facilities_inspected"),
      (3, None, "level", "inspection.violations"), (35_500_000, None, "level", "inspection.fines")]),
    ("Hướng dẫn 120 doanh nghiệp, hợp tác xã xây dựng, đăng ký bảo hộ nhãn hiệu; hỗ trợ 05 sản phẩm "
     "xây dựng nhãn hiệu chứng nhận.",
     [(120, None, "level", "ip.trademark_applications_guided"),
      (5, None, "level", "ip.products_brand_building")]),
    ("Tổng kinh phí sự nghiệp KH&CN năm 2022 được giao là 25,6 tỷ đồng, đến nay đã giải ngân 18,2 tỷ "
     "đồng, đạt 71,1% dự toán.",
     [(25_600_000_000, None, "level", "finance.budget_allocated"),
      (18_200_000_000, None, "level", "finance.budget_disbursed"),
      (71.1, None, "percent_of_plan", "finance.budget_disbursed_pct_plan")]),
    ("Đã tiếp nhận 230 bản công bố hợp quy, 45 hồ sơ công bố hợp chuẩn; cấp mã số mã vạch cho 38 "
     "doanh nghiệp.",
     [(230, None, "level", "standards.conformity_regulation_dossiers"),
      (45, None, "level", "standards.conformity_standard_dossiers"),
      (38, None, "level", "standards.barcode_enterprises")]),
    ("Tổ chức thành công Ngày hội khởi nghiệp đổi mới sáng tạo lần thứ 5 với gần 2.000 lượt người "
     "tham quan và 80 gian hàng.",
     [(2000, "almost", "level", None), (80, None, "level", None)]),
    ("Đang theo dõi quản lý 62 nhiệm vụ KH&CN cấp tỉnh (28 nhiệm vụ chuyển tiếp, 34 nhiệm vụ mở mới).",
     [(62, None, "level", "science.tasks_managed"), (28, None, "level", "science.tasks_carried_over"),
      (34, None, "level", "science.tasks_new")]),
    ("Tổ chức nghiệm thu cấp tỉnh 18 nhiệm vụ KH&CN, trong đó 15 nhiệm vụ xếp loại đạt, 3 nhiệm vụ "
     "xếp loại khá.",
     [(18, None, "level", "science.tasks_accepted"), (15, None, "level", None), (3, None, "level", None)]),
    ("Phối hợp tổ chức 4 lớp bồi dưỡng về sở hữu trí tuệ cho khoảng 260 học viên là cán bộ, doanh nghiệp.",
     [(4, None, "level", "ip.training_courses"), (260, "about", "level", None)]),
    ("Hội đồng tư vấn đã họp 6 phiên tuyển chọn, giao trực tiếp, lựa chọn được 9 đề tài mới năm 2023.",
     [(6, None, "level", None), (9, None, "level", "science.tasks_new")]),
    ("Thành lập 2 câu lạc bộ khởi nghiệp tại các trường đại học, hỗ trợ 15 ý tưởng khởi nghiệp.",
     [(2, None, "level", "startup.clubs"), (15, None, "level", "startup.projects_supported")]),
    ("Lấy 24 mẫu xăng dầu gửi giám định chất lượng, kết quả 22 mẫu đạt, 2 mẫu không đạt yêu cầu.",
     [(24, None, "level", "inspection.fuel_samples_tested"),
      (22, None, "level", "inspection.fuel_samples_passed"),
      (2, None, "level", "inspection.fuel_samples_failed")]),
    ("Sở đã thực hiện giải ngân vốn đầu tư xây dựng đạt 85,3% kế hoạch vốn giao.",
     [(85.3, None, "percent_of_plan", "finance.investment_disbursed_pct_plan")]),
    ("Năm 2023, phấn đấu tổ chức 5 lớp tập huấn về khởi nghiệp đổi mới sáng tạo cho khoảng 300 học viên.",
     [(5, None, "level", "startup.training_courses"), (300, "about", "level", "startup.trainees")]),
    ("Số doanh nghiệp được hỗ trợ đổi mới công nghệ tăng 3 doanh nghiệp so với năm trước.",
     [(3, None, "change", None)]),
    ("Trong kỳ, Sở đã kiểm tra chất lượng mũ bảo hiểm tại 20 cơ sở kinh doanh, phát hiện 2 cơ sở vi phạm.",
     [(20, None, "level", "standards.enterprises_quality_checked"),
      (2, None, "level", "inspection.violations")]),
]

NOT_FIGURES = [
    "Liên hệ: ĐT 0255.3822.123, Fax: 0255 3825 678, Email: skhcn@quangngai.gov.vn.",
    "Thực hiện Thông tư số 02/2017/TT-BKHCN ngày 31/3/2017 của Bộ Khoa học và Công nghệ.",
    "Hội nghị lần thứ 12 Ban Chấp hành Đảng bộ tỉnh khóa XIX đã thông qua Nghị quyết 09-NQ/TU.",
    "Áp dụng tiêu chuẩn TCVN 5699-2-1:2007 và hệ thống ISO/IEC 17025:2017 tại phòng thử nghiệm.",
    "Cuộc thi diễn ra từ ngày 05/9 đến ngày 20/10/2023 tại Hội trường tầng 3, số 15 đường Lê Lợi.",
    "Theo Luật số 68/2006/QH11, kế hoạch 5 năm 2021-2025 được triển khai trong 2 giai đoạn.",
]


@pytest.mark.parametrize("sentence, expected", CASES)
def test_sentences_in_the_style_of_other_provinces(sentence, expected):
    got = [(f.value, f.qualifier, f.measure, f.indicator) for f in find_figures(sentence)]
    assert got == expected


@pytest.mark.parametrize("sentence", NOT_FIGURES)
def test_numbers_that_are_not_figures_in_other_wordings(sentence):
    assert [f.as_written for f in find_figures(sentence)] == []
