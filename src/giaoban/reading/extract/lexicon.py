"""The lexicon: which words mean which unit and which catalogue indicator, read from data.

Two files of `data/reference/` hold the knowledge, so that an analyst extends it without touching
code (their columns are documented in `data/reference/LEXICON.md`):

* `lexicon_units.csv`: the nouns written after a number (`phương tiện đo`, `PTĐ`, `lớp tập huấn`),
  their canonical form and their class: `count` (a figure), `duration` (`05 ngày làm việc`, `6
  tháng`: not a figure) or `attribute` (`nhà 03 tầng`, `35 tuổi`: not a figure);
* `lexicon.csv`: one rule per line: an indicator of `indicators.csv` and the words that must (or
  must not) stand around the number for the figure to be that indicator, with a priority.

Words are matched whole, ignoring case and the placement of the tone mark (`hóa` = `hoá`). A
`|` separates alternatives (any one is enough); in `words`, ` & ` separates groups that must all
match.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from giaoban import paths
from giaoban.errors import InputError
from giaoban.data.dataset import load_catalogue
from giaoban.domain.text import nfc, normalize_tone_placement

__all__ = ["Unit", "Rule", "Lexicon", "load_lexicon", "normalize", "UNIT_CLASSES", "LEXICON_COLUMNS", "UNIT_COLUMNS"]

UNIT_CLASSES = ("count", "duration", "attribute")
UNIT_COLUMNS = ["unit", "canonical", "class", "note"]
LEXICON_COLUMNS = ["indicator", "priority", "unit", "verb", "words", "exclude", "total", "measure", "note"]
_MEASURES = ("level", "percent_of_plan", "change_percent", "change", "percent_of_previous")


def normalize(text: str) -> str:
    """Return `text` ready for matching: NFC, lower case, new tone placement, single spaces."""
    text = normalize_tone_placement(nfc(text).lower(), "new")
    return re.sub(r"[\s\u00a0]+", " ", text).strip()


def _alternatives(cell: str) -> tuple[str, ...]:
    return tuple(normalize(w) for w in cell.split("|") if w.strip())


def _pattern(words: tuple[str, ...]) -> re.Pattern | None:
    if not words:
        return None
    alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)")


@dataclass(frozen=True)
class Unit:
    """A noun written after a number: as written (`written`), canonical form and class."""

    written: str
    canonical: str
    cls: str


@dataclass(frozen=True)
class Rule:
    """One line of lexicon.csv: the figure is `indicator` when every condition holds."""

    indicator: str
    priority: int
    unit: re.Pattern | None
    verb: re.Pattern | None
    words: tuple[re.Pattern, ...]
    exclude: re.Pattern | None
    total: str | None
    measure: str
    value_type: str
    line: int

    @property
    def specificity(self) -> int:
        """Return how many conditions the rule sets (breaks ties between equal priorities)."""
        return sum(x is not None for x in (self.unit, self.verb, self.exclude, self.total)) + len(self.words)


@dataclass
class Lexicon:
    """The units and the indicator rules, with the catalogue's area and value type per code."""

    units: dict[str, Unit]
    rules: list[Rule]
    areas: dict[str, str]
    value_types: dict[str, str]

    def __post_init__(self) -> None:
        words = sorted(self.units, key=len, reverse=True)
        self._unit_re = re.compile(r"(?:" + "|".join(re.escape(w) for w in words) + r")(?![^\W_])") if words else None

    def unit_at(self, noun: str) -> Unit | None:
        """Return the longest known unit that starts `noun` (the words after a number), or None."""
        if self._unit_re is None:
            return None
        m = self._unit_re.match(normalize(noun))
        return self.units[m.group()] if m else None

    def indicator(
        self, *, value_type: str, measure: str, unit: str, lead: str, window: str, context: str, total: str | None
    ) -> str | None:
        """Return the indicator of the best matching rule, or None when no rule matches.

        `unit` is the noun phrase after the number, `lead` the words before it, `window` lead +
        number + noun + the rest of its sentence part, `context` the paragraph's opening words;
        `total` is the indicator of the figure this one is a part of. The best rule has the highest
        priority, then sets the most conditions, then comes first in the file.
        """
        unit, lead, window = normalize(unit), normalize(lead), normalize(window)
        both = window + " | " + normalize(context)
        best: Rule | None = None
        for rule in self.rules:
            if rule.value_type != value_type or rule.measure != measure:
                continue
            if rule.total is not None and rule.total != total:
                continue
            if rule.unit is not None and not rule.unit.match(unit):
                continue
            if rule.verb is not None and not rule.verb.search(lead):
                continue
            if any(not group.search(both) for group in rule.words):
                continue
            if rule.exclude is not None and rule.exclude.search(window):
                continue
            if best is None or (rule.priority, rule.specificity) > (best.priority, best.specificity):
                best = rule
        return best.indicator if best else None


