"""Each shipped role's exclusive and forbidden patterns on a table of paths.

Every row names the one role that may write the path (None: nobody may) and the rule the
Data agent's decision comes from. A row fails if any role's verdict differs.
"""

from __future__ import annotations

import pytest

from charter.graph.authority import AuthorityEngine
from charter.protocols import Team

# (path, the only role allowed to write it or None, rule of the data role's decision)
CASES: list[tuple[str, str | None, str]] = [
    # the Data agent's 13 exclusive patterns, at several depths
    ("data/orders.csv", "data", "exclusive_owner"),
    ("a/b/data/x.py", "data", "exclusive_owner"),  # Data, not Engineer's **/*.py
    ("src/data/loader.py", "data", "exclusive_owner"),  # **/data/ beats src/**
    ("analytics/revenue.py", "data", "exclusive_owner"),
    ("services/analytics/kpi.sql", "data", "exclusive_owner"),
    ("etl/load_orders.py", "data", "precedence"),  # tie with Integration's **/etl/
    ("src/etl/load_orders.py", "data", "precedence"),
    ("migrations/0007_add_index.sql", "data", "exclusive_owner"),
    ("app/db/migrations/0001_init.py", "data", "exclusive_owner"),
    ("queries/top_customers.sql", "data", "exclusive_owner"),
    ("reports/daily.yml", "data", "exclusive_owner"),
    ("reports/summary.html", "data", "exclusive_owner"),  # html allowed: data viz exception
    ("data-models/order.yaml", "data", "exclusive_owner"),
    ("data-governance/classification.yaml", "data", "exclusive_owner"),
    ("platform/data-mesh/contracts.yaml", "data", "exclusive_owner"),
    ("monitoring/pipeline_alerts.yml", "data", "precedence"),  # tie with Ops
    ("services/monitoring/freshness.yml", "data", "precedence"),
    ("ml-models/churn/model.yaml", "data", "exclusive_owner"),
    ("docker-compose.data.yml", "data", "exclusive_owner"),
    ("sub/docker-compose.data.yml", "data", "exclusive_owner"),  # no slash: any depth
    (".github/workflows/nightly-data.yml", "data", "exclusive_owner"),
    (".github/workflows/data.yml", "data", "exclusive_owner"),
    ("tests/data/fixture.json", "data", "exclusive_owner"),  # deeper folder wins
    ("docs/data/lineage.md", "data", "exclusive_owner"),
    # near misses of the Data patterns
    ("metadata/x.py", "engineer", "owned_by_other"),
    ("database.py", "engineer", "owned_by_other"),
    ("src/datasets/x.py", "engineer", "owned_by_other"),
    ("data", None, "unowned"),  # a *file* named data is not under **/data/
    ("src/data", "engineer", "owned_by_other"),  # a file: src/** owns it
    ("docker-compose.yml", "ops", "forbidden"),
    ("sub/docker-compose.yml", "ops", "forbidden"),
    (".github/workflows/ci.yml", "ops", "forbidden"),
    (".github/workflows/sub/nightly-data.yml", "ops", "forbidden"),  # * stops at /
    # forbidden areas of the Data agent (with exceptions)
    ("src/auth/data/x.py", "security", "forbidden"),  # forbidden area wins
    ("data/../auth/login.py", "security", "forbidden"),  # normalised first
    ("auth/login.py", "security", "forbidden"),
    ("src/authorization/policy.py", "security", "forbidden"),
    ("frontend/pages/home.tsx", "engineer", "forbidden"),
    ("frontend/data/store.py", "engineer", "forbidden"),  # data claim void there
    ("web/components/Button.jsx", "engineer", "forbidden"),
    # the exception allows: Data claims the visualisation folders it names (issue 13: the
    # Engineer's file-type claim used to own them, so the exception could allow nothing)
    ("src/components/charts/Revenue.tsx", "data", "exclusive_owner"),
    ("frontend/charts/revenue.tsx", "data", "exclusive_owner"),
    ("frontend/dashboards/sales.vue", "data", "exclusive_owner"),
    ("frontend/pages/login.tsx", "engineer", "forbidden"),
    ("payments/refund.py", "engineer", "forbidden"),
    ("src/billing/data/invoices.sql", "engineer", "forbidden"),  # void: src/** next
    ("src/core/pricing.py", "engineer", "forbidden"),
    ("src/core/data/pricing_history.py", "data", "exclusive_owner"),  # data-specific
    ("infra/terraform/main.tf", "ops", "forbidden"),
    ("infra/data/warehouse.tf", "data", "exclusive_owner"),  # data services
    ("infra/monitoring/alerts.yml", "ops", "owned_by_other"),  # deeper, 2 literals
    ("deploy/prod.yaml", "ops", "forbidden"),
    ("Dockerfile", "ops", "forbidden"),
    ("Dockerfile.data", "ops", "owned_by_other"),  # not forbidden, but Ops owns it
    # other roles
    ("src/app/service.py", "engineer", "owned_by_other"),
    ("lib/util.ts", "engineer", "owned_by_other"),
    ("tests/test_orders.py", "qa", "owned_by_other"),
    ("src/orders/tests/helpers.py", "qa", "owned_by_other"),
    ("src/orders/test_service.py", "qa", "owned_by_other"),
    ("docs/guide.md", "documentation", "owned_by_other"),
    ("README.md", "documentation", "owned_by_other"),
    ("docs/adr/0001-postgres.md", "architect", "owned_by_other"),
    ("adr/0002-kafka.md", "architect", "owned_by_other"),
    ("architecture/overview.md", "architect", "owned_by_other"),
    ("security/policy.yaml", "security", "owned_by_other"),
    ("config/secrets-policy.prod.yml", "security", "owned_by_other"),
    ("integrations/stripe/client.py", "integration", "owned_by_other"),
    ("src/connectors/crm.py", "integration", "owned_by_other"),
    ("project/roadmap.yaml", "pm", "owned_by_other"),
    ("project/tool.py", "engineer", "owned_by_other"),  # pm may write no code there
    ("k8s/deployment.yaml", "ops", "forbidden"),
    ("pyproject.toml", "engineer", "owned_by_other"),
    ("config/app.json", "engineer", "unowned"),  # shared: nobody owns it
    ("notes.txt", None, "unowned"),
    # case: sensitive by default
    ("DATA/x", None, "unowned"),
    ("src/Data/x.py", "engineer", "owned_by_other"),
]


