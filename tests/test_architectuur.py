"""The import structure of verhalen: no module outside ``verhalen.cli`` imports the command
line, no CLI command imports another, and no modules or packages import each other in a circle.

The rule, precisely (imports are read with ``ast``, nothing is executed):

* Nodes are the modules of the package: each ``.py`` file; a package's ``__init__.py`` is the
  node of the package itself (``verhalen.coderen``).
* Every ``import``/``from … import`` of a verhalen module counts — at module level and inside
  functions (a lazy import is still a dependency; it only moves the circle to run time) — except
  under ``if TYPE_CHECKING:``. ``from P import n`` is an edge to ``P.n`` when that is a module,
  else to ``P``; importing ``a.b.c`` is an edge to ``a.b.c`` only: the parent packages that
  Python runs first are not counted, so a package ``__init__`` that re-exports its submodules
  (a facade) does not by itself make its submodules depend on each other. A submodule that
  imports *through* its package (``from ..coderen import X``) depends on that ``__init__``,
  and that does count. An import of a module that does not exist in the tree (an optional
  module, or one another branch adds) is no edge.
* Module circle: a strongly connected component of more than one module.
* Package circle: modules grouped by their first level under ``verhalen`` (``verhalen.coderen``
  with all its submodules, ``verhalen.codes``, ``verhalen.cli``, …, and ``verhalen`` itself
  for the root ``__init__``); a circle between two or more such groups.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"


def _modules(root: Path, package: str) -> dict[str, tuple[Path, bool]]:
    out = {}
    for f in sorted((root / package).rglob("*.py")):
        parts = list(f.relative_to(root).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts = parts[:-1]
        out[".".join(parts)] = (f, is_pkg)
    return out


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return ((isinstance(t, ast.Name) and t.id == "TYPE_CHECKING")
            or (isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING"))


def _imports(tree: ast.AST):
    skip: set[int] = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.If) and _is_type_checking(n):
            skip.update(id(m) for m in ast.walk(n))
    for n in ast.walk(tree):
        if id(n) not in skip and isinstance(n, (ast.Import, ast.ImportFrom)):
            yield n


def import_graph(root: Path, package: str = "verhalen") -> dict[str, set[str]]:
    """module -> the package modules it imports (see the module docstring for the rule)."""
    mods = _modules(root, package)
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for mod, (path, is_pkg) in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        here = mod.split(".") if is_pkg else mod.split(".")[:-1]
        for node in _imports(tree):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                if node.level:
                    base = here[: len(here) - (node.level - 1)]
                    src = ".".join(base + ([node.module] if node.module else []))
                else:
                    src = node.module or ""
                targets = [f"{src}.{a.name}" if f"{src}.{a.name}" in mods else src
                           for a in node.names]
            for t in targets:       # a module that is not there (optional, not yet
                if t in mods and t != mod:      # merged) is no edge
                    graph[mod].add(t)
    return graph


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    def unit(m: str) -> str:
        return ".".join(m.split(".")[:2])

    out: dict[str, set[str]] = {}
    for m, targets in graph.items():
        out.setdefault(unit(m), set())
        for t in targets:
            out.setdefault(unit(t), set())
            if unit(t) != unit(m):
                out[unit(m)].add(unit(t))
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    counter = [0]
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 10_000))

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    try:
        for v in sorted(graph):
            if v not in index:
                visit(v)
    finally:
        sys.setrecursionlimit(old)
    return found


def cli_violations(graph: dict[str, set[str]], package: str = "verhalen") -> list[str]:
    """Imports of ``<package>.cli`` from outside it, and CLI commands importing each other
    (only ``cli.main``, the dispatcher, may import the commands)."""
    cli = f"{package}.cli"
    bad = []
    for mod, targets in sorted(graph.items()):
        for t in sorted(targets):
            if not (t == cli or t.startswith(cli + ".")):
                continue
            inside = mod == cli or mod.startswith(cli + ".")
            if not inside:
                bad.append(f"{mod} importeert {t}")
            elif mod != f"{cli}.main" and t != cli:
                bad.append(f"{mod} importeert {t} (een CLI-opdracht importeert een andere)")
    return bad


# ------------------------------------------------------------------------------------------
def test_no_module_outside_cli_imports_the_cli():
    assert cli_violations(import_graph(SRC)) == []


def test_no_module_circles():
    assert cycles(import_graph(SRC)) == []


def test_no_package_circles():
    assert cycles(package_graph(import_graph(SRC))) == []


def test_the_graph_sees_the_real_package():
    g = import_graph(SRC)
    assert "verhalen.project" in g and "verhalen.codeboek" in g["verhalen.coderen.basis"]
    assert "verhalen.project" in g["verhalen.cli.analyse"]


# ------------------------------------------------------------------------------------------
def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root


def test_the_check_fails_on_a_real_circle(tmp_path):
    """A tiny package with the circle verhalen had: a.basis → codeboek (lazy, in a function)
    → a.regels → a.basis; plus a package circle x ↔ y through a function-level import."""
    root = _write(tmp_path, {
        "pak/__init__.py": "",
        "pak/codeboek.py": "def load():\n    from .a.regels import parse\n    return parse\n",
        "pak/a/__init__.py": "from .basis import Base\nfrom .regels import parse\n",
        "pak/a/basis.py": "class Base:\n    def f(self):\n        from ..codeboek import load\n",
        "pak/a/regels.py": "from .basis import Base\n\ndef parse():\n    pass\n",
        "pak/x/__init__.py": "from .m import f\n",
        "pak/x/m.py": "def f():\n    from ..y.n import g\n",
        "pak/y/__init__.py": "",
        "pak/y/n.py": "from pak.x import m\n\ndef g():\n    pass\n",
        "pak/cli/__init__.py": "",
        "pak/cli/main.py": "from . import een\n",
        "pak/cli/een.py": "from .twee import helper\n",
        "pak/cli/twee.py": "def helper():\n    pass\n",
        "pak/gebruik.py": "from .cli.twee import helper\n",
    })
    g = import_graph(root, "pak")
    mods = cycles(g)
    assert ["pak.a.basis", "pak.a.regels", "pak.codeboek"] in mods
    assert ["pak.x", "pak.y"] in cycles(package_graph(g))
    assert ["pak.a", "pak.codeboek"] in cycles(package_graph(g))
    bad = cli_violations(g, "pak")
    assert "pak.gebruik importeert pak.cli.twee" in bad
    assert any(b.startswith("pak.cli.een importeert pak.cli.twee") for b in bad)
    assert not any(b.startswith("pak.cli.main") for b in bad)


def test_facades_and_type_checking_are_not_circles(tmp_path):
    """A package __init__ re-exporting its submodules, submodules importing siblings directly,
    and imports under TYPE_CHECKING: no circle."""
    root = _write(tmp_path, {
        "pak/__init__.py": "from .a import Base\n",
        "pak/a/__init__.py": "from .basis import Base\nfrom .regels import parse\n",
        "pak/a/basis.py": "from ..fouten import Fout\n",
        "pak/a/regels.py": "from .basis import Base\n",
        "pak/fouten.py": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                          "    from .a.basis import Base\nclass Fout(Exception):\n    pass\n"),
    })
    g = import_graph(root, "pak")
    assert cycles(g) == [] and cycles(package_graph(g)) == []
    # ...but importing through the package facade from inside it is a circle
    _write(root, {"pak/a/basis.py": "from ..fouten import Fout\nfrom . import regels\n"
                                    "from pak.a import parse\n"})
    assert cycles(import_graph(root, "pak")) != []


@pytest.mark.parametrize("mod", ["verhalen.codeboek_model", "verhalen.coderen.codeboek",
                                 "verhalen.sporen.rapport"])
def test_old_homes_are_gone(mod):
    """One home each: the codebook lives in verhalen.codeboek, the report in verhalen.rapport."""
    assert mod not in import_graph(SRC)
