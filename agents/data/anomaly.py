"""Anomaly detection on metric time series (row counts, latencies, error rates).

The detector is robust and seasonality-aware, in three steps:

1. **Season.** The period is the lag with the strongest autocorrelation (numpy FFT) if that
   correlation is at least `MIN_SEASONAL_ACF`; otherwise the series is treated as
   non-seasonal. A caller may also pass the period (e.g. 288 for daily 5-minute data).
2. **Baseline.** The expected value of a point is the median of all points in the same
   season slot (the same time of day); for a non-seasonal series it is a centred rolling
   median. Medians ignore the anomalous days themselves as long as they are a minority.
3. **Scores.** Two robust z-scores are computed on the residual (value - expected), each
   scaled by the median absolute deviation (MAD x 1.4826, a consistent estimate of the
   standard deviation for normal noise):

   * the *point* score: the residual itself — catches spikes, dips, missing peaks;
   * the *level* score: the rolling mean of |residual| over `context` points (1/12 of a
     season by default) — catches a change of behaviour made of many small departures,
     such as bursts that become denser.

   A point is flagged when either score exceeds `threshold` (default 7.0: for normal noise
   a 7-sigma exceedance practically never happens, and the margin above the textbook 3-5
   absorbs noise whose size varies with the level, as in the NAB daily series). When the
   MAD is zero (a series that sits still most of the time, e.g. bursty traffic) the scale
   is the 99th percentile of the departures / 2.576 instead — behaviour seen in more than
   1% of the points is ordinary — and never less than 1% of the series' spread, so a
   constant series never flags and any real departure from it does.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
from pydantic import Field

from charter.protocols import ConfigError, StrictModel

DEFAULT_THRESHOLD = 7.0
MIN_SEASONAL_ACF = 0.3
_MAD_TO_SIGMA = 1.4826
_MIN_POINTS = 8
_Z_99 = 2.5758  # the 99th percentile of |N(0, 1)|, i.e. P(|z| < 2.5758) = 0.99

FloatArray = npt.NDArray[np.float64]


class AnomalyPoint(StrictModel):
    """One flagged point with the evidence for it."""

    index: int
    timestamp: str | None = None
    value: float
    expected: float
    score: float  # the larger of the two robust z-scores
    reason: Literal["point", "level"]


class AnomalyReport(StrictModel):
    """What the detector found in one series."""

    series: str = "series"
    points_total: int
    period: int | None
    threshold: float
    method: str = "seasonal-median baseline + MAD-scaled residual and rolling level scores"
    anomalies: list[AnomalyPoint] = Field(default_factory=list)

    @property
    def flagged(self) -> list[int]:
        return [a.index for a in self.anomalies]


def _as_array(values: Sequence[float] | FloatArray) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ConfigError("anomaly series: expected a one-dimensional list of numbers")
    if not np.all(np.isfinite(array)):
        raise ConfigError("anomaly series: values must be finite numbers (no NaN or inf)")
    return array


def detect_period(
    values: Sequence[float] | FloatArray, *, max_period: int | None = None
) -> int | None:
    """The dominant season length in points, or None when the series is not seasonal.

    Autocorrelation via FFT; the chosen lag must be a local peak, have at least
    `MIN_SEASONAL_ACF` correlation and fit at least three times in the series.
    """
    x = _as_array(values)
    n = len(x)
    limit = max_period if max_period is not None else n // 3
    if n < 3 * 4 or limit < 2:
        return None
    # Clip the extreme 0.5% at each end first: a single huge spike would otherwise dominate
    # the variance and hide the season from the autocorrelation.
    low, high = np.percentile(x, [0.5, 99.5])
    clipped = np.clip(x, low, high)
    centred = clipped - clipped.mean()
    if not np.any(centred):
        return None
    size = 1 << (2 * n - 1).bit_length()
    spectrum = np.fft.rfft(centred, size)
    acf = np.fft.irfft(spectrum * np.conj(spectrum), size)[:n]
    acf = acf / acf[0]
    lags = np.arange(2, min(limit, n - 1))
    if len(lags) == 0:
        return None
    inner = acf[lags]
    peaks = (inner >= acf[lags - 1]) & (inner >= acf[lags + 1])
    candidates = lags[peaks & (inner >= MIN_SEASONAL_ACF)]
    if len(candidates) == 0:
        return None
    best = float(acf[candidates].max())
    # The first lag whose correlation is close to the best: harmonics (2x, 3x the period)
    # correlate almost as well, and the shortest season gives each slot the most samples.
    return int(candidates[acf[candidates] >= best - 0.05][0])


def _baseline(x: FloatArray, period: int | None, window: int) -> FloatArray:
    n = len(x)
    if period is not None and period >= 2 and n >= 2 * period:
        # One row per season, NaN-padded, so every slot's median uses every season it has.
        seasons = -(-n // period)
        grid = np.full(seasons * period, np.nan)
        grid[:n] = x
        profile = np.nanmedian(grid.reshape(seasons, period), axis=0)
        return np.asarray(profile[np.arange(n) % period], dtype=np.float64)
    from scipy.ndimage import median_filter  # type: ignore[import-untyped]  # no stubs

    size = max(3, window | 1)
    return np.asarray(median_filter(x, size=size, mode="nearest"), dtype=np.float64)


def _robust_z(values: FloatArray, spread_floor: float) -> FloatArray:
    centre = float(np.median(values))
    deviation = np.abs(values - centre)
    mad = float(np.median(deviation)) * _MAD_TO_SIGMA
    if mad > spread_floor:
        scale = mad
    else:
        # The series sits still most of the time (MAD zero), e.g. bursty traffic: departures
        # seen in more than 1% of the points are ordinary for it, rarer ones are not.
        scale = max(float(np.percentile(deviation, 99)) / _Z_99, spread_floor)
    return np.asarray((values - centre) / scale, dtype=np.float64)


def detect_anomalies(
    values: Sequence[float] | FloatArray,
    *,
    timestamps: Sequence[str] | None = None,
    period: int | Literal["auto"] | None = "auto",
    threshold: float = DEFAULT_THRESHOLD,
    context: int | None = None,
    name: str = "series",
) -> AnomalyReport:
    """Flag the anomalous points of a series (see the module docstring for the method)."""
    from scipy.ndimage import uniform_filter1d

    x = _as_array(values)
    n = len(x)
    if n < _MIN_POINTS:
        raise ConfigError(f"anomaly series {name!r}: {n} points, expected at least {_MIN_POINTS}")
    if timestamps is not None and len(timestamps) != n:
        raise ConfigError(
            f"anomaly series {name!r}: {len(timestamps)} timestamps for {n} values, "
            "expected one each"
        )
    if threshold <= 0:
        raise ConfigError(f"anomaly threshold {threshold}: expected a positive number")
    season = detect_period(x) if period == "auto" else period
    if season is not None and (season < 2 or season > n // 2):
        raise ConfigError(f"anomaly period {season}: expected 2..{n // 2} points for {n} values")
    span = context if context is not None else max(6, (season or 288) // 12)
    expected = _baseline(x, season, span * 4)
    residual = x - expected
    spread = float(np.percentile(x, 99) - np.percentile(x, 1))
    # A constant (or mostly constant) series has zero MAD: measure departures against 1% of
    # the series' usual range instead, and never less than a tiny absolute amount.
    floor = max(spread * 0.01, 1e-9)
    point_z = np.abs(_robust_z(residual, floor))
    level = uniform_filter1d(np.abs(residual), size=max(1, span), mode="nearest")
    level_z = _robust_z(level, floor)
    found: list[AnomalyPoint] = []
    for index in np.nonzero((point_z > threshold) | (level_z > threshold))[0]:
        i = int(index)
        is_point = bool(point_z[i] > threshold)
        found.append(
            AnomalyPoint(
                index=i,
                timestamp=timestamps[i] if timestamps is not None else None,
                value=float(x[i]),
                expected=float(expected[i]),
                score=round(float(max(point_z[i], level_z[i])), 4),
                reason="point" if is_point else "level",
            )
        )
    return AnomalyReport(
        series=name, points_total=n, period=season, threshold=threshold, anomalies=found
    )


def read_series_csv(
    path: Path, *, value_column: str = "value", time_column: str | None = "timestamp"
) -> tuple[list[str] | None, list[float]]:
    """Read (timestamps, values) from a CSV file with a header row."""
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"series file {path}: cannot read ({error.strerror})") from None
    with handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        if value_column not in columns:
            raise ConfigError(
                f"series file {path}: no column {value_column!r}, expected one of {columns}"
            )
        use_time = time_column if time_column in columns else None
        stamps: list[str] = []
        numbers: list[float] = []
        for line, row in enumerate(reader, start=2):
            try:
                numbers.append(float(row[value_column]))
            except (TypeError, ValueError):
                raise ConfigError(
                    f"series file {path} line {line}: {row[value_column]!r} is not a number"
                ) from None
            if use_time is not None:
                stamps.append(str(row[use_time]))
    return (stamps if use_time is not None else None), numbers


def read_series_sql(url: str, query: str) -> tuple[list[str] | None, list[float]]:
    """Read a series from a database: a query returning (value) or (timestamp, value) rows."""
    import sqlalchemy as sa

    from .ops_db import open_engine

    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text(query)).all()
    except sa.exc.SQLAlchemyError as error:
        raise ConfigError(
            f"series query on {url}: {error.__class__.__name__}: {error.args[0]}"
        ) from None
    finally:
        engine.dispose()
    if not rows:
        return None, []
    width = len(rows[0])
    if width not in (1, 2):
        raise ConfigError(f"series query: {width} columns, expected (value) or (timestamp, value)")
    values = [float(row[-1]) for row in rows]
    stamps = [str(row[0]) for row in rows] if width == 2 else None
    return stamps, values


__all__ = [
    "DEFAULT_THRESHOLD",
    "MIN_SEASONAL_ACF",
    "AnomalyPoint",
    "AnomalyReport",
    "detect_anomalies",
    "detect_period",
    "read_series_csv",
    "read_series_sql",
]
