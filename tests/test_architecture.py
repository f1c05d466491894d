"""The package's layering: no import cycle between subpackages or between modules, no import from a higher layer.

The graph is built with :mod:`ast` from every module's imports, at module level and inside functions alike (a
function-level import is still a dependency; it only hides the cycle until the function runs). Imports under
``if TYPE_CHECKING:`` are annotations, not dependencies, and are left out.

Layers, lowest first (a module may import its own layer and any lower one; CONTRIBUTING.md explains them):

0. core        ``cm_research`` itself, ``errors``, ``resources``, ``dictionary``, ``contract`` (the table contract),
               ``resampling``, ``run_folder``, ``deprecation``
1. files       ``data`` (load and validate), ``interop`` (foreign formats)
2. analysis    ``measures``, ``stats``, ``qual``, ``privacy``, ``surveys``, ``quality``, ``frameworks``, ``mentors``;
               statistics (``stats``, ``measures``) never import ``privacy``: publication policy is applied
               above them
2b. QDA formats ``interop.qda`` (REFI-QDA, Taguette, the project folder: they read into and write from
               ``qual``'s model, so they sit above it; the rest of ``interop`` is a file layer below the analysis)
3. demo        ``datasets`` (synthetic demo material, made with the analysis layer's own tools)
4. figures     ``plots``
5. documents   ``report``
6. runs        ``batch``
7. front ends  ``cli``, ``app`` (and ``mentors.cli``, the command line of the mentor matching)
"""

from __future__ import annotations

import ast
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cm_research"

LAYERS: list[set[str]] = [
    {"<root>", "errors", "resources", "dictionary", "contract", "resampling", "run_folder", "deprecation"},
    {"data", "interop"},
    {"measures", "stats", "qual", "privacy", "surveys", "quality", "frameworks", "mentors"},
    {"interop.qda"},
    {"datasets"},
    {"plots"},
    {"report"},
    {"batch"},
    {"cli", "app", "mentors.cli", "interop_cli"},
]
#: (importer, imported) pairs forbidden even though the layers allow them
FORBIDDEN = {("stats", "privacy"), ("measures", "privacy")}


def _module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(package: Path, name: str) -> bool:
    return (package / f"{name}.py").is_file() or (package / name / "__init__.py").is_file()


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


@lru_cache(maxsize=None)  # parsed once for the four tests of the package
def import_graph(package: Path = PACKAGE) -> dict[str, set[tuple[str, int]]]:
    """Module → {(imported cm_research module, line)} for every import in the package (module and function level)."""
    graph: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for path in sorted(package.rglob("*.py")):
        name = _module_name(path, package)
        container = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        skip = _type_checking_lines(tree)
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) in skip:
                continue
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = container.split(".")[: len(container.split(".")) - node.level + 1]
                    target = ".".join([*base, node.module] if node.module else base)
                else:
                    target = node.module or ""
                # ``from cm_research import stats`` imports the subpackage; ``import __version__`` the package
                targets = [f"{target}.{a.name}" if target == "cm_research" and _is_module(package, a.name)
                           else target for a in node.names]
            else:
                continue
            for target in targets:
                if target == "cm_research" or target.startswith("cm_research."):
                    graph[name].add((target, node.lineno))
    return graph


def area(module: str) -> str:
    """The subpackage (or top-level module) a module belongs to; ``mentors.cli`` is its own front end and
    ``interop.qda`` its own layer."""
    parts = module.split(".")
    if len(parts) == 1:
        return "<root>"
    if parts[1:3] in (["mentors", "cli"], ["interop", "qda"]):
        return ".".join(parts[1:3])
    return parts[1]


def layer(module_area: str) -> int:
    for number, members in enumerate(LAYERS):
        if module_area in members:
            return number
    raise AssertionError(f"{module_area!r} is in no layer: add it to LAYERS in tests/test_architecture.py and to "
                         "CONTRIBUTING.md")


def _area_edges(graph) -> dict[tuple[str, str], list[str]]:
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for module, targets in graph.items():
        for target, line in targets:
            a, b = area(module), area(target)
            if a != b:
                edges[(a, b)].append(f"{module}:{line} imports {target}")
    return edges


def upward_imports(graph) -> list[str]:
    found = []
    for (a, b), where in sorted(_area_edges(graph).items()):
        if layer(b) > layer(a) or (a, b) in FORBIDDEN:
            found += where
    return found


