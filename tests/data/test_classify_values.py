"""Classification that reads values: recognisers, table context, mixed columns, evidence."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charter.agents.data.catalogue import write_catalogue
from charter.agents.data.classify import classify_database
from charter.agents.data.demo import card_number
from charter.agents.data.pii import name_hints, name_tokens
from charter.agents.data.recognise import (
    MAX_DISTINCT,
    birth_dates,
    is_address,
    is_person_name,
    is_phone,
    is_secret,
    is_username,
    recognise,
)

NOW = datetime(2026, 12, 1, tzinfo=UTC)
TODAY = NOW.date()


def _table(path: Path, columns: dict[str, list[object]]) -> Path:
    names = list(columns)
    rows = list(zip(*columns.values(), strict=True))
    with sqlite3.connect(path) as db:
        spec = ", ".join(f'"{n}"' for n in names)
        db.execute(f"CREATE TABLE t (id INTEGER PRIMARY KEY, {spec})")
        marks = ", ".join("?" for _ in names)
        db.executemany(f"INSERT INTO t ({spec}) VALUES ({marks})", rows)
    db.close()
    return path


def test_column_names_split_on_case_and_digits() -> None:
    assert name_tokens("CVV2") == ["cvv", "2"]
    assert name_tokens("CCNumber") == ["cc", "number"]
    assert name_tokens("IPAddress") == ["ip", "address"]
    assert name_tokens("c01") == ["c", "01"]
    assert name_tokens("customerEmail_2") == ["customer", "email", "2"]
    assert name_hints("c01") == []


@pytest.mark.parametrize(
    ("name", "hint", "level"),
    [
        ("CVV2", "card", "restricted"),
        ("CCNumber", "card", "restricted"),
        ("card_expiry", "card", "restricted"),
        ("IPAddress", "ip_address", "confidential"),
        ("telephone", "phone", "confidential"),
        ("userName", "username", "confidential"),
        ("mothers_maiden_name", "person_name", "confidential"),
        ("latitude", "geo", "confidential"),
        ("lng", "geo", "confidential"),
        ("blood_type", "health", "restricted"),
        ("pesel", "national_id", "restricted"),
    ],
)
def test_new_name_hints(name: str, hint: str, level: str) -> None:
    found = name_hints(name)
    assert found and found[0].hint == hint and found[0].level == level


def test_phones_of_many_countries_and_their_look_alikes() -> None:
    import phonenumbers

    # libphonenumber's own example numbers, written as people write them.
    for region in ("IL", "CN", "JP", "BR", "IN", "ZA", "KR", "NG", "AR", "PL"):
        number = phonenumbers.example_number(region)
        assert number is not None
        written = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        assert is_phone(written), written
    for phone in ("+86 138 0013 8000", "030 901820", "+49 30 901820",
                  "(212) 555-0187", "06 12 34 56 78", "+48 512 345 678", "3306317069"):  # fmt: skip
        assert is_phone(phone), phone
    for other in ("1987-04-12", "12.04.1987", "54.8524545", "192.168.10.4", "1234",
                  "9780306406157", "hello"):  # fmt: skip
        assert not is_phone(other), other


def test_person_names_and_what_only_looks_like_them() -> None:
    for name in ("Anna Kowalska", "Dr. Jan-Peter Heidrich", "María José García", "Okafor",
                 "Jean de la Fontaine"):  # fmt: skip
        assert is_person_name(name), name
    for other in ("Smith GmbH", "Lake Jessica", "GBP", "Sports therapist", "anna", "A1 Motors"):
        assert not is_person_name(other), other
    assert is_username("maria.rossi") and is_username("jsmith") and is_username("anna1987")
    assert not is_username("cancelled") and not is_username("smith.com")


def test_addresses_of_several_locales() -> None:
    addresses = ("221B Baker Street", "Beckergasse 8", "507, rue de Maury", "al. Leśna 74/39",
                 "Viale Simone, 5\n96019, Rosolini (SR)", "Calle Mayor 12", "Kerkstraat 3",
                 "Storgatan 12", "Národní 1008/12")  # fmt: skip
    for address in addresses:
        assert is_address(address), address
    for other in ("Baker Street", "Sports therapist", "12345", "anna@example.com"):
        assert not is_address(other), other


def test_secrets_are_mixed_and_random_not_paths_or_words() -> None:
    for secret in ("+xP529XwvH", "zp(CFevu(1", "D7iwRhtu*Y", "aK3jd9Qm2Lx8Pz0wTn5R"):
        assert is_secret(secret), secret
    for other in ("Europe/Paris", "Report.pdf", "Password", "HelloWorld", "SKU-000123",
                  "correct horse battery staple"):  # fmt: skip
        assert not is_secret(other), other


def test_birth_dates_are_old_and_spread_recent_dates_are_not() -> None:
    rng = random.Random(3)
    births = [date(rng.randrange(1940, 2005), rng.randrange(1, 13), rng.randrange(1, 29))
              for _ in range(100)]  # fmt: skip
    orders = [date(2026, rng.randrange(1, 12), rng.randrange(1, 29)) for _ in range(100)]
    assert birth_dates(births, TODAY) == 1.0
    assert birth_dates([d.strftime("%d.%m.%Y") for d in births], TODAY) == 1.0
    assert birth_dates(orders, TODAY) == 0.0


def test_national_identifiers_by_their_own_checksums() -> None:
    cases = {
        "pl.pesel": ["44051401359", "02070803628", "85010112345"],
        "fr.nir": ["172023201312126", "295109912611193", "180126955222380"],
        "it.codicefiscale": ["RCCMNL83S18D969H", "BCCFRC15M25E852P", "MRTMTT25D09F205Z"],
        "nl.bsn": ["900000028", "900000077", "900000119"],
    }
    for scheme, values in cases.items():
        report = recognise(values * 10, today=TODAY)
        assert report.national_scheme == scheme, (scheme, report)
        assert report.shares["national_id"] == 1.0


def test_the_sample_is_bounded_by_distinct_values() -> None:
    report = recognise([f"+49 30 {900000 + i}" for i in range(5 * MAX_DISTINCT)], today=TODAY)
    assert report.distinct == 5 * MAX_DISTINCT
    assert sum(report.examples.values()) <= MAX_DISTINCT
    assert report.shares["phone"] == pytest.approx(1.0)


def test_cvv_needs_a_card_column_beside_it(tmp_path: Path) -> None:
    rng = random.Random(5)
    codes = [f"{rng.randrange(1000):03d}" for _ in range(200)]
    cards = [card_number(rng) for _ in range(200)]
    with_card = classify_database(
        _table(tmp_path / "a.db", {"c01": cards, "c02": codes}), now=NOW
    ).tables["t"]
    cvv = with_card.columns["c02"]
    assert cvv.level == "restricted"
    context = next(e for e in cvv.evidence if e.kind == "cvv")
    assert context.source == "context" and "'c01'" in context.detail
    alone = classify_database(_table(tmp_path / "b.db", {"c02": codes}), now=NOW).tables["t"]
    # Without a card in the table it is not called a CVV, but it is not trusted either.
    assert alone.columns["c02"].level == "internal" and alone.columns["c02"].confident is False


def test_expiry_blood_type_and_coordinates(tmp_path: Path) -> None:
    rng = random.Random(9)
    n = 120
    columns: dict[str, list[object]] = {
        "c01": [f"{rng.randrange(1, 13):02d}/{rng.randrange(27, 35)}" for _ in range(n)],
        "c02": [rng.choice(["A+", "A-", "B+", "AB-", "O+", "O-"]) for _ in range(n)],
        "c03": [round(rng.uniform(-80, 80), 6) for _ in range(n)],
        "c04": [round(rng.uniform(-170, 170), 6) for _ in range(n)],
        "c05": [round(rng.uniform(0, 500), 2) for _ in range(n)],
    }
    table = classify_database(_table(tmp_path / "t.db", columns), now=NOW).tables["t"]
    level = {name: entry.level for name, entry in table.columns.items()}
    assert level["c01"] == "restricted" and level["c02"] == "restricted"
    assert level["c03"] == level["c04"] == "confidential"
    assert level["c05"] == "internal" and table.columns["c05"].confident


def test_mixed_personal_columns_are_scored_by_the_personal_share(tmp_path: Path) -> None:
    rng = random.Random(2)
    makers = [
        lambda i: f"user{i}@mail.example.org",
        lambda i: f"+44 20 7946 {i:04d}",
        lambda i: rng.choice(["Anna Kowalska", "Jonas Meyer", "Maria Rossi", "Luis García"]),
        lambda i: f"{rng.randrange(1, 200)} Baker Street",
        lambda i: f"10.{i % 250}.{rng.randrange(250)}.{rng.randrange(1, 250)}",
    ]
    mixed = [makers[i % 5](i) for i in range(250)]
    table = classify_database(_table(tmp_path / "m.db", {"contact": mixed}), now=NOW).tables["t"]
    entry = table.columns["contact"]
    assert entry.level == "confidential"
    decided = [e for e in entry.evidence if e.decisive]
    assert any(e.kind == "mixed_personal" and e.share == pytest.approx(1.0) for e in decided)


def test_evidence_never_holds_the_values(tmp_path: Path) -> None:
    rng = random.Random(4)
    values = {
        "c01": [card_number(rng) for _ in range(50)],
        "c02": [f"Anna Kowalska {i}" for i in range(50)],
        "c03": [f"+48 512 345 {i:03d}" for i in range(50)],
    }
    catalogue = classify_database(_table(tmp_path / "e.db", values), now=NOW)
    text = write_catalogue(catalogue, tmp_path / "c.json").read_text()
    assert not any(str(v) in text for column in values.values() for v in column)
    entry = json.loads(text)["tables"]["t"]["columns"]["c01"]
    card = next(e for e in entry["evidence"] if e["kind"] == "card")
    assert card["examples"] == 50 and card["share"] == 1.0


def test_odd_values_are_read_not_tripped_over() -> None:
    from decimal import Decimal

    odd: list[object] = [
        {"a": 1}, [1, 2], Decimal("NaN"), float("nan"), float("inf"), date(1980, 1, 2),
        datetime(2026, 1, 2, 3, 4), b"\x00\x01", True, None, "", "x" * 100_000,
        ("t", 1), Decimal("12.3456789"),
    ]  # fmt: skip
    report = recognise(odd * 3, today=TODAY)
    assert report.sampled == 11 * 3 and report.distinct == 11


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.one_of(st.text(max_size=40), st.integers(), st.floats(), st.none(), st.booleans()),
        max_size=40,
    )
)
def test_any_column_gives_shares_between_zero_and_one(values: list[object]) -> None:
    report = recognise(values, today=TODAY)
    assert all(0 < share <= 1 for share in report.shares.values())
    assert 0 <= report.personal_share <= 1 and report.distinct <= report.sampled
