"""The words of the pages in Vietnamese and English: headings, sentences, labels and dates.

Every heading and sentence a notebook shows comes from `MESSAGES` through `t(key, lang, **values)`,
so that a page is wholly in one language. Values put into a message are escaped for Markdown
(`giaoban.briefing.tables.escape`) unless they are `giaoban.briefing.tables.Raw`; the messages themselves are
Markdown written here. Texts from the reports (quotes, focus tasks, titles) stay as written, in
Vietnamese, on English pages too.
"""

from __future__ import annotations

import string
from datetime import date
from typing import Any

from giaoban.errors import InputError
from giaoban.briefing.tables import Raw, escape
from giaoban.domain.numbers import format_number
from giaoban.domain.periods import format_day

__all__ = [
    "LANGS",
    "MESSAGES",
    "AREA_SHORT",
    "area_short",
    "t",
    "check_lang",
    "format_date",
    "is_empty",
    "meeting_type_label",
    "pick",
    "label_of",
    "unit_name",
    "unit_full_name",
    "UNIT_TYPES",
]

LANGS = ("vi", "en")

_MEETING_TYPES = {
    "giao_ban": ("giao ban", "regular briefing (giao ban)"),
    "so_ket": ("sơ kết", "mid-year review (sơ kết)"),
    "tong_ket": ("tổng kết", "year-end review (tổng kết)"),
    "hoi_nghi_cbcc": ("hội nghị cán bộ công chức", "staff conference (hội nghị CBCC)"),
}

#: Unit type → (Vietnamese word, English word) used in running text ("tỉnh Lào Cai", "Lao Cai province").
UNIT_TYPES = {"tỉnh": ("tỉnh", "province"), "thành phố trực thuộc trung ương": ("thành phố", "city")}

