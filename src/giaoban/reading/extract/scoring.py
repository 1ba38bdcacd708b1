"""Extraction quality: precision and recall against the hand-labelled gold of `tests/gold/`.

Gold files (UTF-8 CSV, labelled by reading the texts, independently of the extractor):

* `figures.csv`: every number of `data/sources/` that states a result or a plan; `context` is a
  short verbatim span that locates it (it occurs once in the NFC text and contains `as_written`);
* `documents.csv`: province, period, plan period, meeting type and date, page date per file;
  `warning` is a piece of text one of the document's warnings must contain (or empty);
* `focus_tasks.csv`: the tasks, by the first words of their text;
* `legal_refs.csv`: the cited documents (number, type, issuer, date).

`tests/gold/` scores the five texts of `data/sources/` (as copied in `tests/gold/sources/`, so that a
report an analyst adds to `data/` changes nothing here); `tests/gold/provinces/` holds short reports
written for the gold in the style of other provinces (`texts/`), with the same four files (and a
`value_high` column for ranges: `từ 10 đến 15 doanh nghiệp` is one figure, 10 to 15).

A figure matches when value, qualifier, kind, measure and denominator are equal and its quote
overlaps the place of the number in the gold context; indicator accuracy is measured on the
matched figures. A task matches on its period and the start of its text; a reference on its number
and date; each metadata field is right or wrong.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from giaoban import paths
from giaoban.domain.text import nfc

from giaoban.reading.extract.model import Document
from giaoban.reading.extract.pipeline import extract_file

__all__ = ["Score", "FileScore", "score_corpus", "compare_observations", "GOLD_DIR", "GOLD_SETS"]

GOLD_DIR = paths.ROOT / "tests" / "gold"
#: The gold sets: name → (gold folder, folder of the texts it labels).
GOLD_SETS = {
    "five texts": (GOLD_DIR, GOLD_DIR / "sources"),
    "provinces": (GOLD_DIR / "provinces", GOLD_DIR / "provinces" / "texts"),
}


@dataclass
class Score:
    """Counts of one kind of item: true positives, extracted, gold; and extra agreement counts."""

    tp: int = 0
    extracted: int = 0
    gold: int = 0
    agree: int = 0  # matched items whose indicator (figures) agrees with the gold

    @property
    def precision(self) -> float:
        """Return tp / extracted (1.0 when nothing was extracted and nothing was expected)."""
        return self.tp / self.extracted if self.extracted else float(self.gold == 0)

    @property
    def recall(self) -> float:
        """Return tp / gold (1.0 when the gold is empty)."""
        return self.tp / self.gold if self.gold else 1.0

    @property
    def agreement(self) -> float:
        """Return agree / tp: the share of matched items that agree (indicator accuracy)."""
        return self.agree / self.tp if self.tp else 1.0

    def add(self, other: Score) -> None:
        """Add the counts of `other` to these."""
        self.tp += other.tp
        self.extracted += other.extracted
        self.gold += other.gold
        self.agree += other.agree


@dataclass
class FileScore:
    """The scores of one report file, and what went wrong (for the benchmark's details)."""

    file: str
    figures: Score = field(default_factory=Score)
    tasks: Score = field(default_factory=Score)
    legal: Score = field(default_factory=Score)
    metadata: Score = field(default_factory=Score)  # tp = right fields, gold = fields
    period: Score = field(default_factory=Score)  # the report's period right (tp) of gold
    province: Score = field(default_factory=Score)  # the province right, where the gold names one
    errors: list[str] = field(default_factory=list)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _same_value(a: float, b: float) -> bool:
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def _none(value: str) -> str | None:
    return value or None


def _score_figures(doc: Document, gold: list[dict[str, str]], out: FileScore) -> None:
    text = doc.text
    used: set[int] = set()
    out.figures.extracted, out.figures.gold = len(doc.facts), len(gold)
    for g in gold:
        at = text.find(nfc(g["context"]))
        loc = at + nfc(g["context"]).index(nfc(g["as_written"])) if at >= 0 else -1
        where = (loc, loc + len(g["as_written"]))
        best, best_distance = None, None
        for i, f in enumerate(doc.facts):
            if i in used or not (f.start < where[1] and where[0] < f.end):
                continue
            if (
                not _same_value(f.value, float(g["value"]))
                or f.qualifier != _none(g["qualifier"])
                or f.kind != g["kind"]
                or f.measure != g["measure"]
                or (f.denominator or None) != (int(g["denominator"]) if g["denominator"] else None)
            ):
                continue
            if "value_high" in g and (
                (f.value_high is None) != (not g["value_high"])
                or (g["value_high"] and not _same_value(f.value_high, float(g["value_high"])))
            ):
                continue
            distance = abs(f.number_start - where[0])
            if best_distance is None or distance < best_distance:
                best, best_distance = i, distance
        if best is None:
            out.errors.append(f"thiếu số liệu {g['as_written']} ({g['context']})")
            continue
        used.add(best)
        out.figures.tp += 1
        if doc.facts[best].indicator == _none(g["indicator"]):
            out.figures.agree += 1
        else:
            out.errors.append(
                f"chỉ tiêu của {g['as_written']} ({g['context']}): "
                f"{doc.facts[best].indicator} ≠ {g['indicator'] or 'không có'}"
            )
    for i, f in enumerate(doc.facts):
        if i not in used:
            out.errors.append(f"thừa số liệu {f.as_written} ({f.quote[:60]})")


def _score_tasks(doc: Document, gold: list[dict[str, str]], out: FileScore) -> None:
    used: set[int] = set()
    out.tasks.extracted, out.tasks.gold = len(doc.focus_tasks), len(gold)
    for g in gold:
        start = " ".join(nfc(g["text_start"]).split())
        hit = next(
            (
                i
                for i, t in enumerate(doc.focus_tasks)
                if i not in used and t.for_period == g["for_period"] and " ".join(t.text.split()).startswith(start)
            ),
            None,
        )
        if hit is None:
            out.errors.append(f"thiếu nhiệm vụ “{start}”")
            continue
        used.add(hit)
        out.tasks.tp += 1
    for i, t in enumerate(doc.focus_tasks):
        if i not in used:
            out.errors.append(f"thừa nhiệm vụ “{t.text[:50]}”")


def _score_legal(doc: Document, gold: list[dict[str, str]], out: FileScore) -> None:
    found = {r.number: r for r in doc.legal_refs}
    out.legal.extracted, out.legal.gold = len(doc.legal_refs), len(gold)
    for g in gold:
        ref = found.pop(nfc(g["number"]), None)
        if ref is None or (ref.date.isoformat() if ref.date else "") != g["date"]:
            out.errors.append(f"thiếu hoặc sai văn bản {g['number']} ({g['date'] or 'không ngày'})")
            continue
        out.legal.tp += 1
        if ref.issuer == g["issuer"] and ref.doc_type == g["doc_type"]:
            out.legal.agree += 1
        else:
            out.errors.append(f"văn bản {g['number']}: {ref.doc_type}/{ref.issuer} ≠ {g['doc_type']}/{g['issuer']}")
    for number in found:
        out.errors.append(f"thừa văn bản {number}")


def _score_metadata(doc: Document, gold: dict[str, str], out: FileScore) -> None:
    got = {
        "province_code": doc.province[0] if doc.province else "",
        "period": doc.period or "",
        "for_period": doc.for_period or "",
        "meeting_type": doc.meeting.type or "",
        "meeting_date": doc.meeting.date.isoformat() if doc.meeting.date else "",
        "published": doc.published.isoformat() if doc.published else "",
    }
    out.period.gold = out.period.extracted = 1
    out.period.tp = int(got["period"] == gold["period"])
    if gold["province_code"]:
        out.province.gold = out.province.extracted = 1
        out.province.tp = int(got["province_code"] == gold["province_code"])
    for key, value in got.items():
        out.metadata.gold += 1
        out.metadata.extracted += 1
        if value == gold[key]:
            out.metadata.tp += 1
        else:
            out.errors.append(f"{key}: {value or 'trống'} ≠ {gold[key] or 'trống'}")
    if gold["warning"]:
        out.metadata.gold += 1
        out.metadata.extracted += 1
        if any(gold["warning"] in w for w in doc.warnings):
            out.metadata.tp += 1
        else:
            out.errors.append(f"thiếu cảnh báo “{gold['warning']}”")


def score_corpus(
    gold_dir: str | Path | None = None, sources: str | Path | None = None
) -> tuple[list[FileScore], FileScore]:
    """Return the score of every file of the gold (`tests/gold/`) and the overall score.

    Extracts each report of `sources` (default: the gold's own copies, `tests/gold/sources/`) that
    the gold names.
    """
    gold_dir = Path(gold_dir or GOLD_DIR)
    sources = Path(sources or GOLD_SETS["five texts"][1])
    figures, tasks = _read(gold_dir / "figures.csv"), _read(gold_dir / "focus_tasks.csv")
    legal, documents = _read(gold_dir / "legal_refs.csv"), _read(gold_dir / "documents.csv")
    scores = []
    total = FileScore("overall")
    for meta in documents:
        name = meta["report_file"]
        doc = extract_file(sources / name)
        out = FileScore(name)
        _score_figures(doc, [g for g in figures if g["report_file"] == name], out)
        _score_tasks(doc, [g for g in tasks if g["report_file"] == name], out)
        _score_legal(doc, [g for g in legal if g["report_file"] == name], out)
        _score_metadata(doc, meta, out)
        for part in ("figures", "tasks", "legal", "metadata", "period", "province"):
            getattr(total, part).add(getattr(out, part))
        scores.append(out)
    return scores, total


def compare_observations(data_dir: str | Path | None = None, gold_dir: str | Path | None = None) -> list[str]:
    """Return the disagreements between `data/observations.csv` and the gold figures, one line
    each: an observation whose indicator the gold gives another figure (value, qualifier, kind,
    measure or denominator), or that the gold does not have. Observations of reports the gold does
    not label (reports an analyst added to `data/`) are not compared: `giaoban validate` checks them."""
    data_dir = Path(data_dir or paths.DATA)
    gold_dir = Path(gold_dir or GOLD_DIR)
    gold = _read(gold_dir / "figures.csv")
    labelled = {r["report_file"] for r in _read(gold_dir / "documents.csv")}
    files = {r["report_id"]: r["source_file"] for r in _read(data_dir / "reports.csv")}
    out = []
    for n, obs in enumerate(_read(data_dir / "observations.csv"), start=2):
        name = files.get(obs["report_id"])
        if name not in labelled:  # a report added by an analyst: the gold does not label it
            continue
        rows = [g for g in gold if g["report_file"] == name and g["indicator"] == obs["indicator"]]
        where = f"observations.csv:{n}: {obs['report_id']} {obs['indicator']}"
        if not rows:
            out.append(f"{where}: không có trong gold")
            continue
        g = rows[0]
        diffs = [
            f"{key} {obs[key] or 'trống'} ≠ {g[key] or 'trống'}"
            for key in ("qualifier", "kind", "measure", "denominator")
            if obs[key] != g[key]
        ]
        if not _same_value(float(obs["value"]), float(g["value"])):
            diffs.insert(0, f"value {obs['value']} ≠ {g['value']}")
        if re.sub(r"\s+", " ", g["as_written"]) not in obs["quote"]:
            diffs.append(f"quote không chứa {g['as_written']}")
        if diffs:
            out.append(f"{where}: " + "; ".join(diffs))
    return out
