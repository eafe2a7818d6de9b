"""Redaction: typed placeholders, checksums respected, idempotent, recursive."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from charter.memory import redact, redact_value


def test_each_kind_becomes_its_placeholder() -> None:
    cases = {
        "mail jane.doe@example.com now": ("mail [REDACTED:email] now", "email"),
        "call +44 20 7946 0958 today": ("call [REDACTED:phone] today", "phone"),
        "card 4111-1111-1111-1111 ok": ("card [REDACTED:card] ok", "card"),
        "ssn 123-45-6789 ok": ("ssn [REDACTED:ssn] ok", "ssn"),
        "iban DE89 3704 0044 0532 0130 00 ok": ("iban [REDACTED:iban] ok", "iban"),
        "key sk-ant-api03-abcdefghijklmnopqrstuvwx ok": ("key [REDACTED:api_key] ok", "api_key"),
        "Authorization: Bearer abcdefghijklmnop0123456789": (
            "Authorization: [REDACTED:bearer_token]",
            "bearer_token",
        ),
    }
    for text, (expected, kind) in cases.items():
        assert redact(text) == (expected, {kind: 1}), text


def test_checksums_decide_cards_and_ibans() -> None:
    # One digit off: Luhn / mod-97 fail, so these are not personal data.
    assert redact("ref 4111 1111 1111 1112") == ("ref 4111 1111 1111 1112", {})
    assert redact("DE88 3704 0044 0532 0130 00")[1] == {}


def test_numbers_in_other_scripts_digits_are_found_too() -> None:
    arabic_indic = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    devanagari = str.maketrans("0123456789", "०१२३४५६७८९")
    for table in (arabic_indic, devanagari):
        ssn = "536-22-4217".translate(table)
        card = "4111 1111 1111 1111".translate(table)
        assert redact(f"ssn {ssn} card {card} ok") == (
            "ssn [REDACTED:ssn] card [REDACTED:card] ok",
            {"ssn": 1, "card": 1},
        )
        # the checksum still decides: one digit off is not a card
        wrong = "4111 1111 1111 1112".translate(table)
        assert redact(f"ref {wrong}") == (f"ref {wrong}", {})


def test_timestamps_ids_and_prose_are_left_alone() -> None:
    for text in (
        "2026-03-02T01:00:00+00:00",
        "evt-000123 at 10.0.0.1 took 42 ms",
        "the orders pipeline failed on a duplicate key",
        "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ):
        assert redact(text) == (text, {}), text


def test_recursive_redaction_of_json_like_payloads() -> None:
    payload = {
        "to": ["a@example.com", {"card": "4111111111111111"}],
        "count": 3,
        "b@example.com": True,
    }
    cleaned, counts = redact_value(payload)
    assert cleaned == {
        "to": ["[REDACTED:email]", {"card": "[REDACTED:card]"}],
        "count": 3,
        "[REDACTED:email]": True,
    }
    assert counts == {"email": 2, "card": 1}


_PIECES = st.sampled_from(
    [
        "jane@example.com",
        "4111 1111 1111 1111",
        "123-45-6789",
        "+1 415 555 0100",
        "sk-live_abcdefghijklmnopqrstuv",
        "Bearer abcdefghijklmnopqrstu",
        "GB82 WEST 1234 5698 7654 32",
        " ",
        "orders",
        "42",
        ";",
    ]
)


@given(st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=12))
def test_redaction_is_idempotent(parts: list[str]) -> None:
    once, _ = redact("".join(parts))
    twice, counts = redact(once)
    assert twice == once
    assert counts == {}
