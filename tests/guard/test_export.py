"""`charter export claude-code`: every subagent file parses as YAML frontmatter whose hook
runs the guard with its own role; settings.json is merged, never overwritten."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from charter.agents.team import load_team
from charter.cli.main import build_app
from charter.graph.claude_code.export import merged_settings
from charter.protocols import ConfigError

RUNNER = CliRunner()


def export(tmp_path: Path, *extra: str) -> None:
    out = tmp_path / ".claude" / "agents"
    result = RUNNER.invoke(
        build_app("export"), ["export", "claude-code", "--out", str(out), *extra]
    )
    assert result.exit_code == 0, result.output


def frontmatter(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    header, _, body = text[4:].partition("\n---\n")
    assert body.strip()
    loaded = yaml.safe_load(header)
    assert isinstance(loaded, dict)
    return loaded


def test_every_role_is_a_guarded_subagent(tmp_path: Path) -> None:
    export(tmp_path, "--run", ".charter/run")
    team = load_team()
    files = sorted((tmp_path / ".claude" / "agents").glob("*.md"))
    assert [file.stem for file in files] == sorted(team.roles)
    for file in files:
        front = frontmatter(file)
        assert front["name"] == file.stem
        assert isinstance(front["description"], str) and front["description"]
        (group,) = front["hooks"]["PreToolUse"]  # type: ignore[index]
        assert set(group["matcher"].split("|")) == {
            "Write",
            "Edit",
            "MultiEdit",
            "NotebookEdit",
            "Bash",
        }
        (hook,) = group["hooks"]
        assert hook["type"] == "command"
        assert shlex.split(hook["command"]) == [
            "charter",
            "guard",
            "claude-code",
            "--role",
            file.stem,
            "--run",
            ".charter/run",
        ]
        assert team.roles[file.stem].title in file.read_text(encoding="utf-8")


def test_settings_are_merged_not_overwritten(tmp_path: Path) -> None:
    settings = tmp_path / ".claude" / "settings.json"
    settings.parent.mkdir(parents=True)
    mine = {"model": "opus", "hooks": {"PreToolUse": [{"matcher": "Read", "hooks": []}]}}
    settings.write_text(json.dumps(mine), encoding="utf-8")
    export(tmp_path)
    export(tmp_path)  # twice: the guard is added once
    merged = json.loads(settings.read_text(encoding="utf-8"))
    assert merged["model"] == "opus"
    groups = merged["hooks"]["PreToolUse"]
    assert groups[0] == {"matcher": "Read", "hooks": []}
    assert len(groups) == 2 and "--role pm" in groups[1]["hooks"][0]["command"]


def test_bad_settings_write_nothing(tmp_path: Path) -> None:
    settings = tmp_path / ".claude" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text("{broken", encoding="utf-8")
    result = RUNNER.invoke(
        build_app("export"),
        ["export", "claude-code", "--out", str(tmp_path / ".claude" / "agents")],
    )
    assert result.exit_code != 0
    assert isinstance(result.exception, ConfigError) and "line 1" in str(result.exception)
    assert settings.read_text(encoding="utf-8") == "{broken"
    assert not (tmp_path / ".claude" / "agents").exists()


@pytest.mark.parametrize("text", ["[]", '{"hooks": []}', '{"hooks": {"PreToolUse": {}}}'])
def test_settings_of_the_wrong_shape_are_refused(text: str) -> None:
    with pytest.raises(ConfigError):
        merged_settings(text, None)
