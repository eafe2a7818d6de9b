"""A team as Claude Code subagents: one `.claude/agents/<role>.md` per role whose
frontmatter wires the PreToolUse guard and the Stop hook (escalations), and the main
agent's (PM's) hooks merged into `.claude/settings.json` without losing what is there.

Field names follow Claude Code's subagent and hooks documentation (checked December 2026,
Claude Code 2.x): frontmatter `name`, `description`, `hooks`; a hooks object maps an event
to `[{"matcher": ..., "hooks": [{"type": "command", "command": ...}]}]` (Stop takes no
matcher; a subagent's `Stop` hook runs when that subagent stops, as `SubagentStop`).
Every hook runs `charter-guard` (the fast entry point, see cli/guard_fast.py), which tells
the events apart by the payload's `hook_event_name`.
"""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from charter.protocols import Charter, ConfigError, Team

# The tools that write files, and Bash: what the guard judges.
GUARDED_TOOLS = "Write|Edit|MultiEdit|NotebookEdit|Bash"
MAIN_ROLE = "pm"


GUARD = "charter-guard"
# earlier exports called the typer command; recognised so a new export replaces them
_OURS = ("charter-guard ", "charter guard claude-code ")


def guard_command(role: str, run: str | None, team: Sequence[Path] = ()) -> str:
    words = [GUARD, "--role", role]
    if run is not None:
        words += ["--run", run]
    for path in team:  # absolute: the hook runs in whatever folder the agent is in
        words += ["--team", os.path.abspath(path)]
    return shlex.join(words)


def hooks_for(role: str, run: str | None, team: Sequence[Path] = ()) -> dict[str, Any]:
    entry = {"type": "command", "command": guard_command(role, run, team)}
    return {
        "PreToolUse": [{"matcher": GUARDED_TOOLS, "hooks": [entry]}],
        "Stop": [{"hooks": [dict(entry)]}],
    }


def subagent_file(charter: Charter, run: str | None, team: Sequence[Path] = ()) -> str:
    """The Markdown subagent for `charter`: YAML frontmatter, then the prose as its prompt."""
    front = {
        "name": charter.role,
        "description": _first_sentence(charter.description) or charter.title,
        "hooks": hooks_for(charter.role, run, team),
    }
    header = yaml.safe_dump(front, sort_keys=False, allow_unicode=True)
    body = (
        f"# {charter.title}\n\n{charter.description.strip()}\n\n{_authorities(charter)}\n"
        f"{_escalations(charter, run)}"
    )
    return f"---\n{header}---\n\n{body}"


def merged_settings(
    existing: str | None,
    run: str | None,
    where: str = "settings.json",
    team: Sequence[Path] = (),
) -> str:
    """`.claude/settings.json` with the PM's guard and Stop hook added once (an earlier
    export's are replaced); other keys and hooks kept."""
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
    for event, (ours,) in hooks_for(MAIN_ROLE, run, team).items():
        groups = hooks.setdefault(event, [])
        if not isinstance(groups, list):
            raise ConfigError(f"{where}: 'hooks.{event}' is not a list")
        # idempotent: exporting twice leaves one guard, the newest
        groups[:] = [group for group in groups if not _is_ours(group)]
        groups.append(ours)
    return json.dumps(settings, indent=2) + "\n"


def _is_ours(group: object) -> bool:
    if not isinstance(group, dict) or not isinstance(group.get("hooks"), list):
        return False
    commands = [hook.get("command") for hook in group["hooks"] if isinstance(hook, dict)]
    return bool(commands) and all(
        isinstance(command, str) and command.startswith(_OURS) for command in commands
    )


def export_team(
    team: Team, out: Path, settings: Path, run: str | None, team_files: Sequence[Path] = ()
) -> list[Path]:
    """Write every subagent file and merge the settings; nothing is written when the
    existing settings cannot be read. The guard's compiled team is built too, so the first
    hook call is as fast as the others."""
    existing = settings.read_text(encoding="utf-8") if settings.is_file() else None
    # raises before anything is written
    merged = merged_settings(existing, run, str(settings), team_files)
    from .bashlex_tables import import_bashlex
    from .compiled import compile_team

    compile_team(list(team_files) or None)
    import_bashlex()  # builds bashlex's table cache now rather than in an agent's first Bash
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for role, charter in team.roles.items():
        path = out / f"{role}.md"
        path.write_text(subagent_file(charter, run, team_files), encoding="utf-8")
        written.append(path)
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(merged, encoding="utf-8")
    return [*written, settings]


def _escalations(charter: Charter, run: str | None) -> str:
    """How this agent escalates: the charter's triggers and the two ways to file one."""
    from .escalate import MARKER

    lines = ["## Escalations (filed by Charter; severity from this charter)", ""]
    for label, group in (
        ("Immediate", charter.escalation.immediate),
        ("Standard", charter.escalation.standard),
    ):
        for trigger in group:
            lines.append(
                f"- {label}: {trigger.name}"
                + (f" — {trigger.description}" if trigger.description else "")
            )
    if len(lines) == 2:
        return ""
    where = f" --run {shlex.quote(run)}" if run is not None else ""
    lines += [
        "",
        f"To escalate, end your reply with one line per escalation: `{MARKER} <trigger> |"
        " <summary> | <evidence>; <evidence>` (the trigger named as above), or run",
        f"`charter escalate --role {charter.role} --trigger '<trigger>' --summary '...'"
        f" --evidence '...'{where}`.",
    ]
    return "\n".join(lines) + "\n"


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
