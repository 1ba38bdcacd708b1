"""Checks across rows and tables: keys, references between tables, dates against periods, figures
against their indicator and their source text.

Each function takes tables that `schemas.check_columns` has checked and skips a cell that check
reported (an invalid period, date or number), so that one mistake gives one problem.

Quotes (and focus-task texts) must be verbatim: a quote is looked for in the source text after both
are put in NFC, and nothing else: whitespace is **not** collapsed, because `data/README.md` asks for
the text's own spaces (no-break spaces U+00A0 included) and the extractor's offsets point into that
exact text. When a quote matches only once runs of whitespace are collapsed, the message says so.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from giaoban.errors import InputError
from giaoban.domain.indicators import VALUE_TYPES, Area, Catalogue, Indicator
from giaoban.domain.periods import Period
from giaoban.domain.provinces import Province, Provinces
from giaoban.domain.text import nfc, slugify
from giaoban.data.validation.problems import WARNING, Problem
from giaoban.data.validation.reading import Table
from giaoban.data.validation.schemas import parse_date, parse_period, parse_value

__all__ = [
    "ReportInfo",
    "find_quote",
    "written_values",
    "catalogue_rows",
    "check_reports",
    "check_observations",
    "check_focus_tasks",
    "check_legal_refs",
    "DOC_TYPES",
    "SYNTHETIC_MARKER",
    "SYNTHETIC_PREFIX",
]

#: Types of legal documents seen so far; another type is a warning (a new type, or a typo).
DOC_TYPES = (
    "Quyết định",
    "Kế hoạch",
    "Nghị quyết",
    "Chỉ thị",
    "Chương trình hành động",
    "Kết luận",
    "QCVN",
    "Luật",
    "Nghị định",
    "Thông tư",
    "Công văn",
    "Chương trình",
    "Đề án",
)

#: Synthetic data (benchmarks/synthetic.py) live in a folder with this file; their report ids, and
#: only theirs, start with SYNTHETIC_PREFIX.
SYNTHETIC_MARKER = "SYNTHETIC.md"
SYNTHETIC_PREFIX = "synthetic-"

_WS = re.compile(r"\s+")


def _fmt(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def find_quote(source: str, quote: str) -> int:
    """Return the offset of `quote` in `source`, both in NFC, or -1 when it is not a substring.

    Whitespace is compared exactly (see the module docstring).
    """
    return nfc(source).find(nfc(quote))


def _not_found(source: str, quote: str, file: str, what: str) -> str:
    """The message for a quote that is not in its source: how far it matches, and whitespace hints."""
    source, quote = nfc(source), nfc(quote)
    if _WS.sub(" ", quote).strip() in _WS.sub(" ", source):
        return (
            f"{what} không có nguyên văn trong {file}: chỉ khớp khi bỏ qua khác biệt khoảng trắng; "
            f"cần giữ đúng khoảng trắng của văn bản (kể cả dấu cách không ngắt U+00A0, xuống dòng)"
        )
    lo, hi = 0, len(quote)  # the longest prefix of the quote found in the source
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if quote[:mid] in source:
            lo = mid
        else:
            hi = mid - 1
    if lo < 3:
        return f"{what} không có trong văn bản nguồn {file} (so sánh sau khi chuẩn hoá NFC): cần trích nguyên văn"
    after = quote[lo : lo + 20]
    return (
        f"{what} không có nguyên văn trong văn bản nguồn {file} (so sánh sau khi chuẩn hoá NFC): "
        f"khớp {lo} ký tự đầu, khác từ “{after}”"
    )


# ----------------------------------------------------------------------------------- catalogue


def _dupes(table: Table, key: tuple[str, ...], problems: list[Problem], column: str, what: str) -> set[int]:
    """Report every row whose `key` repeats an earlier row's; return their lines."""
    repeated: set[int] = set()
    if not table.has(*key):
        return repeated
    keys = table.frame[list(key)].dropna()
    involved = keys[keys.duplicated(keep=False)]  # only these rows need a look
    seen: dict[tuple, int] = {}
    for line, values in zip(involved.index, involved.itertuples(index=False, name=None)):
        if values in seen:
            shown = ", ".join(f"{k}={v}" for k, v in zip(key, values)) if len(key) > 1 else values[0]
            problems.append(Problem(table.shown, line, column, f"{what} trùng với dòng {seen[values]} ({shown})"))
            repeated.add(line)
        else:
            seen[values] = line
    return repeated


