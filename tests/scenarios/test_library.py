"""The shipped library: every scenario passes, deterministically, and each one fails when
the behaviour it checks is broken (a mutation test per scenario)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from charter.scenarios import ScenarioResult, library_files, load_scenario, run_scenario

from .conftest import cli, library, write_yaml

NAMES = [p.stem for p in library_files()]


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ScenarioResult]:
    out = tmp_path_factory.mktemp("library-a")
    return {p.stem: run_scenario(load_scenario(p), out / p.stem) for p in library_files()}


def test_library_has_at_least_twelve_scenarios() -> None:
    assert len(NAMES) >= 12


@pytest.mark.parametrize("name", NAMES)
def test_every_library_scenario_passes(first_run: dict[str, ScenarioResult], name: str) -> None:
    result = first_run[name]
    assert result.error is None
    failed = [(r.line, r.check, r.detail) for r in result.results if not r.passed]
    assert not failed
    assert result.results  # a scenario without expectations checks nothing


def test_running_the_library_twice_gives_identical_digests(
    first_run: dict[str, ScenarioResult], tmp_path: Path
) -> None:
    second = {
        p.stem: run_scenario(load_scenario(p), tmp_path / p.stem).digest for p in library_files()
    }
    assert second == {name: result.digest for name, result in first_run.items()}


def test_a_finished_run_directory_reopens_with_the_same_history(
    first_run: dict[str, ScenarioResult],
) -> None:
    before = first_run["pipeline-failure"]
    again = run_scenario(load_scenario(before.path), before.run_dir)
    assert again.digest == before.digest
    assert len(again.events) == len(before.events)
    assert again.passed


def test_a_different_seed_changes_the_digest(
    first_run: dict[str, ScenarioResult], tmp_path: Path
) -> None:
    loaded = load_scenario(first_run["pipeline-failure"].path)
    other = run_scenario(loaded, tmp_path / "other", seed=8)
    assert other.digest != first_run["pipeline-failure"].digest


# --- mutations: break the behaviour, see the expectation that guards it fail ----------------

Mutation = Callable[[dict[str, Any]], None]


def _drop_fault_details(s: dict[str, Any]) -> None:
    # Without table/key the Data agent cannot diagnose: no migration, no reviews.
    s["timeline"][0]["fault"]["details"] = {}


def _no_nulls(s: dict[str, Any]) -> None:
    s["timeline"][0]["fault"]["nulls"]["share"] = 0.01


def _remove_security_review(s: dict[str, Any]) -> None:
    s["timeline"][0]["task"]["inputs"]["columns"] = []
    s["workspace"]["classifications"] = {}


def _engineer_writes_own_area(s: dict[str, Any]) -> None:
    s["timeline"][0]["task"]["inputs"]["path"] = "src/app/hotfix.py"


def _not_gdpr(s: dict[str, Any]) -> None:
    task = s["timeline"][0]["task"]
    task["title"], task["text"] = "Customer 42 request", "Handle the customer request."


def _breach_filed_as_quality(s: dict[str, Any]) -> None:
    s["timeline"][0]["signal"]["kind"] = "data_quality_alert"


def _fast_query_budget(s: dict[str, Any]) -> None:
    s["schedules"][0]["options"]["max_scan_rows"] = 1_000_000


def _no_model_degradation(s: dict[str, Any]) -> None:
    del s["timeline"][1]


def _backup_exists(s: dict[str, Any]) -> None:
    s["workspace"]["database"]["backup"] = True


def _integration_answers(s: dict[str, Any]) -> None:
    del s["timeline"][0]


def _capacity_as_breach(s: dict[str, Any]) -> None:
    s["timeline"][0]["signal"]["kind"] = "data_loss"


def _phone_classified(s: dict[str, Any]) -> None:
    s["workspace"]["classifications"]["contacts.phone_number"] = "confidential"


def _flat_spend(s: dict[str, Any]) -> None:
    s["timeline"][1]["ai_usage"]["cost_usd"] = 10.5


MUTATIONS: dict[str, tuple[Mutation, str]] = {
    "ai-cost-overrun": (_flat_spend, "metric"),
    "pipeline-failure": (_drop_fault_details, "message"),
    "data-quality-regression": (_no_nulls, "signal"),
    "schema-migration-review": (_remove_security_review, "message"),
    "authority-denials": (_engineer_writes_own_area, "write_denied"),
    "gdpr-erasure": (_not_gdpr, "message"),
    "data-breach": (_breach_filed_as_quality, "escalation"),
    "query-performance": (_fast_query_budget, "signal"),
    "drift-model-degradation": (_no_model_degradation, "escalation"),
    "backup-restore-drill": (_backup_exists, "signal"),
    "cross-agent-failure": (_integration_answers, "no_message"),
    "capacity-planning": (_capacity_as_breach, "escalation"),
    "governance-scan": (_phone_classified, "signal"),
}


# Further expectations a mutation must also break (beyond its guarding one).
ALSO_FAILS: dict[str, set[str]] = {"cross-agent-failure": {"dead_letter"}}


def test_every_library_scenario_has_a_mutation() -> None:
    assert set(MUTATIONS) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_mutated_scenario_fails_the_guarding_expectation(name: str, tmp_path: Path) -> None:
    mutate, check = MUTATIONS[name]
    data = library(name)
    mutate(data)
    result = run_scenario(
        load_scenario(write_yaml(tmp_path / f"{name}.yaml", data)), tmp_path / "r"
    )
    failed = {r.check for r in result.results if not r.passed}
    assert check in failed, (name, [(r.check, r.detail) for r in result.results])
    assert ALSO_FAILS.get(name, set()) <= failed, (name, failed)
    assert not result.passed


# --- the command line ------------------------------------------------------------------------


def test_run_exit_codes_and_json_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    good = next(p for p in library_files() if p.stem == "capacity-planning")
    assert cli(monkeypatch, "run", str(good), "--out", str(tmp_path / "a"), "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["scenarios"][0]["passed"] is True
    assert (tmp_path / "a" / "capacity-planning-seed37" / "report.json").is_file()
    data = library("capacity-planning")
    _capacity_as_breach(data)
    bad = write_yaml(tmp_path / "bad.yaml", data)
    assert cli(monkeypatch, "run", str(bad), "--out", str(tmp_path / "b")) == 1
    assert "✗ escalation" in capsys.readouterr().out


def test_scenarios_list_shows_the_library(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(monkeypatch, "scenarios", "list") == 0
    shown = capsys.readouterr().out
    assert all(name in shown for name in NAMES)
