"""Masked copies: joins keep working, formats survive, restricted data goes, the key stays out."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from charter.agents.data.catalogue import GovernanceCatalogue
from charter.agents.data.classify import classify_database
from charter.agents.data.demo import build_demo_database
from charter.agents.data.masking import Masker, mask_database
from charter.protocols import ConfigError, PiiKind, find_pii

KEY = b"test-masking-key-0123456789abcdef"
JOIN = (
    "SELECT o.id, c.id FROM orders o JOIN customers c ON c.email = o.customer_email ORDER BY o.id"
)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return build_demo_database(tmp_path / "prod.db", customers=60, orders=240)


@pytest.fixture
def catalogue(source: Path) -> GovernanceCatalogue:
    return classify_database(source)


def _rows(path: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        rows = db.execute(query).fetchall()
    db.close()
    return rows


def test_masked_copy_keeps_joins_and_row_counts(
    source: Path, catalogue: GovernanceCatalogue, tmp_path: Path
) -> None:
    report = mask_database(source, tmp_path / "masked.db", catalogue, KEY)
    assert report.rows == {"customers": 60, "orders": 240}
    masked = tmp_path / "masked.db"
    # The join on the (masked) e-mail pairs exactly the same rows as in production.
    assert _rows(masked, JOIN) == _rows(source, JOIN)
    assert len(_rows(masked, JOIN)) == 240
    original = {r[0] for r in _rows(source, "SELECT email FROM customers")}
    copied = {r[0] for r in _rows(masked, "SELECT email FROM customers")}
    assert not original & copied  # every e-mail changed
    assert len(copied) == len(original)  # and stayed distinct (UNIQUE still holds)


def test_formats_are_preserved_and_restricted_columns_are_removed(
    source: Path, catalogue: GovernanceCatalogue, tmp_path: Path
) -> None:
    report = mask_database(source, tmp_path / "masked.db", catalogue, KEY)
    rows = _rows(
        tmp_path / "masked.db",
        "SELECT email, phone, card_number, ssn, iban, first_name, date_of_birth, country "
        "FROM customers",
    )
    before = _rows(source, "SELECT phone, date_of_birth, country FROM customers")
    for (email, phone, card, ssn, iban, first, dob, country), (p0, d0, c0) in zip(
        rows, before, strict=True
    ):
        assert [m.kind for m in find_pii(email)] == [PiiKind.EMAIL]
        assert [m.kind for m in find_pii(phone)] == [PiiKind.PHONE]
        assert re.sub(r"\d", "9", phone) == re.sub(r"\d", "9", p0) and phone[:3] == p0[:3]
        assert phone != p0
        assert (card, ssn, iban) == (None, None, None)
        assert first.startswith("tok_")
        assert dob == f"{d0[:4]}-01-01"
        assert country == c0  # public: kept
    assert report.method_of("customers", "card_number") == "null"
    # Internal, but one 16-digit number per row of no known scheme: masking fails closed.
    assert report.method_of("orders", "order_number") == "token"
    assert report.method_of("orders", "product_code") == "keep"  # a few repeated codes
    assert report.method_of("orders", "amount") == "keep"


def test_tokens_are_deterministic_per_key_and_the_key_is_not_stored(
    source: Path, catalogue: GovernanceCatalogue, tmp_path: Path
) -> None:
    mask_database(source, tmp_path / "a.db", catalogue, KEY)
    mask_database(source, tmp_path / "b.db", catalogue, KEY)
    mask_database(source, tmp_path / "c.db", catalogue, b"another-key-0123456789abcdefghij")
    query = "SELECT first_name, email FROM customers ORDER BY id"
    assert _rows(tmp_path / "a.db", query) == _rows(tmp_path / "b.db", query)
    assert not set(_rows(tmp_path / "a.db", query)) & set(_rows(tmp_path / "c.db", query))
    assert KEY not in (tmp_path / "a.db").read_bytes()
    report_json = mask_database(source, tmp_path / "d.db", catalogue, KEY).model_dump_json()
    assert KEY.decode() not in report_json


def test_restricted_not_null_columns_are_tokenised_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE people (id INTEGER PRIMARY KEY, ssn TEXT NOT NULL, note TEXT)")
        db.execute("CREATE TABLE claims (id INTEGER PRIMARY KEY, ssn TEXT NOT NULL)")
        db.executemany(
            "INSERT INTO people VALUES (?, ?, ?)",
            [(1, "123-45-6789", "x"), (2, "234-56-7890", "y")],
        )
        db.executemany(
            "INSERT INTO claims VALUES (?, ?)", [(10, "123-45-6789"), (11, "123-45-6789")]
        )
    db.close()
    catalogue = classify_database(path)
    report = mask_database(path, tmp_path / "m.db", catalogue, KEY)
    assert report.method_of("people", "ssn") == "token"
    joined = "SELECT c.id, p.id FROM claims c JOIN people p ON p.ssn = c.ssn ORDER BY c.id"
    assert _rows(tmp_path / "m.db", joined) == _rows(path, joined) == [(10, 1), (11, 1)]


def test_overrides_and_refusals_change_nothing(
    source: Path, catalogue: GovernanceCatalogue, tmp_path: Path
) -> None:
    target = tmp_path / "m.db"
    report = mask_database(source, target, catalogue, KEY, overrides={"orders.status": "token"})
    assert report.method_of("orders", "status") == "token"
    before = target.read_bytes()
    with pytest.raises(ConfigError, match="already exists"):
        mask_database(source, target, catalogue, KEY)
    assert target.read_bytes() == before
    fresh = tmp_path / "n.db"
    with pytest.raises(ConfigError, match="NOT NULL or key"):
        mask_database(source, fresh, catalogue, KEY, overrides={"orders.customer_id": "null"})
    with pytest.raises(ConfigError, match="unknown column"):
        mask_database(source, fresh, catalogue, KEY, overrides={"orders.nope": "token"})
    with pytest.raises(ConfigError, match="expected at least 16"):
        mask_database(source, fresh, catalogue, b"short")
    partial = catalogue.model_copy(deep=True)
    del partial.tables["orders"].columns["status"]
    with pytest.raises(ConfigError, match=r"orders\.status: not in the governance catalogue"):
        mask_database(source, fresh, partial, KEY)
    assert not fresh.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_masker_values() -> None:
    masker = Masker(KEY)
    assert masker.email("Ana@Example.com") == masker.email("Ana@Example.com")
    assert masker.email("not-an-email").startswith("tok_")
    assert masker.phone("+44 20 7946 0958").startswith("+44 ")
    assert masker.year("1984-07-21") == "1984-01-01"
    assert isinstance(masker.token(123456789), int) and masker.token(123456789) != 123456789
    assert masker.token(None) is None


@pytest.mark.postgres
def test_masked_copy_into_postgresql_is_profiled_and_classified_there(
    source: Path, catalogue: GovernanceCatalogue
) -> None:
    import uuid

    from sqlalchemy import create_engine, text

    base = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    schema = f"h2m_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    target = f"{base}?options=-csearch_path%3D{schema}"
    try:
        report = mask_database(source, target, catalogue, KEY)
        assert report.rows == {"customers": 60, "orders": 240}
        with admin.connect() as conn:
            joined = conn.execute(text(
                f"SELECT o.id, c.id FROM {schema}.orders o JOIN {schema}.customers c "
                "ON c.email = o.customer_email ORDER BY o.id"
            )).all()  # fmt: skip
        assert [tuple(r) for r in joined] == _rows(source, JOIN)
        # The copy, profiled on PostgreSQL: no card numbers or SSNs left, e-mails still e-mails.
        on_pg = classify_database(target, [f"{schema}.customers"])
        columns = on_pg.tables[f"{schema}.customers"].columns
        assert columns["email"].level == "confidential"
        assert all(
            e.kind != "card" for e in columns["card_number"].evidence if e.source == "values"
        )
        assert all(e.kind != "ssn" for e in columns["ssn"].evidence if e.source == "values")
        assert columns["card_number"].null_share == 1.0
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()
