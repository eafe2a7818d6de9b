"""Escalations from real agents, through the role's charter trigger table.

Two ways in, one rule: the severity is the one the role's charter gives the trigger, never
the caller's.

- `charter escalate --role data --trigger "Pipeline Failures" --summary ...` (an agent can
  be told to run it; `file_escalation`).
- The `Stop` / `SubagentStop` hook (`on_stop`): the agent ends its reply with lines
  `CHARTER-ESCALATE: <trigger> | <summary> [| <evidence>; <evidence>...]`; each is filed.
  An unknown trigger blocks the stop once with the list of the role's triggers, so the
  agent can correct the line (a second stop in the same turn, `stop_hook_active`, is let
  through and the problem is shown to the person instead: no loop).

Filed escalations land in the run directory's store: the escalation record, an
`escalation_raised` event and an audit entry, so `charter tui --run DIR` lists them beside
the guard's decisions and `charter audit verify` covers them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from charter.protocols.clock import SystemClock

if TYPE_CHECKING:
    from charter.protocols import Charter, Escalation, Team

MARKER = "CHARTER-ESCALATE:"
_LINE = re.compile(rf"^\s*{re.escape(MARKER)}\s*(?P<body>.*\S)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Request:
    trigger: str
    summary: str
    evidence: tuple[str, ...] = ()


def triggers_text(charter: Charter) -> str:
    """The role's triggers for an error line: `A, B (immediate); C (standard)`."""
    parts = []
    for label, group in (
        ("immediate", charter.escalation.immediate),
        ("standard", charter.escalation.standard),
    ):
        if group:
            parts.append(f"{', '.join(repr(t.name) for t in group)} ({label})")
    return "; ".join(parts) or "none (this charter lists no escalation triggers)"


def charter_of(team: Team, role: str) -> Charter:
    from charter.protocols import ConfigError

    charter = team.roles.get(role)
    if charter is None:
        raise ConfigError(
            f"--role {role!r}: not in the team; expected one of {', '.join(sorted(team.roles))}"
        )
    return charter


def check_trigger(charter: Charter, trigger: str) -> str:
    """The trigger's name as the charter spells it; ConfigError listing the role's
    triggers when the charter has no such trigger."""
    from charter.protocols import ConfigError

    wanted = trigger.strip().casefold()
    for named in charter.escalation.all_triggers():
        if named.name.casefold() == wanted:
            return named.name
    raise ConfigError(
        f"--trigger {trigger!r}: not an escalation trigger of {charter.role}; "
        f"expected one of {triggers_text(charter)}"
    )


def file_escalation(
    run_dir: Path,
    team: Team,
    role: str,
    request: Request,
    *,
    via: str,
    session: str = "",
    now: datetime | None = None,
) -> tuple[Escalation, bool]:
    """File `request` for `role` in the run at `run_dir`; (the escalation, whether it is
    new). The same request from the same session is filed once (a hook may see one reply
    twice). Raises ConfigError for an unknown role or trigger, before anything is written."""
    from charter.memory import open_run_store
    from charter.protocols import Escalation, VirtualClock
    from charter.protocols.events import EscalationRaised

    charter = charter_of(team, role)
    trigger = check_trigger(charter, request.trigger)
    if not request.summary.strip():
        from charter.protocols import ConfigError

        raise ConfigError("--summary: empty; expected one line saying what happened")
    severity = charter.escalation.severity_of(trigger)
    assert severity is not None  # check_trigger found it
    named = next(t for t in charter.escalation.all_triggers() if t.name == trigger)
    at = now or SystemClock().now()  # a real agent's run: the wall clock is its clock
    key = "\n".join([role, trigger, request.summary, *request.evidence, session or at.isoformat()])
    escalation_id = "esc-cc-" + hashlib.sha256(key.encode()).hexdigest()[:16]
    within = charter.escalation.acknowledge_within.get(severity)
    run_dir.mkdir(parents=True, exist_ok=True)
    with open_run_store(
        f"sqlite:///{run_dir.resolve() / 'run.db'}", clock=VirtualClock(at)
    ) as store:
        existing = store.get_escalation(escalation_id)
        if existing is not None:
            return existing, False
        escalation = Escalation(
            id=escalation_id,
            source=role,
            trigger=trigger,
            severity=severity,
            summary=request.summary.strip(),
            evidence=list(request.evidence),
            raised_at=at,
            acknowledge_by=at + within if within is not None else None,
            escalated_to=named.target,
        )
        store.upsert_escalation(escalation)
        store.append_event(
            EscalationRaised(id=f"ev-{escalation_id}", at=at, agent=role, escalation=escalation)
        )
        store.audit_append(
            actor=role,
            action="escalate",
            target=trigger,
            details={
                "escalation": escalation_id,
                "severity": str(severity),
                "summary": escalation.summary,
                "evidence": list(request.evidence),
                "via": via,
                "session": session,
            },
            at=at,
        )
    return escalation, True


