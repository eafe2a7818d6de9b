"""Erasure reaches everything a run directory holds: slug and case forms of the subject in
the store, workspace file contents and names, SQLite data sets; it follows no link out of
the run; and the hash it records is keyed outside the run, so a copy of the directory
cannot confirm a guessed name."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from charter.cli.main import app
from charter.memory import open_run_store
from charter.memory.erase_files import subject_forms, subject_pattern
from charter.protocols import TaskAssignment, VirtualClock
from charter.protocols.events import TaskSubmitted

from .conftest import START

RUNNER = CliRunner()
SUBJECT = "Customer 42"
VARIANTS = ["Customer 42", "customer_42", "CUSTOMER-42", "customer.42", "customer42"]


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    run = tmp_path / "run"
    run.mkdir()
    meta = {"run_id": "default", "seed": 0, "name": "", "start": START.isoformat()}
    (run / "run.json").write_text(json.dumps(meta), encoding="utf-8")
    store = open_run_store(f"sqlite:///{run / 'run.db'}", clock=VirtualClock(START))
    task = TaskAssignment(id="t-1", title="export", task="export customer_42 and CUSTOMER-42")
    store.append_event(TaskSubmitted(id="ev-1", at=START, task=task))
    store.audit_append(
        actor="data", action="write", target="reports/customer_42.md", details={}, at=START
    )
    store.close()
    reports = run / "workspace" / "reports"
    reports.mkdir(parents=True)
    (reports / "customer_42.md").write_text("Refund for Customer 42 (id customer42).\n")
    (reports / "summary.bin").write_bytes(b"\x00\x01customer.42\xff\xfe")
    (run / "workspace" / "customer-42").mkdir()
    (run / "workspace" / "customer-42" / "notes.txt").write_text("nothing personal")
    outside = tmp_path / "outside.txt"
    outside.write_text("Customer 42 lives outside the run")
    (reports / "link.txt").symlink_to(outside)
    datasets = run / "datasets"
    datasets.mkdir()
    with sqlite3.connect(datasets / "orders.db") as connection:
        connection.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, who TEXT, total REAL)")
        connection.executemany(
            "INSERT INTO orders (who, total) VALUES (?, ?)",
            [("customer_42", 10.0), ("Customer 42", 12.5), ("customer_7", 3.0)],
        )
    return run


def _every_byte(run: Path) -> bytes:
    chunks = []
    for path in run.rglob("*"):
        if path.is_file() and not path.is_symlink():
            chunks.append(path.name.encode() + b"\n" + path.read_bytes())
    return b"\n".join(chunks)


def test_the_pattern_finds_slug_and_case_forms() -> None:
    pattern = subject_pattern(SUBJECT)
    assert all(pattern.fullmatch(variant) for variant in VARIANTS)
    assert not pattern.search("customer 421") and not pattern.search("acustomer 42")
    assert pattern.search("report_customer_42_final")
    assert set(subject_forms(SUBJECT)) >= {"Customer 42", "Customer_42", "Customer42"}


def test_erase_reaches_files_names_datasets_and_the_store(run_dir: Path) -> None:
    before = _every_byte(run_dir)
    assert re.search(rb"customer[ _.-]?42", before, re.IGNORECASE)
    result = RUNNER.invoke(app, ["memory", "erase", str(run_dir), "--subject", SUBJECT])
    assert result.exit_code == 0, result.output
    assert "2 files (2 renamed), 2 data-set cells" in result.stdout
    after = _every_byte(run_dir)
    assert not re.search(rb"customer[ _.-]?42", after, re.IGNORECASE)
    assert not re.search(r"customer[ _.-]?42".encode("utf-16-le"), after, re.IGNORECASE)
    assert b"customer_7" in after  # other customers untouched
    assert (run_dir / "workspace" / "reports" / "ERASED.md").read_text() == (
        "Refund for [ERASED] (id [ERASED]).\n"
    )
    assert (run_dir / "workspace" / "ERASED" / "notes.txt").is_file()
    assert (run_dir / "workspace" / "reports" / "summary.bin").read_bytes() == (
        b"\x00\x01" + b"*" * 11 + b"\xff\xfe"
    )
    # The link's target outside the run is not the run's to scrub.
    assert "Customer 42" in (run_dir.parent / "outside.txt").read_text()
    verify = RUNNER.invoke(app, ["audit", "verify", str(run_dir)])
    assert verify.exit_code == 0, verify.output


def test_the_erasure_hash_is_keyed_outside_the_run(run_dir: Path) -> None:
    assert (
        RUNNER.invoke(app, ["memory", "erase", str(run_dir), "--subject", SUBJECT]).exit_code == 0
    )
    with sqlite3.connect(run_dir / "run.db") as connection:
        meta = dict(connection.execute("SELECT key, value FROM charter_meta").fetchall())
        details = json.loads(
            connection.execute(
                "SELECT details FROM charter_audit WHERE action = 'erase'"
            ).fetchone()[0]
        )
    assert "erasure_salt" not in meta  # nothing in the copy to test guesses against
    key_file = Path(os.environ["CHARTER_KEY_DIR"]) / "erasure.key"  # tests/conftest.py
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert not any(path.name.endswith(".key") for path in run_dir.rglob("*"))
    # Whoever holds the key can confirm the subject; the hash matches it and nothing else.
    master = key_file.read_bytes().strip()
    run_key = hmac.new(master, b"erasure|default", hashlib.sha256).digest()
    expected = hmac.new(run_key, SUBJECT.lower().encode(), hashlib.sha256).hexdigest()
    assert details["subject_hmac"] == expected
