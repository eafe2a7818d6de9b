"""Where a sweep's rows live: `results.sqlite` (the record, keyed by cell, which is what
makes a sweep resumable) and `results.csv` (re-written from it after every sweep)."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

from .sweep_cell import COLUMNS
from .sweep_row import Row

_TYPES = {"seed": "INTEGER", "passed": "INTEGER", "events": "INTEGER"}


class SweepResults:
    def __init__(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self.out = out
        self.path = out / "results.sqlite"
        self._db = sqlite3.connect(self.path)
        columns = ", ".join(f"{c} {_TYPES.get(c, '')}".strip() for c in COLUMNS)
        self._db.execute(
            f"CREATE TABLE IF NOT EXISTS cells ({columns}, PRIMARY KEY (scenario, seed, variant))"
        )
        self._db.commit()

    def done(self) -> set[tuple[str, int, str]]:
        rows = self._db.execute("SELECT scenario, seed, variant FROM cells")
        return {(str(a), int(b), str(c)) for a, b, c in rows}

    def add(self, row: Row) -> None:
        marks = ", ".join("?" for _ in COLUMNS)
        self._db.execute(
            f"INSERT OR REPLACE INTO cells VALUES ({marks})", [row[c] for c in COLUMNS]
        )
        self._db.commit()  # one commit a cell: a killed sweep keeps every finished cell

    def rows(self) -> list[Row]:
        cursor = self._db.execute(
            f"SELECT {', '.join(COLUMNS)} FROM cells ORDER BY scenario, variant, seed"
        )
        return [dict(zip(COLUMNS, values, strict=True)) for values in cursor]

    def write_csv(self) -> Path:
        target = self.out / "results.csv"
        with target.open("w", newline="", encoding="utf-8") as stream:
            writer = csv.DictWriter(stream, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(self.rows())
        return target

    def close(self) -> None:
        self._db.close()


__all__ = ["SweepResults"]
