"""Scorecard: the Data charter's success metrics judged on a run's events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib import resources

import yaml

from charter.agents.data.scorecard import compute_scorecard, render_scorecard
from charter.protocols import AgentReport, SuccessMetric
from charter.protocols import events as ev

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _metrics() -> list[SuccessMetric]:
    text = resources.files("charter.agents").joinpath("charters/data.yaml").read_text("utf-8")
    return [SuccessMetric.model_validate(m) for m in yaml.safe_load(text)["success_metrics"]]


def _tool(n: int, tool: str, ok: bool = True, **result: object) -> ev.ToolUsed:
    return ev.ToolUsed(
        id=f"t{n}",
        at=T0 + timedelta(minutes=n),
        agent="data",
        tool=tool,
        ok=ok,
        result=dict(result),
    )


def _ai(n: int, at: datetime, cost: float, ok: bool = True) -> ev.AIUsage:
    return ev.AIUsage(id=f"a{n}", at=at, agent="data", model="m", cost_usd=cost, ok=ok)


def test_every_charter_metric_is_judged_against_the_charter_target() -> None:
    metrics = _metrics()
    assert len(metrics) == 10
    events = [
        _tool(1, "query_performance", query_p95_ms=42.0),
        _tool(2, "query_performance", query_p95_ms=130.0),  # one slow measurement fails it
        _tool(3, "restore", recovery_time_minutes=0.5),
        _tool(4, "backup"),
        _tool(5, "migration_check", migration_success_rate=1.0),
        ev.ReportFiled(
            id="r1",
            at=T0,
            agent="data",
            report=AgentReport(
                status="success", metrics={"validation_pass_rate": 0.995, "schemas_documented": 0.8}
            ),
        ),
        *[_ai(i, T0 - timedelta(days=30) + timedelta(minutes=i), 1.0) for i in range(10)],
        *[_ai(100 + i, T0 + timedelta(minutes=i), 1.05) for i in range(10)],
    ]
    card = compute_scorecard(events, metrics)
    status = {line.key: line.status for line in card.lines}
    assert status == {
        "query_p95_ms": "fail",
        "pipeline_success_rate": "no data",
        "validation_pass_rate": "pass",
        "api_availability": "pass",
        "cost_growth_mom": "pass",
        "migration_success_rate": "pass",
        "backup_failure_rate": "pass",
        "recovery_time_minutes": "pass",
        "compliance_score": "no data",
        "schemas_documented": "fail",
    }
    assert card.line("query_p95_ms").value == 130.0 and card.line("query_p95_ms").observations == 2
    assert card.line("cost_growth_mom").value == 0.05
    assert card.line("api_availability").source.startswith("derived")
    assert (card.passed, card.failed, card.no_data) == (6, 2, 2)
    text = render_scorecard(card)
    assert "FAIL" in text and "6 pass, 2 fail, 2 no data" in text


def test_targets_come_from_the_metrics_argument_not_the_code() -> None:
    events = [_tool(1, "query_performance", query_p95_ms=130.0)]
    strict = [SuccessMetric(key="query_p95_ms", name="p95", comparison="<", target=100)]
    loose = [SuccessMetric(key="query_p95_ms", name="p95", comparison="<", target=200)]
    assert compute_scorecard(events, strict).lines[0].status == "fail"
    assert compute_scorecard(events, loose).lines[0].status == "pass"


def test_derived_rates_from_tool_outcomes_and_ai_failures() -> None:
    metrics = [
        m
        for m in _metrics()
        if m.key in {"backup_failure_rate", "pipeline_success_rate", "api_availability"}
    ]
    events = [
        *[_tool(i, "backup", ok=i != 3) for i in range(10)],
        *[_tool(20 + i, "run_pipeline") for i in range(200)],
        _tool(300, "run_pipeline", ok=False),
        *[_ai(i, T0, 0.1, ok=i % 100 != 0) for i in range(1000)],
    ]
    card = compute_scorecard(events, metrics)
    assert (
        card.line("backup_failure_rate").value == 0.1
        and card.line("backup_failure_rate").status == "fail"
    )
    assert card.line("pipeline_success_rate").status == "pass"  # 200/201 > 0.99
    assert (
        card.line("api_availability").value == 0.99
        and card.line("api_availability").status == "fail"
    )
    assert compute_scorecard([], metrics).no_data == 3
