"""Shared fixtures for the AI tests: a virtual clock whose sleep advances it (and records
every wait), the shipped team, a view factory and a client over the mock server."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from charter.agents.ai import AIClient, AIConfig
from charter.agents.ai.mock import MockModel
from charter.agents.team import load_team
from charter.protocols import AgentView, Team, VirtualClock

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


class Sleeper:
    """An injected sleep: records the wait and moves the virtual clock, never blocks."""

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(timedelta(seconds=seconds))


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(START)


@pytest.fixture
def sleeper(clock: VirtualClock) -> Sleeper:
    return Sleeper(clock)


@pytest.fixture(scope="session")
def team() -> Team:
    return load_team()


@pytest.fixture
def make_view(team: Team, clock: VirtualClock) -> Callable[..., AgentView]:
    def make(role: str = "data", **fields: Any) -> AgentView:
        fields.setdefault("team", list(team.roles))
        fields.setdefault("charter", team.roles[role])
        return AgentView(role=role, now=clock.now(), **fields)

    return make


@pytest.fixture
def make_client(clock: VirtualClock, sleeper: Sleeper) -> Callable[..., AIClient]:
    def make(model: MockModel, **config: Any) -> AIClient:
        return AIClient(
            key=None,
            clock=clock,
            sleep=sleeper,
            transport=model.transport(),
            config=AIConfig(**config),
        )

    return make


@pytest.fixture
def make_orch(tmp_path: Path, team: Team) -> Iterator[Callable[..., Any]]:
    from charter.graph.orchestrator import Orchestrator

    opened: list[Orchestrator] = []

    def make(run_dir: Path | None = None, **kwargs: Any) -> Orchestrator:
        kwargs.setdefault("team", team)
        kwargs.setdefault("seed", 7)
        kwargs.setdefault("name", "ai-test")
        orch = Orchestrator(run_dir or tmp_path / "run", **kwargs)
        opened.append(orch)
        return orch

    yield make
    for orch in opened:
        with contextlib.suppress(Exception):
            orch.close()
