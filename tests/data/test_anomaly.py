"""Anomaly detection: synthetic series with known answers, and the NAB fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from charter.agents.data.anomaly import (
    detect_anomalies,
    detect_period,
    read_series_csv,
)
from charter.agents.data.anomaly_scoring import score_windows
from charter.protocols import ConfigError

NAB = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "nab"


def _daily(days: int = 10, period: int = 48, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(days * period)
    return 100 + 30 * np.sin(2 * np.pi * t / period) + rng.normal(0, 1.0, len(t))


def test_period_is_found_from_autocorrelation() -> None:
    assert detect_period(_daily()) == 48
    assert detect_period(np.random.default_rng(3).normal(size=500)) is None
    assert detect_period(np.full(100, 5.0)) is None


def test_spike_is_flagged_and_clean_series_is_quiet() -> None:
    clean = _daily()
    assert detect_anomalies(clean).anomalies == []
    spiky = clean.copy()
    spiky[300] += 25  # within the normal daily range, but far from this time of day's usual
    report = detect_anomalies(spiky)
    assert report.period == 48
    assert 300 in report.flagged
    point = next(a for a in report.anomalies if a.index == 300)
    assert point.reason == "point" and point.score > report.threshold
    assert abs(point.expected - (100 + 30 * np.sin(2 * np.pi * 300 / 48))) < 3


def test_global_z_would_miss_what_seasonality_catches() -> None:
    # The dip sits at the series' overall mean, so only a seasonal baseline sees it.
    series = _daily()
    peak = 48 * 6 + 12  # sin peak of day 6
    series[peak] = 100.0
    assert peak in detect_anomalies(series).flagged
    assert peak not in detect_anomalies(series, period=None).flagged


def test_constant_series_never_flags_and_a_step_does() -> None:
    flat = np.full(400, 45.0)
    assert detect_anomalies(flat).anomalies == []
    flat[200] = 46.0
    assert detect_anomalies(flat).flagged == [200]


def test_bad_input_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="at least"):
        detect_anomalies([1.0, 2.0])
    with pytest.raises(ConfigError, match="finite"):
        detect_anomalies([1.0] * 10 + [float("nan")])
    with pytest.raises(ConfigError, match="timestamps"):
        detect_anomalies([1.0] * 10, timestamps=["a"])
    with pytest.raises(ConfigError, match="period"):
        detect_anomalies([1.0] * 10, period=9)


def test_csv_reader_reports_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("timestamp,value\n2026-01-01,1\n2026-01-02,x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line 3"):
        read_series_csv(path)


def test_scoring_groups_false_positives_into_events() -> None:
    score = score_windows([100, 150, 160, 170, 185, 400], [(150, 160)], 1000, window_length=11)
    assert score.found == 1
    # 100 is inside the warm-up (150 rows); 170 and 185 are outside: 185-170 >= 11 -> 2 events
    assert score.false_events == 3
    assert score_windows([170, 175], [], 1000, window_length=11).false_events == 1


@pytest.mark.skipif(not (NAB / "labels.json").exists(), reason=f"NAB fixtures absent at {NAB}")
def test_nab_every_window_found_and_at_most_one_false_alarm_per_clean_series() -> None:
    labels = json.loads((NAB / "labels.json").read_text(encoding="utf-8"))
    for name, windows in labels.items():
        stamps, values = read_series_csv(NAB / "data" / name)
        assert stamps is not None
        row = {stamp[:19]: i for i, stamp in enumerate(stamps)}
        rows = [(row[a[:19]], row[b[:19]]) for a, b in windows]
        score = score_windows(detect_anomalies(values).flagged, rows, len(values), series=name)
        if windows:
            assert score.found == len(windows), name
        else:
            assert score.false_events <= 1, name


def test_series_read_from_a_database_query(tmp_path: Path) -> None:
    import sqlite3

    from charter.agents.data.anomaly import read_series_sql

    path = tmp_path / "runs.sqlite"
    counts = [1000 + 50 * (i % 7) for i in range(120)]
    counts[100] = 20  # a pipeline that loaded almost nothing
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE runs (day TEXT, row_count INTEGER)")
        db.executemany(
            "INSERT INTO runs VALUES (?, ?)", [(f"d{i:03d}", c) for i, c in enumerate(counts)]
        )
    stamps, values = read_series_sql(
        f"sqlite:///{path}", "SELECT day, row_count FROM runs ORDER BY day"
    )
    report = detect_anomalies(values, timestamps=stamps)
    assert report.period == 7
    assert [a.timestamp for a in report.anomalies] == ["d100"]
    with pytest.raises(ConfigError, match="expected \\(value\\) or \\(timestamp, value\\)"):
        read_series_sql(f"sqlite:///{path}", "SELECT day, row_count, 1 FROM runs")