def catalogue_rows(areas: Table | None, indicators: Table | None, problems: list[Problem]) -> Catalogue | None:
    """Check the catalogue across rows and return it (rows with a problem left out), or None when a
    table is unreadable. Refuses: repeated codes or orders, an indicator whose code does not start with
    its area, a percentage that is summable, a `max_value` on anything but a percentage."""
    if areas is None or indicators is None or areas.missing or indicators.missing:
        return None
    bad = _dupes(areas, ("code",), problems, "code", "mã lĩnh vực")
    bad |= _dupes(areas, ("order",), problems, "order", "thứ tự lĩnh vực")
    area_list = []
    for line, r in areas.rows():
        if line in bad or any(v is None for v in r.values()) or not str(r["order"]).isdigit():
            continue
        area_list.append(Area(r["code"], int(r["order"]), r["label_vi"], r["label_en"]))
    known_areas = {a.code for a in area_list}

    bad = _dupes(indicators, ("code",), problems, "code", "mã chỉ tiêu")
    items = []
    for line, r in indicators.rows():
        code, area, vtype = r["code"], r["area"], r["value_type"]
        if code and area and "." in code and code.split(".", 1)[0] != area:
            problems.append(
                Problem(
                    indicators.shown,
                    line,
                    "area",
                    f"lĩnh vực “{area}” khác phần đầu của mã “{code}”: cần {code.split('.', 1)[0]}",
                )
            )
            bad.add(line)
        if vtype == "percent":
            for column in ("summable_provinces", "summable_periods"):
                if r[column] == "true":
                    problems.append(
                        Problem(
                            indicators.shown,
                            line,
                            column,
                            "tỷ lệ phần trăm không cộng được: cần false cho chỉ tiêu có value_type percent",
                        )
                    )
                    bad.add(line)
        if r["max_value"] is not None and vtype in ("count", "money"):
            problems.append(
                Problem(
                    indicators.shown,
                    line,
                    "max_value",
                    f"max_value chỉ dành cho tỷ lệ (value_type percent), không cho {vtype}: để trống",
                )
            )
            bad.add(line)
        required = (
            "code",
            "area",
            "label_vi",
            "label_en",
            "unit_vi",
            "unit_en",
            "value_type",
            "summable_provinces",
            "summable_periods",
            "rankable",
        )
        if line in bad or any(r[c] is None for c in required) or area not in known_areas:
            continue
        bools = [r[c] for c in ("summable_provinces", "summable_periods", "rankable")]
        if any(b not in ("true", "false") for b in bools) or vtype not in VALUE_TYPES:
            continue
        max_value = parse_value(r["max_value"]) if r["max_value"] is not None else None
        if r["max_value"] is not None and (max_value is None or max_value < 0):
            continue
        items.append(
            Indicator(
                code,
                area,
                r["label_vi"],
                r["label_en"],
                r["unit_vi"],
                r["unit_en"],
                vtype,
                bools[0] == "true",
                bools[1] == "true",
                bools[2] == "true",
                max_value,
                r["description_vi"],
            )
        )
    return Catalogue(items, area_list)


# ----------------------------------------------------------------------------------- reports


@dataclass
class ReportInfo:
    """What the other tables need to know about one valid-enough report."""

    line: int
    period: Period | None
    province: Province | None
    meeting_date: date | None
    meeting_date_status: str | None
    published_date: date | None
    source_file: str | None
    text: str | None


