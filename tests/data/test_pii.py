"""The shared PII detectors: true findings, checksummed look-alikes that must not match."""

from __future__ import annotations

import itertools

import pytest

from charter.protocols import PiiKind, find_pii, iban_valid, luhn_valid


def _kinds(text: str) -> list[tuple[PiiKind, str]]:
    return [(match.kind, match.text) for match in find_pii(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "mail ana.lopez+news@example.co.uk today",
            (PiiKind.EMAIL, "ana.lopez+news@example.co.uk"),
        ),
        ("call +1 415-555-0100 now", (PiiKind.PHONE, "+1 415-555-0100")),
        ("call (415) 555-0100", (PiiKind.PHONE, "(415) 555-0100")),
        ("tel +44 20 7946 0958.", (PiiKind.PHONE, "+44 20 7946 0958")),
        ("card 4111 1111 1111 1111 exp", (PiiKind.CARD, "4111 1111 1111 1111")),
        ("card 5555555555554444", (PiiKind.CARD, "5555555555554444")),
        ("ssn 123-45-6789", (PiiKind.SSN, "123-45-6789")),
        ("iban GB82 WEST 1234 5698 7654 32 please", (PiiKind.IBAN, "GB82 WEST 1234 5698 7654 32")),
        ("iban DE89370400440532013000", (PiiKind.IBAN, "DE89370400440532013000")),
        ("from 192.168.10.1.", (PiiKind.IP, "192.168.10.1")),
        ("v6 2001:db8::8a2e:370:7334 seen", (PiiKind.IP, "2001:db8::8a2e:370:7334")),
        (
            "key sk-ant-api03-AbCdEfGhIjKlMnOpQrStUv",
            (PiiKind.API_KEY, "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUv"),
        ),
        ("aws AKIAIOSFODNN7EXAMPLE", (PiiKind.API_KEY, "AKIAIOSFODNN7EXAMPLE")),
        ("api_key = 'a1b2c3d4e5f6g7h8'", (PiiKind.API_KEY, "a1b2c3d4e5f6g7h8")),
        (
            "Authorization: Bearer abcdef0123456789ABCDEF",
            (PiiKind.BEARER_TOKEN, "Bearer abcdef0123456789ABCDEF"),
        ),
        ("DOB: 1984-07-21", (PiiKind.DATE_OF_BIRTH, "1984-07-21")),
        ("born on 3 March 1990", (PiiKind.DATE_OF_BIRTH, "3 March 1990")),
    ],
)
def test_finds_each_kind(text: str, expected: tuple[PiiKind, str]) -> None:
    assert _kinds(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "order 4111111111111112 shipped",  # 16 digits, fails Luhn
        "order 1234 5678 9012 3456",  # grouped like a card, fails Luhn
        "product code SKU@2024",  # e-mail-like, no domain
        "see user@localhost for details",  # no top-level domain
        "iban GB82 WEST 1234 5698 7654 33",  # mod-97 check fails
        "ssn 000-12-3456 and 666-12-3456 and 912-12-3456",  # never-issued areas
        "version 1.2.3.4.5 and 999.1.1.1",  # not IPv4
        "time 12:30:45",  # colons but not IPv6
        "count 12345678",  # bare number
        "released 2024-01-15",  # a date without birth context
        "sk-short",  # too short to be a key
    ],
)
def test_look_alikes_do_not_match(text: str) -> None:
    assert find_pii(text) == []


def test_matches_are_left_to_right_non_overlapping_and_spans_are_exact() -> None:
    text = "ip 10.0.0.7 mail a@b.io card 4111-1111-1111-1111 ssn 078-05-1120"
    found = find_pii(text)
    assert [m.kind for m in found] == [PiiKind.IP, PiiKind.EMAIL, PiiKind.CARD, PiiKind.SSN]
    for match in found:
        assert text[match.start : match.end] == match.text
    for left, right in itertools.pairwise(found):
        assert left.end <= right.start


def test_token_wins_over_the_digits_inside_it() -> None:
    # A bearer token containing a Luhn-valid run is reported once, as the token.
    found = find_pii("Bearer 4111111111111111abcdef")
    assert [m.kind for m in found] == [PiiKind.BEARER_TOKEN]


def test_kinds_filter_limits_the_search() -> None:
    text = "a@b.io 4111111111111111"
    assert [m.kind for m in find_pii(text, kinds=[PiiKind.CARD])] == [PiiKind.CARD]
    assert [m.kind for m in find_pii(text, kinds={PiiKind.EMAIL})] == [PiiKind.EMAIL]


def test_luhn_and_iban_checks() -> None:
    assert luhn_valid("79927398713")
    assert not luhn_valid("79927398710")
    assert not luhn_valid("7992a398713")
    assert not luhn_valid("")
    assert iban_valid("GB82 WEST 1234 5698 7654 32")
    assert iban_valid("gb82west12345698765432")
    assert not iban_valid("GB82 WEST 1234 5698 7654 3")  # wrong length for GB
    assert not iban_valid("GB83 WEST 1234 5698 7654 32")  # wrong check digits
    assert not iban_valid("1234 WEST 1234 5698 7654 32")
