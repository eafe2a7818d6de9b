"""Anomaly detection on metric time series (row counts, latencies, error rates).

Built so that a person on call would keep it switched on:

1. **Season from the data** (`anomaly_season.choose_season`): calendar cycles (hour, day,
   week) turned into points with the timestamps' spacing, each tested by autocorrelation
   after removing trend, never shorter than the data supports (three full cycles).
2. **Causal, robust scoring** (`anomaly_stream.StreamingDetector`): expected value = a
   rolling-median level (follows trends, re-baselines after a level shift) plus the
   median of the slot's recent seasons; a point score and a level score in robust sigmas.
3. **Flood control**: one event per anomalous stretch, flagged points capped at
   `max_share` of any window.

Batch mode runs the streaming detector over the series, so `update(point)` in a monitor
agrees with `detect_anomalies` on the same data. The first two seasons (16 points without
a season) are the warm-up: scored 0.0 and never flagged.
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

from .anomaly_season import MIN_CYCLES, SeasonCandidate, choose_season, parse_times
from .anomaly_stream import (
    DEFAULT_MAX_SHARE,
    DEFAULT_THRESHOLD,
    StreamingDetector,
    validate_share,
    validate_threshold,
)

_MIN_POINTS = 8

FloatArray = npt.NDArray[np.float64]


class AnomalyPoint(StrictModel):
    """One flagged point with the evidence for it."""

    index: int
    timestamp: str | None = None
    value: float
    expected: float
    score: float  # the larger of the point and level scores, in robust sigmas
    reason: Literal["point", "level", "stuck"]
    event: int


class AnomalyEvent(StrictModel):
    """One anomalous stretch: what a person on call is paged for, once."""

    id: int
    start: int  # index of the first and last exceedance of the stretch
    end: int
    start_timestamp: str | None = None
    end_timestamp: str | None = None
    peak_index: int
    peak_score: float
    flagged_points: int


class AnomalyReport(StrictModel):
    """What the detector found in one series."""

    series: str = "series"
    points_total: int
    period: int | None
    step_seconds: float | None = None
    season_candidates: list[SeasonCandidate] = Field(default_factory=list)
    threshold: float
    max_share: float = DEFAULT_MAX_SHARE
    warmup_points: int = 0
    method: str = (
        "rolling-median level + slot-median season, robust point and level scores, "
        "events with a flagged-share cap"
    )
    events: list[AnomalyEvent] = Field(default_factory=list)
    anomalies: list[AnomalyPoint] = Field(default_factory=list)
    suppressed_points: int = 0
    scores: list[float] = Field(default_factory=list)  # one per point, 0.0 in warm-up

    @property
    def flagged(self) -> list[int]:
        return [a.index for a in self.anomalies]

    @property
    def flagged_share(self) -> float:
        return len(self.anomalies) / self.points_total if self.points_total else 0.0


def _as_array(values: Sequence[float] | FloatArray) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ConfigError("anomaly series: expected a one-dimensional list of numbers")
    if not np.all(np.isfinite(array)):
        raise ConfigError("anomaly series: values must be finite numbers (no NaN or inf)")
    return array


def detect_period(
    values: Sequence[float] | FloatArray, timestamps: Sequence[str] | None = None
) -> int | None:
    """The season length in points, or None when the series is not seasonal."""
    return choose_season(_as_array(values), timestamps).period


def detect_anomalies(
    values: Sequence[float] | FloatArray,
    *,
    timestamps: Sequence[str] | None = None,
    period: int | Literal["auto"] | None = "auto",
    threshold: float = DEFAULT_THRESHOLD,
    context: int | None = None,
    max_share: float = DEFAULT_MAX_SHARE,
    name: str = "series",
) -> AnomalyReport:
    """Score every point of a series and flag its anomalous stretches."""
    threshold = validate_threshold(threshold)
    max_share = validate_share(max_share)
    x = _as_array(values)
    n = len(x)
    if n < _MIN_POINTS:
        raise ConfigError(f"anomaly series {name!r}: {n} points, expected at least {_MIN_POINTS}")
    if timestamps is not None and len(timestamps) != n:
        raise ConfigError(
            f"anomaly series {name!r}: {len(timestamps)} timestamps for {n} values, "
            "expected one each"
        )
    choice = choose_season(x, timestamps)
    season = choice.period if period == "auto" else period
    if season is not None and (season < 2 or season > n // MIN_CYCLES):
        raise ConfigError(
            f"anomaly period {season}: expected 2..{n // MIN_CYCLES} points for {n} values "
            f"(at least {MIN_CYCLES} full seasons)"
        )
    seconds = parse_times(timestamps)
    step = choice.step_seconds if seconds is not None else None
    detector = StreamingDetector(
        period=season,
        threshold=threshold,
        step_seconds=step,
        context=context,
        max_share=max_share,
    )
    stamps = list(timestamps) if timestamps is not None else None
    anomalies: list[AnomalyPoint] = []
    events: dict[int, AnomalyEvent] = {}
    scores: list[float] = []
    suppressed = 0
    for i, value in enumerate(x.tolist()):
        result = detector.update(value, seconds[i] if seconds is not None else None)
        scores.append(result.score)
        suppressed += result.suppressed
        if result.event is None or result.expected is None or result.reason == "warmup":
            continue
        stamp = stamps[i] if stamps is not None else None
        event = events.get(result.event)
        if event is None:
            event = events[result.event] = AnomalyEvent(
                id=result.event,
                start=i,
                end=i,
                start_timestamp=stamp,
                end_timestamp=stamp,
                peak_index=i,
                peak_score=result.score,
                flagged_points=0,
            )
        event.end, event.end_timestamp = i, stamp
        if result.score > event.peak_score:
            event.peak_index, event.peak_score = i, result.score
        if result.flagged:
            event.flagged_points += 1
            anomalies.append(
                AnomalyPoint(
                    index=i,
                    timestamp=stamp,
                    value=value,
                    expected=round(result.expected, 6),
                    score=result.score,
                    reason=result.reason,
                    event=result.event,
                )
            )
    return AnomalyReport(
        series=name,
        points_total=n,
        period=season,
        step_seconds=step,
        season_candidates=choice.candidates,
        threshold=threshold,
        max_share=max_share,
        warmup_points=detector.warmup_points,
        events=list(events.values()),
        anomalies=anomalies,
        suppressed_points=suppressed,
        scores=scores,
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
    "DEFAULT_MAX_SHARE",
    "DEFAULT_THRESHOLD",
    "AnomalyEvent",
    "AnomalyPoint",
    "AnomalyReport",
    "detect_anomalies",
    "detect_period",
    "read_series_csv",
    "read_series_sql",
]
