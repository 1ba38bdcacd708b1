"""A synthetic national dataset for the speed benchmarks (issue "Speed and scale").

    python benchmarks/synthetic.py --out DIR [--seed N] [--periods N] [--force]

writes a complete data folder in the layout and schema of `data/` (see `data/README.md`):
`reference/` copied unchanged, `reports.csv`, `observations.csv`, `focus_tasks.csv`,
`legal_refs.csv`, `sources/*.txt` (+ `sources/README.md`) and `SYNTHETIC.md`. Every unit of the
registry reports every period in force for it: the 63 old units up to 2025-H1, the 34 new ones from
2025-H2 (see `plan_periods`). Every catalogue indicator is in every report, with a quote that is a
verbatim substring of a generated Vietnamese report text and contains the number as written by
`giaoban.domain.numbers`, so the folder passes `giaoban validate --data DIR` unchanged.

Everything is marked synthetic: ids start with `synthetic-`, titles contain `(giả lập)`, every text
starts with `MARK`, and `SYNTHETIC.md` says what the folder is. The generator refuses the project's
own `data/` folder (even with `--force`), a folder holding real reports, and any non-empty folder
without `--force`. Output is byte-identical for a seed: no clock, no hash order, one RNG per report
seeded by a string.

Python API: `generate(out_dir, seed=0, periods=12) -> Summary` and
`change_one_figure(data_dir, province_code, period) -> (report_id, indicator, old, new)`.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import random
import re
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from giaoban import paths
from giaoban.errors import GiaobanError, InputError
from giaoban.files import write_bytes, write_text
from giaoban.domain.numbers import format_money, format_number, parse_number
from giaoban.domain.periods import Period
from giaoban.domain.provinces import TYPE_PROVINCE, Province, load_provinces
from giaoban.domain.text import slugify

__all__ = ["MARK", "TITLE_MARK", "ID_PREFIX", "Summary", "plan_periods", "generate",
           "change_one_figure", "main"]

#: First line of every synthetic source text.
MARK = "[DỮ LIỆU GIẢ LẬP — SYNTHETIC DATA, NOT REAL]"
#: Written in every report title.
TITLE_MARK = "(giả lập)"
#: Every report id starts with it.
ID_PREFIX = "synthetic-"
#: The indicator `change_one_figure` changes by default: a count that no other figure depends on.
CHANGE_INDICATOR = "standards.samples_tested"

_REPO = Path(__file__).resolve().parents[1]
_REFERENCE = _REPO / "data" / "reference"
_MERGER = date(2025, 7, 1)
_COLUMNS = {
    "reports.csv": ["report_id", "province", "period", "meeting_type", "meeting_date",
                    "meeting_date_status", "published_date", "title", "source_file", "source_url",
                    "visibility"],
    "observations.csv": ["report_id", "indicator", "period", "kind", "measure", "value", "unit",
                         "qualifier", "denominator", "quote", "visibility", "note"],
    "focus_tasks.csv": ["report_id", "for_period", "ordinal", "text", "area", "indicators"],
    "legal_refs.csv": ["report_id", "number", "doc_type", "issuer", "date", "title", "quote"],
}

# ------------------------------------------------------------------------------------ periods

#: Periods of the 34 new units (none straddles 1 July 2025): the half-year since the merger, the
#: first half of 2026 (compared with the sum of the predecessors' 2025-H1) and nine months of 2026.
_NEW_PERIODS = ("2025-H2", "2026-H1", "2026-9M")


def plan_periods(n: int = 12) -> tuple[list[Period], list[Period]]:
    """Return (periods of the 63 old units, periods of the 34 new units), `n` in all, oldest first.

    The old units have the two usual reviews of each year, sơ kết (H1) and tổng kết (FY), back from
    2025-H1; the new units have up to three periods from 2025-H2. 12 gives 2021-H1 … 2025-H1 (9)
    and 2025-H2, 2026-H1, 2026-9M (3). Refuses (InputError) `n` outside 2..40.
    """
    if isinstance(n, bool) or not isinstance(n, int) or not 2 <= n <= 40:
        raise InputError(f"số kỳ phải là số nguyên từ 2 đến 40, không phải {n!r}", column="periods")
    n_new = min(len(_NEW_PERIODS), n // 2)
    old: list[Period] = []
    year, half = 2025, True
    while len(old) < n - n_new:
        old.append(Period.half(year, 1) if half else Period.full_year(year))
        if half:
            year -= 1
        half = not half
    return sorted(old), [Period.parse(code) for code in _NEW_PERIODS[:n_new]]


def _next_period(p: Period) -> Period:
    """The period a report's plan and focus tasks are for: H1 → H2, H2 → next H1, FY → next FY,
    9M → Q4."""
    return Period.quarter(p.year, 4) if p.kind == "M" else p.next()


# --------------------------------------------------------------------------- the indicators

@dataclass(frozen=True)
class _Indicator:
    code: str
    area: str
    label_vi: str
    unit_vi: str
    value_type: str
    stock: bool
    max_value: str


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _indicators(reference: Path) -> list[_Indicator]:
    return [_Indicator(r["code"], r["area"], r["label_vi"], r["unit_vi"], r["value_type"],
                       r["summable_periods"] == "false", r["max_value"])
            for r in _read_csv(reference / "indicators.csv")]


# Clause templates: `{n}` is the figure as written ("07", "trên 300", "12.345 triệu đồng",
# "56,78%", "14/15"); the second item is the unit column (the noun counted, as written).
# Each clause is the quote; a template is used once per report, and none is a substring of another.
_T: dict[str, list[tuple[str, str]]] = {
    "science.tasks_managed": [("theo dõi, quản lý {n} nhiệm vụ KH&CN các cấp", "nhiệm vụ"),
                              ("đang quản lý tổng số {n} nhiệm vụ KH&CN", "nhiệm vụ")],
    "science.tasks_carried_over": [("trong đó có {n} nhiệm vụ chuyển tiếp từ năm trước", "nhiệm vụ")],
    "science.tasks_new": [("{n} nhiệm vụ triển khai mới", "nhiệm vụ")],
    "science.tasks_approved": [("tổ chức xét duyệt thuyết minh, kinh phí {n} đề tài, dự án cấp tỉnh",
                                "đề tài, dự án")],
    "science.national_tasks_approved": [
        ("xét duyệt {n} dự án thuộc Chương trình nông thôn miền núi do Trung ương quản lý", "dự án")],
    "science.tasks_accepted": [("tổ chức nghiệm thu {n} nhiệm vụ KH&CN cấp tỉnh", "nhiệm vụ"),
                               ("đánh giá, nghiệm thu kết quả {n} đề tài, dự án", "đề tài, dự án")],
    "science.pilot_projects_accepted_earlier": [
        ("hoàn thành và nghiệm thu {n} dự án sản xuất thử nghiệm từ các năm trước",
         "dự án sản xuất thử nghiệm")],
    "science.pilot_projects_accepted_current": [
        ("{n} dự án sản xuất thử nghiệm bắt đầu trong năm được nghiệm thu", "dự án sản xuất thử nghiệm")],
    "science.councils_task_identification": [
        ("tổ chức {n} hội đồng tư vấn xác định nhiệm vụ KH&CN", "hội đồng")],
    "science.councils_selection": [("{n} hội đồng tư vấn tuyển chọn, giao trực tiếp", "hội đồng")],
    "science.councils_acceptance": [("{n} hội đồng nghiệm thu cấp tỉnh", "hội đồng")],
    "science.councils_result_evaluation": [
        ("{n} hội đồng đánh giá kết quả thực hiện nhiệm vụ KH&CN không sử dụng ngân sách nhà nước",
         "hội đồng")],
    "science.initiatives_recognised": [("có {n} sáng kiến cấp tỉnh được công nhận", "sáng kiến")],
    "science.task_certificates_provincial": [
        ("cấp {n} giấy chứng nhận đăng ký kết quả thực hiện nhiệm vụ KH&CN cấp tỉnh", "giấy chứng nhận")],
    "science.task_certificates_grassroots": [
        ("{n} giấy chứng nhận nhiệm vụ KH&CN cấp cơ sở", "giấy chứng nhận")],
    "science.fund_tasks_proposed": [
        ("đề xuất {n} nhiệm vụ gửi Quỹ phát triển KH&CN xem xét, tài trợ", "nhiệm vụ")],
    "science.district_units_guided": [
        ("hướng dẫn {n} huyện, thị xã, thành phố triển khai hoạt động KH&CN cấp huyện",
         "huyện, thị xã, thành phố")],
    "technology.investment_projects_appraised": [
        ("tham gia thẩm định công nghệ, góp ý {n} dự án đầu tư", "dự án đầu tư")],
    "technology.transfer_contracts_registered": [
        ("cấp giấy chứng nhận đăng ký {n} hợp đồng chuyển giao công nghệ", "hợp đồng")],
    "technology.enterprises_supported": [("hỗ trợ {n} doanh nghiệp đổi mới công nghệ", "doanh nghiệp")],
    "technology.xray_devices_declared": [
        ("xác nhận khai báo {n} thiết bị X-quang chẩn đoán trong y tế", "thiết bị X-quang")],
    "technology.facilities_guided_licensing": [("hướng dẫn hồ sơ cấp phép cho {n} cơ sở", "cơ sở")],
    "technology.radiation_licences_issued": [
        ("cấp mới, gia hạn {n} giấy phép tiến hành công việc bức xạ", "giấy phép")],
    "technology.radiation_worker_certificates": [("cấp {n} chứng chỉ nhân viên bức xạ", "chứng chỉ")],
    "technology.radiation_safety_trainees": [
        ("tổ chức lớp đào tạo an toàn bức xạ cho {n} học viên", "học viên")],
    "technology.incident_plans_approved": [
        ("phê duyệt {n} kế hoạch ứng phó sự cố bức xạ cấp cơ sở", "kế hoạch")],
    "ip.trademark_applications_guided": [
        ("hướng dẫn {n} doanh nghiệp thực hiện thủ tục đăng ký bảo hộ nhãn hiệu", "doanh nghiệp")],
    "ip.organisations_supported_registration": [
        ("hỗ trợ kinh phí cho {n} tổ chức, cá nhân được cấp văn bằng bảo hộ", "tổ chức, cá nhân")],
    "ip.collective_marks_supported": [
        ("hỗ trợ xây dựng, quản lý {n} nhãn hiệu tập thể, nhãn hiệu chứng nhận", "nhãn hiệu")],
    "ip.geographical_indications": [
        ("{n} chỉ dẫn địa lý đang được hỗ trợ xây dựng hồ sơ đăng ký", "chỉ dẫn địa lý")],
    "ip.products_brand_building": [
        ("hỗ trợ tạo lập, quản lý và phát triển thương hiệu cho {n} sản phẩm đặc sản của địa phương",
         "sản phẩm")],
    "ip.key_products": [("danh mục sản phẩm chủ lực của địa phương gồm {n} sản phẩm", "sản phẩm")],
    "ip.training_courses": [("tổ chức {n} lớp tập huấn về sở hữu trí tuệ", "lớp tập huấn")],
    "ip.workshops": [("{n} hội thảo về phát triển tài sản trí tuệ", "hội thảo")],
    "standards.instruments_verified": [("kiểm định, hiệu chuẩn {n} phương tiện đo các loại", "phương tiện đo")],
    "standards.instruments_passed": [("trong đó {n} phương tiện đo đạt yêu cầu", "phương tiện đo"),
                                     ("trong đó {n} PTĐ đạt yêu cầu", "PTĐ")],
    "standards.instruments_failed": [("{n} phương tiện đo không đạt yêu cầu", "phương tiện đo")],
    "standards.samples_tested": [("thực hiện thử nghiệm {n} mẫu các loại", "mẫu"),
                                 ("thử nghiệm {n} mẫu sản phẩm, hàng hóa", "mẫu")],
    "standards.earthing_systems_measured": [("đo kiểm tra {n} hệ thống tiếp địa, chống sét", "hệ thống")],
    "standards.enterprises_quality_checked": [
        ("kiểm tra chất lượng hàng hóa tại {n} doanh nghiệp", "doanh nghiệp")],
    "standards.conformity_standard_dossiers": [("tiếp nhận {n} hồ sơ công bố hợp chuẩn", "hồ sơ")],
    "standards.conformity_regulation_dossiers": [("tiếp nhận {n} hồ sơ công bố hợp quy", "hồ sơ")],
    "standards.import_inspection_dossiers": [
        ("xác nhận {n} hồ sơ đăng ký kiểm tra nhà nước về chất lượng hàng hóa nhập khẩu", "hồ sơ")],
    "standards.iso_agencies_provincial": [
        ("hướng dẫn {n} đơn vị là các sở, ban, ngành cấp tỉnh duy trì hệ thống quản lý chất lượng ISO",
         "đơn vị")],
    "standards.iso_agencies_other": [
        ("{n} đơn vị mở rộng áp dụng hệ thống quản lý chất lượng ISO", "đơn vị")],
    "standards.iso_communes_percent": [
        ("tỷ lệ UBND cấp xã áp dụng hệ thống quản lý chất lượng ISO đạt {n}", "%")],
    "standards.iso_trained_provincial_agencies": [
        ("tập huấn áp dụng ISO điện tử cho {n} sở, ban, ngành", "sở, ban, ngành")],
    "standards.iso_trained_district_units": [
        ("hướng dẫn áp dụng ISO điện tử tại {n} huyện/thị/thành phố", "huyện/thị/thành phố")],
    "standards.productivity_enterprises_supported": [
        ("hỗ trợ {n} doanh nghiệp áp dụng hệ thống quản lý, công cụ nâng cao năng suất, chất lượng",
         "doanh nghiệp")],
    "standards.barcode_enterprises": [
        ("hướng dẫn {n} doanh nghiệp đăng ký sử dụng mã số mã vạch", "doanh nghiệp")],
    "inspection.inspections_planned": [
        ("triển khai {n} cuộc thanh tra, kiểm tra theo kế hoạch", "cuộc thanh tra")],
    "inspection.inspections_unannounced": [("{n} cuộc thanh tra đột xuất", "cuộc thanh tra")],
    "inspection.facilities_inspected": [
        ("tổng số đối tượng được thanh tra, kiểm tra là {n} cơ sở", "cơ sở")],
    "inspection.facilities_removed_from_plan": [
        ("điều chỉnh kế hoạch, loại {n} cơ sở trùng lặp với kế hoạch thanh tra của các sở, ngành khác",
         "cơ sở")],
    "inspection.violations": [
        ("phát hiện {n} cơ sở vi phạm về đo lường, chất lượng, nhãn hàng hóa", "cơ sở")],
    "inspection.fines": [("tổng số tiền xử phạt vi phạm hành chính là {n}", "đồng")],
    "inspection.fuel_dispensers_checked": [("kiểm tra {n} cột đo xăng dầu", "cột đo xăng dầu")],
    "inspection.fuel_dispensers_assessed": [
        ("trưng cầu giám định về đo lường {n} cột đo xăng dầu", "cột đo xăng dầu")],
    "inspection.scales_checked": [("kiểm tra {n} cân các loại", "cân")],
    "inspection.gold_samples_metrology_assessed": [
        ("giám định về đo lường {n} mẫu vàng trang sức, mỹ nghệ", "mẫu vàng trang sức, mỹ nghệ")],
    "inspection.gold_samples_quality_assessed": [
        ("lấy {n} mẫu vàng trang sức, mỹ nghệ trưng cầu giám định chất lượng", "mẫu vàng trang sức, mỹ nghệ")],
    "inspection.fuel_samples_tested": [("lấy {n} mẫu xăng dầu gửi giám định chất lượng", "mẫu xăng dầu")],
    "inspection.fuel_samples_passed": [("kết quả có {n} mẫu xăng dầu đạt yêu cầu", "mẫu xăng dầu")],
    "inspection.fuel_samples_failed": [("{n} mẫu không đạt yêu cầu về chất lượng", "mẫu")],
    "startup.training_courses": [
        ("tổ chức {n} lớp tập huấn nâng cao nhận thức về khởi nghiệp đổi mới sáng tạo", "lớp tập huấn")],
    "startup.trainees": [("thu hút {n} học viên tham gia các lớp tập huấn khởi nghiệp", "học viên"),
                         ("cho {n} sinh viên các trường đại học, cao đẳng", "sinh viên")],
    "startup.events": [
        ("tổ chức {n} sự kiện khởi nghiệp đổi mới sáng tạo (diễn đàn, ngày hội, chợ phiên)", "sự kiện")],
    "startup.competitions": [("phát động {n} cuộc thi khởi nghiệp đổi mới sáng tạo", "cuộc thi")],
    "startup.clubs": [("thành lập mới {n} câu lạc bộ khởi nghiệp", "câu lạc bộ")],
    "startup.projects_supported": [
        ("hỗ trợ, kết nối {n} dự án khởi nghiệp đổi mới sáng tạo", "dự án")],
    "finance.budget_allocated": [("kinh phí sự nghiệp KH&CN được phân bổ là {n}", "đồng")],
    "finance.budget_disbursed": [("đã giải ngân {n} kinh phí sự nghiệp KH&CN", "đồng")],
    "finance.budget_disbursed_pct_plan": [
        ("tỷ lệ giải ngân kinh phí sự nghiệp KH&CN đạt {n} dự toán", "%")],
    "finance.investment_disbursed": [("vốn đầu tư phát triển đã giải ngân {n}", "đồng")],
    "finance.investment_disbursed_pct_plan": [("giải ngân vốn đầu tư đạt {n} kế hoạch vốn năm", "%")],
    "finance.policy_disbursed": [
        ("kinh phí thực hiện chính sách hỗ trợ phát triển KH&CN đã giải ngân {n}", "đồng")],
    "finance.policy_disbursed_pct_plan": [("kinh phí chính sách giải ngân đạt {n} kế hoạch", "%")],
    "finance.policy_areas_with_applications": [
        ("có {n} lĩnh vực của chính sách có hồ sơ đề nghị hỗ trợ", "lĩnh vực")],
    "finance.investment_projects": [
        ("triển khai {n} dự án đầu tư tăng cường tiềm lực KH&CN", "dự án")],
    "finance.plan_tasks": [("triển khai {n} nhiệm vụ theo kế hoạch công tác của Sở", "nhiệm vụ")],
    "finance.plan_tasks_carried_over": [("trong đó {n} nhiệm vụ từ kỳ trước chuyển sang", "nhiệm vụ")],
}
# Joined to the clause before with ", " instead of "; " (a breakdown of the figure before).
_COMMA_BEFORE = {"science.tasks_carried_over", "science.tasks_new", "standards.instruments_passed",
                 "standards.instruments_failed", "inspection.fuel_samples_passed",
                 "inspection.fuel_samples_failed", "startup.trainees", "finance.budget_disbursed",
                 "finance.budget_disbursed_pct_plan", "finance.investment_disbursed_pct_plan",
                 "finance.policy_disbursed_pct_plan", "finance.plan_tasks_carried_over"}
# Plans for the next period (kind `plan`), written in the plan paragraph.
_PLAN_T: dict[str, tuple[str, str]] = {
    "finance.plan_tasks": ("tập trung hoàn thành {n} nhiệm vụ theo kế hoạch công tác", "nhiệm vụ"),
    "finance.plan_tasks_carried_over": ("trong đó có {n} nhiệm vụ chưa hoàn thành được chuyển sang",
                                        "nhiệm vụ"),
    "finance.budget_allocated": ("dự kiến phân bổ {n} kinh phí sự nghiệp KH&CN", "đồng"),
    "science.tasks_new": ("tuyển chọn, đặt hàng {n} nhiệm vụ KH&CN mới", "nhiệm vụ"),
}
# Typical value for a whole year (FY) of an average province; stocks are not scaled by period.
# Money in million đồng, except fines (đồng).
_BASE: dict[str, float] = {
    "science.tasks_carried_over": 28, "science.tasks_new": 18, "science.tasks_approved": 15,
    "science.national_tasks_approved": 2, "science.tasks_accepted": 14,
    "science.pilot_projects_accepted_earlier": 4, "science.pilot_projects_accepted_current": 2,
    "science.councils_task_identification": 4, "science.councils_selection": 8,
    "science.councils_acceptance": 12, "science.councils_result_evaluation": 3,
    "science.initiatives_recognised": 60, "science.task_certificates_provincial": 10,
    "science.task_certificates_grassroots": 8, "science.fund_tasks_proposed": 5,
    "science.district_units_guided": 9,
    "technology.investment_projects_appraised": 12, "technology.transfer_contracts_registered": 3,
    "technology.enterprises_supported": 15, "technology.xray_devices_declared": 25,
    "technology.facilities_guided_licensing": 20, "technology.radiation_licences_issued": 25,
    "technology.radiation_worker_certificates": 18, "technology.radiation_safety_trainees": 80,
    "technology.incident_plans_approved": 8,
    "ip.trademark_applications_guided": 60, "ip.organisations_supported_registration": 15,
    "ip.collective_marks_supported": 4, "ip.geographical_indications": 1,
    "ip.products_brand_building": 10, "ip.key_products": 18, "ip.training_courses": 5, "ip.workshops": 3,
    "standards.instruments_verified": 6000, "standards.samples_tested": 600,
    "standards.earthing_systems_measured": 300, "standards.enterprises_quality_checked": 18,
    "standards.conformity_standard_dossiers": 15, "standards.conformity_regulation_dossiers": 10,
    "standards.import_inspection_dossiers": 40, "standards.iso_agencies_provincial": 24,
    "standards.iso_agencies_other": 12, "standards.iso_trained_provincial_agencies": 20,
    "standards.iso_trained_district_units": 8, "standards.productivity_enterprises_supported": 15,
    "standards.barcode_enterprises": 45,
    "inspection.inspections_planned": 5, "inspection.inspections_unannounced": 2,
    "inspection.facilities_inspected": 110, "inspection.facilities_removed_from_plan": 8,
    "inspection.violations": 10, "inspection.fines": 90_000_000,
    "inspection.fuel_dispensers_checked": 250, "inspection.fuel_dispensers_assessed": 90,
    "inspection.scales_checked": 80, "inspection.gold_samples_metrology_assessed": 90,
    "inspection.gold_samples_quality_assessed": 50, "inspection.fuel_samples_tested": 28,
    "startup.training_courses": 6, "startup.trainees": 600, "startup.events": 4,
    "startup.competitions": 1, "startup.clubs": 2, "startup.projects_supported": 20,
    "finance.budget_allocated": 25_000, "finance.investment_disbursed": 15_000,
    "finance.policy_disbursed": 3_000, "finance.investment_projects": 2, "finance.plan_tasks": 60,
    "finance.plan_tasks_carried_over": 8,
}
# Administrative counts hardly grow with the size of a province.
_FLAT = {"science.district_units_guided", "standards.iso_agencies_provincial",
         "standards.iso_agencies_other", "standards.iso_trained_provincial_agencies",
         "standards.iso_trained_district_units", "ip.key_products"}
# Share of the year's flow in a period, and the range of "% of plan" reached by its end.
_PERIOD_SHARE = {"H": 0.5, "FY": 1.0, "M": 0.72, "Q": 0.25}
_PCT_RANGE = {"H1": (3500, 6500), "H2": (4000, 6500), "FY": (8500, 10300), "M": (6000, 8500),
              "Q": (2000, 3000)}
_BIG = {"01": 2.6, "79": 2.8, "31": 1.4, "48": 1.3, "92": 1.2}

_AREA_LEAD = {
    "science": "Công tác quản lý khoa học được triển khai chặt chẽ, đúng quy trình: ",
    "technology": "Hoạt động quản lý công nghệ và an toàn bức xạ, hạt nhân: ",
    "ip": "Về sở hữu trí tuệ, trong kỳ ngành đã thực hiện: ",
    "standards": "Công tác quản lý tiêu chuẩn đo lường chất lượng: ",
    "inspection": "Công tác thanh tra, kiểm tra: ",
    "startup": "Hoạt động hỗ trợ khởi nghiệp đổi mới sáng tạo: ",
    "finance": "Về kế hoạch, tài chính và đầu tư: ",
}
_CAPTIONS = {
    "science": "Phát biểu ý kiến của Phòng Quản lý khoa học.",
    "technology": "Phát biểu ý kiến của Phòng Quản lý công nghệ và chuyên ngành.",
    "standards": "Phát biểu ý kiến của Chi cục Tiêu chuẩn Đo lường Chất lượng.",
    "inspection": "Phát biểu ý kiến của Chánh Thanh tra Sở.",
    "finance": "Phát biểu ý kiến của Phòng Kế hoạch - Tài chính.",
}
_ORDINALS = ("Một", "Hai", "Ba", "Bốn", "Năm", "Sáu", "Bảy", "Tám")
# Focus tasks: (area, indicators, text). Texts carry no figure and end without punctuation.
_TASKS: list[tuple[str, str, str]] = [
    ("science", "science.tasks_managed;science.tasks_carried_over",
     "Tiếp tục quản lý chặt chẽ các nhiệm vụ KH&CN chuyển tiếp, bảo đảm đúng tiến độ và nội dung đã "
     "được phê duyệt"),
    ("science", "science.tasks_new;science.tasks_approved;science.councils_selection",
     "Hoàn thành việc tuyển chọn, xét duyệt, thẩm định và ký hợp đồng triển khai các nhiệm vụ KH&CN "
     "mới"),
    ("science", "science.tasks_accepted;science.councils_acceptance",
     "Tổ chức đánh giá, nghiệm thu các nhiệm vụ KH&CN đã hết thời gian thực hiện và đẩy mạnh ứng dụng "
     "kết quả nghiên cứu vào sản xuất, đời sống"),
    ("technology", "technology.radiation_licences_issued;technology.facilities_guided_licensing;"
     "technology.xray_devices_declared",
     "Thẩm định, cấp phép các cơ sở sử dụng thiết bị X-quang trong y tế theo đúng quy định; tăng cường "
     "kiểm soát an toàn bức xạ"),
    ("technology", "technology.enterprises_supported;technology.investment_projects_appraised",
     "Hỗ trợ doanh nghiệp đổi mới công nghệ, thẩm định công nghệ các dự án đầu tư trên địa bàn"),
    ("ip", "ip.collective_marks_supported;ip.geographical_indications;ip.products_brand_building",
     "Tiếp tục hỗ trợ tạo lập, quản lý và phát triển nhãn hiệu tập thể, chỉ dẫn địa lý cho các sản "
     "phẩm đặc sản, sản phẩm chủ lực của địa phương"),
    ("ip", "ip.trademark_applications_guided;ip.organisations_supported_registration",
     "Hướng dẫn tổ chức, cá nhân, doanh nghiệp đăng ký xác lập quyền sở hữu công nghiệp"),
    ("standards", "standards.instruments_verified;standards.samples_tested",
     "Đẩy mạnh các hoạt động dịch vụ kiểm định, hiệu chuẩn, thử nghiệm phục vụ quản lý nhà nước và "
     "nhu cầu của doanh nghiệp"),
    ("standards", "standards.iso_agencies_provincial;standards.iso_communes_percent",
     "Duy trì, cải tiến hệ thống quản lý chất lượng theo tiêu chuẩn quốc gia tại các cơ quan hành "
     "chính nhà nước"),
    ("standards", "standards.productivity_enterprises_supported;standards.barcode_enterprises",
     "Triển khai chương trình nâng cao năng suất và chất lượng sản phẩm, hàng hóa của doanh nghiệp"),
    ("inspection", "inspection.inspections_planned;inspection.inspections_unannounced;"
     "inspection.violations;inspection.fines",
     "Thực hiện các cuộc thanh tra, kiểm tra theo kế hoạch và thanh tra đột xuất khi phát hiện dấu "
     "hiệu vi phạm về đo lường, chất lượng, nhãn hàng hóa"),
    ("inspection", "inspection.fuel_dispensers_checked;inspection.fuel_samples_tested;"
     "inspection.gold_samples_metrology_assessed",
     "Tăng cường kiểm tra đo lường, chất lượng xăng dầu, vàng trang sức, mỹ nghệ trên địa bàn"),
    ("startup", "startup.competitions;startup.events;startup.projects_supported",
     "Tổ chức cuộc thi và ngày hội khởi nghiệp đổi mới sáng tạo; hỗ trợ, kết nối các ý tưởng, dự án "
     "khởi nghiệp"),
    ("startup", "startup.training_courses;startup.trainees",
     "Tập huấn nâng cao nhận thức, kỹ năng khởi nghiệp cho sinh viên, đoàn viên thanh niên và doanh "
     "nghiệp nhỏ"),
    ("finance", "finance.budget_disbursed;finance.budget_disbursed_pct_plan;"
     "finance.investment_disbursed;finance.investment_disbursed_pct_plan",
     "Đẩy nhanh tiến độ giải ngân kinh phí sự nghiệp KH&CN và vốn đầu tư phát triển, phấn đấu hoàn "
     "thành kế hoạch vốn được giao"),
    ("finance", "finance.policy_disbursed;finance.policy_disbursed_pct_plan;"
     "finance.policy_areas_with_applications",
     "Triển khai hiệu quả chính sách hỗ trợ phát triển KH&CN của địa phương, tăng số hồ sơ đề nghị "
     "hỗ trợ"),
    ("", "", "Đẩy mạnh công tác thông tin, tuyên truyền về hoạt động KH&CN, đổi mới sáng tạo và chuyển "
     "đổi số"),
    ("", "", "Tăng cường hợp tác với các viện, trường, doanh nghiệp trong và ngoài tỉnh trong nghiên "
     "cứu, chuyển giao công nghệ"),
]
_TASK_AFTER_MERGER = ("", "", "Kiện toàn tổ chức bộ máy, ổn định hoạt động của Sở sau sắp xếp đơn vị "
                      "hành chính cấp tỉnh")
_AREA_ORDER = {"science": 1, "technology": 2, "ip": 3, "standards": 4, "inspection": 5, "startup": 6,
               "finance": 7, "": 8}
_OTHER_NEWS = ("Tập huấn nghiệp vụ quản lý nhiệm vụ KH&CN cấp cơ sở",
               "Hội thảo giới thiệu công nghệ mới trong sản xuất nông nghiệp",
               "Kiểm tra đo lường, chất lượng xăng dầu dịp cuối năm",
               "Khai mạc Ngày hội khởi nghiệp đổi mới sáng tạo",
               "Trao giấy chứng nhận nhãn hiệu tập thể cho sản phẩm đặc sản địa phương",
               "Tuyên truyền về an toàn bức xạ trong y tế")


# ---------------------------------------------------------------------------- writing numbers

@lru_cache(maxsize=65536)
def _fmt(value: int) -> str:
    return format_number(value)


def _count(value: int, zero_pad: bool) -> str:
    """A count as reports write it: `1.287`, or `07` in a report that pads small numbers."""
    return f"0{value}" if zero_pad and value < 10 else _fmt(value)


def _hundredths(h: int) -> str:
    """Plain decimal text of h/100 without trailing zeros: 5678 → `56.78`, 8550 → `85.5`."""
    whole, frac = divmod(h, 100)
    return f"{whole}.{frac:02d}".rstrip("0").rstrip(".") if frac else str(whole)


def _date_vi(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def _csv(name: str, rows: list[list[str]]) -> str:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(_COLUMNS[name])
    writer.writerows(rows)
    return buf.getvalue()


# ------------------------------------------------------------------------------ one report

@dataclass
class _Fig:
    code: str
    period: str
    kind: str
    measure: str
    value: str
    unit: str
    qualifier: str
    denominator: str
    quote: str
    note: str


class _Report:
    """Builds the figures, text and rows of one synthetic report."""

    def __init__(self, seed: int, unit: Province, period: Period, size: float,
                 indicators: list[_Indicator], after_merger: bool) -> None:
        self.unit, self.period, self.size, self.indicators = unit, period, size, indicators
        self.after = after_merger
        self.report_id = f"{ID_PREFIX}{slugify(unit.name_vi)}-{period.code.lower()}"
        self.rng = random.Random(f"giaoban-synthetic|{seed}|{self.report_id}")
        self.zero_pad = self.rng.random() < 0.5
        self.next = _next_period(period)
        self.where = f"{'tỉnh' if unit.type == TYPE_PROVINCE else 'thành phố'} {unit.name_vi}"
        self.figs: list[_Fig] = []
        self.plans: list[_Fig] = []

    # -- values
    def _scale(self, code: str, stock: bool) -> float:
        share = 1.0 if stock else _PERIOD_SHARE.get(self.period.kind, 0.5)
        flat = code in _FLAT
        size = self.size ** 0.3 if flat else self.size
        trend = 1.0 if flat else 1.04 ** (self.period.year - 2020)
        return share * size * trend * math.exp(self.rng.gauss(0, 0.25))

    def _n(self, code: str, stock: bool, base: float | None = None, low: int = 1) -> int:
        return max(low, round((base if base is not None else _BASE.get(code, 10))
                              * self._scale(code, stock)))

    def _pct(self) -> int:
        key = self.period.code[-2:] if self.period.kind == "H" else self.period.kind
        lo, hi = _PCT_RANGE.get(key, (4000, 9000))
        return self.rng.randint(lo, hi)

    def _values(self) -> dict[str, tuple[object, ...]]:
        """code → (kind of writing, value, extra): `c` count, `m` money in millions, `d` money in
        đồng, `p` percent in hundredths, `r` ratio (value, denominator), `q` qualified count."""
        rng, v = self.rng, {}
        for ind in self.indicators:
            if ind.value_type == "count":
                v[ind.code] = ("c", self._n(ind.code, ind.stock))
            elif ind.value_type == "money":
                v[ind.code] = ("m", self._n(ind.code, False, _BASE.get(ind.code, 1_000), 50))
            else:
                v[ind.code] = ("p", min(self._pct(), 10000) if ind.max_value else self._pct())
        c = lambda k: v[k][1]  # noqa: E731
        if "science.tasks_managed" in v:
            v["science.tasks_managed"] = ("c", c("science.tasks_carried_over") + c("science.tasks_new"))
        if "standards.instruments_failed" in v:
            failed = max(1, round(c("standards.instruments_verified") * rng.uniform(0.01, 0.06)))
            v["standards.instruments_verified"] = ("c", max(c("standards.instruments_verified"), failed + 1))
            v["standards.instruments_failed"] = ("c", failed)
            v["standards.instruments_passed"] = ("c", c("standards.instruments_verified") - failed)
        if "inspection.fuel_samples_passed" in v:
            tested = max(2, c("inspection.fuel_samples_tested"))
            failed = max(1, round(tested * rng.uniform(0.0, 0.12)))
            v["inspection.fuel_samples_tested"] = ("c", tested)
            v["inspection.fuel_samples_failed"] = ("c", failed)
            v["inspection.fuel_samples_passed"] = ("r", tested - failed, tested)
        if "inspection.violations" in v:
            v["inspection.violations"] = ("c", min(c("inspection.violations"),
                                                   c("inspection.facilities_inspected")))
        if "inspection.fines" in v:
            v["inspection.fines"] = ("d", c("inspection.fines") // 100 * 100)
        if "finance.budget_disbursed" in v:
            allocated = c("finance.budget_allocated")
            spent = max(1, round(allocated * self._pct() / 10000))
            v["finance.budget_disbursed"] = ("m", spent)
            v["finance.budget_disbursed_pct_plan"] = ("p", round(spent * 10000 / allocated))
        if "finance.policy_areas_with_applications" in v:
            den = rng.choice((8, 10, 11, 12))
            v["finance.policy_areas_with_applications"] = ("r", rng.randint(1, den), den)
        if "finance.plan_tasks_carried_over" in v:
            v["finance.plan_tasks_carried_over"] = ("c", min(c("finance.plan_tasks_carried_over"),
                                                             c("finance.plan_tasks") - 1))
        for code in ("startup.trainees", "technology.radiation_safety_trainees"):
            if code in v and rng.random() < (0.5 if code == "startup.trainees" else 0.2):
                n = max(20, c(code))
                step = 50 if n >= 200 else 10
                if code == "startup.trainees":
                    v[code] = ("q", n // step * step, rng.choice(("trên", "hơn")))
                else:
                    v[code] = ("q", -(-n // step) * step, "gần")
        for code, how in v.items():  # whole-number percentages now and then
            if how[0] == "p" and rng.random() < 0.3:
                v[code] = ("p", min(10000, round(how[1] / 100) * 100) or 100)
        return v

    def _fig(self, code: str, how: tuple[object, ...], template: str, unit: str, kind: str,
             period: Period) -> _Fig:
        tag, value = how[0], how[1]
        qualifier = denominator = note = ""
        if tag == "c":
            written, stored = _count(value, self.zero_pad), str(value)
        elif tag == "q":
            written, stored = f"{how[2]} {_fmt(value)}", str(value)
            qualifier = "almost" if how[2] == "gần" else "more_than"
            note = f"“{written}”."
        elif tag == "r":
            written, stored, denominator = f"{_fmt(value)}/{_fmt(how[2])}", str(value), str(how[2])
        elif tag == "m":
            written, stored = f"{_fmt(value)} triệu đồng", str(value * 1_000_000)
        elif tag == "d":
            written, stored = format_money(value), str(value)
        else:
            stored = _hundredths(value)
            written = format_number(Decimal(stored)) + "%"
        measure = "percent_of_plan" if code.endswith("_pct_plan") else "level"
        if kind == "plan":
            note = f"Kế hoạch {period.label_vi()}."
        return _Fig(code, period.code, kind, measure, stored, unit, qualifier, denominator,
                    template.replace("{n}", written), note)

    def _template(self, ind: _Indicator) -> tuple[str, str]:
        options = _T.get(ind.code)
        if options:
            return options[self.rng.randrange(len(options))]
        label = ind.label_vi[0].lower() + ind.label_vi[1:]
        if ind.value_type == "count":
            return f"{label} trong kỳ là {{n}} {ind.unit_vi}", ind.unit_vi
        if ind.value_type == "money":
            return f"{label} là {{n}}", "đồng"
        return f"{label} đạt {{n}}", "%"

    # -- the text
    def build(self) -> None:
        """Compute the figures, the text, the focus tasks and the legal refs."""
        rng, p, nxt = self.rng, self.period, self.next
        values = self._values()
        by_area: dict[str, list[tuple[str, str]]] = {}
        for ind in self.indicators:
            template, unit = self._template(ind)
            fig = self._fig(ind.code, values[ind.code], template, unit, "actual", p)
            self.figs.append(fig)
            sep = ", " if ind.code in _COMMA_BEFORE else "; "
            by_area.setdefault(ind.area, []).append((sep, fig.quote))
        plan_values = {
            "finance.plan_tasks": ("c", self._n("finance.plan_tasks", True)),
            "finance.budget_allocated": ("m", self._n("finance.budget_allocated", False,
                                                      _BASE["finance.budget_allocated"], 50)),
            "science.tasks_new": ("c", self._n("science.tasks_new", False)),
        }
        plan_values["finance.plan_tasks_carried_over"] = (
            "c", max(1, round(plan_values["finance.plan_tasks"][1] * rng.uniform(0.05, 0.2))))
        codes = {ind.code for ind in self.indicators}
        for code in ("finance.plan_tasks", "finance.plan_tasks_carried_over", "finance.budget_allocated",
                     "science.tasks_new"):
            if code in codes:
                template, unit = _PLAN_T[code]
                self.plans.append(self._fig(code, plan_values[code], template, unit, "plan", nxt))
        self._meeting()
        self.legal = self._legal_refs()
        self.tasks = self._focus_tasks()
        self.text = self._text(by_area)

    def _meeting(self) -> None:
        rng, p = self.rng, self.period
        kind = p.kind if p.kind != "H" else f"H{p.index}"
        r = rng.random()
        self.meeting_type = {
            "H1": "so_ket" if r < 0.8 else "giao_ban" if r < 0.92 else "",
            "H2": "giao_ban" if r < 0.88 else "",
            "FY": "tong_ket" if r < 0.75 else "hoi_nghi_cbcc" if r < 0.9 else "",
            "M": "giao_ban" if r < 0.7 else "",
        }.get(kind, "giao_ban")
        first = p.end + timedelta(days=1)
        if self.meeting_type:
            self.meeting = first + timedelta(days=rng.randint(4, 27))
            self.published = self.meeting + timedelta(days=rng.randint(0, 3))
        else:
            self.meeting = None
            self.published = first + timedelta(days=rng.randint(8, 30))
        y, label, next_label = p.year, p.label_vi(), self.next.label_vi()
        self.title = {
            "so_ket": f"Hội nghị sơ kết công tác {label} và triển khai nhiệm vụ trọng tâm {next_label}",
            "giao_ban": f"Giao ban khoa học và công nghệ {label} và kế hoạch các nhiệm vụ trọng tâm "
                        f"{next_label}",
            "tong_ket": f"Tổng kết hoạt động khoa học và công nghệ năm {y}, triển khai nhiệm vụ năm {y + 1}",
            "hoi_nghi_cbcc": f"Hội nghị cán bộ, công chức, viên chức năm {y + 1} và tổng kết công tác "
                             f"năm {y}",
            "": f"Kết quả hoạt động khoa học và công nghệ {label} và nhiệm vụ trọng tâm {next_label}",
        }[self.meeting_type] + f" {TITLE_MARK}"

    def _legal_refs(self) -> list[list[str]]:
        """2 to 4 provincial documents with fictitious numbers, cited in the opening paragraph."""
        rng, y, who = self.rng, self.period.year, "UBND tỉnh" if self.unit.type == TYPE_PROVINCE \
            else "UBND thành phố"
        council = "HĐND tỉnh" if self.unit.type == TYPE_PROVINCE else "HĐND thành phố"

        def day(year: int, m0: int, m1: int) -> date:
            return date(year, rng.randint(m0, m1), rng.randint(1, 28))

        docs = [
            ("Quyết định", f"{rng.randint(10, 250)}/QĐ-UBND", "UBND tỉnh", day(y, 1, 1), who,
             f"ban hành Chương trình công tác năm {y}"),
            ("Kế hoạch", f"{rng.randint(5, 120)}/KH-SKHCN", "Sở KH&CN", day(y, 1, 2), "Sở KH&CN",
             f"triển khai nhiệm vụ khoa học và công nghệ năm {y}"),
            ("Nghị quyết", f"{rng.randint(20, 150)}/NQ-HĐND", "HĐND tỉnh", day(y - 1, 12, 12), council,
             f"kế hoạch phát triển kinh tế - xã hội năm {y}"),
            ("Kế hoạch", f"{rng.randint(20, 300)}/KH-UBND", "UBND tỉnh", day(y, 2, 5), who,
             f"phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số năm {y}"),
        ]
        chosen = [docs[0], docs[1]] + rng.sample(docs[2:], rng.randint(0, 2))
        rows = []
        for doc_type, number, issuer, d, written_by, title in chosen:
            quote = f"{doc_type} số {number} ngày {_date_vi(d)} của {written_by} về {title}"
            rows.append([self.report_id, number, doc_type, issuer, d.isoformat(), title, quote])
        return rows

    def _focus_tasks(self) -> list[tuple[str, str, str]]:
        pool = list(_TASKS) + ([_TASK_AFTER_MERGER] if self.after else [])
        chosen = self.rng.sample(pool, self.rng.randint(3, 6))
        return sorted(chosen, key=lambda t: (_AREA_ORDER[t[0]], t[2]))

    def _text(self, by_area: dict[str, list[tuple[str, str]]]) -> str:
        rng, p, u = self.rng, self.period, self.unit
        label, next_label = p.label_vi(), self.next.label_vi()
        header = "TỈNH" if u.type == TYPE_PROVINCE else "THÀNH PHỐ"
        lines = [MARK,
                 "Trang chủ | Giới thiệu | Tin tức - Sự kiện | Văn bản | Thủ tục hành chính | Liên hệ",
                 "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "", f"{header} {u.name_vi.upper()}", "", self.title, "",
                 f"Ngày cập nhật {_date_vi(self.published)}", ""]
        sở = f"Sở Khoa học và Công nghệ (KH&CN) {self.where}"
        if self.meeting is not None:
            when = f"{rng.choice(('Sáng ngày', 'Chiều ngày', 'Ngày'))} {_date_vi(self.meeting)}"
            opening = {
                "so_ket": f"{when}, {sở} tổ chức Hội nghị sơ kết công tác {label} và triển khai nhiệm "
                          f"vụ trọng tâm {next_label}. Tham dự Hội nghị có lãnh đạo Sở, trưởng, phó các "
                          f"phòng, đơn vị thuộc Sở.",
                "giao_ban": f"{when}, {sở} tổ chức giao ban KH&CN {label} và kế hoạch các nhiệm vụ "
                            f"trọng tâm {next_label}.",
                "tong_ket": f"{when}, UBND {self.where} tổ chức Hội nghị tổng kết hoạt động ngành "
                            f"KH&CN năm {p.year}, triển khai nhiệm vụ năm {p.year + 1}. Tham dự Hội nghị "
                            f"có đại diện Vụ Phát triển KH&CN địa phương, Bộ KH&CN; lãnh đạo các sở, ban, "
                            f"ngành và địa phương.",
                "hoi_nghi_cbcc": f"{when}, {sở} tổ chức Hội nghị cán bộ, công chức, viên chức năm "
                                 f"{p.year + 1}, tổng kết công tác năm {p.year}.",
            }[self.meeting_type]
        else:
            opening = (f"Trong {label}, tập thể cán bộ, công chức, viên chức ngành khoa học và công nghệ "
                       f"{self.where} đã đoàn kết, nỗ lực hoàn thành các nhiệm vụ được giao.")
        lines += [opening, ""]
        cites = [row[6] for row in self.legal]
        lines += [f"Trong {label}, thực hiện {', '.join(cites[:-1])} và {cites[-1]}, Sở KH&CN đã tập "
                  f"trung triển khai hoàn thành các nhiệm vụ, chỉ tiêu được giao.", ""]
        for area in sorted(by_area, key=lambda a: _AREA_ORDER.get(a, 9)):
            clauses = by_area[area]
            parts = [_AREA_LEAD.get(area, f"Lĩnh vực {area}: ")]
            for i, (sep, quote) in enumerate(clauses):
                parts.append(("" if i == 0 else sep) + quote)
            lines += ["".join(parts) + ".", ""]
            caption = _CAPTIONS.get(area)
            if caption and rng.random() < 0.5:
                lines += [caption, ""] * (2 if rng.random() < 0.5 else 1)
        if self.plans:
            plan = ", ".join(f.quote for f in self.plans[:2])
            rest = "; ".join(f.quote for f in self.plans[2:])
            lines += [f"Trong {next_label}, Sở KH&CN {plan}{'; ' + rest if rest else ''}.", ""]
        lines += [f"Một số nhiệm vụ trọng tâm {next_label}:", ""]
        if rng.random() < 0.6:
            for i, (_, _, text) in enumerate(self.tasks):
                lines += [f"{_ORDINALS[i]} là {text}.", ""]
        else:
            lines += [f"- {text};" for _, _, text in self.tasks[:-1]] + [f"- {self.tasks[-1][2]}.", ""]
        lines += [f"Phát biểu kết luận, lãnh đạo Sở đề nghị các phòng, đơn vị bám sát kế hoạch, "
                  f"phấn đấu hoàn thành thắng lợi nhiệm vụ {next_label}.", "", "Văn phòng Sở", "",
                  "Các tin khác"]
        lines += [f"• {t}" for t in rng.sample(_OTHER_NEWS, 3)]
        lines += [f"Lượt truy cập: {_fmt(rng.randint(100_000, 9_000_000))}"]
        return "\n".join(lines)

    # -- rows
    def report_row(self) -> list[str]:
        return [self.report_id, self.unit.code, self.period.code, self.meeting_type,
                self.meeting.isoformat() if self.meeting else "", "stated" if self.meeting else "",
                self.published.isoformat(), self.title, f"{self.report_id}.txt", "", "public"]

    def observation_rows(self) -> list[list[str]]:
        return [[self.report_id, f.code, f.period, f.kind, f.measure, f.value, f.unit, f.qualifier,
                 f.denominator, f.quote, "public", f.note] for f in self.figs + self.plans]

    def task_rows(self) -> list[list[str]]:
        return [[self.report_id, self.next.code, str(i), text, area, inds]
                for i, (area, inds, text) in enumerate(self.tasks, start=1)]


# --------------------------------------------------------------------------------- generate

@dataclass(frozen=True)
class Summary:
    """What `generate` wrote: where, with which seed and periods, how many rows, files and bytes."""

    out_dir: Path
    seed: int
    periods_old: tuple[str, ...]
    periods_new: tuple[str, ...]
    units_old: int
    units_new: int
    reports: int
    observations: int
    focus_tasks: int
    legal_refs: int
    source_files: int
    files: int
    bytes: int
    seconds: float

    @property
    def periods(self) -> tuple[str, ...]:
        """Every period code, oldest first."""
        return self.periods_old + self.periods_new

    def lines(self) -> list[str]:
        """The summary in Vietnamese, one fact a line."""
        return [
            f"Đã tạo dữ liệu giả lập tại {self.out_dir} (seed {self.seed}) trong {self.seconds:.1f} giây.",
            f"Kỳ: {len(self.periods)} ({self.units_old} tỉnh cũ: {', '.join(self.periods_old)}; "
            f"{self.units_new} tỉnh mới: {', '.join(self.periods_new)}).",
            f"Dòng: reports {self.reports}, observations {self.observations}, focus_tasks "
            f"{self.focus_tasks}, legal_refs {self.legal_refs}.",
            f"Tệp: {self.files} ({self.source_files} văn bản nguồn), {self.bytes / 1e6:.1f} MB.",
        ]


def _project_data_dirs() -> list[Path]:
    return [(_REPO / "data").resolve(), Path(paths.DATA).resolve()]


def _refuse_real(folder: Path) -> None:
    """Refuse the project's data/, a folder inside or above it, and a folder that holds real reports."""
    resolved = folder.resolve()
    for data in _project_data_dirs():
        if resolved == data or data in resolved.parents or resolved in data.parents:
            raise InputError(f"không ghi dữ liệu giả lập vào thư mục dữ liệu thật của dự án ({data}): "
                             f"chọn một thư mục khác, ví dụ benchmarks/out/synthetic", path=str(folder))
    reports = resolved / "reports.csv"
    if reports.is_file():
        real = [r["report_id"] for r in _read_csv(reports)
                if not r.get("report_id", "").startswith(ID_PREFIX)]
        if real:
            raise InputError(f"thư mục có báo cáo thật ({real[0]} …): chỉ thao tác trên dữ liệu giả lập",
                             path=str(reports))


