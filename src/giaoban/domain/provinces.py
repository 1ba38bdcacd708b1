"""Vietnam's provincial units (63 until 30 June 2025, 34 from 1 July 2025), their names and succession.

Everything comes from the copied reference files in `data/reference/` (see `SOURCES.md` there):
`provinces_63.csv`, `provinces_34.csv`, `province_merger_2025.csv`, `gso_regions_6.csv`. They are
checked on load; a file that breaks a rule raises `InputError` naming the file and the line.

How the history is modelled (one `Province` per unit and period of validity, `valid_to` inclusive):

* **Merged units.** The 52 old units that went into a new unit end on 2025-06-30 and name it in
  `successor`; the 23 new units begin on 2025-07-01. GSO codes were reused, so code `15` is Yên Bái
  until 2025-06-30 and Lào Cai after, and an old and a new unit may even share code and name
  (`51 Quảng Ngãi` before and after Kon Tum joined it): ask with a date.
* **Unchanged units** (mapped to themselves in the merger file: Hà Nội, Thanh Hóa, … 11 in all) are
  **one** `Province` spanning the merger date (`valid_to=None`, `successor=None`), not two rows linked
  by succession: the territory did not change, so the unit's history is its own, its slug is the same
  before and after, `predecessors_of(it)` is `[it]` and `successor_of(it)` is `None`.
* **Code 46** was the province `Thừa Thiên Huế` until 2024-12-31 and the centrally-run city `Huế`
  from 2025-01-01 (Resolution 175/2024/QH15); Huế was then unchanged by the merger. So there are
  two records: `46-thua-thien-hue` (to 2024-12-31, successor 46) and `46-hue` (from 2025-01-01, one of
  the 34). Names of code 46 (`Huế`, `Thừa Thiên Huế`, `Thừa Thiên - Huế`) match code 46 **on any
  date**, giving the record in force then: reports before 2025 write `thành phố Huế` for the city
  inside the province, and the territory is the same. Without a date each name gives its own record.
* `region` is the GSO socio-economic region of the 63-unit list; `None` for the 23 new units.

Name matching (`match`) folds case, diacritics and tone placement, drops prefixes (`tỉnh`, `thành
phố`, `TP.`, `T.P`, `Thủ đô`) and accepts ASCII and English names, two-digit GSO codes and a few
common variants (`TP.HCM`, `TPHCM`, `HCM`, `Đăk Lăk`, `Bắc Cạn`, …). `Sài Gòn` is not an alias.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from giaoban import paths
from giaoban.errors import InputError, ProvinceError
from giaoban.domain.text import fold, nfc, normalize_tone_placement, slugify

__all__ = [
    "Province",
    "Provinces",
    "load_provinces",
    "mentions",
    "TYPE_PROVINCE",
    "TYPE_CITY",
    "HUE_CITY_FROM",
]

TYPE_PROVINCE = "tỉnh"
TYPE_CITY = "thành phố trực thuộc trung ương"
TYPES = (TYPE_PROVINCE, TYPE_CITY)
#: Thừa Thiên Huế became the centrally-run city Huế on this day (Resolution 175/2024/QH15).
HUE_CITY_FROM = date(2025, 1, 1)
_HUE = "46"

FILE_63, FILE_34 = "provinces_63.csv", "provinces_34.csv"
FILE_MERGER, FILE_REGIONS = "province_merger_2025.csv", "gso_regions_6.csv"
_COLUMNS = {
    FILE_63: ["code", "name_vi", "name_ascii", "name_en", "type", "region"],
    FILE_34: ["code", "name_vi", "name_ascii", "name_en", "type", "seat"],
    FILE_MERGER: ["old_code", "old_name_vi", "new_code", "new_name_vi", "effective_date"],
    FILE_REGIONS: ["order", "region_vi", "region_en", "n_provinces_63"],
}
_COUNTS = {FILE_63: 63, FILE_34: 34, FILE_MERGER: 63, FILE_REGIONS: 6}

# Extra spellings seen in reports and sources, keyed by the folded official name (never `Sài Gòn`).
_ALIASES = {
    "ho chi minh": ("hcm", "tphcm", "hcmc"),
    "ha noi": ("hanoi",),
    "hai phong": ("haiphong",),
    "da nang": ("danang",),
    "dak lak": ("daklak", "dac lac"),
    "dak nong": ("daknong", "dac nong"),
    "bac kan": ("bac can",),
    "kon tum": ("kontum",),
}
# Spellings with diacritics that `mentions` looks for besides the official names.
_TEXT_ALIASES = {
    "Đắk Lắk": ("Đăk Lăk", "Đắc Lắc", "Đắk Lăk"),
    "Đắk Nông": ("Đăk Nông", "Đắc Nông"),
    "Bắc Kạn": ("Bắc Cạn",),
}
# Names `mentions` accepts only after a prefix (`TP.`, `thành phố`): bare, they name the person.
_PREFIX_ONLY = ("Hồ Chí Minh", "HCM")
# Leading words dropped by `match` (folded), longest first.
_PREFIXES = ("thanh pho truc thuoc trung uong", "thanh pho", "thu do", "tinh", "tp", "t p")
_SUFFIXES = ("province", "city")
# A bare name right after one of these words is a commune, street, river… not the province.
_NOT_AFTER = frozenset(
    {
        "xã",
        "phường",
        "huyện",
        "quận",
        "trấn",
        "đường",
        "phố",
        "thôn",
        "ấp",
        "làng",
        "sông",
        "cầu",
        "chợ",
        "núi",
        "đèo",
        "hồ",
    }
)
_CODE = re.compile(r"\d{2}")


def _fmt(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def _as_date(on: Any) -> date | None:
    """Return `on` as a date: a date, a datetime, or anything with an `.end` date (a `Period`)."""
    if on is None:
        return None
    if isinstance(on, datetime):
        return on.date()
    if isinstance(on, date):
        return on
    end = getattr(on, "end", None)
    if isinstance(end, datetime):
        return end.date()
    if isinstance(end, date):
        return end
    raise TypeError(f"on phải là một ngày (date) hoặc một kỳ có thuộc tính .end, không phải {on!r}")


@dataclass(frozen=True)
class Province:
    """One provincial unit during one period of validity (`valid_to` inclusive; None = open).

    `code` is the two-digit GSO code (text), `type` is `tỉnh` or `thành phố trực thuộc trung ương`,
    `region` the GSO region (None for the new units), `successor` the code of the unit it became.
    """

    code: str
    name_vi: str
    name_ascii: str
    name_en: str
    type: str
    region: str | None
    valid_from: date | None
    valid_to: date | None
    successor: str | None = None

    @property
    def slug(self) -> str:
        """Return `<code>-<slugified name_vi>`, e.g. `15-yen-bai`; the same for an unchanged unit.

        Not unique on its own: an old and a new unit can share code and name (`51-quang-ngai`).
        """
        return f"{self.code}-{slugify(self.name_vi)}"

    @property
    def full_name_vi(self) -> str:
        """Return the official full name: `Tỉnh Quảng Ngãi`, `Thành phố Hồ Chí Minh`."""
        return f"{'Tỉnh' if self.type == TYPE_PROVINCE else 'Thành phố'} {self.name_vi}"

    def label(self, lang: str = "vi") -> str:
        """Return the name in `lang` ("vi": `name_vi`, "en": `name_en`); refuses other languages."""
        if lang == "vi":
            return self.name_vi
        if lang == "en":
            return self.name_en
        raise InputError(f"ngôn ngữ “{lang}” không được hỗ trợ: chỉ có “vi” hoặc “en”", column="lang")

    def in_force_on(self, on: date | Any) -> bool:
        """Return whether the unit existed on `on` (a date or a period: its end is used)."""
        d = _as_date(on)
        if d is None:
            raise TypeError("in_force_on cần một ngày")
        return (self.valid_from is None or self.valid_from <= d) and (self.valid_to is None or d <= self.valid_to)

    def validity_vi(self) -> str:
        """Return the period of validity in Vietnamese: `đến 30/06/2025`, `từ 01/07/2025`, …"""
        if self.valid_from and self.valid_to:
            return f"{_fmt(self.valid_from)}–{_fmt(self.valid_to)}"
        if self.valid_to:
            return f"đến {_fmt(self.valid_to)}"
        if self.valid_from:
            return f"từ {_fmt(self.valid_from)}"
        return "không đổi qua năm 2025"

    def __str__(self) -> str:
        return self.name_vi


def _describe(p: Province) -> str:
    return f"{p.name_vi} (mã {p.code}, {p.validity_vi()})"


# ----------------------------------------------------------------------------- reading and checks


def _read(folder: Path, name: str) -> list[tuple[int, dict[str, str]]]:
    """Return the rows of one reference CSV as (line number, row), all values as text."""
    path = folder / name
    where = str(path)
    if not path.is_file():
        raise InputError("không tìm thấy tệp dữ liệu tham chiếu", path=where)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"tệp không phải UTF-8 (byte {exc.start})", path=where) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header != _COLUMNS[name]:
        raise InputError(
            f"tiêu đề phải là {','.join(_COLUMNS[name])}, tệp có {','.join(header or [])}", path=where, row=1
        )
    rows = []
    for line, values in enumerate(reader, start=2):
        if not values:
            continue
        if len(values) != len(header):
            raise InputError(f"dòng có {len(values)} ô, tiêu đề có {len(header)}", path=where, row=line)
        row = dict(zip(header, values))
        for column, value in row.items():
            if not value or value != value.strip():
                raise InputError("ô trống hoặc có khoảng trắng thừa", path=where, row=line, column=column)
            if value != nfc(value):
                raise InputError("văn bản chưa chuẩn hoá NFC", path=where, row=line, column=column)
        rows.append((line, row))
    return rows


def _check_count(folder: Path, name: str, n: int) -> None:
    if n != _COUNTS[name]:
        raise InputError(f"cần {_COUNTS[name]} dòng dữ liệu, tệp có {n}", path=str(folder / name))


def _units_table(folder: Path, name: str, regions: set[str] | None) -> dict[str, tuple[int, dict]]:
    """Check one list of units (codes, types, regions) and return it by code."""
    where, table = str(folder / name), dict[str, tuple[int, dict]]()
    for line, row in _read(folder, name):
        code = row["code"]
        if not _CODE.fullmatch(code):
            raise InputError(f"mã “{code}” phải gồm đúng hai chữ số", path=where, row=line, column="code")
        if code in table:
            raise InputError(f"mã {code} lặp lại (đã có ở dòng {table[code][0]})", path=where, row=line, column="code")
        if row["type"] not in TYPES:
            raise InputError(
                f"loại “{row['type']}” phải là “{TYPES[0]}” hoặc “{TYPES[1]}”", path=where, row=line, column="type"
            )
        if regions is not None and row["region"] not in regions:
            raise InputError(
                f"vùng “{row['region']}” không có trong {FILE_REGIONS}", path=where, row=line, column="region"
            )
        table[code] = (line, row)
    _check_count(folder, name, len(table))
    return table


def _load(folder: Path) -> Provinces:
    regions_rows = _read(folder, FILE_REGIONS)
    regions = {row["region_vi"]: (line, row) for line, row in regions_rows}
    _check_count(folder, FILE_REGIONS, len(regions))
    old = _units_table(folder, FILE_63, set(regions))
    new = _units_table(folder, FILE_34, None)
    per_region = Counter(row["region"] for _, row in old.values())
    for label, (line, row) in regions.items():
        if str(per_region[label]) != row["n_provinces_63"]:
            raise InputError(
                f"vùng “{label}” ghi {row['n_provinces_63']} tỉnh, {FILE_63} có {per_region[label]}",
                path=str(folder / FILE_REGIONS),
                row=line,
                column="n_provinces_63",
            )

    where = str(folder / FILE_MERGER)
    merged_into: dict[str, str] = {}
    seen: dict[str, int] = {}
    dates = set()
    for line, row in _read(folder, FILE_MERGER):
        o, n = row["old_code"], row["new_code"]
        if o not in old:
            raise InputError(f"mã cũ {o} không có trong {FILE_63}", path=where, row=line, column="old_code")
        if o in seen:
            raise InputError(
                f"mã cũ {o} có hai dòng (dòng {seen[o]} và dòng {line})", path=where, row=line, column="old_code"
            )
        if n not in new:
            raise InputError(f"mã mới {n} không có trong {FILE_34}", path=where, row=line, column="new_code")
        for column, table, code in (("old_name_vi", old, o), ("new_name_vi", new, n)):
            if row[column] != table[code][1]["name_vi"]:
                raise InputError(
                    f"tên “{row[column]}” khác tên của mã {code} (“{table[code][1]['name_vi']}”)",
                    path=where,
                    row=line,
                    column=column,
                )
        try:
            dates.add(date.fromisoformat(row["effective_date"]))
        except ValueError:
            raise InputError(
                f"ngày “{row['effective_date']}” không đúng dạng YYYY-MM-DD",
                path=where,
                row=line,
                column="effective_date",
            ) from None
        seen[o] = line
        merged_into[o] = n
    if absent := sorted(set(old) - set(merged_into)):
        raise InputError(f"mã cũ {', '.join(absent)} không có dòng nào", path=where)
    _check_count(folder, FILE_MERGER, len(merged_into))
    if len(dates) != 1:
        raise InputError(f"mọi dòng phải cùng một ngày hiệu lực, tệp có {len(dates)} ngày", path=where)
    (merger,) = dates
    sources: dict[str, list[str]] = defaultdict(list)
    for o, n in merged_into.items():
        sources[n].append(o)
    if missing := sorted(set(new) - set(sources)):
        raise InputError(f"đơn vị mới {', '.join(missing)} không có đơn vị cũ nào nhập vào", path=where)

    def unchanged(o: str) -> bool:
        return merged_into[o] == o and sources[o] == [o]

    if not unchanged(_HUE):
        raise InputError(f"mã {_HUE} (Huế) phải giữ nguyên khi sắp xếp năm 2025", path=where, row=seen[_HUE])
    last_day = merger - timedelta(days=1)
    units: list[Province] = []
    for o, (_line, r) in old.items():
        if o == _HUE:
            nr = new[o][1]
            units.append(
                Province(
                    o,
                    r["name_vi"],
                    r["name_ascii"],
                    r["name_en"],
                    r["type"],
                    r["region"],
                    None,
                    HUE_CITY_FROM - timedelta(days=1),
                    o,
                )
            )
            units.append(
                Province(
                    o,
                    nr["name_vi"],
                    nr["name_ascii"],
                    nr["name_en"],
                    nr["type"],
                    r["region"],
                    HUE_CITY_FROM,
                    None,
                    None,
                )
            )
        elif unchanged(o):
            nr = new[o][1]
            for column in ("name_vi", "name_ascii", "name_en", "type"):
                if fold(nr[column]) != fold(r[column]):
                    raise InputError(
                        f"đơn vị giữ nguyên {o} có {column} khác nhau: “{r[column]}” trong "
                        f"{FILE_63}, “{nr[column]}” trong {FILE_34}",
                        path=where,
                        row=seen[o],
                    )
            units.append(
                Province(o, nr["name_vi"], nr["name_ascii"], nr["name_en"], nr["type"], r["region"], None, None, None)
            )
        else:
            units.append(
                Province(
                    o,
                    r["name_vi"],
                    r["name_ascii"],
                    r["name_en"],
                    r["type"],
                    r["region"],
                    None,
                    last_day,
                    merged_into[o],
                )
            )
    for n, (_line, r) in new.items():
        if not (n in old and unchanged(n)):
            units.append(Province(n, r["name_vi"], r["name_ascii"], r["name_en"], r["type"], None, merger, None, None))
    return Provinces(units, merger)


# ----------------------------------------------------------------------------------- the registry


class Provinces:
    """The registry of provincial units (87 records: 63 old, Huế from 2025, 23 new); iterable.

    Build it with `load_provinces()`. `merger_date` is the first day of the 34 units (2025-07-01).
    """

    def __init__(self, units: list[Province], merger_date: date) -> None:
        self.merger_date = merger_date
        self._units = sorted(units, key=lambda p: (p.code, p.valid_from or date.min))
        self._members = set(self._units)
        self._by_code: dict[str, list[Province]] = defaultdict(list)
        self._by_slug: dict[str, list[Province]] = defaultdict(list)
        self._names: dict[str, dict[Province, bool]] = defaultdict(dict)  # key → {unit: official?}
        for p in self._units:
            self._by_code[p.code].append(p)
            self._by_slug[p.slug].append(p)
            for name in (p.name_vi, p.name_ascii, p.name_en):
                self._names[fold(name)][p] = True
            for alias in _ALIASES.get(fold(p.name_vi), ()):
                self._names[alias].setdefault(p, False)
        for hue in self._by_code[_HUE]:  # every name of code 46 names code 46 on any date
            for other in self._by_code[_HUE]:
                for name in (other.name_vi, other.name_ascii, other.name_en):
                    self._names[fold(name)].setdefault(hue, False)
        self._pattern: re.Pattern | None = None

    def __iter__(self) -> Iterator[Province]:
        return iter(self._units)

    def __len__(self) -> int:
        return len(self._units)

    # -- choosing among the units that carry a code, slug or name
    def _choose(self, what: str, candidates: dict[Province, bool], on: Any, strict: bool = True) -> Province:
        d = _as_date(on)
        units = list(candidates)
        if d is None:
            official = [p for p, is_official in candidates.items() if is_official]
            if len(units) == 1:
                return units[0]
            if len(official) == 1:
                return official[0]
            raise ProvinceError(
                f"{what} có thể là {' hoặc '.join(_describe(p) for p in units)}: "
                f"hãy cho biết ngày (tham số on) để chọn đúng đơn vị"
            )
        in_force = [p for p in units if p.in_force_on(d)]
        if len(in_force) == 1:
            return in_force[0]
        if in_force:
            raise ProvinceError(
                f"{what} ứng với nhiều đơn vị ngày {_fmt(d)}: {', '.join(_describe(p) for p in in_force)}"
            )
        if not strict and len(units) == 1:
            return units[0]
        gone = units[0]
        later = self.successor_of(gone, on=d) if gone.valid_to and d > gone.valid_to else None
        hint = f"; ngày đó lãnh thổ này thuộc {_describe(later)}" if later else ""
        raise ProvinceError(f"{what} không có hiệu lực ngày {_fmt(d)}: {', '.join(_describe(p) for p in units)}{hint}")

    def _check(self, province: Province) -> Province:
        if province not in self._members:
            raise ProvinceError(f"“{province}” không thuộc danh mục đơn vị hành chính cấp tỉnh đã nạp")
        return province

    # -- public look-ups
    def get(self, code: str, on: Any = None) -> Province:
        """Return the unit with GSO `code` ("01"…"96") in force on `on` (date, or a period's end).

        Refuses (ProvinceError) a code that is not two digits (`"1"`, `1`), an unknown code, a code
        that named several units when `on` is None (`"15"`: Yên Bái, then Lào Cai), and a code with
        no unit in force on `on` (`"02"` after 2025-06-30).
        """
        if not isinstance(code, str) or not _CODE.fullmatch(code.strip()):
            raise ProvinceError(f"mã tỉnh “{code}” không hợp lệ: mã GSO là chuỗi đúng hai chữ số, ví dụ “01”, “51”")
        units = self._by_code.get(code.strip())
        if not units:
            raise ProvinceError(f"không có tỉnh/thành phố nào mang mã “{code}”")
        return self._choose(f"mã “{code.strip()}”", dict.fromkeys(units, True), on)

    def units(self, on: Any = None) -> list[Province]:
        """Return the units in force on `on` (63 before, 34 from 2025-07-01), or every record if None."""
        d = _as_date(on)
        return [p for p in self._units if d is None or p.in_force_on(d)]

    def by_slug(self, slug: str, on: Any = None) -> Province:
        """Return the unit with this slug (`15-yen-bai`); `on` is needed for slugs shared by an old
        and a new unit (`51-quang-ngai`). Refuses unknown and, undated, ambiguous slugs."""
        units = self._by_slug.get(slug)
        if not units:
            close = difflib.get_close_matches(slug, list(self._by_slug), n=3, cutoff=0.6)
            hint = f" Có phải: {', '.join(close)}?" if close else ""
            raise ProvinceError(f"không có tỉnh/thành phố nào có slug “{slug}”.{hint}")
        return self._choose(f"slug “{slug}”", dict.fromkeys(units, True), on)

    def _key(self, name: str) -> str:
        key = fold(name)
        stripped = True
        while stripped:
            stripped = False
            for prefix in _PREFIXES:
                if key.startswith(prefix + " ") and len(key) > len(prefix) + 1:
                    key, stripped = key[len(prefix) + 1 :], True
                    break
        if key not in self._names:
            for suffix in _SUFFIXES:
                if key.endswith(" " + suffix) and key[: -len(suffix) - 1] in self._names:
                    return key[: -len(suffix) - 1]
        return key

    def match(self, name: str, on: Any = None) -> Province:
        """Return the unit a name designates, as reports write it, in force on `on`.

        Accepts diacritics or not, either tone placement, prefixes (`tỉnh`, `TP.`, `Thành phố`,
        `T.P`, `Thủ đô`), ASCII and English names, `TP.HCM`/`TPHCM`/`HCM` and two-digit codes.
        Refuses (ProvinceError) unknown names (suggesting the closest), names that designate several
        units when `on` is None (`Lào Cai`: old 10 or new 15) and names of a unit not in force on `on`.
        """
        if not isinstance(name, str) or not name.strip():
            raise ProvinceError(f"tên tỉnh/thành phố trống hoặc không phải văn bản: {name!r}")
        text = nfc(name).strip()
        if text.isdigit():
            return self.get(text, on)
        key = self._key(text)
        candidates = self._names.get(key)
        if not candidates:
            raise ProvinceError(f"không nhận ra tỉnh/thành phố “{text}”.{self._suggest(key)}")
        return self._choose(f"“{text}”", candidates, on)

    def _suggest(self, key: str) -> str:
        close = difflib.get_close_matches(key, list(self._names), n=5, cutoff=0.6)
        names = list(dict.fromkeys(p.name_vi for k in close for p in self._names[k]))[:3]
        return f" Có phải: {', '.join(names)}?" if names else " Hãy dùng tên hoặc mã GSO hai chữ số."

    def successor_of(self, province: Province, on: Any = None) -> Province | None:
        """Return the unit `province` became when it ended, or None if it has not ended.

        With `on`, follow the succession to the unit covering its territory on that date (the
        province itself if still in force). Refuses (ProvinceError) a date before it existed.
        """
        p = self._check(province)
        d = _as_date(on)
        if d is None:
            if p.successor is None:
                return None
            return self.get(p.successor, on=p.valid_to + timedelta(days=1))
        if p.valid_from and d < p.valid_from:
            raise ProvinceError(f"{_describe(p)} chưa tồn tại ngày {_fmt(d)}: dùng predecessors_of")
        while not p.in_force_on(d):
            nxt = self.successor_of(p)
            if nxt is None:
                raise ProvinceError(f"{_describe(p)} không có đơn vị kế tiếp ngày {_fmt(d)}")
            p = nxt
        return p

    def predecessors_of(self, province: Province, on: Any = None) -> list[Province]:
        """Return the units in force on `on` whose territory went into `province`, in code order.

        Default `on`: the day before the merger (2025-06-30), so a new unit gives the old units
        merged into it and an unchanged unit gives `[itself]`. With an earlier date, renames are
        followed (`Huế` on 2019-06-30 → `[Thừa Thiên Huế]`). Refuses a date after the unit ended.
        """
        p = self._check(province)
        d = _as_date(on) or self.merger_date - timedelta(days=1)
        if p.valid_to and d > p.valid_to:
            raise ProvinceError(f"{_describe(p)} đã kết thúc trước ngày {_fmt(d)}: dùng successor_of")
        target = d if p.in_force_on(d) else p.valid_from
        return [u for u in self.units(on=d) if self.successor_of(u, on=target) == p]

    # -- names inside a longer text
    def _mention_pattern(self) -> re.Pattern:
        if self._pattern is not None:
            return self._pattern
        sep = r"(?:[^\S\n]*[-–—][^\S\n]*|[^\S\n]+)"

        def words(name: str) -> list[str]:
            return re.split(r"[^\S\n]*[-–—][^\S\n]*|\s+", normalize_tone_placement(name, "new"))

        def alternation(names: set[str], upper: bool) -> str:
            parts = []
            for name in sorted(names, key=lambda n: (-len(n), n)):
                ws = [w.upper() if upper else w for w in words(name)]
                pattern = sep.join(re.escape(w) for w in ws)
                if fold(name) == "thai binh":  # Thái Bình Dương is the Pacific
                    pattern += r"(?![^\S\n]+(?:[Dd]ương|DƯƠNG)(?!\w))"
                if fold(name) == "binh duong":
                    pattern = r"(?<!Thái )(?<!THÁI )" + pattern
                parts.append(pattern)
            return "|".join(parts)

        names = {p.name_vi for p in self._units}
        names |= {a for n in names for a in _TEXT_ALIASES.get(n, ())}
        bare = names - set(_PREFIX_ONLY)
        prefix = (
            r"(?:[Tt]ỉnh|TỈNH|[Tt]hành[^\S\n]+phố|THÀNH[^\S\n]+PHỐ|T[Pp]\.?|T\.[Pp]\.?|[Tt]hủ[^\S\n]+đô|THỦ[^\S\n]+ĐÔ)"
        )
        prefix_up = r"(?:TỈNH|THÀNH[^\S\n]+PHỐ|TP\.?|T\.P\.?|THỦ[^\S\n]+ĐÔ)"
        self._pattern = re.compile(
            rf"(?<!\w)(?:{prefix_up}[^\S\n]*(?P<up>{alternation(names | set(_PREFIX_ONLY), True)})"
            rf"|{prefix}[^\S\n]*(?P<pre>{alternation(names | set(_PREFIX_ONLY), False)})"
            rf"|(?P<bare>{alternation(bare, False)}))(?!\w)"
        )
        return self._pattern

    def mentions(self, text: str, on: Any = None) -> list[tuple[Province, int, int]]:
        """Return every province named in `text` as (unit, start, end), in order of appearance.

        Spans index `nfc(text)` and cover the name without its prefix (`tỉnh Yên Bái` → `Yên Bái`).
        Looks for names with diacritics (either tone placement), bare or after `tỉnh`, `thành phố`,
        `TP.`, `Thủ đô`; all-capital names only after an all-capital prefix (`TỈNH QUẢNG NGÃI`).
        `Hồ Chí Minh` counts only after a prefix (bare, it is the President); a bare name after
        `xã`, `phường`, `huyện`, `đường`, `phố`, `sông`… is a smaller place and is skipped;
        `Thừa Thiên Huế` is one mention. A name of a unit not in force on `on` still gives that unit
        (`Yên Bái` in a 2025-08 text). Refuses (ProvinceError), when `on` is None, a name that
        designates different units over time (`Quảng Ngãi`, `Lào Cai`): pass the report's date.
        """
        source = nfc(text)
        searched = normalize_tone_placement(source, "new")
        found = []
        for m in self._mention_pattern().finditer(searched):
            group = next(g for g in ("up", "pre", "bare") if m.group(g) is not None)
            start, end = m.span(group)
            if group == "bare":
                before = re.search(r"(\w+)[^\S\n]+$", searched[max(0, start - 20) : start])
                if before and before.group(1).lower() in _NOT_AFTER:
                    continue
            name = source[start:end]
            candidates = self._names.get(self._key(name))
            if not candidates:  # cannot happen: every pattern comes from a known name
                raise ProvinceError(f"không nhận ra tỉnh/thành phố “{name}” (ký tự {start}–{end})")
            unit = self._choose(f"“{name}” (ký tự {start}–{end})", candidates, on, strict=False)
            found.append((unit, start, end))
        return found


# ----------------------------------------------------------------------------------- entry points


@lru_cache(maxsize=1)
def _load_default(folder: Path) -> Provinces:
    return _load(folder)


def load_provinces(reference_dir: str | Path | None = None) -> Provinces:
    """Return the registry read from `reference_dir` (default `giaoban.paths.REFERENCE`, cached).

    Refuses (InputError naming file and line) missing or malformed files, counts other than
    63/34/63/6, an old code without exactly one merger row, a new code missing from the 34.
    """
    if reference_dir is None:
        return _load_default(Path(paths.REFERENCE).resolve())
    return _load(Path(reference_dir))


def mentions(text: str, on: Any = None) -> list[tuple[Province, int, int]]:
    """Return `load_provinces().mentions(text, on)`: every province named in `text`, with spans."""
    return load_provinces().mentions(text, on)
