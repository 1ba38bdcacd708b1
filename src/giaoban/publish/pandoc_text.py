"""The plain text of pandoc's AST (its JSON form): what a reader sees of a heading, a link or a table
cell, for titles, link checks and fitting table columns."""

from __future__ import annotations

import re

__all__ = ["stringify"]


def stringify(inlines) -> str:
    """Return the plain text of pandoc inlines (footnotes left out)."""
    out: list[str] = []

    def visit(node):
        if isinstance(node, list):
            for n in node:
                visit(n)
            return
        if not isinstance(node, dict):
            return
        t = node.get("t")
        if t == "Str":
            out.append(node["c"])
        elif t in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif t in ("Code", "Math", "RawInline"):
            out.append(node["c"][1])
        elif t == "Note":
            return
        elif t == "Quoted":
            q = "“”" if node["c"][0]["t"] == "DoubleQuote" else "‘’"
            out.append(q[0])
            visit(node["c"][1])
            out.append(q[1])
        elif t in ("Link", "Image"):
            visit(node["c"][1])
        elif t in ("Span", "Cite"):
            visit(node["c"][1])
        elif "c" in node:
            visit(node["c"])

    visit(inlines)
    return re.sub(r"\s+", " ", "".join(out)).strip()
