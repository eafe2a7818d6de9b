"""Value detector gaps seen on outside data (issue 15): each case failed before the fix."""

from __future__ import annotations

import pytest

from charter.protocols import PiiKind, find_pii
from charter.protocols.pii import luhn_valid, nhs_valid, pesel_valid


def _kinds(text: str) -> list[tuple[PiiKind, str]]:
    return [(match.kind, match.text) for match in find_pii(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail jürgen@müller.de now", (PiiKind.EMAIL, "jürgen@müller.de")),
        ("mail info@пример.рф now", (PiiKind.EMAIL, "info@пример.рф")),
        ("ssn 123.45.6789 on file", (PiiKind.SSN, "123.45.6789")),
        ("ssn 123 45 6789 on file", (PiiKind.SSN, "123 45 6789")),
        ("NI number AB 12 34 56 C", (PiiKind.NATIONAL_ID, "AB 12 34 56 C")),
        ("nino JG103759A", (PiiKind.NATIONAL_ID, "JG103759A")),
        ("pesel 44051401359", (PiiKind.NATIONAL_ID, "44051401359")),
        ("nhs 943 476 5919", (PiiKind.NATIONAL_ID, "943 476 5919")),
        ("call 054-1234567", (PiiKind.PHONE, "054-1234567")),
        ("call 010-12345678", (PiiKind.PHONE, "010-12345678")),
        ("call 138 0013 8000", (PiiKind.PHONE, "138 0013 8000")),
        ("see https://example.org/u/ana?id=7.", (PiiKind.URL, "https://example.org/u/ana?id=7")),
    ],
)
def test_outside_formats_are_found(text: str, expected: tuple[PiiKind, str]) -> None:
    assert _kinds(text) == [expected]


def test_checksums() -> None:
    assert pesel_valid("44051401359") and not pesel_valid("44051401358")
    assert nhs_valid("9434765919") and not nhs_valid("9434765918")


def test_a_mistyped_iban_is_not_a_card() -> None:
    card = "4111111111111111"
    assert luhn_valid(card)
    text = f"iban DE00 {card[:4]} {card[4:8]} {card[8:12]} {card[12:]} 00"
    assert all(kind != PiiKind.CARD for kind, _ in _kinds(text))


def test_look_alikes_stay_clean() -> None:
    # Checksum failures are not IDs (the NHS look-alike may still be read as a phone).
    found = _kinds("pesel 44051401358 and nhs 943 476 5918")
    assert all(kind != PiiKind.NATIONAL_ID for kind, _ in found)
    assert _kinds("prefix GB 12 34 56 A") == []
