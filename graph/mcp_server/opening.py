"""Opening the desk: the team, the workspace and the run directory a server works on.

The run directory is a real agents' run, as `charter guard` keeps one (`.charter/run`,
created when missing, its store `run.db` beside it). A simulated run (one with a
`run.json`, written by `charter run` / `demo` / `serve`) is refused: its events are
digested and its escalations belong to paused work items the orchestrator resumes, so
records from outside would change its digest and leave its threads waiting."""

from __future__ import annotations

from pathlib import Path

from charter.protocols import ConfigError, SystemClock

from .desk import Desk


def open_desk(
    run_dir: Path,
    *,
    workspace: Path,
    team_files: list[Path] | None = None,
    pinned_role: str | None = None,
) -> Desk:
    """A desk on `run_dir` for the team in `team_files` (None: the shipped team). Every
    mistake is a ConfigError naming it, raised before anything is created."""
    from sqlalchemy.exc import DatabaseError

    from charter.agents.team import load_team
    from charter.graph.authority import AuthorityEngine
    from charter.memory import open_run_store

    team = load_team(team_files or None)
    if pinned_role is not None and pinned_role not in team.roles:
        raise ConfigError(
            f"--role {pinned_role!r}: not in the team; expected one of "
            f"{', '.join(sorted(team.roles))}"
        )
    if not workspace.is_dir():
        raise ConfigError(f"--workspace {workspace}: no such directory")
    if run_dir.exists() and not run_dir.is_dir():
        raise ConfigError(f"--run {run_dir}: not a directory; expected a run directory")
    if (run_dir / "run.json").exists():
        raise ConfigError(
            f"--run {run_dir}: a simulated run (it has run.json); expected a run directory "
            "for real agents, such as WORKSPACE/.charter/run"
        )
    database = run_dir / "run.db"
    if database.exists() and not database.is_file():
        raise ConfigError(f"--run {run_dir}: {database} is not a file")
    engine = AuthorityEngine(team, workspace.resolve())
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"--run {run_dir}: cannot create it ({error.strerror})") from None
    clock = SystemClock()  # real agents act now: the wall clock is this run's clock
    try:
        store = open_run_store(f"sqlite:///{database}", clock=clock)
    except DatabaseError as error:
        raise ConfigError(
            f"--run {run_dir}: {database} is not a readable Charter run database ({error.orig})"
        ) from None
    return Desk(
        team=team,
        engine=engine,
        workspace=workspace.resolve(),
        store=store,
        clock=clock,
        pinned_role=pinned_role,
    )


__all__ = ["open_desk"]
