"""The words of the site and the books, in Vietnamese and in English."""

from __future__ import annotations

from datetime import date

from giaoban.domain.numbers import format_number
from giaoban.domain.periods import format_day

__all__ = ["WORDS", "word", "count", "format_date", "NAV_EN"]

WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "lang_name": "Tiếng Việt",
        "skip": "Bỏ qua, tới nội dung",
        "home": "Trang chủ",
        "briefings": "Bản tin",
        "provinces": "Tỉnh",
        "periods": "Kỳ báo cáo",
        "data": "Dữ liệu",
        "intro": (
            "Bản tin cho các cuộc họp giao ban, sơ kết, tổng kết của các Sở Khoa học và Công nghệ: "
            "số liệu của kỳ, so sánh với các kỳ trước và với các tỉnh khác, các nhiệm vụ trọng tâm; "
            "mỗi số liệu kèm câu trích từ báo cáo gốc."
        ),
        "search": "Tìm kiếm",
        "search_placeholder": "Tìm tỉnh, kỳ, chỉ tiêu… (gõ không dấu cũng được)",
        "search_offline": (
            "Đang xem từ tệp trên máy: tìm theo tên trang. Để tìm toàn văn, hãy mở trang qua máy chủ (giaoban serve)."
        ),
        "search_none": "Không tìm thấy trang nào.",
        "search_noscript": "Tìm kiếm cần JavaScript.",
        "latest": "Bản tin mới nhất",
        "all_briefings": "Tất cả bản tin",
        "coverage": "Bảng phủ: tỉnh × kỳ báo cáo",
        "coverage_note": "✓: có bản tin (bấm để mở); !: sổ tay chạy lỗi, chưa có bản tin.",
        "province": "Tỉnh",
        "period": "Kỳ",
        "no_briefings": "Chưa có bản tin nào.",
        "meeting": "Cuộc họp",
        "meeting_date": "ngày",
        "download_pdf": "Tải bản PDF",
        "book_pdf": "Sổ tay cả kỳ (PDF)",
        "contents": "Mục lục",
        "sources": "Nguồn gốc bản tin",
        "source_report": "Báo cáo",
        "source_data": "Số liệu",
        "source_data_text": "các bảng dữ liệu của dự án (xem trang Dữ liệu), phiên bản có mã băm",
        "source_notebook": "Sổ tay",
        "source_params": "tham số",
        "source_none": "Chưa có báo cáo nguồn công khai cho tỉnh và kỳ này trong dữ liệu.",
        "published": "đăng ngày",
        "updated": "Cập nhật ngày",
        "briefings_of": "Các bản tin",
        "books": "Sổ tay theo kỳ (PDF)",
        "failed": "sổ tay chạy lỗi",
        "indicators": "Danh mục chỉ tiêu",
        "no_indicators": "Chưa có danh mục chỉ tiêu (data/reference/indicators.csv).",
        "downloads": "Tải dữ liệu (CSV)",
        "rows": "dòng",
        "method": "Số liệu được trích xuất và kiểm tra thế nào",
        "environment": "Môi trường chạy sổ tay",
        "data_hash": "Mã băm dữ liệu",
        "packages": "Gói phần mềm",
        "version": "Phiên bản",
        "jobs": "Các sổ tay đã chạy",
        "page": "Trang",
        "notebook": "Sổ tay",
        "params": "Tham số",
        "status": "Trạng thái",
        "status_ok": "đã chạy",
        "status_cached": "dùng lại bản đã chạy",
        "status_failed": "lỗi",
        "ran_with": "Dữ liệu khi chạy (mã băm)",
        "public_note": "Bản công khai: các báo cáo và số liệu nội bộ không có trên mọi trang, bản PDF và tệp tải về.",
        "code": "Mã",
        "area": "Lĩnh vực",
        "label": "Tên chỉ tiêu",
        "unit": "Đơn vị",
        "value_type": "Kiểu",
        "summable_provinces": "Cộng được giữa các tỉnh",
        "summable_periods": "Cộng được giữa các kỳ",
        "rankable": "Xếp hạng được",
        "max_value": "Giá trị tối đa",
        "description": "Mô tả",
        "yes": "có",
        "no": "không",
        "cover_kicker": "Sổ tay giao ban",
        "cover_book": "Sổ tay giao ban cả kỳ",
        "cover_built": "Ngày lập",
        "cover_data_until": "Số liệu tính đến",
        "cover_provinces": "Gồm các tỉnh",
        "country": "Cả nước",
        "made_with": "Dựng bằng giaoban",
        "menu": "Danh mục",
        "search_short": "Tìm tỉnh, kỳ, chỉ tiêu…",
        "notfound": "Không tìm thấy trang",
        "notfound_text": "Địa chỉ này không có trang nào. Có thể trang đã được đổi tên hoặc chưa được dựng.",
        "notfound_home": "Về trang chủ",
        "desc_briefing": "Bản tin khoa học và công nghệ của {province}, {period}: số liệu của kỳ, so sánh, nhiệm vụ trọng tâm; mỗi số liệu kèm câu trích từ báo cáo gốc.",
        "desc_province": "{province} qua các kỳ báo cáo: số liệu khoa học và công nghệ từng kỳ, kèm nguồn.",
        "desc_period": "{period}: số liệu khoa học và công nghệ của các tỉnh trong kỳ, kèm nguồn.",
        "desc_source": "Nguyên văn báo cáo “{title}”, từng dòng đánh số, các câu được trích được tô sáng.",
        "desc_data": "Tải các bảng dữ liệu (CSV), danh mục chỉ tiêu và cách trích xuất, kiểm tra số liệu.",
        "desc_briefings": "Tất cả bản tin giao ban khoa học và công nghệ, theo kỳ báo cáo.",
        "desc_provinces": "Các tỉnh có bản tin giao ban khoa học và công nghệ.",
        "desc_periods": "Các kỳ báo cáo có bản tin giao ban khoa học và công nghệ.",
        "desc_notfound": "Không tìm thấy trang.",
        "source_intro": "Nguyên văn báo cáo, lưu không sửa đổi trong tệp",
        "source_marks": "Các đoạn được tô sáng là câu trích của số liệu, nhiệm vụ và văn bản lấy từ báo cáo này; số dòng dẫn tới đúng dòng.",
        "source_back": "Các trang dùng báo cáo này",
        "source_original": "Trang gốc",
        "unit_briefing": "bản tin|bản tin",
        "unit_report": "báo cáo|báo cáo",
        "type_count": "số đếm",
        "type_money": "tiền (đồng)",
        "type_percent": "phần trăm",
        "catalogue_note": "Mỗi chỉ tiêu kèm mã (dùng trong các bảng CSV); các bảng xếp theo lĩnh vực.",
    },
    "en": {
        "site_title": "Provincial S&T briefings, Vietnam",
        "lang_name": "English",
        "skip": "Skip to content",
        "home": "Home",
        "briefings": "Briefings",
        "provinces": "Provinces",
        "periods": "Periods",
        "data": "Data",
        "intro": (
            "Briefings for the meetings of Vietnam's provincial Departments of Science and Technology: "
            "the figures of the period, compared with earlier periods and with other provinces, and the "
            "focus tasks ahead; every figure with the report sentence it came from."
        ),
        "search": "Search",
        "search_placeholder": "Search provinces, periods, indicators… (diacritics optional)",
        "search_offline": (
            "Viewing from files: searching page titles only. For full-text search, "
            "open the site through a server (giaoban serve)."
        ),
        "search_none": "No page found.",
        "search_noscript": "Search needs JavaScript.",
        "latest": "Latest briefings",
        "all_briefings": "All briefings",
        "coverage": "Coverage: province × period",
        "coverage_note": "✓: a briefing exists (click to open); !: the notebook failed, no briefing yet.",
        "province": "Province",
        "period": "Period",
        "no_briefings": "No briefings yet.",
        "meeting": "Meeting",
        "meeting_date": "on",
        "download_pdf": "Download the PDF",
        "book_pdf": "Book of the period (PDF)",
        "contents": "Contents",
        "sources": "Provenance",
        "source_report": "Report",
        "source_data": "Data",
        "source_data_text": "the project's data tables (see the Data page), the version with data hash",
        "source_notebook": "Notebook",
        "source_params": "parameters",
        "source_none": "The data hold no public source report for this province and period.",
        "published": "published",
        "updated": "Updated on",
        "briefings_of": "Briefings",
        "books": "Books by period (PDF)",
        "failed": "notebook failed",
        "indicators": "Indicator catalogue",
        "no_indicators": "No indicator catalogue yet (data/reference/indicators.csv).",
        "downloads": "Download the data (CSV)",
        "rows": "rows",
        "method": "How figures are extracted and checked",
        "environment": "What the notebooks ran with",
        "data_hash": "Data hash",
        "packages": "Packages",
        "version": "Version",
        "jobs": "Executed notebooks",
        "page": "Page",
        "notebook": "Notebook",
        "params": "Parameters",
        "status": "Status",
        "status_ok": "executed",
        "status_cached": "reused",
        "status_failed": "failed",
        "ran_with": "Data when run (hash)",
        "public_note": "Public edition: internal reports and figures are left out of every page, PDF and download.",
        "code": "Code",
        "area": "Area",
        "label": "Indicator",
        "unit": "Unit",
        "value_type": "Type",
        "summable_provinces": "Summable across provinces",
        "summable_periods": "Summable across periods",
        "rankable": "Rankable",
        "max_value": "Maximum",
        "description": "Description (Vietnamese)",
        "yes": "yes",
        "no": "no",
        "cover_kicker": "Briefing book",
        "cover_book": "Briefing book of the period",
        "cover_built": "Made on",
        "cover_data_until": "Figures up to",
        "cover_provinces": "Provinces",
        "country": "The whole country",
        "made_with": "Built with giaoban",
        "menu": "Menu",
        "search_short": "Search provinces, periods…",
        "notfound": "Page not found",
        "notfound_text": "There is no page at this address. It may have been renamed or not built yet.",
        "notfound_home": "Go to the home page",
        "desc_briefing": "Science and technology briefing of {province}, {period}: the period's figures, comparisons and focus tasks, each figure with the sentence of the report it came from.",
        "desc_province": "{province} over its reporting periods: science and technology figures of each period, with sources.",
        "desc_period": "{period}: the provinces' science and technology figures of the period, with sources.",
        "desc_source": "The verbatim text of the report “{title}”, every line numbered, the quoted sentences highlighted.",
        "desc_data": "Download the data tables (CSV), the indicator catalogue and how figures are extracted and checked.",
        "desc_briefings": "All science and technology briefings, by reporting period.",
        "desc_provinces": "The provinces with science and technology briefings.",
        "desc_periods": "The reporting periods with science and technology briefings.",
        "desc_notfound": "Page not found.",
        "source_intro": "The report's verbatim text, kept unchanged in the file",
        "source_marks": "Highlighted passages are the quotes of the figures, tasks and documents taken from this report; each line number links to its line.",
        "source_back": "Pages that use this report",
        "source_original": "Original page",
        "unit_briefing": "briefing|briefings",
        "unit_report": "report|reports",
        "type_count": "count",
        "type_money": "money (đồng)",
        "type_percent": "percent",
        "catalogue_note": "Each indicator with its code (as in the CSV tables); tables by area.",
    },
}

#: English navbar labels by target page, used on English pages (the config's texts are Vietnamese).
NAV_EN = {
    "index.html": "Home",
    "briefings/index.html": "Briefings",
    "provinces/index.html": "Provinces",
    "periods/index.html": "Periods",
    "data.html": "Data",
}


def word(lang: str, key: str) -> str:
    """Return the UI text `key` in `lang` (Vietnamese when `lang` is unknown)."""
    return WORDS.get(lang, WORDS["vi"])[key]


def count(n: int, lang: str, noun: str) -> str:
    """Return `n` and the noun `noun` ("briefing", "report") agreeing in number: "1 report",
    "2 reports"; Vietnamese nouns do not change ("1 báo cáo", "2 báo cáo"). Refuses (KeyError) an
    unknown noun."""
    one, many = word(lang, f"unit_{noun}").split("|")
    return f"{format_number(n, lang=lang)} {one if n == 1 else many}"


def format_date(d: date | None, lang: str) -> str:
    """Return `d` as `23/07/2021` (vi) or `23 July 2021` (en); empty for None."""
    if d is None:
        return ""
    return format_day(d, lang)
