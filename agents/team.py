"""Loading role charters and teams from YAML, validating them, and finding conflicts.

A role file is a YAML mapping with a `role` key (schema: `charter.protocols.Charter`). A
team file (no `role` key) holds team settings: `name` and `precedence` entries. The shipped
default team is every `*.yaml` under `agents/charters/` (`_team.yaml` holds its settings).

Every mistake is a `ConfigError` naming the file and, where it can, the line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from charter.inputs import compose_yaml, read_text
from charter.protocols import (
    ActivationTrigger,
    Charter,
    ConfigError,
    EscalationTrigger,
    PrecedenceRule,
    Team,
)

from .globs import can_tie, compile_pattern

CHARTERS_DIR = Path(__file__).resolve().parent / "charters"

SIGNAL_KINDS: frozenset[str] = frozenset(
    {
        "pipeline_failed",
        "data_quality_alert",
        "schema_changed",
        "governance_violation",
        "anomaly_detected",
        "cross_agent_failure",
        "model_degradation",
        "performance_degradation",
        # escalation-only signals
        "data_loss",
        "data_breach",
        "compliance_violation",
        "capacity_warning",
        "integration_failed",
    }
)
"""The signal kinds triggers may name (the shared vocabulary)."""


@dataclass(frozen=True, slots=True)
class Conflict:
    """Two roles claiming overlapping paths with equally specific exclusive patterns."""

    first_role: str
    first_pattern: str
    second_role: str
    second_pattern: str
    specificity: tuple[int, int]
    resolved_by: PrecedenceRule | None

    def describe(self) -> str:
        claims = (
            f"{self.first_role} {self.first_pattern!r} and {self.second_role} "
            f"{self.second_pattern!r} (specificity {self.specificity})"
        )
        if self.resolved_by is None:
            return f"UNRESOLVED: {claims}; add a precedence entry to the team"
        winner = self.resolved_by
        return f"resolved: {claims}; precedence gives {winner.pattern!r} to {winner.owner}"


# ---- reading files -------------------------------------------------------------------


def _read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    # The shared front door checks type, size, text and YAML safety first.
    text = read_text(path, "role file")
    if not text.strip():
        raise ConfigError(f"{path}: empty file; expected a YAML mapping with a 'role' key")
    node = compose_yaml(text, path, "role file")
    loader = yaml.SafeLoader("")
    try:
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ConfigError(f"{path}{where}: invalid YAML: {problem}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a YAML mapping, found {type(data).__name__}")
    return data, node


def _line_of(node: yaml.Node | None, location: Sequence[int | str]) -> int | None:
    """The 1-based line of the YAML node at `location` (deepest one found)."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in location:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == key), None)
            if pair is None:
                break
            line = pair[0].start_mark.line + 1  # the key's line names the setting
            node = pair[1]
            continue
        if isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            match = node.value[key] if key < len(node.value) else None
        else:
            match = None
        if match is None:
            break
        node = match
        line = node.start_mark.line + 1
    return line


def _where(path: Path, node: yaml.Node | None, location: Sequence[int | str]) -> str:
    line = _line_of(node, location)
    return f"{path} line {line}" if line is not None else str(path)


def load_charter(path: Path | str) -> Charter:
    """Load and validate one role file."""
    path = Path(path)
    data, node = _read_yaml(path)
    if "role" not in data:
        raise ConfigError(f"{path}: no 'role' key; expected a role charter")
    return _charter_from(path, data, node)


def _charter_from(path: Path, data: dict[str, Any], node: yaml.Node | None) -> Charter:
    escalation = data.get("escalation")
    if isinstance(escalation, dict) and escalation.get("unclassified"):
        # `charter roles import` writes triggers from a list with no severity here; the
        # severity decides whether the work pauses, so a person sets it, not a default.
        pending = escalation["unclassified"]
        names = [str(t.get("name", "?")) if isinstance(t, dict) else str(t) for t in pending]
        raise ConfigError(
            f"{_where(path, node, ['escalation', 'unclassified'])}: escalation.unclassified: "
            f"{len(names)} trigger(s) without a severity ({', '.join(names)}); expected each "
            "moved into escalation.immediate or escalation.standard"
        )
    try:
        charter = Charter.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        location = [part for part in first["loc"] if isinstance(part, int | str)]
        dotted = ".".join(str(part) for part in location) or "(top level)"
        raise ConfigError(f"{_where(path, node, location)}: {dotted}: {first['msg']}") from None
    _check_charter(path, charter, node)
    return charter


