"""The house plan (docs/ARCHITECTURE.md): each package imports only the packages below it, so
there is no cycle, extractors import nothing above them, and warehouse and scoring never import
the flows or the CLI. Read from the source with ast, imports inside functions included."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Each package and the project packages it may import (besides itself).
ALLOWED = {
    "extractors": set(),
    "config": {"extractors"},
    "scoring": {"extractors"},
    "warehouse": {"extractors", "scoring"},
    "fetch": {"config"},
    "flows": {"config", "extractors", "fetch", "scoring", "warehouse"},
    "cli": {"config", "extractors", "fetch", "flows", "scoring", "warehouse"},
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & set(ALLOWED)


def test_imports_point_only_down():
    wrong = []
    for package, allowed in ALLOWED.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            for name in imported_packages(path) - allowed - {package}:
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert wrong == []


def test_the_allowed_graph_has_no_cycle():
    seen: dict[str, int] = {}

    def depth(package: str, trail: tuple = ()) -> int:
        assert package not in trail, " -> ".join(trail + (package,))
        if package not in seen:
            seen[package] = 1 + max((depth(p, trail + (package,)) for p in ALLOWED[package]), default=0)
        return seen[package]

    for package in ALLOWED:
        depth(package)


def test_adapters_folder_holds_only_adapters():
    from extractors import registry

    assert registry.module_names() == registry.names()
