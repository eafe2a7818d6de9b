"""A stored run opened without replaying it: the model seeded from indexed reads must
show what folding every event shows, while reading only a bounded number of events."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fakes import ESCALATION_ID, ScriptedRunSource

from charter.memory import open_run_store
from charter.protocols import Event, VirtualClock
from charter.protocols import events as ev
from charter.tui.model import RunModel
from charter.tui.model_seed import AGENT_WINDOW, RUN_TAIL, merge_history, read_history, seed_agents
from charter.tui.run_source import RunDirSource

PARTS = ("turns", "messages", "decisions", "picks", "series")


def _scripted(tmp_path: Path, ending: str | None) -> ScriptedRunSource:
    fake = ScriptedRunSource(workspace=str(tmp_path / "ws"))
    fake.run_until_idle()  # paused on the immediate escalation
    if ending is not None:
        fake.decide(ESCALATION_ID, ending, "note")  # type: ignore[arg-type]
        fake.run_until_idle()
    return fake


def _store(run_dir: Path, fake: ScriptedRunSource, events: list[Event]) -> None:
    run_dir.mkdir(exist_ok=True)
    clock = VirtualClock(datetime(2026, 3, 2, tzinfo=UTC))
    with open_run_store(f"sqlite:///{run_dir / 'run.db'}", clock=clock) as store:
        for event in events:
            store.append_event(event)
        for escalation in fake.escalations():
            store.upsert_escalation(escalation)


def _filler(run_dir: Path, copies: int) -> None:
    """`copies` more engineer turns, replicated in SQL (one transaction, not thousands)."""
    at = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    seed = [
        ev.ToolUsed(id="f-tool", at=at, agent="engineer", tool="lint", summary="clean"),
        ev.TurnCompleted(id="f-turn", at=at, agent="engineer", actions=1, allowed=1),
    ]
    clock = VirtualClock(at)
    with open_run_store(f"sqlite:///{run_dir / 'run.db'}", clock=clock) as store:
        top = store.event_count()
        for event in seed:
            store.append_event(event)
    with sqlite3.connect(run_dir / "run.db") as db:
        db.executemany(
            "INSERT INTO charter_events (run_id, seq, id, kind, agent, at, payload) "
            "SELECT run_id, seq + ? * 2, id || '-' || ?, kind, agent, at, payload "
            "FROM charter_events WHERE seq > ? AND seq <= ?",
            [(k, k, top, top + 2) for k in range(1, copies)],
        )


class _Counting:
    """Wraps a source and counts the events its reads parse."""

    def __init__(self, inner: RunDirSource) -> None:
        self.inner = inner
        self.parsed = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def events(self, since: int = 0, **kw: Any) -> list[tuple[int, Event]]:
        found = self.inner.events(since, **kw)
        self.parsed += len(found)
        return found

    def latest_events(self, **kw: Any) -> list[tuple[int, Event]]:
        found = self.inner.latest_events(**kw)
        self.parsed += len(found)
        return found


def _seeded(source: Any, *, metric_keys: Collection[str]) -> RunModel:
    model = RunModel(None)
    seed_agents(model, source)
    for part in PARTS:
        history = read_history(
            part, source, model.base, agents=list(model.agents), metric_keys=metric_keys
        )
        merge_history(model, history)
    return model


def _view(model: RunModel) -> dict[str, Any]:
    """Everything a view shows from the model."""
    return {
        "agents": {role: asdict(state) for role, state in model.agents.items()},
        "order": list(model.agents),
        "messages": dict(model.message_counts),
        "recent": list(model.recent_messages),
        "decisions": model.latest_decisions(),
        "picks": model.context_picks,
        "series": {key: list(values) for key, values in model.series.items() if values},
        "now": model.now,
        "finished": model.finished,
        "seen": model.seen,
    }


def _folded(events: list[tuple[int, Event]]) -> RunModel:
    model = RunModel(None)
    model.ingest(events)
    return model


@pytest.mark.parametrize("ending", [None, "approve", "deny"])
def test_seeded_model_shows_what_folding_every_event_shows(
    tmp_path: Path, ending: str | None
) -> None:
    fake = _scripted(tmp_path, ending)
    _store(tmp_path / "run", fake, [event for _, event in fake.events()])
    full = _folded(fake.events())
    source = RunDirSource(tmp_path / "run")
    try:
        assert _view(_seeded(source, metric_keys=list(full.series))) == _view(full)
    finally:
        source.close()


def test_a_long_run_is_read_in_bounded_pieces_not_replayed(tmp_path: Path) -> None:
    fake = _scripted(tmp_path, None)  # data stays paused on the immediate escalation
    run_dir = tmp_path / "run"
    _store(run_dir, fake, [event for _, event in fake.events()])
    _filler(run_dir, 1500)  # 3,000 engineer events after the escalation
    source = RunDirSource(run_dir)
    try:
        full = _folded(source.events())
        counting = _Counting(source)
        model = RunModel(None)
        seed_agents(model, counting)  # type: ignore[arg-type]
        agents_agree = _view(model)["agents"] | {"engineer": None}
        assert agents_agree == _view(full)["agents"] | {"engineer": None}
        data = model.agents["data"]
        assert (data.state, data.paused_on) == ("paused on escalation", ESCALATION_ID)
        assert model.seen == source.event_count() > 3000
        assert counting.parsed <= AGENT_WINDOW * len(model.agents) + RUN_TAIL + 10
        # the whole run's figures come from the database, merged: all 1,500 turns
        merge_history(model, read_history("turns", counting, model.base))  # type: ignore[arg-type]
        assert model.agents["engineer"].turns == 1500 == full.agents["engineer"].turns
        assert _view(model)["agents"] == _view(full)["agents"]
    finally:
        source.close()


def test_history_goes_in_front_of_events_folded_after_seeding(tmp_path: Path) -> None:
    fake = _scripted(tmp_path, "approve")
    events = [event for _, event in fake.events()]
    split = 9  # after the first authority checks and tool result, before the messages
    run_dir = tmp_path / "run"
    _store(run_dir, fake, events[:split])
    source = RunDirSource(run_dir)
    try:
        model = RunModel(None)
        seed_agents(model, source)
        assert model.base == split
        with open_run_store(source.store.url, clock=VirtualClock(events[-1].at)) as writer:
            for event in events[split:]:
                writer.append_event(event)
        model.ingest(source.events(model.seen))  # a live run goes on folding
        for part in PARTS:
            history = read_history(
                part,
                source,
                model.base,
                agents=list(model.agents),
                metric_keys=["query_p95_ms", "pipeline_success_rate", "validation_pass_rate"],
            )
            merge_history(model, history)
        assert _view(model) == _view(_folded(fake.events()))
    finally:
        source.close()


def test_store_counts_without_parsing(tmp_path: Path) -> None:
    fake = _scripted(tmp_path, "approve")
    _store(tmp_path / "run", fake, [event for _, event in fake.events()])
    source = RunDirSource(tmp_path / "run")
    try:
        total = source.event_count()
        assert source.message_counts() == {
            ("data", "architect", "schema_review"): 1,
            ("architect", "data", "schema_review"): 1,
        }
        assert source.message_counts(upto=9) == {("data", "architect", "schema_review"): 1}
        newest = source.latest_events(limit=3)
        assert [seq for seq, _ in newest] == [total, total - 1, total - 2]
        assert [seq for seq, _ in source.latest_events(before=3, limit=5)] == [2, 1]
        assert source.event_agents() == ["architect", "data", "engineer", "pm"]
        assert source.event_counts_by_agent("authority_checked") == {"data": 1, "engineer": 1}
        assert source.event_counts_by_agent("authority_checked", upto=7) == {"data": 1}
        assert source.open_escalations() == []  # decided
    finally:
        source.close()