def _check_charter(path: Path, charter: Charter, node: yaml.Node | None) -> None:
    auth = charter.authorities
    if not auth.exclusive and not auth.shared:
        raise ConfigError(
            f"{_where(path, node, ['authorities'])}: role {charter.role!r} has no writing "
            "authorities; expected at least one exclusive or shared pattern"
        )
    for kind in ("exclusive", "forbidden", "shared"):
        for index, rule in enumerate(getattr(auth, kind)):
            for place, pattern in [("pattern", rule.pattern)] + [
                ("exceptions", exc) for exc in rule.exceptions
            ]:
                try:
                    compile_pattern(pattern)
                except ConfigError as error:
                    where = _where(path, node, ["authorities", kind, index, place])
                    raise ConfigError(f"{where}: {error}") from None
    tables: list[tuple[str, str, Sequence[EscalationTrigger | ActivationTrigger]]] = [
        ("escalation", "immediate", charter.escalation.immediate),
        ("escalation", "standard", charter.escalation.standard),
        ("activation", "automatic", charter.activation.automatic),
        ("activation", "manual", charter.activation.manual),
    ]
    for section, part, triggers in tables:
        for index, trigger in enumerate(triggers):
            for signal in trigger.signals:
                if signal not in SIGNAL_KINDS:
                    where = _where(path, node, [section, part, index, "signals"])
                    raise ConfigError(
                        f"{where}: trigger {trigger.name!r}: unknown signal kind {signal!r}; "
                        f"expected one of {', '.join(sorted(SIGNAL_KINDS))}"
                    )


# ---- teams ---------------------------------------------------------------------------


def default_charter_files() -> list[Path]:
    """The shipped charter files, in a stable order."""
    return sorted(CHARTERS_DIR.glob("*.yaml"))


def load_team(paths: Iterable[Path | str] | None = None) -> Team:
    """Load a team from role files and team files (None: the shipped default team)."""
    files = default_charter_files() if paths is None else [Path(p) for p in paths]
    if not files:
        raise ConfigError("no role files given; expected at least one charter YAML file")
    roles: dict[str, Charter] = {}
    origin: dict[str, Path] = {}
    name = "default" if paths is None else "custom"
    precedence: list[tuple[PrecedenceRule, str]] = []
    for path in files:
        data, node = _read_yaml(path)
        if "role" in data:
            charter = _charter_from(path, data, node)
            if charter.role in roles:
                raise ConfigError(
                    f"{path}: role {charter.role!r} is already defined in {origin[charter.role]}"
                )
            roles[charter.role] = charter
            origin[charter.role] = path
            continue
        unknown = set(data) - {"name", "precedence"}
        if unknown:
            key = sorted(unknown)[0]
            raise ConfigError(
                f"{_where(path, node, [key])}: unknown key {key!r}; a role file needs 'role', "
                "a team file has only 'name' and 'precedence'"
            )
        name = str(data.get("name", name))
        for index, item in enumerate(data.get("precedence") or []):
            try:
                precedence.append(
                    (PrecedenceRule.model_validate(item), _where(path, node, ["precedence", index]))
                )
            except ValidationError as error:
                first = error.errors()[0]
                where = _where(path, node, ["precedence", index])
                raise ConfigError(f"{where}: precedence entry: {first['msg']}") from None
    if not roles:
        raise ConfigError(f"{', '.join(map(str, files))}: no role charter among these files")
    claimed = {
        rule.pattern: role
        for role, charter in roles.items()
        for rule in charter.authorities.exclusive
    }
    for rule, where in precedence:
        if rule.owner not in roles:
            raise ConfigError(f"{where}: precedence owner {rule.owner!r} is not a role of the team")
        if rule.pattern not in claimed:
            raise ConfigError(
                f"{where}: precedence pattern {rule.pattern!r} is not an exclusive pattern "
                "of any role; expected one of the tied patterns, as written"
            )
    return Team(name=name, roles=roles, precedence=[rule for rule, _ in precedence])


def team_conflicts(team: Team) -> list[Conflict]:
    """Every pair of equally specific exclusive claims from two roles that some path
    matches both of, with the precedence entry that settles it (if any)."""
    claims = [
        (role, glob)
        for role, charter in team.roles.items()
        for rule in charter.authorities.exclusive
        for glob in compile_pattern(rule.pattern)
    ]
    found: dict[tuple[str, str, str, str], Conflict] = {}
    for (role_a, glob_a), (role_b, glob_b) in combinations(claims, 2):
        if role_a == role_b or glob_a.specificity != glob_b.specificity:
            continue
        key = (role_a, glob_a.source, role_b, glob_b.source)
        if key in found or not can_tie(glob_a.text, glob_b.text):
            continue
        settle = [
            rule
            for rule in team.precedence
            if (rule.pattern, rule.owner) in {(glob_a.source, role_a), (glob_b.source, role_b)}
        ]
        found[key] = Conflict(
            role_a,
            glob_a.source,
            role_b,
            glob_b.source,
            glob_a.specificity,
            settle[0] if len(settle) == 1 else None,
        )
    return list(found.values())


__all__ = [
    "CHARTERS_DIR",
    "SIGNAL_KINDS",
    "Conflict",
    "default_charter_files",
    "load_charter",
    "load_team",
    "team_conflicts",
]
