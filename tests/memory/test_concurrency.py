"""Two processes appending to one SQLite run: no corruption, no lost entry."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from charter.memory import open_run_store
from charter.protocols import VirtualClock

from .conftest import START

PER_WRITER = 100

_WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime, timedelta
    from charter.memory import open_run_store
    from charter.protocols import MemoryKind, VirtualClock
    from charter.protocols.events import TaskRouted

    url, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    start = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    store = open_run_store(url, clock=VirtualClock(start))
    sys.stdout.write("ready\\n")
    sys.stdout.flush()
    sys.stdin.readline()  # both writers start together
    for n in range(count):
        at = start + timedelta(seconds=n)
        event = TaskRouted(id=f"{name}-{n}", at=at, agent="data", to="data", reason=name)
        store.append_event(event)
        if n % 4 == 0:
            store.add_memory(agent="data", kind=MemoryKind.PATTERN, content=f"{name} lesson {n}",
                             tags=[name], importance=0.5, source_event=None, created_at=at,
                             expires_at=None)
            store.audit_append(actor=name, action="write", target=str(n), details={}, at=at)
    store.close()
    """
)


def test_two_processes_append_to_one_run_without_loss(tmp_path: Path) -> None:
    path = tmp_path / "run.db"
    url = f"sqlite:///{path}"
    writers = [
        subprocess.Popen(
            [sys.executable, "-P", "-c", _WRITER, url, name, str(PER_WRITER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("alpha", "beta")
    ]
    for writer in writers:
        assert writer.stdout is not None
        if writer.stdout.readline() != "ready\n":
            _, errors = writer.communicate(timeout=60)
            raise AssertionError(f"a writer failed to open the run: {errors}")
    for writer in writers:
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        _, errors = writer.communicate(timeout=120)
        assert writer.returncode == 0, errors

    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    store = open_run_store(url, clock=VirtualClock(START))
    try:
        events = store.events()
        assert [seq for seq, _ in events] == list(range(1, 2 * PER_WRITER + 1))
        ids = {event.id for _, event in events}
        expected = {f"{name}-{n}" for name in ("alpha", "beta") for n in range(PER_WRITER)}
        assert ids == expected
        per_writer_memories = len(range(0, PER_WRITER, 4))
        assert store.memory_count() == 2 * per_writer_memories
        assert len(store.search_memories("lesson", limit=1000)) == 2 * per_writer_memories
        report = store.verify_audit()
        assert report.ok and report.entries == 2 * per_writer_memories
    finally:
        store.close()
