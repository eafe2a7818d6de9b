"""Realistic synthetic metric series with labelled anomaly windows, for tests and benchmarks.

Each seed gives one series the way production metrics look: a cadence (1, 5 or 10
minutes, or hourly), a daily cycle (business-hours hump plus a night trough), on some a
weekly cycle (quieter weekends), a trend, noise whose size follows the level, missing
points (gaps in the timestamps), and 0-3 injected anomalies of these kinds:

* `spike` / `dip` -- a few points far from the usual value for that time of day;
* `outage` -- the metric drops to near zero for a while;
* `level_shift` -- the level moves and stays moved (a deploy, a new customer);
* `noise_burst` -- the noise grows several-fold for an hour or two;
* `stuck` -- the value freezes (a dead exporter) for a quarter of a day;
* `missing_peak` -- one day's hump does not come.

Windows follow NAB's convention: each anomaly is labelled with a window of 10 % of the
series divided by the number of anomalies, centred on the anomaly's start, so a detector
that alerts a little before or after it still counts as finding it. Anomalies are placed
after NAB's scoring warm-up (15 %) and after two seasons, so every one is scoreable.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from charter.protocols import StrictModel

KINDS = ("spike", "dip", "outage", "level_shift", "noise_burst", "stuck", "missing_peak")
# Seeds tuned on, and seeds never looked at while tuning (reported separately).
TUNING_SEEDS = tuple(range(0, 24))
HELD_OUT_SEEDS = tuple(range(1000, 1024))

_CADENCES = (
    # (step in seconds, days of data, weekly cycle)
    (300, 14, False),
    (60, 5, False),
    (600, 28, True),
    (3600, 49, True),
)


class SyntheticSeries(StrictModel):
    name: str
    timestamps: list[str]
    values: list[float]
    windows: list[tuple[int, int]]  # inclusive row ranges
    kinds: list[str]
    step_seconds: int
    season_points: int  # the true season: a day, or a week when there is a weekly cycle


def generate(seed: int) -> SyntheticSeries:
    """One labelled series; the same seed always gives the same series."""
    rng = np.random.default_rng(seed)
    step, days, weekly = _CADENCES[int(rng.integers(len(_CADENCES)))]
    per_day = 86400 // step
    n = per_day * days
    t = np.arange(n)
    day_phase = (t % per_day) / per_day
    base = float(rng.uniform(50, 500))
    amplitude = float(rng.uniform(0.2, 0.8)) * base
    hump = np.exp(-(((day_phase - rng.uniform(0.45, 0.65)) / 0.15) ** 2))
    shape = hump - 0.2 * np.cos(2 * np.pi * day_phase)
    weekday = (t // per_day) % 7
    week_factor = np.where(weekday >= 5, rng.uniform(0.3, 0.7), 1.0) if weekly else 1.0
    trend = float(rng.uniform(-0.3, 0.5)) * base * t / n if rng.random() < 0.6 else np.zeros(n)
    clean = base + trend + amplitude * shape * week_factor
    noise_share = float(rng.uniform(0.02, 0.08))
    noise = rng.normal(0, 1, n) * noise_share * np.maximum(clean, base * 0.2)
    if rng.random() < 0.3:  # heavy tails: an occasional ordinary blip
        noise += rng.standard_t(3, n) * noise_share * base * 0.3
    values = clean + noise
    sigma = noise_share * base

    season = per_day * 7 if weekly else per_day
    earliest = max(int(0.15 * n), 2 * season) + per_day // 4
    count = int(rng.choice([0, 1, 1, 2, 2, 3]))
    window = max(1, int(0.1 * n / max(count, 1)))
    starts: list[int] = []
    for _ in range(count):
        for _attempt in range(50):
            start = int(rng.integers(earliest, n - per_day // 2))
            if all(abs(start - other) > window for other in starts):
                starts.append(start)
                break
    starts.sort()
    kinds: list[str] = []
    windows: list[tuple[int, int]] = []
    for start in starts:
        kind = str(rng.choice(KINDS))
        kinds.append(kind)
        width = max(2, per_day // 96)  # about a quarter of an hour
        if kind == "spike":
            values[start : start + width] += rng.uniform(8, 15) * sigma + 0.3 * amplitude
        elif kind == "dip":
            values[start : start + width] -= rng.uniform(8, 15) * sigma + 0.3 * amplitude
        elif kind == "outage":
            values[start : start + width * 4] = rng.uniform(0, 0.05) * base
        elif kind == "level_shift":
            sign = 1 if rng.random() < 0.5 else -1
            values[start:] += sign * max(rng.uniform(0.3, 0.6) * base, 8 * sigma)
        elif kind == "noise_burst":
            stop = start + per_day // 12
            values[start:stop] += rng.normal(0, 1, len(values[start:stop])) * sigma * 6
        elif kind == "stuck":
            values[start : start + per_day // 4] = values[start]
        else:  # missing_peak: one day without its hump
            stop = start + per_day // 2
            values[start:stop] = (base + trend[start:stop]) + noise[start:stop]
        half = window // 2
        windows.append((max(0, start - half), min(n - 1, start - half + window - 1)))

    keep = np.ones(n, dtype=bool)
    if rng.random() < 0.6:
        keep &= rng.random(n) > 0.01  # scattered dropped scrapes
        for _ in range(int(rng.integers(1, 4))):  # and a few longer gaps
            at = int(rng.integers(0, n - 40))
            keep[at : at + int(rng.integers(3, 30))] = False
    for start, end in windows:  # the anomaly itself is always observed
        keep[start + (end - start + 1) // 2] = True
    rows = np.nonzero(keep)[0]
    row_of = np.cumsum(keep) - 1
    origin = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
    stamps = [(origin + timedelta(seconds=int(i) * step)).isoformat() for i in rows]
    return SyntheticSeries(
        name=f"synthetic-{seed}",
        timestamps=stamps,
        values=[round(float(v), 4) for v in values[rows]],
        windows=[(int(row_of[s]), int(row_of[e])) for s, e in windows],
        kinds=kinds,
        step_seconds=step,
        season_points=season,
    )


__all__ = ["HELD_OUT_SEEDS", "KINDS", "TUNING_SEEDS", "SyntheticSeries", "generate"]