def requests_in(text: str) -> list[Request]:
    """Every `CHARTER-ESCALATE: trigger | summary [| evidence; ...]` line of `text`."""
    found = []
    for match in _LINE.finditer(text):
        parts = [part.strip() for part in match.group("body").split("|")]
        trigger = parts[0]
        summary = parts[1] if len(parts) > 1 else ""
        evidence = tuple(
            item.strip() for part in parts[2:] for item in part.split(";") if item.strip()
        )
        found.append(Request(trigger, summary, evidence))
    return found


def last_reply(payload: dict[str, Any]) -> str:
    """The agent's last reply: the payload's `last_assistant_message` when Claude Code sends
    it, else the last assistant entry of the (agent's) transcript file."""
    direct = payload.get("last_assistant_message")
    if isinstance(direct, str):
        return direct
    for key in ("agent_transcript_path", "transcript_path"):
        path = payload.get(key)
        if isinstance(path, str) and path:
            text = _last_assistant_text(Path(path).expanduser())
            if text is not None:
                return text
    return ""


def _last_assistant_text(path: Path) -> str | None:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for raw in reversed(lines):
        try:
            entry = json.loads(raw)
        except ValueError:
            continue
        if not isinstance(entry, dict) or entry.get("type") != "assistant":
            continue
        message = entry.get("message")
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            texts = [
                part.get("text", "")
                for part in content
                if isinstance(part, dict) and part.get("type") == "text"
            ]
            if texts:
                return "\n".join(str(text) for text in texts)
    return None


def on_stop(
    payload: dict[str, Any],
    role: str,
    run_dir: Path,
    root: Path,
    team_files: Sequence[Path] | None,
) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of the Stop / SubagentStop hook for `role`."""
    from charter.agents.team import load_team
    from charter.protocols import CharterError, ConfigError

    requests = requests_in(last_reply(payload))
    if not requests:
        return 0, "{}\n", ""
    try:
        team = load_team(list(team_files) if team_files else None)
        charter_of(team, role)  # an unknown role is a misconfigured hook: exit 2
    except ConfigError as error:
        return 2, "", f"charter-guard: {error}\n"
    session = str(payload.get("agent_id") or payload.get("session_id") or "")
    filed: list[str] = []
    problems: list[str] = []
    for request in requests:
        try:
            escalation, _ = file_escalation(
                run_dir,
                team,
                role,
                request,
                via=str(payload.get("hook_event_name")),
                session=session,
            )
        except CharterError as error:
            problems.append(str(error))
            continue
        filed.append(f"{escalation.trigger} ({escalation.severity}) to {escalation.escalated_to}")
    answer: dict[str, Any] = {}
    if filed:
        answer["systemMessage"] = f"Charter filed for {role}: " + "; ".join(filed)
    if problems:
        note = (
            f"Charter could not file {len(problems)} escalation(s): "
            + " / ".join(problems)
            + f". Write each as '{MARKER} <trigger> | <summary>'"
        )
        if payload.get("stop_hook_active"):
            answer["systemMessage"] = " ".join(filter(None, [answer.get("systemMessage"), note]))
        else:
            answer.update(decision="block", reason=note)
    return 0, json.dumps(answer) + "\n", ""