MESSAGES: dict[str, dict[str, str]] = {
    # --- titles
    "briefing_title": {
        "vi": "Bản tin giao ban KH&CN: {province}, {period}",
        "en": "S&T briefing: {province}, {period}",
    },
    "province_title": {"vi": "{province}: số liệu KH&CN qua các kỳ", "en": "{province}: S&T figures over time"},
    "period_title": {"vi": "Các tỉnh, thành phố: số liệu KH&CN {period}", "en": "All provinces: S&T figures, {period}"},
    # --- intro
    "meeting_for": {"vi": "Cuộc họp: {type}, ngày {date}.", "en": "Meeting: {type}, on {date}."},
    "report_line": {
        "vi": "Báo cáo: *{title}* ({meeting}; đăng ngày {published}).",
        "en": "Report: *{title}* ({meeting}; published {published}).",
    },
    "meeting_on": {"vi": "{type}, họp ngày {date}", "en": "{type}, meeting on {date}"},
    "meeting_on_as_written": {
        "vi": "{type}, họp ngày {date} theo văn bản: ngày này mâu thuẫn với kỳ báo cáo, chưa được sửa",
        "en": "{type}, meeting on {date} as the text writes it: this date contradicts the period "
        "and has not been corrected",
    },
    "meeting_none": {"vi": "văn bản không nêu cuộc họp", "en": "the text reports no meeting"},
    "date_unknown": {"vi": "không rõ", "en": "unknown"},
    "no_report": {
        "vi": "Chưa có báo cáo của {province} cho {period} trong dữ liệu.",
        "en": "There is no report of {province} for {period} in the data.",
    },
    "tasks_due_count": {
        "vi": "Cuộc họp trước đã đặt {n} nhiệm vụ trọng tâm cho {period}: xem mục *Nhiệm vụ trọng tâm đặt cho kỳ này*.",
        "en": "The last meeting set {n} focus tasks for {period}: see *Focus tasks set for this period*.",
    },
    "no_data_at_all": {
        "vi": "Không có số liệu nào của {province} cho {period}, cùng kỳ năm trước "
        "hay kỳ trước; không có nhiệm vụ trọng tâm nào đặt cho kỳ này.",
        "en": "There are no figures of {province} for {period}, the same period a "
        "year earlier or the previous period, and no focus task set for it.",
    },
    "figures_count": {
        "vi": "Báo cáo nêu {n} số liệu của kỳ, thuộc {areas}/{all_areas} lĩnh vực.",
        "en": "The report gives {n} figures for the period, in {areas} of {all_areas} areas of work.",
    },
    "notes_hint": {
        "vi": "Số trong ngoặc vuông, như \\[1\\], dẫn tới câu trích nguyên văn ở mục *Nguồn* cuối trang.",
        "en": "Numbers in square brackets, such as \\[1\\], lead to the verbatim quote in "
        "*Sources* at the end of the page.",
    },
    # --- succession
    "ended_title": {
        "vi": "{province} ({code}): không còn là đơn vị hành chính cấp tỉnh",
        "en": "{province} ({code}): no longer a provincial unit",
    },
    "ended": {
        "vi": "{province} (mã {code}) là đơn vị hành chính cấp tỉnh đến hết ngày {last}. "
        "Trong {period}, lãnh thổ này thuộc {successor} (mã {successor_code}): "
        "xem bản tin của {successor} cho kỳ này.",
        "en": "{province} (code {code}) was a provincial unit until {last}. In {period} its "
        "territory belongs to {successor} (code {successor_code}): see the briefing "
        "of {successor} for this period.",
    },
    "merged_later": {
        "vi": "Từ ngày {date}, {province} cùng {others} hợp thành {successor} (mã {code}).",
        "en": "From {date}, {province} and {others} form {successor} (code {code}).",
    },
    "renamed_later": {
        "vi": "Từ ngày {date}, {province} trở thành {successor} (mã {code}).",
        "en": "From {date}, {province} became {successor} (code {code}).",
    },
    "new_unit": {
        "vi": "{province} được thành lập ngày {date} từ {predecessors}. Số liệu các kỳ "
        "trước ngày đó là **tổng số liệu của các đơn vị này** với những chỉ tiêu "
        "cộng được giữa các tỉnh; chỉ tiêu không cộng được (như tỷ lệ phần trăm) "
        "được ghi riêng từng đơn vị, và tổng chỉ được tính khi mọi đơn vị đều có "
        "số liệu.",
        "en": "{province} was formed on {date} from {predecessors}. Figures for periods "
        "before that date are **the sums of these units' figures** for indicators "
        "that can be added across provinces; other indicators (such as "
        "percentages) are shown unit by unit, and a sum is given only when every "
        "unit has a figure.",
    },
    "renamed_unit": {
        "vi": "Trước ngày {date}, đơn vị này là {predecessors}: số liệu các kỳ trước là của {predecessors}.",
        "en": "Before {date} this unit was {predecessors}: figures of earlier periods are those of {predecessors}.",
    },
    # --- sections
    "key_figures": {"vi": "Số liệu chính của kỳ", "en": "Key figures of the period"},
    "key_figures_intro": {
        "vi": "Tối đa {n} số liệu mỗi lĩnh vực, theo thứ tự của danh mục chỉ tiêu.",
        "en": "Up to {n} figures per area of work, in the order of the indicator catalogue.",
    },
    "areas": {"vi": "Số liệu theo lĩnh vực", "en": "Figures by area of work"},
    "areas_intro": {
        "vi": "Mỗi số liệu của {period} đặt cạnh {comparisons}; ô *không có số liệu* "
        "nghĩa là không báo cáo nào nêu số đó. Thay đổi ghi trong ngoặc là của "
        "kỳ này so với kỳ được so sánh.",
        "en": "Each figure for {period} is shown beside {comparisons}; *no data* means "
        "that no report gives that figure. The change in brackets is this "
        "period's against the compared one.",
    },
    "no_area_data": {
        "vi": "Không có số liệu theo lĩnh vực cho kỳ này và các kỳ so sánh.",
        "en": "There are no figures by area for this period or the compared periods.",
    },
    "ranks": {"vi": "Vị trí so với các tỉnh, thành phố khác", "en": "Standing among the provinces"},
    "ranks_intro": {
        "vi": "Với các chỉ tiêu so sánh được giữa các tỉnh: thứ hạng theo giá trị từ cao "
        "xuống thấp (không phải đánh giá tốt hay xấu) trong số các tỉnh có số "
        "liệu {period}, và trung vị của các tỉnh đó.",
        "en": "For indicators that can be compared across provinces: the rank by value, "
        "highest first (not a judgement of good or bad), among the provinces "
        "with a figure for {period}, and their median.",
    },
    "ranks_none": {
        "vi": "Không có chỉ tiêu xếp hạng được nào có số liệu kỳ này.",
        "en": "No rankable indicator has a figure for this period.",
    },
    "ranks_alone": {
        "vi": "Với {n} chỉ tiêu, chỉ {province} có số liệu {period}: chưa thể xếp hạng các chỉ tiêu này.",
        "en": "For {n} indicators only {province} has a figure for {period}: they cannot be ranked yet.",
    },
    "rank_of": {"vi": "{rank}/{n}", "en": "{rank} of {n}"},
    "only_this": {"vi": "chỉ tỉnh này có số liệu", "en": "only this province reported"},
    "tasks_due": {"vi": "Nhiệm vụ trọng tâm đặt cho kỳ này", "en": "Focus tasks set for this period"},
    "tasks_due_intro": {
        "vi": "Các nhiệm vụ trọng tâm cuộc họp trước đặt cho {period}, và số liệu của kỳ này về từng nhiệm vụ.",
        "en": "The focus tasks the last meeting set for {period}, and what this period's figures say of each.",
    },
    "tasks_due_none": {
        "vi": "Không có nhiệm vụ trọng tâm nào được đặt cho {period} trong dữ liệu.",
        "en": "No focus task was set for {period} in the data.",
    },
    "set_by": {"vi": "Đặt tại: *{title}* ({period}).", "en": "Set in: *{title}* ({period})."},
    "task_no_indicator": {"vi": "chưa gắn chỉ tiêu nào để theo dõi", "en": "no indicator is linked to follow it"},
    "task_figure": {"vi": "{label}: {value}", "en": "{label}: {value}"},
    "latest_before": {"vi": "gần nhất trước kỳ: {value} ({period})", "en": "latest before: {value} ({period})"},
    "plan_value": {"vi": "kế hoạch: {value}", "en": "plan: {value}"},
    "tasks_next": {"vi": "Nhiệm vụ trọng tâm kỳ tới", "en": "Focus tasks for the next period"},
    "tasks_next_intro": {
        "vi": "Báo cáo kỳ này đặt các nhiệm vụ dưới đây cho {period}.",
        "en": "This period's report sets the tasks below for {period}.",
    },
    "tasks_next_none": {
        "vi": "Báo cáo kỳ này không đặt nhiệm vụ trọng tâm nào cho kỳ tới.",
        "en": "This period's report sets no focus task for the next period.",
    },
    "plans_next": {"vi": "Chỉ tiêu kế hoạch {period}:", "en": "Planned figures for {period}:"},
    "verbatim_vi": {"vi": "", "en": "Tasks and quotes are given verbatim, in Vietnamese."},
    "legal_refs": {"vi": "Văn bản được viện dẫn", "en": "Documents cited"},
    "legal_refs_none": {
        "vi": "Báo cáo kỳ này không viện dẫn văn bản nào có số hiệu.",
        "en": "This period's report cites no numbered document.",
    },
    "sources": {"vi": "Nguồn", "en": "Sources"},
    "sources_intro": {
        "vi": "Mỗi số liệu trong trang dẫn tới câu trích nguyên văn của báo cáo.",
        "en": "Every figure on the page leads to the verbatim sentence of its report.",
    },
    "sources_none": {"vi": "Trang không có số liệu nào cần dẫn nguồn.", "en": "The page has no figure to source."},
    "quote_line": {"vi": "dòng {line}", "en": "line {line}"},
    "quote_text": {"vi": "văn bản báo cáo", "en": "report text"},
    "quote_not_found": {
        "vi": "⚠ không tìm thấy nguyên văn trong tệp {file}",
        "en": "⚠ not found verbatim in file {file}",
    },
    "reports_used": {"vi": "Báo cáo được dùng", "en": "Reports used"},
    # --- table headers
    "col_area": {"vi": "Lĩnh vực", "en": "Area"},
    "col_indicator": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "col_value": {"vi": "Số liệu", "en": "Figure"},
    "col_rank": {"vi": "Thứ hạng", "en": "Rank"},
    "col_median": {"vi": "Trung vị các tỉnh", "en": "Median of provinces"},
    "col_n": {"vi": "Số tỉnh có số liệu", "en": "Provinces with a figure"},
    "col_max": {"vi": "Cao nhất", "en": "Highest"},
    "col_min": {"vi": "Thấp nhất", "en": "Lowest"},
    "col_number": {"vi": "Số hiệu", "en": "Number"},
    "col_doc_type": {"vi": "Loại văn bản", "en": "Type"},
    "col_issuer": {"vi": "Cơ quan ban hành", "en": "Issued by"},
    "col_date": {"vi": "Ngày", "en": "Date"},
    "col_title": {"vi": "Trích yếu", "en": "Subject (Vietnamese)"},
    "col_province": {"vi": "Tỉnh, thành phố", "en": "Province"},
    "col_total": {"vi": "Tổng", "en": "Total"},
    "col_period": {"vi": "Kỳ", "en": "Period"},
    "col_report": {"vi": "Báo cáo", "en": "Report"},
    "role_current": {"vi": "Kỳ này ({period})", "en": "This period ({period})"},
    "role_year_earlier": {"vi": "Cùng kỳ năm trước ({period})", "en": "A year earlier ({period})"},
    "role_previous": {"vi": "Kỳ trước ({period})", "en": "Previous period ({period})"},
    "role_year_earlier_short": {
        "vi": "cùng kỳ năm trước ({period})",
        "en": "the same period a year earlier ({period})",
    },
    "role_previous_short": {"vi": "kỳ trước cùng loại ({period})", "en": "the previous period of its kind ({period})"},
    "and": {"vi": "và", "en": "and"},
    # --- values
    "no_data": {"vi": "không có số liệu", "en": "no data"},
    "summed": {"vi": "tổng {n} đơn vị", "en": "sum of {n} units"},
    "partial": {"vi": "chưa đủ số liệu để cộng: {parts}", "en": "too few figures to add: {parts}"},
    "missing_in": {"vi": "{unit} không có", "en": "{unit} none"},
    "not_summable": {"vi": "không cộng được: {parts}", "en": "cannot be added: {parts}"},
    "by_unit": {"vi": "{value} ({unit})", "en": "{value} ({unit})"},
    "conflict": {"vi": "các báo cáo ghi khác: {others}", "en": "other reports give: {others}"},
    "points": {"vi": "điểm %", "en": "pp"},
    "measure_change_percent": {
        "vi": "{label} (tăng, giảm so với cùng kỳ, %)",
        "en": "{label} (change on a year earlier, %)",
    },
    "measure_other": {"vi": "{label} ({measure})", "en": "{label} ({measure})"},
    "new_name": {"vi": "{name} (mới)", "en": "{name} (new)"},
    "list_sep": {"vi": ", ", "en": ", "},
    # --- province page
    "province_intro": {
        "vi": "{reports}, {periods} có số liệu, từ {first} đến {last}.",
        "en": "{reports}, {periods} with figures, from {first} to {last}.",
    },
    "new_unit_own": {
        "vi": "{province} được thành lập ngày {date} từ {predecessors}. Các kỳ trước ngày đó ghi số liệu "
        "của tỉnh {own} khi đó, dưới tên của tỉnh này; tổng của các đơn vị hợp thành chỉ được ghi "
        "một lần, ở những chỉ tiêu cộng được và mọi đơn vị đều có số liệu.",
        "en": "{province} was formed on {date} from {predecessors}. Periods before that date show the "
        "figures of the then province of {own}, under its own name; the sums of the merged units "
        "are given once, only for the indicators that can be added and where every unit has a figure.",
    },
    "own_figures_note": {
        "vi": "Các kỳ trước ngày {date} ghi số liệu của tỉnh {province} khi đó, dưới tên của tỉnh này "
        "(cột có tên tỉnh trong ngoặc).",
        "en": "Periods before {date} show the figures of the then province of {province}, under its "
        "own name (columns with the province's name in brackets).",
    },
    "sums_heading": {"vi": "Tổng của các đơn vị hợp thành", "en": "Sums of the merged units"},
    "sums_note": {
        "vi": "Trước khi {province} được thành lập: tổng số liệu của {units}, chỉ ở những chỉ tiêu cộng được "
        "và mọi đơn vị đều có số liệu.",
        "en": "Before {province} was formed: the sum of the figures of {units}, only for the indicators "
        "that can be added and where every unit has a figure.",
    },
    "n_report": {"vi": "{n} báo cáo", "en": "{n} report"},
    "n_reports": {"vi": "{n} báo cáo", "en": "{n} reports"},
    "n_period": {"vi": "{n} kỳ", "en": "{n} period"},
    "n_periods": {"vi": "{n} kỳ", "en": "{n} periods"},
    "province_no_reports": {
        "vi": "Chưa có báo cáo nào của {province} trong dữ liệu.",
        "en": "There is no report of {province} in the data yet.",
    },
    "trends": {"vi": "Xu hướng", "en": "Trends"},
    "trends_intro": {
        "vi": "Mỗi đường nối các kỳ cùng loại (các 6 tháng đầu năm với nhau, các năm với "
        "nhau…); số liệu của các kỳ chồng lên nhau không bao giờ được cộng.",
        "en": "Each line joins periods of one kind (first halves with first halves, "
        "years with years…); figures of overlapping periods are never added.",
    },
    "trends_none": {
        "vi": "Chưa có chỉ tiêu nào có số liệu ở hai kỳ cùng loại trở lên: chưa vẽ "
        "được xu hướng. Bảng dưới đây ghi số liệu từng kỳ.",
        "en": "No indicator has figures for two or more periods of one kind yet: no "
        "trend can be drawn. The tables below give each period's figures.",
    },
    "by_period": {"vi": "Số liệu từng kỳ", "en": "Figures by period"},
    "latest_periods": {"vi": "Bảng ghi {n} kỳ gần nhất.", "en": "The table shows the latest {n} periods."},
    "choose_unit": {
        "vi": "Mã {code} ứng với nhiều đơn vị: {units}. Cho tham số `on` (một ngày YYYY-MM-DD) để chọn.",
        "en": "Code {code} names several units: {units}. Set the parameter `on` (a date YYYY-MM-DD) to choose.",
    },
    # --- period page
    "period_intro": {
        "vi": "{n}/{total} đơn vị hành chính cấp tỉnh có báo cáo cho {period} ({units_note}).",
        "en": "{n} of {total} provincial units have a report for {period} ({units_note}).",
    },
    "units_63": {"vi": "63 tỉnh, thành phố trước ngày 01/07/2025", "en": "the 63 units before 1 July 2025"},
    "units_34": {"vi": "34 tỉnh, thành phố từ ngày 01/07/2025", "en": "the 34 units from 1 July 2025"},
    "period_no_reports": {
        "vi": "Chưa có báo cáo nào cho {period} trong dữ liệu.",
        "en": "There is no report for {period} in the data yet.",
    },
    "unknown_province_reports": {
        "vi": "Thêm {n} báo cáo không nêu tên tỉnh: {ids}.",
        "en": "Also {n} reports that name no province: {ids}.",
    },
    "unknown_province": {"vi": "Không rõ tỉnh", "en": "Province not named"},
    "year_earlier_count": {
        "vi": "Cùng kỳ năm trước ({period}): {n} báo cáo.",
        "en": "Reports for the same period a year earlier ({period}): {n}.",
    },
    "map": {"vi": "Bản đồ", "en": "Map"},
    "map_has_report": {"vi": "Tỉnh, thành phố có báo cáo {period}", "en": "Provinces with a report, {period}"},
    "map_indicator": {"vi": "{indicator}, {period}", "en": "{indicator}, {period}"},
    "map_note": {
        "vi": "Ranh giới của {n} đơn vị hành chính cấp tỉnh: {source}. Quần đảo Hoàng Sa "
        "(Đà Nẵng) và Trường Sa (Khánh Hòa) vẽ trong khung riêng.",
        "en": "Boundaries of the {n} provincial units: {source}. The Hoàng Sa (Paracel) and "
        "Trường Sa (Spratly) islands are drawn in insets.",
    },
    "legend_reported": {"vi": "Có báo cáo", "en": "Report"},
    "legend_not_reported": {"vi": "Chưa có báo cáo", "en": "No report"},
    "legend_no_data": {"vi": "Không có số liệu", "en": "No data"},
    "coverage": {"vi": "Ai báo cáo gì", "en": "Who reported what"},
    "coverage_intro": {
        "vi": "Số số liệu mỗi báo cáo nêu cho {period}, theo lĩnh vực ({legend}).",
        "en": "Number of figures each report gives for {period}, by area of work ({legend}).",
    },
    # in a `.no-index` div: the site keeps it out of the search index (a list of names is not about them)
    "not_reported": {
        "vi": "::: {{.no-index}}\nChưa có báo cáo: {names}.\n:::",
        "en": "::: {{.no-index}}\nNo report yet: {names}.\n:::",
    },
    "period_figures": {"vi": "Số liệu các tỉnh theo lĩnh vực", "en": "Provinces' figures by area"},
    "period_figures_intro": {
        "vi": "Với mỗi chỉ tiêu: số tỉnh có số liệu, trung vị, tỉnh cao nhất và "
        "thấp nhất {period}; trung vị cùng kỳ năm trước ({earlier}).",
        "en": "For each indicator: provinces with a figure, median, highest "
        "and lowest for {period}; the median a year earlier "
        "({earlier}).",
    },
    "col_median_earlier": {"vi": "Trung vị năm trước", "en": "Median a year earlier"},
    "ranking_chart": {"vi": "Xếp hạng: {indicator}", "en": "Ranking: {indicator}"},
    "unknown_indicator": {
        "vi": "Chỉ tiêu “{code}” không có trong danh mục.",
        "en": "Indicator “{code}” is not in the catalogue.",
    },
    # --- charts
    "chart_area": {"vi": "{area}: {province}, {period}", "en": "{area}: {province}, {period}"},
    "chart_area_all": {"vi": "{area}: {province}", "en": "{area}: {province}"},
    "axis_value": {"vi": "Giá trị", "en": "Value"},
    "hollow_note": {
        "vi": "Điểm rỗng: số ước lượng, hoặc tổng của các đơn vị trước sáp nhập.",
        "en": "Hollow points: approximate figures, or sums over the units before the merger.",
    },
    "approx_note": {
        "vi": "Sọc chéo: số ước lượng (trên, khoảng, gần, tới).",
        "en": "Hatched: approximate figure (more than, about, almost, up to).",
    },
}


