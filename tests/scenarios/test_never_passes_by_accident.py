"""A run that ends paused fails unless expected; failure messages say what was found."""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.scenarios import load_scenario, run_scenario

BREACH = """\
name: stuck
seed: 17
timeline:
  - at: "+00:05"
    signal: {kind: data_breach, payload: {summary: bulk export}}
pm: {policy: wait}
expect:
  - escalation: {from: data, trigger: Data Breaches, severity: immediate, within: 10m}
"""


def _run(tmp_path: Path, text: str, name: str = "s.yaml"):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return run_scenario(load_scenario(path), tmp_path / "run")


def test_a_run_ending_paused_on_an_undecided_escalation_fails(tmp_path: Path) -> None:
    result = _run(tmp_path, BREACH)
    assert not result.passed
    assert [r.passed for r in result.results] == [True, False]
    last = result.results[-1]
    assert last.check == "ends_paused"
    assert "ended paused on" in last.detail
    assert "'Data Breaches' (immediate) by data raised at 01:05 (+00:05)" in last.detail
    assert "paused: {trigger: ...}" in last.detail
    assert result.as_dict()["passed"] is False


def test_a_pause_the_scenario_expects_passes(tmp_path: Path) -> None:
    result = _run(tmp_path, BREACH + "  - paused: {from: data, trigger: data breaches}\n")
    assert result.passed, [r.detail for r in result.results]
    assert [r.check for r in result.results] == ["escalation", "paused"]
    assert "paused on" in result.results[-1].detail


def test_expecting_a_pause_that_does_not_happen_fails(tmp_path: Path) -> None:
    step = '  - at: "+00:10"\n    decide: {trigger: Data Breaches, verdict: approve}\n'
    decided = BREACH.replace("pm: {policy: wait}", step + "pm: {policy: wait}")
    result = _run(tmp_path, decided + "  - paused: {}\n")
    assert not result.passed
    assert result.results[-1].detail == ("the run did not end paused (nothing waits on a decision)")


def test_a_pause_on_another_trigger_fails(tmp_path: Path) -> None:
    result = _run(tmp_path, BREACH + "  - paused: {trigger: Pipeline Failures}\n")
    assert not result.passed
    assert result.results[-1].detail.startswith("paused on another:")


def test_an_approving_policy_does_not_end_paused(tmp_path: Path) -> None:
    result = _run(tmp_path, BREACH.replace("policy: wait", "policy: approve"))
    assert result.passed
    assert [r.check for r in result.results] == ["escalation"]


# --- what was found instead -------------------------------------------------------------

CAPACITY = """\
name: found
seed: 37
timeline:
  - at: "+00:25"
    signal: {kind: capacity_warning, payload: {months_left: 3}}
expect:
"""


@pytest.mark.parametrize(
    ("expect", "needle"),
    [
        (
            "escalation: {from: data, trigger: Capacity Planning, within: 10m}",
            "no escalation from data, trigger 'Capacity Planning', within 10m; found "
            "'Capacity Planning' (standard) by data at 01:25 (+00:25), outside the window",
        ),
        (
            "escalation: {from: data, trigger: Capacity Planning, severity: immediate}",
            "found 'Capacity Planning' (standard) by data at 01:25 (+00:25), severity standard",
        ),
        (
            "escalation: {from: security, trigger: Capacity Planning}",
            "found 'Capacity Planning' (standard) by data at 01:25 (+00:25), from data",
        ),
        (
            "escalation: {from: data, trigger: Data Breaches}",
            "no escalation from data, trigger 'Data Breaches'; found 'Capacity Planning' "
            "(standard) by data at 01:25 (+00:25), another trigger",
        ),
        (
            "escalation: {from: data, trigger: Capacity Planning, status: decided}",
            "found 'Capacity Planning' (standard) by data at 01:25 (+00:25), status open",
        ),
        (
            "message: {protocol: schema_review, from: data}",
            "no schema_review message from data; no messages at all",
        ),
        (
            "memory: {agent: data, kind: error}",
            "no error memory of data; data recorded ",
        ),
        (
            "write_denied: {role: data, path: 'migrations/*'}",
            "no denied write by data matching 'migrations/*'; data wrote nothing",
        ),
        (
            "signal: {kind: capacity_warning, min: 2}",
            "1 x capacity_warning; expected at least 2",
        ),
        (
            "report: {from: data, status: blocked}",
            "no blocked report from data; its report statuses: ",
        ),
    ],
)
def test_failure_says_what_was_found_instead(tmp_path: Path, expect: str, needle: str) -> None:
    result = _run(tmp_path, CAPACITY + f"  - {expect}\n")
    assert not result.passed
    detail = result.results[0].detail
    assert needle in detail, detail


