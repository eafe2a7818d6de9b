"""Shared fixtures for the foundation tests: the shipped team and engines over it."""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.agents.team import load_team
from charter.graph.authority import AuthorityEngine
from charter.protocols import Team

REPO = Path(__file__).resolve().parents[2]
SEED = REPO.parent / "shared" / "seed" / "000_6d85dc428b0a7232.txt"


@pytest.fixture(scope="session")
def team() -> Team:
    return load_team()


@pytest.fixture
def engine(team: Team, tmp_path: Path) -> AuthorityEngine:
    return AuthorityEngine(team, tmp_path)


@pytest.fixture
def folding_engine(team: Team, tmp_path: Path) -> AuthorityEngine:
    return AuthorityEngine(team, tmp_path, case_sensitive=False)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
