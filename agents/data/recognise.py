"""Value recognisers: what a column's sampled values are, beyond what `find_pii` finds in text.

`find_pii` looks for personal data inside free text; a column needs more: a column of given
names or street addresses has no checksum to test, a password column is only random-looking
strings, a CVV is three digits that mean something only next to a card number. This module
reads a bounded sample of a column's distinct values and reports, per kind, the share of
values that kind accounts for (never the values themselves), plus the share that is
personal at all (a mixed "contact" column is personal even when no single kind dominates).

Libraries do the checkable parts: `python-stdnum` validates national identifiers of many
countries (each with its own checksum or date rule), `phonenumbers` decides whether a
string is a dialable number of some country, `pycountry` knows country, currency and
language codes and names (public reference data). Names come from a compact list committed
with the package (`reference/first_names.txt`, `surnames.txt`); addresses from a shape rule
(street words of several languages plus a house number), since address parsers are tied to
one country. Context rules that need other columns (CVV next to a card, latitude next to
longitude) are in `classify`.
"""

from __future__ import annotations

import functools
import importlib
import itertools
import math
import re
import statistics
import unicodedata
import zoneinfo
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any

from pydantic import Field

from charter.protocols import PiiKind, StrictModel, find_pii

from .pii import KIND_LEVEL, Level

# Distinct values read per column: enough for shares within a few percent, and it bounds the
# cost of the library checks (phonenumbers parses ~20 µs per value) on any table width.
MAX_DISTINCT = 300
_MAX_TEXT = 2000

# Column-level kinds this module adds to find_pii's, with their level.
KIND_LEVELS: dict[str, Level] = {
    **{str(kind): level for kind, level in KIND_LEVEL.items()},
    "person_name": "confidential",
    "address": "confidential",
    "username": "confidential",
    "geo": "confidential",
    "free_text_personal": "confidential",
    "secret": "restricted",
    "card_expiry": "restricted",
    "cvv": "restricted",
    "blood_type": "restricted",
}

KIND_WORDS: dict[str, str] = {
    "email": "e-mail addresses",
    "phone": "phone numbers (valid for their country)",
    "card": "payment card numbers (Luhn-valid)",
    "ssn": "US social security numbers",
    "iban": "IBANs (checksum-valid)",
    "ip": "IP addresses",
    "api_key": "API keys",
    "bearer_token": "bearer tokens",
    "date_of_birth": "dates of birth",
    "national_id": "national identifiers (checksum- or shape-valid)",
    "url": "URLs",
    "person_name": "person names",
    "address": "street addresses",
    "username": "user names built from person names",
    "geo": "geographic coordinates",
    "free_text_personal": "free text containing personal data",
    "secret": "passwords or secrets (high entropy, mixed character classes)",
    "card_expiry": "card expiry dates (MM/YY)",
    "cvv": "card security codes (3-4 digits next to a card column)",
    "blood_type": "blood types",
}


class ValueReport(StrictModel):
    """What one column's sampled values are. Shares are of `sampled` (non-null values,
    counted with their repeats); `examples` counts distinct values behind each kind."""

    sampled: int = 0
    distinct: int = 0
    shares: dict[str, float] = Field(default_factory=dict)
    examples: dict[str, int] = Field(default_factory=dict)
    personal_share: float = 0.0  # values matching any personal kind
    reference: str | None = None  # public reference data found: "country", "currency", ...
    reference_share: float = 0.0
    national_scheme: str | None = None  # the stdnum module that validated most values
    digits_3_4: float = 0.0  # share of values that are 3-4 digits (CVV candidates)
    coordinate: str | None = None  # "latitude" or "longitude" range when values are decimals
    numeric: bool = False  # every value a number
    texty: float = 0.0  # share of values that are words (letters and spaces)
    # Share of values that look like identifiers: 4+ digits in at most four parts, not a
    # date, time or decimal (order numbers, but also unknown national or account numbers).
    identifier_like: float = 0.0
    shape_count: int = 0  # distinct value shapes (letters -> a, digits -> 9)


# ---------------------------------------------------------------------------- libraries


def _name_list(file: str) -> frozenset[str]:
    text = resources.files("charter.agents.data").joinpath(f"reference/{file}")
    lines = text.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@functools.cache
def _first_names() -> frozenset[str]:
    return _name_list("first_names.txt")


