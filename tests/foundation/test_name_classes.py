"""The fast path's name classes (one bucket per extension, cheap exact tests before any
regex) must decide exactly like evaluating every pattern: names built from the pieces the
shipped patterns spell (`test_`, `data`, `docker-compose`, `.test.ts`, ...), in both case
modes, including non-ASCII names (which take the plain route when folding case)."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from charter.graph.authority import AuthorityEngine
from charter.protocols import Team

_PIECES = [
    "test_",
    "data",
    "DATA",
    "Data",
    "docker-compose",
    "Dockerfile",
    "secrets-policy",
    "SECURITY",
    "pyproject",
    "package",
    "pytest",
    "x",
    "İ",
    "ß",
    "-",
    "_",
    ".",
    ".py",
    ".PY",
    ".ts",
    ".test",
    ".spec",
    ".js",
    ".yml",
    ".yaml",
    ".json",
    ".toml",
    ".ini",
    ".md",
    ".data",
    ".tsx",
    ".css",
]
_FOLDERS = [
    "",
    "src/",
    "src/x/",
    "lib/contracts/",
    "contracts/",
    ".github/workflows/",
    "infra/",
    "web/charts/",
    "app/data/",
    "Src/",
    "INFRA/",
    "x/migrations/",
]
_names = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=4).map("".join)
_paths = st.tuples(st.sampled_from(_FOLDERS), _names).map("".join)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=_paths)
def test_name_classes_agree_with_every_pattern(
    engine: AuthorityEngine, folding_engine: AuthorityEngine, team: Team, path: str
) -> None:
    for role in team.roles:
        assert engine.verdict(role, path) == engine.reference_verdict(role, path)
        assert folding_engine.verdict(role, path) == folding_engine.reference_verdict(role, path)


def test_shared_facts_agree_across_a_generated_tree(
    engine: AuthorityEngine, folding_engine: AuthorityEngine, team: Team
) -> None:
    # Many paths sharing folders and names, as in the benchmark: the caches of folder
    # facts, name classes and pairs are reused, and every reuse must still be exact.
    rng = random.Random(3)
    roles = list(team.roles)
    for _ in range(1500):
        folder = "".join(rng.choice(_FOLDERS) for _ in range(rng.randrange(1, 4)))
        name = "".join(rng.choice(_PIECES) for _ in range(rng.randrange(1, 4)))
        role = rng.choice(roles)
        path = folder + name
        assert engine.verdict(role, path) == engine.reference_verdict(role, path), path
        folded = folding_engine.verdict(role, path)
        assert folded == folding_engine.reference_verdict(role, path), path


def _reference_steps(engine: AuthorityEngine, role: str, path: str) -> list[str]:
    # The explanation over every pattern of the team (the definition the fast one equals).
    from charter.graph.authority.reference import steps

    verdict = engine.reference_verdict(role, path)
    assert verdict.path is not None
    everything = engine._everything  # the plan of every claim
    own = len(everything.forbidden.get(role, ()))
    return steps(role, verdict.path, everything, own)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=_paths)
def test_decide_steps_equal_the_every_pattern_explanation(
    engine: AuthorityEngine, folding_engine: AuthorityEngine, team: Team, path: str
) -> None:
    for role in team.roles:
        for subject in (engine, folding_engine):
            decision = subject.decide(role, path)
            if decision.path is not None:
                assert decision.steps[1:] == _reference_steps(subject, role, path)
