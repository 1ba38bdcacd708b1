"""Extraction quality on the five source reports: precision and recall against tests/gold/.

    .venv/bin/python benchmarks/extraction_quality.py            # table per file and overall
    .venv/bin/python benchmarks/extraction_quality.py --details  # and every miss / extra / mismatch
    .venv/bin/python benchmarks/extraction_quality.py --json     # the numbers, for scripts

Exit status 1 when the overall figures fall below recall 0.95 or precision 0.90.
"""

from __future__ import annotations

import argparse
import json
import sys

from giaoban.extract.scoring import compare_observations, score_corpus

RECALL, PRECISION = 0.95, 0.90


def _row(name: str, s) -> str:
    f, t, l, m = s.figures, s.tasks, s.legal, s.metadata
    return (f"{name:<26} {f.precision:6.1%} {f.recall:6.1%} {f.agreement:6.1%}  "
            f"{t.precision:6.1%} {t.recall:6.1%}  {l.precision:6.1%} {l.recall:6.1%}  {m.recall:6.1%}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="list every error per file")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args(argv)
    files, total = score_corpus()
    if args.json:
        def numbers(s):
            return {part: {"precision": getattr(s, part).precision, "recall": getattr(s, part).recall,
                           "agreement": getattr(s, part).agreement, "tp": getattr(s, part).tp,
                           "extracted": getattr(s, part).extracted, "gold": getattr(s, part).gold}
                    for part in ("figures", "tasks", "legal", "metadata")}
        print(json.dumps({"files": {s.file: numbers(s) for s in files}, "overall": numbers(total)},
                         indent=2))
    else:
        print(f"{'':<26} {'figures':^20}  {'focus tasks':^13}  {'legal refs':^13}  {'meta':^6}")
        print(f"{'file':<26} {'P':>6} {'R':>6} {'ind.':>6}  {'P':>6} {'R':>6}  {'P':>6} {'R':>6}  {'acc.':>6}")
        for s in files:
            print(_row(s.file, s))
        print(_row("overall", total))
        f = total.figures
        print(f"\nfigures: {f.tp} matched of {f.gold} gold and {f.extracted} extracted; "
              f"indicator right on {f.agree} of {f.tp}")
        if args.details:
            for s in files:
                for line in s.errors:
                    print(f"  {s.file}: {line}")
        disagreements = compare_observations()
        print(f"data/observations.csv vs gold: {len(disagreements)} disagreement(s)")
        for line in disagreements:
            print(f"  {line}")
    ok = total.figures.recall >= RECALL and total.figures.precision >= PRECISION
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
