"""Personal data at column level: what a column's name hints at, what its values contain.

The value detectors are the shared ones in `charter.protocols.pii`; this module adds the
column view — hints from names (person names and addresses have no value format worth
matching) and the share of sampled values in which each kind is found.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Literal

from charter.protocols import PiiKind, StrictModel, find_pii

Level = Literal["public", "internal", "confidential", "restricted"]
LEVELS: tuple[Level, ...] = ("public", "internal", "confidential", "restricted")

# What each value kind means for classification: payment, national-id and credential data
# are restricted; contact and network identifiers are confidential.
KIND_LEVEL: dict[PiiKind, Level] = {
    PiiKind.CARD: "restricted",
    PiiKind.SSN: "restricted",
    PiiKind.IBAN: "restricted",
    PiiKind.API_KEY: "restricted",
    PiiKind.BEARER_TOKEN: "restricted",
    PiiKind.NATIONAL_ID: "restricted",
    PiiKind.EMAIL: "confidential",
    PiiKind.PHONE: "confidential",
    PiiKind.IP: "confidential",
    PiiKind.DATE_OF_BIRTH: "confidential",
    PiiKind.URL: "internal",  # a link is not personal by itself
}


class NameHint(StrictModel):
    """A column name that suggests personal or secret data."""

    hint: str  # e.g. "email", "person_name", "national_id"
    level: Level
    tokens: list[str]


def _options(*phrases: str) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(phrase.split()) for phrase in phrases)


# hint -> (level, token sets; a set matches when all its tokens are in the name)
_NAME_HINTS: dict[str, tuple[Level, tuple[frozenset[str], ...]]] = {
    "national_id": ("restricted", _options(
        "ssn", "social security", "national id", "passport", "tax id", "nin", "sin", "nino",
        "pesel", "insurance number", "personal number", "personnummer", "nir", "bsn",
        "fiscal code", "codice fiscale", "dni", "nie", "id number")),
    "card": ("restricted", _options(
        "card number", "credit card", "cc number", "cvv", "cvc", "cvn", "pan",
        "security code", "card expiry", "expiry", "expiration", "exp date", "ccexp")),
    "bank_account": ("restricted", _options(
        "iban", "account number", "bank account", "routing number", "bban", "sort code")),
    "secret": ("restricted", _options(
        "password", "passwd", "pwd", "secret", "api key", "apikey", "token", "pin",
        "passphrase", "credential", "credentials")),
    "health": ("restricted", _options(
        "diagnosis", "medical", "health", "prescription", "blood", "bloodtype", "allergy")),
    "email": ("confidential", _options("email", "mail", "e mail")),
    "phone": ("confidential", _options(
        "phone", "mobile", "tel", "telephone", "fax", "msisdn", "cell", "telefon")),
    "birth_date": ("confidential", _options("dob", "birth", "birthday", "birthdate", "born")),
    "person_name": ("confidential", _options(
        "first name", "last name", "full name", "given name", "family name", "middle name",
        "surname", "firstname", "lastname", "fullname", "maiden name", "maiden", "forename",
        "givenname", "familyname", "person name", "customer name", "nachname", "vorname")),
    "username": ("confidential", _options(
        "username", "user name", "login name", "login id", "nickname", "screen name")),
    # A postcode alone covers many households: not an address hint by itself.
    "address": ("confidential", _options("address", "street", "addr")),
    "ip_address": ("confidential", _options("ip", "ipv4", "ipv6")),
    "geo": ("confidential", _options(
        "latitude", "longitude", "lat", "lng", "lon", "long lat", "coordinates", "geo",
        "geolocation")),
    "compensation": ("confidential", _options("salary", "income", "wage")),
}  # fmt: skip

# Split between a lower-case letter or digit and an upper-case one ("customerEmail"),
# inside an upper-case run before a capitalised word ("CCNumber" -> CC Number,
# "IPAddress" -> IP Address), and between letters and digits ("CVV2", "c01").
_SPLIT = re.compile(
    r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])"
)


def name_tokens(name: str) -> list[str]:
    """``customerEmail_2`` -> ["customer", "email", "2"]; ``CCNumber`` -> ["cc", "number"];
    ``CVV2`` -> ["cvv", "2"]."""
    spaced = _SPLIT.sub("_", name)
    return [token for token in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if token]


def name_hints(name: str) -> list[NameHint]:
    """Every hint the column name gives, most sensitive first."""
    tokens = set(name_tokens(name))
    found: list[NameHint] = []
    for hint, (level, options) in _NAME_HINTS.items():
        for option in options:
            if option <= tokens:
                found.append(NameHint(hint=hint, level=level, tokens=sorted(option)))
                break
    if any(h.hint == "ip_address" for h in found):
        found = [h for h in found if h.hint != "address"]  # "IPAddress" is not a street
    found.sort(key=lambda h: -LEVELS.index(h.level))
    return found


def value_shares(values: Iterable[object]) -> tuple[dict[PiiKind, float], int]:
    """Share of the values (non-null, as text) in which each kind is found, and how many
    values were scanned. Numbers are scanned too: card numbers are often stored as integers.
    Each distinct value is scanned once (a status column costs a handful of scans)."""
    seen: Counter[str] = Counter()
    for value in values:
        if value is None or isinstance(value, bool | float | bytes):
            continue
        text = str(value)
        if text.strip():
            seen[text] += 1
    scanned = sum(seen.values())
    if not scanned:
        return {}, 0
    counts: Counter[PiiKind] = Counter()
    for text, times in seen.items():
        for kind in {match.kind for match in find_pii(text)}:
            counts[kind] += times
    return {kind: counts[kind] / scanned for kind in PiiKind if counts[kind]}, scanned


__all__ = ["KIND_LEVEL", "LEVELS", "Level", "NameHint", "name_hints", "name_tokens", "value_shares"]