@functools.cache
def _surnames() -> frozenset[str]:
    return _name_list("surnames.txt")


@functools.cache
def _person_names() -> frozenset[str]:
    """First names and surnames (lower case) of many locales."""
    return _first_names() | _surnames()


# National identifiers with a checksum or a strict date rule (python-stdnum module names).
_NATIONAL_SCHEMES = (
    "us.ssn", "pl.pesel", "fr.nir", "it.codicefiscale", "es.dni", "es.nie", "nl.bsn",
    "de.idnr", "se.personnummer", "fi.hetu", "no.fodselsnummer", "be.nn", "ch.ssn", "cz.rc",
    "bg.egn", "ro.cnp", "pt.cc", "ee.ik", "lt.asmens", "br.cpf", "cn.ric", "mx.curp",
    "za.idnr", "il.idnr", "kr.rrn", "ca.sin", "gr.amka", "hr.oib", "ie.pps", "is_.kennitala",
    "si.emso", "tr.tckimlik", "gb.nhs", "in_.aadhaar",
)  # fmt: skip


@functools.cache
def _schemes() -> tuple[tuple[str, Callable[[str], bool]], ...]:
    found = []
    for name in _NATIONAL_SCHEMES:
        try:
            module = importlib.import_module(f"stdnum.{name}")
        except ImportError:  # pragma: no cover - an older stdnum without the module
            continue
        found.append((name.replace("_", ""), module.is_valid))
    return tuple(found)


# UK National Insurance numbers: the shape alone, any prefix and suffix letter (issued ones
# end A-D, but placeholder and test numbers such as "ZZ 91 41 77 T" still stand for a
# person in the form they were typed into).
_NINO_SHAPE = re.compile(r"[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-Z]?")


def _national_ids(text: str, only: Collection[str] = ()) -> set[str]:
    compact = re.sub(r"[\s./-]", "", text)
    if (
        not 8 <= len(compact) <= 20
        or not compact.isalnum()
        or not any(c.isdigit() for c in compact)
    ):
        return set()
    found = {
        name for name, valid in _schemes() if (not only or name in only) and _quiet(valid, text)
    }
    if _NINO_SHAPE.fullmatch(text.strip().upper()) and text.strip()[:2].isupper():
        found.add("gb.nino")
    return found


def _quiet(check: Callable[[str], bool], text: str) -> bool:
    try:
        return bool(check(text))
    except Exception:  # a validator that trips over odd input: not a match
        return False


_PHONE_CHARS = re.compile(r"\+?[\d\s().\-/]+(?:\s*(?:x|ext\.?)\s*\d{1,6})?", re.IGNORECASE)
# Regions tried for numbers written without a country code: the most populous dialling
# plans plus the EU. A number valid in one of them is a phone number.
_PHONE_REGIONS = (
    "US", "GB", "DE", "FR", "IT", "ES", "PL", "NL", "BE", "AT", "CH", "SE", "DK", "NO", "FI",
    "PT", "IE", "CZ", "RO", "HU", "GR", "IN", "CN", "JP", "BR", "MX", "AU", "CA", "RU",
    "TR", "IL", "ZA", "KR",
)  # fmt: skip


# Dates, decimals and dotted quads are made of the same characters as phone numbers.
_NOT_PHONE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|[+-]?\d+\.\d+|(?:\d{1,3}\.){3}\d{1,3}"
)


def is_phone(text: str) -> bool:
    """A dialable number of some country (libphonenumber's metadata decides)."""
    import phonenumbers

    stripped = text.strip()
    if not _PHONE_CHARS.fullmatch(stripped) or _NOT_PHONE.fullmatch(stripped):
        return False
    digits = sum(c.isdigit() for c in stripped)
    if not 7 <= digits <= 17:
        return False
    if stripped.startswith(("+", "00")):
        candidate = "+" + stripped[2:] if stripped.startswith("00") else stripped
        try:
            return bool(phonenumbers.is_valid_number(phonenumbers.parse(candidate, None)))
        except phonenumbers.NumberParseException:
            return False
    if stripped.isdigit() and len(stripped) > 11:
        return False  # 12+ bare digits: an article or account number, not a dialled one
    for region in _PHONE_REGIONS:
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(stripped, region)):
                return True
        except phonenumbers.NumberParseException:
            return False
    return False