def _check_out(out: Path, force: bool) -> None:
    _refuse_real(out)
    if out.exists() and not out.is_dir():
        raise InputError("không phải thư mục", path=str(out))
    if out.is_dir() and any(out.iterdir()) and not force:
        raise InputError("thư mục không trống: chọn thư mục trống hoặc thêm --force để ghi đè",
                         path=str(out))


def _sizes(provinces, old_units: list[Province], new_units: list[Province], seed: int) -> dict:
    """Relative size of each unit: random for the old ones (by code), the sum of the predecessors
    for the new ones."""
    size: dict[tuple[str, bool], float] = {}
    for u in old_units:
        rng = random.Random(f"giaoban-synthetic|{seed}|size|{u.code}")
        size[(u.code, False)] = math.exp(rng.gauss(0, 0.45)) * _BIG.get(u.code, 1.0)
    for u in new_units:
        size[(u.code, True)] = sum(size.get((q.code, False), 1.0) for q in provinces.predecessors_of(u))
    return size


def _synthetic_md(summary: dict, old: list[Period], new: list[Period]) -> str:
    return f"""# DỮ LIỆU GIẢ LẬP — SYNTHETIC DATA, NOT REAL

Thư mục này do `benchmarks/synthetic.py` tạo ra để đo tốc độ (benchmark). Mọi báo cáo, số liệu,
văn bản và số hiệu văn bản ở đây đều là **giả lập**, không phải báo cáo thật của Sở KH&CN nào.
Không sao chép vào `data/` và không công bố.

This folder was generated by `benchmarks/synthetic.py` (seed {summary['seed']}) for the speed
benchmarks. Every report, figure, text and document number in it is **invented**. It has the layout
and schema of the project's `data/` (see `data/README.md` there) so that the pipeline can run on a
national scale, but it must never be copied into `data/` or published. Marks: report ids start with
`{ID_PREFIX}`, titles contain `{TITLE_MARK}`, every text under `sources/` starts with the line
`{MARK}`.

Regenerate it with `python benchmarks/synthetic.py --out DIR --seed {summary['seed']} --periods
{len(old) + len(new)}`: the same seed gives the same bytes.

## What is in it
- `reference/`: copied unchanged from the project.
- Periods of the 63 units before 1 July 2025: {', '.join(p.code for p in old)}.
- Periods of the 34 units from 1 July 2025: {', '.join(p.code for p in new)}.
- No report straddles 1 July 2025; every unit in force for a whole period reports it.
- Every report has every indicator of the catalogue (kind `actual`, the report's period) and four
  plan figures for the next period (`finance.plan_tasks`, `finance.plan_tasks_carried_over`,
  `finance.budget_allocated`, `science.tasks_new`), 3 to 6 focus tasks and 2 to 4 legal references.
- Rows: reports {summary['reports']}, observations {summary['observations']}, focus_tasks {summary['focus_tasks']},
  legal_refs {summary['legal_refs']}; {summary['sources']} source texts.

## How the figures are made
Values scale with a random size per province (a new unit is the sum of its predecessors), the length
of the period (flows; stocks are not scaled), a growth of 4% a year and noise; breakdowns add up
(tasks managed = carried over + new; instruments passed + failed = verified; fuel samples passed/tested).
Each figure is written in a clause of the text with `giaoban.domain.numbers` (`1.287`, `07`, `trên 300`,
`12.345 triệu đồng`, `50.074.800 đồng`, `56,78%`, `14/15`), and that clause is its quote.

Simplifications: district-level indicators (`science.district_units_guided`,
`standards.iso_trained_district_units`) are also given to the 34 units, although districts were
abolished on 1 July 2025, so that every indicator is in every report; legal references are
provincial documents with invented numbers.
"""


