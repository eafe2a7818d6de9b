"""Exceptions of forbidden rules must be usable: each one in every shipped charter allows a
concrete path (found statically, decided by the authority engine), and `roles check` warns
about one that no claim of its role can use."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charter.agents.exception_check import dead_exceptions, exception_witnesses
from charter.agents.glob_meet import common_path
from charter.agents.globs import compile_pattern, git_regex
from charter.agents.team import load_team
from charter.graph.authority import AuthorityEngine
from charter.protocols import Team

from .conftest import write
from .test_cli import charter
from .test_git_equivalence import paths_strategy, shipped_globs

_SHIPPED = load_team()
_EXCEPTIONS = [
    (role, index, exception)
    for role, chart in _SHIPPED.roles.items()
    for index, rule in enumerate(chart.authorities.forbidden)
    for exception in rule.exceptions
]


def _matches(pattern: str, path: str) -> bool:
    return any(git_regex(glob.regex).search(path) for glob in compile_pattern(pattern))


def test_the_shipped_team_has_exceptions_to_check() -> None:
    assert len(_EXCEPTIONS) >= 9  # the Data charter's; a refactor must not silently drop them


@pytest.mark.parametrize(
    ("role", "index", "exception"),
    _EXCEPTIONS,
    ids=[f"{role}-{index}-{exception}" for role, index, exception in _EXCEPTIONS],
)
def test_every_shipped_exception_allows_a_concrete_path(
    role: str, index: int, exception: str, tmp_path: Path
) -> None:
    chart = _SHIPPED.roles[role]
    rule = chart.authorities.forbidden[index]
    witnesses = exception_witnesses(chart, rule, exception)
    assert witnesses, f"no path lies in {rule.pattern!r}, {exception!r} and a claim of {role}"
    for path in witnesses:  # the static search agrees with the real matchers
        assert _matches(rule.pattern, path) and _matches(exception, path), path
    engine = AuthorityEngine(_SHIPPED, tmp_path)
    allowed = [path for path in witnesses if engine.verdict(role, path).allowed]
    assert allowed, f"{role} may write none of {witnesses}"
    # ... and it is the exception that allows them: without the rule's exceptions, the
    # forbidden rule denies every one of those paths.
    stripped = chart.model_copy(deep=True)
    stripped.authorities.forbidden[index].exceptions = []
    roles = {**_SHIPPED.roles, role: stripped}
    strict = AuthorityEngine(_SHIPPED.model_copy(update={"roles": roles}), tmp_path)
    for path in allowed:
        verdict = strict.verdict(role, path)
        assert (verdict.allowed, verdict.rule) == (False, "forbidden"), path


def test_frontend_charts_allowed_to_data_login_page_denied(engine: AuthorityEngine) -> None:
    assert engine.verdict("data", "frontend/charts/revenue.tsx").allowed
    assert not engine.verdict("data", "frontend/pages/login.tsx").allowed


def test_shipped_team_has_no_dead_exception(team: Team) -> None:
    assert dead_exceptions(team) == []


DEAD = """\
role: web
title: Web Agent
authorities:
  exclusive:
    - {pattern: "web/**"}
  forbidden:
    - pattern: "**/*.md"
      exceptions: ["docs/**", "web/**/README.md"]
"""


def test_dead_exception_is_reported(tmp_path: Path) -> None:
    team = load_team([write(tmp_path / "web.yaml", DEAD)])
    (dead,) = dead_exceptions(team)
    assert (dead.role, dead.pattern, dead.exception) == ("web", "**/*.md", "docs/**")
    assert "can never allow a write" in dead.describe()
    # the live one has a witness the engine allows
    chart = team.roles["web"]
    paths = exception_witnesses(chart, chart.authorities.forbidden[0], "web/**/README.md")
    assert paths and AuthorityEngine(team, tmp_path).verdict("web", paths[0]).allowed


def test_roles_check_warns_and_keeps_exit_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert charter(["roles", "check", str(write(tmp_path / "web.yaml", DEAD))], monkeypatch) == 0
    out = capsys.readouterr().out
    assert "exceptions no claim can use: 1" in out
    assert "warning: web: exception 'docs/**' of forbidden '**/*.md' can never allow" in out


def test_roles_check_shipped_team_reports_none(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert charter(["roles", "check"], monkeypatch) == 0
    assert "exceptions no claim can use: 0" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("patterns", "expected"),
    [
        (("frontend/**", "**/charts/**", "**/charts/"), "frontend/charts/x"),
        (("src/**", "lib/**"), None),
        (("**/*.md", "docs/**", "web/**"), None),
        (("a/[0-9]x/b",), "a/0x/b"),
        (("**/*.py", "**/test_*.py", "tests/"), "tests/test_.py"),
        (("*.ini", "x.ini"), "x.ini"),
        (("x/", "x"), "x/x"),
    ],
)
def test_common_path_cases(patterns: tuple[str, ...], expected: str | None) -> None:
    assert common_path(*patterns) == expected


_GLOBS = shipped_globs(_SHIPPED)


@settings(max_examples=200, deadline=None)
@given(
    picks=st.lists(st.sampled_from(range(len(_GLOBS))), min_size=2, max_size=3),
    path=paths_strategy,
)
def test_common_path_is_sound_and_finds_what_paths_show(picks: list[int], path: str) -> None:
    """A witness matches every pattern (sound); a random path matching them all proves a
    witness must exist (no false 'none')."""
    globs = [_GLOBS[i] for i in picks]
    found = common_path(*(glob.text for glob in globs))
    if found is not None:
        assert all(git_regex(glob.regex).search(found) for glob in globs), (found, globs)
    if all(git_regex(glob.regex).search(path) for glob in globs):
        assert found is not None, (path, [glob.text for glob in globs])
