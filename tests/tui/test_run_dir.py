"""`charter tui --run DIR`: a run directory opened through the real run store (SQLite)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import wait_until
from fakes import ScriptedRunSource
from typer.testing import CliRunner

from charter.memory import open_run_store
from charter.protocols import ConfigError, MemoryKind, VirtualClock
from charter.tui import CharterApp
from charter.tui.launch import build_app, open_run_dir
from charter.tui.run_screen import RunScreen
from charter.tui.run_source import RunDirSource
from charter.tui.timeline import TimelineView


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """A finished run: the scripted run approved, stored in a real run store."""
    fake = ScriptedRunSource(workspace=str(tmp_path / "ws"))
    fake.run_until_idle()
    fake.decide("esc-0001", "approve", "ok")
    fake.run_until_idle()
    directory = tmp_path / "run"
    directory.mkdir()
    clock = VirtualClock(datetime(2026, 3, 2, tzinfo=UTC))
    store = open_run_store(f"sqlite:///{directory / 'run.db'}", clock=clock)
    for _, event in fake.events():
        store.append_event(event)
        if event.kind == "escalation_raised":
            store.upsert_escalation(event.escalation)  # type: ignore[union-attr]
    store.upsert_escalation(fake.escalations()[0])
    store.add_memory(
        agent="data",
        kind=MemoryKind.ERROR,
        content="dedupe staging before load",
        tags=["orders"],
        importance=0.9,
        source_event=None,
        created_at=clock.now(),
        expires_at=None,
        memory_id="mem-1",
    )
    store.add_memory(
        agent="data",
        kind=MemoryKind.RELIABILITY,
        content="replay from the last checkpoint",
        tags=[],
        importance=0.5,
        source_event=None,
        created_at=clock.now() + timedelta(seconds=1),
        expires_at=None,
        memory_id="mem-2",
    )
    store.close()
    return directory


async def test_replay_shows_the_stored_run_read_only(run_dir: Path) -> None:
    source = open_run_dir(run_dir)
    assert isinstance(source, RunDirSource)  # no run.json, nothing undecided: read-only
    app = CharterApp(source)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, RunScreen)
        total = source.event_count()
        await wait_until(pilot, lambda: screen.model.seen == total)
        assert "replay" in str(screen.query_one("#status").render())
        await wait_until(pilot, lambda: screen.model.agents["data"].last_report == "success")
        await pilot.press("2")
        await wait_until(pilot, lambda: bool(screen.query(TimelineView)))
        assert len(screen.query_one(TimelineView).model) == total
        # each view reads its share of the run's history the first time it shows
        await pilot.press("7")
        pair = ("data", "architect", "schema_review")
        await wait_until(pilot, lambda: screen.model.message_counts[pair] == 1)
        await pilot.press("3")
        await wait_until(pilot, lambda: screen.query_one("#escalation-table").row_count == 1)  # type: ignore[attr-defined]
        await pilot.press("4", "slash", *"checkpoint", "enter")
        memory = screen.query_one("#memory-table")
        await wait_until(pilot, lambda: memory.row_count == 1)  # type: ignore[attr-defined]
        with pytest.raises(ConfigError, match="read-only"):
            source.decide("esc-0001", "deny", "late")


def test_a_directory_without_a_run_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="expected a run database"):
        build_app(run_dir=tmp_path)
    with pytest.raises(ConfigError, match="not both"):
        build_app("demo", run_dir=tmp_path)
    with pytest.raises(ConfigError, match="no such file"):
        build_app(str(tmp_path / "missing.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.yaml"):  # refused before any UI or thread
        build_app(str(bad))


def test_cli_tui_bad_run_dir(tmp_path: Path) -> None:
    from charter.cli.main import app

    result = CliRunner().invoke(app, ["tui", "--run", str(tmp_path / "nope")])
    assert isinstance(result.exception, ConfigError)
    assert "expected a run database" in str(result.exception)


def test_web_command_serves_the_same_app_module() -> None:
    from charter.tui.launch import web_command

    command = web_command(["demo", "--paused"])
    assert command.endswith("-m charter.tui demo --paused")


async def test_a_finished_run_without_a_finish_event_shows_nobody_active(tmp_path: Path) -> None:
    # Runs driven through the Orchestrator end idle without a run_finished event: the
    # agents' last states ("active", "waiting for review") must not stay on screen.
    fake = ScriptedRunSource(workspace=str(tmp_path / "ws"))
    for _ in range(9):  # up to the Data agent's schema_review request, mid-work
        fake.step()
    directory = tmp_path / "run"
    directory.mkdir()
    store = open_run_store(
        f"sqlite:///{directory / 'run.db'}", clock=VirtualClock(datetime(2026, 3, 2, tzinfo=UTC))
    )
    for _, event in fake.events():
        store.append_event(event)
    store.close()
    app = CharterApp(RunDirSource(directory))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.run_screen
        assert isinstance(screen, RunScreen)
        await wait_until(pilot, lambda: screen.model.finished)
        states = {role: agent.state for role, agent in screen.model.agents.items()}
        assert "active" not in states.values() and "waiting for review" not in states.values()
