"""Shared fixtures: the shipped team (loaded once) and an Orchestrator factory on a fresh
run directory that closes what it opened."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from charter.agents.team import load_team
from charter.graph.orchestrator import Orchestrator
from charter.protocols import Team


@pytest.fixture(scope="session")
def team() -> Team:
    return load_team()


@pytest.fixture
def make_orch(tmp_path: Path, team: Team) -> Iterator[Callable[..., Orchestrator]]:
    opened: list[Orchestrator] = []

    def make(run_dir: Path | None = None, **kwargs: Any) -> Orchestrator:
        kwargs.setdefault("team", team)
        orch = Orchestrator(run_dir or tmp_path / "run", **kwargs)
        opened.append(orch)
        return orch

    yield make
    for orch in opened:
        with contextlib.suppress(Exception):
            orch.close()


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under `root` and its bytes (to prove a workspace untouched)."""
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture
def snapshot_tree() -> Callable[[Path], dict[str, bytes]]:
    return tree_bytes