def generate(out_dir: str | Path, seed: int = 0, periods: int = 12, *, force: bool = False) -> Summary:
    """Write the synthetic national dataset into `out_dir` and return its Summary.

    Refuses (InputError) the project's `data/` folder or a folder inside it, a folder that holds
    real reports, a non-empty folder unless `force`, and `periods` outside 2..40. With `force`,
    stale `sources/synthetic-*.txt` files of an earlier run are removed.
    """
    started = time.perf_counter()
    out = Path(out_dir)
    _check_out(out, force)
    old_periods, new_periods = plan_periods(periods)
    provinces = load_provinces(_REFERENCE)
    indicators = _indicators(_REFERENCE)
    old_units = provinces.units(on=date(2025, 6, 30))
    new_units = provinces.units(on=_MERGER)
    # Thừa Thiên Huế (46) until 2024-12-31, the city of Huế (46) from 2025-01-01: sizes go by code.
    sizes = _sizes(provinces, old_units, new_units, seed)

    reports: list[_Report] = []
    for period in old_periods + new_periods:
        after = period.start >= _MERGER
        units = provinces.units(on=period.end)
        for unit in sorted(units, key=lambda u: u.code):
            if not (unit.in_force_on(period.start) and unit.in_force_on(period.end)):
                continue
            r = _Report(seed, unit, period, sizes.get((unit.code, after), 1.0), indicators, after)
            r.build()
            reports.append(r)

    files: dict[str, str] = {}
    files["reports.csv"] = _csv("reports.csv", [r.report_row() for r in reports])
    obs = [row for r in reports for row in r.observation_rows()]
    files["observations.csv"] = _csv("observations.csv", obs)
    tasks = [row for r in reports for row in r.task_rows()]
    files["focus_tasks.csv"] = _csv("focus_tasks.csv", tasks)
    legal = [row for r in reports for row in r.legal]
    files["legal_refs.csv"] = _csv("legal_refs.csv", legal)
    table = ["# Synthetic source reports (giả lập)", "",
             "Generated by `benchmarks/synthetic.py`: invented texts, not real reports (see "
             "`../SYNTHETIC.md`). UTF-8, NFC, LF, no final newline.", "",
             "| file | report_id | province | period | meeting | published |",
             "|---|---|---|---|---|---|"]
    for r in reports:
        meeting = f"{r.meeting_type}, {r.meeting.isoformat()}" if r.meeting else "none"
        table.append(f"| `{r.report_id}.txt` | `{r.report_id}` | {r.unit.name_vi} ({r.unit.code}) | "
                     f"{r.period.code} | {meeting} | {r.published.isoformat()} |")
        files[f"sources/{r.report_id}.txt"] = r.text
    files["sources/README.md"] = "\n".join(table) + "\n"
    counts = {"seed": seed, "reports": len(reports), "observations": len(obs),
              "focus_tasks": len(tasks), "legal_refs": len(legal), "sources": len(reports)}
    files["SYNTHETIC.md"] = _synthetic_md(counts, old_periods, new_periods)

    total = 0
    for ref in sorted(p for p in _REFERENCE.rglob("*") if p.is_file()):
        data = ref.read_bytes()
        write_bytes(out / "reference" / ref.relative_to(_REFERENCE), data)
        total += len(data)
    n_ref = sum(1 for p in _REFERENCE.rglob("*") if p.is_file())
    for name, text in files.items():
        write_text(out / name, text)
        total += len(text.encode("utf-8"))
    if force:
        keep = {f"{r.report_id}.txt" for r in reports}
        for stale in (out / "sources").glob(f"{ID_PREFIX}*.txt"):
            if stale.name not in keep:
                stale.unlink()
    return Summary(out, seed, tuple(p.code for p in old_periods), tuple(p.code for p in new_periods),
                   len(old_units), len(new_units), len(reports), len(obs), len(tasks), len(legal),
                   len(reports), len(files) + n_ref, total, time.perf_counter() - started)


