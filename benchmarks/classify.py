"""Classification of Faker person tables: level macro-F1 (strict and lenient), restricted
columns found, and leaks in masked copies — against the name-and-regex classifier (the
`find_pii` shares without the value recognisers) measured in the same run.

    .venv/bin/python -P benchmarks/classify.py [--rows 200] [--split tune|heldout|fresh|all]
        [--verbose] [--large 1000000]

Each table has the 57 column kinds of `benchmarks/person_tables.py`, shuffled, named
neutrally (``c01``...) or with realistic headers. Splits: the recognisers were tuned on
the "tune" locales and seeds only; "heldout" locales (and the person-name lists committed
with the package) share nothing with them, and its seeds were never run while tuning.

Scores:
- strict macro-F1: the F1 of each level (public, internal, confidential, restricted)
  treating that level as the positive class, averaged over the four levels.
- lenient macro-F1: the same, but a prediction one level stricter than the truth
  (internal for public, confidential for internal, restricted for confidential) counts as
  right — over-protecting by one step costs a reviewer a look, not a leak.
- restricted found: true restricted columns predicted restricted, over all tables.
- masked leaks: restricted values of 5+ characters found anywhere in the masked copy's
  text, plus shorter ones (CVV, blood type, expiry) found in their own column.
- copied in clear: columns the masked copy keeps unchanged, and how many of those are
  truly confidential or restricted (should be none: masking fails closed).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from charter.agents.data.catalogue import GovernanceCatalogue
from charter.agents.data.classify import catalogue_from_profile, classify_database
from charter.agents.data.masking import mask_database
from charter.agents.data.profile import profile_database

_HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("person_tables", _HERE / "person_tables.py")
assert _spec and _spec.loader
person_tables: Any = importlib.util.module_from_spec(_spec)
sys.modules["person_tables"] = person_tables
_spec.loader.exec_module(person_tables)

LEVELS = ("public", "internal", "confidential", "restricted")
NOW = datetime(2026, 12, 1, tzinfo=UTC)
SPLITS = {
    "tune": (("en_US", "de_DE", "fr_FR", "pl_PL", "es_ES"), (1, 2)),
    "heldout": (("it_IT", "en_GB", "nl_NL", "sv_SE", "cs_CZ"), (101, 102)),
    # Added after the first held-out run led to two changes (see benchmarks/README.md):
    # held-out locales with seeds never run before, and locales never run at all.
    "fresh": (("it_IT", "en_GB", "nl_NL", "sv_SE", "cs_CZ", "pt_PT", "da_DK", "fi_FI"), (201,)),
}
KEY = b"benchmark-masking-key-0123456789"


def macro_f1(pairs: list[tuple[str, str]], *, lenient: bool) -> float:
    """`pairs` are (truth, predicted). Lenient: one level stricter counts as the truth."""

    def counted(truth: str, predicted: str) -> str:
        if lenient and LEVELS.index(predicted) == LEVELS.index(truth) + 1:
            return truth
        return predicted

    scores = []
    for level in LEVELS:
        tp = sum(1 for t, p in pairs if t == level and counted(t, p) == level)
        fp = sum(1 for t, p in pairs if t != level and counted(t, p) == level)
        fn = sum(1 for t, p in pairs if t == level and counted(t, p) != level)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def leaks(source: Path, masked: Path, columns: list[Any]) -> int:
    secret = person_tables.restricted_values(source, columns)
    with sqlite3.connect(masked) as db:
        headers = [c.header for c in columns]
        rows = db.execute(
            "SELECT " + ", ".join(f'"{h}"' for h in headers) + " FROM people"
        ).fetchall()
    db.close()
    text = "\n".join("\t".join("" if v is None else str(v) for v in row) for row in rows)
    per_column = {h: {str(row[i]) for row in rows} for i, h in enumerate(headers)}
    found = 0
    for header, values in secret.items():
        for value in values:
            if (len(value) >= 5 and value in text) or value in per_column[header]:
                found += 1
    return found


def run_split(name: str, rows: int, work: Path) -> dict[str, Any]:
    locales, seeds = SPLITS[name]
    results: dict[str, Any] = {}
    for neutral in (True, False):
        ours: list[tuple[str, str]] = []
        base: list[tuple[str, str]] = []
        missed: Counter[str] = Counter()
        wrong: Counter[str] = Counter()
        restricted = found = leaked = clear_sensitive = clear = 0
        seconds = 0.0
        for locale in locales:
            for seed in seeds:
                path = work / f"{name}-{locale}-{seed}-{int(neutral)}.db"
                columns = person_tables.build_table(path, locale, seed, rows=rows, neutral=neutral)
                started = time.perf_counter()
                catalogue: GovernanceCatalogue = classify_database(path, now=NOW)
                seconds += time.perf_counter() - started
                baseline = catalogue_from_profile(profile_database(path), now=NOW)
                for column in columns:
                    truth = column.kind.level
                    got = catalogue.level_of("people", column.header)
                    ours.append((truth, got))
                    base.append((truth, baseline.level_of("people", column.header)))
                    if got != truth:
                        wrong[f"{column.kind.name}: {truth}->{got}"] += 1
                    if truth == "restricted":
                        restricted += 1
                        found += got == "restricted"
                        if got != "restricted":
                            missed[f"{column.kind.name} ({locale})"] += 1
                masked = path.with_suffix(".masked.db")
                report = mask_database(path, masked, catalogue, KEY)
                leaked += leaks(path, masked, columns)
                truth = {c.header: c.kind.level for c in columns}
                kept = [c.column for c in report.in_clear if c.column in truth]
                clear += len(kept)
                clear_sensitive += sum(truth[c] in ("confidential", "restricted") for c in kept)
        results["neutral" if neutral else "named"] = {
            "strict": macro_f1(ours, lenient=False),
            "lenient": macro_f1(ours, lenient=True),
            "baseline_strict": macro_f1(base, lenient=False),
            "baseline_lenient": macro_f1(base, lenient=True),
            "restricted_found": f"{found}/{restricted}",
            "missed": dict(missed),
            "wrong": dict(wrong.most_common()),
            "leaked_values": leaked,
            "in_clear": f"{clear} ({clear_sensitive} of them confidential or restricted)",
            "columns": len(ours),
            "ms_per_column": 1000 * seconds / max(1, len(ours)),
        }
    return results


def large_table(rows: int, work: Path) -> None:
    """Classification cost on a large table next to profiling it without the recognisers
    (the aggregate scans every row; the recognisers read only the bounded sample)."""
    spec = importlib.util.spec_from_file_location("data_tools", _HERE / "data_tools.py")
    assert spec and spec.loader
    data_tools: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(data_tools)
    path = work / "large.db"
    data_tools.build(path, rows)
    started = time.perf_counter()
    profile_database(path)
    profiled = time.perf_counter() - started
    started = time.perf_counter()
    catalogue = classify_database(path, now=NOW)
    classified = time.perf_counter() - started
    columns = sum(len(t.columns) for t in catalogue.tables.values())
    print(
        f"large    {rows:,} rows, {columns} columns: profile {profiled:.2f} s (baseline), "
        f"classify with recognisers {classified:.2f} s (x{classified / profiled:.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--split", choices=[*SPLITS, "all"], default="all")
    parser.add_argument("--verbose", action="store_true", help="list every wrong level")
    parser.add_argument(
        "--large", type=int, default=0, help="also time a table of this many rows (0: skip)"
    )
    args = parser.parse_args()
    splits = list(SPLITS) if args.split == "all" else [args.split]
    with tempfile.TemporaryDirectory() as temp:
        if args.large:
            large_table(args.large, Path(temp))
        for split in splits:
            for variant, r in run_split(split, args.rows, Path(temp)).items():
                ratio = r["strict"] / max(r["baseline_strict"], 1e-9)
                print(
                    f"{split:8} {variant:8} strict {r['strict']:.3f} (baseline "
                    f"{r['baseline_strict']:.3f}, x{ratio:.2f})"
                    f"  lenient {r['lenient']:.3f} (baseline {r['baseline_lenient']:.3f})"
                    f"  restricted found {r['restricted_found']}  masked leaks "
                    f"{r['leaked_values']}  copied in clear {r['in_clear']}  "
                    f"{r['columns']} columns, "
                    f"{r['ms_per_column']:.1f} ms/column"
                )
                if r["missed"]:
                    print(f"{'':17} missed restricted: {r['missed']}")
                if args.verbose:
                    for item, times in r["wrong"].items():
                        print(f"{'':17} {times} x {item}")
    print(f"pid {os.getpid()} done")


if __name__ == "__main__":
    main()
