"""Pure detectors for personal data and secrets in free text.

Shared by memory redaction and the Data agent's PII tools, so both agree on what counts
as an e-mail, a card number or an API key. No I/O; every detector is a regular
expression followed, where the format has one, by a checksum (Luhn for cards, ISO 7064
mod-97 for IBANs) — a look-alike that fails its checksum is not personal data.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from enum import StrEnum


class PiiKind(StrEnum):
    """What a match is. The values are stable names used in catalogues and redaction tags."""

    EMAIL = "email"
    PHONE = "phone"
    CARD = "card"
    SSN = "ssn"
    IBAN = "iban"
    IP = "ip"
    API_KEY = "api_key"
    BEARER_TOKEN = "bearer_token"
    DATE_OF_BIRTH = "date_of_birth"
    NATIONAL_ID = "national_id"  # UK NINO, Polish PESEL, NHS number (checksummed ones only)
    URL = "url"


@dataclass(frozen=True)
class PiiMatch:
    """One finding: `text[start:end] == self.text` in the scanned string."""

    kind: PiiKind
    start: int
    end: int
    text: str


def luhn_valid(digits: str) -> bool:
    """True when `digits` (digits only, at least two) passes the Luhn checksum."""
    if len(digits) < 2 or not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def iban_valid(text: str) -> bool:
    """True when `text` (spaces allowed) is a structurally valid IBAN with a correct
    ISO 7064 mod-97 check: country letters, two check digits, 11-30 alphanumerics."""
    compact = text.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34 or not compact.isascii() or not compact.isalnum():
        return False
    if not (compact[:2].isalpha() and compact[2:4].isdigit()):
        return False
    expected = _IBAN_LENGTHS.get(compact[:2])
    if expected is not None and len(compact) != expected:
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(char, 36)) for char in rearranged)
    return int(number) % 97 == 1


# Lengths of the most common IBAN countries; an unknown country only gets the mod-97 check.
_IBAN_LENGTHS = {
    "AT": 20, "BE": 16, "CH": 21, "CZ": 24, "DE": 22, "DK": 18, "ES": 24, "FI": 18,
    "FR": 27, "GB": 22, "GR": 27, "IE": 22, "IT": 27, "LU": 20, "NL": 18, "NO": 15,
    "PL": 28, "PT": 25, "SE": 24, "SK": 24,
}  # fmt: skip

# Internationalised domains (IDN) are written in any script, so labels are "word
# characters but not underscore" rather than ASCII; the top-level label is letters or an
# ASCII-compatible "xn--" form.
_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
_EMAIL = re.compile(
    rf"(?<![\w.+-])[^\W_][\w.%+-]*@{_LABEL}(?:\.{_LABEL})*\.(?:[^\W\d_]{{2,24}}|xn--[a-z0-9-]{{2,59}})"
    r"(?![\w-])"
)
_PHONE_INTL = re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,6}(?![\w])")
_PHONE_NANP = re.compile(r"(?<![\w+(])(?:\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}(?![\w])")
_PHONE_TRUNK = re.compile(r"(?<![\w+])0\d{1,4}(?:[ -]\d{2,4}){2,3}(?![\w-])")
# Area code then one block ("054-1234567" in Israel, "010-12345678" in Beijing).
_PHONE_TRUNK_BLOCK = re.compile(r"(?<![\w+-])0\d{1,3}-\d{7,8}(?![\w-])")
# Chinese mobiles: eleven digits starting 13-19, often grouped 3-4-4.
_PHONE_CN_MOBILE = re.compile(r"(?<![\w+-])1[3-9]\d(?:[ -]?\d{4}){2}(?![\w-])")
_CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w])")
# One separator used throughout: "123-45-6789", "123.45.6789", "123 45 6789".
_SSN = re.compile(r"(?<![\w.-])(\d{3})([-. ])(\d{2})\2(\d{4})(?![\w-]|\.\d)")
# UK National Insurance number: two prefix letters (D, F, I, Q, U, V never used; O not as
# the second), six digits, suffix A-D; spaces between pairs are common.
_NINO = re.compile(
    r"(?<![\w])(?P<prefix>[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![\w])"
)
_NINO_NEVER = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
_PESEL = re.compile(r"(?<![\w.+-])\d{11}(?![\w-]|\.\d)")
_NHS = re.compile(r"(?<![\w.+-])(?:\d{3} \d{3} \d{4}|\d{10})(?![\w-]|\.\d)")
_URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"'`]+")
_IBAN = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,34}")
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?!\w|\.\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
_API_KEY_PREFIXED = re.compile(
    r"(?<![\w-])(?:sk-(?:ant-|proj-|live_|test_)?[A-Za-z0-9_-]{20,}"
    r"|(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,}"
    r"|AKIA[0-9A-Z]{16}"
    r"|gh[pousr]_[A-Za-z0-9]{30,}"
    r"|github_pat_[A-Za-z0-9_]{30,}"
    r"|xox[abprs]-[A-Za-z0-9-]{10,}"
    r"|AIza[0-9A-Za-z_-]{35})(?![\w-])"
)
_API_KEY_ASSIGNED = re.compile(
    r"(?i)\b(?:api[_-]?key|secret(?:[_-]?key)?|access[_-]?token|auth[_-]?token|password|passwd)"
    r"\s*[:=]\s*['\"]?(?P<value>[A-Za-z0-9_\-./+=]{12,})"
)
_BEARER = re.compile(r"(?i)\bbearer\s+[A-Za-z0-9\-._~+/]{16,}=*")
_JWT = re.compile(r"(?<![\w-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
_DATE = (
    r"(?:\d{4}-\d{2}-\d{2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}"
    r"|\d{1,2} [A-Za-z]{3,9},? \d{4}|[A-Za-z]{3,9} \d{1,2},? \d{4})"
)
_DOB = re.compile(
    r"(?i)\b(?:dob|d\.o\.b\.?|date of birth|birth ?date|born(?: on)?)\s*[:=]?\s*"
    rf"(?P<value>{_DATE})(?![\w])"
)

_Span = tuple[int, int]


def _spans(pattern: re.Pattern[str], text: str, group: str | int = 0) -> Iterator[_Span]:
    for found in pattern.finditer(text):
        yield found.span(group)


def _emails(text: str) -> Iterator[_Span]:
    return _spans(_EMAIL, text)


def _digit_count(candidate: str) -> int:
    return sum(char.isdigit() for char in candidate)


def _phones(text: str) -> Iterator[_Span]:
    for found in _PHONE_INTL.finditer(text):
        if 8 <= _digit_count(found.group()) <= 15:
            yield found.span()
    yield from _spans(_PHONE_NANP, text)
    for found in _PHONE_TRUNK.finditer(text):
        if 10 <= _digit_count(found.group()) <= 11:
            yield found.span()
    yield from _spans(_PHONE_TRUNK_BLOCK, text)
    yield from _spans(_PHONE_CN_MOBILE, text)


def _cards(text: str) -> Iterator[_Span]:
    # Digits inside an IBAN-shaped string are an account number, checksum right or not:
    # a mistyped IBAN must not come back as a card.
    iban_shapes = [found.span() for found in _IBAN.finditer(text)]
    for found in _CARD.finditer(text):
        if any(start < found.end() and found.start() < end for start, end in iban_shapes):
            continue
        digits = re.sub(r"[ -]", "", found.group())
        # Issuer numbers start 2-6; a Luhn check alone accepts one number in ten.
        if 13 <= len(digits) <= 19 and digits[0] in "23456" and luhn_valid(digits):
            yield found.span()


def _ssns(text: str) -> Iterator[_Span]:
    for found in _SSN.finditer(text):
        area, _separator, group, serial = found.groups()
        # Numbers the SSA never issues: area 000, 666 or 9xx; group 00; serial 0000.
        if area in {"000", "666"} or area[0] == "9" or group == "00" or serial == "0000":
            continue
        yield found.span()


def pesel_valid(digits: str) -> bool:
    """True for an 11-digit Polish PESEL with a real birth date field and check digit."""
    if len(digits) != 11 or not digits.isascii() or not digits.isdigit():
        return False
    weighted = sum(int(d) * w for d, w in zip(digits, (1, 3, 7, 9, 1, 3, 7, 9, 1, 3), strict=False))
    # The month carries the century: +80 (1800s), +0, +20, +40, +60 (2000s-2200s).
    month, day = int(digits[2:4]) % 20, int(digits[4:6])
    return (10 - weighted % 10) % 10 == int(digits[10]) and 1 <= month <= 12 and 1 <= day <= 31


def nhs_valid(digits: str) -> bool:
    """True for a 10-digit NHS number whose modulus-11 check digit is right."""
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    remainder = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=False)) % 11
    check = (11 - remainder) % 11
    return check != 10 and check == int(digits[9])


def _national_ids(text: str) -> Iterator[_Span]:
    for found in _NINO.finditer(text):
        if found.group("prefix") not in _NINO_NEVER:
            yield found.span()
    for found in _PESEL.finditer(text):
        if pesel_valid(found.group()):
            yield found.span()
    for found in _NHS.finditer(text):
        if nhs_valid(found.group().replace(" ", "")):
            yield found.span()


def _urls(text: str) -> Iterator[_Span]:
    for found in _URL.finditer(text):
        # Sentence punctuation after a link is not part of it.
        trimmed = found.group().rstrip(".,;:!?)]}")
        yield found.start(), found.start() + len(trimmed)


def _ibans(text: str) -> Iterator[_Span]:
    for found in _IBAN.finditer(text):
        candidate = found.group()
        # The pattern is greedy and may run into a following word; take the longest prefix
        # that validates, so "DE89 3704 ... 00 ABC" still yields the IBAN.
        for end in range(len(candidate), 14, -1):
            prefix = candidate[:end]
            if prefix.endswith(" "):
                continue
            if iban_valid(prefix):
                yield found.start(), found.start() + end
                break


def _ips(text: str) -> Iterator[_Span]:
    for found in _IPV4.finditer(text):
        parts = found.group().split(".")
        # Leading zeros are read as octal by some parsers; such strings are version-like.
        if all(int(part) <= 255 and (part == "0" or part[0] != "0") for part in parts):
            yield found.span()
    for found in _IPV6.finditer(text):
        candidate = found.group()
        if candidate.count(":") < 2 or len(candidate) < 6:
            continue
        try:
            ipaddress.IPv6Address(candidate)
        except ValueError:
            continue
        yield found.span()


def _api_keys(text: str) -> Iterator[_Span]:
    yield from _spans(_API_KEY_PREFIXED, text)
    yield from _spans(_API_KEY_ASSIGNED, text, "value")


def _bearer_tokens(text: str) -> Iterator[_Span]:
    yield from _spans(_BEARER, text)
    yield from _spans(_JWT, text)


def _dates_of_birth(text: str) -> Iterator[_Span]:
    return _spans(_DOB, text, "value")


# Priority order: when two findings overlap, the more specific (checksummed or prefixed)
# one wins, so a card number inside "Bearer ..." is reported as the token it belongs to.
_DETECTORS: tuple[tuple[PiiKind, Callable[[str], Iterator[_Span]]], ...] = (
    (PiiKind.BEARER_TOKEN, _bearer_tokens),
    (PiiKind.API_KEY, _api_keys),
    (PiiKind.URL, _urls),
    (PiiKind.EMAIL, _emails),
    (PiiKind.IBAN, _ibans),
    (PiiKind.CARD, _cards),
    (PiiKind.SSN, _ssns),
    (PiiKind.NATIONAL_ID, _national_ids),
    (PiiKind.IP, _ips),
    (PiiKind.DATE_OF_BIRTH, _dates_of_birth),
    (PiiKind.PHONE, _phones),
)


_ALL_KINDS = frozenset(PiiKind)
_NO_DIGITS = str.maketrans("", "", "0123456789")
_IBAN_HINT = re.compile(r"[A-Z]{2}\d{2}")
_DOB_HINT = re.compile(r"(?i)dob|d\.o\.b|birth|born")


_Guard = Callable[[str, int], bool]

# Cheap necessary conditions per kind (text, digit count), so scanning a column of plain
# words costs little: the regular expressions only run where they could match.
_GUARDS: dict[PiiKind, _Guard] = {
    PiiKind.EMAIL: lambda text, digits: "@" in text,
    PiiKind.PHONE: lambda text, digits: digits >= 7,
    PiiKind.CARD: lambda text, digits: digits >= 13,
    PiiKind.SSN: lambda text, digits: digits >= 9,
    PiiKind.NATIONAL_ID: lambda text, digits: digits >= 6,
    PiiKind.URL: lambda text, digits: "http" in text.lower() or "www." in text.lower(),
    PiiKind.IBAN: lambda text, digits: (
        digits >= 2 and len(text) >= 15 and _IBAN_HINT.search(text) is not None
    ),
    PiiKind.IP: lambda text, digits: (digits >= 4 and "." in text) or text.count(":") >= 2,
    PiiKind.DATE_OF_BIRTH: lambda text, digits: digits >= 4 and _DOB_HINT.search(text) is not None,
    PiiKind.BEARER_TOKEN: lambda text, digits: "eyJ" in text or "earer" in text.lower(),
    PiiKind.API_KEY: lambda text, digits: len(text) >= 12,  # every key form is 12+ long
}
_PLAN = tuple((kind, _GUARDS[kind], detector) for kind, detector in _DETECTORS)


_ANY_DIGIT = re.compile(r"\d")  # every Unicode decimal digit (Arabic-Indic, Devanagari, ...)


def ascii_digits(text: str) -> str:
    """`text` with every decimal digit written as its ASCII digit: one character for one,
    so positions found in the result are positions in `text`."""
    if text.isascii():
        return text
    return _ANY_DIGIT.sub(lambda found: str(unicodedata.decimal(found.group())), text)


def find_pii(text: str, kinds: Collection[PiiKind] | None = None) -> list[PiiMatch]:
    """Every finding in `text`, non-overlapping, ordered left to right.

    `kinds` limits the search (None = all kinds). Overlaps are settled by specificity
    (tokens and keys, then URLs, e-mails, IBANs, cards, SSNs, national IDs, IPs, dates
    of birth, phones: an NHS number is reported as an ID, not as the phone it looks like).
    Numbers written in other scripts' digits are found too (`ascii_digits`); a finding's
    `text` is as written."""
    wanted = _ALL_KINDS if kinds is None else {PiiKind(kind) for kind in kinds}
    original, text = text, ascii_digits(text)
    digits = len(text) - len(text.translate(_NO_DIGITS))
    taken: list[PiiMatch] = []
    for kind, guard, detector in _PLAN:
        if not guard(text, digits) or kind not in wanted:
            continue
        for start, end in detector(text):
            if start >= end or any(start < m.end and m.start < end for m in taken):
                continue
            taken.append(PiiMatch(kind, start, end, original[start:end]))
    taken.sort(key=lambda match: match.start)
    return taken


__all__ = [
    "PiiKind",
    "PiiMatch",
    "ascii_digits",
    "find_pii",
    "iban_valid",
    "luhn_valid",
    "nhs_valid",
    "pesel_valid",
]
