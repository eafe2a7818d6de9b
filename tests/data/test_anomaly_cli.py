"""`charter data anomalies` through the real entry point: threshold checks, events, --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from charter.agents.data.anomaly_synthetic import generate
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


@pytest.fixture
def series_csv(tmp_path: Path) -> Path:
    series = generate(13)  # hourly data with a weekly cycle and labelled anomalies
    path = tmp_path / "metric.csv"
    rows = ["timestamp,value"] + [
        f"{t},{v}" for t, v in zip(series.timestamps, series.values, strict=True)
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("bad", ["0", "-1", "nan", "inf", "-0.5"])
def test_bad_threshold_is_one_line_and_exit_2(
    bad: str, series_csv: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = charter(
        ["data", "anomalies", str(series_csv), f"--threshold={bad}"], monkeypatch, capsys
    )
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "threshold" in lines[0] and "positive finite" in lines[0]
    assert "Traceback" not in err


def test_bad_max_share_is_refused(
    series_csv: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = charter(
        ["data", "anomalies", str(series_csv), "--max-share", "0"], monkeypatch, capsys
    )
    assert code == 2 and "max share" in err and len(err.strip().splitlines()) == 1


def test_json_has_a_score_per_point_and_the_events(
    series_csv: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = charter(["data", "anomalies", str(series_csv), "--json"], monkeypatch, capsys)
    report = json.loads(out)
    series = generate(13)
    assert len(report["scores"]) == report["points_total"] == len(series.values)
    assert report["period"] == series.season_points
    assert report["threshold"] == 7.0
    assert code == (1 if report["events"] else 0)
    for event in report["events"]:
        assert report["scores"][event["peak_index"]] == event["peak_score"] > 7.0
    # A stricter threshold is used as given (no silent fallback to the default).
    code, out, _ = charter(
        ["data", "anomalies", str(series_csv), "--threshold", "50", "--json"], monkeypatch, capsys
    )
    assert json.loads(out)["threshold"] == 50.0


def test_text_output_lists_events(
    series_csv: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = charter(["data", "anomalies", str(series_csv)], monkeypatch, capsys)
    assert code == 1
    assert "period 168" in out and "event 1:" in out and "suppressed by the 1% cap" in out
