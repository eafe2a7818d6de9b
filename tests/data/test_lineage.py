"""Lineage graph, impact analysis, OpenLineage and Mermaid export."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from charter.agents.data.lineage import (
    build_graph,
    impact,
    load_pipelines,
    parse_pipelines,
    to_mermaid,
    to_openlineage,
)
from charter.protocols import ConfigError

SPEC = {
    "namespace": "shop",
    "pipelines": [
        {"name": "load_orders", "inputs": ["raw.orders"], "outputs": ["staging.orders"]},
        {"name": "load_customers", "inputs": ["raw.customers"], "outputs": ["staging.customers"]},
        {
            "name": "build_facts",
            "inputs": ["staging.orders", "staging.customers"],
            "outputs": ["mart.order_facts"],
        },
        {"name": "daily_report", "inputs": ["mart.order_facts"], "outputs": ["report.daily"]},
        {"name": "churn_model", "inputs": ["staging.customers"], "outputs": ["ml.churn"]},
    ],
}


def test_impact_of_a_broken_table_is_everything_downstream_only() -> None:
    graph = build_graph(parse_pipelines(SPEC))
    hit = impact(graph, "staging.orders")
    assert hit.kind == "dataset"
    assert hit.jobs == ["build_facts", "daily_report"]
    assert hit.datasets == ["mart.order_facts", "report.daily"]
    assert hit.upstream == ["raw.orders"]
    # The customer branch is not affected by orders breaking.
    assert "churn_model" not in hit.jobs and "ml.churn" not in hit.datasets
    wide = impact(graph, "raw.customers")
    assert set(wide.jobs) == {"load_customers", "build_facts", "daily_report", "churn_model"}
    job = impact(graph, "load_orders")
    assert job.kind == "job" and job.datasets[0] == "staging.orders"


def test_unknown_name_and_cycles_are_config_errors(tmp_path: Path) -> None:
    graph = build_graph(parse_pipelines(SPEC))
    with pytest.raises(ConfigError, match="no dataset or job named 'nope'"):
        impact(graph, "nope")
    cyclic = {
        "pipelines": [
            {"name": "a", "inputs": ["x"], "outputs": ["y"]},
            {"name": "b", "inputs": ["y"], "outputs": ["x"]},
        ]
    }
    with pytest.raises(ConfigError, match="cycle"):
        build_graph(parse_pipelines(cyclic))
    bad = tmp_path / "p.yaml"
    bad.write_text("pipelines:\n  - name: a\n    inptus: [x]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"p\.yaml: pipelines\.0\.inptus"):
        load_pipelines(bad)


def test_openlineage_events_follow_the_client_types() -> None:
    graph = build_graph(parse_pipelines(SPEC))
    at = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    events = to_openlineage(graph, event_time=at, failed_jobs=["load_orders"])
    assert len(events) == 5
    by_job = {e["job"]["name"]: e for e in events}
    facts = by_job["build_facts"]
    assert facts["eventType"] == "COMPLETE"
    assert by_job["load_orders"]["eventType"] == "FAIL"
    assert [d["name"] for d in facts["inputs"]] == ["staging.customers", "staging.orders"]
    assert [(d["namespace"], d["name"]) for d in facts["outputs"]] == [("shop", "mart.order_facts")]
    assert facts["job"]["namespace"] == "shop" and facts["eventTime"].startswith("2026-03-02T01:00")
    # Jobs come in run order and ids are stable for the same graph and time.
    order = [e["job"]["name"] for e in events]
    assert order.index("load_orders") < order.index("build_facts") < order.index("daily_report")
    assert to_openlineage(graph, event_time=at, failed_jobs=["load_orders"]) == events
    from openlineage.client.event_v2 import RunEvent  # noqa: F401 - the types exist

    assert events[0]["schemaURL"].endswith("RunEvent")


def test_mermaid_has_every_node_and_edge_and_highlights_impact() -> None:
    graph = build_graph(parse_pipelines(SPEC))
    text = to_mermaid(graph, highlight=impact(graph, "staging.orders").datasets)
    assert text.startswith("flowchart LR\n")
    assert text.count("-->") == graph.number_of_edges() == 11
    assert '[("mart.order_facts")]' in text and '["build_facts"]' in text
    assert "class " in text and "impacted" in text
