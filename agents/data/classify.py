"""Column classification (public / internal / confidential / restricted) with evidence.

Rules, in the order they are weighed:
1. Values: a PII kind found in at least `share_threshold` of the sampled values classifies
   the column at that kind's level (cards, SSNs, IBANs, keys and tokens: restricted;
   e-mails, phones, IPs, dates of birth: confidential). Smaller shares are recorded as
   non-decisive evidence, so a reviewer still sees them.
2. Names: hints such as ``ssn``, ``password``, ``email``, ``first_name``, ``address``
   classify the column even when values do not show it (names and addresses have no
   checkable format).
3. Otherwise the column is ``internal`` — unless it is listed as public, or its name is a
   well-known reference attribute (country, currency, language) — never ``public`` by
   accident.
The most sensitive decisive piece of evidence wins.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from charter.protocols import ConfigError, PiiKind

from .catalogue import ColumnEntry, Evidence, GovernanceCatalogue, TableEntry
from .pii import KIND_LEVEL, LEVELS, Level, name_hints, name_tokens
from .profile import ColumnProfile, DatabaseProfile, profile_database

DEFAULT_SHARE_THRESHOLD = 0.3
_PUBLIC_TOKENS = frozenset({"country", "currency", "language", "locale", "timezone"})

_KIND_WORDS = {
    PiiKind.EMAIL: "e-mail addresses",
    PiiKind.PHONE: "phone numbers",
    PiiKind.CARD: "payment card numbers (Luhn-valid)",
    PiiKind.SSN: "US social security numbers",
    PiiKind.IBAN: "IBANs (checksum-valid)",
    PiiKind.IP: "IP addresses",
    PiiKind.API_KEY: "API keys",
    PiiKind.BEARER_TOKEN: "bearer tokens",
    PiiKind.DATE_OF_BIRTH: "dates of birth",
    PiiKind.NATIONAL_ID: "national identifiers (NINO, PESEL, NHS; checksum-valid)",
    PiiKind.URL: "URLs",
}


def classify_column(
    column: ColumnProfile,
    *,
    share_threshold: float = DEFAULT_SHARE_THRESHOLD,
    public: bool = False,
) -> ColumnEntry:
    """The level of one profiled column and the evidence for it."""
    evidence: list[Evidence] = []
    for kind_name, share in sorted(column.pii.items(), key=lambda item: -item[1]):
        kind = PiiKind(kind_name)
        evidence.append(
            Evidence(
                source="values",
                detail=f"{share:.0%} of {column.sampled} sampled values are {_KIND_WORDS[kind]}",
                kind=str(kind),
                share=share,
                level=KIND_LEVEL[kind],
                decisive=share >= share_threshold,
            )
        )
    for hint in name_hints(column.name):
        evidence.append(
            Evidence(
                source="name",
                detail=f"column name {column.name!r} suggests {hint.hint.replace('_', ' ')}",
                kind=hint.hint,
                level=hint.level,
            )
        )
    decisive = [e for e in evidence if e.decisive]
    if decisive:
        level: Level = max((e.level for e in decisive), key=LEVELS.index)
    elif public or _PUBLIC_TOKENS & set(name_tokens(column.name)):
        level = "public"
        reason = "listed as public" if public else "a reference attribute"
        evidence.append(
            Evidence(source="default", detail=f"no personal data found; {reason}", level=level)
        )
    else:
        level = "internal"
        evidence.append(
            Evidence(
                source="default", detail="no personal data found in name or values", level=level
            )
        )
    return ColumnEntry(
        level=level,
        family=column.family,
        evidence=evidence,
        null_share=column.null_share,
        distinct_share=column.distinct_share,
    )


def catalogue_from_profile(
    profile: DatabaseProfile,
    *,
    now: datetime | None = None,
    share_threshold: float = DEFAULT_SHARE_THRESHOLD,
    public_columns: Collection[str] = (),
) -> GovernanceCatalogue:
    """Classify every profiled column. `public_columns` are ``table.column`` names a
    person has declared public."""
    if not 0 < share_threshold <= 1:
        raise ConfigError(f"share threshold {share_threshold}: expected a number in (0, 1]")
    tables: dict[str, TableEntry] = {}
    for table in profile.tables:
        columns = {
            column.name: classify_column(
                column,
                share_threshold=share_threshold,
                public=f"{table.table}.{column.name}" in public_columns,
            )
            for column in table.columns
        }
        tables[table.table] = TableEntry(row_count=table.row_count, columns=columns)
    return GovernanceCatalogue(database=profile.database, generated_at=now, tables=tables)


def classify_database(
    target: str | Path | Engine,
    tables: list[str] | None = None,
    *,
    now: datetime | None = None,
    sample_size: int = 1000,
    share_threshold: float = DEFAULT_SHARE_THRESHOLD,
    public_columns: Collection[str] = (),
) -> GovernanceCatalogue:
    """Profile (without distinct counts unless needed) and classify a database."""
    profile = profile_database(target, tables, sample_size=sample_size, distinct=True)
    return catalogue_from_profile(
        profile, now=now, share_threshold=share_threshold, public_columns=public_columns
    )


__all__ = [
    "DEFAULT_SHARE_THRESHOLD",
    "catalogue_from_profile",
    "classify_column",
    "classify_database",
]
