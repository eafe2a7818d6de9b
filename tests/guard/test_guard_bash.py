"""Bash through the guard: every path a command would write is judged; a command whose
writes cannot be read from its syntax is sent to the person ("ask"), never allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.agents.team import load_team
from charter.graph.authority import AuthorityEngine
from charter.graph.claude_code.bash_writes import bash_writes
from charter.graph.claude_code.hook import GuardAnswer, judge

TEAM = load_team()


def bash(workspace: Path, role: str, command: str) -> GuardAnswer:
    data = {
        "session_id": "s",
        "cwd": str(workspace),
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": command, "description": "test"},
    }
    return judge(data, AuthorityEngine(TEAM, workspace), role, str(workspace))


def writes(workspace: Path, command: str) -> list[str]:
    found = bash_writes(command, str(workspace))
    assert found.unknown is None, found.unknown
    return [str(Path(path).relative_to(workspace)) for path in found.paths]


def test_redirections(tmp_path: Path) -> None:
    assert writes(tmp_path, "echo hi > docs/a.md 2>&1") == ["docs/a.md"]
    assert writes(tmp_path, "ls >> logs/x.log") == ["logs/x.log"]
    assert writes(tmp_path, "grep x < src/in.py > /dev/null") == []
    assert bash(tmp_path, "data", "echo x > frontend/a.tsx").permission == "deny"
    assert bash(tmp_path, "documentation", "echo x > docs/a.md").permission == "allow"


def test_here_documents(tmp_path: Path) -> None:
    command = "cat <<EOF > src/app/service.py\nprint('> not/a/target')\nEOF"
    assert writes(tmp_path, command) == ["src/app/service.py"]
    assert bash(tmp_path, "documentation", command).permission == "deny"
    # bashlex 0.18 cannot end a here-doc whose delimiter is quoted: asked, not allowed
    quoted = "cat <<'EOF' > docs/a.md\nx\nEOF"
    assert bash(tmp_path, "documentation", quoted).permission == "ask"


def test_pipes_into_tee(tmp_path: Path) -> None:
    assert writes(tmp_path, "ls | tee -a docs/a.md docs/b.md") == ["docs/a.md", "docs/b.md"]
    answer = bash(tmp_path, "data", "ls src | sort | tee docs/list.md")
    assert answer.permission == "deny" and "docs/list.md" in answer.reason


def test_cp_r_into_another_roles_folder(tmp_path: Path) -> None:
    (tmp_path / "frontend").mkdir()
    assert writes(tmp_path, "cp -r src/etl frontend") == ["frontend/etl"]
    assert writes(tmp_path, "cp -r src/etl frontend/charts/") == ["frontend/charts/etl"]
    assert writes(tmp_path, "cp a.txt docs/b.md") == ["docs/b.md"]
    assert writes(tmp_path, "cp -t docs a.md b.md") == ["docs/a.md", "docs/b.md"]
    assert bash(tmp_path, "data", "cp -r src/etl frontend").permission == "deny"


def test_mv_writes_both_ends_and_rm_mkdir_touch(tmp_path: Path) -> None:
    assert writes(tmp_path, "mv docs/a.md notes.md") == ["notes.md", "docs/a.md"]
    assert writes(tmp_path, "rm -rf -- docs/old.md && mkdir -p adr/x; touch t.txt") == [
        "docs/old.md",
        "adr/x",
        "t.txt",
    ]
    assert writes(tmp_path, "chmod +x scripts/run.sh") == ["scripts/run.sh"]
    assert bash(tmp_path, "engineer", "mv docs/guide.md src/app/guide.md").permission == "deny"


def test_sed_in_place(tmp_path: Path) -> None:
    assert writes(tmp_path, "sed -i 's/a/b/' docs/a.md") == ["docs/a.md"]
    assert writes(tmp_path, "sed -i.bak -e s/a/b/ docs/a.md docs/b.md") == [
        "docs/a.md",
        "docs/b.md",
    ]
    assert writes(tmp_path, "sed 's/a/b/' docs/a.md") == []  # prints, writes nothing
    assert bash(tmp_path, "data", "sed -i s/x/y/ docs/guide.md").permission == "deny"


def test_cd_moves_later_targets(tmp_path: Path) -> None:
    assert writes(tmp_path, "cd docs && echo x > a.md") == ["docs/a.md"]


def test_read_only_commands_are_allowed(tmp_path: Path) -> None:
    answer = bash(tmp_path, "data", "ls -la src && git status && grep -r x . | head -3")
    assert answer.permission == "allow" and answer.decisions == []


def test_substitutions_are_read_too(tmp_path: Path) -> None:
    assert writes(tmp_path, "echo $(date > docs/when.md)") == ["docs/when.md"]


@pytest.mark.parametrize(
    "command",
    [
        "python build.py",
        "bash -c 'echo x > docs/a.md'",
        'eval "$CMD"',
        "echo x > $TARGET",
        "echo x > ~/notes.md",
        "echo x > docs/*.md",
        "git commit -am wip",
        "xargs rm < list.txt",
        "f() { echo; }; f",
        "echo 'unterminated",
        'for f in a b; do echo x > "$f"; done',
    ],
)
def test_commands_it_must_ask_about(tmp_path: Path, command: str) -> None:
    answer = bash(tmp_path, "documentation", command)
    assert answer.permission == "ask", (command, answer.reason)
    assert "cannot judge" in answer.reason


def test_a_denial_wins_over_an_unknown_part(tmp_path: Path) -> None:
    answer = bash(tmp_path, "documentation", "echo x > src/app/a.py; python build.py")
    assert answer.permission == "deny"
