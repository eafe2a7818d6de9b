"""Progress: the long data operations report as they go; the CLI draws a bar on stderr
only for a terminal and never with --json."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from charter.agents.data.backup import backup_database
from charter.agents.data.demo import build_demo_database
from charter.agents.data.gx import import_gx_suite, render_import
from charter.agents.data.profile import profile_database
from charter.agents.data.quality import run_suite
from charter.agents.data.suite import load_suite

Calls = list[tuple[str, int, int]]


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return build_demo_database(tmp_path / "shop.db", customers=40, orders=200, orphans=0)


def _suite(tmp_path: Path) -> Path:
    gx = tmp_path / "gx.json"
    gx.write_text(
        json.dumps(
            {
                "expectation_suite_name": "s",
                "expectations": [
                    {"expectation_type": "expect_column_values_to_not_be_null",
                     "kwargs": {"column": "id"}},
                    {"expectation_type": "expect_column_values_to_be_unique",
                     "kwargs": {"column": "id"}},
                ],
            }
        )
    )  # fmt: skip
    suite = tmp_path / "suite.yaml"
    suite.write_text(render_import(import_gx_suite(gx, table="orders")))
    return suite


def test_profile_reports_each_table(shop: Path) -> None:
    calls: Calls = []
    result = profile_database(shop, progress=lambda *c: calls.append(c))
    names = [t.table for t in result.tables]
    assert len(names) >= 2
    assert calls == [(f"table {n}", i, len(names)) for i, n in enumerate(names, start=1)]


def test_check_reports_the_checks_done(shop: Path, tmp_path: Path) -> None:
    calls: Calls = []
    result = run_suite(shop, load_suite(_suite(tmp_path)), progress=lambda *c: calls.append(c))
    assert calls[-1] == ("table orders", len(result.results), len(result.results))


def test_backup_reports_pages_then_checksums(shop: Path, tmp_path: Path) -> None:
    calls: Calls = []
    result = backup_database(shop, tmp_path / "b.db", progress=lambda *c: calls.append(c))
    pages = [c for c in calls if c[0] == "copy pages"]
    sums = [c for c in calls if c[0].startswith("checksum ")]
    assert pages and pages[-1][1] == pages[-1][2] > 0  # the copy finished
    tables = sorted(t.table for t in result.tables)
    assert sums == [(f"checksum {n}", i, len(tables)) for i, n in enumerate(tables, start=1)]
    assert calls.index(pages[-1]) < calls.index(sums[0])


def _cli(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    from charter.cli.main import run

    monkeypatch.setattr(sys, "argv", ["charter", *args])
    try:
        run()
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


@pytest.mark.parametrize("command", ["profile", "check", "backup"])
def test_bar_on_a_terminal_only_and_never_with_json(
    command: str,
    shop: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    suite = _suite(tmp_path)
    args = {
        "profile": ["data", "profile", str(shop)],
        "check": ["data", "check", str(shop), str(suite)],
        "backup": ["data", "backup", str(shop), "--to"],
    }[command]

    def once(*extra: str, target: str) -> str:
        full = [*args, target] if command == "backup" else list(args)
        assert _cli(monkeypatch, *full, *extra) in (0, 1)
        return capsys.readouterr().err

    # Not a terminal (pytest captures stderr): no bar.
    assert command not in once(target=str(tmp_path / "b1.db"))
    # A terminal (rich honours FORCE_COLOR): the bar, labelled, on stderr ...
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert command in once(target=str(tmp_path / "b2.db"))
    # ... but never with --json, whose stdout stays one document.
    assert command not in once("--json", target=str(tmp_path / "b3.db"))
