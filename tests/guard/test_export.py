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
            "charter-guard",
            "--role",
            file.stem,
            "--run",
            ".charter/run",
        ]
        (stop,) = front["hooks"]["Stop"]  # type: ignore[index]
        assert stop == {"hooks": [hook]}  # the same entry point files escalations
        text = file.read_text(encoding="utf-8")
        assert team.roles[file.stem].title in text
        for trigger in team.roles[file.stem].escalation.all_triggers():
            assert trigger.name in text


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
    (stop,) = merged["hooks"]["Stop"]
    assert stop["hooks"][0]["command"].startswith("charter-guard --role pm")


def test_an_earlier_exports_hook_is_replaced(tmp_path: Path) -> None:
    settings = tmp_path / ".claude" / "settings.json"
    settings.parent.mkdir(parents=True)
    old = {
        "matcher": "Write",
        "hooks": [{"type": "command", "command": "charter guard claude-code --role pm"}],
    }
    settings.write_text(json.dumps({"hooks": {"PreToolUse": [old]}}), encoding="utf-8")
    export(tmp_path)
    (group,) = json.loads(settings.read_text(encoding="utf-8"))["hooks"]["PreToolUse"]
    assert group["hooks"][0]["command"] == "charter-guard --role pm"


def test_custom_team_files_reach_the_hook(tmp_path: Path) -> None:
    from charter.agents.team import default_charter_files

    files = [str(path) for path in default_charter_files()[:3]]
    argv = [part for path in files for part in ("--team", path)]
    export(tmp_path, *argv)
    for file in (tmp_path / ".claude" / "agents").glob("*.md"):
        command = frontmatter(file)["hooks"]["PreToolUse"][0]["hooks"][0]["command"]  # type: ignore[index]
        words = shlex.split(command)
        assert [words[i + 1] for i, word in enumerate(words) if word == "--team"] == files


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
