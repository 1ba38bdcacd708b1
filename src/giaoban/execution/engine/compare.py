"""Are two executed notebooks the same? Cell by cell: sources, outputs, their types, text and image bytes.

`differences(a, b)` is what the build-speed benchmark and the tests use to check that an engine's
executed notebooks equal Papermill's. What legitimately differs between two executions is ignored:
timings and run metadata (`metadata.papermill` of notebook and cells, `metadata.giaoban`,
`execution` timestamps, `language_info` and `kernelspec` details), cell ids, and the execution count
of a cell only by the same offset everywhere is *not* ignored (both engines number cells from 1).
Images are compared by their decoded bytes (PNG, JPEG) or text (SVG).
"""

from __future__ import annotations

import base64
import os
from typing import Any
import json

__all__ = ["differences", "normalise_output"]

_IGNORED_OUTPUT_METADATA = ("execution",)


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def normalise_output(output: dict) -> dict:
    """Return an output as plain data to compare: its type, stream name, text, and mime bundle with
    images decoded to bytes (metadata kept except timing)."""
    kind = output.get("output_type")
    out: dict[str, Any] = {"type": kind}
    if kind == "stream":
        out.update(name=output.get("name"), text=_text(output.get("text", "")))
    elif kind in ("display_data", "execute_result"):
        data: dict[str, Any] = {}
        for mime, value in sorted(output.get("data", {}).items()):
            if mime in ("image/png", "image/jpeg", "image/gif"):
                data[mime] = base64.b64decode(_text(value))
            elif isinstance(value, (dict, list)) and not mime.startswith("text/") and mime != "image/svg+xml":
                data[mime] = value
            else:
                data[mime] = _text(value)
        out["data"] = data
        out["metadata"] = {k: v for k, v in output.get("metadata", {}).items() if k not in _IGNORED_OUTPUT_METADATA}
        if kind == "execute_result":
            out["execution_count"] = output.get("execution_count")
    elif kind == "error":
        out.update(
            ename=output.get("ename"),
            evalue=output.get("evalue"),
            traceback=[_strip_paths(line) for line in output.get("traceback", [])],
        )
    return out


def _strip_paths(line: str) -> str:
    return line.replace(os.getcwd(), ".")


def _notebook(value: Any) -> dict:
    if isinstance(value, dict):
        return value

    with open(value, encoding="utf-8") as fh:
        return json.load(fh)


def differences(a: Any, b: Any, *, limit: int = 20) -> list[str]:
    """Return how the executed notebooks `a` and `b` (paths or parsed JSON) differ, one line each
    (empty when they are equivalent): number of cells, and for each cell its type, source, tags,
    execution count and outputs (type, stream text, mime bundle with image bytes, errors)."""
    na, nb = _notebook(a), _notebook(b)
    ca, cb = na.get("cells", []), nb.get("cells", [])
    out: list[str] = []
    if len(ca) != len(cb):
        out.append(f"số ô khác nhau: {len(ca)} ≠ {len(cb)}")
    for i, (x, y) in enumerate(zip(ca, cb)):
        where = f"ô {i}"
        if x.get("cell_type") != y.get("cell_type"):
            out.append(f"{where}: loại ô {x.get('cell_type')} ≠ {y.get('cell_type')}")
            continue
        if _text(x.get("source", "")) != _text(y.get("source", "")):
            out.append(f"{where}: mã nguồn khác")
        if sorted(x.get("metadata", {}).get("tags", [])) != sorted(y.get("metadata", {}).get("tags", [])):
            out.append(f"{where}: thẻ khác")
        if x.get("cell_type") != "code":
            continue
        if x.get("execution_count") != y.get("execution_count"):
            out.append(f"{where}: execution_count {x.get('execution_count')} ≠ {y.get('execution_count')}")
        ox = [normalise_output(o) for o in x.get("outputs", [])]
        oy = [normalise_output(o) for o in y.get("outputs", [])]
        if len(ox) != len(oy):
            out.append(f"{where}: số đầu ra {len(ox)} ≠ {len(oy)}")
        for j, (p, q) in enumerate(zip(ox, oy)):
            if p == q:
                continue
            if p["type"] != q["type"]:
                out.append(f"{where}, đầu ra {j}: loại {p['type']} ≠ {q['type']}")
                continue
            keys = sorted(k for k in set(p) | set(q) if p.get(k) != q.get(k))
            if "data" in keys:
                mimes = sorted(m for m in set(p["data"]) | set(q["data"]) if p["data"].get(m) != q["data"].get(m))
                keys = [k for k in keys if k != "data"] + [f"data[{m}]" for m in mimes]
            out.append(f"{where}, đầu ra {j} ({p['type']}): khác ở {', '.join(keys)}")
        if len(out) >= limit:
            out.append("…")
            break
    return out
