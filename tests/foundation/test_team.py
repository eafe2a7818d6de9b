"""The shipped charters, team loading, conflict reporting and bad role files."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from charter.agents.globs import can_overlap, can_tie, compile_pattern, expand_braces
from charter.agents.team import SIGNAL_KINDS, load_charter, load_team, team_conflicts
from charter.graph.authority import AuthorityEngine
from charter.protocols import ConfigError, MemoryKind, Severity, Team

from .conftest import write

IMMEDIATE = [
    "Data Loss",
    "Performance Degradation",
    "Data Breaches",
    "Compliance Violations",
    "Pipeline Failures",
    "Governance Violations",
    "Anomaly Detection",
    "Cross-Agent Failures",
    "Model Degradation",
]
STANDARD = [
    "Data Quality Issues",
    "Capacity Planning",
    "Integration Failures",
    "Optimization Opportunities",
    "Governance Policy Updates",
    "Predictive Maintenance",
    "Data Product Lifecycle",
    "Model Lifecycle Events",
]
AUTOMATIC_SIGNALS = {
    "pipeline_failed",
    "data_quality_alert",
    "schema_changed",
    "governance_violation",
    "anomaly_detected",
    "cross_agent_failure",
    "model_degradation",
    "performance_degradation",
}


def test_shipped_team_roles(team: Team) -> None:
    assert sorted(team.roles) == sorted(
        [
            "data",
            "architect",
            "engineer",
            "security",
            "pm",
            "qa",
            "ops",
            "integration",
            "documentation",
        ]
    )
    assert team.roles["data"].single_instance
    assert not team.roles["pm"].writes_code
    assert all(charter.authorities.exclusive for charter in team.roles.values())


def test_data_charter_matches_the_seed(team: Team) -> None:
    data = team.roles["data"]
    # the seed's 13, plus the 5 visualisation folders its frontend exception names
    assert len(data.authorities.exclusive) == 18
    assert len(data.authorities.forbidden) >= 5
    assert [t.name for t in data.escalation.immediate] == IMMEDIATE
    assert [t.name for t in data.escalation.standard] == STANDARD
    assert data.escalation.severity_of("Data Breaches") is Severity.IMMEDIATE
    assert data.escalation.severity_of("capacity planning") is Severity.STANDARD
    signals = {t.name: t.signals for t in data.escalation.all_triggers()}
    assert signals["Data Breaches"] == ["data_breach"]
    assert signals["Pipeline Failures"] == ["pipeline_failed"]
    assert len(data.activation.automatic) == 8 and len(data.activation.manual) == 8
    assert {s for t in data.activation.automatic for s in t.signals} == AUTOMATIC_SIGNALS
    assert all(t.keywords for t in data.activation.manual)
    assert {p.role for p in data.coordination} == {
        "architect",
        "engineer",
        "integration",
        "security",
    }
    assert data.partner("security") is not None
    assert "schema_review" in data.partner("architect").protocols  # type: ignore[union-attr]
    assert set(data.memory_kinds) == set(MemoryKind)
    retention = {policy.kind: policy.retention for policy in data.memory}
    assert retention[MemoryKind.ERROR] == timedelta(days=180)
    assert retention[MemoryKind.GOVERNANCE] is None
    metrics = {m.key: (m.comparison, m.target) for m in data.success_metrics}
    assert metrics == {
        "query_p95_ms": ("<", 100),
        "pipeline_success_rate": (">", 0.99),
        "validation_pass_rate": (">", 0.99),
        "api_availability": (">", 0.999),
        "cost_growth_mom": ("<", 0.10),
        "migration_success_rate": (">=", 1.0),
        "backup_failure_rate": ("<", 0.01),
        "recovery_time_minutes": ("<", 60),
        "compliance_score": (">=", 1.0),
        "schemas_documented": (">=", 1.0),
    }


def test_every_trigger_names_a_known_signal(team: Team) -> None:
    for charter in team.roles.values():
        triggers = [*charter.escalation.all_triggers(), *charter.activation.automatic]
        assert all(signal in SIGNAL_KINDS for t in triggers for signal in t.signals)


def test_pm_escalates_missed_deadlines_to_the_user(team: Team) -> None:
    triggers = {t.name: t for t in team.roles["pm"].escalation.all_triggers()}
    assert triggers["Missed Deadlines"].target == "user"
    assert all(t.target == "pm" for t in team.roles["data"].escalation.all_triggers())


def test_engineer_globs_overlap_data_folders(team: Team) -> None:
    engineer = [
        g.text
        for r in team.roles["engineer"].authorities.exclusive
        for g in compile_pattern(r.pattern)
    ]
    assert can_overlap("**/*.py", "**/data/") and "**/*.py" in engineer
    assert can_overlap("src/**", "**/etl/")


def test_shipped_conflicts_are_all_settled(team: Team) -> None:
    conflicts = team_conflicts(team)
    pairs = {(c.first_pattern, c.second_pattern) for c in conflicts}
    assert ("**/etl/", "**/etl/") in pairs and ("**/monitoring/", "**/monitoring/") in pairs
    assert all(c.resolved_by is not None for c in conflicts)
    used = {c.resolved_by.pattern for c in conflicts if c.resolved_by}
    assert used == {rule.pattern for rule in team.precedence}


ROLE_A = """\
role: alpha
title: Alpha
authorities:
  exclusive:
    - {pattern: "**/etl/"}
    - {pattern: "alpha/**"}