def test_table_is_big_enough() -> None:
    assert len(CASES) >= 60
    assert len({path for path, _, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(("path", "writer", "data_rule"), CASES)
def test_who_may_write(
    engine: AuthorityEngine, team: Team, path: str, writer: str | None, data_rule: str
) -> None:
    allowed = sorted(role for role in team.roles if engine.allowed(role, path))
    assert allowed == ([writer] if writer else [])
    assert engine.verdict("data", path).rule == data_rule
    # the index-based fast path agrees with evaluating every pattern
    for role in team.roles:
        assert engine.verdict(role, path) == engine.reference_verdict(role, path)


def test_case_folding(folding_engine: AuthorityEngine, engine: AuthorityEngine) -> None:
    assert not engine.allowed("data", "DATA/x")
    assert folding_engine.allowed("data", "DATA/x")
    assert folding_engine.allowed("data", "src/Data/x.py")
    assert folding_engine.verdict("engineer", "src/Data/x.py").owner == "data"
    assert folding_engine.verdict("data", "Auth/Login.py").rule == "forbidden"
    assert folding_engine.allowed("data", "Docker-Compose.Data.yml")


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("", "empty path"),
        ("/etc/passwd", "absolute path"),
        ("C:/Windows/x.py", "absolute path"),
        ("../outside.py", "'..' leaves the workspace root"),
        ("data/../../outside.py", "'..' leaves the workspace root"),
        ("data\\x.py", "backslash"),
        ("data/x\x00.py", "NUL byte"),
        ("data/", "directory is not a write target"),
        ("data/x.py/", "directory is not a write target"),
        (".", "workspace root itself"),
        ("data/..", "workspace root itself"),
    ],
)
def test_refused_paths(engine: AuthorityEngine, path: str, reason: str) -> None:
    decision = engine.decide("data", path)
    assert not decision.allowed
    assert decision.rule == "invalid_path"
    assert decision.path is None
    assert reason in decision.reason


@pytest.mark.parametrize(
    ("path", "normalised"),
    [("./data/x.py", "data/x.py"), ("data//x.py", "data/x.py"), ("a/./data/x.py", "a/data/x.py")],
)
def test_harmless_spellings_normalise(engine: AuthorityEngine, path: str, normalised: str) -> None:
    decision = engine.decide("data", path)
    assert decision.allowed and decision.path == normalised
