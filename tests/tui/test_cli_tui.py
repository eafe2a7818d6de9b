"""`charter tui` refuses what it could not open before it serves anything, and the CLI
answers `--version` and offers shell completion."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

CHARTER = [sys.executable, "-P", "-c", "from charter.cli.main import run; run()"]


def _charter(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CHARTER, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["tui", "missing.yaml", "--web"], "missing.yaml: no such file"),
        (["tui", "demo", "--web", "--port", "99999"], "--port 99999: expected a TCP port"),
        (["tui", "--run", "not-a-run", "--web"], "not-a-run"),
    ],
)
def test_web_refuses_a_bad_target_before_serving(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    before = sorted(p.name for p in tmp_path.iterdir())
    result = _charter(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing created


def test_version_and_completion(tmp_path: Path) -> None:
    from importlib.metadata import version

    result = _charter("--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == f"charter {version('charter')}"
    # typer finds the shell to show completion for among the caller's processes: run it
    # from bash, as a person does (a test runner started without a shell has none). The
    # trailing `exit` keeps bash from replacing itself with the command.
    command = " ".join(shlex.quote(part) for part in [*CHARTER, "--show-completion"])
    command += "; exit $?"
    shown = subprocess.run(
        ["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert shown.returncode == 0 and "complete" in shown.stdout, shown.stderr
