"""The AI API layer every Claude call goes through: budget check, rate limiting, retries
honouring `retry-after`, the circuit breaker and usage/cost accounting.

The SDK's own retries are switched off (`max_retries=0`) so that every wait goes through
the injected `sleep` on the run's clock and every failed attempt reaches the breaker.
`anthropic` and `httpx2` are imported only when a client is built (they cost seconds).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Mapping
from datetime import timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from pydantic import Field

from charter.protocols import CharterError, Clock, StrictModel

from .budget import AIBudgetExceeded, AIBudgets, BudgetGuard
from .keys import ApiKey
from .limits import BreakerState, CircuitBreaker, RateLimiter, RateLimits, Sleep
from .prices import PriceTable, TokenCounts
from .usage import UsageLedger, UsageRecord

if TYPE_CHECKING:
    import anthropic
    import httpx2
    from anthropic.types import Message as SdkMessage


class AIUnavailable(CharterError):
    """The API kept failing (after retries) or the circuit is open: fall back."""


class CircuitOpen(AIUnavailable):
    """The circuit breaker is open: no call was sent."""


class AIRequestRejected(CharterError):
    """The API refused the request itself (400, 401, 403, 404, 413): retrying cannot help."""


class AIConfig(StrictModel):
    """Run-level settings of the AI layer (all have safe defaults)."""

    requests_per_minute: int = Field(default=50, ge=1)
    tokens_per_minute: int = Field(default=40_000, ge=1)
    max_retries: int = Field(default=3, ge=0)
    backoff_seconds: float = Field(default=1.0, ge=0)  # first wait when no retry-after
    max_wait_seconds: float = Field(default=60.0, ge=0)  # a longer retry-after is not waited
    breaker_threshold: int = Field(default=5, ge=1)
    breaker_cooldown: timedelta = timedelta(minutes=1)
    budgets: AIBudgets = Field(default_factory=AIBudgets)
    timeout_seconds: float = Field(default=120.0, gt=0)


def estimate_tokens(request: Mapping[str, Any]) -> int:
    """A cheap upper-ish estimate of a request's input tokens (about 4 characters each);
    used for rate limiting and the budget pre-check, never for billing."""
    text = json.dumps(
        {k: request[k] for k in ("system", "messages", "tools") if k in request},
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return len(text) // 4 + 1


def _check_reply(message: Any, max_tokens: int) -> None:
    """Raise ValueError unless `message` is a message with content blocks and token counts
    the request allows: output beyond `max_tokens` cannot be a real reply to it, and
    billing it would charge a budget for what was never asked (it is retried instead)."""
    if not isinstance(getattr(message, "content", None), list):
        raise ValueError("the reply has no content blocks")
    usage = getattr(message, "usage", None)
    counts = (getattr(usage, "input_tokens", None), getattr(usage, "output_tokens", None))
    if not all(isinstance(count, int) and count >= 0 for count in counts):
        raise ValueError("the reply has no token counts")
    output = int(counts[1] or 0)
    if max_tokens > 0 and output > max_tokens:
        raise ValueError(
            f"the reply bills {output} output tokens; the request allowed {max_tokens}"
        )


def _retry_after(headers: Mapping[str, str], clock: Clock) -> float | None:
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - clock.now()).total_seconds())


def _failure_class(status: int) -> tuple[str, bool]:
    """A short name for a failed status, and whether it is worth retrying."""
    if status == 429:
        return "rate_limited (429)", True
    if status == 529:
        return "overloaded (529)", True
    if status >= 500:
        return f"server_error ({status})", True
    return f"rejected ({status})", False


_EXTRA_BODY = ("temperature", "top_p", "top_k")


def _sdk_params(request: Mapping[str, Any]) -> dict[str, Any]:
    # Sampling settings the SDK no longer takes as arguments still go in the JSON body.
    params = {k: v for k, v in request.items() if k not in _EXTRA_BODY}
    extra = {k: request[k] for k in _EXTRA_BODY if k in request and request[k] is not None}
    if extra:
        params["extra_body"] = extra
    return params


def _cassette_miss(error: BaseException) -> BaseException | None:
    # A replay transport's loud failure must not be mistaken for a flaky connection.
    from .cassette import CassetteMiss

    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, CassetteMiss):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


class AIClient:
    """One API key's client, shared by every ClaudeBrain of a run: the rate limiter,
    breaker and budgets are per key, not per agent."""

    def __init__(
        self,
        *,
        key: ApiKey | None,
        clock: Clock,
        config: AIConfig | None = None,
        prices: PriceTable | None = None,
        sleep: Sleep | None = None,
        transport: httpx2.BaseTransport | None = None,
        base_url: str | None = None,
        scenario: str | None = None,
        seed: int = 0,
        ledger: UsageLedger | None = None,
    ) -> None:
        self.config = config or AIConfig()
        self.clock = clock
        self.prices = prices or PriceTable.load()
        self.ledger = ledger or UsageLedger()
        self.scenario = scenario
        self._key = key
        self._key_label = key.label if key is not None else "none"
        self._sleep: Sleep = sleep or time.sleep
        self._rng = random.Random(seed)
        self.limiter = RateLimiter(
            RateLimits(self.config.requests_per_minute, self.config.tokens_per_minute),
            clock,
            self._sleep,
        )
        self.breaker = CircuitBreaker(
            clock, threshold=self.config.breaker_threshold, cooldown=self.config.breaker_cooldown
        )
        self.guard = BudgetGuard(self.config.budgets, self.ledger, self.prices)
        self._transport = transport
        self._base_url = base_url
        self._sdk: anthropic.Anthropic | None = None
        self.http_requests = 0  # attempts actually sent (tests and benchmarks read it)

    def __repr__(self) -> str:
        return f"AIClient(key={self._key_label!r}, scenario={self.scenario!r})"

    def rotate_key(self, key: ApiKey) -> None:
        """Use a new key from the next call on (key rotation); budgets, ledger and breaker
        carry over, the SDK client is rebuilt."""
        self._key = key
        self._key_label = key.label
        if self._sdk is not None:
            self._sdk.close()
        self._sdk = None

    def _client(self) -> anthropic.Anthropic:
        if self._sdk is None:
            import anthropic
            import httpx2

            from .deadline import DeadlineTransport

            # timeout_seconds bounds the whole exchange, not each read (a trickling server).
            inner = self._transport if self._transport is not None else httpx2.HTTPTransport()
            http = httpx2.Client(
                transport=DeadlineTransport(inner, self.config.timeout_seconds),
                timeout=self.config.timeout_seconds,
            )
            # Replay needs no key: the cassette never holds one and no request leaves.
            secret = self._key.reveal() if self._key is not None else "no-key-offline"
            self._sdk = anthropic.Anthropic(
                api_key=secret,
                max_retries=0,
                http_client=http,
                base_url=self._base_url,
                timeout=self.config.timeout_seconds,
            )
        return self._sdk

    def _record(self, record: UsageRecord) -> UsageRecord:
        self.ledger.add(record)
        return record

    def _refusal(
        self, agent: str, model: str, error: str, budget: tuple[str, float, float] | None = None
    ) -> UsageRecord:
        return self._record(
            UsageRecord(
                agent=agent,
                model=model,
                at=self.clock.now(),
                ok=False,
                error=error,
                scenario=self.scenario,
                attempts=0,
                budget=budget,
            )
        )

    def create(self, *, agent: str, request: dict[str, Any]) -> tuple[SdkMessage, UsageRecord]:
        """Send one Messages API request for `agent`. Raises `BudgetExceeded` (nothing
        sent), `CircuitOpen`, `AIUnavailable` (retries exhausted), `AIRequestRejected`,
        or a replay `CassetteMiss`. Every outcome is in the ledger."""
        import anthropic

        model = str(request["model"])
        estimate = estimate_tokens(request)
        try:
            self.guard.check(
                agent=agent,
                model=model,
                input_tokens=estimate,
                max_tokens=int(request.get("max_tokens", 0)),
                now=self.clock.now(),
            )
        except AIBudgetExceeded as error:
            self._refusal(agent, model, "budget", (error.budget, error.limit, error.used))
            raise
        waited = 0.0
        failure = "unknown"
        for attempt in range(self.config.max_retries + 1):
            if not self.breaker.allow():
                self._refusal(agent, model, "circuit_open")
                raise CircuitOpen(f"AI API circuit open for {self._key_label} ({failure})")
            waited += self.limiter.acquire(self._key_label, model, estimate)
            self.http_requests += 1
            hint: float | None = None
            try:
                message = self._client().messages.create(**_sdk_params(request))
                _check_reply(message, int(request.get("max_tokens", 0)))
            except anthropic.APIStatusError as error:
                failure, retryable = _failure_class(error.status_code)
                if not retryable:
                    self._record(self._failure(agent, model, failure, attempt, waited))
                    raise AIRequestRejected(f"AI API {failure}") from None
                hint = _retry_after(error.response.headers, self.clock)
            except anthropic.APIConnectionError as error:
                miss = _cassette_miss(error)
                if miss is not None:
                    raise miss from None
                failure = "connection_error"
            except (ValueError, TypeError, AttributeError, anthropic.APIResponseValidationError):
                # A 200 whose body is not a message (not JSON, HTML from a proxy, no usage,
                # no content): a fault of the line like a 5xx, retried, then given up on.
                failure = "malformed_reply"
            else:
                self.breaker.record_success()
                return message, self._record(self._success(agent, model, message, attempt, waited))
            self.breaker.record_failure()
            if attempt == self.config.max_retries or self.breaker.state is BreakerState.OPEN:
                break
            wait = (
                hint
                if hint is not None
                else (self.config.backoff_seconds * 2**attempt * (0.5 + self._rng.random() / 2))
            )
            if wait > self.config.max_wait_seconds:
                break
            self._sleep(wait)
            waited += wait
        self._record(self._failure(agent, model, failure, attempt, waited))
        raise AIUnavailable(f"AI API unavailable after {attempt + 1} attempt(s): {failure}")

    def _failure(
        self, agent: str, model: str, failure: str, attempt: int, waited: float
    ) -> UsageRecord:
        return UsageRecord(
            agent=agent,
            model=model,
            at=self.clock.now(),
            ok=False,
            error=failure,
            scenario=self.scenario,
            attempts=attempt + 1,
            waited_seconds=waited,
        )

    def _success(
        self, agent: str, model: str, message: SdkMessage, attempt: int, waited: float
    ) -> UsageRecord:
        usage = message.usage
        counts = TokenCounts(
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_read_tokens=usage.cache_read_input_tokens or 0,
            cache_write_tokens=usage.cache_creation_input_tokens or 0,
        )
        return UsageRecord(
            agent=agent,
            model=model,
            at=self.clock.now(),
            counts=counts,
            cost_usd=self.prices.cost(model, counts),
            scenario=self.scenario,
            attempts=attempt + 1,
            waited_seconds=waited,
        )


__all__ = [
    "AIClient",
    "AIConfig",
    "AIRequestRejected",
    "AIUnavailable",
    "CircuitOpen",
    "estimate_tokens",
]