def reference_key(text: str) -> str:
    """A reference name reduced for matching: lower case, accents and bracketed or
    comma-separated qualifiers dropped ("Bolivia, Plurinational State of" -> "bolivia",
    "Cayman (Îles)" -> "cayman", "Côte d’Ivoire" -> "cote d ivoire")."""
    text = re.sub(r"\(.*?\)", " ", text).split(",")[0]
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w/+]+", " ", text.lower()).split())


@functools.cache
def _reference_sets() -> dict[str, frozenset[str]]:
    """Public reference values (as `reference_key`s): ISO country codes and names (in
    several languages through pycountry's translations), currencies, languages, time
    zones."""
    import gettext

    import pycountry

    countries: set[str] = set()
    names: list[str] = []
    for country in pycountry.countries:
        for attr in ("alpha_2", "alpha_3", "name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                countries.add(reference_key(value))
                if attr != "alpha_2" and attr != "alpha_3":
                    names.append(value)
    for language in ("de", "fr", "it", "es", "pl", "nl", "pt", "sv", "da", "cs", "fi", "hu"):
        try:
            translation = gettext.translation(
                "iso3166-1", pycountry.LOCALES_DIR, languages=[language]
            )
        except OSError:
            continue
        countries.update(reference_key(translation.gettext(name)) for name in names)
    currencies = {reference_key(c.alpha_3) for c in pycountry.currencies}
    currencies |= {reference_key(c.name) for c in pycountry.currencies}
    languages: set[str] = set()
    for language in pycountry.languages:
        for attr in ("alpha_2", "alpha_3", "name"):
            value = getattr(language, attr, None)
            if value:
                languages.add(reference_key(value))
    zones = {reference_key(zone) for zone in zoneinfo.available_timezones()}
    return {
        "country": frozenset(countries),
        "currency": frozenset(currencies),
        "language": frozenset(languages),
        "timezone": frozenset(zones),
    }


# --------------------------------------------------------------------- shape recognisers


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_TITLES = _words(
    """
    mr mrs ms miss mx dr prof sir dame herr frau pan pani sig sig.ra signor signora dott
    ing mme mlle m monsieur madame sr sra srta don doña dhr mevr jr sr. ii iii iv phd md
    mba bsc msc ba ma dipl univ mag b.sc m.sc ph.d
    """
)
# Place-name words: "Lake Jessica", "Port Johnmouth", "Bad Homburg" are towns, not people.
_PLACE_WORDS = _words(
    """
    lake port east west north south new mount mt fort saint st san santa sankt bad sur
    upon on city town village ville burg field view valley
    """
)
_PARTICLES = _words(
    """
    van der den de von zu di da del della la le du des dos y e ter ten
    """
)
_COMPANY_WORDS = _words(
    """
    gmbh ag kg ohg kgaa ug ltd limited inc llc plc corp co company group sa sas sarl spa
    srl snc sp z o.o s.a. s.p.a. bv nv ab as oy holding holdings partners and und et & e
    y i oraz associates industries
    """
)
_NAME_TOKEN = re.compile(r"[^\W\d_](?:[^\W\d_]|['’.-])*")


def _name_tokens(text: str) -> list[str] | None:
    """The tokens of a name-shaped value (letters, capitalised), or None."""
    if len(text) > 80 or any(c.isdigit() for c in text) or "@" in text:
        return None
    tokens = [t for t in re.split(r"[\s,]+", text.strip()) if t]
    if not 1 <= len(tokens) <= 6:
        return None
    return tokens


def is_person_name(text: str) -> bool:
    """Capitalised words, one of them a known first name or surname, no company words."""
    tokens = _name_tokens(text)
    if tokens is None:
        return False
    names = _person_names()
    hits = 0
    words = 0
    for token in tokens:
        lowered = token.lower().rstrip(".")
        if lowered in _COMPANY_WORDS or lowered in _PLACE_WORDS:
            return False
        if lowered in _TITLES or lowered in _PARTICLES:
            continue
        if not _NAME_TOKEN.fullmatch(token) or not token[0].isupper():
            return False
        if token.isupper() and len(token) <= 3:
            return False  # "US", "GBP": a code, not a name
        words += 1
        parts = [p for p in re.split(r"[-'’]", lowered) if p]
        if any(part in names for part in parts):
            hits += 1
    return words >= 1 and hits >= 1 and hits * 2 >= words


_USERNAME = re.compile(r"[a-z][a-z0-9._-]{2,31}")


_TLDS = frozenset(("com", "net", "org", "biz", "info", "edu", "gov", "mil", "int", "eu",
                   "name", "pro", "app", "dev", "io", "shop", "online", "site", "web"))  # fmt: skip
_DOTTED_WORD = re.compile(r"[a-z-]+\.[a-z0-9]{2,6}")  # a domain or a file name


def is_username(text: str) -> bool:
    """A login built from a person's name: ``maria.rossi``, ``jsmith``, ``richardcooper``,
    ``maryse99``. A single word that happens to be a name counts only with digits or a
    separator beside it ("anna" alone is as likely a status or a product)."""
    if not _USERNAME.fullmatch(text):
        return False
    names = _person_names()
    if _DOTTED_WORD.fullmatch(text):
        suffix = text.rpartition(".")[2]
        if len(suffix) < 3 or suffix in _TLDS or suffix not in names:
            return False  # a domain ("weber.de", "smith.info") or a file name
    decorated = text != text.strip("._-0123456789") or any(c in "._-" for c in text)
    decorated = decorated or any(c.isdigit() for c in text)
    for part in re.split(r"[._\-\d]+", text):
        if len(part) < 3:
            continue
        if part in names and decorated:
            return True
        # Two names run together ("richardcooper"), or an initial and a surname ("jsmith").
        for cut in range(3, len(part) - 2):
            if part[:cut] in names and part[cut:] in names:
                return True
        if len(part) >= 5 and part[1:] in names:
            return True
    return False


# Street words of several languages: whole words, and endings of compound street names
# (German "Beckergasse", Dutch "Kerkstraat").
_STREET_WORDS = _words(
    """
    street st avenue ave av road rd lane ln drive dr court ct boulevard blvd bd way
    place pl square sq terrace trail parkway pkwy circle cir highway hwy crescent close
    gardens grove mews row walk hill park flat apt apartment suite unit floor straße
    strasse str gasse weg allee platz ring damm ufer chaussee steig pfad rue chemin
    impasse allée quai cours passage voie via viale piazza corso vicolo largo borgo
    contrada strada piazzale appartamento calle avenida plaza paseo camino carrera ronda
    urbanización travesía glorieta ul ulica al aleja plac osiedle skwer straat laan
    plein gracht kade dreef singel rua praça travessa gatan vägen gade vej katu tie
    """
)
_STREET_ENDINGS = (
    "straße", "strasse", "str.", "gasse", "weg", "allee", "platz", "ring", "damm", "ufer",
    "straat", "laan", "plein", "gracht", "kade", "dreef", "singel", "boulevard",
    "gatan", "vägen", "gade", "vej", "katu", "tie",
)  # fmt: skip
_HOUSE_NUMBER = re.compile(r"(?<![\w])\d{1,5}[a-zA-Z]?(?:\s?[/-]\s?\d{1,5}[a-zA-Z]?)?(?![\w])")


# Where no street word is written (Czech, Slovak, Nordic, Dutch forms): capitalised words,
# then a house number, alone on the first line: "Národní 1008/12", "Karl Johans gate 7".
_STREET_THEN_NUMBER = re.compile(
    r"[^\W\d_][\w'’.-]*(?:\s[\w'’.-]+){0,2}\s\d{1,5}[a-zA-Z]?(?:\s?/\s?\d{1,5}[a-zA-Z]?)?"
)


def is_address(text: str) -> bool:
    """A house number and a street word of one of several languages, or a capitalised
    street name followed by a house number (as the first line of a longer address)."""
    if not 5 <= len(text) <= 200 or "@" in text or "://" in text:
        return False
    if not _HOUSE_NUMBER.search(text):
        return False
    first_line = text.strip().splitlines()[0].strip().rstrip(",")
    if first_line[:1].isupper() and _STREET_THEN_NUMBER.fullmatch(first_line):
        return True
    words = [w.strip(".,").lower() for w in re.split(r"[\s,]+", text) if w.strip(".,")]
    if sum(any(c.isalpha() for c in w) for w in words) < 1:
        return False
    for word in words:
        if word in _STREET_WORDS or word.rstrip(".") in _STREET_WORDS:
            return True
        if len(word) > 6 and word.endswith(_STREET_ENDINGS):
            return True
    return False


_CLASSES = (str.islower, str.isupper, str.isdigit)


def is_secret(text: str) -> bool:
    """A password or secret: one token, 8-128 characters, lower and upper case letters and
    digits or symbols mixed through it, and enough entropy that it was not typed as a word."""
    if not 8 <= len(text) <= 128 or any(c.isspace() for c in text):
        return False
    if "://" in text or "@" in text:
        return False
    lower = any(c.islower() for c in text)
    upper = any(c.isupper() for c in text)
    digit = any(c.isdigit() for c in text)
    # Path and name punctuation alone ("Europe/Paris", "Report.pdf") is not a password's.
    symbol = any(not c.isalnum() and c not in "/_-.:" for c in text)
    if not (lower and upper and (digit or symbol)):
        return False
    # Class changes along the string: "Hello2024" has 2, "+xP529XwvH" has 6.
    kinds = [next((i for i, test in enumerate(_CLASSES) if test(c)), 3) for c in text]
    changes = sum(a != b for a, b in itertools.pairwise(kinds))
    if changes < max(3, len(text) // 4):
        return False
    counts = Counter(text)
    entropy = -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())
    return entropy * len(text) >= 28


_BLOOD = re.compile(r"(?i)(?:a|b|ab|o|0)\s?(?:[+-]|pos(?:itive)?|neg(?:ative)?|rh[+-])")
_EXPIRY = re.compile(r"(0[1-9]|1[0-2])\s?[/-]\s?(\d{2}|20\d{2})")
_DIGITS_3_4 = re.compile(r"\d{3,4}")


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        try:
            number = Decimal(str(value))
        except InvalidOperation:  # pragma: no cover - defensive
            return None
        return number if number.is_finite() else None
    text = str(value).strip()
    if not re.fullmatch(r"[+-]?\d{1,3}\.\d+", text):
        return None
    return Decimal(text)


_LATLNG = re.compile(r"\(?\s*([+-]?\d{1,3}\.\d{3,})\s*[,; ]\s*([+-]?\d{1,3}\.\d{3,})\s*\)?")


def is_coordinate_pair(text: str) -> bool:
    found = _LATLNG.fullmatch(text.strip())
    if found is None:
        return False
    return abs(float(found.group(1))) <= 90 and abs(float(found.group(2))) <= 180


_DATE_FORMS = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?"), (0, 1, 2)),
    (re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})"), (2, 1, 0)),  # day first (Europe)
)


