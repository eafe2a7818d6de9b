"""A team as Claude Code subagents: one `.claude/agents/<role>.md` per role whose
frontmatter wires the PreToolUse guard, and the main agent's (PM's) hook merged into
`.claude/settings.json` without losing what is there.

Field names follow Claude Code's subagent and hooks documentation (checked December 2026,
Claude Code 2.x): frontmatter `name`, `description`, `hooks`; a hooks object maps an event
to `[{"matcher": ..., "hooks": [{"type": "command", "command": ...}]}]`.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import yaml

from charter.protocols import Charter, ConfigError, Team

# The tools that write files, and Bash: what the guard judges.
GUARDED_TOOLS = "Write|Edit|MultiEdit|NotebookEdit|Bash"
MAIN_ROLE = "pm"


def guard_command(role: str, run: str | None) -> str:
    words = ["charter", "guard", "claude-code", "--role", role]
    if run is not None:
        words += ["--run", run]
    return shlex.join(words)


def hooks_for(role: str, run: str | None) -> dict[str, Any]:
    entry = {"type": "command", "command": guard_command(role, run)}
    return {"PreToolUse": [{"matcher": GUARDED_TOOLS, "hooks": [entry]}]}


def subagent_file(charter: Charter, run: str | None) -> str:
    """The Markdown subagent for `charter`: YAML frontmatter, then the prose as its prompt."""
    front = {
        "name": charter.role,
        "description": _first_sentence(charter.description) or charter.title,
        "hooks": hooks_for(charter.role, run),
    }
    header = yaml.safe_dump(front, sort_keys=False, allow_unicode=True)
    body = f"# {charter.title}\n\n{charter.description.strip()}\n\n{_authorities(charter)}"
    return f"---\n{header}---\n\n{body}"


def merged_settings(existing: str | None, run: str | None, where: str = "settings.json") -> str:
    """`.claude/settings.json` with the PM's guard added once; other keys kept."""
    settings: dict[str, Any] = {}
    if existing is not None and existing.strip():
        try:
            loaded = json.loads(existing)
        except json.JSONDecodeError as error:
            raise ConfigError(
                f"{where} line {error.lineno}: not JSON ({error.msg}); expected a JSON object"
            ) from None
        if not isinstance(loaded, dict):
            raise ConfigError(f"{where}: expected a JSON object")
        settings = loaded
    hooks = settings.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise ConfigError(f"{where}: 'hooks' is not an object")
    groups = hooks.setdefault("PreToolUse", [])
    if not isinstance(groups, list):
        raise ConfigError(f"{where}: 'hooks.PreToolUse' is not a list")
    ours = hooks_for(MAIN_ROLE, run)["PreToolUse"][0]
    if ours not in groups:  # idempotent: exporting twice adds it once
        groups.append(ours)
    return json.dumps(settings, indent=2) + "\n"


def export_team(team: Team, out: Path, settings: Path, run: str | None) -> list[Path]:
    """Write every subagent file and merge the settings; nothing is written when the
    existing settings cannot be read."""
    existing = settings.read_text(encoding="utf-8") if settings.is_file() else None
    merged = merged_settings(existing, run, str(settings))  # raises before anything is written
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for role, charter in team.roles.items():
        path = out / f"{role}.md"
        path.write_text(subagent_file(charter, run), encoding="utf-8")
        written.append(path)
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(merged, encoding="utf-8")
    return [*written, settings]


def _first_sentence(text: str) -> str:
    flat = " ".join(text.split())
    end = flat.find(". ")
    return flat if end < 0 else flat[: end + 1]


def _authorities(charter: Charter) -> str:
    lines = ["## Writing authorities (enforced by `charter guard`)", ""]
    rules = charter.authorities
    for label, group in (
        ("Yours alone", rules.exclusive),
        ("Shared", rules.shared),
        ("Never", rules.forbidden),
    ):
        for rule in group:
            lines.append(f"- {label}: `{rule.pattern}`" + (f" ({rule.note})" if rule.note else ""))
    return "\n".join(lines) + "\n"
