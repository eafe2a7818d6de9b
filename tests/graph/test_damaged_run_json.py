"""A damaged run.json is one clear error, and the run directory is left as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.graph import Orchestrator
from charter.protocols import ConfigError


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "list at the top"),
        ('{"run_id": "r", "seed": "7", "name": "x", "start": "2026-03-02"}', "'seed' missing or"),
        ('{"run_id": "r", "seed": 7, "name": "x", "start": "soon"}', "is not an ISO time"),
        ('{"run_id": "r", "seed": 7, "name": "x"}', "'start' missing"),
    ],
)
def test_a_damaged_run_json_is_refused_and_nothing_is_made(
    tmp_path: Path, text: str, said: str
) -> None:
    (tmp_path / "run.json").write_text(text)
    with pytest.raises(ConfigError, match=said) as refused:
        Orchestrator(tmp_path, seed=7)
    assert str(refused.value).startswith(str(tmp_path / "run.json"))
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".lock") == ["run.json"]
    assert (tmp_path / "run.json").read_text() == text
