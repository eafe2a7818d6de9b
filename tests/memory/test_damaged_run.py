"""A damaged run database is reported, never crashed on and never rebuilt: every command
that opens a run answers one line with exit code 2 and leaves the file's bytes as they
were; `charter doctor` names the damage (exit 1) and passes a sound run (exit 0)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from charter.memory import open_run_store
from charter.protocols import TaskAssignment, VirtualClock
from charter.protocols.events import TaskSubmitted

from .conftest import START


def _make_run(run: Path) -> None:
    run.mkdir()
    meta = {"run_id": "default", "seed": 0, "name": "", "start": START.isoformat()}
    (run / "run.json").write_text(json.dumps(meta), encoding="utf-8")
    store = open_run_store(f"sqlite:///{run / 'run.db'}", clock=VirtualClock(START))
    store.anchor_in(run)
    for n in range(300):  # enough pages that damage lands inside the tables
        task = TaskAssignment(id=f"t-{n}", title="t", task=f"task number {n} " + "x" * 200)
        store.append_event(TaskSubmitted(id=f"ev-{n}", at=START, task=task))
        store.audit_append(actor="data", action="write", target=f"f{n}", details={}, at=START)
    store.close()
    assert (run / "run.db").stat().st_mode & 0o777 == 0o600  # personal data: private


def _truncate(db: Path) -> None:
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3])


def _flip(db: Path) -> None:
    data = bytearray(db.read_bytes())
    for offset in range(4096, len(data), 1531):  # past the header page
        data[offset] ^= 0x5A
    db.write_bytes(bytes(data))


def _empty(db: Path) -> None:
    db.write_bytes(b"")


def _garbage(db: Path) -> None:
    db.write_bytes(b"this is not a database\n" * 100)


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated": _truncate,
    "byte-flipped": _flip,
    "empty": _empty,
    "not-sqlite": _garbage,
}
READERS = [
    ["memory", "list"],
    ["audit", "verify"],
    ["audit", "tail"],
    ["audit", "head"],
    ["ai", "usage"],
    ["data", "scorecard"],
]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("damaged")
    made: dict[str, Path] = {}
    for name, damage in [("sound", None), *DAMAGE.items()]:
        run = base / name
        _make_run(run)
        if damage is not None:
            damage(run / "run.db")
        made[name] = run
    return made


def _charter(*args: str) -> subprocess.CompletedProcess[str]:
    """`charter ARGS` through the console script's own entry point (its error handling
    is what is under test), in this process: a subprocess each would cost seconds."""
    from charter.cli.main import run

    out, err = io.StringIO(), io.StringIO()
    code = 0
    saved = sys.argv
    sys.argv = ["charter", *args]
    try:
        with redirect_stdout(out), redirect_stderr(err):
            run()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        sys.argv = saved
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


@pytest.mark.parametrize("damage", list(DAMAGE))
@pytest.mark.parametrize("command", READERS, ids=lambda c: " ".join(c))
def test_every_reader_reports_damage_in_one_line(
    runs: dict[str, Path], damage: str, command: list[str]
) -> None:
    db = runs[damage] / "run.db"
    before = db.read_bytes()
    result = _charter(*command, str(runs[damage]))
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert db.read_bytes() == before  # never rebuilt, never "repaired"


def test_reopening_a_finished_run_whose_database_was_emptied_is_refused(
    runs: dict[str, Path],
) -> None:
    from charter.graph.orchestrator import Orchestrator
    from charter.protocols import ConfigError

    with pytest.raises(ConfigError, match=r"run\.db is empty but run\.json records"):
        Orchestrator(runs["empty"])
    assert (runs["empty"] / "run.db").stat().st_size == 0


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_doctor_names_the_damage(runs: dict[str, Path], damage: str) -> None:
    result = _charter("doctor", str(runs[damage]), "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    failed = [check for check in report["checks"] if check["status"] == "fail"]
    assert report["ok"] is False and failed and failed[0]["check"] in {"database", "integrity"}


def test_doctor_passes_a_sound_run(runs: dict[str, Path]) -> None:
    result = _charter("doctor", str(runs["sound"]))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert {line.split()[1] for line in lines} >= {"run.json", "database", "integrity", "audit"}
    assert not any(line.startswith("fail") for line in lines)
