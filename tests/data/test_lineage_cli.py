"""`charter data` ops commands through the real entry point (exit codes, one-line errors)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from charter.cli.main import run


def charter(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.argv", ["charter", *args])
    with pytest.raises(SystemExit) as exit_info:
        run()
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), out, err


PIPELINES = """\
namespace: shop
pipelines:
  - {name: load_orders, inputs: [raw.orders], outputs: [staging.orders]}
  - {name: build_facts, inputs: [staging.orders], outputs: [mart.facts]}
"""


def test_lineage_impact_mermaid_and_openlineage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "pipelines.yaml"
    spec.write_text(PIPELINES, encoding="utf-8")
    code, out, _ = charter(
        ["data", "lineage", str(spec), "--impact", "raw.orders"], monkeypatch, capsys
    )
    assert (
        code == 0
        and "jobs: load_orders, build_facts" in out
        and "datasets: staging.orders, mart.facts" in out
    )
    code, out, _ = charter(["data", "lineage", str(spec), "--mermaid"], monkeypatch, capsys)
    assert out.startswith("flowchart LR") and out.count("-->") == 4
    code, out, _ = charter(
        ["data", "lineage", str(spec), "--openlineage", "--at", "2026-03-02T01:00:00Z"],
        monkeypatch,
        capsys,
    )
    events = [json.loads(line) for line in out.splitlines()]  # NDJSON, one event a line
    assert [e["job"]["name"] for e in events] == ["load_orders", "build_facts"]
    code, _, err = charter(["data", "lineage", str(spec), "--impact", "nope"], monkeypatch, capsys)
    assert code == 2 and err.startswith("charter: lineage: no dataset or job named 'nope'")
    assert err.count("\n") == 1


def test_backup_restore_and_migration_check_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "app.sqlite"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, ssn TEXT)")
        connection.executemany("INSERT INTO t VALUES (?, ?)", [(i, str(i)) for i in range(30)])
    code, out, _ = charter(
        ["data", "backup", str(db), "--to", str(tmp_path / "b.sqlite")], monkeypatch, capsys
    )
    assert code == 0 and "t: 30 rows" in out
    code, out, _ = charter(
        ["data", "restore", str(tmp_path / "b.sqlite"), "--into", str(tmp_path / "r.sqlite")],
        monkeypatch,
        capsys,
    )
    assert code == 0 and "VERIFIED" in out
    code, _, err = charter(
        ["data", "restore", str(tmp_path / "missing.sqlite")], monkeypatch, capsys
    )
    assert code == 2 and "no such file" in err
    migration = tmp_path / "m.sql"
    migration.write_text("ALTER TABLE t DROP COLUMN ssn;\n", encoding="utf-8")
    code, out, _ = charter(
        [
            "data",
            "migration-check",
            str(db),
            str(migration),
            "--classify",
            "t.ssn=restricted",
            "--backup",
            str(tmp_path / "b.sqlite"),
        ],
        monkeypatch,
        capsys,
    )
    assert code == 1
    assert (
        "[drop_column]" in out
        and "needs data_security_review" in out
        and "missing_backup" not in out
    )
    assert "t: 30 -> 30 rows" in out and "NOT safe" in out
    code, _, err = charter(
        ["data", "migration-check", str(db), str(migration), "--classify", "ssn"],
        monkeypatch,
        capsys,
    )
    assert code == 2 and "expected table.column=level" in err


def test_plan_scorecard_anomalies_and_drift_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "shop.sqlite"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER)")
        connection.executemany(
            "INSERT INTO orders VALUES (?, ?)", [(i, i % 997) for i in range(30000)]
        )
    workload = tmp_path / "w.sql"
    workload.write_text("SELECT id FROM orders WHERE customer_id = 5;\n", encoding="utf-8")
    out_sql = tmp_path / "ix.sql"
    code, out, _ = charter(
        [
            "data",
            "plan",
            str(db),
            "--workload",
            str(workload),
            "--runs",
            "3",
            "--migration-out",
            str(out_sql),
            "--json",
        ],
        monkeypatch,
        capsys,
    )
    report = json.loads(out)
    assert report["proposals"][0]["plan_uses_index"] is True
    assert out_sql.read_text(encoding="utf-8") == report["migration_sql"] != ""

    events = tmp_path / "events.jsonl"
    line = {
        "kind": "tool_used",
        "id": "e1",
        "at": "2026-03-02T01:00:00Z",
        "tool": "restore",
        "result": {"recovery_time_minutes": 90.0},
    }
    events.write_text(json.dumps(line) + "\n", encoding="utf-8")
    code, out, _ = charter(["data", "scorecard", str(events)], monkeypatch, capsys)
    assert code == 1 and "FAIL" in out and "Data recovery time" in out and "no data" in out

    series = tmp_path / "s.csv"
    rows = ["timestamp,value"] + [f"t{i},{10 + (i % 24)}" for i in range(480)]
    rows[300] = "t299,500"
    series.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, out, _ = charter(["data", "anomalies", str(series)], monkeypatch, capsys)
    assert code == 1 and "t299" in out and "period 24" in out
    code, _, err = charter(["data", "anomalies", str(tmp_path / "none.csv")], monkeypatch, capsys)
    assert code == 2 and "cannot read" in err

    ref, cur = tmp_path / "ref.csv", tmp_path / "cur.csv"
    ref.write_text("x\n" + "\n".join(str(i % 100) for i in range(2000)) + "\n", encoding="utf-8")
    cur.write_text(
        "x\n" + "\n".join(str(50 + i % 100) for i in range(2000)) + "\n", encoding="utf-8"
    )
    code, out, _ = charter(["data", "drift", str(ref), str(cur)], monkeypatch, capsys)
    assert code == 1 and out.startswith("DRIFT")
