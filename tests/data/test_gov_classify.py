"""Profiling, PII shares, classification with evidence, and the governance catalogue."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from charter.agents.data.catalogue import GovernanceCatalogue, load_catalogue, write_catalogue
from charter.agents.data.classify import catalogue_from_profile, classify_database
from charter.agents.data.demo import build_demo_database, card_number, order_number
from charter.agents.data.pii import name_hints
from charter.agents.data.profile import profile_database, shape
from charter.protocols import ConfigError, luhn_valid

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return build_demo_database(tmp_path / "demo.db", customers=120, orders=400, orphans=4)


def test_generated_look_alikes_are_what_they_claim() -> None:
    rng = random.Random(1)
    assert all(luhn_valid(card_number(rng)) for _ in range(200))
    assert not any(luhn_valid(order_number(rng)) for _ in range(200))


def test_profile_counts_come_from_the_whole_table(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, n REAL)")
        rows = [(i, None if i % 4 == 0 else f"x{i % 10}", float(i)) for i in range(1, 2001)]
        db.executemany("INSERT INTO t VALUES (?, ?, ?)", rows)
    db.close()
    # A sample of 50 rows must not change counts measured on all 2000 rows.
    table = profile_database(path, sample_size=50).table("t")
    v = next(c for c in table.columns if c.name == "v")
    assert table.row_count == 2000
    assert v.null_count == 500 and v.null_share == pytest.approx(0.25)
    assert v.distinct_count == 10  # x0..x9; x0, x4, x8 rows are partly null but values remain
    assert v.distinct_share == pytest.approx(10 / 1500)
    assert (v.min_length, v.max_length) == (2, 2)
    assert v.sampled <= 50
    n = next(c for c in table.columns if c.name == "n")
    assert (n.min, n.max, n.family) == (1.0, 2000.0, "float")


def test_shapes_summarise_formats() -> None:
    assert shape("Ana.Lopez@example.com") == "Aa.Aa@a.a"
    assert shape("415-555-0100") == "999-999-9999"
    assert shape("SKU@2024") == "A@9999"


def test_pii_columns_are_found_and_look_alikes_are_not(demo: Path) -> None:
    profile = profile_database(demo)
    customers = {c.name: c for c in profile.table("customers").columns}
    orders = {c.name: c for c in profile.table("orders").columns}
    assert customers["email"].pii == {"email": 1.0}
    assert customers["phone"].pii == {"phone": 1.0}
    assert customers["card_number"].pii == {"card": 1.0}
    assert customers["ssn"].pii == {"ssn": 1.0}
    assert customers["iban"].pii == {"iban": 1.0}
    assert customers["last_login_ip"].pii == {"ip": 1.0}
    # 16-digit order numbers failing Luhn, and SKU@2024-style codes: no PII at all.
    assert orders["order_number"].pii == {}
    assert orders["product_code"].pii == {}


def test_classification_levels_and_evidence(demo: Path) -> None:
    catalogue = classify_database(demo, now=NOW)
    level = catalogue.level_of
    assert level("customers", "card_number") == "restricted"
    assert level("customers", "ssn") == "restricted"
    assert level("customers", "iban") == "restricted"
    assert level("customers", "email") == "confidential"
    assert level("customers", "phone") == "confidential"
    assert level("customers", "first_name") == "confidential"
    assert level("customers", "date_of_birth") == "confidential"
    assert level("customers", "country") == "public"
    assert level("orders", "order_number") == "internal"
    assert level("orders", "product_code") == "internal"
    assert level("orders", "amount") == "internal"
    card = catalogue.tables["customers"].columns["card_number"]
    values = [e for e in card.evidence if e.source == "values"]
    assert values and values[0].kind == "card" and values[0].share == 1.0 and values[0].decisive
    assert "Luhn" in values[0].detail
    name = catalogue.tables["customers"].columns["first_name"]
    # The values are recognised as person names now; the column name agrees.
    assert [e.source for e in name.evidence if e.decisive] == ["values", "name"]
    assert next(e for e in name.evidence if e.source == "values").kind == "person_name"
    assert ("customers", "ssn") in catalogue.columns_at_least("restricted")
    assert ("customers", "email") not in catalogue.columns_at_least("restricted")


def test_a_minority_share_is_evidence_but_not_decisive(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE tickets (id INTEGER PRIMARY KEY, body TEXT)")
        bodies = [f"printer {i} jammed" for i in range(90)] + [
            f"mail me at u{i}@corp.io" for i in range(10)
        ]
        db.executemany("INSERT INTO tickets (body) VALUES (?)", [(b,) for b in bodies])
    db.close()
    catalogue = classify_database(path, share_threshold=0.3)
    body = catalogue.tables["tickets"].columns["body"]
    assert body.level == "internal"
    email = next(e for e in body.evidence if e.kind == "free_text_personal")
    assert email.share == pytest.approx(0.1) and not email.decisive
    # Below the deciding share, but personal data was seen: not a confident "internal".
    assert body.confident is False
    # With a lower threshold the same evidence decides.
    assert (
        classify_database(path, share_threshold=0.05).level_of("tickets", "body") == "confidential"
    )


def test_declared_public_columns_and_bad_threshold(demo: Path) -> None:
    profile = profile_database(demo, ["orders"])
    catalogue = catalogue_from_profile(profile, public_columns={"orders.status"})
    assert catalogue.level_of("orders", "status") == "public"
    assert catalogue.level_of("orders", "amount") == "internal"
    with pytest.raises(ConfigError, match="share threshold"):
        catalogue_from_profile(profile, share_threshold=0)


def test_name_hints() -> None:
    assert [h.hint for h in name_hints("customerEmail")] == ["email"]
    assert name_hints("SSN")[0].level == "restricted"
    assert [h.hint for h in name_hints("home_address")] == ["address"]
    assert name_hints("product_name") == []
    assert name_hints("shipping_cost") == []


def test_catalogue_round_trips_and_is_written_atomically(demo: Path, tmp_path: Path) -> None:
    catalogue = classify_database(demo, now=NOW)
    for name in ("gov.json", "gov.yaml"):
        path = write_catalogue(catalogue, tmp_path / "out" / name)
        assert load_catalogue(path) == catalogue
    leftovers = [p.name for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]
    assert leftovers == []
    data = json.loads((tmp_path / "out" / "gov.json").read_text())
    assert data["generated_at"].startswith("2026-03-02T01:00")


def test_a_failed_write_keeps_the_old_catalogue(demo: Path, tmp_path: Path) -> None:
    path = write_catalogue(classify_database(demo), tmp_path / "gov.json")
    before = path.read_bytes()

    class Exploding(GovernanceCatalogue):
        def model_dump(self, **_: object) -> dict[str, object]:  # type: ignore[override]
            raise RuntimeError("disk full")

    broken = Exploding(database="x")
    with pytest.raises(RuntimeError):
        write_catalogue(broken, path)
    assert path.read_bytes() == before


def test_bad_catalogue_file_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"database": "x", "tables": {"t": {"row_count": "many", "columns": {}}}}')
    with pytest.raises(ConfigError, match=r"bad.json.*tables\.t\.row_count"):
        load_catalogue(path)


def test_missing_table_and_database_are_config_errors(demo: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="table 'nope': not found"):
        profile_database(demo, ["nope"])
    with pytest.raises(ConfigError, match="file not found"):
        profile_database(tmp_path / "absent.db")
