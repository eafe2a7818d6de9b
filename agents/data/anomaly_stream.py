"""The anomaly detector as a stream: `update(value, at) -> PointScore`, one point at a time.

Batch detection (`charter.agents.data.anomaly.detect_anomalies`) feeds a series through
this same object, so a monitor that keeps one detector per metric and calls `update` on
each new point gets exactly the scores and flags batch mode gives on the same data.

Per point, after a warm-up of two seasons (`warmup_points`, 16 points without a season):

* **expected = level + season[slot]**. The level is the median of the last
  `level_window` deseasonalised values, so it follows a trend and, after a level shift,
  re-baselines within half that window instead of alerting forever. The season of a slot
  (its position in the cycle, from the timestamps so missing points do not shift it) is
  the median of its last `SLOT_MEMORY` departures from the level: one odd day per slot is
  outvoted.
* **point score** = |value - expected| / scale, the scale being a rolling robust sigma of
  the residuals (median |r| x 1.4826; when that is zero, as on a series that sits still
  most of the time, the 99th percentile of |r| / 2.576 -- behaviour seen in more than
  1 % of the points is ordinary; never below 1 % of the warm-up's range).
* **level score** = how far the mean |residual| over `context` points sits above its own
  rolling median, in robust sigmas of that mean (the larger of IQR / 1.349 and the
  distance from median to 90th percentile / 1.2816): many small departures,
  such as denser bursts or noisier stretches, that no single point shows.
* **flood control**: the score exceeding the threshold opens an *event*; exceedances less
  than `event_gap` points apart belong to the same event, so an anomalous stretch is one
  alert. Within events, flagged points are capped at `max_share` of any `cap_window`
  points (beyond the cap exceedances are counted as suppressed); at most `event_budget`
  events (half of that cap, at least 3) open per `cap_window`, each flagging its
  first point even when the point cap is used up, so a long level shift cannot hide the
  outage that follows it.

* **stuck score**: a run of identical values (a dead exporter repeating its last
  reading) scored by how rare repeats are in the recent history.

Residuals enter the scale windows clipped at the threshold, so one huge spike cannot
desensitise the detector for the following days.
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from charter.protocols import ConfigError

DEFAULT_THRESHOLD = 7.0
DEFAULT_MAX_SHARE = 0.01
SLOT_MEMORY = 5
_MAD_TO_SIGMA = 1.4826
_IQR_TO_SIGMA = 1.349
_Z_99 = 2.5758  # P(|z| < 2.5758) = 0.99 for normal noise
_Z_90_ONE_SIDED = 1.2816  # P(z < 1.2816) = 0.9
_NONSEASONAL_WARMUP = 16


@dataclass(slots=True)
class PointScore:
    """What the detector says about one point (a plain dataclass: one is made per point,
    and validation would cost more than the scoring)."""

    index: int  # the point's order in the stream (0-based)
    position: int  # its index on the regular time grid (differs from index after gaps)
    value: float
    expected: float | None  # None during warm-up
    score: float  # max of point and level score; 0.0 during warm-up
    reason: Literal["point", "level", "stuck", "warmup"]
    exceeds: bool  # score > threshold
    flagged: bool  # exceeds and not suppressed by flood control
    suppressed: bool
    event: int | None  # the event this exceedance belongs to (None if suppressed)
    new_event: bool  # this point opens an event: the one to alert on


def validate_threshold(threshold: float) -> float:
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        raise ConfigError(f"anomaly threshold {threshold!r}: expected a positive number")
    if not math.isfinite(threshold) or threshold <= 0:
        raise ConfigError(
            f"anomaly threshold {threshold:g}: expected a positive finite number (e.g. 7)"
        )
    return float(threshold)


def validate_share(share: float) -> float:
    if not math.isfinite(share) or not 0 < share <= 1:
        raise ConfigError(f"anomaly max share {share:g}: expected a fraction in (0, 1]")
    return float(share)


class RollingQuantiles:
    """The last `size` numbers, kept sorted so any quantile is a lookup."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._order: deque[float] = deque()
        self._sorted: list[float] = []

    def __len__(self) -> int:
        return len(self._order)

    def push(self, value: float) -> None:
        self._order.append(value)
        insort(self._sorted, value)
        if len(self._order) > self.size:
            old = self._order.popleft()
            del self._sorted[bisect_left(self._sorted, old)]

    def quantile(self, q: float) -> float:
        data = self._sorted
        if not data:
            return 0.0
        where = q * (len(data) - 1)
        low = int(where)
        high = min(low + 1, len(data) - 1)
        return data[low] + (data[high] - data[low]) * (where - low)

    def median(self) -> float:
        return self.quantile(0.5)


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _seconds(at: float | datetime | str) -> float:
    if isinstance(at, int | float):
        return float(at)
    try:
        moment = at if isinstance(at, datetime) else datetime.fromisoformat(at.strip())
    except ValueError:
        raise ConfigError(
            f"anomaly stream: time {at!r} is not ISO-8601, expected e.g. 2026-03-02T10:05:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


class StreamingDetector:
    """One metric's detector; see the module docstring for the method."""

    def __init__(
        self,
        *,
        period: int | None,
        threshold: float = DEFAULT_THRESHOLD,
        step_seconds: float | None = None,
        context: int | None = None,
        max_share: float = DEFAULT_MAX_SHARE,
        cap_window: int | None = None,
    ) -> None:
        if period is not None and period < 2:
            raise ConfigError(f"anomaly period {period}: expected at least 2 points")
        if step_seconds is not None and not (math.isfinite(step_seconds) and step_seconds > 0):
            raise ConfigError(f"anomaly step {step_seconds}: expected a positive number")
        self.period = period
        self.threshold = validate_threshold(threshold)
        self.max_share = validate_share(max_share)
        self.step_seconds = step_seconds
        season = period or 0
        # A twelfth of a season; without one, 96 points (8 hours of 5-minute data): bursty
        # series need that many points for a change of density to stand out of chance.
        self.context = context if context is not None else max(6, season // 12 or 96)
        if self.context < 1:
            raise ConfigError(f"anomaly context {self.context}: expected at least 1 point")
        self.warmup_points = max(2 * season, _NONSEASONAL_WARMUP)
        self.level_window = max(12, season // 8)
        self.event_gap = max(12, self.context)
        self.cap_window = cap_window if cap_window is not None else max(1000, 2 * season)
        self._allowed = max(1, int(self.max_share * self.cap_window))
        self.event_budget = max(3, self._allowed // 2)
        scale_window = max(500, 2 * season)
        self._level = RollingQuantiles(self.level_window)
        self._residuals = RollingQuantiles(scale_window)
        self._means = RollingQuantiles(scale_window)
        self._recent: deque[float] = deque(maxlen=self.context)
        self._recent_sum = 0.0
        self._slots: dict[int, deque[float]] = {}
        self._warm: list[tuple[int, float]] = []
        self._primed = False
        self._floor = 1e-9
        self._spread = math.inf
        self._flags: deque[bool] = deque(maxlen=self.cap_window)
        self._flag_count = 0
        self._openings: deque[bool] = deque(maxlen=self.cap_window)
        self._repeats: deque[bool] = deque(maxlen=self.cap_window)
        self._repeat_count = 0
        self._run = 0
        self._previous: float | None = None
        self._event_count = 0
        self._origin: float | None = None
        self._last_position = -1
        self._last_exceed: int | None = None
        self._event: int | None = None
        self._events = 0
        self.count = 0

    # -- positions ---------------------------------------------------------------------
    def _position(self, at: float | datetime | str | None) -> int:
        if at is None or self.step_seconds is None:
            return self._last_position + 1
        seconds = _seconds(at)
        if self._origin is None:
            self._origin = seconds
        position = round((seconds - self._origin) / self.step_seconds)
        if position <= self._last_position:
            raise ConfigError(
                f"anomaly stream: point at {at} is not after the previous one "
                f"(grid position {position} <= {self._last_position}), expected increasing times"
            )
        return position

    def _slot(self, position: int) -> int:
        return position % self.period if self.period else 0

    def _season(self, slot: int) -> float:
        if not self.period:
            return 0.0
        for back in range(self.period):
            history = self._slots.get((slot - back) % self.period)
            if history:
                return _median(history)
        return 0.0

    # -- scales ------------------------------------------------------------------------
    def _residual_scale(self) -> float:
        mad = self._residuals.median() * _MAD_TO_SIGMA
        if mad > self._floor:
            return mad
        return max(self._residuals.quantile(0.99) / _Z_99, self._floor)

    def _mean_score(self, mean: float) -> float:
        if len(self._means) < self.context:
            self._spread = math.inf
            return 0.0
        centre = self._means.median()
        # The larger of two sigma estimates: the IQR one, and the upper tail's (which is the
        # honest one for bursty series, where most windows hold no departure at all).
        spread = max(
            (self._means.quantile(0.75) - self._means.quantile(0.25)) / _IQR_TO_SIGMA,
            (self._means.quantile(0.9) - centre) / _Z_90_ONE_SIDED,
            self._floor,
        )
        self._spread = spread
        return (mean - centre) / spread

    def _push_residual(self, residual: float, scale: float) -> float:
        clipped = min(abs(residual), self.threshold * scale)
        self._residuals.push(clipped)
        if len(self._recent) == self._recent.maxlen:
            self._recent_sum -= self._recent[0]
        self._recent.append(clipped)
        self._recent_sum += clipped
        return self._recent_sum / len(self._recent)

    # -- warm-up -----------------------------------------------------------------------
    def _prime(self) -> None:
        """Learn level, season and scales from the warm-up points, without flagging them."""
        values = [v for _, v in self._warm]
        ordered = sorted(values)
        spread = ordered[int(0.99 * (len(ordered) - 1))] - ordered[int(0.01 * (len(ordered) - 1))]
        self._floor = max(spread * 0.01, 1e-9)
        centre = _median(values)
        by_slot: dict[int, list[float]] = {}
        for position, value in self._warm:
            by_slot.setdefault(self._slot(position), []).append(value - centre)
        for slot, departures in by_slot.items():
            self._slots[slot] = deque(departures, maxlen=SLOT_MEMORY)
        for position, value in self._warm[-self.level_window :]:
            self._level.push(value - self._season(self._slot(position)))
        # Leave-one-out residuals: each warm-up value against the others of its slot. Not
        # scaled down to the noise of one value: the first seasons after the warm-up are
        # predicted from only two or three values per slot, with that much more error, and
        # an under-estimated scale would page someone on the first afternoon.
        for position, value in self._warm:
            slot = self._slot(position)
            others = list(by_slot[slot])
            others.remove(value - centre)
            if others:
                residual = value - centre - sum(others) / len(others)
            elif self.period:
                continue
            else:
                residual = value - centre
            scale = self._residual_scale() if len(self._residuals) else math.inf
            self._means.push(self._push_residual(residual, scale))
        self._warm = []

    # -- the update --------------------------------------------------------------------
    def update(self, value: float, at: float | datetime | str | None = None) -> PointScore:
        """Score one point (`at`: its time, needed to place it after gaps)."""
        x = float(value)
        if not math.isfinite(x):
            raise ConfigError(f"anomaly stream: value {value!r} is not a finite number")
        position = self._position(at)
        index = self.count
        self.count += 1
        self._last_position = position
        stuck = self._track_repeats(x)
        if not self._primed:
            self._warm.append((position, x))
            if len(self._warm) >= self.warmup_points:
                self._prime()
                self._primed = True
            return self._score(index, position, x, None, 0.0, "warmup")
        slot = self._slot(position)
        season = self._season(slot)
        level = self._level.median()
        expected = level + season
        residual = x - expected
        scale = self._residual_scale()
        point = abs(residual) / scale
        mean = self._push_residual(residual, scale)
        spread_score = self._mean_score(mean)
        # Winsorised, so a long anomalous stretch does not teach the detector that it is
        # normal within a few dozen points.
        self._means.push(min(mean, self._means.median() + self._spread * self.threshold))
        self._level.push(x - season)
        history = self._slots.setdefault(slot, deque(maxlen=SLOT_MEMORY))
        history.append(x - level)
        best = max(point, spread_score, stuck)
        if best == point:
            return self._score(index, position, x, expected, point, "point")
        if best == spread_score:
            return self._score(index, position, x, expected, spread_score, "level")
        return self._score(index, position, x, expected, stuck, "stuck")

    def _track_repeats(self, x: float) -> float:
        """The stuck score: how unlikely the current run of identical values is.

        With p the share of repeats (a value equal to the previous one) in the last
        `cap_window` points, the run itself included (a series that is always flat is not
        surprised by being flat), a run of r repeats has probability about p**r; the score
        is -log10 of that / 3: where repeats were rare, about fifteen in a row score 7.
        """
        repeat = self._previous is not None and x == self._previous
        self._previous = x
        self._run = self._run + 1 if repeat else 0
        if len(self._repeats) == self._repeats.maxlen:
            self._repeat_count -= self._repeats[0]
        self._repeats.append(repeat)
        self._repeat_count += repeat
        if not self._run:
            return 0.0
        share = max(self._repeat_count, 1) / len(self._repeats)
        return self._run * -math.log10(min(share, 1.0)) / 3

    def _score(
        self,
        index: int,
        position: int,
        value: float,
        expected: float | None,
        score: float,
        reason: Literal["point", "level", "stuck", "warmup"],
    ) -> PointScore:
        exceeds = reason != "warmup" and score > self.threshold
        flagged = False
        event: int | None = None
        new_event = False
        if exceeds:
            continuing = (
                self._last_exceed is not None and position - self._last_exceed <= self.event_gap
            )
            if continuing:
                event = self._event
                flagged = event is not None and self._flag_count < self._allowed
            elif self._event_count < self.event_budget:
                # A new stretch is alerted even when the point cap is used up by an earlier
                # one (a level shift must not hide the outage after it); only the number
                # of events per window is limited.
                self._events += 1
                event = self._event = self._events
                new_event = flagged = True
            else:
                self._event = None
            self._last_exceed = position
        if reason != "warmup":
            if len(self._flags) == self._flags.maxlen:
                oldest_flag, oldest_new = self._flags[0], self._openings[0]
                self._flag_count -= oldest_flag
                self._event_count -= oldest_new
            self._flags.append(flagged)
            self._openings.append(new_event)
            self._flag_count += flagged
            self._event_count += new_event
        return PointScore(
            index=index,
            position=position,
            value=value,
            expected=expected,
            score=round(score, 4),
            reason=reason,
            exceeds=exceeds,
            flagged=flagged,
            suppressed=exceeds and not flagged,
            event=event,
            new_event=new_event,
        )


__all__ = [
    "DEFAULT_MAX_SHARE",
    "DEFAULT_THRESHOLD",
    "PointScore",
    "RollingQuantiles",
    "StreamingDetector",
    "validate_share",
    "validate_threshold",
]