"""
ROLE_B = """\
role: beta
title: Beta
authorities:
  exclusive:
    - {pattern: "**/etl/"}
"""


def test_conflict_without_precedence_is_reported_and_denied(tmp_path: Path) -> None:
    team = load_team([write(tmp_path / "a.yaml", ROLE_A), write(tmp_path / "b.yaml", ROLE_B)])
    [conflict] = team_conflicts(team)
    assert conflict.resolved_by is None and "UNRESOLVED" in conflict.describe()
    engine = AuthorityEngine(team, tmp_path)
    for role in ("alpha", "beta"):
        verdict = engine.verdict(role, "x/etl/job.py")
        assert (verdict.allowed, verdict.rule) == (False, "conflict")
        assert "no precedence entry" in verdict.reason
    assert engine.allowed("alpha", "alpha/x.py")


def test_precedence_entry_settles_a_conflict(tmp_path: Path) -> None:
    settings = write(
        tmp_path / "team.yaml", 'name: t\nprecedence:\n  - {pattern: "**/etl/", owner: beta}\n'
    )
    team = load_team(
        [write(tmp_path / "a.yaml", ROLE_A), write(tmp_path / "b.yaml", ROLE_B), settings]
    )
    assert team.name == "t"
    [conflict] = team_conflicts(team)
    assert conflict.resolved_by is not None and conflict.resolved_by.owner == "beta"
    engine = AuthorityEngine(team, tmp_path)
    assert engine.verdict("beta", "x/etl/job.py").rule == "precedence"
    assert engine.allowed("beta", "x/etl/job.py") and not engine.allowed("alpha", "x/etl/job.py")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        ("   \n", "empty file"),
        ("role: x\ntitle: X\n", "no writing authorities"),
        ("role: x\ntitle: X\nauthorities:\n  exclusive: []\n", "line 3: role 'x' has no writing"),
        (
            'role: x\ntitle: X\nauthorities:\n  exclusive:\n    - {pattern: "data/[ab"}\n',
            "line 5: pattern 'data/[ab': unclosed '['",
        ),
        (
            'role: x\ntitle: X\nauthorities:\n  exclusive:\n    - {pattern: "a/{b,c"}\n',
            "line 5: pattern 'a/{b,c': unbalanced '{'",
        ),
        (
            'role: x\ntitle: X\nauthorities:\n  exclusive:\n    - {pattern: "a//b"}\n',
            "empty path segment",
        ),
        (
            'role: x\ntitle: X\nauthorities:\n  exclusive:\n    - {pattern: "a\\\\"}\n',
            "pattern 'a\\\\'",
        ),
        (
            'role: x\ntitle: X\nauthorities:\n  exclusive: [{pattern: "x/**"}]\n'
            "escalation:\n  immediate:\n    - name: Boom\n      signals: [pipeline_exploded]\n",
            "line 8: trigger 'Boom': unknown signal kind 'pipeline_exploded'",
        ),
        (
            'role: x\ntitle: X\nauthorities: {exclusive: [{pattern: "x/**"}]}\nextra: 1\n',
            "line 4: extra",
        ),
        ("role: [unclosed\n", "invalid YAML"),
        ("- just\n- a list\n", "expected a YAML mapping"),
    ],
)
def test_bad_role_files(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / "bad.yaml", text)
    with pytest.raises(ConfigError) as raised:
        load_charter(path)
    assert str(path) in str(raised.value)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_team_file_errors(tmp_path: Path) -> None:
    role = write(tmp_path / "a.yaml", ROLE_A)
    with pytest.raises(ConfigError, match="already defined"):
        load_team([role, write(tmp_path / "a2.yaml", ROLE_A)])
    bad_owner = write(tmp_path / "t.yaml", 'precedence:\n  - {pattern: "**/etl/", owner: nobody}\n')
    with pytest.raises(ConfigError, match=r"t\.yaml line 2: precedence owner 'nobody'"):
        load_team([role, bad_owner])
    bad_pattern = write(
        tmp_path / "u.yaml", 'precedence:\n  - {pattern: "**/nope/", owner: alpha}\n'
    )
    with pytest.raises(ConfigError, match="not an exclusive pattern"):
        load_team([role, bad_pattern])
    with pytest.raises(ConfigError, match="unknown key 'roles'"):
        load_team([role, write(tmp_path / "v.yaml", "roles: {}\n")])


def test_brace_expansion_and_specificity() -> None:
    assert expand_braces("**/*.{js,ts}") == ["**/*.js", "**/*.ts"]
    assert expand_braces("{a,b}/{c,d}") == ["a/c", "a/d", "b/c", "b/d"]
    assert expand_braces("{a,{b,c}}x") == ["ax", "bx", "cx"]
    assert expand_braces("lit{x}") == ["lit{x}"]
    assert expand_braces(r"\{a,b\}") == [r"\{a,b\}"]
    with pytest.raises(ValueError):
        expand_braces("a}")
    [data] = compile_pattern("**/data/")
    [python] = compile_pattern("**/*.py")
    [workflow] = compile_pattern(".github/workflows/*data*")
    assert data.specificity == (1, 4) and python.specificity == (0, 3)
    assert workflow.specificity == (2, 20)
    with pytest.raises(ConfigError, match="negation"):
        compile_pattern("!data/")


@pytest.mark.parametrize(
    ("a", "b", "overlap", "tie"),
    [
        ("**/etl/", "**/etl/", True, True),
        ("src/**", "**/etl/", True, False),  # etl is deeper than src
        ("*.md", "**/*.py", True, False),  # x.md/y.py: the .py match is deeper
        ("*.py", "*.py", True, True),
        ("docs/**", "src/**", False, False),
        ("a*", "*b", True, True),
        ("a*b", "*c", True, False),  # ab/xc: as folder and file
        ("[ab]x", "bx", True, True),
        ("[!a]x", "ax", True, False),  # bx/ax
        ("/[!a]x", "/ax", False, False),  # both anchored at the root
        ("?x", "xx", True, True),
        (".github/workflows/*data*", ".github/workflows/**", True, False),
    ],
)
def test_static_overlap(a: str, b: str, overlap: bool, tie: bool) -> None:
    assert can_overlap(a, b) is overlap and can_overlap(b, a) is overlap
    assert can_tie(a, b) is tie and can_tie(b, a) is tie
