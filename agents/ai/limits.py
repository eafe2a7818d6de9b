"""Rate limiting and the circuit breaker, both on the run's clock.

Time comes from an injected `Clock` and waiting from an injected `sleep`, so a test (or a
scenario on a virtual clock) can see exactly how long a call would have waited without
waiting at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from charter.protocols import Clock

Sleep = Callable[[float], None]


class FollowClock:
    """The AI layer's clock when the run's clock is not at hand (e.g. a scenario runner that
    makes its own): it follows the instants the run shows its agents (`AgentView.now`) and
    adds the time the layer spent waiting, so usage timestamps, rate limits and the
    breaker's cool-down all live on run time. Its `sleep` only moves it; nothing blocks."""

    def __init__(self, start: datetime | None = None) -> None:
        self._base = start
        self._waited = 0.0

    def follow(self, instant: datetime) -> None:
        if self._base is None or instant > self.now():
            self._base, self._waited = instant, 0.0

    def now(self) -> datetime:
        if self._base is None:
            raise RuntimeError("FollowClock has not seen a run instant yet")
        return self._base + timedelta(seconds=self._waited)

    def sleep(self, seconds: float) -> None:
        self._waited += max(0.0, seconds)


class TokenBucket:
    """`capacity` units, refilled continuously at `capacity` per `period`."""

    def __init__(self, capacity: float, period: timedelta, now: datetime) -> None:
        if capacity <= 0:
            raise ValueError("bucket capacity must be positive")
        self.capacity = float(capacity)
        self._rate = self.capacity / period.total_seconds()
        self._level = self.capacity
        self._at = now

    def _refill(self, now: datetime) -> None:
        elapsed = max(0.0, (now - self._at).total_seconds())
        self._level = min(self.capacity, self._level + elapsed * self._rate)
        self._at = max(self._at, now)

    def wait_for(self, amount: float, now: datetime) -> float:
        """Seconds until `amount` units are available (0 when they are now). A request
        bigger than the whole bucket waits for a full bucket and then runs alone."""
        self._refill(now)
        wanted = min(amount, self.capacity)
        return 0.0 if self._level >= wanted else (wanted - self._level) / self._rate

    def take(self, amount: float, now: datetime) -> None:
        self._refill(now)
        self._level -= min(amount, self.capacity)

    @property
    def level(self) -> float:
        return self._level


@dataclass(frozen=True)
class RateLimits:
    """Per key and model: requests per minute and (input + output) tokens per minute."""

    requests_per_minute: int = 50
    tokens_per_minute: int = 40_000


class RateLimiter:
    """Token buckets per (key label, model). `acquire` sleeps (through the injected sleep)
    until both the request and the token bucket allow the call, then takes from both."""

    def __init__(self, limits: RateLimits, clock: Clock, sleep: Sleep) -> None:
        self.limits = limits
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[tuple[str, str], tuple[TokenBucket, TokenBucket]] = {}
        self.waited: list[float] = []  # every wait, in seconds (observability and tests)

    def _pair(self, key: str, model: str) -> tuple[TokenBucket, TokenBucket]:
        pair = self._buckets.get((key, model))
        if pair is None:
            now, minute = self._clock.now(), timedelta(minutes=1)
            pair = (
                TokenBucket(self.limits.requests_per_minute, minute, now),
                TokenBucket(self.limits.tokens_per_minute, minute, now),
            )
            self._buckets[(key, model)] = pair
        return pair

    def acquire(self, key: str, model: str, tokens: int) -> float:
        """Wait until one request of `tokens` tokens may go; returns the seconds waited."""
        requests, token_bucket = self._pair(key, model)
        total = 0.0
        for _ in range(4):  # the second pass only runs if the clock did not move enough
            now = self._clock.now()
            wait = max(requests.wait_for(1, now), token_bucket.wait_for(tokens, now))
            if wait <= 0:
                break
            self._sleep(wait)
            self.waited.append(wait)
            total += wait
        now = self._clock.now()
        requests.take(1, now)
        token_bucket.take(tokens, now)
        return total


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Opens after `threshold` consecutive failures; after `cooldown` on the run clock it
    lets one trial call through (half-open): success closes it, failure opens it again."""

    def __init__(
        self, clock: Clock, *, threshold: int = 5, cooldown: timedelta = timedelta(minutes=1)
    ) -> None:
        if threshold < 1:
            raise ValueError("circuit breaker threshold must be at least 1")
        self._clock = clock
        self.threshold = threshold
        self.cooldown = cooldown
        self._failures = 0
        self._opened_at: datetime | None = None
        self._trial = False
        self.opened = 0  # how many times it opened

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock.now() >= self._opened_at + self.cooldown:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def allow(self) -> bool:
        """May a call go now? In half-open, only one trial call is let through."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.HALF_OPEN and not self._trial:
            self._trial = True
            return True
        return False

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._trial = False

    def record_failure(self) -> None:
        self._failures += 1
        if self._trial or (self._opened_at is None and self._failures >= self.threshold):
            self._opened_at = self._clock.now()
            self._trial = False
            self.opened += 1


__all__ = [
    "BreakerState",
    "CircuitBreaker",
    "FollowClock",
    "RateLimiter",
    "RateLimits",
    "Sleep",
    "TokenBucket",
]
