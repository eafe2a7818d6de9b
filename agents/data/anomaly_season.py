"""Finding a metric series' season from the data and its timestamps.

A season is only worth using when it is a real cycle of the data and the series holds
enough of it to learn from. So:

* The timestamps' spacing (the median step between consecutive timestamps) turns the
  calendar cycles people's systems follow -- an hour, a day, a week -- into candidate
  lengths in points: 5-minute data gives 12, 288 and 2016. A candidate must fit at least
  `MIN_CYCLES` times in the span the timestamps cover; a shorter one is never guessed.
* Each candidate `p` is tested on its own: the series (gaps filled by interpolation,
  extreme 0.5 % at each end clipped so one spike cannot decide) minus its centred moving
  average over `p` points -- which removes trend and level shifts but keeps a cycle of
  length `p` -- is correlated with itself `p` points later. A candidate is a season when
  that correlation reaches `MIN_SEASONAL_ACF`.
* When several pass, each is asked to predict every cycle from the median of the other
  cycles (after removing the trend over the longest candidate, so a day's average does
  not hide the weekend's lower level); the shortest season predicting within
  `PREFER_SHORTER_WITHIN` of the best wins -- a daily cycle also repeats every week, and
  the shorter season gives each slot more history, but quieter weekends need the week.
* Without usable timestamps (labels such as "d001", or none), or when no calendar cycle
  passes, the candidates are the local peaks of the autocorrelation between 2 points and
  a third of the series, tested the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
from pydantic import Field

from charter.protocols import ConfigError, StrictModel

FloatArray = npt.NDArray[np.float64]

MIN_SEASONAL_ACF = 0.3
MIN_CYCLES = 3
# A longer season is preferred only when it predicts the held-out cycles this much better.
PREFER_SHORTER_WITHIN = 0.05
CALENDAR = (("hour", 3600.0), ("day", 86400.0), ("week", 604800.0))
# Data sampled at, say, 7 minutes has no whole number of points per day; a season within
# 2 % of a whole number of points still lines up well enough over a few cycles.
_WHOLE_TOLERANCE = 0.02


class SeasonCandidate(StrictModel):
    name: str  # "day", "week", "hour" or "lag"
    points: int
    acf: float


class SeasonChoice(StrictModel):
    """The chosen season (None: not seasonal) with every candidate it was chosen from."""

    period: int | None
    step_seconds: float | None = None
    candidates: list[SeasonCandidate] = Field(default_factory=list)


def parse_times(timestamps: Sequence[str] | None) -> list[float] | None:
    """Seconds since the epoch for ISO-8601 timestamps, or None when any is not one.

    Labels that are not times (e.g. "d001") are fine: the series is then taken as evenly
    spaced. Times that parse but do not increase are a user error (unsorted data).
    """
    if not timestamps:
        return None
    seconds: list[float] = []
    for text in timestamps:
        try:
            moment = datetime.fromisoformat(str(text).strip())
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds.append(moment.timestamp())
    for i in range(1, len(seconds)):
        if seconds[i] <= seconds[i - 1]:
            raise ConfigError(
                f"anomaly series: timestamp {timestamps[i]!r} (row {i + 1}) is not after "
                f"{timestamps[i - 1]!r}, expected strictly increasing times (sort the data)"
            )
    return seconds


def median_step(seconds: Sequence[float]) -> float | None:
    if len(seconds) < 2:
        return None
    return float(np.median(np.diff(np.asarray(seconds, dtype=np.float64))))


def grid_positions(seconds: Sequence[float], step: float) -> list[int]:
    """Each point's index on the regular grid of `step` seconds from the first point."""
    start = seconds[0]
    return [round((s - start) / step) for s in seconds]


def _on_grid(values: FloatArray, positions: Sequence[int]) -> FloatArray:
    """The series on its regular grid, missing points linearly interpolated."""
    pos = np.asarray(positions, dtype=np.float64)
    grid = np.arange(int(pos[-1]) + 1, dtype=np.float64)
    return np.asarray(np.interp(grid, pos, values), dtype=np.float64)


def _seasonal_acf(y: FloatArray, period: int) -> float:
    from scipy.ndimage import uniform_filter1d  # type: ignore[import-untyped]  # no stubs

    trend = uniform_filter1d(y, size=period, mode="nearest")
    rest = y - trend
    a, b = rest[:-period], rest[period:]
    a = a - a.mean()
    b = b - b.mean()
    denominator = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return 0.0 if denominator == 0.0 else float((a * b).sum() / denominator)