def _report_id_problem(
    report_id: str, code: str | None, period: Period, unit: Province | None, registry: Provinces | None, prefix: str
) -> tuple[str, str] | None:
    """(column, message) when `report_id` is not `<prefix><province-slug>-<period>` (optionally `-<suffix>`)."""
    name = slugify(unit.name_vi) if unit is not None else "unknown"
    expected = f"{prefix}{name}-{period.code.lower()}"
    if report_id == expected or report_id.startswith(expected + "-"):
        return None
    if not prefix and report_id.startswith(SYNTHETIC_PREFIX):
        return (
            "report_id",
            f"report_id “{report_id}” là dữ liệu giả lập: chỉ được có trong thư mục giả lập "
            f"(có tệp {SYNTHETIC_MARKER}), không trong dữ liệu thật",
        )
    if unit is not None and registry is not None:
        said = report_id.removeprefix(prefix).removesuffix(f"-{period.code.lower()}")
        others = [p for p in registry if p.code == code and slugify(p.name_vi) == said and p != unit]
        if others:
            other = others[0]
            return (
                "province",
                f"mã tỉnh {code} trong kỳ {period.code} là {unit.name_vi} "
                f"({unit.validity_vi()}), không phải {other.name_vi} như report_id “{report_id}” ghi: "
                f"{other.name_vi} mang mã {code} {other.validity_vi()}",
            )
    what = "tỉnh và kỳ" if unit is not None else "kỳ (báo cáo không rõ tỉnh)"
    form = f"{prefix}<tỉnh>-<kỳ>" + (f", vì thư mục có {SYNTHETIC_MARKER}" if prefix else "")
    return ("report_id", f"report_id “{report_id}” không khớp {what}: cần “{expected}” ({form}; có thể thêm -<hậu tố>)")