#: Short names of the areas of work for narrow table headers (the usual abbreviations of the sector).
AREA_SHORT = {
    "science": ("QLKH", "Science"),
    "technology": ("CN, ATBX", "Technology"),
    "ip": ("SHTT", "IP"),
    "standards": ("TĐC", "Standards"),
    "inspection": ("Thanh tra", "Inspection"),
    "startup": ("KN ĐMST", "Startups"),
    "finance": ("KH-TC", "Finance"),
}


def area_short(code: str, lang: str, default: str = "") -> str:
    """Return the short name of an area (`TĐC`, `SHTT` / `Standards`), or `default` (else the code)."""
    names = AREA_SHORT.get(code)
    if names is None:
        return default or code
    return names[0] if check_lang(lang) == "vi" else names[1]


def check_lang(lang: Any) -> str:
    """Return `lang` if it is "vi" or "en"; refuses (InputError naming the `lang` field) anything else."""
    if lang not in LANGS:
        raise InputError(f"ngôn ngữ không hỗ trợ: {lang!r} (cần 'vi' hoặc 'en')", column="lang")
    return lang


def _value(v: Any) -> str:
    return str(v) if isinstance(v, Raw) else escape(v)


def t(key: str, lang: str, **values: Any) -> Raw:
    """Return the message `key` in `lang` with `values` put in (each escaped unless `Raw`), as `Raw`.

    Refuses an unknown key (KeyError), an unsupported language (InputError) and a message whose
    placeholders are not all given (KeyError naming the placeholder).
    """
    check_lang(lang)
    template = MESSAGES[key][lang]
    names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
    missing = names - set(values)
    if missing:
        raise KeyError(f"message {key!r} needs {', '.join(sorted(missing))}")
    return Raw(template.format(**{k: _value(v) for k, v in values.items() if k in names}))


