"""Masking fails closed, and a masked copy of a generated person table leaks no restricted
value (the copy is searched for every one of them)."""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from charter.agents.data.catalogue import write_catalogue
from charter.agents.data.classify import classify_database
from charter.agents.data.masking import mask_database
from charter.cli.main import app

KEY = b"fail-closed-masking-key-0123456789"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
_TABLES = Path(__file__).resolve().parents[2] / "benchmarks" / "person_tables.py"


def _person_tables() -> Any:
    spec = importlib.util.spec_from_file_location("person_tables", _TABLES)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["person_tables"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    """A table with an unconfident internal column: free text no recogniser explains."""
    path = tmp_path / "notes.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, status TEXT, remark TEXT)")
        moods = ["calm", "late", "noisy", "odd", "quick", "slow"]
        things = ["crate", "pallet", "van", "dock", "lift", "ramp", "roof", "gate", "yard", "shed"]
        rows = [(i, ["open", "closed"][i % 2], f"{moods[i % 6]} {things[i // 6]} again")
                for i in range(60)]  # fmt: skip
        db.executemany("INSERT INTO t VALUES (?, ?, ?)", rows)
    db.close()
    return path


def _values(path: Path, query: str) -> list[Any]:
    with sqlite3.connect(path) as db:
        found = [row[0] for row in db.execute(query)]
    db.close()
    return found


def test_unconfident_columns_are_tokenised_unless_the_flag_says_otherwise(
    notes: Path, tmp_path: Path
) -> None:
    catalogue = classify_database(notes, now=NOW)
    remark = catalogue.tables["t"].columns["remark"]
    assert remark.level == "internal" and remark.confident is False
    report = mask_database(notes, tmp_path / "a.db", catalogue, KEY)
    assert report.method_of("t", "remark") == "token"
    assert "fail closed" in next(c.reason for c in report.columns if c.column == "remark")
    assert {c.column for c in report.in_clear} == {"id", "status"}
    assert all(v.startswith("tok_") for v in _values(tmp_path / "a.db", "SELECT remark FROM t"))
    kept = mask_database(notes, tmp_path / "b.db", catalogue, KEY, keep_uncertain=True)
    assert kept.method_of("t", "remark") == "keep"
    reason = next(c.reason for c in kept.in_clear if c.column == "remark")
    assert "not confidently internal" in reason and "--keep-uncertain" in reason


def test_a_catalogue_without_confidence_is_not_trusted(notes: Path, tmp_path: Path) -> None:
    catalogue = classify_database(notes, now=NOW)
    older = catalogue.model_copy(deep=True)
    for entry in older.tables["t"].columns.values():
        entry.confident = None  # as written before confidence was recorded
        entry.evidence = [e for e in entry.evidence if e.source != "confidence"]
    report = mask_database(notes, tmp_path / "m.db", older, KEY)
    assert report.in_clear == []
    assert "no confidence recorded" in report.columns[0].reason


def test_cli_summary_lists_every_column_copied_in_clear(notes: Path, tmp_path: Path) -> None:
    catalogue = write_catalogue(classify_database(notes, now=NOW), tmp_path / "c.json")
    env = {"CHARTER_TEST_KEY": KEY.decode()}
    argv = ["data", "mask", str(notes), "--key-env", "CHARTER_TEST_KEY", "-c", str(catalogue)]
    runner = CliRunner()
    closed = runner.invoke(app, [*argv, "--out", str(tmp_path / "a.db")], env=env)
    assert closed.exit_code == 0, closed.output
    assert "t.remark: token (not confidently internal" in closed.output
    assert "copied in clear: 2 of 3 column(s)" in closed.output
    assert "t.status: confidently internal: 2 distinct values in 60" in closed.output
    flagged = runner.invoke(
        app, [*argv, "--out", str(tmp_path / "b.db"), "--keep-uncertain"], env=env
    )
    assert "copied in clear: 3 of 3 column(s)" in flagged.output
    assert "kept by --keep-uncertain" in flagged.output


@pytest.mark.parametrize(("locale", "seed"), [("de_DE", 11), ("pl_PL", 12), ("en_GB", 13)])
def test_masked_person_table_contains_no_restricted_value(
    tmp_path: Path, locale: str, seed: int
) -> None:
    tables = _person_tables()
    source = tmp_path / "people.db"
    columns = tables.build_table(source, locale, seed, rows=80, neutral=True)
    catalogue = classify_database(source, now=NOW)
    restricted = [c for c in columns if c.kind.level == "restricted"]
    for column in restricted:  # every restricted column found, from its values alone
        assert catalogue.level_of("people", column.header) == "restricted", column.kind.name
    masked = tmp_path / "masked.db"
    mask_database(source, masked, catalogue, KEY)
    # grep the whole copy (every cell as text) for every restricted value of 5+ characters;
    # shorter ones (CVV, blood type) are searched in their own column, where a hit means
    # the value was copied rather than a coincidence of digits elsewhere.
    with sqlite3.connect(masked) as db:
        rows = db.execute("SELECT * FROM people").fetchall()
        names = [d[0] for d in db.execute("SELECT * FROM people LIMIT 0").description]
    db.close()
    text = "\n".join("\t".join("" if v is None else str(v) for v in row) for row in rows)
    for header, values in tables.restricted_values(source, columns).items():
        own = {str(row[names.index(header)]) for row in rows}
        leaked = [v for v in values if (len(v) >= 5 and v in text) or v in own]
        assert not leaked, (header, len(leaked))
