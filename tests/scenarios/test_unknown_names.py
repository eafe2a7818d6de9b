"""Unknown names in timelines and expectations are load errors with file:line, the valid
names and a did-you-mean — including in negative checks, which would otherwise pass for
ever because nothing of a misspelt name can happen."""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.protocols import ConfigError
from charter.scenarios import load_scenario
from charter.scenarios.names import event_kinds

from .conftest import cli

BASE = """\
name: names
seed: 1
start: 2026-03-02T01:00:00Z
timeline:
  - at: "+00:10"
    signal: {kind: capacity_warning}
  - at: "+00:20"
    decide: {trigger: Capacity Planning, verdict: approve}
expect:
  - escalation: {from: data, trigger: Capacity Planning, severity: standard}
  - no_message: {protocol: schema_review, from: data, to: architect}
  - signal: {kind: capacity_warning, min: 1, max: 1}
  - events: {kind: escalation_decided, min: 0, max: 5}
  - no_escalation: {from: security, trigger: Data Breaches}
"""

# case -> (text to replace, replacement, line, what the message must say)
CASES = {
    "timeline signal kind": (
        "{kind: capacity_warning}",
        "{kind: capacity_warnin}",
        6,
        "unknown signal kind 'capacity_warnin' (did you mean 'capacity_warning'?)",
    ),
    "decide trigger": (
        "decide: {trigger: Capacity Planning",
        "decide: {trigger: Capacity Plans",
        8,
        "unknown escalation trigger 'Capacity Plans' (did you mean 'Capacity Planning'?)",
    ),
    "escalation trigger": (
        "- escalation: {from: data, trigger: Capacity Planning",
        "- escalation: {from: data, trigger: Capacity Plan",
        10,
        "unknown escalation trigger 'Capacity Plan'",
    ),
    "escalation role": (
        "- escalation: {from: data,",
        "- escalation: {from: dta,",
        10,
        "unknown role 'dta' (did you mean 'data'?)",
    ),
    "no_message protocol": (
        "{protocol: schema_review,",
        "{protocol: shcema_review,",
        11,
        "unknown protocol 'shcema_review' (did you mean 'schema_review'?)",
    ),
    "no_message recipient": (
        "to: architect}",
        "to: architekt}",
        11,
        "unknown role 'architekt' (did you mean 'architect'?)",
    ),
    "signal count max 0": (
        "{kind: capacity_warning, min: 1, max: 1}",
        "{kind: pipline_failed, min: 0, max: 0}",
        12,
        "unknown signal kind 'pipline_failed' (did you mean 'pipeline_failed'?)",
    ),
    "event kind": (
        "{kind: escalation_decided,",
        "{kind: escalation_decide,",
        13,
        "unknown event kind 'escalation_decide' (did you mean 'escalation_decided'?)",
    ),
    "no_escalation trigger": (
        "trigger: Data Breaches}",
        "trigger: Data Breach}",
        14,
        "unknown escalation trigger 'Data Breach' (did you mean 'Data Breaches'?)",
    ),
    "paused trigger": (
        "  - no_escalation: {from: security, trigger: Data Breaches}",
        "  - paused: {trigger: Pipline Failures}",
        14,
        "unknown escalation trigger 'Pipline Failures' (did you mean 'Pipeline Failures'?)",
    ),
}


def test_the_base_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "names.yaml"
    path.write_text(BASE, encoding="utf-8")
    load_scenario(path)


@pytest.mark.parametrize("case", sorted(CASES))
def test_unknown_name_is_a_load_error_with_line_and_suggestion(case: str, tmp_path: Path) -> None:
    old, new, line, needle = CASES[case]
    assert old in BASE
    path = tmp_path / "names.yaml"
    path.write_text(BASE.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_scenario(path)
    message = str(raised.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert needle in message
    assert "expected one of" in message


def test_the_error_lists_the_valid_names(tmp_path: Path) -> None:
    path = tmp_path / "names.yaml"
    path.write_text(BASE.replace("{kind: escalation_decided,", "{kind: nothing_like_it,"), "utf-8")
    with pytest.raises(ConfigError) as raised:
        load_scenario(path)
    message = str(raised.value)
    assert "did you mean" not in message  # nothing is close
    for kind in event_kinds():
        assert kind in message


def test_trigger_case_is_free_as_at_run_time(tmp_path: Path) -> None:
    path = tmp_path / "names.yaml"
    path.write_text(BASE.replace("trigger: Data Breaches}", "trigger: data breaches}"), "utf-8")
    load_scenario(path)


def test_cli_reports_one_line_exit_2_and_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "names.yaml"
    path.write_text(BASE.replace("{protocol: schema_review,", "{protocol: nope,"), "utf-8")
    out = tmp_path / "runs"
    assert cli(monkeypatch, "run", str(path), "--out", str(out)) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith(f"charter: {path}:11: unknown protocol 'nope'")
    assert not out.exists()
