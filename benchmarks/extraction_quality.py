"""Extraction quality: precision and recall against the hand-labelled gold of tests/gold/.

Two gold sets (see `giaoban.reading.extract.scoring`): the five source reports, and `tests/gold/provinces/`,
short reports written for the gold in the style of other provinces' reports.

    .venv/bin/python benchmarks/extraction_quality.py            # table per file and overall, both sets
    .venv/bin/python benchmarks/extraction_quality.py --details  # and every miss / extra / mismatch
    .venv/bin/python benchmarks/extraction_quality.py --json     # the numbers, for scripts

Exit status 1 when the overall figures of either set fall below recall 0.95 or precision 0.90.
"""

from __future__ import annotations

import argparse
import json
import sys

from giaoban.reading.extract.scoring import GOLD_SETS, compare_observations, score_corpus

RECALL, PRECISION = 0.95, 0.90
PARTS = ("figures", "tasks", "legal", "metadata", "period", "province")


def _row(name: str, s) -> str:
    f, t, l, m = s.figures, s.tasks, s.legal, s.metadata
    return (f"{name:<32} {f.precision:6.1%} {f.recall:6.1%} {f.agreement:6.1%}  "
            f"{t.precision:6.1%} {t.recall:6.1%}  {l.precision:6.1%} {l.recall:6.1%}  {m.recall:6.1%} "
            f"{s.period.recall:6.1%} {s.province.recall:6.1%}")


def _numbers(s) -> dict:
    return {part: {"precision": getattr(s, part).precision, "recall": getattr(s, part).recall,
                   "agreement": getattr(s, part).agreement, "tp": getattr(s, part).tp,
                   "extracted": getattr(s, part).extracted, "gold": getattr(s, part).gold}
            for part in PARTS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="list every error per file")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args(argv)
    results = {name: score_corpus(gold, texts) for name, (gold, texts) in GOLD_SETS.items()}
    if args.json:
        print(json.dumps({name: {"files": {s.file: _numbers(s) for s in files}, "overall": _numbers(total)}
                          for name, (files, total) in results.items()}, indent=2))
    else:
        for name, (files, total) in results.items():
            print(f"== gold: {name} ({len(files)} reports)")
            print(f"{'':<32} {'figures':^20}  {'focus tasks':^13}  {'legal refs':^13}  {'meta':^6} "
                  f"{'period':^6} {'prov.':^6}")
            print(f"{'file':<32} {'P':>6} {'R':>6} {'ind.':>6}  {'P':>6} {'R':>6}  {'P':>6} {'R':>6}  "
                  f"{'acc.':>6} {'acc.':>6} {'acc.':>6}")
            for s in files:
                print(_row(s.file, s))
            print(_row("overall", total))
            f = total.figures
            print(f"figures: {f.tp} matched of {f.gold} gold and {f.extracted} extracted; "
                  f"indicator right on {f.agree} of {f.tp} ({f.agreement:.1%}); "
                  f"period right on {total.period.tp} of {total.period.gold} reports, "
                  f"province on {total.province.tp} of {total.province.gold}\n")
            if args.details:
                for s in files:
                    for line in s.errors:
                        print(f"  {s.file}: {line}")
                print()
        disagreements = compare_observations()
        print(f"data/observations.csv vs gold: {len(disagreements)} disagreement(s)")
        for line in disagreements:
            print(f"  {line}")
    ok = all(total.figures.recall >= RECALL and total.figures.precision >= PRECISION
             for _files, total in results.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
