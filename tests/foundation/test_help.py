"""`charter --help` must not import langgraph, anthropic or textual; once its help text is
cached it imports neither typer nor pydantic; `charter roles ...` loads only its sub-app."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

_PROBE = """
import json, sys
sys.argv = ["charter", *{argv!r}]
from charter.cli.main import run
try:
    run()
except SystemExit:
    pass
sys.stdout.flush()
print("\\n" + json.dumps(sorted(sys.modules)))
"""


def _modules(argv: list[str], cache: Path) -> tuple[str, set[str]]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "COLUMNS": "100"}
    result = subprocess.run(
        [sys.executable, "-P", "-c", _PROBE.format(argv=argv)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    text, _, last = result.stdout.rstrip().rpartition("\n")
    return text, set(json.loads(last))


HEAVY = {"langgraph", "anthropic", "textual"}


def test_help_is_light_cold_and_cached(tmp_path: Path) -> None:
    cold_text, cold = _modules(["--help"], tmp_path)
    assert "Usage: charter" in cold_text and "roles" in cold_text
    assert not HEAVY & cold, "charter --help imported a heavy library"
    warm_text, warm = _modules(["--help"], tmp_path)
    assert warm_text == cold_text
    assert not HEAVY & warm
    assert "typer" not in warm and "pydantic" not in warm


def test_help_cache_follows_the_terminal_width(tmp_path: Path) -> None:
    narrow = subprocess.run(
        [sys.executable, "-P", "-c", _PROBE.format(argv=["--help"])],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "XDG_CACHE_HOME": str(tmp_path), "COLUMNS": "60"},
    ).stdout
    assert max(len(line) for line in narrow.splitlines()[:-1]) <= 60


def test_subcommand_loads_only_its_sub_app(tmp_path: Path) -> None:
    text, modules = _modules(["roles", "--help"], tmp_path)
    assert "import" in text and "check" in text
    assert "charter.cli.roles" in modules
    assert "charter.cli.data" not in modules and "charter.cli.ai" not in modules
    assert not HEAVY & modules
