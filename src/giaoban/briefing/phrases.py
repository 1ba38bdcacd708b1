"""The sentences of a briefing's highlights, task statuses and charts, in Vietnamese and English.

Kept apart from `giaoban.briefing.i18n.MESSAGES` (the words every page shares) because only the briefing says
them; `say` fills them the way `giaoban.briefing.i18n.t` does: values escaped for Markdown unless `Raw`.
"""

from __future__ import annotations

import string
from typing import Any

from giaoban.briefing import i18n
from giaoban.briefing.tables import Raw, escape

__all__ = ["PHRASES", "say", "plain"]

PHRASES: dict[str, dict[str, str]] = {
    "highlights": {"vi": "Điểm nổi bật", "en": "Highlights"},
    "change_up": {
        "vi": "{label}: {current}, tăng {size} so với {role} ({earlier}).",
        "en": "{label}: {current}, up {size} on {role} ({earlier}).",
    },
    "change_down": {
        "vi": "{label}: {current}, giảm {size} so với {role} ({earlier}).",
        "en": "{label}: {current}, down {size} on {role} ({earlier}).",
    },
    "nothing_to_compare": {
        "vi": "Chưa có gì để so sánh: không số liệu nào của {period} có số chính xác ở "
        "cùng kỳ năm trước hoặc kỳ trước.",
        "en": "Nothing to compare yet: no figure of {period} has an exact figure a year "
        "earlier or in the previous period.",
    },
    "no_large_change": {
        "vi": "Trong {n} phép so sánh được với cùng kỳ năm trước hoặc kỳ trước, không thay đổi "
        "nào đủ lớn để nêu (theo quy tắc dưới đây).",
        "en": "Of {n} comparisons with a year earlier or the previous period, none shows a change "
        "large enough to state (by the rule below).",
    },
    "plan_pct": {"vi": "{label}: {value} kế hoạch, {status}.", "en": "{label}: {value} of the plan, {status}."},
    "plan_share": {
        "vi": "{label}: {actual}, bằng {share} kế hoạch {plan}, {status}.",
        "en": "{label}: {actual}, {share} of the planned {plan}, {status}.",
    },
    "plan_reached": {"vi": "đạt kế hoạch", "en": "the plan is reached"},
    "plan_missed": {"vi": "chưa đạt kế hoạch", "en": "the plan is not reached"},
    "standing_top": {
        "vi": "{label}: {value}, thứ {rank}/{n} tỉnh, thành phố có số liệu, trong nhóm một phần năm "
        "cao nhất (trung vị {median}).",
        "en": "{label}: {value}, {rank} of {n} provinces with a figure, in the top fifth (median {median}).",
    },
    "standing_bottom": {
        "vi": "{label}: {value}, thứ {rank}/{n} tỉnh, thành phố có số liệu, trong nhóm một phần "
        "năm thấp nhất (trung vị {median}).",
        "en": "{label}: {value}, {rank} of {n} provinces with a figure, in the bottom fifth (median {median}).",
    },
    "tasks_summary": {
        "vi": "Cuộc họp trước đặt {n} nhiệm vụ trọng tâm cho kỳ này: {counts} (xem mục "
        "*Nhiệm vụ trọng tâm đặt cho kỳ này*).",
        "en": "The last meeting set {n} focus tasks for this period: {counts} (see *Focus tasks set for this period*).",
    },
    "count_reached": {"vi": "{n} đạt", "en": "{n} reached"},
    "count_missed": {"vi": "{n} chưa đạt", "en": "{n} not reached"},
    "count_no_figure": {"vi": "{n} chưa có số liệu", "en": "{n} without a figure yet"},
    "count_not_measurable": {"vi": "{n} không đánh giá bằng số liệu", "en": "{n} not measured by figures"},
    "highlights_rule": {
        "vi": "*Cách chọn:* thay đổi so với cùng kỳ năm trước và kỳ trước chỉ được nêu khi cả hai kỳ có số "
        "chính xác, số của kỳ so sánh từ {base} trở lên (số tiền: từ {money}) và thay đổi từ {pct} "
        "trở lên (tỷ lệ phần trăm: từ {points} điểm); nêu tối đa {changes} thay đổi lớn nhất. Tỷ lệ đạt "
        "kế hoạch: số báo cáo theo % kế hoạch, hoặc số kỳ này so với kế hoạch đặt cho kỳ này. Vị trí: "
        "chỉ tiêu xếp hạng được, khi từ {provinces} tỉnh trở lên có số liệu, nằm trong một phần năm "
        "cao nhất hoặc thấp nhất.",
        "en": "*How these are chosen:* a change on a year earlier or the previous period is stated only when "
        "both figures are exact, the earlier one is at least {base} (money: at least {money}) and the "
        "change at least {pct} (percentages: {points} points); at most the {changes} largest. Share of "
        "the plan: a figure reported as a percentage of the plan, or this period's figure against the "
        "plan set for it. Standing: a rankable indicator in the top or bottom fifth, when at least "
        "{provinces} provinces have a figure.",
    },
    # task statuses
    "status_reached": {"vi": "đạt", "en": "reached (đạt)"},
    "status_missed": {"vi": "chưa đạt", "en": "not reached (chưa đạt)"},
    "status_no_figure": {"vi": "chưa có số liệu", "en": "no figure yet (chưa có số liệu)"},
    "status_not_measurable": {"vi": "không đánh giá bằng số liệu", "en": "not measured by figures"},
    "task_status": {"vi": "Đánh giá: **{status}**", "en": "Status: **{status}**"},
    "task_plan_line": {
        "vi": "{label}: kế hoạch {plan}; thực hiện {actual}{share}",
        "en": "{label}: planned {plan}; done {actual}{share}",
    },
    "task_share": {"vi": "; đạt {share} kế hoạch", "en": "; {share} of the plan"},
    "task_rule": {
        "vi": "*Đánh giá:* một nhiệm vụ gắn với chỉ tiêu có số kế hoạch cho kỳ này là **đạt** khi số "
        "thực hiện bằng hoặc vượt kế hoạch (số báo cáo theo % kế hoạch: từ 100%), **chưa đạt** "
        "khi thấp hơn, **chưa có số liệu** khi kỳ này chưa có số chính xác; nhiệm vụ không gắn "
        "chỉ tiêu có kế hoạch là **không đánh giá bằng số liệu**.",
        "en": "*Status:* a task linked to an indicator with a plan figure for this period is "
        "**reached** when the figure done equals or exceeds the plan (a figure given as a "
        "percentage of the plan: from 100%), **not reached** when it is lower, **no figure "
        "yet** when the period has no exact figure; a task without such an indicator is "
        "**not measured by figures**.",
    },
    # charts
    "chart_periods_title": {
        "vi": "Một chỉ tiêu qua các kỳ: {province}",
        "en": "One indicator across periods: {province}",
    },
    "chart_periods_alt": {
        "vi": "Biểu đồ: mỗi ô là một chỉ tiêu của {province} qua các kỳ. {items}",
        "en": "Chart: each panel is one indicator of {province} across periods. {items}",
    },
    "chart_peers_title": {
        "vi": "{province} giữa các tỉnh, thành phố có số liệu {period}",
        "en": "{province} among the provinces with a figure for {period}",
    },
    "chart_peers_alt": {
        "vi": "Biểu đồ: mỗi dòng là một chỉ tiêu, mỗi chấm một tỉnh có số liệu {period}; vạch đen là "
        "trung vị, chấm cam là {province}. {items}",
        "en": "Chart: one row per indicator, one dot per province with a figure for {period}; the "
        "black mark is the median, the orange dot {province}. {items}",
    },
    "chart_peers_item": {
        "vi": "{label}: {province} {value}, thứ {rank}/{n}, trung vị {median}, thấp nhất {low}, cao nhất {high}.",
        "en": "{label}: {province} {value}, {rank} of {n}, median {median}, lowest {low}, highest {high}.",
    },
    "chart_text": {"vi": "Số liệu của biểu đồ: {text}", "en": "The chart's figures: {text}"},
    "median": {"vi": "trung vị", "en": "median"},
    "charts": {"vi": "Biểu đồ", "en": "Charts"},
    "charts_intro": {
        "vi": "Mỗi biểu đồ so sánh một chỉ tiêu với chính nó: qua các kỳ, hoặc giữa các tỉnh trong cùng kỳ.",
        "en": "Each chart compares one indicator with itself: across periods, or across provinces in the same period.",
    },
    "columns_left_out": {
        "vi": "Không lĩnh vực nào có số liệu của {periods}: bỏ cột này khỏi các bảng.",
        "en": "No area has a figure for {periods}: that column is left out of the tables.",
    },
    # the period's page: the country chapter of a book
    "key_table": {"vi": "Chỉ tiêu chính theo tỉnh", "en": "Key indicators by province"},
    "key_table_intro": {
        "vi": "Các chỉ tiêu so sánh được giữa các tỉnh mà nhiều tỉnh nêu nhất trong {period}; `·`: báo cáo không nêu.",
        "en": "The indicators comparable across provinces that most provinces gave for {period}; "
        "`·`: not in the report.",
    },
    "movements": {"vi": "Biến động lớn nhất", "en": "Largest movements"},
    "movement_up": {
        "vi": "{province}: {label} {value}, tăng {size} so với {period} ({earlier}).",
        "en": "{province}: {label} {value}, up {size} on {period} ({earlier}).",
    },
    "movement_down": {
        "vi": "{province}: {label} {value}, giảm {size} so với {period} ({earlier}).",
        "en": "{province}: {label} {value}, down {size} on {period} ({earlier}).",
    },
    "movements_none": {
        "vi": "Không tỉnh nào có số liệu so sánh được với {period} (cùng đơn vị hành chính, số chính xác, đủ lớn).",
        "en": "No province has a figure that compares with {period} (the same unit, an exact figure, large enough).",
    },
    "movements_rule": {
        "vi": "*Cách chọn:* số của mỗi tỉnh so với chính tỉnh đó {period} (không so qua sáp nhập "
        "2025), theo quy tắc của mục Điểm nổi bật trong bản tin; mỗi tỉnh một số liệu, "
        "thay đổi lớn nhất trước.",
        "en": "*How these are chosen:* each province's figure against its own for {period} (never "
        "across the 2025 merger), by the rule of a briefing's Highlights; one figure a "
        "province, the largest change first.",
    },
    "annex": {"vi": "Phụ lục: bảng đầy đủ, văn bản, nguồn", "en": "Annex: full tables, documents, sources"},
    "annex_intro": {
        "vi": "Mọi số liệu của kỳ theo lĩnh vực, các nhiệm vụ kỳ tới, văn bản được viện dẫn và nguồn của từng số.",
        "en": "Every figure of the period by area, the tasks for the next period, the documents "
        "cited and the source of each figure.",
    },
}


def say(key: str, lang: str, **values: Any) -> Raw:
    """Return the phrase `key` in `lang` with `values` put in (each escaped unless `Raw`). Refuses an
    unknown key (KeyError), an unsupported language (InputError), a missing placeholder (KeyError)."""
    i18n.check_lang(lang)
    template = PHRASES[key][lang]
    names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
    missing = names - set(values)
    if missing:
        raise KeyError(f"phrase {key!r} needs {', '.join(sorted(missing))}")
    return Raw(
        template.format(**{k: (str(v) if isinstance(v, Raw) else escape(v)) for k, v in values.items() if k in names})
    )


def plain(key: str, lang: str, **values: Any) -> str:
    """Return the phrase `key` in `lang` with `values` put in as they are: plain text (a chart's
    text alternative), not Markdown. Refuses what `say` refuses."""
    i18n.check_lang(lang)
    template = PHRASES[key][lang]
    names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
    missing = names - set(values)
    if missing:
        raise KeyError(f"phrase {key!r} needs {', '.join(sorted(missing))}")
    return template.format(**{k: str(v) for k, v in values.items() if k in names})