def _as_date(value: object) -> date | None:
    """A calendar date without a time of day (a birth date never has one)."""
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else None
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern, (y, m, d) in _DATE_FORMS:
        found = pattern.fullmatch(text)
        if found:
            parts = [int(p) for p in found.groups()]
            year, month, day = parts[y], parts[m], parts[d]
            if month > 12 and day <= 12:  # US order: month first
                month, day = day, month
            try:
                return date(year, month, day)
            except ValueError:
                return None
    return None


def birth_dates(values: Sequence[object], today: date) -> float:
    """Share of values that are dates, when the column as a whole looks like birth dates:
    none in the future or more than 120 years back, a median age of 16-100 and decades of
    spread (order or event dates cluster in recent years)."""
    dates = [d for d in (_as_date(v) for v in values) if d is not None]
    if len(dates) < max(5, len(values) // 2):
        return 0.0
    ages = sorted((today - d).days / 365.25 for d in dates)
    if ages[0] < 0 or ages[-1] > 120:
        return 0.0
    spread = ages[int(len(ages) * 0.9)] - ages[int(len(ages) * 0.1)]
    if not 16 <= statistics.median(ages) <= 100 or spread < 12:
        return 0.0
    return len(dates) / len(values)


# ------------------------------------------------------------------------------ columns

_TEXT_FINDINGS = frozenset(PiiKind) - {PiiKind.URL}
_WORDS = re.compile(r"[^\W\d_]+(?:[\s'’-][^\W\d_]+)*")
_SHAPE = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    "a" * 26 + "A" * 26 + "9" * 10,
)


