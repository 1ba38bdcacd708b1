"""The words of the site and the books, in Vietnamese and in English."""

from __future__ import annotations

from datetime import date

__all__ = ["WORDS", "word", "format_date", "NAV_EN"]

WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "lang_name": "Tiếng Việt",
        "skip": "Bỏ qua, tới nội dung",
        "home": "Trang chủ",
        "briefings": "Bản tin",
        "provinces": "Tỉnh",
        "periods": "Kỳ báo cáo",
        "data": "Dữ liệu",
        "intro": ("Bản tin cho các cuộc họp giao ban, sơ kết, tổng kết của các Sở Khoa học và Công nghệ: "
                  "số liệu của kỳ, so sánh với các kỳ trước và với các tỉnh khác, các nhiệm vụ trọng tâm; "
                  "mỗi số liệu kèm câu trích từ báo cáo gốc."),
        "search": "Tìm kiếm",
        "search_placeholder": "Tìm tỉnh, kỳ, chỉ tiêu… (gõ không dấu cũng được)",
        "search_offline": ("Đang xem từ tệp trên máy: tìm theo tên trang. Để tìm toàn văn, "
                           "hãy mở trang qua máy chủ (giaoban serve)."),
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
        "updated": "Dữ liệu lập ngày",
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
        "cover_provinces": "Gồm các tỉnh",
        "made_with": "Dựng bằng giaoban",
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
        "intro": ("Briefings for the meetings of Vietnam's provincial Departments of Science and Technology: "
                  "the figures of the period, compared with earlier periods and with other provinces, and the "
                  "focus tasks ahead; every figure with the report sentence it came from."),
        "search": "Search",
        "search_placeholder": "Search provinces, periods, indicators… (diacritics optional)",
        "search_offline": ("Viewing from files: searching page titles only. For full-text search, "
                           "open the site through a server (giaoban serve)."),
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
        "updated": "Data as of",
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
        "cover_built": "Built on",
        "cover_provinces": "Provinces",
        "made_with": "Built with giaoban",
    },
}

#: English navbar labels by target page, used on English pages (the config's texts are Vietnamese).
NAV_EN = {"index.html": "Home", "briefings/index.html": "Briefings", "provinces/index.html": "Provinces",
          "periods/index.html": "Periods", "data.html": "Data"}

_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December")


def word(lang: str, key: str) -> str:
    """Return the UI text `key` in `lang` (Vietnamese when `lang` is unknown)."""
    return WORDS.get(lang, WORDS["vi"])[key]


def format_date(d: date | None, lang: str) -> str:
    """Return `d` as `23/07/2021` (vi) or `23 July 2021` (en); empty for None."""
    if d is None:
        return ""
    if lang == "en":
        return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"
    return f"{d.day:02d}/{d.month:02d}/{d.year}"
