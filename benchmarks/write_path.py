"""The gate's write path per file (resolve links, decide, write with O_NOFOLLOW
descriptors) next to a plain `open()` + `write()` of the same files, in the same run.

    .venv/bin/python -P benchmarks/write_path.py [--files 2000] [--rounds 3]

Files: the Data agent's, spread over a few folders (etl/, data/, reports/ ...), 200 bytes
each, written into a fresh tree per round; best of `--rounds` interleaved rounds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from charter.agents.team import load_team
from charter.graph.authority import AuthorityEngine
from charter.graph.safe_write import resolve_links, write_file

FOLDERS = ["etl", "data/raw", "reports/daily", "queries", "analytics/models"]
DATA = b"x" * 200


def _paths(count: int) -> list[str]:
    return [f"{FOLDERS[i % len(FOLDERS)]}/file_{i}.py" for i in range(count)]


def plain(root: Path, paths: list[str]) -> float:
    # As lean as a plain writer gets: each folder made once, one open() and write() a file.
    start = time.perf_counter()
    made: set[str] = set()
    base = str(root)
    for rel in paths:
        folder = rel.rpartition("/")[0]
        if folder not in made:
            os.makedirs(f"{base}/{folder}", exist_ok=True)
            made.add(folder)
        with open(f"{base}/{rel}", "wb") as handle:
            handle.write(DATA)
    return time.perf_counter() - start


def gated(root: Path, paths: list[str], engine: AuthorityEngine) -> float:
    start = time.perf_counter()
    for rel in paths:
        resolved = resolve_links(root, rel)
        if engine.verdict("data", resolved).allowed:
            write_file(root, resolved, DATA)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    team, paths = load_team(), _paths(args.files)
    best_plain = best_gated = float("inf")
    for round_number in range(args.rounds):
        base = Path(tempfile.mkdtemp())
        try:
            (base / "p").mkdir()
            (base / "g").mkdir()
            engine = AuthorityEngine(team, base / "g")
            if round_number % 2:  # alternate which side goes first
                g_time = gated(base / "g", paths, engine)
                p_time = plain(base / "p", paths)
            else:
                p_time = plain(base / "p", paths)
                g_time = gated(base / "g", paths, engine)
            best_plain, best_gated = min(best_plain, p_time), min(best_gated, g_time)
        finally:
            shutil.rmtree(base)
    per = 1e6 / args.files
    print(f"plain open()+write: {best_plain * per:.1f} us/file")
    print(
        f"gate write path (resolve + decide + O_NOFOLLOW write, atomic rename): "
        f"{best_gated * per:.1f} us/file = {best_gated / best_plain:.2f}x plain"
    )


if __name__ == "__main__":
    main()
