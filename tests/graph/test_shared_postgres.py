"""Runs sharing one PostgreSQL schema, from processes started together: each ends with the
digest the same scenario has alone on SQLite, and a new store opened by four processes at
once (store migration and LangGraph's checkpoint set-up) works for all four."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from charter.scenarios import load_scenario, run_scenario

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
LIBRARY = Path(__file__).resolve().parents[2] / "scenarios" / "library"
# Two scenarios, two seeds each: four run ids in one schema, some with the same scenario.
CELLS = [("pipeline-failure", 3), ("pipeline-failure", 4), ("data-breach", 3), ("gdpr-erasure", 5)]


@pytest.fixture
def schema() -> Iterator[str]:
    name = f"s_{uuid.uuid4().hex[:16]}"
    yield name
    with psycopg.connect(
        "host=127.0.0.1 port=5432 dbname=test user=postgres", autocommit=True
    ) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def _charter() -> str:
    return str(Path(sys.executable).with_name("charter"))


def test_four_runs_in_one_schema_match_their_runs_alone(tmp_path: Path, schema: str) -> None:
    store = f"{PG_URL}?schema={schema}"
    processes = [
        subprocess.Popen(
            [
                *(_charter(), "run", str(LIBRARY / f"{name}.yaml"), "--seed", str(seed)),
                *("--out", str(tmp_path / "shared"), "--store", store, "--json", "--no-timeline"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "CHARTER_STORE": ""},
        )
        for name, seed in CELLS
    ]
    shared: dict[tuple[str, int], str] = {}
    for (name, seed), process in zip(CELLS, processes, strict=True):
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-2000:]
        (report,) = json.loads(out)["scenarios"]
        shared[(name, seed)] = report["digest"]
    for name, seed in CELLS:
        loaded = load_scenario(LIBRARY / f"{name}.yaml")
        alone = run_scenario(loaded, tmp_path / "alone" / f"{name}-{seed}", seed=seed)
        assert alone.passed, alone.error
        assert shared[(name, seed)] == alone.digest, (name, seed)
    with psycopg.connect("host=127.0.0.1 port=5432 dbname=test user=postgres") as connection:
        runs = connection.execute(f'SELECT count(*) FROM "{schema}".charter_runs').fetchone()
        threads = connection.execute(
            f'SELECT count(DISTINCT thread_id) FROM "{schema}".checkpoints'
        ).fetchone()
    assert runs == (4,)
    assert threads is not None and threads[0] > 0  # checkpoints beside the store (auto)


_OPENER = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from charter.graph import Orchestrator
url, run_dir, seed = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
sys.stdout.write("ready\\n"); sys.stdout.flush()
sys.stdin.readline()  # all four start together
with Orchestrator(run_dir, seed=seed, name="opening", store_url=url) as orch:
    orch.submit("count the rows", to="data")
    print(orch.run_until_idle(), orch.store.run_id)
"""


def test_four_processes_opening_a_new_store_at_once_all_succeed(
    tmp_path: Path, schema: str
) -> None:
    store = f"{PG_URL}?schema={schema}"
    openers = [
        subprocess.Popen(
            [sys.executable, "-P", "-c", _OPENER, store, str(tmp_path / f"r{n}"), str(n)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    for opener in openers:
        assert opener.stdout is not None
        assert opener.stdout.readline() == "ready\n"
    for opener in openers:
        assert opener.stdin is not None
        opener.stdin.write("go\n")
        opener.stdin.flush()
    results = [opener.communicate(timeout=120) for opener in openers]
    for opener, (out, err) in zip(openers, results, strict=True):
        assert opener.returncode == 0, err[-2000:]
        assert out.startswith("idle run-")
    assert len({out.split()[1] for out, _ in results}) == 4
