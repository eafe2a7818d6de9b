"""The metric_anomaly monitor: the streaming detector over a metric table, per fire."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from charter.agents.data.anomaly import detect_anomalies
from charter.graph.monitors import MonitorContext, get_monitor
from charter.protocols import ConfigError

START = datetime(2026, 3, 2, tzinfo=UTC)
QUERY = "SELECT at, requests FROM traffic ORDER BY at"


def _traffic(tmp_path: Path, spike_at: int) -> tuple[list[str], list[float]]:
    rng = np.random.default_rng(21)
    t = np.arange(7 * 288)  # a week of five-minute request counts
    phase = (t % 288) / 288
    values = 300 + 200 * np.exp(-(((phase - 0.5) / 0.15) ** 2)) + rng.normal(0, 6, len(t))
    values[spike_at : spike_at + 3] += 150
    stamps = [(START + timedelta(minutes=5 * int(i))).isoformat() for i in t]
    with sqlite3.connect(tmp_path / "metrics.db") as db:
        db.execute("CREATE TABLE traffic (at TEXT, requests REAL)")
        db.executemany(
            "INSERT INTO traffic VALUES (?, ?)", zip(stamps, values.tolist(), strict=True)
        )
    return stamps, values.tolist()


def _ctx(
    tmp_path: Path, now: datetime, since: datetime | None = None, **options: object
) -> MonitorContext:
    return MonitorContext(
        datasets=tmp_path,
        now=now,
        since=since,
        schedule="traffic",
        options={"query": QUERY, **options},
    )


def test_one_signal_per_stretch_opened_since_the_last_fire(tmp_path: Path) -> None:
    spike_at = 5 * 288 + 30
    stamps, values = _traffic(tmp_path, spike_at)
    monitor = get_monitor("metric_anomaly")
    spike_time = datetime.fromisoformat(stamps[spike_at])
    # Before the spike happened: nothing, even though the table already holds later rows.
    assert monitor.run(_ctx(tmp_path, now=spike_time - timedelta(minutes=5))) == []
    found = monitor.run(_ctx(tmp_path, now=spike_time + timedelta(hours=1)))
    assert [s.kind for s in found] == ["anomaly_detected"]
    assert found[0].payload["at"] == stamps[spike_at]
    assert found[0].payload["period"] == 288
    # The next fire does not page again for the same stretch.
    later = monitor.run(
        _ctx(tmp_path, now=spike_time + timedelta(hours=2), since=spike_time + timedelta(hours=1))
    )
    assert later == []
    # What the monitor streams is what batch detection reports on the same rows.
    upto = spike_at + 12
    batch = detect_anomalies(values[: upto + 1], timestamps=stamps[: upto + 1])
    assert [stamps[e.start] for e in batch.events] == [found[0].payload["at"]]


def test_bad_options_are_config_errors(tmp_path: Path) -> None:
    _traffic(tmp_path, 5 * 288)
    monitor = get_monitor("metric_anomaly")
    now = START + timedelta(days=6)
    with pytest.raises(ConfigError, match="option 'query' is required"):
        monitor.run(MonitorContext(datasets=tmp_path, now=now, schedule="s"))
    with pytest.raises(ConfigError, match="anomaly threshold"):
        monitor.run(_ctx(tmp_path, now=now, threshold=0))
    with pytest.raises(ConfigError, match="threshold: 'high' is not a number"):
        monitor.run(_ctx(tmp_path, now=now, threshold="high"))
    with pytest.raises(ConfigError, match="option period: 'daily'"):
        monitor.run(_ctx(tmp_path, now=now, period="daily"))
    with pytest.raises(ConfigError, match="OperationalError"):
        monitor.run(_ctx(tmp_path, now=now, query="SELECT nope FROM traffic"))
