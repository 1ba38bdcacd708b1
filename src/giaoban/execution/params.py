"""What to build, as YAML: one meeting (`params/meetings/*.yml`) or many pages (`params/batches/*.yml`).

A meeting file names one briefing::

    province: "51"            # GSO code, or a name ("Quảng Ngãi"), resolved to the code
    period: 2021-H1           # canonical code (a phrase such as "6 tháng đầu năm 2021" is read too)
    meeting:
      type: sơ kết            # giao ban | sơ kết | tổng kết | hội nghị CBCC (or the codes), or null
      date: 2021-07-23        # YYYY-MM-DD or dd/mm/yyyy, or null when the source gives none
    lang: vi                  # vi (default) or en
    timeout: 600              # seconds a cell may run before the notebook is stopped (default 600)
    memory: 3GB               # optional: the most memory the notebook's kernel may use (giaoban.execution.engine.limits)

A batch file names many pages, as a product::

    provinces: all            # or a list of codes / names
    periods: all-with-data    # or a list of period codes
    notebooks: [briefing, province, period]
    langs: [vi, en]
    timeout: 600
    public: false             # true: a public build, as `giaoban build --public` (default false)
    date: 2021-08-02          # the day the books are made on, as `giaoban build --date` (default: see build)
    memory: 3GB               # optional, as in a meeting file, for each notebook
    max_jobs: 8000            # optional: allow more pages than the 5.000 of one build

Files are read with a YAML loader that keeps every scalar as text (so `01` stays "01" and `no`
stays "no"; pydantic then reads numbers and dates), refuses anchors and aliases (no "billion laughs"),
duplicate keys and files over 256 KiB, then validated by pydantic models and against the province
registry and the period codes. Every problem is reported as `file:line:field: message` (Vietnamese)
in one `ParamsError`, before anything runs. Values reach paths only as validated codes and slugs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from giaoban.errors import GiaobanError, InputError
from giaoban.paths import display_path
from giaoban.execution.layout import LANGS, NOTEBOOKS
from giaoban.domain.periods import Period, parse_period_phrase
from giaoban.domain.provinces import Province, Provinces
from giaoban.domain.text import fold, nfc
from giaoban.execution.engine.limits import parse_memory
from giaoban.domain.report_text import ENCODING_NAMES, detect_legacy

__all__ = [
    "ParamsError",
    "MeetingParams",
    "MeetingInfo",
    "BatchParams",
    "Meeting",
    "Batch",
    "ProvinceChoice",
    "MEETING_TYPES",
    "meeting_type_code",
    "meeting_type_label",
    "load",
    "load_many",
    "read_yaml",
    "display_path",
    "expand_paths",
    "public_build",
    "made_on",
    "parse_date",
    "emptied_meeting",
    "today",
    "MAX_BYTES",
    "DEFAULT_TIMEOUT",
    "ALL_PROVINCES",
    "ALL_PERIODS",
]

MAX_BYTES = 256 * 1024
DEFAULT_TIMEOUT = 600
MAX_TIMEOUT = 24 * 3600
ALL_PROVINCES = "all"
ALL_PERIODS = "all-with-data"
#: How many days before its period ends a meeting may still review it (estimated figures).
EARLY_DAYS = 31

#: Meeting types: code (as in `reports.csv`) → (Vietnamese label, English label).
MEETING_TYPES: dict[str, tuple[str, str]] = {
    "giao_ban": ("Giao ban", "Regular briefing"),
    "so_ket": ("Sơ kết", "Mid-year review"),
    "tong_ket": ("Tổng kết năm", "Year-end review"),
    "hoi_nghi_cbcc": ("Hội nghị cán bộ công chức", "Staff conference"),
}
_MEETING_ALIASES = {
    **{fold(code): code for code in MEETING_TYPES},
    **{fold(vi): code for code, (vi, _) in MEETING_TYPES.items()},
    "so ket 6 thang": "so_ket",
    "tong ket": "tong_ket",
    "hoi nghi cbcc": "hoi_nghi_cbcc",
    "cbcc": "hoi_nghi_cbcc",
}


class ParamsError(InputError):
    """One or more problems in params files, each line `file:line:field: message`; nothing ran."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        self.path = self.row = self.column = None
        self.detail = "\n".join(self.problems)
        GiaobanError.__init__(self, self.detail)


