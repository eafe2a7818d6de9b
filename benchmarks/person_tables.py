"""Person tables generated with Faker, each column with the level a reviewer would give it.

Shared by `benchmarks/classify.py` and the masking leak test. A table has one column per
kind below (57 kinds: 8 restricted, 17 confidential, 27 internal, 5 public), in a shuffled
order, named either neutrally (``c01``...) or with a realistic header. Faker is a dev
dependency: nothing in the package imports this file.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faker import Faker

Level = str  # "public" | "internal" | "confidential" | "restricted"

_BLOOD = ["A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"]
_STATUS = ["new", "paid", "shipped", "delivered", "returned", "cancelled"]


@dataclass(frozen=True)
class Kind:
    name: str  # the realistic header
    level: Level
    make: Callable[[Faker, random.Random, int], Any]
    sql: str = "TEXT"


def _try(f: Faker, method: str, fallback: str) -> Any:
    try:
        return getattr(f, method)()
    except AttributeError:
        return getattr(f, fallback)()


def _notes(f: Faker, rng: random.Random, i: int) -> str:
    # Support notes: most name a person or give a contact, some do not.
    choice = rng.randrange(4)
    if choice == 0:
        return f"{f.sentence()} Please call {f.name()} back on {f.phone_number()}."
    if choice == 1:
        return f"Customer {f.name()} asked to use {f.email()} from now on."
    if choice == 2:
        return f"{f.sentence()} Delivered to {f.street_address()}."
    return f.sentence()


KINDS: tuple[Kind, ...] = (
    # restricted: payment, national identifiers, credentials, health
    Kind("credit_card_number", "restricted", lambda f, r, i: f.credit_card_number()),
    Kind("cvv", "restricted", lambda f, r, i: f.credit_card_security_code()),
    Kind("card_expiry", "restricted", lambda f, r, i: f.credit_card_expire()),
    Kind("password", "restricted", lambda f, r, i: f.password(length=r.randrange(10, 17))),
    Kind("national_id", "restricted", lambda f, r, i: f.ssn()),
    Kind("iban", "restricted", lambda f, r, i: f.iban()),
    Kind("blood_type", "restricted", lambda f, r, i: r.choice(_BLOOD)),
    Kind("api_secret", "restricted",
         lambda f, r, i: f.password(length=32, special_chars=False)),
    # confidential: identify or locate a person
    Kind("first_name", "confidential", lambda f, r, i: f.first_name()),
    Kind("last_name", "confidential", lambda f, r, i: f.last_name()),
    Kind("full_name", "confidential", lambda f, r, i: f.name()),
    Kind("mothers_maiden_name", "confidential", lambda f, r, i: f.last_name()),
    Kind("street_address", "confidential", lambda f, r, i: f.street_address()),
    Kind("postal_address", "confidential", lambda f, r, i: f.address()),
    Kind("date_of_birth", "confidential",
         lambda f, r, i: f.date_of_birth(minimum_age=18, maximum_age=90).isoformat()),
    Kind("birthday", "confidential",
         lambda f, r, i: f.date_of_birth(minimum_age=18, maximum_age=90).strftime("%d.%m.%Y")),
    Kind("email", "confidential", lambda f, r, i: f.email()),
    Kind("telephone", "confidential", lambda f, r, i: f.phone_number()),
    Kind("ip_address", "confidential", lambda f, r, i: f.ipv4_public()),
    Kind("ipv6_address", "confidential", lambda f, r, i: f.ipv6()),
    Kind("username", "confidential", lambda f, r, i: f.user_name()),
    Kind("latitude", "confidential", lambda f, r, i: float(f.latitude()), "REAL"),
    Kind("longitude", "confidential", lambda f, r, i: float(f.longitude()), "REAL"),
    Kind("home_location", "confidential",
         lambda f, r, i: f"{f.latitude()}, {f.longitude()}"),
    Kind("support_notes", "confidential", _notes),
    # internal: business data with nothing personal in it
    Kind("company", "internal", lambda f, r, i: f.company()),
    Kind("job_title", "internal", lambda f, r, i: f.job()),
    Kind("city", "internal", lambda f, r, i: f.city()),
    Kind("postcode", "internal", lambda f, r, i: f.postcode()),
    Kind("colour", "internal", lambda f, r, i: f.color_name()),
    Kind("order_uuid", "internal", lambda f, r, i: f.uuid4()),
    Kind("order_id", "internal", lambda f, r, i: 100000 + i, "INTEGER"),
    Kind("amount", "internal", lambda f, r, i: round(r.uniform(1, 900), 2), "REAL"),
    Kind("quantity", "internal", lambda f, r, i: r.randrange(1, 20), "INTEGER"),
    Kind("created_at", "internal",
         lambda f, r, i: f.date_time_this_year().isoformat(sep=" ")),
    Kind("order_date", "internal", lambda f, r, i: f.date_this_decade().isoformat()),
    Kind("status", "internal", lambda f, r, i: r.choice(_STATUS)),
    Kind("product", "internal", lambda f, r, i: f.word().capitalize()),
    Kind("comment", "internal", lambda f, r, i: f.sentence()),
    Kind("website", "internal", lambda f, r, i: f.url()),
    Kind("domain", "internal", lambda f, r, i: f.domain_name()),
    Kind("file_name", "internal", lambda f, r, i: f.file_name()),
    Kind("user_agent", "internal", lambda f, r, i: f.user_agent()),
    Kind("isbn", "internal", lambda f, r, i: f.isbn13()),
    Kind("ean", "internal", lambda f, r, i: f.ean13()),
    Kind("hex_colour", "internal", lambda f, r, i: f.hex_color()),
    Kind("rating", "internal", lambda f, r, i: r.randrange(1, 6), "INTEGER"),
    Kind("discount", "internal", lambda f, r, i: round(r.random(), 3), "REAL"),
    Kind("mime_type", "internal", lambda f, r, i: f.mime_type()),
    Kind("is_active", "internal", lambda f, r, i: r.random() < 0.8, "BOOLEAN"),
    Kind("sku", "internal", lambda f, r, i: f"SKU-{r.randrange(10**6):06d}"),
    Kind("description", "internal", lambda f, r, i: f.text(max_nb_chars=160)),
    # public: reference data
    Kind("country", "public", lambda f, r, i: f.country()),
    Kind("country_code", "public", lambda f, r, i: f.country_code()),
    Kind("currency_code", "public", lambda f, r, i: f.currency_code()),
    Kind("language_code", "public", lambda f, r, i: f.language_code()),
    Kind("timezone", "public", lambda f, r, i: f.timezone()),
)  # fmt: skip


@dataclass(frozen=True)
class Column:
    header: str  # the name used in the table
    kind: Kind


def build_table(
    path: Path, locale: str, seed: int, *, rows: int = 200, neutral: bool = True
) -> list[Column]:
    """Write table ``people`` to a new SQLite file; returns its columns in table order."""
    f = Faker(locale)
    f.seed_instance(seed)
    rng = random.Random(seed)
    kinds = list(KINDS)
    rng.shuffle(kinds)
    columns = [
        Column(f"c{n:02d}" if neutral else kind.name, kind) for n, kind in enumerate(kinds, 1)
    ]
    data = [[c.kind.make(f, rng, i) for c in columns] for i in range(rows)]
    with sqlite3.connect(path) as db:
        spec = ", ".join(f'"{c.header}" {c.kind.sql}' for c in columns)
        db.execute(f"CREATE TABLE people (id INTEGER PRIMARY KEY, {spec})")
        marks = ", ".join("?" for _ in columns)
        names = ", ".join(f'"{c.header}"' for c in columns)
        db.executemany(f"INSERT INTO people ({names}) VALUES ({marks})", data)
    db.close()
    return columns


def restricted_values(path: Path, columns: list[Column]) -> dict[str, list[str]]:
    """Every restricted column's distinct values as text (for leak checks)."""
    found: dict[str, list[str]] = {}
    with sqlite3.connect(path) as db:
        for column in columns:
            if column.kind.level == "restricted":
                rows = db.execute(f'SELECT DISTINCT "{column.header}" FROM people').fetchall()
                found[column.header] = [str(r[0]) for r in rows if r[0] is not None]
    db.close()
    return found
