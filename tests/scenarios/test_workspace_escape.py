"""A scenario cannot reach outside its run: workspace paths follow an agent's write rules
and `from:` reads only a file inside the scenario's own folder."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from charter.protocols import ConfigError
from charter.scenarios import load_scenario, run_scenario

LIBRARY = Path(__file__).resolve().parents[2] / "scenarios" / "library"


def _with_files(tmp_path: Path, files: list[dict[str, str]]) -> Path:
    data = yaml.safe_load((LIBRARY / "pipeline-failure.yaml").read_text())
    data["workspace"] = {**(data.get("workspace") or {}), "files": files}
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ({"path": "/tmp/outside.txt", "content": "x"}, "absolute path"),
        ({"path": "../../outside.txt", "content": "x"}, "'..' leaves the workspace root"),
        ({"path": "a\nb.txt", "content": "x"}, "control character"),
        ({"path": "p.txt", "from": "/etc/passwd"}, "an absolute path"),
        ({"path": "p.txt", "from": "../secret.txt"}, "leads outside the scenario's folder"),
        ({"path": "p.txt", "from": "link.md"}, "leads outside the scenario's folder"),
    ],
)
def test_escaping_entries_are_refused_before_anything_exists(
    tmp_path: Path, entry: dict[str, str], reason: str
) -> None:
    (tmp_path / "secret.txt").write_text("outside the scenario folder")
    folder = tmp_path / "scenario"
    folder.mkdir()
    (folder / "link.md").symlink_to(tmp_path / "secret.txt")
    path = _with_files(folder, [entry])
    with pytest.raises(ConfigError, match=reason) as refused:
        load_scenario(path)
    assert str(refused.value).startswith(f"{path}:")
    assert sorted(p.name for p in folder.iterdir()) == ["link.md", "scenario.yaml"]


def test_a_file_beside_the_scenario_is_copied_in(tmp_path: Path) -> None:
    (tmp_path / "note.md").write_text("hello\n")
    path = _with_files(tmp_path, [{"path": "notes/./readme.md", "from": "note.md"}])
    result = run_scenario(load_scenario(path), tmp_path / "run")
    assert result.passed, result.error
    assert (tmp_path / "run" / "workspace" / "notes" / "readme.md").read_text() == "hello\n"
