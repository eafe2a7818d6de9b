"""Imports point one way (DESIGN.md): protocols imports nothing of Charter's; memory and
agents import only protocols; graph imports protocols, memory, agents; scenarios imports
graph and below; tui what it shows; cli sits on top. Root folders are never imported by
their bare names (`import graph`), and only tui imports textual."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import REPO

PARTS = ("protocols", "memory", "agents", "graph", "scenarios", "tui", "cli")
ALLOWED = {
    "protocols": {"protocols"},
    "memory": {"protocols", "memory"},
    "agents": {"protocols", "agents"},
    "graph": {"protocols", "memory", "agents", "graph"},
    "scenarios": {"protocols", "memory", "agents", "graph", "scenarios"},
    "tui": {"protocols", "memory", "agents", "graph", "scenarios", "tui"},
    "cli": set(PARTS),
}


def imported_modules(tree: ast.AST, package: list[str]) -> list[tuple[int, str]]:
    """(line, absolute module name) for every import; relative imports resolved against
    `package` (the importing module's package, as charter.x.y parts)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            if node.module is None or node.level:
                # `from . import x` may import submodule x
                found.extend((node.lineno, f"{module}.{alias.name}") for alias in node.names)
    return found


def violations(root: Path) -> list[str]:
    problems: list[str] = []
    for part in PARTS:
        for path in sorted((root / part).rglob("*.py")):
            relative = path.relative_to(root)
            package = ["charter", *relative.parent.parts]
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for line, module in imported_modules(tree, package):
                head = module.split(".")[0]
                if head in PARTS:
                    problems.append(f"{relative}:{line}: bare import of root folder {module!r}")
                elif head == "textual" and part != "tui":
                    problems.append(f"{relative}:{line}: only tui may import textual")
                elif head == "charter" and "." in module:
                    target = module.split(".")[1]
                    if target in PARTS and target not in ALLOWED[part]:
                        problems.append(f"{relative}:{line}: {part} must not import {module}")
    return problems


def test_import_direction() -> None:
    assert violations(REPO) == []


@pytest.mark.parametrize(
    ("folder", "source", "problem"),
    [
        ("protocols", "from charter.graph import x\n", "protocols must not import charter.graph"),
        ("agents", "import charter.memory.records\n", "agents must not import charter.memory"),
        ("memory", "from ..agents import team\n", "memory must not import charter.agents"),
        ("graph", "import graph.authority\n", "bare import of root folder"),
        ("agents", "from agents import x\n", "bare import of root folder"),
        ("graph", "import textual\n", "only tui may import textual"),
    ],
)
def test_reversed_arrows_are_caught(tmp_path: Path, folder: str, source: str, problem: str) -> None:
    (tmp_path / folder).mkdir()
    (tmp_path / folder / "bad.py").write_text(source, encoding="utf-8")
    found = violations(tmp_path)
    assert found and all(problem in item for item in found)


def test_allowed_imports_pass(tmp_path: Path) -> None:
    (tmp_path / "graph").mkdir()
    (tmp_path / "graph" / "ok.py").write_text(
        "from charter.agents.team import load_team\nfrom . import authority\nimport re\n"
    )
    assert violations(tmp_path) == []
