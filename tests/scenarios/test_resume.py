"""SIGKILL at several points, then resume: the same digest as an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from charter.scenarios import library_files, load_scenario, run_scenario
from charter.scenarios.runner import KILL_ENV

SCENARIO = next(p for p in library_files() if p.stem == "pipeline-failure")


def _charter(out: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("charter")
    return subprocess.run(
        [str(exe), "run", str(SCENARIO), "--out", str(out), "--json", "--no-timeline"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("ref")
    return run_scenario(load_scenario(SCENARIO), out / "run").digest


# Kill points in graph steps: early in the Data agent's first turn, mid-review, near the end.
@pytest.mark.parametrize("kill_after", [2, 6, 11])
def test_sigkill_then_resume_gives_the_uninterrupted_digest(
    reference: str, tmp_path: Path, kill_after: int
) -> None:
    env = {**os.environ, KILL_ENV: str(kill_after)}
    killed = _charter(tmp_path, env)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    env.pop(KILL_ENV)
    resumed = _charter(tmp_path, env)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    report = json.loads(resumed.stdout)["scenarios"][0]
    assert report["passed"]
    assert report["digest"] == reference
