"""A killed demo is finished by `charter demo --out D` with the digest of an uninterrupted
demo, and a reopened run's clock never runs backwards, whoever made the clock."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from charter.cli.main import app
from charter.graph.demo import DEMO_SIGNAL_AT, open_demo, run_demo
from charter.graph.orchestrator import DEFAULT_START
from charter.protocols import ConfigError

_KILLED_DEMO = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from charter.graph import demo
    from charter.memory.store import RunStore
    kill_at = int(sys.argv[2])
    count = 0
    real = RunStore.append_event
    def counting(self, event, **kw):
        global count
        count += 1
        if count == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(self, event, **kw)
    RunStore.append_event = counting
    demo.run_demo(Path(sys.argv[1]), seed=7)
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("kill_at", [5, 23])
def test_a_killed_demo_is_finished_by_charter_demo_out(tmp_path: Path, kill_at: int) -> None:
    expected = run_demo(tmp_path / "straight", seed=7)
    script = tmp_path / "killed_demo.py"
    script.write_text(_KILLED_DEMO)
    run_dir = tmp_path / "killed"
    killed = subprocess.run(
        [sys.executable, "-P", str(script), str(run_dir), str(kill_at)], check=False
    )
    assert killed.returncode == -signal.SIGKILL
    result = CliRunner().invoke(app, ["demo", "--out", str(run_dir), "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert expected.digest in result.output.replace("\n", "")


def test_demo_out_refuses_a_directory_holding_another_run(tmp_path: Path) -> None:
    run_demo(tmp_path / "run", seed=7)
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "run"), "--seed", "8"])
    assert isinstance(result.exception, ConfigError)
    assert "already holds another run" in str(result.exception)


def test_a_reopened_run_continues_from_its_last_instant(tmp_path: Path) -> None:
    # The TUI and the demo hand the Orchestrator a clock starting at the run's start; a
    # reopened run must not stamp later events before the ones it already has.
    orch, clock = open_demo(tmp_path / "run", seed=7, pm_policy="wait")
    with orch:
        assert orch.run_until_idle() == "paused"
        last = orch.store.last_event_at()
    assert last is not None and last >= DEMO_SIGNAL_AT > DEFAULT_START
    reopened, clock = open_demo(tmp_path / "run", seed=7, pm_policy="wait")
    with reopened:
        assert clock.now() == last
        (waiting,) = reopened.waiting_on()
        decided = reopened.decide(waiting.id, "approve", note="go")
        assert decided.decision is not None and decided.decision.decided_at >= last
        events = [e for _, e in reopened.events()]
        at = next(i for i, e in enumerate(events) if e.kind == "escalation_decided")
        # nothing recorded before the decision is later than it, nothing after is earlier
        assert all(e.at <= decided.decision.decided_at for e in events[:at])
        assert all(e.at >= decided.decision.decided_at for e in events[at:])
