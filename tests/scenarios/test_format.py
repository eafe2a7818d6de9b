"""Bad scenario files: one line naming file and line, exit 2, and no run directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from charter.scenarios import load_scenario, parse_duration

from .conftest import cli

GOOD = """\
name: tiny
seed: 1
start: 2026-03-02T01:00:00Z
schedules:
  - {role: data, monitor: pipeline_health, cron: "*/15 * * * *"}
timeline:
  - at: "+00:10"
    signal: {kind: capacity_warning}
  - at: "+00:20"
    task: {text: "GDPR audit", to: data}
expect:
  - escalation: {from: data, trigger: Capacity Planning, severity: standard}
"""

BAD = {
    "unknown key": (GOOD.replace("seed: 1", "seed: 1\ncolour: blue"), 3, "unknown key 'colour'"),
    "unknown nested key": (
        GOOD.replace("{kind: capacity_warning}", "{kind: capacity_warning, colour: x}"),
        8,
        "unknown key 'colour'",
    ),
    "bad cron": (GOOD.replace("*/15 * * * *", "61 * * * *"), 5, "cron '61 * * * *'"),
    "unknown role": (GOOD.replace("to: data", "to: dba"), 10, "unknown role 'dba'"),
    "unknown schedule role": (GOOD.replace("{role: data,", "{role: wizard,"), 5, "wizard"),
    "time backwards": (GOOD.replace('at: "+00:20"', 'at: "+00:05"'), 9, "time goes backwards"),
    "missing team file": (GOOD.replace("seed: 1", "seed: 1\nteam: [data, nope.yaml]"), 3, "nope"),
    "missing workspace file": (
        GOOD.replace("seed: 1", "seed: 1\nworkspace:\n  files: [{path: a.txt, from: gone.txt}]"),
        4,
        "gone.txt",
    ),
    "unknown monitor": (GOOD.replace("pipeline_health", "vibes"), 5, "monitor 'vibes'"),
    "bad duration": (GOOD.replace('"+00:10"', '"+ten minutes"'), 7, "at"),
    "bad severity": (GOOD.replace("severity: standard", "severity: urgent"), 12, "severity"),
    "two actions in a step": (
        GOOD.replace("signal: {kind: capacity_warning}", "signal: {kind: x}\n    task: {text: y}"),
        7,
        "exactly one",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_file_is_one_line_with_file_and_line_exit_2_and_no_run_dir(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text, line, needle = BAD[case]
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "runs"
    code = cli(monkeypatch, "run", str(path), "--out", str(out))
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"charter: {path}:{line}: "), err
    assert needle in err
    assert not out.exists()


def test_the_good_base_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(GOOD, encoding="utf-8")
    loaded = load_scenario(path)
    assert loaded.scenario.name == "tiny"
    assert [role for role, _ in loaded.schedules()] == ["data"]


def test_missing_scenario_file_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(monkeypatch, "run", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "r")) == 2
    assert "no such scenario file" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_second_bad_file_stops_before_the_first_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(GOOD, encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("seed: 1", "sede: 1"), encoding="utf-8")
    out = tmp_path / "runs"
    assert cli(monkeypatch, "run", str(good), str(bad), "--out", str(out)) == 2
    assert "bad.yaml:2" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("30m", 30), ("2h", 120), ("1h30m", 90), ("1d", 1440), ("01:40", 100), (90, 1.5)],
)
def test_durations(text: object, minutes: float) -> None:
    assert parse_duration(text).total_seconds() == minutes * 60


def test_bad_duration_raises() -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration("soon")
