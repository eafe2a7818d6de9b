"""Import a role definition written in the seed's markdown format into a charter.

Read: the title, "Agent Type" and "Model" lines, and the sections "Exclusive Writing
Permissions", "Forbidden Writing Areas", "Alert PM Immediately", "Standard Escalation",
"Automatic Activation", "Manual Activation", "Coordination Protocols" ("With X Agent"
headings), "Memory Integration" and "Success Metrics".

Only text that *is* a pattern (in backticks) becomes a pattern. Prose such as "Frontend
application code (except data visualization components)" is reported back in
`ImportResult.unresolved` for the person importing to turn into patterns; it is never guessed
into one. Trigger names, coordination topics and metric names the shared vocabulary knows
get their signal kinds, protocol names and metric keys; unknown ones are reported too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from charter.inputs import read_text
from charter.protocols import Charter, ConfigError, MemoryKind

# Vocabulary: the seed's trigger names -> signal kinds.
TRIGGER_SIGNALS: dict[str, list[str]] = {
    "data loss": ["data_loss"],
    "performance degradation": ["performance_degradation"],
    "data breaches": ["data_breach"],
    "compliance violations": ["compliance_violation"],
    "pipeline failures": ["pipeline_failed"],
    "governance violations": ["governance_violation"],
    "anomaly detection": ["anomaly_detected"],
    "cross-agent failures": ["cross_agent_failure"],
    "cross-agent events": ["cross_agent_failure"],
    "model degradation": ["model_degradation"],
    "data quality issues": ["data_quality_alert"],
    "data quality alerts": ["data_quality_alert"],
    "capacity planning": ["capacity_warning"],
    "integration failures": ["integration_failed"],
    "schema changes": ["schema_changed"],
}

# Vocabulary: coordination topics -> protocol names.
TOPIC_PROTOCOLS: dict[str, str] = {
    "data architecture": "data_architecture",
    "technology selection": "technology_selection",
    "schema design": "schema_review",
    "data access layers": "data_access_layer",
    "api data models": "api_data_model",
    "caching strategies": "caching_strategy",
    "data synchronization": "data_sync",
    "api data contracts": "api_data_contract",
    "etl coordination": "etl_coordination",
    "data security": "data_security_review",
    "privacy compliance": "privacy_compliance",
    "data masking": "masking_review",
    "governance alignment": "governance_alignment",
    "threat detection": "threat_detection",
    "compliance automation": "compliance_report",
}

# Vocabulary: success-metric names -> metric keys.
METRIC_KEYS: dict[str, str] = {
    "query performance": "query_p95_ms",
    "pipeline success rate": "pipeline_success_rate",
    "data quality": "validation_pass_rate",
    "api uptime": "api_availability",
    "cost efficiency": "cost_growth_mom",
    "migration success": "migration_success_rate",
    "backup success": "backup_failure_rate",
    "recovery time": "recovery_time_minutes",
    "compliance score": "compliance_score",
    "documentation": "schemas_documented",
}

_STOPWORDS = {"and", "or", "the", "of", "for", "a", "an", "to", "with", "projects"}
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
_NAMED = re.compile(r"^\*\*(.+?)\*\*\s*:?\s*(.*)$")
_GLOB = re.compile(r"^`([^`]+)`\s*(?:[-–—:]\s*(.*))?$")
_METRIC = re.compile(r"([<>]=?|≤|≥)?\s*(\d+(?:\.\d+)?)\s*(%|ms|s\b|seconds?|minutes?|min|hours?)?")


@dataclass
class ImportResult:
    charter: Charter
    unresolved: list[str] = field(default_factory=list)  # what the user must finish

    def to_yaml(self) -> str:
        data = self.charter.model_dump(mode="json", exclude_defaults=True)
        header = "".join(f"# TODO: {item}\n" for item in self.unresolved)
        return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


@dataclass
class _Section:
    level: int
    title: str
    lines: list[str]


def _clean_title(title: str) -> str:
    # Headings in role files carry emoji (sometimes mis-decoded); compare the words only.
    return re.sub(r"[^A-Za-z0-9 &/()-]+", " ", title).strip().casefold()


def _sections(text: str) -> list[_Section]:
    sections: list[_Section] = []
    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading:
            sections.append(_Section(len(heading.group(1)), heading.group(2), []))
        elif sections:
            sections[-1].lines.append(line)
    return sections


def _find(sections: list[_Section], name: str) -> tuple[int, _Section] | None:
    wanted = name.casefold()
    for index, section in enumerate(sections):
        if _clean_title(section.title) == wanted:
            return index, section
    return None


def _body(sections: list[_Section], name: str) -> list[str] | None:
    """Lines of section `name` including its sub-sections, or None if it is absent."""
    found = _find(sections, name)
    if found is None:
        return None
    index, section = found
    lines = list(section.lines)
    for sub in sections[index + 1 :]:
        if sub.level <= section.level:
            break
        lines.append("#" * sub.level + " " + sub.title)
        lines.extend(sub.lines)
    return lines


def _bullets(lines: list[str]) -> list[str]:
    return [m.group(1).strip() for line in lines if (m := _BULLET.match(line))]


def _named(bullet: str) -> tuple[str, str]:
    match = _NAMED.match(bullet)
    return (match.group(1).strip(), match.group(2).strip()) if match else (bullet, "")


def _field(text: str, label: str) -> str | None:
    match = re.search(rf"\*\*{re.escape(label)}\*\*\s*:\s*(.+)", text)
    return match.group(1).strip() if match else None


def import_role_markdown(text: str, *, source: str = "<markdown>") -> ImportResult:
    """Turn a seed-format role definition into a charter (and what it could not)."""
    if not text.strip():
        raise ConfigError(f"{source}: empty role file; expected a markdown role definition")
    sections = _sections(text)
    unresolved: list[str] = []
    title_line = next((s.title for s in sections if s.level == 1), None)
    if title_line is None:
        raise ConfigError(f"{source}: no '# <Name> Agent Role Definition' title line")
    title = re.sub(r"\s*Role Definition\s*$", "", title_line).strip()
    role = re.sub(r"[^a-z0-9]+", "-", title.casefold().removesuffix(" agent")).strip("-")
    data: dict[str, Any] = {"role": role or "role", "title": title}
    agent_type = (_field(text, "Agent Type") or "").casefold()
    data["kind"] = next(
        (kind for kind in ("specialist", "coordinator", "core") if kind in agent_type), "core"
    )
    model = _field(text, "Model")
    if model:
        data["model"] = re.sub(r"\s+", "-", model.casefold())

    data["authorities"] = _authorities(sections, unresolved, source)
    data["escalation"] = {
        "immediate": _triggers(sections, "Alert PM Immediately", unresolved, signals=True),
        "standard": _triggers(sections, "Standard Escalation", unresolved, signals=True),
    }
    data["activation"] = {
        "automatic": _triggers(sections, "Automatic Activation", unresolved, signals=True),
        "manual": _triggers(sections, "Manual Activation", unresolved, signals=False),
    }
    data["coordination"] = _coordination(sections, unresolved)
    data["memory"] = _memory(sections, unresolved)
    data["success_metrics"] = _metrics(sections, unresolved)
    if re.search(r"single\s+\w+(\s+\w+)?\s+agent\s+per\s+project", text, re.IGNORECASE):
        data["single_instance"] = True
    try:
        charter = Charter.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ConfigError(
            f"{source}: imported charter invalid at {where}: {first['msg']}"
        ) from None
    return ImportResult(charter, unresolved)


def import_role_file(path: Path | str) -> ImportResult:
    path = Path(path)
    text = read_text(path, "role file")  # type, size and text checks of the front door
    return import_role_markdown(text, source=str(path))


def _authorities(sections: list[_Section], unresolved: list[str], source: str) -> dict[str, Any]:
    from .globs import compile_pattern  # validation only

    result: dict[str, Any] = {}
    for section, key in (
        ("Exclusive Writing Permissions", "exclusive"),
        ("Forbidden Writing Areas", "forbidden"),
    ):
        rules = []
        for bullet in _bullets(_body(sections, section) or []):
            match = _GLOB.match(bullet)
            if match is None:
                unresolved.append(f"{key}: prose, not a pattern; write patterns for: {bullet}")
                continue
            pattern = match.group(1).strip()
            try:
                compile_pattern(pattern)
            except ConfigError as error:
                raise ConfigError(f"{source}: {section}: {error}") from None
            rules.append({"pattern": pattern, "note": (match.group(2) or "").strip()})
        if rules:
            result[key] = rules
    if not result.get("exclusive"):
        raise ConfigError(
            f"{source}: no writing authorities: the 'Exclusive Writing Permissions' section "
            "is missing or lists no `pattern` in backticks"
        )
    return result


def _triggers(
    sections: list[_Section], name: str, unresolved: list[str], *, signals: bool
) -> list[dict[str, Any]]:
    result = []
    for bullet in _bullets(_body(sections, name) or []):
        trigger_name, description = _named(bullet)
        item: dict[str, Any] = {"name": trigger_name, "description": description}
        if signals:
            kinds = TRIGGER_SIGNALS.get(trigger_name.casefold())
            if kinds:
                item["signals"] = kinds
            elif name == "Automatic Activation":
                unresolved.append(f"automatic trigger {trigger_name!r}: no known signal kind")
        else:
            words = re.findall(r"[a-z][a-z0-9-]+", trigger_name.casefold())
            item["keywords"] = [w for w in words if w not in _STOPWORDS]
        result.append(item)
    return result


def _coordination(sections: list[_Section], unresolved: list[str]) -> list[dict[str, Any]]:
    found = _find(sections, "Coordination Protocols")
    if found is None:
        return []
    index, top = found
    partners = []
    for sub in sections[index + 1 :]:
        if sub.level <= top.level:
            break
        heading = re.match(r"with\s+(.+?)\s+agent$", _clean_title(sub.title))
        if heading is None:
            continue
        role = re.sub(r"[^a-z0-9]+", "-", heading.group(1)).strip("-")
        topics = [_named(bullet)[0] for bullet in _bullets(sub.lines)]
        protocols = []
        for topic in topics:
            protocol = TOPIC_PROTOCOLS.get(topic.casefold())
            if protocol is None:
                unresolved.append(f"coordination with {role}: no protocol known for {topic!r}")
            else:
                protocols.append(protocol)
        partners.append({"role": role, "topics": topics, "protocols": protocols})
    return partners


def _memory(sections: list[_Section], unresolved: list[str]) -> list[dict[str, Any]]:
    kinds = []
    for bullet in _bullets(_body(sections, "Memory Integration") or []):
        name = _named(bullet)[0].casefold().removesuffix(" memory").strip()
        if name in {kind.value for kind in MemoryKind}:
            kinds.append({"kind": name})
        else:
            unresolved.append(f"memory: unknown kind {name!r}")
    if kinds:
        unresolved.append("memory: the role file states no retention; set one per kind")
    return kinds


def _metrics(sections: list[_Section], unresolved: list[str]) -> list[dict[str, Any]]:
    metrics = []
    for bullet in _bullets(_body(sections, "Success Metrics") or []):
        name, target_text = _named(bullet)
        match = _METRIC.search(target_text)
        if match is None:
            unresolved.append(f"metric {name!r}: no number in {target_text!r}")
            continue
        operator, number, unit = match.group(1), float(match.group(2)), match.group(3) or ""
        comparison = {"≤": "<=", "≥": ">=", None: ">="}.get(operator, operator)
        if unit == "%":
            number, unit = number / 100, ""
        elif unit.startswith("hour"):
            number, unit = number * 60, "min"
        elif unit.startswith("min"):
            unit = "min"
        key = METRIC_KEYS.get(name.casefold())
        if key is None:
            key = re.sub(r"[^a-z0-9]+", "_", name.casefold()).strip("_")
            unresolved.append(f"metric {name!r}: no vocabulary key; named {key!r}")
        metrics.append(
            {
                "key": key,
                "name": name,
                "comparison": comparison,
                "target": round(number, 6),
                "unit": unit,
            }
        )
    return metrics


__all__ = [
    "METRIC_KEYS",
    "TOPIC_PROTOCOLS",
    "TRIGGER_SIGNALS",
    "ImportResult",
    "import_role_file",
    "import_role_markdown",
]
