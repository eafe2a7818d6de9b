"""A desk over a fresh workspace and run directory, and a way to read what it recorded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from charter.graph.mcp_server.desk import Desk
from charter.graph.mcp_server.opening import open_desk
from charter.memory import RunStore, open_run_store
from charter.protocols import VirtualClock


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    return root


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    return tmp_path / "run"


@pytest.fixture
def desk(workspace: Path, run_dir: Path) -> Iterator[Desk]:
    opened = open_desk(run_dir, workspace=workspace)
    try:
        yield opened
    finally:
        opened.close()


def read_store(run_dir: Path) -> RunStore:
    """The run store as a reader (the audit CLI, the TUI) opens it."""
    return open_run_store(
        f"sqlite:///{run_dir / 'run.db'}", clock=VirtualClock(datetime(2026, 1, 1, tzinfo=UTC))
    )
