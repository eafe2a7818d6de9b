"""`RunDirSource`: a finished or paused run read from its directory through the run store.

It never writes. A run with open escalations is opened live instead (`open_run`), so the
PM's decision goes through the Orchestrator and resumes the paused work.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from charter.protocols import CharterError, ConfigError, DecisionVerdict, Team, VirtualClock
from charter.protocols.events import RunStarted

from .source import SourceStatus
from .store_reads import StoreReads

if TYPE_CHECKING:
    from charter.memory import RunStore

RUN_DB = "run.db"


def store_url_for(run_dir: Path) -> tuple[str, str | None]:
    """(URL, schema) of a run directory's store: the one its run.json names, else run.db."""
    import os

    from charter.memory.backend import STORE_ENV, recorded_store, split_schema

    elsewhere = recorded_store(run_dir)
    if elsewhere is not None:
        return elsewhere
    if os.environ.get(STORE_ENV):  # `charter tui --store URL` (or the environment)
        return split_schema(os.environ[STORE_ENV])
    db = run_dir / RUN_DB
    from charter.memory.guard_spool import spool_folder

    # a run only the Claude Code guard has written yet: its spool becomes the store on open
    if not db.is_file() and spool_folder(f"sqlite:///{db}") is None:
        raise ConfigError(f"run directory {run_dir}: expected a run database at {db}")
    return f"sqlite:///{db}", None


class RunDirSource(StoreReads):
    """Reads `<run dir>/run.db` (or any store URL) and the team the run used."""

    def __init__(self, run_dir: Path, *, url: str | None = None, team: Team | None = None) -> None:
        from charter.memory import open_run_store

        self.run_dir = run_dir
        # The store only stamps its own bookkeeping with this clock; reading needs no time.
        clock = VirtualClock(datetime(2000, 1, 1, tzinfo=UTC))
        url, schema = (url, None) if url is not None else store_url_for(run_dir)
        from charter.memory.backend import recorded_run_id

        self.store: RunStore = open_run_store(
            url, clock=clock, schema=schema, run_id=recorded_run_id(run_dir), existing=True
        )
        self._team = team
        self._team_loaded = team is not None
        workspace = run_dir / "workspace"
        self._workspace = workspace if workspace.is_dir() else run_dir

    def _load_team(self) -> Team | None:
        from charter.agents.team import load_team

        try:
            team = load_team()
        except CharterError:
            return None
        started = self.store.events(0, kinds=["run_started"], limit=1)
        if started and isinstance(started[0][1], RunStarted):
            roles = {r: team.roles[r] for r in started[0][1].team if r in team.roles}
            if roles:
                return team.model_copy(update={"roles": roles})
        return team

    def team(self) -> Team | None:
        # Loaded on first use: parsing the role files is the slowest part of opening a run,
        # and the TUI asks from a worker after its first paint.
        if not self._team_loaded:
            self._team = self._load_team()
            self._team_loaded = True
        return self._team

    def status(self) -> SourceStatus:
        return SourceStatus(
            title=f"run {self.run_dir.name}",
            live=False,
            read_only=True,
            finished=True,
            location=str(self.run_dir.resolve()),
        )

    def decide(self, escalation_id: str, verdict: DecisionVerdict, note: str) -> None:
        raise ConfigError(
            f"escalation {escalation_id}: this run is open read-only; "
            "open it with `charter tui --run DIR` while it has open escalations to decide"
        )

    def acknowledge(self, escalation_id: str) -> None:
        raise ConfigError(
            f"escalation {escalation_id}: this run is open read-only; "
            "open it with `charter tui --run DIR` while it has open escalations"
        )

    def now(self) -> datetime | None:
        return self.store.last_event_at()

    def step(self) -> int:
        return 0

    def close(self) -> None:
        self.store.close()


__all__ = ["RUN_DB", "RunDirSource", "store_url_for"]