def _read_csv(path: Path, columns: list[str]) -> list[tuple[int, dict[str, str]]]:
    where = str(path)
    if not path.is_file():
        raise InputError("không tìm thấy tệp từ điển", path=where)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"tệp không phải UTF-8 (byte {error.start})", path=where) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header != columns:
        raise InputError(f"tiêu đề phải là {','.join(columns)}, tệp có {','.join(header or [])}", path=where, row=1)
    rows = []
    for line, values in enumerate(reader, start=2):
        if not values or not any(v.strip() for v in values):
            continue
        if len(values) != len(columns):
            raise InputError(f"dòng có {len(values)} ô, tiêu đề có {len(columns)}", path=where, row=line)
        rows.append((line, dict(zip(columns, (v.strip() for v in values)))))
    return rows


def _load_units(path: Path) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for line, row in _read_csv(path, UNIT_COLUMNS):
        if not row["unit"]:
            raise InputError("thiếu đơn vị", path=str(path), row=line, column="unit")
        if row["class"] not in UNIT_CLASSES:
            raise InputError(
                f"loại “{row['class']}” không hợp lệ: chọn {', '.join(UNIT_CLASSES)}",
                path=str(path),
                row=line,
                column="class",
            )
        key = normalize(row["unit"])
        if key in units:
            raise InputError(f"đơn vị “{row['unit']}” đã có ở dòng trước", path=str(path), row=line, column="unit")
        units[key] = Unit(row["unit"], row["canonical"] or row["unit"], row["class"])
    return units


def _load_rules(path: Path, value_types: dict[str, str]) -> list[Rule]:
    rules = []
    for line, row in _read_csv(path, LEXICON_COLUMNS):
        where: dict[str, Any] = {"path": str(path), "row": line}
        code = row["indicator"]
        if code not in value_types:
            raise InputError(f"chỉ tiêu “{code}” không có trong indicators.csv", column="indicator", **where)
        if row["total"] and row["total"] not in value_types:
            raise InputError(f"chỉ tiêu “{row['total']}” không có trong indicators.csv", column="total", **where)
        try:
            priority = int(row["priority"])
        except ValueError:
            raise InputError(
                f"độ ưu tiên phải là số nguyên, không phải “{row['priority']}”", column="priority", **where
            ) from None
        measure = row["measure"] or "level"
        if measure not in _MEASURES:
            raise InputError(
                f"measure “{measure}” không hợp lệ: chọn {', '.join(_MEASURES)}", column="measure", **where
            )
        value_type = value_types[code]
        groups = tuple(p for p in (_pattern(_alternatives(g)) for g in row["words"].split(" & ")) if p)
        rules.append(
            Rule(
                code,
                priority,
                _pattern(_alternatives(row["unit"])),
                _pattern(_alternatives(row["verb"])),
                groups,
                _pattern(_alternatives(row["exclude"])),
                row["total"] or None,
                measure,
                value_type,
                line,
            )
        )
    return rules


def load_lexicon(data_dir: str | Path | None = None) -> Lexicon:
    """Return the lexicon of `data_dir` (default the project's `data/`; cached): its
    `reference/lexicon_units.csv`, `reference/lexicon.csv` and the catalogue (`giaoban.domain.indicators`).

    Refuses (InputError naming file, line and column) a missing file, a wrong header, an
    indicator code that is not in `indicators.csv`, a priority that is not a whole number, an
    unknown measure or unit class, and a unit listed twice.
    """
    return _load_cached(Path(paths.DATA if data_dir is None else data_dir).resolve())


@lru_cache(maxsize=4)
def _load_cached(data_dir: Path) -> Lexicon:
    catalogue = load_catalogue(data_dir)
    areas = {i.code: i.area for i in catalogue}
    types = {i.code: i.value_type for i in catalogue}
    folder = data_dir / "reference"
    return Lexicon(_load_units(folder / "lexicon_units.csv"), _load_rules(folder / "lexicon.csv", types), areas, types)
