"""`charter serve RUN`: the team's schedules become persistent jobs in the run database."""

from __future__ import annotations

import threading
from pathlib import Path

import sqlalchemy as sa

from charter.graph.activation import JOB_TABLE
from charter.scenarios.live import serve_run


def _jobs(run_dir: Path) -> list[str]:
    engine = sa.create_engine(f"sqlite:///{run_dir / 'run.db'}")
    try:
        with engine.connect() as conn:
            return sorted(r[0] for r in conn.execute(sa.text(f"SELECT id FROM {JOB_TABLE}")))
    finally:
        engine.dispose()


def test_serve_stores_the_team_schedules_and_a_restart_keeps_them(tmp_path: Path) -> None:
    stop = threading.Event()
    stop.set()  # sync the jobs, then stop at once
    lines: list[str] = []
    assert serve_run(tmp_path / "run", stop=stop, echo=lines.append) == 0
    jobs = _jobs(tmp_path / "run")
    assert "data:Pipeline health" in jobs and "data:Nightly data quality" in jobs
    assert lines and "schedules" in lines[0]
    serve_run(tmp_path / "run", stop=stop, echo=lines.append)
    assert _jobs(tmp_path / "run") == jobs  # restarted: same jobs, none duplicated
