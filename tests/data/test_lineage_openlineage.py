"""OpenLineage as its users expect: one run id per job run, facets, spec naming, transports,
and lineage recorded from the tools the agents of a run actually ran.

Every emitted event is read back through the `openlineage-python` client's event and facet
classes (`load_event`): an unknown facet or field fails the test, and re-serialising the
loaded event must give the same JSON.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from openlineage.client.serde import Serde

from charter.agents.data.lineage_events import load_event
from charter.agents.data.lineage_naming import table_dataset
from charter.agents.data.lineage_runs import run_job_runs, tables_touched
from charter.cli.main import run
from charter.protocols import ConfigError
from charter.protocols import events as ev

AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def charter(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.argv", ["charter", *args])
    with pytest.raises(SystemExit) as exit_info:
        run()
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), out, err


def loaded(lines: list[str]) -> list[dict[str, Any]]:
    """Each NDJSON line as a dict, after proving the client's classes read it exactly."""
    events = []
    for line in lines:
        data = json.loads(line)
        typed = load_event(data)
        assert Serde.to_dict(typed) == data  # nothing dropped, nothing unknown
        events.append(data)
    return events


def _shop(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.executescript(
            """
            CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT);
            CREATE TABLE orders (id INTEGER, customer_id INTEGER, amount NUMERIC);
            CREATE TABLE audit (at TEXT, note TEXT);
            CREATE VIEW big_orders AS SELECT * FROM orders WHERE amount > 100;
            CREATE TRIGGER orders_audit AFTER DELETE ON orders
              BEGIN INSERT INTO audit VALUES (datetime('now'), 'deleted'); END;
            INSERT INTO orders VALUES (1, 1, 5), (1, 1, 5), (2, 1, 300);
            """
        )


def test_tables_touched_follows_joins_views_triggers_and_writes(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    _shop(db)
    reads, writes = tables_touched(
        db, "SELECT c.email FROM big_orders o JOIN customers c ON c.id = o.customer_id"
    )
    # The view and the table behind it are both read.
    assert set(reads) == {"big_orders", "orders", "customers"} and writes == []
    reads, writes = tables_touched(
        db,
        "DELETE FROM orders WHERE id IN (SELECT id FROM customers);\n"
        "ALTER TABLE customers ADD COLUMN token TEXT;\n"
        "UPDATE customers SET token = 'x';\n"  # needs the column the ALTER above added
        "CREATE UNIQUE INDEX ux ON orders (id);",
    )
    assert set(writes) == {"orders", "customers", "audit"}  # audit: through the trigger
    assert "customers" in reads
    # Nothing ran against the real file: the duplicate rows and the old schema are there.
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT COUNT(*) FROM orders").fetchone() == (3,)
        names = [r[1] for r in connection.execute("PRAGMA table_info(customers)")]
        assert names == ["id", "email"]
    assert tables_touched(tmp_path / "missing.db", "SELECT 1") == ([], [])


def _run_dir(tmp_path: Path) -> tuple[Path, list[ev.Event]]:
    folder = tmp_path / "run"
    (folder / "datasets").mkdir(parents=True)
    (folder / "workspace").mkdir()
    _shop(folder / "datasets" / "shop.db")
    base = {"at": AT, "agent": "data"}
    suite_result = {
        "suite": "keys",
        "database": "sqlite:///<run>/datasets/shop.db",
        "results": [
            {"expectation": "expect_column_values_to_be_unique", "table": "orders",
             "kwargs": {"column": "id"}, "success": False, "element_count": 3,
             "unexpected_count": 2},
            {"expectation": "expect_table_row_count_to_be_between", "table": "orders",
             "kwargs": {"min_value": 1}, "success": True, "observed_value": 3},
        ],
    }  # fmt: skip
    events: list[ev.Event] = [
        ev.RunStarted(id="e0", at=AT, run_id="run-1", seed=7, team=["data"], scenario="night"),
        ev.ToolUsed(id="e1", tool="run_quality_suite", ok=False, summary="1/2 checks passed",
                    arguments={"database": "shop.db", "suite": {"table": "orders"}},
                    result=suite_result, **base),
        ev.ToolUsed(id="e2", tool="sql_query", summary="1 row(s)",
                    arguments={"database": "shop.db",
                               "sql": "SELECT email FROM customers JOIN orders ON 1"},
                    **base),
        ev.ToolUsed(id="e3", tool="backup", arguments={"database": "shop.db"},
                    result={"backup": "shop.backup.sqlite"}, **base),
        ev.ToolUsed(id="e4", tool="sql_query", ok=False,
                    summary="database 'nope.db' not found under the run's datasets",
                    arguments={"database": "nope.db", "sql": "SELECT 1"}, **base),
        ev.FileWritten(id="e5", path="notes/keys.md", size=3, sha256="0" * 64, **base),
    ]  # fmt: skip
    return folder, events


def test_run_lineage_comes_from_the_tools_the_agents_ran(tmp_path: Path) -> None:
    folder, events = _run_dir(tmp_path)
    runs = run_job_runs(events, folder)
    assert [r.job for r in runs] == [
        "data.run_quality_suite",
        "data.sql_query",
        "data.backup",
        "data.sql_query",
        "data.write_file",
    ]
    suite, query, backup, broken, written = runs
    db_namespace = "sqlite://" + (folder / "datasets" / "shop.db").resolve().as_posix()
    assert [(u.namespace, u.name) for u in suite.inputs] == [(db_namespace, "orders")]
    assert [f.name for f in suite.inputs[0].fields or []] == ["id", "customer_id", "amount"]
    checks = suite.inputs[0].checks
    assert [(c.assertion, c.success, c.column) for c in checks] == [
        ("expect_column_values_to_be_unique", False, "id"),
        ("expect_table_row_count_to_be_between", True, None),
    ]
    assert checks[0].actual == "2 of 3 rows unexpected" and checks[1].actual == "3"
    assert suite.ending == "FAIL" and suite.error == "1/2 checks passed"
    assert {u.name for u in query.inputs} == {"customers", "orders"} and query.sql
    assert backup.inputs[0].namespace == "file"
    assert backup.outputs[0].name.endswith("/datasets/shop.backup.sqlite")
    assert broken.ending == "FAIL" and broken.inputs == [] and "nope.db" in (broken.error or "")
    assert written.outputs[0].name.endswith("/workspace/notes/keys.md")
    # One id per job run; the same run read twice gives the same ids.
    assert len({r.run_id for r in runs}) == 5
    assert [r.run_id for r in run_job_runs(events, folder)] == [r.run_id for r in runs]
    assert {r.parent.name for r in runs if r.parent} == {"night"}


def _store(folder: Path, events: list[ev.Event]) -> None:
    from charter.memory import open_run_store
    from charter.protocols import VirtualClock

    store = open_run_store(
        f"sqlite:///{folder / 'run.db'}", clock=VirtualClock(AT), run_id="run-1", name="night"
    )
    try:
        for event in events:
            store.append_event(event)
    finally:
        store.close()


def test_run_events_through_the_cli_pair_up_and_carry_typed_facets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, events = _run_dir(tmp_path)
    _store(folder, events)
    code, out, _ = charter(["data", "lineage", "--run", str(folder)], monkeypatch, capsys)
    assert code == 0 and "data.run_quality_suite FAIL: reads orders" in out
    assert "1/2 checks passed" in out and out.rstrip().endswith("5 job run(s)")
    code, out, _ = charter(
        ["data", "lineage", "--run", str(folder), "--openlineage"], monkeypatch, capsys
    )
    assert code == 0
    sent = loaded(out.splitlines())
    assert len(sent) == 10
    by_run: dict[str, list[str]] = {}
    for event in sent:
        by_run.setdefault(event["run"]["runId"], []).append(event["eventType"])
    # START then the ending, under one run id per job run.
    assert sorted(by_run.values()) == sorted(
        [["START", "FAIL"], ["START", "COMPLETE"], ["START", "COMPLETE"], ["START", "FAIL"],
         ["START", "COMPLETE"]]
    )  # fmt: skip
    failed = [e for e in sent if e["eventType"] == "FAIL"]
    assert all(e["run"]["facets"]["errorMessage"]["programmingLanguage"] for e in failed)
    quality = next(e for e in failed if e["job"]["name"] == "data.run_quality_suite")
    assertions = quality["inputs"][0]["inputFacets"]["dataQualityAssertions"]["assertions"]
    assert [a["success"] for a in assertions] == [False, True]
    start = next(e for e in sent if e["job"]["name"] == "data.run_quality_suite")
    assert start["eventType"] == "START" and start["inputs"][0]["inputFacets"] == {}
    assert start["inputs"][0]["facets"]["schema"]["fields"][0]["name"] == "id"
    assert start["run"]["facets"]["parent"]["job"]["name"] == "night"
    code, _, err = charter(
        ["data", "lineage", "--run", str(tmp_path / "nowhere"), "--openlineage"],
        monkeypatch,
        capsys,
    )
    assert code == 2 and err.count("\n") == 1 and "not a directory" in err


PIPELINES = """\
namespace: shop
pipelines:
  - {name: load_orders, inputs: [raw_orders], outputs: [orders]}
  - {name: build_facts, inputs: [orders], outputs: [facts]}
"""


def test_start_and_complete_from_separate_commands_share_each_jobs_run_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "pipelines.yaml"
    spec.write_text(PIPELINES, encoding="utf-8")
    base = ["data", "lineage", str(spec), "--openlineage", "--run-key", "nightly-2026-03-02"]
    code, out, _ = charter(
        [*base, "--event", "START", "--at", "2026-03-02T01:00:00Z"], monkeypatch, capsys
    )
    starts = loaded(out.splitlines())
    assert code == 0 and [e["eventType"] for e in starts] == ["START", "START"]
    code, out, _ = charter(
        [*base, "--at", "2026-03-02T01:20:00Z", "--fail", "build_facts", "--error", "disk full"],
        monkeypatch,
        capsys,
    )
    ends = loaded(out.splitlines())
    assert [(e["job"]["name"], e["eventType"]) for e in ends] == [
        ("load_orders", "COMPLETE"),
        ("build_facts", "FAIL"),
    ]
    assert [e["run"]["runId"] for e in starts] == [e["run"]["runId"] for e in ends]
    assert starts[0]["run"]["runId"] != starts[1]["run"]["runId"]
    assert ends[1]["run"]["facets"]["errorMessage"]["message"] == "disk full"
    assert ends[0]["eventTime"].startswith("2026-03-02T01:20")
    # Without a key: a new one, printed so the ending can be sent with it.
    code, out, err = charter(
        ["data", "lineage", str(spec), "--openlineage", "--event", "START"], monkeypatch, capsys
    )
    key = err.split()[2]
    assert code == 0 and "--run-key" in err
    code, again, _ = charter(
        ["data", "lineage", str(spec), "--openlineage", "--run-key", key], monkeypatch, capsys
    )
    assert [json.loads(x)["run"]["runId"] for x in out.splitlines()] == [
        json.loads(x)["run"]["runId"] for x in again.splitlines()
    ]
    for args, message in [
        (["--event", "DONE"], "expected one of START, COMPLETE, FAIL"),
        (["--fail", "nope"], "--fail 'nope': no such job"),
        (["--impact", "orders"], "with --fail JOB"),
        (["--transport", "kafka"], "expected one of console, file, http"),
        (["--transport", "file"], "expected --file PATH"),
    ]:
        code, out, err = charter(
            ["data", "lineage", str(spec), "--openlineage", *args], monkeypatch, capsys
        )
        assert code == 2 and message in err and err.count("\n") == 1 and out == "", args


class _Collector(BaseHTTPRequestHandler):
    bodies: ClassVar[list[tuple[str, dict[str, Any]]]] = []
    status: ClassVar[int] = 200

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        type(self).bodies.append((self.path, json.loads(self.rfile.read(length))))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def lineage_server() -> Iterator[tuple[str, type[_Collector]]]:
    handler = type("Collector", (_Collector,), {"bodies": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_file_and_http_transports_deliver_the_same_events(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    lineage_server: tuple[str, type[_Collector]],
) -> None:
    folder, events = _run_dir(tmp_path)
    _store(folder, events)
    args = ["data", "lineage", "--run", str(folder), "--openlineage"]
    target = tmp_path / "events.ndjson"
    code, out, err = charter([*args, "--transport", "file", "--file", str(target)],
                             monkeypatch, capsys)  # fmt: skip
    assert code == 0 and out == "" and "sent 10 event(s)" in err
    in_file = loaded(target.read_text(encoding="utf-8").splitlines())

    url, handler = lineage_server
    monkeypatch.delenv("OPENLINEAGE_API_KEY", raising=False)
    monkeypatch.delenv("OPENLINEAGE_ENDPOINT", raising=False)
    monkeypatch.delenv("OPENLINEAGE_URL", raising=False)
    code, _, err = charter([*args, "--transport", "http"], monkeypatch, capsys)
    assert code == 2 and "OPENLINEAGE_URL is not set" in err
    monkeypatch.setenv("OPENLINEAGE_URL", url)
    code, _, err = charter([*args, "--transport", "http"], monkeypatch, capsys)
    assert code == 0 and "sent 10 event(s)" in err
    assert {path for path, _ in handler.bodies} == {"/api/v1/lineage"}
    assert loaded([json.dumps(body) for _, body in handler.bodies]) == in_file

    handler.status = 400  # a backend that refuses the event: one line, exit 2
    code, _, err = charter([*args, "--transport", "http"], monkeypatch, capsys)
    assert code == 2 and err.count("\n") == 1 and "failed after 0 of 10 event(s)" in err


def test_pipeline_datasets_are_named_from_the_database_with_schema_and_checks(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    pg_database: Any,
) -> None:
    import sqlalchemy as sa

    url = pg_database("h15l_lineage")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE orders (id INTEGER, amount NUMERIC(10,2))"))
        connection.execute(sa.text("INSERT INTO orders VALUES (1, 5), (1, 7)"))
    engine.dispose()
    database = url.rsplit("/", 1)[1]
    expected = ("postgres://127.0.0.1:5432", f"{database}.public.orders")
    assert table_dataset(url, "orders") == expected
    assert table_dataset("sqlite:///a/b.db", "t").namespace.startswith("sqlite:///")
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "name: keys\ntable: orders\nchecks:\n  - expect_column_values_to_be_unique: {column: id}\n",
        encoding="utf-8",
    )
    code, out, _ = charter(["data", "check", url, str(suite), "--json"], monkeypatch, capsys)
    assert code == 1
    checks = tmp_path / "checks.json"
    checks.write_text(out, encoding="utf-8")
    spec = tmp_path / "pipelines.yaml"
    spec.write_text(PIPELINES, encoding="utf-8")
    code, out, _ = charter(
        ["data", "lineage", str(spec), "--openlineage", "--run-key", "k", "--database", url,
         "--checks", str(checks)],
        monkeypatch, capsys,
    )  # fmt: skip
    assert code == 0
    facts = next(e for e in loaded(out.splitlines()) if e["job"]["name"] == "build_facts")
    orders = facts["inputs"][0]
    assert (orders["namespace"], orders["name"]) == expected
    fields = orders["facets"]["schema"]["fields"]
    assert [(f["name"], f["type"]) for f in fields] == [
        ("id", "INTEGER"),
        ("amount", "NUMERIC(10, 2)"),
    ]
    (assertion,) = orders["inputFacets"]["dataQualityAssertions"]["assertions"]
    assert assertion["assertion"] == "expect_column_values_to_be_unique"
    assert assertion["success"] is False and assertion["column"] == "id"
    # A dataset that is no table of the database still gets its spec name, without schema.
    facts_out = facts["outputs"][0]
    assert facts_out["name"] == f"{database}.public.facts" and "schema" not in facts_out["facets"]
    code, _, err = charter(
        ["data", "lineage", str(spec), "--openlineage", "--checks", str(spec)], monkeypatch, capsys
    )
    assert code == 2 and "expected `charter data check --json` output" in err


def test_loading_refuses_facets_and_fields_the_client_does_not_know(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "pipelines.yaml"
    spec.write_text(PIPELINES, encoding="utf-8")
    _, out, _ = charter(
        ["data", "lineage", str(spec), "--openlineage", "--run-key", "k"], monkeypatch, capsys
    )
    event = json.loads(out.splitlines()[0])
    load_event(event)
    odd = json.loads(json.dumps(event))
    odd["run"]["facets"]["mystery"] = {"_producer": "x", "_schemaURL": "y"}
    with pytest.raises(ConfigError, match="mystery: not a facet"):
        load_event(odd)
    odd = json.loads(json.dumps(event))
    odd["job"]["facets"]["jobType"]["colour"] = "blue"
    with pytest.raises(ConfigError, match="jobType"):
        load_event(odd)
    odd = json.loads(json.dumps(event))
    odd["inputs"][0]["facets"]["dataSource"]["_schemaURL"] = "https://example.com/other"
    with pytest.raises(ConfigError, match="_schemaURL"):
        load_event(odd)