def check_reports(
    reports: Table | None,
    registry: Provinces | None,
    sources: dict[str, str],
    problems: list[Problem],
    synthetic: bool = False,
) -> dict[str, ReportInfo]:
    """Check reports across columns and rows; return the reports others may refer to, by id.

    Refuses: a repeated report_id; a province not in force at the end of the period; a report_id
    that is not `<province-slug>-<period>` (`unknown-<period>` without province), optionally
    followed by `-<suffix>` and, in a `synthetic` folder (SYNTHETIC.md, as benchmarks/synthetic.py
    writes), preceded by `synthetic-`, which real data never have; a meeting date the period cannot
    be reviewed on (only a warning when `meeting_date_status` is `as_written`); a status without a
    date or a date without a status; a page published before its meeting. Warns: `as_written` for a
    date that fits the period, two reports on one source file.
    """
    infos: dict[str, ReportInfo] = {}
    if reports is None:
        return infos
    shown = reports.shown
    repeated = _dupes(reports, ("report_id",), problems, "report_id", "report_id")
    used: dict[str, int] = {}
    codes = {p.code for p in registry} if registry is not None else set()
    for line, r in reports.rows():
        report_id = r.get("report_id")
        period = parse_period(r.get("period") or "")
        code = r.get("province")
        unit: Province | None = None
        if code in codes and period is not None:
            try:
                unit = registry.get(code, on=period)
            except InputError as error:
                problems.append(
                    Problem(
                        shown,
                        line,
                        "province",
                        f"{error.detail}: cần mã của đơn vị có hiệu lực vào ngày cuối của kỳ {period.code}",
                    )
                )
        if report_id is not None and period is not None and (code is None or unit is not None):
            found = _report_id_problem(report_id, code, period, unit, registry, SYNTHETIC_PREFIX if synthetic else "")
            if found:
                problems.append(Problem(shown, line, *found))

        meeting = parse_date(r.get("meeting_date") or "")
        status = r.get("meeting_date_status")
        if r.get("meeting_date") is not None and status is None and reports.has("meeting_date_status"):
            problems.append(
                Problem(
                    shown,
                    line,
                    "meeting_date_status",
                    "ô trống: có meeting_date thì cần meeting_date_status (stated hoặc as_written)",
                )
            )
        if r.get("meeting_date") is None and status is not None:
            problems.append(
                Problem(
                    shown,
                    line,
                    "meeting_date_status",
                    f"“{status}” nhưng meeting_date trống: để trống khi văn bản không nêu ngày họp",
                )
            )
        if meeting is not None and period is not None and status in ("stated", "as_written", None):
            fits = period.is_reviewable_on(meeting)
            if not fits:
                first, last = _review_window(period)
                message = (
                    f"ngày họp {_fmt(meeting)} mâu thuẫn với kỳ {period.code}: cuộc họp xem xét kỳ này phải "
                    f"trong khoảng {_fmt(first)}–{_fmt(last)}"
                )
                if status == "as_written":
                    problems.append(
                        Problem(
                            shown,
                            line,
                            "meeting_date",
                            message + "; dữ liệu giữ ngày như văn bản viết (meeting_date_status = as_written)",
                            WARNING,
                        )
                    )
                else:
                    problems.append(
                        Problem(
                            shown,
                            line,
                            "meeting_date",
                            message + "; nếu văn bản viết đúng như vậy, ghi meeting_date_status = as_written",
                        )
                    )
            elif status == "as_written":
                problems.append(
                    Problem(
                        shown,
                        line,
                        "meeting_date_status",
                        f"as_written dành cho ngày mâu thuẫn "
                        f"với kỳ, nhưng {_fmt(meeting)} hợp với kỳ {period.code}: cần stated",
                        WARNING,
                    )
                )
        published = parse_date(r.get("published_date") or "")
        if published is not None and meeting is not None and status != "as_written" and published < meeting:
            problems.append(
                Problem(
                    shown,
                    line,
                    "published_date",
                    f"ngày đăng {_fmt(published)} trước ngày họp {_fmt(meeting)}: cần ngày đăng từ ngày họp trở đi",
                )
            )

        source = r.get("source_file")
        if source is not None and source in sources:
            if source in used:
                problems.append(
                    Problem(
                        shown,
                        line,
                        "source_file",
                        f"văn bản nguồn “{source}” đã dùng cho báo cáo ở dòng {used[source]}",
                        WARNING,
                    )
                )
            used.setdefault(source, line)
        if report_id is not None and line not in repeated:
            infos[report_id] = ReportInfo(
                line, period, unit, meeting, status, published, source, sources.get(source) if source else None
            )
    return infos


def _review_window(period: Period) -> tuple[date, date]:
    """First and last day on which `period` is reviewable, found from `Period.is_reviewable_on` itself
    (true on one interval of days after the period ends), so the message follows its rule."""
    first = period.end + timedelta(days=1)
    lo, hi = 0, 20 * 366  # days after `first`: lo reviewable, hi not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if period.is_reviewable_on(first + timedelta(days=mid)):
            lo = mid
        else:
            hi = mid
    return first, first + timedelta(days=lo)


def _report_of(
    table: Table,
    line: int,
    report_id: str | None,
    infos: dict[str, ReportInfo],
    known_ids: set[str] | None,
    problems: list[Problem],
) -> ReportInfo | None:
    """The report a row refers to; reports (error) an id that is not in reports.csv (no check when
    `known_ids` is None: reports.csv could not be read)."""
    if report_id is None or known_ids is None:
        return None
    if report_id not in known_ids:
        problems.append(
            Problem(
                table.shown,
                line,
                "report_id",
                f"báo cáo “{report_id}” không có trong reports.csv: cần một report_id của reports.csv",
            )
        )
        return None
    return infos.get(report_id)


def _verbatim(
    table: Table, line: int, column: str, value: str | None, info: ReportInfo | None, what: str, problems: list[Problem]
) -> bool:
    """Report (error) a `value` that is not a substring of its report's source; True when found."""
    if value is None or info is None or info.text is None:
        return False
    if info.text.find(value if unicodedata.is_normalized("NFC", value) else nfc(value)) >= 0:  # text is NFC
        return True
    problems.append(Problem(table.shown, line, column, _not_found(info.text, value, info.source_file, what)))
    return False


