"""Import a role definition written in markdown (the seed's layout or a later one of its
home project) into a charter.

Read (`role_markdown.HEADINGS` lists every heading name accepted): the title, "Agent Type"
and "Model" lines; exclusive and forbidden path patterns; immediate, standard and
unclassified escalation triggers; automatic and manual activation; "Coordination
Protocols" ("With X Agent" headings); "Memory Integration"; success metrics or KPIs.

Only text that *is* a pattern (in backticks) becomes a pattern. Prose such as "Frontend
application code (except data visualization components)" is reported back in
`ImportResult.unresolved` for the person importing to turn into patterns; it is never guessed
into one. Backticked patterns inside a sentence are kept, with the sentence as their note
and a request to check it. Triggers from a list with no severity are kept apart
(`ImportResult.unclassified`) for a person to classify. Trigger names, coordination topics
and metric names the shared vocabulary knows get their signal kinds, protocol names and
metric keys; unknown ones are reported too.
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

from . import role_markdown as md

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
    # the singular spellings later role files use
    "data breach": ["data_breach"],
    "compliance violation": ["compliance_violation"],
    "pipeline failure": ["pipeline_failed"],
    "integration failure": ["integration_failed"],
    "schema change": ["schema_changed"],
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
_METRIC = re.compile(r"([<>]=?|≤|≥)?\s*(\d+(?:\.\d+)?)\s*(%|ms|s\b|seconds?|minutes?|min|hours?)?")

TODO_SEVERITY = "TODO severity"


@dataclass
class ImportResult:
    charter: Charter
    unresolved: list[str] = field(default_factory=list)  # what the user must finish
    # Escalation triggers from a list that gives no severity ("Unique Escalation
    # Triggers"): written under `escalation.unclassified`, which the charter loader refuses
    # until each one is moved into `immediate` or `standard`.
    unclassified: list[dict[str, Any]] = field(default_factory=list)

    def to_yaml(self) -> str:
        data = self.charter.model_dump(mode="json", exclude_defaults=True)
        if self.unclassified:
            escalation = data.setdefault("escalation", {})
            escalation["unclassified"] = self.unclassified
        header = "".join(f"# TODO: {item}\n" for item in self.unresolved)
        return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def import_role_markdown(
    text: str, *, source: str = "<markdown>", keep_prose: bool = False
) -> ImportResult:
    """Turn a role definition (the seed's layout or a successor's) into a charter, and
    list what it could not. With `keep_prose`, a file whose authorities are all prose still
    gives a charter (no patterns, the prose as TODO notes) instead of an error."""
    if not text.strip():
        raise ConfigError(f"{source}: empty role file; expected a markdown role definition")
    sections = md.sections(text)
    unresolved: list[str] = []
    title_line = next((s.title for s in sections if s.level == 1), None)
    if title_line is None:
        raise ConfigError(f"{source}: no '# <Name> Agent Role Definition' title line")
    title = _title(title_line)
    role = re.sub(r"[^a-z0-9]+", "-", title.casefold().removesuffix(" agent")).strip("-")
    data: dict[str, Any] = {"role": role or "role", "title": title}
    agent_type = (md.field(text, "Agent Type") or "").casefold()
    data["kind"] = next(
        (kind for kind in ("specialist", "coordinator", "core") if kind in agent_type), "core"
    )
    model = md.field(text, "Model", "Model Preference")
    if model:
        data["model"] = re.sub(r"\s+", "-", model.casefold())

    data["authorities"] = _authorities(sections, unresolved, source, keep_prose=keep_prose)
    data["escalation"] = {
        "immediate": _triggers(
            md.items(md.body(sections, "immediate") or []), "immediate", unresolved
        ),
        "standard": _triggers(
            md.items(md.body(sections, "standard") or []), "standard", unresolved
        ),
    }
    unclassified = [
        trigger
        for _, own in md.direct_items(sections, "unclassified")
        for trigger in _triggers(own, "unclassified", unresolved)
    ]
    data["activation"] = {
        "automatic": _triggers(
            md.items(md.body(sections, "automatic") or []), "automatic", unresolved
        ),
        "manual": _triggers(md.items(md.body(sections, "manual") or []), "manual", unresolved),
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
    return ImportResult(charter, unresolved, unclassified)


def import_role_file(path: Path | str, *, keep_prose: bool = False) -> ImportResult:
    path = Path(path)
    text = read_text(path, "role file")  # type, size and text checks of the front door
    return import_role_markdown(text, source=str(path), keep_prose=keep_prose)


def _title(line: str) -> str:
    """ "Data Agent Role Definition" -> "Data Agent"; also "Engineer Agent Profile",
    "Data Engineer Agent - Data Management Specialist" and leading emoji."""
    title = re.sub(r"^[^\w]+", "", line)
    title = re.split(r"\s+[-–—:]\s+", title, maxsplit=1)[0]
    return re.sub(r"\s*(Role Definition|Profile)\s*$", "", title).strip()


def _authorities(
    sections: list[md.Section], unresolved: list[str], source: str, *, keep_prose: bool
) -> dict[str, Any]:
    from .globs import compile_pattern  # validation only

    lists: dict[str, list[tuple[str, list[str]]]] = {"exclusive": [], "forbidden": []}
    for key in lists:
        found = md.find(sections, key)
        if found is not None:
            lists[key].append((found[1].title, md.items(md.body(sections, key) or [])))
    # Items written straight under "Writing Authorities", "Authority & Permissions",
    # "<X> Authority": claims of the role.
    lists["exclusive"].extend(md.direct_items(sections, "authority"))

    result: dict[str, Any] = {}
    prose_count = 0
    for key, found_lists in lists.items():
        rules = []
        for heading, entries in found_lists:
            for entry in entries:
                item = md.path_item(entry)
                taken = []
                for pattern in item.patterns:
                    try:
                        compile_pattern(pattern)
                    except ConfigError as error:
                        if not item.from_prose:  # a list of patterns: one is wrong, say so
                            where = md.clean_title(heading)
                            raise ConfigError(f"{source}: {where}: {error}") from None
                        # backticked text in a sentence may be anything; report it
                        unresolved.append(f"{key}: {error}; skipped from: {entry}")
                        continue
                    rules.append({"pattern": pattern, "note": item.note})
                    taken.append(pattern)
                if not taken:
                    prose_count += 1
                    unresolved.append(f"{key}: prose, not a pattern; write patterns for: {entry}")
                elif item.from_prose:
                    unresolved.append(
                        f"{key}: patterns {', '.join(taken)} taken from prose; check "
                        f"it asks for nothing more: {entry}"
                    )
                for span in item.skipped:
                    unresolved.append(f"{key}: `{span}` is code, not a path pattern; skipped")
        if rules:
            result[key] = rules
    if not result.get("exclusive"):
        headings = [heading for found_lists in lists.values() for heading, _ in found_lists]
        if not keep_prose:
            raise ConfigError(f"{source}: {_no_authorities(sections, headings, prose_count)}")
        unresolved.append(
            "authorities: no exclusive pattern in the role file; the charter will not load "
            "until you write one (exclusive or shared) for the prose above"
        )
    return result


def _no_authorities(sections: list[md.Section], headings: list[str], prose: int) -> str:
    """The one-line reason a file has no writing authorities, naming what it does have."""
    fix = (
        "expected list items with patterns in backticks (- `src/**` - what it is), or pass "
        "--keep-prose to write the charter with the prose as TODO notes"
    )
    if headings:
        names = ", ".join(repr(md.clean_title(h)) for h in dict.fromkeys(headings))
        return (
            f"no writing authorities: no `pattern` in backticks under {names} "
            f"({prose} prose item{'s' if prose != 1 else ''}); {fix}"
        )
    known = ", ".join(repr(name) for name in md.HEADINGS["exclusive"][:3])
    titles = [md.clean_title(s.title) for s in sections if s.level <= 3]
    shown = ", ".join(repr(t) for t in titles[:8]) + (
        f" and {len(titles) - 8} more" if len(titles) > 8 else ""
    )
    return (
        f"no writing authorities: no section like {known} (the file's headings: "
        f"{shown or 'none'}); {fix}"
    )


def _triggers(entries: list[str], table: str, unresolved: list[str]) -> list[dict[str, Any]]:
    """Triggers from list items "**Name**: description". `table` is immediate, standard,
    unclassified (no severity given), automatic or manual (keywords, no signals)."""
    result = []
    for entry in entries:
        trigger_name, description = md.named(entry)
        item: dict[str, Any] = {"name": trigger_name, "description": description}
        if table != "manual":
            kinds = TRIGGER_SIGNALS.get(trigger_name.casefold())
            if kinds:
                item["signals"] = kinds
            elif table == "automatic":
                unresolved.append(f"automatic trigger {trigger_name!r}: no known signal kind")
        else:
            words = re.findall(r"[a-z][a-z0-9-]+", trigger_name.casefold())
            item["keywords"] = [w for w in words if w not in _STOPWORDS]
        if table == "unclassified":
            unresolved.append(
                f"escalation trigger {trigger_name!r}: {TODO_SEVERITY} (the file gives none); "
                "move it from escalation.unclassified into immediate or standard"
            )
        result.append(item)
    return result


def _coordination(sections: list[md.Section], unresolved: list[str]) -> list[dict[str, Any]]:
    found = md.find(sections, "coordination")
    if found is None:
        return []
    index, top = found
    partners = []
    for sub in sections[index + 1 :]:
        if sub.level <= top.level:
            break
        heading = re.match(r"with\s+(.+?)\s+agent$", md.clean_title(sub.title))
        if heading is None:
            continue
        role = re.sub(r"[^a-z0-9]+", "-", heading.group(1)).strip("-")
        topics = [md.named(entry)[0] for entry in md.items(sub.lines)]
        protocols = []
        for topic in topics:
            protocol = TOPIC_PROTOCOLS.get(topic.casefold())
            if protocol is None:
                unresolved.append(f"coordination with {role}: no protocol known for {topic!r}")
            else:
                protocols.append(protocol)
        partners.append({"role": role, "topics": topics, "protocols": protocols})
    return partners


def _memory(sections: list[md.Section], unresolved: list[str]) -> list[dict[str, Any]]:
    kinds = []
    for entry in md.items(md.body(sections, "memory") or []):
        name = md.named(entry)[0].casefold().removesuffix(" memory").strip()
        if name in {kind.value for kind in MemoryKind}:
            kinds.append({"kind": name})
        else:
            unresolved.append(f"memory: unknown kind {name!r}")
    if kinds:
        unresolved.append("memory: the role file states no retention; set one per kind")
    return kinds


def _metrics(sections: list[md.Section], unresolved: list[str]) -> list[dict[str, Any]]:
    metrics = []
    for entry in md.items(md.body(sections, "metrics") or []):
        name, target_text = md.named(entry)
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
    "TODO_SEVERITY",
    "TOPIC_PROTOCOLS",
    "TRIGGER_SIGNALS",
    "ImportResult",
    "import_role_file",
    "import_role_markdown",
]
