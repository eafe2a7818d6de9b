"""Coordination protocols as data: who may ask whom for what, with which payload types,
by when, and the rules the gate enforces on top of them.

The Data agent's four partners come from the seed's "Coordination Protocols" section
(Architect, Engineer, Integration, Security). A protocol is a pair of roles, the roles
allowed to open it, a request type, a reply type and a reply deadline. `check_message`
is the single check the gate runs for every SendMessage; it never raises, it returns the
reason a message is refused (or None).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from charter.protocols import StrictModel

Classification = Literal["public", "internal", "confidential", "restricted"]
SENSITIVE_LEVELS: frozenset[str] = frozenset({"confidential", "restricted"})


# --- payload types --------------------------------------------------------------------


class ColumnRef(StrictModel):
    """A column a request is about, with its classification when known."""

    table: str
    column: str
    classification: Classification | None = None
    masking: Literal["none", "masked", "tokenised", "hashed", "dropped"] = "none"

    @property
    def qualified(self) -> str:
        return f"{self.table}.{self.column}"


class Review(StrictModel):
    """The reply every review-style protocol uses: a verdict and why."""

    approved: bool
    subject: str = ""  # what was reviewed: a migration path, a design name, ...
    findings: list[str] = Field(default_factory=list)
    notes: str = ""


class SchemaReviewRequest(StrictModel):
    migration: str  # workspace path of the migration the Architect is asked to review
    sql: str
    tables: list[str] = Field(default_factory=list)
    columns: list[ColumnRef] = Field(default_factory=list)
    rationale: str = ""


class DataArchitectureRequest(StrictModel):
    summary: str
    components: list[str] = Field(default_factory=list)
    storage_pattern: str = ""  # "data lake", "warehouse", "lambda", ...


class TechnologySelectionRequest(StrictModel):
    need: str
    options: list[str] = Field(min_length=1)
    criteria: list[str] = Field(default_factory=list)


class TechnologySelectionReply(StrictModel):
    choice: str
    reasons: list[str] = Field(default_factory=list)


class DataAccessLayerRequest(StrictModel):
    entities: list[str] = Field(min_length=1)
    operations: list[str] = Field(default_factory=list)
    notes: str = ""


class ApiDataModelRequest(StrictModel):
    model: str
    fields: dict[str, str] = Field(default_factory=dict)  # field -> type


class CachingStrategyRequest(StrictModel):
    dataset: str
    ttl_seconds: int = Field(ge=0)
    invalidation: str = "on_write"


class DataSyncRequest(StrictModel):
    source: str
    target: str
    schedule: str = ""
    tables: list[str] = Field(default_factory=list)


class ApiDataContractRequest(StrictModel):
    contract: str
    version: str = "1"
    fields: dict[str, str] = Field(default_factory=dict)


class EtlCoordinationRequest(StrictModel):
    pipeline: str
    depends_on: list[str] = Field(default_factory=list)
    schedule: str = ""
    status: str = ""  # "failed", "recovered", ...


class DataSecurityReviewRequest(StrictModel):
    subject: str  # a migration path, a dataset, ...
    columns: list[ColumnRef] = Field(default_factory=list)
    purpose: str = ""


class PrivacyComplianceRequest(StrictModel):
    regulations: list[str] = Field(min_length=1)  # "GDPR", "CCPA", "SOX"
    datasets: list[str] = Field(default_factory=list)


class MaskingReviewRequest(StrictModel):
    environment: str = "non-production"
    columns: list[ColumnRef] = Field(min_length=1)


class GovernanceAlignmentRequest(StrictModel):
    classifications: list[ColumnRef] = Field(min_length=1)


class ThreatDetectionRequest(StrictModel):
    summary: str
    evidence: list[str] = Field(default_factory=list)
    score: float | None = None


class ComplianceReportRequest(StrictModel):
    period: str
    findings: list[str] = Field(default_factory=list)


class Acknowledgement(StrictModel):
    accepted: bool = True
    notes: str = ""


# --- the registry ---------------------------------------------------------------------


class ProtocolSpec(BaseModel):
    """One coordination protocol between two roles."""

    name: str
    topic: str  # the seed's wording of what it carries
    parties: tuple[str, str]
    initiators: frozenset[str]
    request: type[BaseModel]
    reply: type[BaseModel]
    reply_within: timedelta = timedelta(hours=4)
    rule: str = ""  # a gate rule this protocol feeds, described in words

    def responder_for(self, sender: str) -> str:
        a, b = self.parties
        return b if sender == a else a


def _spec(
    name: str,
    topic: str,
    partner: str,
    request: type[BaseModel],
    reply: type[BaseModel] = Review,
    *,
    both_ways: bool = False,
    within: timedelta = timedelta(hours=4),
    rule: str = "",
) -> ProtocolSpec:
    initiators = {"data", partner} if both_ways else {"data"}
    return ProtocolSpec(
        name=name,
        topic=topic,
        parties=("data", partner),
        initiators=frozenset(initiators),
        request=request,
        reply=reply,
        reply_within=within,
        rule=rule,
    )


PROTOCOLS: dict[str, ProtocolSpec] = {
    spec.name: spec
    for spec in (
        _spec(
            "schema_review",
            "Schema design: the Architect reviews every schema change",
            "architect",
            SchemaReviewRequest,
            within=timedelta(hours=2),
            rule="a migration is applied only after the Architect approved it",
        ),
        _spec("data_architecture", "Data architecture", "architect", DataArchitectureRequest),
        _spec(
            "technology_selection",
            "Technology selection",
            "architect",
            TechnologySelectionRequest,
            TechnologySelectionReply,
        ),
        _spec("data_access_layer", "Data access layers", "engineer", DataAccessLayerRequest),
        _spec(
            "api_data_model",
            "API data models",
            "engineer",
            ApiDataModelRequest,
            both_ways=True,
        ),
        _spec("caching_strategy", "Caching", "engineer", CachingStrategyRequest),
        _spec(
            "data_sync",
            "Data synchronisation",
            "integration",
            DataSyncRequest,
            Acknowledgement,
            both_ways=True,
        ),
        _spec(
            "api_data_contract",
            "API data contracts",
            "integration",
            ApiDataContractRequest,
            both_ways=True,
        ),
        _spec(
            "etl_coordination",
            "ETL coordination",
            "integration",
            EtlCoordinationRequest,
            Acknowledgement,
            both_ways=True,
        ),
        _spec(
            "data_security_review",
            "Data security",
            "security",
            DataSecurityReviewRequest,
            within=timedelta(hours=2),
            rule="a migration touching a confidential or restricted column is applied only "
            "after Security approved it",
        ),
        _spec("privacy_compliance", "Privacy compliance", "security", PrivacyComplianceRequest),
        _spec("masking_review", "Data masking", "security", MaskingReviewRequest),
        _spec(
            "governance_alignment",
            "Governance alignment",
            "security",
            GovernanceAlignmentRequest,
        ),
        _spec(
            "threat_detection",
            "Threat detection",
            "security",
            ThreatDetectionRequest,
            Acknowledgement,
            both_ways=True,
            within=timedelta(minutes=30),
        ),
        _spec(
            "compliance_report",
            "Compliance automation",
            "security",
            ComplianceReportRequest,
            Acknowledgement,
        ),
    )
}


def protocols_between(a: str, b: str) -> list[ProtocolSpec]:
    return [spec for spec in PROTOCOLS.values() if set(spec.parties) == {a, b}]


def check_message(
    *,
    sender: str,
    recipient: str,
    protocol: str,
    payload: Mapping[str, Any],
    is_reply: bool,
    team: Collection[str],
    coordinator: str = "pm",
) -> str | None:
    """Why this message must not be delivered, or None when it follows the protocols.

    Replies travel from responder to requester and carry the protocol's reply type;
    requests travel from an initiator to the other party and carry its request type.
    """
    if recipient not in team:
        return f"unknown recipient {recipient!r} (team: {', '.join(sorted(team))})"
    if recipient == sender:
        return f"{sender} may not delegate to itself"
    if recipient == coordinator:
        return f"nobody delegates to the {coordinator}: escalate or report instead"
    spec = PROTOCOLS.get(protocol)
    if spec is None:
        return f"undeclared protocol {protocol!r}"
    if {sender, recipient} != set(spec.parties):
        return (
            f"protocol {protocol!r} is declared between {spec.parties[0]} and "
            f"{spec.parties[1]}, not {sender} -> {recipient}"
        )
    if not is_reply and sender not in spec.initiators:
        return (
            f"{sender} may not open {protocol!r} (opened by: {', '.join(sorted(spec.initiators))})"
        )
    model = spec.reply if is_reply else spec.request
    try:
        model.model_validate(dict(payload))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "payload"
        return (
            f"payload of {protocol!r} {'reply' if is_reply else 'request'} is not a "
            f"{model.__name__}: {where}: {first['msg']}"
        )
    return None


__all__ = [
    "PROTOCOLS",
    "SENSITIVE_LEVELS",
    "Acknowledgement",
    "ApiDataContractRequest",
    "ApiDataModelRequest",
    "CachingStrategyRequest",
    "Classification",
    "ColumnRef",
    "ComplianceReportRequest",
    "DataAccessLayerRequest",
    "DataArchitectureRequest",
    "DataSecurityReviewRequest",
    "DataSyncRequest",
    "EtlCoordinationRequest",
    "GovernanceAlignmentRequest",
    "MaskingReviewRequest",
    "PrivacyComplianceRequest",
    "ProtocolSpec",
    "Review",
    "SchemaReviewRequest",
    "TechnologySelectionReply",
    "TechnologySelectionRequest",
    "ThreatDetectionRequest",
    "check_message",
    "protocols_between",
]
