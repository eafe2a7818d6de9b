"""The Data agent's scorecard: its charter's success metrics judged on a run's events.

Targets come from the charter (`success_metrics`); nothing here knows a number. Values:

1. **Reported figures.** Any `ToolUsed.result` or `ReportFiled.report.metrics` entry whose
   key is a metric key (`query_p95_ms`, `recovery_time_minutes`, ...) is an observation.
   The data tools put their figures under those keys (see `figures()` on their results).
2. **Derived figures**, used only when a metric has no reported figure:
   * `api_availability`: share of `AIUsage` events with `ok`;
   * `cost_growth_mom`: AI cost of the last calendar month over the one before, minus 1
     (needs two months of `AIUsage`);
   * `pipeline_success_rate`, `migration_success_rate`, `validation_pass_rate`: share of
     successful `ToolUsed` events whose tool name contains `pipeline`, `migration`,
     `quality` respectively;
   * `backup_failure_rate`: share of failed `ToolUsed` events whose tool contains `backup`.

A metric is judged on its **worst** observation (the largest for "<" targets, the smallest
for ">" ones): "p95 under 100 ms" holds for the run only if it held every time it was
measured. A metric with no observation is "no data", neither pass nor fail.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Literal

from pydantic import Field

from charter.protocols import Event, StrictModel, SuccessMetric
from charter.protocols import events as ev

Status = Literal["pass", "fail", "no data"]


class ScoreLine(StrictModel):
    key: str
    name: str
    comparison: str
    target: float
    unit: str = ""
    value: float | None
    status: Status
    observations: int = 0
    source: str = ""  # "reported", "derived:<how>" or ""


class Scorecard(StrictModel):
    lines: list[ScoreLine] = Field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(1 for line in self.lines if line.status == "pass")

    @property
    def failed(self) -> int:
        return sum(1 for line in self.lines if line.status == "fail")

    @property
    def no_data(self) -> int:
        return sum(1 for line in self.lines if line.status == "no data")

    def line(self, key: str) -> ScoreLine:
        return next(line for line in self.lines if line.key == key)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _reported(events: Sequence[Event], keys: set[str]) -> dict[str, list[float]]:
    found: dict[str, list[float]] = defaultdict(list)
    for event in events:
        if isinstance(event, ev.ToolUsed):
            values: dict[str, object] = dict(event.result)
        elif isinstance(event, ev.ReportFiled):
            values = dict(event.report.metrics)
        else:
            continue
        for key in keys & values.keys():
            number = _number(values[key])
            if number is not None:
                found[key].append(number)
    return found


def _tool_share(events: Sequence[Event], word: str, *, failures: bool = False) -> float | None:
    uses = [e for e in events if isinstance(e, ev.ToolUsed) and word in e.tool]
    if not uses:
        return None
    good = sum(1 for e in uses if e.ok)
    share = good / len(uses)
    return 1.0 - share if failures else share


def _availability(events: Sequence[Event]) -> float | None:
    calls = [e for e in events if isinstance(e, ev.AIUsage)]
    return sum(1 for e in calls if e.ok) / len(calls) if calls else None


def _cost_growth(events: Sequence[Event]) -> float | None:
    monthly: dict[tuple[int, int], float] = defaultdict(float)
    for event in events:
        if isinstance(event, ev.AIUsage):
            monthly[(event.at.year, event.at.month)] += event.cost_usd
    if len(monthly) < 2:
        return None
    months = sorted(monthly)
    previous, last = monthly[months[-2]], monthly[months[-1]]
    if previous <= 0:
        return None
    return last / previous - 1.0


_DERIVED: dict[str, tuple[str, Callable[[Sequence[Event]], float | None]]] = {
    "api_availability": ("derived:ai_usage ok share", _availability),
    "cost_growth_mom": ("derived:ai cost month over month", _cost_growth),
    "pipeline_success_rate": (
        "derived:pipeline tool ok share",
        lambda e: _tool_share(e, "pipeline"),
    ),
    "migration_success_rate": (
        "derived:migration tool ok share",
        lambda e: _tool_share(e, "migration"),
    ),
    "validation_pass_rate": ("derived:quality tool ok share", lambda e: _tool_share(e, "quality")),
    "backup_failure_rate": (
        "derived:backup tool failure share",
        lambda e: _tool_share(e, "backup", failures=True),
    ),
}


def _worst(metric: SuccessMetric, values: list[float]) -> float:
    return max(values) if metric.comparison in ("<", "<=") else min(values)


def compute_scorecard(events: Iterable[Event], metrics: Sequence[SuccessMetric]) -> Scorecard:
    """Judge each success metric on the run's events (see the module docstring)."""
    history = list(events)
    reported = _reported(history, {m.key for m in metrics})
    card = Scorecard()
    for metric in metrics:
        values = reported.get(metric.key, [])
        source = "reported" if values else ""
        if not values and metric.key in _DERIVED:
            how, derive = _DERIVED[metric.key]
            derived = derive(history)
            if derived is not None:
                values, source = [derived], how
        value = _worst(metric, values) if values else None
        status: Status = (
            "no data" if value is None else ("pass" if metric.met_by(value) else "fail")
        )
        card.lines.append(
            ScoreLine(
                key=metric.key,
                name=metric.name,
                comparison=metric.comparison,
                target=metric.target,
                unit=metric.unit,
                value=None if value is None else round(value, 6),
                status=status,
                observations=len(values),
                source=source,
            )
        )
    return card


def render_scorecard(card: Scorecard) -> str:
    """Plain text, one metric a line (the CLI and reports print this)."""
    lines = []
    for line in card.lines:
        shown = (
            "-" if line.value is None else f"{line.value:g}{(' ' + line.unit) if line.unit else ''}"
        )
        target = f"{line.comparison} {line.target:g}{(' ' + line.unit) if line.unit else ''}"
        lines.append(f"{line.status.upper():8s} {line.name:34s} {shown:>14s}  target {target}")
    lines.append(f"{card.passed} pass, {card.failed} fail, {card.no_data} no data")
    return "\n".join(lines)


__all__ = ["ScoreLine", "Scorecard", "Status", "compute_scorecard", "render_scorecard"]