class _Budget:
    """Per column: the costly library checks (phonenumbers, stdnum) run on every value only
    while they keep finding something. After `trial` values with hits in under a tenth of
    them, the column is not of that kind (a mixed column still shows it within the trial)."""

    def __init__(self, trial: int = 40) -> None:
        self.trial = trial
        self.tried: Counter[str] = Counter()
        self.hits: Counter[str] = Counter()
        self.schemes: Counter[str] = Counter()  # national-id schemes that validated

    def narrowed(self) -> list[str]:
        """After the trial, only the schemes that validated something are tried."""
        if self.tried["national_id"] < self.trial:
            return []
        return [name for name, _ in self.schemes.most_common(3)]

    def open(self, check: str) -> bool:
        tried = self.tried[check]
        return tried < self.trial or self.hits[check] * 10 >= tried

    def record(self, check: str, hit: bool) -> None:
        self.tried[check] += 1
        self.hits[check] += hit


def _personal_in_text(found: Sequence[Any], text: str) -> bool:
    for match in found:
        if match.kind not in _TEXT_FINDINGS:
            continue
        # "rv:1.9.0.20", "Chrome/17.0.870.0": a version number, not an address.
        if match.kind == PiiKind.IP and match.start and text[match.start - 1] in ":/":
            continue
        return True
    return False