# ----------------------------------------------------------------------------------- observations

# A number as written in a report: `1.287`, `12.486`, `99,88`, `01`; then an optional scale word.
_WRITTEN = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?)(?![\d])"
    r"(?:\s*(nghìn tỷ|ngàn tỷ|nghìn|ngàn|triệu|tỷ|tỉ)(?!\w))?"
)
_SCALES = {
    "nghìn": 10**3,
    "ngàn": 10**3,
    "triệu": 10**6,
    "tỷ": 10**9,
    "tỉ": 10**9,
    "nghìn tỷ": 10**12,
    "ngàn tỷ": 10**12,
}


def written_values(quote: str) -> list[float]:
    """Return every number written the Vietnamese way in `quote` (`1.287` → 1287, `99,88` → 99.88,
    `12.486 triệu` → 12486000000 and 12486)."""
    values = []
    for m in _WRITTEN.finditer(nfc(quote)):
        number = float(m[1].replace(".", "").replace(",", "."))
        values.append(number)
        if m[2]:
            values.append(number * _SCALES[m[2].lower()])
    return values


def _related(obs: Period, report: Period, kind: str) -> bool:
    """Whether a figure of period `obs` belongs in a report of period `report` (see check_observations)."""
    if obs.overlaps(report):
        return True
    if kind == "actual":
        try:
            return obs.overlaps(report.year_earlier())
        except InputError:
            return False
    return report.end < obs.start and obs.start.year <= report.end.year + 1


def check_observations(
    obs: Table | None,
    infos: dict[str, ReportInfo],
    known_ids: set[str] | None,
    catalogue: Catalogue | None,
    problems: list[Problem],
) -> None:
    """Check figures across columns and tables.

    Refuses: an unknown report_id, a repeated (report_id, indicator, period, kind, measure), a value
    that its indicator forbids (a fraction of a count or of a đồng; a negative value except for
    `change_percent`; more than `max_value` for a `level`), a `*_pct_plan` indicator with another
    measure or `percent_of_plan` on a non-percentage, money in a unit other than `đồng`, a ratio
    whose value exceeds its denominator, a quote that is not verbatim in the source.
    Warns: a percentage whose unit is not `%`, a value (or denominator) not written in the quote, a
    period unrelated to the report's: an actual figure of neither the report's period (overlapping)
    nor the same period a year earlier, a plan for a period that is over or more than a year ahead.
    """
    if obs is None:
        return
    shown = obs.shown
    _dupes(obs, ("report_id", "indicator", "period", "kind", "measure"), problems, "indicator", "số liệu")
    for line, r in obs.rows():
        info = _report_of(obs, line, r.get("report_id"), infos, known_ids, problems)
        indicator = catalogue.get(r.get("indicator")) if catalogue is not None and r.get("indicator") else None
        raw = r.get("value")
        value = parse_value(raw) if raw is not None else None
        measure, kind = r.get("measure"), r.get("kind")
        before = len(problems)
        if value is not None and value < 0 and measure != "change_percent":
            problems.append(
                Problem(
                    shown,
                    line,
                    "value",
                    f"giá trị âm “{raw}”: cần số không âm (chỉ measure "
                    f"change_percent, tăng giảm so với cùng kỳ, mới được âm)",
                )
            )
        if indicator is not None:
            _check_value(shown, line, r, raw, value, indicator, measure, problems)
        denominator = r.get("denominator")
        if value is not None and denominator is not None and denominator.isdigit() and value > int(denominator):
            problems.append(
                Problem(
                    shown,
                    line,
                    "value",
                    f"tử số {raw} lớn hơn mẫu số {denominator}: cần "
                    f"value ≤ denominator (13/14 → value 13, denominator 14)",
                )
            )
        value_wrong = any(p.column == "value" for p in problems[before:])  # then no warning about it
        quote = r.get("quote")
        if _verbatim(obs, line, "quote", quote, info, "trích dẫn", problems) and value is not None and not value_wrong:
            written = written_values(quote)
            if not any(math.isclose(abs(value), w, rel_tol=1e-9, abs_tol=1e-9) for w in written):
                problems.append(
                    Problem(
                        shown,
                        line,
                        "value",
                        f"không thấy giá trị {raw} trong trích dẫn (viết kiểu "
                        f"Việt Nam như 1.287, 99,88, 12.486 triệu): trích dẫn cần chứa con số",
                        WARNING,
                    )
                )
            elif denominator is not None and denominator.isdigit() and int(denominator) not in written:
                problems.append(
                    Problem(shown, line, "denominator", f"không thấy mẫu số {denominator} trong trích dẫn", WARNING)
                )
        period = parse_period(r.get("period") or "")
        if (
            info is not None
            and info.period is not None
            and period is not None
            and kind in ("actual", "plan")
            and not _related(period, info.period, kind)
        ):
            if kind == "actual":
                why = "số liệu thực hiện (actual) cần thuộc kỳ của báo cáo hoặc cùng kỳ năm trước"
            else:
                why = "kế hoạch (plan) cần cho kỳ của báo cáo hoặc một kỳ trong năm tiếp theo"
            problems.append(
                Problem(
                    shown,
                    line,
                    "period",
                    f"kỳ {period.code} không liên quan đến kỳ {info.period.code} của báo cáo: {why}",
                    WARNING,
                )
            )


