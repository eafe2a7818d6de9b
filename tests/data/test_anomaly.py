"""Anomaly detection: synthetic series with known answers, and the NAB fixtures."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from charter.agents.data.anomaly import (
    detect_anomalies,
    detect_period,
    read_series_csv,
)
from charter.agents.data.anomaly_scoring import score_windows
from charter.agents.data.anomaly_season import choose_season
from charter.agents.data.anomaly_stream import StreamingDetector
from charter.agents.data.anomaly_synthetic import HELD_OUT_SEEDS, TUNING_SEEDS, generate
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


# --- issue 15: season from timestamps, level shifts, flood control, streaming ------------


def _five_minute(
    days: int, seed: int = 5, start: datetime | None = None
) -> tuple[list[str], np.ndarray]:
    """Five-minute data with a daily hump (a day is 288 points) and level-sized noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(days * 288)
    phase = (t % 288) / 288
    values = 100 + 60 * np.exp(-(((phase - 0.55) / 0.15) ** 2)) + rng.normal(0, 2.0, len(t))
    origin = start or datetime(2026, 3, 2, tzinfo=UTC)
    stamps = [(origin + timedelta(minutes=5 * int(i))).isoformat() for i in t]
    return stamps, values


def test_season_of_five_minute_data_is_a_day_from_the_timestamps() -> None:
    stamps, values = _five_minute(days=7)
    choice = choose_season(values, stamps)
    assert choice.step_seconds == 300.0
    assert choice.period == 288
    assert {c.name for c in choice.candidates} >= {"hour", "day"}
    # Two days cannot support a daily season (three full cycles needed): none is guessed,
    # and in particular not a short lag.
    assert choose_season(values[: 2 * 288], stamps[: 2 * 288]).period is None


def test_weekly_season_with_quiet_weekends_is_a_week() -> None:
    rng = np.random.default_rng(11)
    t = np.arange(6 * 168)  # six weeks of hourly data, starting on a Monday
    day = (t % 24) / 24
    weekend = ((t // 24) % 7) >= 5
    values = 200 + np.where(weekend, 0.3, 1.0) * 120 * np.exp(-(((day - 0.5) / 0.15) ** 2))
    values = values + rng.normal(0, 4, len(t))
    origin = datetime(2026, 1, 5, tzinfo=UTC)
    stamps = [(origin + timedelta(hours=int(i))).isoformat() for i in t]
    assert detect_period(values, stamps) == 168
    # The same days without the weekend difference: the shorter season, a day, is enough.
    plain = 200 + 120 * np.exp(-(((day - 0.5) / 0.15) ** 2)) + rng.normal(0, 4, len(t))
    assert detect_period(plain, stamps) == 24


def test_missing_points_do_not_shift_the_season() -> None:
    stamps, values = _five_minute(days=8, seed=6)
    keep = np.ones(len(values), dtype=bool)
    keep[400:460] = False  # five hours of a dead scraper
    keep[1500:1503] = False
    keep[2000:2100] = False
    spike_at = 5 * 288 + 100
    values[spike_at] += 40  # far from this time of day's usual, within the day's range
    kept_stamps = [s for s, k in zip(stamps, keep, strict=True) if k]
    report = detect_anomalies(values[keep], timestamps=kept_stamps)
    assert report.period == 288
    row = int(np.cumsum(keep)[spike_at] - 1)
    assert [e.start for e in report.events] == [row]


def test_trend_and_season_raise_no_alarm() -> None:
    stamps, values = _five_minute(days=10, seed=8)
    values = values + np.linspace(0, 80, len(values))  # the metric grows by half
    report = detect_anomalies(values, timestamps=stamps)
    assert report.period == 288
    assert report.events == []
    assert len(report.scores) == len(values)
    assert all(s == 0.0 for s in report.scores[: report.warmup_points])
    assert max(report.scores) < report.threshold


def test_level_shift_is_one_event_then_the_new_level_is_normal() -> None:
    stamps, values = _five_minute(days=12, seed=9)
    shift_at = 6 * 288 + 50
    values[shift_at:] += 50  # a deploy doubles the traffic floor, and it stays
    report = detect_anomalies(values, timestamps=stamps)
    assert len(report.events) == 1
    event = report.events[0]
    assert shift_at <= event.start <= shift_at + 3
    # Re-baselined: nothing after the first hours of the new level...
    assert event.end < shift_at + 288 // 4
    # ...and the stretch flags a handful of points, not everything after the shift.
    assert len(report.anomalies) <= 0.01 * 1000 + 1
    assert report.flagged_share < 0.01


def test_flood_cap_limits_flagged_share_and_events() -> None:
    rng = np.random.default_rng(4)
    stamps, values = _five_minute(days=10, seed=4)
    noisy = slice(4 * 288, 10 * 288)
    # Six days of wild, sparse glitches: every few hours a new stretch would alert.
    glitches = rng.random(len(values[noisy])) < 0.03
    values[noisy] += glitches * rng.normal(0, 200, len(values[noisy]))
    uncapped = detect_anomalies(values, timestamps=stamps, max_share=1.0)
    capped = detect_anomalies(values, timestamps=stamps)
    assert len(uncapped.anomalies) > len(capped.anomalies)
    assert capped.suppressed_points > 0
    detector = StreamingDetector(period=288, step_seconds=300)
    # Every window of cap_window points holds at most the point cap plus the openings of
    # the events allowed in it.
    limit = int(capped.max_share * detector.cap_window) + detector.event_budget
    flagged = np.zeros(len(values), dtype=int)
    flagged[capped.flagged] = 1
    window_counts = np.convolve(flagged, np.ones(detector.cap_window, dtype=int), "valid")
    assert window_counts.max() <= limit
    assert len(capped.events) < len(uncapped.events)


def test_streaming_update_agrees_with_batch() -> None:
    for seed in (3, 5, 12):
        series = generate(seed)
        report = detect_anomalies(series.values, timestamps=series.timestamps)
        detector = StreamingDetector(
            period=report.period, step_seconds=report.step_seconds, threshold=report.threshold
        )
        results = [
            detector.update(v, at) for v, at in zip(series.values, series.timestamps, strict=True)
        ]
        assert [r.score for r in results] == report.scores
        assert [r.index for r in results if r.flagged] == report.flagged
        assert [r.index for r in results if r.new_event] == [e.start for e in report.events]
        assert sum(r.suppressed for r in results) == report.suppressed_points


def test_streaming_rejects_time_going_backwards() -> None:
    detector = StreamingDetector(period=None, step_seconds=60)
    detector.update(1.0, "2026-01-01T00:01:00")
    with pytest.raises(ConfigError, match="not after the previous one"):
        detector.update(1.0, "2026-01-01T00:00:00")
    with pytest.raises(ConfigError, match="not ISO-8601"):
        detector.update(1.0, "yesterday")
    assert detector.count == 1  # the refused points changed nothing


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_threshold_must_be_a_positive_finite_number(bad: float) -> None:
    with pytest.raises(ConfigError, match=r"anomaly threshold .*expected a positive finite"):
        detect_anomalies([1.0] * 40, threshold=bad)
    with pytest.raises(ConfigError, match="anomaly threshold"):
        StreamingDetector(period=None, threshold=bad)


def test_synthetic_generator_is_deterministic_and_labelled() -> None:
    a, b = generate(7), generate(7)
    assert a == b
    assert len(a.values) == len(a.timestamps)
    for start, end in a.windows:
        assert 0 <= start <= end < len(a.values)
    assert set(TUNING_SEEDS).isdisjoint(HELD_OUT_SEEDS)