def count(n: int, noun: str, lang: str) -> Raw:
    """Return `n` and `noun` ("report", "period") agreeing in number: "1 report", "2 reports",
    "1 báo cáo". Refuses (KeyError) a noun without its `n_<noun>` and `n_<noun>s` messages."""
    return t(f"n_{noun}" if n == 1 else f"n_{noun}s", lang, n=format_number(n, lang=lang))


def pick(lang: str, vi: str, en: str) -> str:
    """Return `vi` or `en` according to `lang`; refuses (InputError) other languages."""
    return vi if check_lang(lang) == "vi" else en


def is_empty(value: Any) -> bool:
    """Return True for a cell left empty: None, "" (or blanks), NaN, and pandas' `NaT`/`NA`.

    `NaT` passes `isinstance(value, date)` but is not a date; every missing value of pandas is the one
    value unequal to itself (or, for `pd.NA`, whose comparison is not a bool)."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(value != value)
    except TypeError:  # pd.NA: `NA != NA` is NA, whose truth value is refused
        return True


def format_date(value: Any, lang: str) -> str:
    """Return an ISO date (`2021-07-23` or a `date`) as `23/07/2021` (vi) or `23 July 2021` (en).

    Empty values (None, "", NaN and pandas' `NaT`, which is a `datetime` whose fields are NaN) give
    "không rõ"/"unknown". Refuses (InputError) text that is not an ISO date.
    """
    check_lang(lang)
    if is_empty(value):
        return str(t("date_unknown", lang))
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value))
        except ValueError:
            raise InputError(f"ngày không đúng dạng YYYY-MM-DD: {value!r}") from None
    return format_day(value, lang)


def meeting_type_label(code: Any, lang: str) -> str:
    """Return the name of a `meeting_type` code (`so_ket` → "sơ kết"); an unknown code as written."""
    check_lang(lang)
    names = _MEETING_TYPES.get(code) if isinstance(code, str) else None
    if names is None:
        return "" if code is None or code != code else str(code)
    return names[0] if lang == "vi" else names[1]


def label_of(row: Any, lang: str, field: str = "label") -> str:
    """Return `row[field + '_vi']` or `row[field + '_en']` of a catalogue row (indicator, area)."""
    return row[f"{field}_{check_lang(lang)}"]


def unit_name(unit: Any, lang: str) -> str:
    """Return a provincial unit's short name in `lang` (`Quảng Ngãi` / `Quang Ngai`)."""
    return unit.label(check_lang(lang))


def unit_full_name(unit: Any, lang: str) -> str:
    """Return a unit's name with its type for running text: `tỉnh Lào Cai`, `thành phố Huế`;
    `Lao Cai province`, `Hue city`."""
    vi, en = UNIT_TYPES.get(unit.type, ("", ""))
    if check_lang(lang) == "vi":
        return f"{vi} {unit.name_vi}".strip()
    return f"{unit.name_en} {en}".strip()