def _check_value(
    shown: str,
    line: int,
    r: dict,
    raw: str | None,
    value: float | None,
    indicator: Indicator,
    measure: str | None,
    problems: list[Problem],
) -> None:
    """The checks of one figure against its indicator (see check_observations)."""
    code, vtype = indicator.code, indicator.value_type
    if code.endswith("_pct_plan") and measure is not None and measure != "percent_of_plan":
        problems.append(
            Problem(
                shown,
                line,
                "measure",
                f"chỉ tiêu {code} là tỷ lệ so với kế hoạch: cần measure percent_of_plan, không phải {measure}",
            )
        )
    if measure == "percent_of_plan" and vtype != "percent":
        problems.append(
            Problem(
                shown, line, "measure", f"percent_of_plan cần chỉ tiêu tỷ lệ (…_pct_plan), {code} có value_type {vtype}"
            )
        )
    level = measure == "level"
    if value is not None and level and vtype in ("count", "money") and value != int(value):
        what = "số đếm (count)" if vtype == "count" else "số tiền tính bằng đồng (money)"
        hint = ""
        if raw and re.fullmatch(r"\d{1,3}\.\d{3}", raw):
            hint = f"; nếu văn bản viết {raw} theo kiểu Việt Nam (hàng nghìn) thì ghi {raw.replace('.', '')}"
        problems.append(
            Problem(shown, line, "value", f"chỉ tiêu {code} là {what}: cần số nguyên, không phải {raw}{hint}")
        )
    if value is not None and level and indicator.max_value is not None and value > indicator.max_value:
        problems.append(
            Problem(
                shown,
                line,
                "value",
                f"giá trị {raw} vượt quá {indicator.max_value:g}, giá trị lớn "
                f"nhất có thể của chỉ tiêu {code} ({indicator.label_vi})",
            )
        )
    unit = r.get("unit")
    if unit is not None and level and vtype == "money" and unit != "đồng":
        problems.append(
            Problem(
                shown,
                line,
                "unit",
                f"số tiền luôn ghi bằng đồng: cần unit “đồng”, không phải "
                f"“{unit}” (đổi giá trị ra đồng: 11.497 triệu đồng → 11497000000)",
            )
        )
    percent = vtype == "percent" or measure in ("percent_of_plan", "change_percent")
    if unit is not None and percent and unit != "%":
        problems.append(Problem(shown, line, "unit", f"tỷ lệ phần trăm: cần unit “%”, không phải “{unit}”", WARNING))


