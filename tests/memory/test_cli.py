"""`charter memory ...` and `charter audit ...` on a real run database."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from charter.cli.main import app
from charter.memory import open_run_store
from charter.protocols import ConfigError, MemoryKind, TaskAssignment, VirtualClock
from charter.protocols.events import TaskSubmitted

from .conftest import START

RUNNER = CliRunner()


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    store = open_run_store(f"sqlite:///{tmp_path / 'run.db'}", clock=VirtualClock(START))
    task = TaskAssignment(id="t-1", title="refund", task="refund Zelda Quill's last order")
    store.append_event(TaskSubmitted(id="ev-1", at=START + timedelta(days=90), task=task))
    for kind, content, age in [
        (MemoryKind.ERROR, "orders pipeline failed on a duplicate key", 0),
        (MemoryKind.PATTERN, "watermark loads keep the orders pipeline incremental", 0),
        (MemoryKind.GOVERNANCE, "Zelda Quill asked to see her data", 0),
    ]:
        store.add_memory(
            agent="data",
            kind=kind,
            content=content,
            tags=["orders"],
            importance=0.5,
            source_event="ev-1",
            created_at=START - timedelta(days=age),
            expires_at=START + timedelta(days=30) if kind is MemoryKind.PATTERN else None,
        )
    store.audit_append(
        actor="data", action="access", target="customers", details={"who": "Zelda Quill"}, at=START
    )
    store.close()
    return tmp_path


def _ok(*args: str) -> str:
    result = RUNNER.invoke(app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def test_list_search_show_and_context(run_dir: Path) -> None:
    listed = _ok("memory", "list", str(run_dir))
    assert listed.count("\n") == 3 and "duplicate key" in listed
    assert "watermark" not in _ok("memory", "list", str(run_dir), "--kind", "error")
    found = _ok("memory", "search", str(run_dir), "duplicate pipeline")
    assert found.splitlines()[0].split()[1].startswith("mem-")
    assert "duplicate key" in found.splitlines()[0]
    memory_id = found.splitlines()[0].split()[1]
    shown = _ok("memory", "show", str(run_dir), memory_id)
    assert '"kind": "error"' in shown and '"source_event": "ev-1"' in shown
    context = _ok(
        "memory", "context", str(run_dir), "orders pipeline", "--now", "2026-03-02T02:00:00Z"
    )
    assert "duplicate key" in context


def test_prune_uses_the_run_clock_by_default(run_dir: Path) -> None:
    # The run's last event is 90 days after START: the pattern memory has expired by then.
    out = _ok("memory", "prune", str(run_dir))
    assert out.startswith("pruned 1 memories at 2026-05-31") and "pattern 1" in out
    assert "watermark" not in _ok("memory", "list", str(run_dir))
    assert "pruned 0" in _ok("memory", "prune", str(run_dir), "--now", "2026-03-02T01:00:00Z")


def test_erase_then_audit_verify_and_tail(run_dir: Path) -> None:
    out = _ok("memory", "erase", str(run_dir), "--subject", "Zelda Quill")
    assert "1 memories deleted" in out and "1 events" in out and "1 audit entries" in out
    assert "Zelda" not in _ok("memory", "list", str(run_dir))
    assert _ok("audit", "verify", str(run_dir)).startswith("OK, 2 entries, keyed")
    tail = _ok("audit", "tail", str(run_dir), "-n", "1")
    assert " erase " in tail and "Zelda" not in tail and "subject_hmac" in tail
    data = (run_dir / "run.db").read_bytes()
    assert b"Zelda" not in data and b"Quill" not in data


def test_verify_reports_the_broken_link_with_exit_1(run_dir: Path) -> None:
    import sqlite3

    with sqlite3.connect(run_dir / "run.db") as connection:
        connection.execute("UPDATE charter_audit SET action = 'read' WHERE seq = 1")
    result = RUNNER.invoke(app, ["audit", "verify", str(run_dir)])
    assert result.exit_code == 1
    assert result.stdout.startswith("BROKEN at entry 1: content does not match")


def test_bad_input_is_a_config_error(run_dir: Path, tmp_path: Path) -> None:
    for args, expected in [
        (["memory", "list", str(tmp_path / "missing")], "no run database found"),
        (["memory", "list", str(run_dir), "--kind", "dream"], "expected one of pattern"),
        (["memory", "show", str(run_dir), "mem-nope"], "not found"),
        (["memory", "prune", str(run_dir), "--now", "yesterday"], "ISO-8601"),
        (["memory", "erase", str(run_dir), "--subject", "ab"], "at least 3"),
    ]:
        result = RUNNER.invoke(app, args)
        assert isinstance(result.exception, ConfigError), args
        assert expected in str(result.exception), (args, str(result.exception))


def test_entry_point_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    charter = Path(sys.executable).with_name("charter")
    result = subprocess.run(
        [str(charter), "audit", "verify", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("charter: run ") and result.stderr.count("\n") == 1
