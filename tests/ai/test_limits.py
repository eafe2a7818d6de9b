"""Token buckets and the circuit breaker on a virtual clock (no real waiting)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from charter.agents.ai import BreakerState, CircuitBreaker, RateLimiter, RateLimits
from charter.protocols import VirtualClock

from .conftest import Sleeper


def test_requests_per_minute_spaces_calls(clock: VirtualClock, sleeper: Sleeper) -> None:
    limiter = RateLimiter(
        RateLimits(requests_per_minute=2, tokens_per_minute=10**6), clock, sleeper
    )
    assert limiter.acquire("k", "m", 10) == 0
    assert limiter.acquire("k", "m", 10) == 0
    assert limiter.acquire("k", "m", 10) == pytest.approx(30.0)  # one request per 30 s refill
    assert sleeper.waits == [pytest.approx(30.0)]


def test_tokens_per_minute_and_buckets_per_key_and_model(
    clock: VirtualClock, sleeper: Sleeper
) -> None:
    limiter = RateLimiter(
        RateLimits(requests_per_minute=100, tokens_per_minute=1000), clock, sleeper
    )
    limiter.acquire("k", "m", 600)
    assert limiter.acquire("other-key", "m", 600) == 0  # its own bucket
    assert limiter.acquire("k", "other-model", 600) == 0
    assert limiter.acquire("k", "m", 600) == pytest.approx(12.0)  # 200 missing at 1000/min


def test_breaker_opens_after_threshold_and_half_opens_after_cooldown(
    clock: VirtualClock,
) -> None:
    breaker = CircuitBreaker(clock, threshold=3, cooldown=timedelta(seconds=60))
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()  # consecutive failures only
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED and breaker.allow()
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN and not breaker.allow()
    clock.advance(timedelta(seconds=59))
    assert not breaker.allow()
    clock.advance(timedelta(seconds=1))
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.allow() and not breaker.allow()  # one trial call only
    breaker.record_failure()  # the trial failed: open again for a full cool-down
    assert breaker.state is BreakerState.OPEN and breaker.opened == 2
    clock.advance(timedelta(seconds=60))
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED and breaker.allow() and breaker.allow()
