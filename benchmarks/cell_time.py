"""Time the code of a notebook's cells in a warm process: what a page costs once the kernel has imported
everything and loaded the data (issue 13 asks ≤ 0.5 s a page for the briefing).

Runs each code cell of the notebook after the parameters cell, with the parameters of each page, and
turns every output into what the kernel would send (Markdown text, PNG of a figure), as
IPython's display would. The first page warms the process (imports, data cache) and is not counted.

    .venv/bin/python benchmarks/cell_time.py --data benchmarks/out/synthetic --period 2026-H1 \\
        --provinces 51 01 79 04 --notebook notebooks/briefing.ipynb
"""

from __future__ import annotations

import argparse
import ast
import json
import statistics
import time
from pathlib import Path
from typing import Any


def _materialise(value: Any) -> None:
    """Produce what the kernel would send for `value` (so the time includes drawing the charts)."""
    from matplotlib.figure import Figure

    from giaoban.briefing import charts

    if value is None:
        return
    if isinstance(value, list):  # charts.Figures
        for item in value:
            _materialise(item)
        return
    if isinstance(value, Figure):
        charts.to_png(value)
        return
    bundle = getattr(value, "_repr_mimebundle_", None)
    if bundle is not None:
        bundle()
        return
    getattr(value, "data", None)


def run(notebook: Path, pages: list[dict], data: str | None, cpu: list[float] | None = None) -> list[float]:
    """Return the seconds each page's cells took (the first page, the warm-up, left out); the CPU
    seconds of each (this process) are appended to `cpu` when given."""
    import IPython.display as display_module

    cells = [c for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    body = ["".join(c["source"]) for c in cells[1:]]
    original = display_module.display
    times = []
    for n, params in enumerate(pages):
        scope: dict[str, Any] = dict(params)
        if data:
            import os

            os.environ["GIAOBAN_DATA"] = data
        display_module.display = lambda *objs, **_: [_materialise(o) for o in objs]
        start, start_cpu = time.perf_counter(), time.process_time()
        try:
            for source in body:
                tree = ast.parse(source.replace("from IPython.display import display", "pass"))
                last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
                names = {**scope, "display": display_module.display}
                exec(compile(tree, "<cell>", "exec"), names)
                if last is not None:
                    _materialise(eval(compile(ast.Expression(last.value), "<cell>", "eval"), names))
                scope.update({k: v for k, v in names.items() if k != "__builtins__"})
        finally:
            display_module.display = original
        if n:
            times.append(time.perf_counter() - start)
            if cpu is not None:
                cpu.append(time.process_time() - start_cpu)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", type=Path, default=Path("notebooks/briefing.ipynb"))
    parser.add_argument("--data", default=None)
    parser.add_argument("--period", default="2026-H1")
    parser.add_argument("--provinces", nargs="+", default=["51", "01", "79", "04"])
    parser.add_argument("--lang", default="vi")
    args = parser.parse_args()
    if args.notebook.stem == "province":
        pages = [{"province": p, "on": None, "lang": args.lang} for p in [args.provinces[0], *args.provinces]]
    else:
        pages = [{"province": p, "period": args.period, "lang": args.lang, "meeting_type": None, "meeting_date": None}
                 for p in [args.provinces[0], *args.provinces]]
    cpu: list[float] = []
    times = run(args.notebook, pages, args.data, cpu)
    print(f"{len(times)} trang: trung vị {statistics.median(times):.2f} s, "
          f"thấp nhất {min(times):.2f} s, cao nhất {max(times):.2f} s; "
          f"CPU trung vị {statistics.median(cpu):.2f} s, thấp nhất {min(cpu):.2f} s, cao nhất {max(cpu):.2f} s")


if __name__ == "__main__":
    main()