def test_message_miss_names_the_message_sent(tmp_path: Path) -> None:
    text = """\
name: msgs
seed: 3
timeline:
  - at: "+00:05"
    task: {title: Migration for orders, text: add a column via schema migration, to: data,
           inputs: {tables: [orders]}}
expect:
  - message: {protocol: schema_review, from: data, to: security}
  - message: {protocol: schema_review, from: data, within: 1m}
"""
    result = _run(tmp_path, text)
    first, second = result.results
    assert not first.passed and not second.passed
    assert "found data->architect schema_review (request) at 01:05 (+00:05), to architect" in (
        first.detail
    ), first.detail
    assert "outside the window" in second.detail, second.detail


# --- an edited scenario against an existing run directory --------------------------------

SMALL = """\
name: edited
seed: 37
timeline:
  - at: "+00:15"
    signal: {kind: capacity_warning, payload: {months_left: 3}}
expect:
  - escalation: {from: data, trigger: Capacity Planning, severity: standard}
"""


def test_an_edited_scenario_is_refused_then_fresh_replaces_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from .conftest import cli

    path = tmp_path / "edited.yaml"
    out = tmp_path / "runs"
    path.write_text(SMALL, encoding="utf-8")
    assert cli(monkeypatch, "run", str(path), "--out", str(out), "--json") == 0
    run_dir = out / "edited-seed37"
    # Unchanged (a comment and layout do not count): re-checked as before.
    path.write_text("# a note\n" + SMALL, encoding="utf-8")
    assert cli(monkeypatch, "run", str(path), "--out", str(out), "--json") == 0
    report = (run_dir / "report.json").read_text()
    capsys.readouterr()
    # Edited: refused, one line with the hint, the old run left as it was.
    path.write_text(SMALL.replace('"+00:15"', '"+00:20"'), encoding="utf-8")
    assert cli(monkeypatch, "run", str(path), "--out", str(out)) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"run directory {run_dir}: made from an earlier version of {path}" in err
    assert "--fresh" in err
    assert (run_dir / "report.json").read_text() == report
    # --fresh plays the edited scenario from the start.
    assert cli(monkeypatch, "run", str(path), "--out", str(out), "--fresh", "--json") == 0
    import json

    document = json.loads(capsys.readouterr().out)
    assert document["scenarios"][0]["passed"] is True
    signal = json.loads((run_dir / "report.json").read_text())
    assert signal != json.loads(report)
    escalation = next(r for r in signal["expectations"] if r["check"] == "escalation")
    assert "+00:20" in escalation["detail"]


def test_fresh_does_not_remove_a_folder_that_is_not_a_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from .conftest import cli

    path = tmp_path / "edited.yaml"
    path.write_text(SMALL, encoding="utf-8")
    out = tmp_path / "runs"
    keep = out / "edited-seed37" / "precious.txt"
    keep.parent.mkdir(parents=True)
    keep.write_text("mine")
    assert cli(monkeypatch, "run", str(path), "--out", str(out), "--fresh") == 2
    assert "not a run (no run.json) and not empty" in capsys.readouterr().err
    assert keep.read_text() == "mine"


def test_fresh_with_a_shared_store_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from .conftest import cli

    path = tmp_path / "edited.yaml"
    path.write_text(SMALL, encoding="utf-8")
    code = cli(
        monkeypatch, "run", str(path), "--out", str(tmp_path / "o"), "--fresh",
        "--store", "postgresql://127.0.0.1/test",
    )  # fmt: skip
    assert code == 2
    assert "--fresh with --store" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