def meeting_type_code(value: str) -> str:
    """Return the code (`so_ket`…) of a meeting type written as a code or a Vietnamese label.

    Refuses (ValueError, Vietnamese message) anything else.
    """
    code = _MEETING_ALIASES.get(fold(value))
    if code is None:
        raise ValueError(
            f"loại cuộc họp không biết '{value}': cần một trong "
            f"{', '.join(vi.lower() for vi, _ in MEETING_TYPES.values())} "
            f"(hoặc {', '.join(MEETING_TYPES)})"
        )
    return code


def meeting_type_label(code: str | None, lang: str = "vi") -> str | None:
    """Return the label of a meeting type code in `lang` (None for None; the code itself if unknown)."""
    if code is None:
        return None
    vi, en = MEETING_TYPES.get(code, (code, code))
    return en if lang == "en" else vi


# ----------------------------------------------------------------------------------- YAML


class _YamlProblem(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message, self.line = message, line


class _TextResolver(BaseResolver):
    """Plain scalars are text, except an empty value, `~` and `null` (None)."""


_TextResolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


#: The deepest nesting of lists and mappings a YAML file may have (params: 3; `_quarto.yml`: 5).
MAX_DEPTH = 20


class _Loader(Reader, Scanner, Parser, Composer, SafeConstructor, _TextResolver):
    """A safe loader that refuses anchors, aliases and duplicate keys."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        _TextResolver.__init__(self)

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _YamlProblem(
                "không dùng neo (&) và bí danh (*) của YAML trong tệp tham số: hãy viết rõ từng giá trị",
                event.start_mark.line + 1,
            )
        if not isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            return super().compose_node(parent, index)
        self._depth = getattr(self, "_depth", 0) + 1
        if self._depth > MAX_DEPTH:  # (deeper, Python's recursion limit would end the read with a traceback)
            raise _YamlProblem(
                f"YAML lồng quá sâu (hơn {MAX_DEPTH} tầng danh sách hoặc bảng): tệp tham số chỉ cần vài tầng",
                event.start_mark.line + 1,
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                raise _YamlProblem(f"khoá phải là chữ, không phải {key!r}", line)
            if key in seen:
                raise _YamlProblem(f"khoá '{key}' lặp lại (đã có ở dòng {seen[key]})", line)
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _lines(node: Node, loc: tuple = (), out: dict | None = None) -> dict[tuple, int]:
    """Map every location (tuple of keys and indices) in the YAML tree to its line number."""
    out = {} if out is None else out
    out.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode):
                out[loc + (key.value,)] = key.start_mark.line + 1
                _lines(value, loc + (key.value,), out)
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, loc + (i,), out)
    return out


def read_yaml(path: str | Path) -> tuple[Any, dict[tuple, int]]:
    """Return (data, lines) of a params YAML file: data with every scalar as text or None, and the
    line of each key.

    Refuses (ParamsError naming the file and line) a missing or unreadable file, more than 256 KiB,
    text that is not UTF-8, malformed YAML, several documents, anchors and aliases, duplicate keys,
    tags that construct anything but text, lists and mappings.
    """
    shown = display_path(path)
    path = Path(path)
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as error:
        raise ParamsError([f"{shown}: không đọc được tệp tham số ({error.strerror or error})"]) from None
    if len(raw) > MAX_BYTES:
        raise ParamsError([f"{shown}: tệp tham số lớn hơn {MAX_BYTES // 1024} KiB; tệp tham số chỉ cần vài dòng"])
    try:
        text = nfc(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        legacy = detect_legacy(raw)
        seems = f", có vẻ là {ENCODING_NAMES[legacy]}" if legacy else ""
        line = raw[: error.start].count(b"\n") + 1
        raise ParamsError(
            [f"{shown}:{line}: tệp không phải UTF-8 (byte {error.start}{seems}): cần lưu lại dưới dạng UTF-8"]
        ) from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise _YamlProblem("tệp tham số trống", 1)
        data = loader.construct_document(node)
    except _YamlProblem as problem:
        raise ParamsError([f"{shown}:{problem.line}: {problem.message}"]) from None
    except ConstructorError as error:
        mark = error.problem_mark
        raise ParamsError(
            [f"{shown}:{mark.line + 1 if mark else '?'}: giá trị YAML không được phép ({error.problem})"]
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{shown}:{mark.line + 1}" if mark else shown
        what = getattr(error, "problem", None) or str(error)
        raise ParamsError([f"{where}: YAML không hợp lệ ({what})"]) from None
    finally:
        loader.dispose()
    return data, _lines(node)


# ----------------------------------------------------------------------------------- models


def _date(value: Any) -> Any:
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*", value)
        if m:
            try:
                return date(int(m[3]), int(m[2]), int(m[1]))
            except ValueError:
                raise ValueError(f"ngày '{value.strip()}' không có thật") from None
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                f"ngày '{value}' không hợp lệ: cần dạng YYYY-MM-DD (2021-07-23) hoặc dd/mm/yyyy (23/07/2021)"
            ) from None
    if isinstance(value, datetime):
        return value.date()
    return value


def parse_date(text: str) -> date:
    """Return the day written `YYYY-MM-DD` or `dd/mm/yyyy`; refuses (ValueError, Vietnamese) anything else."""
    day = _date(text)
    if not isinstance(day, date):
        raise ValueError(f"ngày {text!r} không hợp lệ: cần dạng YYYY-MM-DD (2021-07-23) hoặc dd/mm/yyyy (23/07/2021)")
    return day


#: The languages and notebooks of `giaoban.execution.layout`, as pydantic literals.
Lang = Literal[LANGS]  # type: ignore[valid-type]
Notebook = Literal[NOTEBOOKS]  # type: ignore[valid-type]


_Day = date  # `date` is also a field name of the models below


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class MeetingInfo(_Model):
    """The meeting of a meeting file: its type (code, label or null) and date (or null); both required."""

    type: str | None
    date: date | None

    @field_validator("type")
    @classmethod
    def _type(cls, value: str | None) -> str | None:
        return None if value is None else meeting_type_code(value)

    @field_validator("date", mode="before")
    @classmethod
    def _parse_date(cls, value: Any) -> Any:
        return _date(value)


def _bytes(value: str | None) -> int | None:
    return None if value is None else parse_memory(value)


def _memory_size(value: str | None) -> str | None:
    """A `memory:` value, checked (`giaoban.execution.engine.limits.parse_memory`) and kept as written."""
    if value is not None:
        parse_memory(value)
    return value


class MeetingParams(_Model):
    """A meeting file as written (`params/meetings/*.yml`), before province and period are resolved."""

    province: str = Field(min_length=1)
    period: str = Field(min_length=1)
    meeting: MeetingInfo
    lang: Lang = "vi"
    timeout: int = Field(default=DEFAULT_TIMEOUT, gt=0, le=MAX_TIMEOUT)
    memory: str | None = None  # the most memory the notebook's kernel may use (giaoban.execution.engine.limits)

    _memory = field_validator("memory")(lambda value: _memory_size(value))


def _list_or(value: Any, keyword: str, what: str) -> Any:
    """Accept `keyword` or a non-empty list of non-empty texts; refuse anything else (ValueError)."""
    if isinstance(value, str):
        if value.strip() == keyword:
            return keyword
        raise ValueError(f"cần '{keyword}' hoặc một danh sách {what}, không phải '{value}'")
    if not isinstance(value, list):
        raise ValueError(f"cần '{keyword}' hoặc một danh sách {what}")
    if not value:
        raise ValueError(f"danh sách {what} rỗng")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"mục thứ {i + 1} của danh sách phải là {what} (văn bản), không phải {item!r}")
    return value


class BatchParams(_Model):
    """A batch file as written (`params/batches/*.yml`), before provinces and periods are resolved."""

    title: str | None = None
    provinces: str | list[str]
    periods: str | list[str]
    notebooks: list[Notebook] = Field(min_length=1)
    langs: list[Lang] = Field(min_length=1)
    timeout: int = Field(default=DEFAULT_TIMEOUT, gt=0, le=MAX_TIMEOUT)
    public: bool = False
    date: _Day | None = None  # the day the books are made on ("Ngày lập"), as `giaoban build --date`

    @field_validator("date", mode="before")
    @classmethod
    def _parse_date(cls, value: Any) -> Any:
        return _date(value)

    memory: str | None = None  # the most memory each notebook's kernel may use (giaoban.execution.engine.limits)
    max_jobs: int | None = Field(default=None, gt=0)  # more pages than giaoban.execution.engine.limits.MAX_JOBS

    _memory = field_validator("memory")(lambda value: _memory_size(value))

    @field_validator("provinces", mode="before")
    @classmethod
    def _provinces(cls, value: Any) -> Any:
        return _list_or(value, ALL_PROVINCES, "mã hoặc tên tỉnh")

    @field_validator("periods", mode="before")
    @classmethod
    def _periods(cls, value: Any) -> Any:
        return _list_or(value, ALL_PERIODS, "mã kỳ")

    @field_validator("notebooks", "langs")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        repeated = sorted({v for v in value if value.count(v) > 1})
        if repeated:
            raise ValueError(f"giá trị lặp lại: {', '.join(repeated)}")
        return value


_MESSAGES = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không được hỗ trợ (viết sai tên?)",
    "string_type": "cần một chuỗi văn bản",
    "list_type": "cần một danh sách",
    "model_type": "cần một bảng 'khoá: giá trị'",
    "dict_type": "cần một bảng 'khoá: giá trị'",
    "int_parsing": "cần một số nguyên",
    "int_type": "cần một số nguyên",
    "int_from_float": "cần một số nguyên",
    "date_type": "cần một ngày dạng YYYY-MM-DD",
    "date_parsing": "cần một ngày dạng YYYY-MM-DD",
    "string_too_short": "không được để trống",
    "bool_parsing": "cần true hoặc false",
    "bool_type": "cần true hoặc false",
}


#: For a missing key: a line to add, by location (`meeting.date` for the key under `meeting:`).
_EXAMPLES = {
    "province": 'province: "51"',
    "period": "period: 2021-H1",
    "meeting": "meeting: {type: sơ kết, date: 2021-07-23}",
    "meeting.type": "type: sơ kết  (hoặc null)",
    "meeting.date": "date: 2021-07-23  (hoặc null)",
    "provinces": 'provinces: all  (hoặc ["51", Yên Bái])',
    "periods": "periods: all-with-data  (hoặc [2021-H1, 2020-9M])",
    "notebooks": "notebooks: [briefing, province, period]",
    "langs": "langs: [vi, en]",
}


def _message(error: Mapping[str, Any], fields: tuple[str, ...]) -> str:
    kind, ctx, given = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "missing":
        example = _EXAMPLES.get(_field(tuple(error["loc"])))
        return _MESSAGES[kind] + (f": thêm một dòng như `{example}`" if example else "")
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "literal_error":
        text = f"cần một trong {ctx.get('expected', '')}".replace(" or ", ", ")
    elif kind == "greater_than":
        text = f"cần lớn hơn {ctx.get('gt')}"
    elif kind == "less_than_equal":
        text = f"cần nhỏ hơn hoặc bằng {ctx.get('le')}"
    elif kind == "too_short":
        text = "danh sách không được rỗng"
    elif kind == "extra_forbidden":
        text = f"{_MESSAGES[kind]}; các trường: {', '.join(fields)}"
    else:
        text = _MESSAGES.get(kind, error["msg"])
    if kind not in ("missing", "extra_forbidden") and isinstance(given, (str, int)) and not isinstance(given, bool):
        text += f", không phải '{given}'"
    elif kind not in ("missing", "extra_forbidden") and isinstance(given, (list, dict)):
        text += f", không phải {'một danh sách' if isinstance(given, list) else 'một bảng'}"
    return text


def _field(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Problems:
    def __init__(self, shown: str, lines: dict[tuple, int]) -> None:
        self.shown, self.lines, self.items = shown, lines, list[str]()

    def add(self, loc: tuple, message: str, *, missing: bool = False) -> None:
        """Record `message` at the line of `loc`; a missing key (`missing`) at the line of the mapping
        that lacks it (line 1 for the top of the file)."""
        line = self.lines.get(loc) or (self.lines.get(loc[:-1]) if len(loc) > 1 or missing else None)
        where = ":".join(str(p) for p in (self.shown, line, _field(loc) or None) if p is not None)
        self.items.append(f"{where}: {message}")


# ----------------------------------------------------------------------------------- resolved


@dataclass(frozen=True)
class ProvinceChoice:
    """One entry of a batch's `provinces` list: what was written, and every unit it can designate
    (a code reused in 2025, `15`, designates Yên Bái before and Lào Cai after)."""

    written: str
    units: frozenset[Province]


@dataclass(frozen=True)
class Meeting:
    """A validated meeting file: the province unit in force in the period, the meeting, the language."""

    path: Path
    province: Province
    period: Period
    meeting_type: str | None
    meeting_date: date | None
    lang: str
    timeout: int
    memory: int | None = None  # bytes
    notes: tuple[str, ...] = ()  # warnings about the file (a period that has not begun), `file:line:field: …`


@dataclass(frozen=True)
class Batch:
    """A validated batch file. `provinces` None means all; `periods` None means all with data.

    `pairs`: when both lists are explicit, every (unit, period) of the product, each unit resolved
    in its period; else empty (the data decide).
    """

    path: Path
    title: str | None
    provinces: tuple[ProvinceChoice, ...] | None
    periods: tuple[Period, ...] | None
    notebooks: tuple[str, ...]
    langs: tuple[str, ...]
    timeout: int
    pairs: tuple[tuple[Province, Period], ...] = ()
    public: bool = False
    date: date | None = None
    memory: int | None = None  # bytes
    max_jobs: int | None = None
    notes: tuple[str, ...] = ()  # warnings about the file (a period that has not begun), `file:line:field: …`


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except InputError as strict:
        try:
            return parse_period_phrase(text)
        except InputError:
            raise strict from None


def _dates(registry: Provinces) -> list[date]:
    return sorted({d for p in registry for d in (p.valid_from, p.valid_to) if d is not None})


def _choice(registry: Provinces, written: str) -> ProvinceChoice:
    if re.fullmatch(r"\d{2}", written):
        units = frozenset(p for p in registry if p.code == written)
        if not units:
            registry.get(written)  # raises the registry's message
        return ProvinceChoice(written, units)
    try:
        return ProvinceChoice(written, frozenset({registry.match(written)}))
    except InputError as undated:
        found = set()
        for d in _dates(registry):
            try:
                found.add(registry.match(written, on=d))
            except InputError:
                continue
        if not found:
            raise undated from None
        return ProvinceChoice(written, frozenset(found))


def _resolve_meeting(model: MeetingParams, path: Path, registry: Provinces, problems: _Problems) -> Meeting | None:
    period = province = None
    try:
        period = _period(model.period)
    except InputError as error:
        problems.add(("period",), error.detail)
    if period is not None:
        try:
            province = registry.match(model.province, on=period)
        except InputError as error:
            problems.add(("province",), error.detail)
        when = model.meeting.date
        if when is not None and not period.is_reviewable_on(when, early_days=EARLY_DAYS):
            problems.add(
                ("meeting", "date"),
                f"ngày họp {when:%d/%m/%Y} không thể là cuộc họp xem xét kỳ {period.code} "
                f"({period.label_vi()}, kết thúc {period.end:%d/%m/%Y}): ngày họp phải sau khi kỳ "
                f"kết thúc và không quá 15 tháng sau; nếu nguồn ghi sai, để null và ghi chú",
            )
    if period is None or province is None or len(problems.items):
        return None
    return Meeting(
        path,
        province,
        period,
        model.meeting.type,
        model.meeting.date,
        model.lang,
        model.timeout,
        _bytes(model.memory),
        notes=tuple(_not_begun(problems, ("period",), period)),
    )


def _resolve_batch(model: BatchParams, path: Path, registry: Provinces, problems: _Problems) -> Batch | None:
    periods: list[Period] | None = None
    if model.periods != ALL_PERIODS:
        periods = []
        for i, text in enumerate(model.periods):
            try:
                periods.append(_period(text))
            except InputError as error:
                problems.add(("periods", i), error.detail)
    choices: list[ProvinceChoice] | None = None
    pairs: list[tuple[Province, Period]] = []
    if model.provinces != ALL_PROVINCES:
        choices = []
        for i, text in enumerate(model.provinces):
            try:
                choice = _choice(registry, text)
            except InputError as error:
                problems.add(("provinces", i), error.detail)
                continue
            choices.append(choice)
            for period in periods or ():
                try:
                    unit = registry.match(text, on=period)
                except InputError as error:
                    problems.add(("provinces", i), f"kỳ {period.code}: {error.detail}")
                    continue
                if (unit, period) not in pairs:
                    pairs.append((unit, period))
    if problems.items:
        return None
    notes = [n for i, p in enumerate(periods or ()) for n in _not_begun(problems, ("periods", i), p)]
    return Batch(
        path,
        model.title,
        tuple(choices) if choices is not None else None,
        tuple(dict.fromkeys(periods)) if periods is not None else None,
        tuple(model.notebooks),
        tuple(model.langs),
        model.timeout,
        tuple(pairs) if choices is not None and periods is not None else (),
        model.public,
        model.date,
        _bytes(model.memory),
        model.max_jobs,
        notes=tuple(notes),
    )


def emptied_meeting(meeting: Meeting, recorded: tuple[str | None, date | None]) -> str | None:
    """Return a warning when the meeting file `meeting` leaves empty (null) what the data record of its
    report's meeting (`recorded`: type code and date from `reports.csv`), so that its briefing, which
    replaces the page a batch build made, would say less than the data; else None."""
    kind, when = recorded
    lost = []
    if meeting.meeting_type is None and kind:
        lost.append(f"type: {meeting_type_label(kind)}")
    if meeting.meeting_date is None and when:
        lost.append(f"date: {when:%Y-%m-%d}")
    if not lost:
        return None
    return (
        f"{display_path(meeting.path)}:meeting: cảnh báo: tệp để trống (null) cuộc họp mà data/reports.csv ghi cho "
        f"{meeting.province.name_vi} {meeting.period.code} ({', '.join(lost)}): bản tin dựng từ tệp này thay trang "
        f"đã có và không nêu cuộc họp đó; ghi {', '.join(lost)} vào tệp nếu đúng là cuộc họp này"
    )


def today() -> date:
    """Return the day a period is compared with to tell one that has not begun (the clock)."""
    return date.today()


def _not_begun(problems: _Problems, loc: tuple, period: Period) -> list[str]:
    """A warning, at the line of `loc`, for a period that begins after today (a mistyped year, most often)."""
    now = today()
    if period.start <= now:
        return []
    line = problems.lines.get(loc)
    where = ":".join(str(p) for p in (problems.shown, line, _field(loc)) if p is not None)
    return [
        f"{where}: cảnh báo: kỳ {period.code} ({period.label_vi()}) bắt đầu ngày {period.start:%d/%m/%Y}, "
        f"sau hôm nay ({now:%d/%m/%Y}): chưa có báo cáo nào của kỳ này; kiểm tra lại năm"
    ]


def _kind(path: Path, data: dict) -> str | None:
    if path.parent.name in ("meetings", "batches"):
        return "meeting" if path.parent.name == "meetings" else "batch"
    if "provinces" in data or "periods" in data or "notebooks" in data:
        return "batch"
    if "province" in data or "period" in data or "meeting" in data:
        return "meeting"
    return None


def load(path: str | Path, registry: Provinces) -> Meeting | Batch:
    """Return the validated `Meeting` or `Batch` of one params file (a meeting when it lies in a
    `meetings/` folder or has `province`; a batch when in `batches/` or has `provinces`).

    Refuses (ParamsError, every problem as `file:line:field: message`): unreadable or unsafe YAML
    (see `read_yaml`), a missing or unknown field, a wrong type, an unknown notebook or language, a
    province (code or name) that does not exist or is not in force in the period, a malformed
    period, a meeting date that cannot review the period, an unknown meeting type.
    """
    path = Path(path)
    shown = display_path(path)
    data, lines = read_yaml(path)
    problems = _Problems(shown, lines)
    if not isinstance(data, dict):
        raise ParamsError([f"{shown}:1: tệp tham số phải là một bảng 'khoá: giá trị' (province:, period:, …)"])
    kind = _kind(path, data)
    if kind is None:
        raise ParamsError(
            [
                f"{shown}:1: không rõ loại tệp: cần 'province' và 'period' (một cuộc họp) hoặc "
                f"'provinces', 'periods', 'notebooks' (nhiều trang)"
            ]
        )
    model_class = MeetingParams if kind == "meeting" else BatchParams
    try:
        model = model_class.model_validate(data)
    except ValidationError as error:
        for item in error.errors(include_url=False):
            loc = tuple(item["loc"])
            fields = (MeetingInfo if loc[:1] == ("meeting",) and len(loc) > 1 else model_class).model_fields
            problems.add(loc, _message(item, tuple(fields)), missing=item["type"] == "missing")
        raise ParamsError(problems.items) from None
    resolved: Meeting | Batch | None
    if isinstance(model, MeetingParams):
        resolved = _resolve_meeting(model, path, registry, problems)
    else:
        resolved = _resolve_batch(model, path, registry, problems)
    if resolved is None:
        raise ParamsError(problems.items)
    return resolved


def expand_paths(paths: Sequence[str | Path]) -> list[Path]:
    """Return the params files named by `paths`: files as given, folders as their `*.yml` files
    (sorted). Refuses (ParamsError) a path that does not exist and a folder without YAML files."""
    out: list[Path] = []
    problems = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted([*p.glob("*.yml"), *p.glob("*.yaml")])
            if not found:
                problems.append(f"{display_path(p)}: thư mục không có tệp tham số .yml")
            out.extend(found)
        elif p.exists():
            out.append(p)
        else:
            problems.append(f"{display_path(p)}: không tìm thấy tệp tham số")
    if problems:
        raise ParamsError(problems)
    return list(dict.fromkeys(out))


def load_many(paths: Sequence[str | Path], registry: Provinces) -> list[Meeting | Batch]:
    """Return the validated params of every file in `paths` (folders give their `*.yml`).

    Reads them all and refuses (one ParamsError listing every problem of every file) if any is
    wrong, so that nothing runs on half-valid params.
    """
    problems: list[str] = []
    out: list[Meeting | Batch] = []
    try:
        files = expand_paths(paths)
    except ParamsError as error:
        problems.extend(error.problems)
        files = [Path(p) for p in paths if Path(p).is_file()]
    for path in files:
        try:
            out.append(load(path, registry))
        except ParamsError as error:
            problems.extend(error.problems)
    if problems:
        raise ParamsError(problems)
    return out


def made_on(validated: list[Meeting | Batch]) -> date | None:
    """Return the day the batch files in `validated` date their books on (their `date:` key), or None.

    Refuses (ParamsError) batch files that give different dates: a build has one "made on" date.
    """
    dated = [(v, v.date) for v in validated if isinstance(v, Batch) and v.date is not None]
    days = sorted({day for _, day in dated})
    if len(days) > 1:
        raise ParamsError(
            [f"{display_path(v.path)}: date: {day:%Y-%m-%d}" for v, day in dated]
            + [
                "các tệp lô ghi ngày lập khác nhau: một lần dựng chỉ có một ngày lập; sửa cho "
                "giống nhau, hoặc dùng giaoban build --date YYYY-MM-DD"
            ]
        )
    return days[0] if days else None


def public_build(validated: list[Meeting | Batch]) -> bool:
    """Return whether the batch files in `validated` ask for a public build (`public: true`).

    Refuses (ParamsError) a build whose files disagree: a public batch file built together with a
    batch that is not public, or with a meeting file, would publish one of them wrongly.
    """
    marked = [v for v in validated if isinstance(v, Batch) and v.public]
    if not marked or len(marked) == len(validated):
        return bool(marked)
    others = [display_path(v.path) for v in validated if v not in marked]
    raise ParamsError(
        [
            f"{display_path(marked[0].path)}: tệp này đòi bản công khai (public: true) nhưng "
            f"{', '.join(others)} thì không; dựng riêng từng tệp, hoặc dùng --public để dựng tất cả "
            f"thành bản công khai"
        ]
    )