def _acf_peaks(y: FloatArray, limit: int) -> list[int]:
    """Local autocorrelation peaks of at least MIN_SEASONAL_ACF up to `limit` points."""
    n = len(y)
    centred = y - y.mean()
    size = 1 << (2 * n - 1).bit_length()
    spectrum = np.fft.rfft(centred, size)
    acf = np.fft.irfft(spectrum * np.conj(spectrum), size)[:n]
    acf = acf / acf[0]
    lags = np.arange(2, min(limit, n - 1))
    if len(lags) == 0:
        return []
    inner = acf[lags]
    peaks = (inner >= acf[lags - 1]) & (inner > acf[lags + 1]) & (inner >= MIN_SEASONAL_ACF)
    return [int(lag) for lag in lags[peaks]]


def _score(y: FloatArray, named: Sequence[tuple[str, int]]) -> list[SeasonCandidate]:
    return [
        SeasonCandidate(name=name, points=points, acf=round(_seasonal_acf(y, points), 4))
        for name, points in named
        if MIN_CYCLES * points <= len(y)
    ]


def choose_season(
    values: Sequence[float] | FloatArray, timestamps: Sequence[str] | None = None
) -> SeasonChoice:
    """The season of a series (see the module docstring)."""
    x = np.asarray(values, dtype=np.float64)
    seconds = parse_times(timestamps)
    step = median_step(seconds) if seconds is not None else None
    if seconds is not None and step is not None and step > 0:
        positions = grid_positions(seconds, step)
    else:
        positions = list(range(len(x)))
        step = None
    if len(x) < 2 * MIN_CYCLES:
        return SeasonChoice(period=None, step_seconds=step)
    low, high = np.percentile(x, [0.5, 99.5])
    y = _on_grid(np.clip(x, low, high), positions)
    if not np.any(y - y.mean()):
        return SeasonChoice(period=None, step_seconds=step)
    span = len(y)  # grid points covered, gaps included
    named: list[tuple[str, int]] = []
    if step is not None:
        for name, seconds_per_cycle in CALENDAR:
            exact = seconds_per_cycle / step
            points = round(exact)
            whole = points >= 2 and abs(exact - points) <= _WHOLE_TOLERANCE * exact
            if whole and span >= MIN_CYCLES * points:
                named.append((name, points))
    candidates = _score(y, named)
    seasons = [c for c in candidates if c.acf >= MIN_SEASONAL_ACF]
    if not seasons:
        # No calendar cycle: a cycle of its own (a job every 100 minutes, say) may still be.
        lags = [("lag", lag) for lag in _acf_peaks(y, span // MIN_CYCLES + 1)][:20]
        candidates += _score(y, lags)
        seasons = [c for c in candidates if c.acf >= MIN_SEASONAL_ACF]
    if not seasons:
        return SeasonChoice(period=None, step_seconds=step, candidates=candidates)
    # A cycle of its own repeats at every multiple of itself: those are not other seasons.
    # (Calendar ones are kept: a week is seven days, and the week may be the real cycle.)
    seasons = [
        c
        for c in seasons
        if c.name != "lag"
        or not any(
            o.name == "lag" and o.points < c.points and c.points % o.points == 0 for o in seasons
        )
    ]
    if len(seasons) == 1:
        return SeasonChoice(period=seasons[0].points, step_seconds=step, candidates=candidates)
    from scipy.ndimage import uniform_filter1d

    # Compare the seasons on the same footing: remove the trend over the longest one (a
    # day's moving average would also remove the weekend's lower level), then predict each
    # cycle from the median of the others and keep the season that predicts best.
    longest = max(c.points for c in seasons)
    rest = y - uniform_filter1d(y, size=longest, mode="nearest")
    errors = {c.points: _holdout_error(rest, c.points) for c in seasons}
    best = min(errors.values())
    chosen = min(p for p, e in errors.items() if e <= best * (1 + PREFER_SHORTER_WITHIN))
    return SeasonChoice(period=chosen, step_seconds=step, candidates=candidates)


def _holdout_error(rest: FloatArray, period: int) -> float:
    """Mean |error| predicting each of the last cycles from the other cycles' medians."""
    cycles = min(len(rest) // period, 24)
    grid = rest[len(rest) - cycles * period :].reshape(cycles, period)
    errors = [
        np.abs(grid[c] - np.median(np.delete(grid, c, axis=0), axis=0)) for c in range(cycles)
    ]
    # The mean, not the median: a season that misses the weekends is wrong on 2 days in 7,
    # which a median would not see.
    return float(np.mean(np.concatenate(errors)))


__all__ = [
    "CALENDAR",
    "MIN_CYCLES",
    "MIN_SEASONAL_ACF",
    "SeasonCandidate",
    "SeasonChoice",
    "choose_season",
    "grid_positions",
    "median_step",
    "parse_times",
]
