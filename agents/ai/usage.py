"""Usage records and cost accounting: what every AI call used and cost, per agent, model
and scenario. The graph turns each record into an `AIUsage` run event."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from charter.protocols.events import AIUsage, BudgetExhausted

from .prices import TokenCounts


@dataclass(frozen=True)
class UsageRecord:
    """One API call (successful or not). `error` is a short class of failure
    ("rate_limited (429)", "overloaded (529)", "budget", "circuit_open"), never a payload."""

    agent: str
    model: str
    at: datetime
    counts: TokenCounts = field(default_factory=TokenCounts)
    cost_usd: float = 0.0
    ok: bool = True
    error: str | None = None
    scenario: str | None = None
    attempts: int = 1
    waited_seconds: float = 0.0
    # For a budget refusal: which budget, its limit and what was used (else None).
    budget: tuple[str, float, float] | None = None

    def to_event(
        self, event_id: str, *, task_id: str | None = None, correlation_id: str | None = None
    ) -> AIUsage | BudgetExhausted:
        """The run event for this record: `BudgetExhausted` for a budget refusal (a budget
        stop is not an API failure, so it must not count against API availability),
        `AIUsage` for everything else."""
        if self.budget is not None:
            name, limit, used = self.budget
            return BudgetExhausted(
                id=event_id,
                at=self.at,
                agent=self.agent,
                task_id=task_id,
                correlation_id=correlation_id,
                budget=name,
                limit=limit,
                used=used,
            )
        return AIUsage(
            id=event_id,
            at=self.at,
            agent=self.agent,
            task_id=task_id,
            correlation_id=correlation_id,
            model=self.model,
            input_tokens=self.counts.input_tokens,
            output_tokens=self.counts.output_tokens,
            cache_read_tokens=self.counts.cache_read_tokens,
            cache_write_tokens=self.counts.cache_write_tokens,
            cost_usd=round(self.cost_usd, 8),
            ok=self.ok,
            error=self.error,
        )


@dataclass
class UsageTotals:
    calls: int = 0
    errors: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    cost_usd: float = 0.0

    @property
    def tokens(self) -> int:
        return (
            self.input_tokens
            + self.output_tokens
            + self.cache_read_tokens
            + self.cache_write_tokens
        )

    def add(
        self,
        *,
        input_tokens: int,
        output_tokens: int,
        cache_read_tokens: int,
        cache_write_tokens: int,
        cost_usd: float,
        ok: bool,
    ) -> None:
        self.calls += 1
        self.errors += 0 if ok else 1
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens
        self.cache_read_tokens += cache_read_tokens
        self.cache_write_tokens += cache_write_tokens
        self.cost_usd += cost_usd

    def add_record(self, record: UsageRecord) -> None:
        c = record.counts
        self.add(
            input_tokens=c.input_tokens,
            output_tokens=c.output_tokens,
            cache_read_tokens=c.cache_read_tokens,
            cache_write_tokens=c.cache_write_tokens,
            cost_usd=record.cost_usd,
            ok=record.ok,
        )


class UsageLedger:
    """Running totals for the whole run, per agent, per (agent, model), per scenario and
    per UTC day. Budgets read it before each call."""

    def __init__(self) -> None:
        self.records: list[UsageRecord] = []
        self.run = UsageTotals()
        self.by_agent: dict[str, UsageTotals] = defaultdict(UsageTotals)
        self.by_agent_model: dict[tuple[str, str], UsageTotals] = defaultdict(UsageTotals)
        self.by_scenario: dict[str, UsageTotals] = defaultdict(UsageTotals)
        self.by_day: dict[date, UsageTotals] = defaultdict(UsageTotals)

    def add(self, record: UsageRecord) -> None:
        self.records.append(record)
        for totals in (
            self.run,
            self.by_agent[record.agent],
            self.by_agent_model[(record.agent, record.model)],
            self.by_scenario[record.scenario or "-"],
            self.by_day[record.at.date()],
        ):
            totals.add_record(record)

    @classmethod
    def from_events(cls, events: Iterable[AIUsage]) -> UsageLedger:
        """A ledger that already holds earlier calls (e.g. today's `ai_usage` events of
        other runs), so per-day budgets span runs; they count toward per-agent and per-run
        totals too, so pass only what should."""
        ledger = cls()
        for event in events:
            ledger.add(
                UsageRecord(
                    agent=event.agent or "-",
                    model=event.model,
                    at=event.at,
                    ok=event.ok,
                    error=event.error,
                    cost_usd=event.cost_usd,
                    counts=TokenCounts(
                        input_tokens=event.input_tokens,
                        output_tokens=event.output_tokens,
                        cache_read_tokens=event.cache_read_tokens,
                        cache_write_tokens=event.cache_write_tokens,
                    ),
                )
            )
        return ledger

    def day(self, when: datetime) -> UsageTotals:
        return self.by_day.get(when.date(), UsageTotals())

    def agent(self, agent: str) -> UsageTotals:
        return self.by_agent.get(agent, UsageTotals())


def totals_from_events(events: list[AIUsage]) -> dict[tuple[str, str], UsageTotals]:
    """Per (agent, model) totals rebuilt from a run's `ai_usage` events."""
    out: dict[tuple[str, str], UsageTotals] = defaultdict(UsageTotals)
    for event in events:
        out[(event.agent or "-", event.model)].add(
            input_tokens=event.input_tokens,
            output_tokens=event.output_tokens,
            cache_read_tokens=event.cache_read_tokens,
            cache_write_tokens=event.cache_write_tokens,
            cost_usd=event.cost_usd,
            ok=event.ok,
        )
    return dict(out)


__all__ = ["UsageLedger", "UsageRecord", "UsageTotals", "totals_from_events"]