def _value_kinds(text: str, budget: _Budget) -> set[str]:
    """Every kind one value is, as a whole (or, for free text, contains)."""
    kinds: set[str] = set()
    stripped = text.strip()
    found = find_pii(stripped)
    whole = [m for m in found if m.end - m.start >= len(stripped) - 2]
    if whole:
        kinds.update(str(m.kind) for m in whole)
    elif found and len(stripped.split()) >= 3 and _personal_in_text(found, stripped):
        kinds.add("free_text_personal")
    if len(stripped.split()) >= 4 and not kinds and _names_in_text(stripped):
        kinds.add("free_text_personal")
    if not kinds and budget.open("phone") and _PHONE_CHARS.fullmatch(stripped):
        hit = is_phone(stripped)
        budget.record("phone", hit)
        if hit:
            kinds.add("phone")
    checksummed = kinds & {"card", "iban", "email", "ip", "url"}
    if not checksummed and budget.open("national_id") and len(stripped) <= 24:
        ids = _national_ids(stripped, budget.narrowed())
        budget.record("national_id", bool(ids))
        budget.schemes.update(ids)
        kinds.update(f"national_id:{name}" for name in ids)
    if _BLOOD.fullmatch(stripped):
        kinds.add("blood_type")
    if _EXPIRY.fullmatch(stripped):
        kinds.add("card_expiry")
    if is_coordinate_pair(stripped):
        kinds.add("geo")
    if is_person_name(stripped):
        kinds.add("person_name")
    elif is_address(stripped):
        kinds.add("address")
    if is_username(stripped):
        kinds.add("username")
    if not kinds and is_secret(stripped):
        kinds.add("secret")
    return kinds


def _names_in_text(text: str) -> bool:
    """A known first name followed by a known surname, both capitalised, not at a sentence
    start ("... call Ana Lopez back")."""
    first, last = _first_names(), _surnames()
    words = text.split()
    for i in range(1, len(words) - 1):
        a, b = words[i].strip(".,;:!?()"), words[i + 1].strip(".,;:!?()")
        if words[i - 1].endswith((".", "!", "?")):
            continue
        capitalised = a[:1].isupper() and b[:1].isupper() and a.isalpha() and b.isalpha()
        if capitalised and a.lower() in first and b.lower() in last:
            return True
    return False


# A value of any of these kinds is personal (or secret) data.
_PERSONAL = frozenset(k for k, level in KIND_LEVELS.items() if level != "internal") - {"cvv"}


