"""How far one changed figure reaches: for every count of a synthetic data folder, change it by +10%
(as `synthetic.change_one_figure` does) and count the other provinces whose standing (rank, number
of provinces, median: `giaoban.data.standings`) moves, that is, whose briefing of that period must be
executed again besides the changed province's own pages.

    .venv/bin/python benchmarks/synthetic.py --out /tmp/synthetic --periods 2
    .venv/bin/python benchmarks/change_reach.py /tmp/synthetic

Prints the number of changes tried, the median and 90th percentile of the other briefings reached,
and the share of changes that move the period's median (which every briefing of the period shows).
Synthetic data only: refuses a folder without SYNTHETIC.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from giaoban.data.dataset import load_dataset
from giaoban.data.standings import ranking, standings

KEY = ["rank", "n", "median"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help="a synthetic data folder (benchmarks/synthetic.py --out)")
    args = parser.parse_args(argv)
    folder = Path(args.data)
    if not (folder / "SYNTHETIC.md").is_file():
        print(f"{folder}: không phải thư mục dữ liệu giả lập (thiếu SYNTHETIC.md)", file=sys.stderr)
        return 2
    dataset = load_dataset(folder)
    catalogue = ranking(dataset.catalogue.indicators)
    counts = {i.code for i in dataset.catalogue.indicators if i.rankable and i.value_type == "count"}
    named = dataset.reports.loc[dataset.reports["province"].notna(), ["report_id", "province"]]
    peers = dataset.observations.merge(named, on="report_id")
    peers = peers[(peers["kind"] == "actual") & (peers["measure"] == "level") & peers["indicator"].isin(counts)]
    reached, median_moved = [], 0
    for (_, _), group in peers.groupby(["period", "indicator"]):
        before = standings(group, catalogue).set_index("province")[KEY]
        for index, value in group["value"].astype(float).items():
            changed = group.copy()
            changed.loc[index, "value"] = value + max(1, round(value * 0.1))
            after = standings(changed, catalogue).set_index("province")[KEY]
            mine = group.loc[index, "province"]
            moved = [p for p in before.index if p != mine and not before.loc[p].equals(after.loc[p])]
            reached.append(len(moved))
            median_moved += before["median"].iloc[0] != after["median"].iloc[0]
    reached.sort()
    print(f"{len(reached)} thay đổi thử; số bản tin tỉnh khác bị ảnh hưởng: trung vị {statistics.median(reached):g}, "
          f"phân vị 90 {reached[int(0.9 * len(reached))]}; {median_moved / len(reached):.1%} thay đổi làm đổi trung vị")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
