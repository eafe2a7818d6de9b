"""Column classification (public / internal / confidential / restricted) with evidence.

Rules, in the order they are weighed:
1. Values: the recognisers (`recognise`) report the share of sampled values of each kind —
   cards, IBANs, national identifiers of many countries, passwords, card expiry dates,
   blood types (restricted); e-mails, phones, IPs, dates of birth, person names, street
   addresses, user names, coordinates, free text naming people (confidential). A kind in at
   least `share_threshold` of the values decides. A column whose values are personal data
   of mixed kinds is decided by the share that is personal at all, at the most sensitive
   kind seen in it. Smaller shares are kept as non-decisive evidence.
2. Context from the other columns of the table: a column of 3-4 digit numbers in a table
   that holds card numbers is a CVV; decimals in latitude range next to decimals in
   longitude range are coordinates.
3. Names: hints such as ``ssn``, ``password``, ``cvv``, ``email``, ``maiden_name``,
   ``latitude`` (split on ``_``, case changes and digits: ``CCNumber``, ``CVV2``) decide
   even when the values do not show it.
4. Otherwise the column is ``public`` when its values are reference data (ISO country,
   currency, language codes or names, time zones) or it is declared public, else
   ``internal``. Such a column is marked ``confident`` only when its values give no
   reason for doubt (numbers, dates, a few repeated codes, identifiers of one shape);
   word-like or free text that nothing recognised stays unconfident, and masking treats
   it as possibly personal (fail closed).
The most sensitive decisive piece of evidence wins. Evidence never holds raw values.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Engine

from charter.protocols import ConfigError, PiiKind

from .catalogue import ColumnEntry, Evidence, GovernanceCatalogue, TableEntry
from .pii import KIND_LEVEL, LEVELS, Level, name_hints, name_tokens
from .profile import ColumnProfile, DatabaseProfile, profile_database
from .recognise import KIND_LEVELS, KIND_WORDS, ValueReport

DEFAULT_SHARE_THRESHOLD = 0.3
_PUBLIC_TOKENS = frozenset({"country", "currency", "language", "locale", "timezone"})
# A kind present in at least this share of a mixed personal column sets its level.
_MIXED_FLOOR = 0.05
# Reference data must make up nearly the whole column to call it public.
_REFERENCE_SHARE = 0.8
# Share of 3-4 digit values that makes a column a CVV candidate (numbers under 100 lose
# their leading zero when stored as integers: about a tenth of real codes).
_CVV_SHARE = 0.85
_FIXED_FAMILIES = frozenset({"integer", "float", "numeric", "boolean", "datetime", "date", "time"})


def _level_of(kind: str) -> Level:
    return KIND_LEVELS.get(kind, "confidential")


def _card_column(table: Sequence[ColumnProfile], threshold: float) -> str | None:
    for other in table:
        report = other.values
        if report is not None and report.shares.get("card", 0.0) >= threshold:
            return other.name
        if any(h.hint == "card" for h in name_hints(other.name)) and "cvv" not in name_tokens(
            other.name
        ):
            return other.name
    return None


def _coordinates_partner(column: ColumnProfile, table: Sequence[ColumnProfile]) -> str | None:
    """Another decimal column in coordinate range: latitude pairs with longitude."""
    for other in table:
        if other.name == column.name or other.values is None or other.values.coordinate is None:
            continue
        return other.name
    return None


def _value_evidence(
    column: ColumnProfile,
    report: ValueReport,
    share_threshold: float,
    table: Sequence[ColumnProfile],
) -> list[Evidence]:
    evidence: list[Evidence] = []
    sampled = report.sampled
    for kind, share in sorted(report.shares.items(), key=lambda item: -item[1]):
        words = KIND_WORDS.get(kind, kind.replace("_", " "))
        if kind == "national_id" and report.national_scheme:
            words += f", scheme {report.national_scheme}"
        detail = (
            f"{share:.0%} of {sampled} sampled values are {words} "
            f"({report.examples.get(kind, 0)} distinct)"
        )
        if kind == "card_expiry":
            card = _card_column(table, share_threshold)
            if card is not None:
                detail += f"; the table holds card numbers in {card!r}"
        evidence.append(
            Evidence(
                source="values",
                detail=detail,
                kind=kind,
                share=round(share, 6),
                examples=report.examples.get(kind, 0),
                level=_level_of(kind),
                decisive=share >= share_threshold,
            )
        )
    decided = any(e.decisive for e in evidence)
    if not decided and report.personal_share >= share_threshold:
        mixed = [e for e in evidence if (e.share or 0) >= _MIXED_FLOOR and e.level != "internal"]
        if mixed:
            top = max(mixed, key=lambda e: LEVELS.index(e.level))
            kinds = ", ".join(sorted({e.kind or "" for e in mixed}))
            evidence.append(
                Evidence(
                    source="values",
                    detail=f"{report.personal_share:.0%} of {sampled} sampled values are "
                    f"personal data of mixed kinds ({kinds})",
                    kind="mixed_personal",
                    share=round(report.personal_share, 6),
                    level=top.level,
                )
            )
    if report.digits_3_4 >= _CVV_SHARE and not report.shares:
        card = _card_column(table, share_threshold)
        if card is not None:
            evidence.append(
                Evidence(
                    source="context",
                    detail=f"{report.digits_3_4:.0%} of {sampled} sampled values are 3-4 digit "
                    f"numbers and the table holds card numbers in {card!r}: card security codes",
                    kind="cvv",
                    share=round(report.digits_3_4, 6),
                    examples=report.distinct,
                    level="restricted",
                )
            )
    if report.coordinate is not None:
        partner = _coordinates_partner(column, table)
        hinted = any(h.hint == "geo" for h in name_hints(column.name))
        if partner is not None or hinted:
            why = f"next to {partner!r}, also in coordinate range" if partner else "named so"
            evidence.append(
                Evidence(
                    source="context",
                    detail=f"decimals with 4+ places in {report.coordinate} range, {why}: "
                    "geographic coordinates",
                    kind="geo",
                    share=1.0,
                    examples=report.distinct,
                    level="confidential",
                )
            )
    return evidence


def _confidence(
    column: ColumnProfile, report: ValueReport | None, evidence: list[Evidence]
) -> tuple[bool, str]:
    """Whether a column left at public/internal is surely not personal, and why."""
    if report is None:
        return False, "values not read by the recognisers"
    reference = report.reference is not None and report.reference_share >= _REFERENCE_SHARE
    if reference:
        return True, f"{report.reference_share:.0%} of values are {report.reference} reference data"
    if any(e.source == "values" and (e.share or 0) > 0 and e.level != "internal" for e in evidence):
        return False, "some values are personal data (below the deciding share)"
    if report.sampled == 0:
        if column.null_share == 1.0 or column.row_count == 0:
            return True, "no values at all"
        return False, "no values sampled"
    if report.numeric or column.family in _FIXED_FAMILIES:
        if report.digits_3_4 >= _CVV_SHARE and report.distinct > 50:
            return False, "3-4 digit numbers of high variety (security codes or PINs?)"
        return True, f"{column.family} values"
    if report.distinct <= 30 or report.distinct <= 0.02 * report.sampled:
        return True, f"{report.distinct} distinct values in {report.sampled}: an enumeration"
    if report.digits_3_4 >= _CVV_SHARE:
        return False, "3-4 digit codes of high variety (security codes or PINs?)"
    if report.texty >= 0.3:
        return False, "words or free text that no recogniser explained"
    if report.identifier_like >= 0.8 and report.distinct >= 0.9 * report.sampled:
        # Nearly every row its own number: an order number, or someone's identifier in a
        # scheme no recogniser knows. A keyed token keeps joins on it working.
        return False, "identifier-like values, nearly one per row, of an unrecognised scheme"
    if report.shape_count > 12:
        return False, "values of many shapes that no recogniser explained"
    return True, f"codes of {report.shape_count} shape(s) that no recogniser took for personal"


def classify_column(
    column: ColumnProfile,
    *,
    share_threshold: float = DEFAULT_SHARE_THRESHOLD,
    public: bool = False,
    table: Sequence[ColumnProfile] = (),
) -> ColumnEntry:
    """The level of one profiled column and the evidence for it. `table` is every column
    of its table (for context rules); a profile without value reports falls back to the
    `find_pii` shares."""
    evidence: list[Evidence] = []
    report = column.values
    if report is not None:
        evidence += _value_evidence(column, report, share_threshold, table)
    else:
        for kind_name, share in sorted(column.pii.items(), key=lambda item: -item[1]):
            kind = PiiKind(kind_name)
            evidence.append(
                Evidence(
                    source="values",
                    detail=f"{share:.0%} of {column.sampled} sampled values are "
                    f"{KIND_WORDS[str(kind)]}",
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
    else:
        reference = (
            report is not None
            and report.reference is not None
            and report.reference_share >= _REFERENCE_SHARE
        )
        if public or reference or _PUBLIC_TOKENS & set(name_tokens(column.name)):
            level = "public"
            if public:
                reason = "listed as public"
            elif reference and report is not None:
                reason = f"{report.reference_share:.0%} of values are {report.reference} data"
            else:
                reason = "a reference attribute"
            evidence.append(
                Evidence(source="default", detail=f"no personal data found; {reason}", level=level)
            )
        else:
            level = "internal"
            evidence.append(
                Evidence(
                    source="default",
                    detail="no personal data found in name or values",
                    level=level,
                )
            )
    # Confidence matters only where masking would copy the column in clear.
    confident = True
    if level in ("public", "internal"):
        confident, why = (
            (True, "declared public") if public else _confidence(column, report, evidence)
        )
        word = "confidently" if confident else "not confidently"
        evidence.append(
            Evidence(source="confidence", detail=f"{word} {level}: {why}", level=level,
                     decisive=False)
        )  # fmt: skip
    return ColumnEntry(
        level=level,
        family=column.family,
        evidence=evidence,
        null_share=column.null_share,
        distinct_share=column.distinct_share,
        confident=confident,
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
                table=table.columns,
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
    """Profile (with the value recognisers; ages measured from `now`, default today) and
    classify a database."""
    today = now.date() if now is not None else date.today()
    profile = profile_database(
        target, tables, sample_size=sample_size, distinct=True, recognise_on=today
    )
    return catalogue_from_profile(
        profile, now=now, share_threshold=share_threshold, public_columns=public_columns
    )


__all__ = [
    "DEFAULT_SHARE_THRESHOLD",
    "catalogue_from_profile",
    "classify_column",
    "classify_database",
]