# -------------------------------------------------------------------------- one figure changed

# A whole number as written (`1.287`, `07`), not part of a decimal, ratio or percentage.
_NUMBER = re.compile(r"(?<![\d.,/])(?:\d{1,3}(?:\.\d{3})+|\d+)(?![\d/%]|[.,]\d)")


def change_one_figure(data_dir: str | Path, province_code: str, period: str | Period,
                      indicator: str = CHANGE_INDICATOR) -> tuple[str, str, int, int]:
    """Change one count in a synthetic folder: its value, its quote and its source text, consistently.

    The observation is (report of `province_code` for `period`, `indicator`, that period, actual,
    level); the new value is the old one plus 10% (at least 1). Returns (report_id, indicator, old,
    new). Refuses (InputError) a folder that is not synthetic or is the project's data/, a missing
    report or observation, an indicator that is not a plain count, and a quote that is not exactly
    once in the text or whose number cannot be found once.
    """
    folder = Path(data_dir)
    _refuse_real(folder)
    if not (folder / "SYNTHETIC.md").is_file():
        raise InputError("không phải thư mục dữ liệu giả lập (thiếu SYNTHETIC.md)", path=str(folder))
    code = period.code if isinstance(period, Period) else Period.parse(period).code
    reports = [r for r in _read_csv(folder / "reports.csv")
               if r["province"] == province_code and r["period"] == code]
    if len(reports) != 1:
        raise InputError(f"cần đúng một báo cáo của tỉnh {province_code} kỳ {code}, có {len(reports)}",
                         path=str(folder / "reports.csv"))
    report = reports[0]
    obs_path = folder / "observations.csv"
    with open(obs_path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    key = (report["report_id"], indicator, code, "actual", "level")
    hits = [i for i, row in enumerate(body)
            if tuple(row[col[c]] for c in ("report_id", "indicator", "period", "kind", "measure")) == key]
    if len(hits) != 1:
        raise InputError(f"không tìm thấy đúng một số liệu {indicator} của {report['report_id']}",
                         path=str(obs_path))
    row = body[hits[0]]
    if row[col["denominator"]] or row[col["unit"]] in ("đồng", "%") or not row[col["value"]].isdigit():
        raise InputError(f"{indicator}: chỉ đổi được một số đếm (không phải tiền, phần trăm, tỷ số)",
                         path=str(obs_path), row=hits[0] + 2, column="value")
    old = int(row[col["value"]])
    new = old + max(1, round(old * 0.1))
    quote = row[col["quote"]]
    tokens = [m for m in _NUMBER.finditer(quote) if parse_number(m.group()) == old]
    if len(tokens) != 1:
        raise InputError(f"không tìm thấy đúng một lần số {old} trong trích dẫn", path=str(obs_path),
                         row=hits[0] + 2, column="quote")
    token = tokens[0]
    written = f"0{new}" if token.group().startswith("0") and new < 10 else format_number(new)
    new_quote = quote[:token.start()] + written + quote[token.end():]
    source = folder / "sources" / report["source_file"]
    text = source.read_text(encoding="utf-8")
    if text.count(quote) != 1 or new_quote in text:
        raise InputError("trích dẫn không xuất hiện đúng một lần trong văn bản", path=str(source))
    new_text = text.replace(quote, new_quote)
    others = [r[col["quote"]] for i, r in enumerate(body)
              if r[col["report_id"]] == report["report_id"] and i != hits[0]]
    others += [r["quote"] for r in _read_csv(folder / "legal_refs.csv")
               if r["report_id"] == report["report_id"]]
    others += [r["text"] for r in _read_csv(folder / "focus_tasks.csv")
               if r["report_id"] == report["report_id"]]
    if any(o not in new_text for o in others):
        raise InputError("đổi số này làm hỏng một trích dẫn khác của báo cáo", path=str(source))
    row[col["value"]], row[col["quote"]] = str(new), new_quote
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerows(rows)
    write_text(source, new_text)
    write_text(obs_path, buf.getvalue())
    return report["report_id"], indicator, old, new


# ---------------------------------------------------------------------------------- command line

def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (0, or 2 after printing a refusal)."""
    parser = argparse.ArgumentParser(
        prog="python benchmarks/synthetic.py",
        description="Tạo bộ dữ liệu giả lập toàn quốc (63 + 34 tỉnh) cho benchmark tốc độ.")
    parser.add_argument("--out", required=True, type=Path, help="thư mục đích (trống, không phải data/)")
    parser.add_argument("--seed", type=int, default=0, help="hạt giống ngẫu nhiên (mặc định 0)")
    parser.add_argument("--periods", type=int, default=12, help="số kỳ, từ 2 đến 40 (mặc định 12)")
    parser.add_argument("--force", action="store_true", help="ghi vào thư mục không trống")
    args = parser.parse_args(argv)
    try:
        summary = generate(args.out, seed=args.seed, periods=args.periods, force=args.force)
    except GiaobanError as error:
        print(f"lỗi: {error}", file=sys.stderr)
        return 2
    print("\n".join(summary.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