def area_cycles(graph) -> list[list[str]]:
    """Every cycle between areas, as the sorted list of the areas on it."""
    succ: dict[str, set[str]] = defaultdict(set)
    for a, b in _area_edges(graph):
        succ[a].add(b)
    return _strongly_connected(sorted({n for pair in succ.items() for n in (pair[0], *pair[1])}), succ)


def test_every_area_has_a_layer():
    for module in import_graph():
        layer(area(module))


def test_no_import_reaches_up_a_layer():
    found = upward_imports(import_graph())
    assert not found, "imports against the layering (see tests/test_architecture.py):\n" + "\n".join(found)


def test_no_cycle_between_subpackages():
    graph = import_graph()
    cycles = area_cycles(graph)
    edges = _area_edges(graph)
    detail = [f"{' <-> '.join(c)}: " + "; ".join(w for (a, b), ws in edges.items() if a in c and b in c for w in ws)
              for c in cycles]
    assert not cycles, "import cycles between subpackages:\n" + "\n".join(detail)


# The checker itself, on a small made-up package: it must see what it is meant to catch.
def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "cm_research" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "cm_research"


def test_the_checker_finds_a_function_level_cycle_and_an_upward_import(tmp_path):
    package = _write(tmp_path, {
        "__init__.py": "",
        "stats/__init__.py": "",
        "stats/change.py": "from cm_research.measures.scoring import score\n",
        "measures/__init__.py": "",
        "measures/scoring.py": "def score():\n    from ..stats import change\n",
        "data/__init__.py": "",
        "data/reading.py": "import cm_research.report.html\n",
        "report/__init__.py": "",
        "report/html.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from cm_research.batch import x\n",
    })
    graph = import_graph(package)
    assert area_cycles(graph) == [["measures", "stats"]]
    found = upward_imports(graph)
    assert found == ["cm_research.data.reading:1 imports cm_research.report.html"]  # TYPE_CHECKING left out


def test_the_checker_forbids_statistics_importing_publication_policy(tmp_path):
    package = _write(tmp_path, {
        "__init__.py": "",
        "stats/survival.py": "from cm_research.privacy.suppression import suppress_counts\n",
    })
    assert upward_imports(import_graph(package)) == [
        "cm_research.stats.survival:1 imports cm_research.privacy.suppression"]


@pytest.mark.parametrize("module, expected", [("cm_research", "<root>"), ("cm_research.stats.change", "stats"),
                                              ("cm_research.mentors.cli", "mentors.cli"),
                                              ("cm_research.interop.qda.read", "interop.qda"),
                                              ("cm_research.interop.records", "interop"),
                                              ("cm_research.errors", "errors")])
def test_area_of_a_module(module, expected):
    assert area(module) == expected


def module_cycles(graph, package: Path = PACKAGE) -> list[list[str]]:
    """Cycles between modules (a package's ``__init__`` left out: importing a name the package re-exports from
    one of its own modules is how a package is put together, not a cycle of meaning)."""
    modules = set(graph)
    packages = {m for m in modules if (package.parent / m.replace(".", "/") / "__init__.py").is_file()}

    def resolve(target: str) -> str:
        while target and target not in modules:  # ``from a.b import name``: the module is a.b
            target = target.rpartition(".")[0]
        return target

    succ: dict[str, set[str]] = defaultdict(set)
    for module, targets in graph.items():
        for target, _ in targets:
            found = resolve(target)
            if found and found != module and module not in packages and found not in packages:
                succ[module].add(found)
    return _strongly_connected(sorted(modules - packages), succ)


def _strongly_connected(nodes, succ) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(succ[v]):
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
                components.append(sorted(component))

    for v in nodes:
        if v not in index:
            visit(v)
    return components


def test_no_cycle_between_modules():
    cycles = module_cycles(import_graph())
    assert not cycles, "import cycles between modules (function-level imports included):\n" + "\n".join(
        " <-> ".join(c) for c in cycles)


def test_the_checker_finds_a_cycle_between_two_modules_of_one_package(tmp_path):
    package = _write(tmp_path, {
        "__init__.py": "",
        "report/__init__.py": "from .site_report import site_report\n",
        "report/site_report.py": "from cm_research.report.referrals import profile\n",
        "report/referrals.py": "def profile():\n    from cm_research.report.site_report import bars\n",
    })
    graph = import_graph(package)
    assert area_cycles(graph) == []
    assert module_cycles(graph, package) == [["cm_research.report.referrals", "cm_research.report.site_report"]]
