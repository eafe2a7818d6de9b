"""What can only fail once a run is being made removes the half-made run directory; what
can be checked before (a scenario's own tables) fails at load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from charter.protocols import ConfigError
from charter.scenarios import load_scenario, run_scenario

LIBRARY = Path(__file__).resolve().parents[2] / "scenarios" / "library"


def _scenario(tmp_path: Path, tables: dict[str, Any]) -> Path:
    data = yaml.safe_load((LIBRARY / "pipeline-failure.yaml").read_text())
    data["workspace"]["databases"] = [{"name": "x.db", "tables": tables}]
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(
    ("table", "said"),
    [
        (
            {"columns": {"a": "INTEGER"}, "rows": [[1], [1]], "primary_key": ["a"]},
            "UNIQUE constraint failed",
        ),
        ({"columns": {"a": "NOT A TYPE (("}, "rows": [[1]]}, "syntax error"),
        ({"columns": {"a": "INTEGER", "b": "TEXT"}, "rows": [[1]]}, "has 1 values; expected 2"),
    ],
)
def test_a_bad_table_fails_at_load(tmp_path: Path, table: dict[str, Any], said: str) -> None:
    path = _scenario(tmp_path, {"t": table})
    with pytest.raises(ConfigError, match=said) as refused:
        load_scenario(path)
    assert str(refused.value).startswith(f"{path}:")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenario.yaml"]


def test_a_set_up_failure_removes_the_run_directory_it_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from charter.scenarios import play

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ConfigError("database x.db: the disk is full")

    monkeypatch.setattr(play, "write_files", broken)
    loaded = load_scenario(LIBRARY / "pipeline-failure.yaml")
    with pytest.raises(ConfigError, match="the disk is full"):
        run_scenario(loaded, tmp_path / "run")
    assert not (tmp_path / "run").exists()
    (tmp_path / "mine").mkdir()  # a folder the user made stays, emptied again
    with pytest.raises(ConfigError):
        run_scenario(loaded, tmp_path / "mine")
    assert (tmp_path / "mine").is_dir() and not any((tmp_path / "mine").iterdir())
