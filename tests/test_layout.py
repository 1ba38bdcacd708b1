"""The package's layout by stage (CONTRIBUTING.md, "Where things live"): imports run one way, from a
later stage to an earlier one, and no module imports itself back through others (a circle).

The walk reads the source with `ast`, so it sees every import: at the top of a module and inside
functions, where imports used to hide from circles. An import inside a function is allowed only for
start-up time, and then says so in a comment on its line or the line above.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import giaoban

PACKAGE = Path(giaoban.__file__).parent

#: The stages the data flows through, in order; a module may import its own stage and earlier ones.
STAGES = ("domain", "data", "reading", "briefing", "execution", "publish", "build")
#: The foundations at the root, which every stage may import and which import no stage.
FOUNDATIONS = ("errors", "files", "hashes", "locks", "paths")
#: The front door: the command line, which may import every stage (and the package's own face).
FRONT = ("cli", "__main__")


@functools.cache
def modules() -> dict[str, Path]:
    """Every module of the package, by dotted name (a package by the name of its `__init__`)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def rank(module: str) -> int:
    """The place of a module in the flow: foundations 0, the stages 1 to 7, the front door (and the
    package's root, whose `from giaoban import charts` serves the notebooks) last."""
    parts = module.split(".")
    if len(parts) == 1:
        return len(STAGES) + 1
    if parts[1] in FOUNDATIONS:
        return 0
    if parts[1] in FRONT:
        return len(STAGES) + 1
    assert parts[1] in STAGES, f"{module}: not in a stage folder, nor a foundation, nor the command line"
    return STAGES.index(parts[1]) + 1


def imports(known: dict[str, Path]) -> list[tuple[str, str, int, bool]]:
    """(importer, imported module, line, inside a function) for every import of a giaoban module."""
    found = []
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        inner = {
            id(node)
            for fn in ast.walk(tree)
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
            for node in ast.walk(fn)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            else:
                continue
            for target in targets:
                while target and target not in known:
                    target = target.rpartition(".")[0]
                # a module's own packages are imported with it: not an edge of the graph
                if target and target != name and not name.startswith(target + "."):
                    found.append((name, target, node.lineno, id(node) in inner))
    return found


def circles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_every_module_lives_in_a_stage_folder_a_foundation_or_the_command_line():
    for name in modules():
        rank(name)  # fails naming the module that is in none


def test_imports_run_from_later_stages_to_earlier_ones_never_back():
    known = modules()
    back = sorted(
        f"{a} (stage {rank(a)}) imports {b} (stage {rank(b)}), line {line}"
        for a, b, line, _ in imports(known)
        if b != "giaoban" and rank(b) > rank(a)
    )
    assert back == []


def test_no_module_imports_itself_back_through_others():
    edges = {(a, b) for a, b, _, _ in imports(modules())}
    assert circles(edges) == []


def test_the_circle_finder_finds_a_circle_and_a_back_import():
    # the check itself can fail: a circle of three and its members named
    assert circles({("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")}) == [["a", "b", "c"]]
    assert rank("giaoban.domain.periods") < rank("giaoban.data.dataset") < rank("giaoban.publish.site")


def _run_heads(tree: ast.AST) -> dict[int, int]:
    """For each import inside a function, the line of the first import of its run (imports that
    follow each other in one block share the comment above the first)."""
    heads = {}
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for block in ast.walk(fn):
            body = getattr(block, "body", None)
            if not isinstance(body, list):
                continue
            head = None
            for node in body:
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    head = head or node.lineno
                    heads[node.lineno] = head
                else:
                    head = None
    return heads


def test_an_import_inside_a_function_says_why_it_is_there():
    silent = []
    for name, path in modules().items():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for line, head in sorted(_run_heads(ast.parse(text)).items()):
            if not any("#" in lines[n - 1] for n in range(head, line + 1)) and not lines[head - 2].strip().startswith("#"):
                silent.append(f"{path.relative_to(PACKAGE.parent)}:{line}: an import inside a function, without a comment")
    assert silent == []


def test_each_stage_says_what_it_holds_and_what_it_may_import():
    for stage in STAGES:
        doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "May import" in doc, stage
