"""Importing the agents (and the AI packages) must not pull in the SDK: it costs seconds."""

from __future__ import annotations

import subprocess
import sys


def test_agents_import_without_anthropic_or_httpx2() -> None:
    code = (
        "import sys, charter.agents, charter.agents.ai, charter.agents.brains, charter.cli.ai\n"
        "print(sorted(m for m in ('anthropic', 'httpx2') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-P", "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
