"""Redaction: personal data and secrets become typed placeholders before anything is stored.

Built on the shared detectors in `charter.protocols.pii`, so the store and the Data agent's
PII tools agree on what an e-mail, a card number (Luhn) or an IBAN (mod-97) is. A
placeholder such as `[REDACTED:card]` contains nothing any detector matches, which makes
redaction idempotent: redacting twice gives the same text and counts nothing new.

IP addresses and dates of birth are detected by the Data agent's tools but not redacted
here: run events are full of timestamps and addresses of test servers that are neither
personal nor secret, and blanking them would make the history useless.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any, TypeVar

from charter.protocols.pii import PiiKind, ascii_digits, find_pii

REDACTED_KINDS: frozenset[PiiKind] = frozenset(
    {
        PiiKind.EMAIL,
        PiiKind.PHONE,
        PiiKind.CARD,
        PiiKind.SSN,
        PiiKind.IBAN,
        PiiKind.API_KEY,
        PiiKind.BEARER_TOKEN,
        PiiKind.NATIONAL_ID,
    }
)

_T = TypeVar("_T")


def placeholder(kind: PiiKind) -> str:
    return f"[REDACTED:{kind.value}]"


# Every redacted kind needs an "@" (e-mail), seven digits or more (phone, card,
# SSN, IBAN) or a long token (keys, bearer tokens, "password=..."): text without any of
# these skips the dozen detectors — most memories and event fields are such text.
# (C-speed string operations: this runs on every string the store writes.)
_DIGIT = re.compile(r"[0-9]")  # findall beats str.translate: no copy of the text
# What a long token must also show to be a key, a bearer token or an unspaced IBAN: a known
# key prefix, "bearer", a JWT's "eyJ", an assignment ("password=...") or an IBAN's country
# and check digits. Plain long words ("classification") then skip the detectors. Substring
# tests, not one regular expression: a case-blind alternation costs more than all of them.
_SECRET_HINTS = (
    "sk-", "sk_", "pk_", "rk_", "akia", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
    "xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-", "aiza", "eyj", "bearer",
)  # fmt: skip
_IBAN_HINT = re.compile(r"[A-Z]{2}\d{2}")


# A whole string that is one ISO time ("2026-03-02T01:00:00+00:00"): events and checkpoints
# are full of them, and their digits would otherwise send each through every detector.
_ISO_TIME = re.compile(r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?(?:Z|[+-]\d\d:\d\d)?")


def _might_hold_pii(text: str) -> bool:
    if "@" in text:
        return True
    if len(text) < 7:
        return False
    if len(text) <= 32 and _ISO_TIME.fullmatch(text) is not None:
        return False
    text = ascii_digits(text)  # "١٢٣-٤٥-٦٧٨٩" is an SSN too (ASCII text: no copy)
    digits = len(_DIGIT.findall(text))
    if digits >= 7:
        return True
    # A word of 12 characters or more; split() and the detectors' \s agree on whitespace
    # (both are str.isspace), and splitting beats a regular expression's search for it.
    if len(text) < 12 or max(map(len, text.split()), default=0) < 12:
        return False
    if ":" in text or "=" in text or _IBAN_HINT.search(text) is not None:
        return True
    lowered = text.lower()
    return any(hint in lowered for hint in _SECRET_HINTS)


def redact(text: str) -> tuple[str, dict[str, int]]:
    """`text` with every personal value or secret replaced, and how many of each kind.

    Replacing one value can expose a neighbour (digits glued to an IBAN stop being part of a
    word once the IBAN is a placeholder), so passes repeat until nothing changes: that is
    what makes a second `redact` a no-op."""
    if not text or not _might_hold_pii(text):
        return text, {}
    total: Counter[str] = Counter()
    for _ in range(_MAX_PASSES):
        text, found = _redact_once(text)
        if not found:
            break
        total.update(found)
    return text, dict(total)


_MAX_PASSES = 8


def _redact_once(text: str) -> tuple[str, dict[str, int]]:
    if not text or not _might_hold_pii(text):
        return text, {}
    matches = find_pii(text, REDACTED_KINDS)
    if not matches:
        return text, {}
    parts: list[str] = []
    counts: Counter[str] = Counter()
    position = 0
    for match in matches:
        parts.append(text[position : match.start])
        parts.append(placeholder(match.kind))
        counts[match.kind.value] += 1
        position = match.end
    parts.append(text[position:])
    return "".join(parts), dict(counts)


def redact_value(value: _T, counts: Counter[str] | None = None) -> tuple[_T, dict[str, int]]:
    """Redact every string inside a JSON-like value (dicts, lists, tuples; keys too)."""
    tally: Counter[str] = Counter() if counts is None else counts
    result = _walk(value, tally)
    return result, dict(tally)


def _walk(value: Any, tally: Counter[str]) -> Any:
    if isinstance(value, str):
        cleaned, found = redact(value)
        tally.update(found)
        return cleaned
    if isinstance(value, Mapping):
        return {_walk(key, tally): _walk(item, tally) for key, item in value.items()}
    if isinstance(value, list):
        return [_walk(item, tally) for item in value]
    if isinstance(value, tuple):
        return tuple(_walk(item, tally) for item in value)
    return value


def merge_counts(*counts: Mapping[str, int]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for one in counts:
        total.update(one)
    return dict(sorted(total.items()))


__all__ = ["REDACTED_KINDS", "merge_counts", "placeholder", "redact", "redact_value"]