def recognise(values: Iterable[object], *, today: date) -> ValueReport:
    """Read a column's sampled values (None and empty strings are skipped)."""
    seen: Counter[Any] = Counter()
    for value in values:
        if value is None or isinstance(value, bytes | bytearray | memoryview):
            continue
        if isinstance(value, str) and not value.strip():
            continue
        if not isinstance(value, Hashable) or isinstance(value, tuple):
            value = str(value)  # JSON documents and arrays: read as their text
        seen[value] += 1
    report = ValueReport(sampled=sum(seen.values()), distinct=len(seen))
    if not seen:
        return report
    # The most frequent distinct values first, so the cap keeps what dominates the sample.
    chosen = [value for value, _ in seen.most_common(MAX_DISTINCT)]
    weight = {value: seen[value] for value in chosen}
    total = sum(weight.values())
    report.numeric = all(
        isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in chosen
    )
    # A value is read up to _MAX_TEXT characters: a document column costs like a short one.
    texts = {value: str(value)[:_MAX_TEXT] for value in chosen}
    report.shape_count = len({texts[v].translate(_SHAPE) for v in chosen})

    counts: Counter[str] = Counter()
    examples: Counter[str] = Counter()
    personal = 0
    schemes: Counter[str] = Counter()
    budget = _Budget()
    for value in chosen:
        text = texts[value]
        kinds = set() if isinstance(value, float | bool) else _value_kinds(text, budget)
        for kind in [k for k in kinds if k.startswith("national_id:")]:
            schemes[kind.partition(":")[2]] += weight[value]
            kinds.discard(kind)
            kinds.add("national_id_candidate")
        for kind in kinds:
            counts[kind] += weight[value]
            examples[kind] += 1
        if kinds & _PERSONAL:
            personal += weight[value]
    # National identifiers: one scheme must explain most values; weak checksums (one
    # random number in ten passes mod 11) then cannot add up to a column of them.
    if schemes:
        scheme, hits = schemes.most_common(1)[0]
        if hits / total >= 0.6:
            report.national_scheme = scheme
            counts["national_id"] = max(counts["national_id"], hits)
            examples["national_id"] = max(examples["national_id"], counts["national_id_candidate"])
            personal = max(personal, hits)
    counts.pop("national_id_candidate", None)
    examples.pop("national_id_candidate", None)
    dob = birth_dates(chosen, today)
    if dob:
        counts["date_of_birth"] = max(counts["date_of_birth"], round(dob * total))
        examples["date_of_birth"] = round(dob * len(chosen))
        personal = max(personal, counts["date_of_birth"])
    report.shares = {k: n / total for k, n in sorted(counts.items()) if n}
    report.examples = dict(sorted(examples.items()))
    report.personal_share = min(1.0, personal / total)
    # Stored as text a code keeps its leading zeros ("083"); stored as a number it loses
    # them, so only 100-9999 count (a key running 1, 2, 3... stays well under the share).
    report.digits_3_4 = (
        sum(
            weight[v]
            for v in chosen
            if (isinstance(v, int) and not isinstance(v, bool) and 100 <= v < 10000)
            or (isinstance(v, str) and _DIGITS_3_4.fullmatch(v.strip()))
        )
        / total
    )
    if len(chosen) < 30:
        report.digits_3_4 = 0.0  # a few repeated codes: an enumeration
    report.texty = sum(weight[v] for v in chosen if _WORDS.fullmatch(texts[v].strip())) / total
    report.identifier_like = (
        sum(weight[v] for v in chosen if _identifier_like(v, texts[v].strip())) / total
    )
    _coordinates(report, chosen)
    _reference(report, chosen, weight, total)
    return report


_DATETIME_OR_DECIMAL = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?"
    r"|\d{1,2}:\d{2}(?::\d{2})?|[+-]?\d*\.\d+"
)


def _identifier_like(value: object, text: str) -> bool:
    if not isinstance(value, str) or len(text) > 40 or len(text.split()) > 4:
        return False
    return sum(c.isdigit() for c in text) >= 4 and not _DATETIME_OR_DECIMAL.fullmatch(text)


def _coordinates(report: ValueReport, chosen: Sequence[object]) -> None:
    numbers = [_decimal(v) for v in chosen]
    if len(chosen) < 5 or any(n is None for n in numbers):
        return
    precise = [n for n in numbers if n is not None and -n.as_tuple().exponent >= 4]  # type: ignore[operator]
    if len(precise) < 0.9 * len(numbers):
        return
    largest = max(abs(n) for n in precise)
    if largest <= 90:
        report.coordinate = "latitude"
    elif largest <= 180:
        report.coordinate = "longitude"


def _reference(
    report: ValueReport, chosen: Sequence[object], weight: dict[Any, int], total: int
) -> None:
    if report.numeric:
        return
    sets = _reference_sets()
    keys = {v: reference_key(str(v)) for v in chosen}
    best, best_share = None, 0.0
    for name, known in sets.items():
        share = sum(weight[v] for v in chosen if keys[v] in known) / total
        if share > best_share:
            best, best_share = name, share
    if best is not None and best_share > 0:
        report.reference, report.reference_share = best, best_share


__all__ = [
    "KIND_LEVELS",
    "KIND_WORDS",
    "MAX_DISTINCT",
    "ValueReport",
    "birth_dates",
    "is_address",
    "is_coordinate_pair",
    "is_person_name",
    "is_phone",
    "is_secret",
    "is_username",
    "recognise",
]
