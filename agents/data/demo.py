"""A seeded demo database with personal data and its look-alikes.

Used by the docs, the benchmark and tests: ``customers`` holds real-format PII (Luhn-valid
cards, valid SSNs, checksum-valid IBANs, e-mails, phones, IPs); ``orders`` references it and
holds look-alikes that must NOT be taken for PII (16-digit order numbers failing Luhn,
``SKU@2024``-style product codes). Optionally some orders point at missing customers.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from charter.protocols import ConfigError, luhn_valid

_FIRST = ["Ana", "Ben", "Chloe", "Dmitri", "Eva", "Farid", "Grace", "Hugo", "Ines", "Jonas"]
_LAST = ["Lopez", "Smith", "Meyer", "Okafor", "Rossi", "Tanaka", "Novak", "Silva", "Kim", "Berg"]
_COUNTRIES = ["DE", "FR", "US", "GB", "NL", "ES"]
_STATUSES = ["new", "paid", "shipped", "delivered", "returned"]
_STAMP = "%Y-%m-%d %H:%M:%S"


def _luhn_digit(partial: str) -> str:
    for digit in "0123456789":
        if luhn_valid(partial + digit):
            return digit
    raise AssertionError("unreachable: one check digit always fits")  # pragma: no cover


def card_number(rng: random.Random) -> str:
    """A Luhn-valid 16-digit Visa-style number."""
    partial = "4" + "".join(rng.choice("0123456789") for _ in range(14))
    return partial + _luhn_digit(partial)


def order_number(rng: random.Random) -> str:
    """A 16-digit number that fails the Luhn check (not a card)."""
    partial = rng.choice("23456") + "".join(rng.choice("0123456789") for _ in range(14))
    good = _luhn_digit(partial)
    return partial + str((int(good) + 1 + rng.randrange(9)) % 10)


def german_iban(rng: random.Random) -> str:
    """A checksum-valid DE IBAN."""
    bban = "".join(rng.choice("0123456789") for _ in range(18))
    check = 98 - int(bban + "131400") % 97  # D=13, E=14, then "00" for the check digits
    return f"DE{check:02d}{bban}"


def build_demo_database(
    path: str | Path,
    *,
    customers: int = 200,
    orders: int = 1000,
    orphans: int = 0,
    seed: int = 7,
    start: datetime = datetime(2026, 3, 1, tzinfo=UTC),
) -> Path:
    """Create (replace) the demo SQLite database at `path`; returns the path."""
    if customers < 1 or orders < 0 or not 0 <= orphans <= orders:
        raise ConfigError(
            f"demo sizes customers={customers}, orders={orders}, orphans={orphans}: "
            "expected customers >= 1 and 0 <= orphans <= orders"
        )
    target = Path(path)
    target.unlink(missing_ok=True)
    rng = random.Random(seed)
    people = []
    for i in range(1, customers + 1):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        people.append((
            i, first, last, f"{first}.{last}{i}@example.com".lower(),
            f"+1 415-{rng.randrange(200, 999)}-{rng.randrange(0, 10000):04d}",
            card_number(rng),
            f"{rng.randrange(100, 666):03d}-{rng.randrange(1, 100):02d}-"
            f"{rng.randrange(1, 10000):04d}",
            german_iban(rng),
            f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
            f"{rng.randrange(1950, 2005)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
            rng.choice(_COUNTRIES),
            (start - timedelta(days=rng.randrange(1, 900))).strftime(_STAMP),
        ))  # fmt: skip
    by_id = {p[0]: p[3] for p in people}
    rows = []
    for i in range(1, orders + 1):
        customer = (
            customers + 1 + rng.randrange(1000) if i <= orphans else rng.randrange(1, customers + 1)
        )
        rows.append((
            i, customer, by_id.get(customer, f"ghost{customer}@example.com"), order_number(rng),
            f"SKU@{rng.randrange(2019, 2027)}", round(rng.uniform(1, 500), 2),
            rng.choice(_STATUSES),
            (start - timedelta(minutes=rng.randrange(60 * 24 * 30))).strftime(_STAMP),
        ))  # fmt: skip
    from charter.protocols.file_modes import private_file

    with sqlite3.connect(private_file(target)) as db:
        db.executescript(
            """
            CREATE TABLE customers (
                id INTEGER PRIMARY KEY, first_name TEXT NOT NULL, last_name TEXT NOT NULL,
                email TEXT NOT NULL UNIQUE, phone TEXT, card_number TEXT, ssn TEXT, iban TEXT,
                last_login_ip TEXT, date_of_birth DATE, country TEXT, signup_at DATETIME);
            CREATE TABLE orders (
                id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id),
                customer_email TEXT,
                order_number TEXT NOT NULL, product_code TEXT NOT NULL, amount REAL NOT NULL,
                status TEXT NOT NULL, created_at DATETIME NOT NULL);
            """
        )
        db.executemany(f"INSERT INTO customers VALUES ({', '.join('?' * 12)})", people)
        db.executemany(f"INSERT INTO orders VALUES ({', '.join('?' * 8)})", rows)
    db.close()
    return target


__all__ = ["build_demo_database", "card_number", "german_iban", "order_number"]
