"""AI API management: the key, rate limits, budgets, retries, the circuit breaker, cost
accounting, and record/replay. Every Claude call goes through `AIClient`.

`anthropic` and `httpx2` load only when a client sends its first request (or when
`charter.agents.ai.cassette` / `.mock` are imported)."""

from .budget import AIBudgetExceeded, AIBudgets, BudgetGuard, BudgetLimit
from .client import (
    AIClient,
    AIConfig,
    AIRequestRejected,
    AIUnavailable,
    CircuitOpen,
    estimate_tokens,
)
from .keys import ENV_VAR, ApiKey, load_api_key
from .limits import (
    BreakerState,
    CircuitBreaker,
    FollowClock,
    RateLimiter,
    RateLimits,
    Sleep,
    TokenBucket,
)
from .prices import ModelPrice, PriceTable, TokenCounts
from .usage import UsageLedger, UsageRecord, UsageTotals, totals_from_events

__all__ = [
    "ENV_VAR",
    "AIBudgetExceeded",
    "AIBudgets",
    "AIClient",
    "AIConfig",
    "AIRequestRejected",
    "AIUnavailable",
    "ApiKey",
    "BreakerState",
    "BudgetGuard",
    "BudgetLimit",
    "CircuitBreaker",
    "CircuitOpen",
    "FollowClock",
    "ModelPrice",
    "PriceTable",
    "RateLimiter",
    "RateLimits",
    "Sleep",
    "TokenBucket",
    "TokenCounts",
    "UsageLedger",
    "UsageRecord",
    "UsageTotals",
    "estimate_tokens",
    "load_api_key",
    "totals_from_events",
]
