"""The redaction pre-check may only skip text in which no detector finds anything."""

from __future__ import annotations

import random

from charter.memory import redaction
from charter.protocols.pii import find_pii

_PIECES = (
    "sk-ant-abcdefghijklmnopqrstuvwx", "AKIAABCDEFGHIJKLMNOP", "Bearer abcdefghijklmnopqrstu",
    "password=hunter2hunter2x", "api_key: ABCDEFGHIJKLMNOP", "GB82WEST12345698765432",
    "GB82 WEST 1234 5698 7654 32", "a@b.co", "555-123-4567", "+44 20 7946 0958",
    "4111 1111 1111 1111", "123-45-6789", "xoxb-1234567890ab", "sk_live_abcdefghijklmnop",
    "AIza" + "b" * 35, "ghp_" + "a" * 36, "github_pat_" + "c" * 30,
    "eyJabcdefghij.eyJabcdefghij.abcdefghij", "classification", "word", " ", "\t", "7", "42",
)  # fmt: skip


def test_precheck_never_skips_a_detectable_value() -> None:
    rng = random.Random(11)
    skipped = 0
    for _ in range(4000):
        text = "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 5)))
        if not redaction._might_hold_pii(text):
            skipped += 1
            assert not find_pii(text, redaction.REDACTED_KINDS), text
    assert skipped > 100  # the pre-check does skip plain text (else it proves nothing)


def test_long_plain_words_skip_the_detectors() -> None:
    assert not redaction._might_hold_pii("classification completeness confidentiality")
    assert redaction._might_hold_pii("token=abcdefghijklmnop")
    assert redaction.redact("key sk-ant-abcdefghijklmnopqrstuvwx here")[1] == {"api_key": 1}


def test_tag_sets_with_secrets_are_redacted_every_time_and_never_cached() -> None:
    from charter.memory import ingest

    secret = ("owner", "Jane.Doe@example.com")
    for _ in range(2):  # the second call must not come from a cache
        tags, joined, counts = ingest._clean_tags(secret)
        assert "jane.doe@example.com" not in " ".join((*tags, joined)).lower()
        assert dict(counts) == {"email": 1}
    assert secret not in ingest._CLEAN_TAGS
    plain = ("orders", "Nightly Load")
    assert ingest._clean_tags(plain) == (("nightly-load", "orders"), "nightly-load orders", ())
    assert ingest._CLEAN_TAGS[plain] == (("nightly-load", "orders"), "nightly-load orders")
