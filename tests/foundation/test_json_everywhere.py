"""`--json` on every command that reports something: one JSON document on stdout.

The command tree is walked, so a new command without `--json` fails here unless it is
listed in EXEMPT with the reason; every other command is run with `--json` on real
inputs and its stdout parsed as one JSON document.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from charter.agents.data.demo import build_demo_database

from .conftest import SEED

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios/library/capacity-planning.yaml"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

# Commands that report nothing a JSON document could hold, and why.
EXEMPT = {
    "tui": "an interactive terminal UI",
    "serve": "a live loop that runs until stopped; its run is read with the other commands",
    "guard claude-code": "speaks Claude Code's hook protocol (JSON in, JSON out) already",
    "mcp": "an MCP server on stdio: every reply is already a JSON-RPC message",
}


def _commands() -> dict[str, list[str]]:
    """Every leaf command as 'a b' -> its option names."""
    import typer.main

    from charter.cli.main import build_app

    out: dict[str, list[str]] = {}

    def walk(command: Any, prefix: list[str]) -> None:
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                walk(sub, [*prefix, name])
        else:
            out[" ".join(prefix)] = [o for p in command.params for o in p.opts]

    walk(typer.main.get_command(build_app()), [])
    return out


def test_every_reporting_command_has_json() -> None:
    commands = _commands()
    missing = sorted(c for c, opts in commands.items() if "--json" not in opts and c not in EXEMPT)
    assert missing == []
    assert set(EXEMPT) <= set(commands)  # an exemption for a command that is gone is stale
    assert set(ARGS) | set(EXEMPT) == set(commands), "every command is run below"


def _cli(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> int:
    from charter.cli.main import run

    monkeypatch.setattr(sys, "argv", ["charter", *args])
    try:
        run()
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


class Inputs:
    """Real inputs for every command, made once."""

    def __init__(self, base: Path) -> None:
        from charter.graph.demo import run_demo

        self.base = base
        self.run = base / "run"
        run_demo(self.run, seed=7)
        self.db = build_demo_database(base / "shop.db", customers=30, orders=120, orphans=0)
        self.gx = base / "gx.json"
        self.gx.write_text(
            json.dumps(
                {
                    "expectation_suite_name": "orders",
                    "expectations": [
                        {
                            "expectation_type": "expect_column_values_to_not_be_null",
                            "kwargs": {"column": "id"},
                        }
                    ],
                }
            ),
            encoding="utf-8",
        )
        from charter.agents.data.gx import import_gx_suite, render_import

        self.suite = base / "suite.yaml"
        self.suite.write_text(render_import(import_gx_suite(self.gx, table="orders")))
        self.pipelines = base / "pipelines.yaml"
        self.pipelines.write_text(
            "pipelines:\n"
            "  - {name: load_orders, inputs: [raw.orders], outputs: [staging.orders]}\n"
            "  - {name: build_facts, inputs: [staging.orders], outputs: [mart.facts]}\n",
            encoding="utf-8",
        )
        self.series = base / "series.csv"
        rows = ["timestamp,value"] + [f"t{i},{10 + (i % 24)}" for i in range(240)]
        self.series.write_text("\n".join(rows) + "\n", encoding="utf-8")
        self.ref, self.cur = base / "ref.csv", base / "cur.csv"
        self.ref.write_text("x\n" + "\n".join(str(i % 100) for i in range(500)) + "\n")
        self.cur.write_text("x\n" + "\n".join(str(i % 90) for i in range(500)) + "\n")
        self.workload = base / "workload.sql"
        self.workload.write_text("SELECT id FROM orders WHERE customer_id = 5;\n")
        self.migration = base / "0001.sql"
        self.migration.write_text("CREATE INDEX ix_orders_status ON orders (status);\n")
        self.backup = base / "backup.db"
        from charter.cli.memory import open_run

        with open_run(str(self.run)) as store:
            memories = store.list_memories(limit=1)
        self.memory_id = memories[0].id

    def out(self, name: str) -> str:
        return str(self.base / name)


ARGS: dict[str, Callable[[Inputs], list[str]]] = {
    "demo": lambda i: ["demo", "--out", i.out("demo")],
    "graph": lambda i: ["graph", "--topology"],
    "run": lambda i: ["run", str(SCENARIO), "--out", i.out("runs"), "--no-timeline"],
    "sweep": lambda i: [
        "sweep",
        str(SCENARIO),
        "--seeds",
        "1",
        "--workers",
        "1",
        "--out",
        i.out("sweep"),
    ],
    "worker": lambda i: ["worker", "nope", "--store", PG_URL],  # replaced below
    "roles import": lambda i: ["roles", "import", str(SEED), "-o", i.out("data.yaml")],
    "roles check": lambda i: ["roles", "check"],
    "authority explain": lambda i: ["authority", "explain", "data", "migrations/x.sql"],
    "authority matrix": lambda i: ["authority", "matrix"],
    "data profile": lambda i: ["data", "profile", str(i.db), "--table", "orders"],
    "data classify": lambda i: ["data", "classify", str(i.db), "-c", i.out("cat.json")],
    "data check": lambda i: ["data", "check", str(i.db), str(i.suite)],
    "data gx-import": lambda i: [
        "data",
        "gx-import",
        str(i.gx),
        "-o",
        i.out("gx.yaml"),
        "--table",
        "orders",
    ],
    "data mask": lambda i: [
        "data",
        "mask",
        str(i.db),
        "--out",
        i.out("masked.db"),
        "--key-env",
        "H17S_MASK_KEY",
    ],
    "data anomalies": lambda i: ["data", "anomalies", str(i.series)],
    "data drift": lambda i: ["data", "drift", str(i.ref), str(i.cur)],
    "data plan": lambda i: [
        "data",
        "plan",
        str(i.db),
        "--workload",
        str(i.workload),
        "--runs",
        "2",
    ],
    "data migration-check": lambda i: ["data", "migration-check", str(i.db), str(i.migration)],
    "data backup": lambda i: ["data", "backup", str(i.db), "--to", str(i.backup)],
    "data restore": lambda i: ["data", "restore", str(i.backup), "--into", i.out("rest.db")],
    "data lineage": lambda i: ["data", "lineage", str(i.pipelines), "--impact", "raw.orders"],
    "data scorecard": lambda i: ["data", "scorecard", str(i.run)],
    "memory list": lambda i: ["memory", "list", str(i.run)],
    "memory search": lambda i: ["memory", "search", str(i.run), "pipeline"],
    "memory context": lambda i: ["memory", "context", str(i.run), "orders pipeline"],
    "memory show": lambda i: ["memory", "show", str(i.run), i.memory_id],
    "memory prune": lambda i: ["memory", "prune", str(i.run)],
    "memory erase": lambda i: ["memory", "erase", str(i.run), "--subject", "nobody@example"],
    "audit verify": lambda i: ["audit", "verify", str(i.run)],
    "audit tail": lambda i: ["audit", "tail", str(i.run), "-n", "3"],
    "audit head": lambda i: ["audit", "head", str(i.run)],
    "doctor": lambda i: ["doctor", str(i.run)],
    "escalate": lambda i: [
        "escalate",
        *("--role", "data", "--trigger", "Pipeline Failures", "--summary", "load failed"),
        *("--run", i.out("escalations")),
    ],
    "guard ingest": lambda i: [
        "guard",
        "ingest",
        "--run",
        (i.base / "guard-run").mkdir(exist_ok=True) or str(i.base / "guard-run"),
    ],
    "ai usage": lambda i: ["ai", "usage", str(i.run)],
    "ai prices": lambda i: ["ai", "prices"],
    "ai key": lambda i: ["ai", "key"],
    "ai try": lambda i: ["ai", "try", "--out", i.out("ai"), "--llm", "record", "--mock-model"],
    "export claude-code": lambda i: ["export", "claude-code", "--out", i.out("cc/agents")],
    "scenarios list": lambda i: ["scenarios", "list"],
}
# Which exit codes are a report (1: a check failed, the key is missing, ...), not an error.
REPORT_CODES = {0, 1}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Inputs]:
    yield Inputs(tmp_path_factory.mktemp("json"))


def _postgres() -> bool:
    import psycopg

    try:
        psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", connect_timeout=2)
    except psycopg.Error:
        return False
    return True


@pytest.mark.parametrize("command", sorted(ARGS))
def test_command_prints_one_json_document(
    command: str,
    inputs: Inputs,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("H17S_MASK_KEY", "k" * 32)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    args = ARGS[command](inputs)
    if command == "roles import" and not SEED.exists():
        pytest.skip("the seed role file is not present")
    if command == "worker":
        if not _postgres():
            pytest.skip("PostgreSQL is not reachable")
        store = f"{PG_URL}?schema=h17s_json_worker"
        assert _cli(monkeypatch, ["run", str(SCENARIO), "--out", inputs.out("pg"),
                                  "--store", store, "--json"]) == 0  # fmt: skip
        run_id = json.loads((inputs.base / "pg/capacity-planning-seed37/run.json").read_text())
        capsys.readouterr()
        args = ["worker", run_id["run_id"], "--store", store, "--dir", inputs.out("pg-w")]
    code = _cli(monkeypatch, [*args, "--json"])
    captured = capsys.readouterr()
    assert code in REPORT_CODES, captured.err
    document = json.loads(captured.out)  # one document: trailing text would fail here
    assert isinstance(document, (dict, list)) and document


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["data", "lineage", "missing.yaml"], "pipelines file missing.yaml"),
        (["audit", "verify", "no-such-run"], "no-such-run"),
        (["roles", "check", "missing.yaml"], "missing.yaml"),
        (["run", "missing.yaml"], "missing.yaml"),
    ],
)
def test_a_mistake_with_json_is_still_one_line_on_stderr(
    args: list[str],
    needle: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert _cli(monkeypatch, [*args, "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("charter: ") and needle in lines[0]


def test_scenarios_list_json_names_the_library(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from charter.scenarios import library_files

    assert _cli(monkeypatch, ["scenarios", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["scenarios"]
    assert [Path(s["file"]).name for s in listed] == [p.name for p in library_files()]
    assert all(s["expectations"] > 0 and s["description"] for s in listed)
