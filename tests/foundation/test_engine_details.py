"""Authority engine details: symlinks, the decision record, unknown roles, caches."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from charter.graph.authority import AuthorityEngine
from charter.protocols import ConfigError, Team


def test_symlinks_leading_outside_are_refused(team: Team, tmp_path: Path) -> None:
    root, outside = tmp_path / "ws", tmp_path / "outside"
    (root / "data").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.py").write_text("x")
    os.symlink(outside, root / "data" / "escape")
    os.symlink(outside / "secret.py", root / "data" / "leak.py")
    os.symlink(root / "data", root / "inside")  # stays within the root
    engine = AuthorityEngine(team, root)
    for path in ("data/escape/x.py", "data/escape/deeper/x.py", "data/leak.py"):
        decision = engine.decide("data", path)
        assert (decision.allowed, decision.rule) == (False, "invalid_path")
        assert "symlink leading outside the workspace root" in decision.reason
    assert engine.allowed("data", "data/fresh.py")
    assert engine.allowed("data", "inside/data/x.py")  # text decides: **/data/ matches


def test_forget_sees_a_changed_workspace(team: Team, tmp_path: Path) -> None:
    root, outside = tmp_path / "ws", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    engine = AuthorityEngine(team, root)
    assert engine.allowed("data", "data/x.py")
    os.symlink(outside, root / "data")
    assert engine.allowed("data", "data/x.py")  # cached: folder facts were learnt before
    engine.forget()
    assert engine.verdict("data", "data/x.py").rule == "invalid_path"


def test_decision_record(engine: AuthorityEngine) -> None:
    decision = engine.decide("engineer", "a/b/data/x.py")
    assert decision.model_dump() | {"steps": []} == {
        "role": "engineer",
        "requested_path": "a/b/data/x.py",
        "path": "a/b/data/x.py",
        "allowed": False,
        "rule": "owned_by_other",
        "pattern": "**/data/",
        "owner": "data",
        "reason": "a/b/data/x.py belongs to data through '**/data/'",
        "steps": [],
    }
    assert decision.steps[0].startswith("1. normalise: 'a/b/data/x.py'")
    assert any("exclusive claim: data '**/data/'" in step for step in decision.steps)


def test_void_claim_is_explained(engine: AuthorityEngine) -> None:
    text = engine.explain("security", "src/auth/data/x.py")
    assert "data '**/data/'" in text and "void: inside its own role's forbidden area" in text
    assert text.splitlines()[-2] == "=> ALLOWED (exclusive_owner)"


def test_unknown_role_is_a_config_error(engine: AuthorityEngine) -> None:
    with pytest.raises(ConfigError, match="unknown role 'ghost'"):
        engine.verdict("ghost", "x.py")


def test_repeated_decisions_are_stable(engine: AuthorityEngine, team: Team) -> None:
    paths = ["src/etl/a.py", "src/etl/b.py", "docs/x.md", "src/etl/a.py"]
    first = [engine.verdict(role, p) for role in team.roles for p in paths]
    again = [engine.verdict(role, p) for role in team.roles for p in paths]
    assert first == again
    assert [v.path for v in first[:4]] == paths  # shared facts, each verdict its own path
