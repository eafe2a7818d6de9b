"""Hard AI budgets per agent, per run and per UTC day, in tokens and dollars.

Checked before every call against the worst case of that call (its estimated input plus
`max_tokens` of output, priced at the uncached input rate): if the worst case could cross
any limit the call is refused with `BudgetExceeded` and nothing is sent. Failing closed
means a budget is never overrun, at the price of refusing a call that might have fitted.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from charter.protocols import BudgetExceeded, StrictModel

from .prices import PriceTable, TokenCounts
from .usage import UsageLedger, UsageTotals


class BudgetLimit(StrictModel):
    """A ceiling in tokens and/or dollars; None means unlimited on that axis."""

    tokens: int | None = Field(default=None, ge=0)
    usd: float | None = Field(default=None, ge=0)


class AIBudgets(StrictModel):
    """`per_agent` applies to every agent unless `agents` names a role's own limit."""

    per_agent: BudgetLimit = Field(default_factory=BudgetLimit)
    agents: dict[str, BudgetLimit] = Field(default_factory=dict)
    per_run: BudgetLimit = Field(default_factory=BudgetLimit)
    per_day: BudgetLimit = Field(default_factory=BudgetLimit)

    def for_agent(self, agent: str) -> BudgetLimit:
        return self.agents.get(agent, self.per_agent)


class AIBudgetExceeded(BudgetExceeded):
    """A call refused by a budget: which one (`budget`, e.g. "ai_tokens (run)"), its limit,
    what was used, and the worst case of the refused call."""

    def __init__(self, message: str, *, budget: str, limit: float, used: float) -> None:
        super().__init__(message)
        self.budget = budget
        self.limit = limit
        self.used = used


def _check(scope: str, limit: BudgetLimit, used: UsageTotals, tokens: int, usd: float) -> None:
    if limit.tokens is not None and used.tokens + tokens > limit.tokens:
        raise AIBudgetExceeded(
            f"AI budget {scope}: {used.tokens} of {limit.tokens} tokens used; "
            f"this call could use {tokens} more",
            budget=f"ai_tokens ({scope})",
            limit=limit.tokens,
            used=used.tokens,
        )
    if limit.usd is not None and used.cost_usd + usd > limit.usd + 1e-12:
        raise AIBudgetExceeded(
            f"AI budget {scope}: ${used.cost_usd:.6f} of ${limit.usd:.6f} spent; "
            f"this call could cost ${usd:.6f} more",
            budget=f"ai_usd ({scope})",
            limit=limit.usd,
            used=round(used.cost_usd, 8),
        )


class BudgetGuard:
    """Checks a planned call against every budget that applies to it."""

    def __init__(self, budgets: AIBudgets, ledger: UsageLedger, prices: PriceTable) -> None:
        self.budgets = budgets
        self.ledger = ledger
        self.prices = prices

    def worst_case(self, model: str, input_tokens: int, max_tokens: int) -> tuple[int, float]:
        counts = TokenCounts(input_tokens=input_tokens, output_tokens=max_tokens)
        return counts.total, self.prices.cost(model, counts)

    def check(
        self, *, agent: str, model: str, input_tokens: int, max_tokens: int, now: datetime
    ) -> None:
        """Raise `BudgetExceeded` (naming the budget) if this call could cross a limit."""
        tokens, usd = self.worst_case(model, input_tokens, max_tokens)
        _check(
            f"for agent {agent!r}",
            self.budgets.for_agent(agent),
            self.ledger.agent(agent),
            tokens,
            usd,
        )
        _check("for the run", self.budgets.per_run, self.ledger.run, tokens, usd)
        _check(
            f"for {now.date().isoformat()}", self.budgets.per_day, self.ledger.day(now), tokens, usd
        )


__all__ = ["AIBudgetExceeded", "AIBudgets", "BudgetGuard", "BudgetLimit"]
