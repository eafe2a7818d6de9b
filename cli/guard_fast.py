"""`charter-guard`: the Claude Code hook's own entry point, fast from a cold process.

Claude Code starts the hook command once per tool call, so everything here is paid per
call. No typer, no pydantic, no SQLAlchemy, no LangGraph on this path (`python -X
importtime` shows what is left): a hand-written option parser, the team's rules from
their JSON cache (`graph/claude_code/compiled.py`), the authority engine, bashlex with
cached tables for Bash, and one appended spool line instead of a database transaction.
`charter guard claude-code` runs the same code.

    charter-guard --role data [--run DIR] [--workspace DIR] [--team FILE ...]

PreToolUse payloads are judged (allow / deny / ask on stdout, exit 0). Stop and
SubagentStop payloads file the escalations the agent's reply names
(`graph/claude_code/escalate.py`). A misconfigured hook (unknown role, bad team file,
bad option) exits 2 with one line on stderr, which Claude Code shows as a blocking error.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

USAGE = """usage: charter-guard --role ROLE [--run DIR] [--workspace DIR] [--team FILE]...

Judge one Claude Code hook call (JSON on stdin) with the charters.

  --role ROLE        the role this agent plays (required)
  --run DIR          run directory to record in (default: WORKSPACE/.charter/run)
  --workspace DIR    workspace root (default: $CLAUDE_PROJECT_DIR, else the hook's cwd)
  --team FILE        role/team file, repeatable (default: the shipped team)
  -h, --help         show this help
"""
_VALUED = ("--role", "--run", "--workspace", "--team")


class Options:
    __slots__ = ("role", "run", "team", "workspace")

    def __init__(self) -> None:
        self.role: str | None = None
        self.run: Path | None = None
        self.workspace: Path | None = None
        self.team: list[Path] = []


class UsageError(Exception):
    """A bad command line; the message is the one line to print."""


def parse_args(argv: Sequence[str]) -> Options | None:
    """The options, or None for --help. Hand-written rather than argparse: argparse and
    what it imports (gettext, shutil) cost more than the rest of a Write decision."""
    options = Options()
    words = list(argv)
    while words:
        word = words.pop(0)
        if word in ("-h", "--help"):
            return None
        name, equals, value = word.partition("=")
        if name not in _VALUED:
            raise UsageError(f"unknown option {word!r}; expected one of {', '.join(_VALUED)}")
        if not equals:
            if not words or (words[0].startswith("--") and words[0] != "--"):
                raise UsageError(f"{name} needs a value")
            value = words.pop(0)
        if not value:
            raise UsageError(f"{name} needs a value")
        if name == "--role":
            options.role = value
        elif name == "--team":
            options.team.append(Path(value))
        else:
            setattr(options, name[2:], Path(value))
    if options.role is None:
        raise UsageError("--role is required")
    return options


def main(argv: Sequence[str] | None = None) -> int:
    try:
        options = parse_args(sys.argv[1:] if argv is None else argv)
    except UsageError as error:
        sys.stderr.write(f"charter-guard: {error}; see charter-guard --help\n")
        return 2
    if options is None:
        sys.stdout.write(USAGE)
        return 0
    assert options.role is not None
    raw = sys.stdin.buffer.read().decode("utf-8", errors="replace")
    try:
        code, out, err = guard(raw, options.role, options.run, options.workspace, options.team)
    except Exception as error:  # never a traceback: the safe answer, and why
        code, out, err = 0, _failed(raw, error), ""
    if out:
        sys.stdout.write(out)
    if err:
        sys.stderr.write(err)
    return code


def guard(
    raw: str,
    role: str,
    run: Path | None,
    workspace: Path | None,
    team_files: Sequence[Path] | None,
) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of one hook call whose stdin was `raw`."""
    from charter.graph.claude_code.hook import GuardAnswer, read_payload
    from charter.protocols.errors import ConfigError

    payload = read_payload(raw)
    fields: dict[str, Any] = payload if isinstance(payload, dict) else {}
    root = _workspace(workspace, fields)
    run_dir = run if run is not None else root / ".charter" / "run"
    if not run_dir.is_absolute():  # hooks run in the agent's cwd: anchor at the workspace
        run_dir = root / run_dir
    try:
        engine = _engine(root, team_files, role)
    except ConfigError as error:
        return 2, "", f"charter-guard: {error}\n"
    if fields.get("hook_event_name") in ("Stop", "SubagentStop"):
        from charter.graph.claude_code.escalate import on_stop

        return on_stop(fields, role, run_dir, root, team_files)
    answer = payload if isinstance(payload, GuardAnswer) else _judge(payload, engine, role, root)
    from charter.graph.claude_code.record import record_answer

    try:
        record_answer(run_dir, role, answer)
    except Exception as error:
        # an unrecorded allow would be invisible to the PM: ask instead
        if answer.permission == "allow":
            answer.permission = "ask"
        answer.reason += f" [not recorded: {type(error).__name__}: {error}]"
    return 0, json.dumps(answer.hook_output()) + "\n", ""


def _failed(raw: str, error: Exception) -> str:
    why = f"charter guard failed ({type(error).__name__}: {error})"
    if '"PreToolUse"' in raw or '"hook_event_name"' not in raw:
        from charter.graph.claude_code.hook import GuardAnswer

        return json.dumps(GuardAnswer("ask", f"{why}; confirm by hand").hook_output()) + "\n"
    return json.dumps({"systemMessage": f"{why}; nothing was filed"}) + "\n"


def _judge(payload: dict[str, Any], engine: Any, role: str, root: Path) -> Any:
    from charter.graph.claude_code.hook import GuardAnswer, judge

    try:
        return judge(payload, engine, role, str(root))
    except Exception as error:  # a guard must answer; the safe answer is to ask
        return GuardAnswer(
            "ask", f"charter guard failed ({type(error).__name__}: {error}); confirm by hand"
        )


def _workspace(option: Path | None, payload: dict[str, Any]) -> Path:
    if option is not None:
        return option.resolve()
    project = os.environ.get("CLAUDE_PROJECT_DIR")
    if project:
        return Path(project).resolve()
    cwd = payload.get("cwd")
    return Path(cwd if isinstance(cwd, str) and cwd else ".").resolve()


def _engine(root: Path, team_files: Sequence[Path] | None, role: str) -> Any:
    from charter.graph.authority import AuthorityEngine
    from charter.graph.claude_code.compiled import load_compiled
    from charter.protocols.errors import ConfigError

    team = load_compiled(team_files)
    if role not in team.roles:
        raise ConfigError(
            f"--role {role!r}: not in the team; expected one of {', '.join(sorted(team.roles))}"
        )
    return AuthorityEngine(team, root, lazy_regex=True)  # a few paths: compile what they need


if __name__ == "__main__":
    sys.exit(main())
