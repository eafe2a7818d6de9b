"""Every package folder is listed in pyproject's `packages` with the right `package-dir`
mapping, and every listed package exists: setuptools silently drops an unlisted folder from
the wheel while editable installs keep importing it."""

from __future__ import annotations

import tomllib
from pathlib import Path

from .conftest import REPO

_SKIP = {"tests", "benchmarks", "build", ".venv", "node_modules"}


def package_folders(root: Path) -> dict[str, str]:
    """import name -> folder (relative, '/'-separated) for every folder with __init__.py."""
    found: dict[str, str] = {}
    for init in root.rglob("__init__.py"):
        folder = init.parent.relative_to(root)
        parts = folder.parts
        if (
            not parts
            or parts[0] in _SKIP
            or any(p.startswith(".") or p.endswith(".egg-info") for p in parts)
        ):
            continue
        found["charter." + ".".join(parts)] = "/".join(parts)
    return found


def test_packages_match_folders() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]
    listed = set(config["packages"])
    mapping: dict[str, str] = config["package-dir"]
    folders = package_folders(REPO)
    assert sorted(set(folders) - listed) == [], "package folders missing from pyproject packages"
    assert sorted(listed - set(folders)) == [], "listed packages without a folder"
    for name, folder in folders.items():
        # a package is mapped itself, or through its nearest mapped parent
        parent = name
        while parent not in mapping:
            assert "." in parent, f"{name} has no package-dir mapping"
            parent = parent.rsplit(".", 1)[0]
        expected = mapping[parent] + folder.removeprefix(mapping[parent].rstrip("/"))
        assert expected == folder, f"{name}: mapped to {expected}, folder is {folder}"


def test_no_charter_folder_at_the_root() -> None:
    # a root charter/ folder would shadow the installed package (DESIGN.md packaging notes)
    assert not (REPO / "charter").exists()


def test_package_folder_scan_sees_nested_packages(tmp_path: Path) -> None:
    (tmp_path / "agents" / "data").mkdir(parents=True)
    (tmp_path / "agents" / "__init__.py").write_text("")
    (tmp_path / "agents" / "data" / "__init__.py").write_text("")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "__init__.py").write_text("")
    assert package_folders(tmp_path) == {
        "charter.agents": "agents",
        "charter.agents.data": "agents/data",
    }
