"""`charter escalate`: a real agent (or a person) files an escalation through the role's
charter trigger table. The severity is the charter's; a `--severity` that disagrees with
it is refused (exit 2), one that agrees is accepted as a check, never as the source."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._args import TeamFilesOpt
from ._json import JsonOpt, emit_json, plain


def register(app: typer.Typer) -> None:
    """Attach `charter escalate` to the `charter` app."""

    @app.command("escalate")
    def escalate(
        role: Annotated[str, typer.Option("--role", help="The role filing it.")],
        trigger: Annotated[
            str, typer.Option("--trigger", help="One of the role's escalation triggers.")
        ],
        summary: Annotated[str, typer.Option("--summary", help="One line: what happened.")],
        evidence: Annotated[
            list[str] | None,
            typer.Option("--evidence", help="A fact backing it (repeatable)."),
        ] = None,
        run: Annotated[Path, typer.Option("--run", help="Run directory to record in.")] = Path(
            ".charter/run"
        ),
        team: TeamFilesOpt = None,
        severity: Annotated[
            str | None,
            typer.Option(
                "--severity",
                help="Not used: the charter decides. Given and different: refused.",
            ),
        ] = None,
        session: Annotated[
            str, typer.Option("--session", help="Who asked (e.g. the Claude Code session id).")
        ] = "",
        as_json: JsonOpt = False,
    ) -> None:
        """File an escalation; its severity comes from ROLE's charter, never from the caller."""
        from charter.agents.team import load_team
        from charter.graph.claude_code.escalate import (
            Request,
            charter_of,
            check_trigger,
            file_escalation,
        )
        from charter.protocols import ConfigError

        loaded = load_team(team or None)
        charter = charter_of(loaded, role)
        name = check_trigger(charter, trigger)
        expected = charter.escalation.severity_of(name)
        if severity is not None and severity.strip().casefold() != str(expected):
            raise ConfigError(
                f"--severity {severity!r}: {role}'s charter files {name!r} as {expected}; "
                "the severity comes from the charter, drop --severity"
            )
        escalation, new = file_escalation(
            run,
            loaded,
            role,
            Request(name, summary, tuple(evidence or ())),
            via="charter escalate",
            session=session,
        )
        state = "filed" if new else "already filed"
        if as_json:
            emit_json(
                {"state": state, "new": new, "escalation": plain(escalation), "run": str(run)}
            )
            return
        typer.echo(
            f"{state} {escalation.id}: {escalation.trigger} ({escalation.severity}) "
            f"from {role} to {escalation.escalated_to} in {run}"
        )