# ----------------------------------------------------------------------------------- focus tasks, legal refs


def check_focus_tasks(
    tasks: Table | None, infos: dict[str, ReportInfo], known_ids: set[str] | None, problems: list[Problem]
) -> None:
    """Check focus tasks across tables. Refuses: an unknown report_id, a repeated (report_id,
    for_period, ordinal), a `for_period` that does not start after the report's period ends, a text
    that is not verbatim in the source."""
    if tasks is None:
        return
    _dupes(tasks, ("report_id", "for_period", "ordinal"), problems, "ordinal", "nhiệm vụ")
    for line, r in tasks.rows():
        info = _report_of(tasks, line, r.get("report_id"), infos, known_ids, problems)
        period = parse_period(r.get("for_period") or "")
        if info is not None and info.period is not None and period is not None and period.start <= info.period.end:
            problems.append(
                Problem(
                    tasks.shown,
                    line,
                    "for_period",
                    f"kỳ của nhiệm vụ {period.code} không ở sau kỳ "
                    f"{info.period.code} của báo cáo: cần một kỳ bắt đầu sau ngày "
                    f"{_fmt(info.period.end)} (ví dụ {info.period.next().code})",
                )
            )
        _verbatim(tasks, line, "text", r.get("text"), info, "nội dung nhiệm vụ", problems)


_DMY = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)")


def _dates_in(text: str) -> list[date]:
    found = []
    for m in _DMY.finditer(text):
        try:
            found.append(date(int(m[3]), int(m[2]), int(m[1])))
        except ValueError:
            continue
    return found


def check_legal_refs(
    refs: Table | None, infos: dict[str, ReportInfo], known_ids: set[str] | None, problems: list[Problem]
) -> None:
    """Check legal references across tables. Refuses: an unknown report_id, a repeated (report_id,
    number), a quote that is not verbatim in the source. Warns: a document type not seen before, a
    date after the page was published, a date that the quote contradicts (the quote gives dates and
    none is `date`; or `date` is empty though the quote gives exactly one)."""
    if refs is None:
        return
    shown = refs.shown
    _dupes(refs, ("report_id", "number"), problems, "number", "văn bản")
    for line, r in refs.rows():
        info = _report_of(refs, line, r.get("report_id"), infos, known_ids, problems)
        doc_type = r.get("doc_type")
        if doc_type is not None and doc_type not in DOC_TYPES:
            problems.append(
                Problem(
                    shown,
                    line,
                    "doc_type",
                    f"loại văn bản “{doc_type}” chưa gặp: kiểm tra chính tả "
                    f"(đã có {', '.join(dict.fromkeys(DOC_TYPES))})",
                    WARNING,
                )
            )
        raw = r.get("date")
        when = parse_date(raw) if raw else None
        if when is not None and info is not None and info.published_date is not None and when > info.published_date:
            problems.append(
                Problem(
                    shown,
                    line,
                    "date",
                    f"văn bản ngày {_fmt(when)} sau ngày đăng báo cáo {_fmt(info.published_date)}: kiểm tra ngày",
                    WARNING,
                )
            )
        quote = r.get("quote")
        if _verbatim(refs, line, "quote", quote, info, "trích dẫn", problems):
            dates = _dates_in(quote)
            if when is not None and dates and when not in dates:
                problems.append(
                    Problem(
                        shown,
                        line,
                        "date",
                        f"ngày {_fmt(when)} không có trong trích dẫn (trích dẫn "
                        f"ghi {', '.join(_fmt(d) for d in dates)})",
                        WARNING,
                    )
                )
            if raw is None and refs.has("date") and len(dates) == 1:
                problems.append(
                    Problem(
                        shown,
                        line,
                        "date",
                        f"ô trống nhưng trích dẫn ghi ngày {_fmt(dates[0])}: cần {dates[0].isoformat()}",
                        WARNING,
                    )
                )
