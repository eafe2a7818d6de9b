"""Anomaly detection: window-level F1, flagged share and speed against two baselines.

Run: .venv/bin/python -P benchmarks/anomaly.py [--threshold 7.0] [--fixtures PATH] [--series]

Data sets, each scored separately:
* `nab-artificial` -- the 11 NAB artificial series in ../shared/fixtures/nab (5 without
  anomalies, 6 with one window each). NAB's real-data series are deliberately not used.
* `synthetic-tuning` -- charter.agents.data.anomaly_synthetic seeds the defaults were
  tuned on; `synthetic-held-out` -- seeds never looked at while tuning.

Scoring (charter.agents.data.anomaly_scoring, NAB-style windows): the first 15 % of a
series (max 750 rows) is unscored; a labelled window is found when a flag falls inside
it; flags outside every window are false-positive events, grouped one window length
apart; precision = found / (found + false events), recall = found / windows.

Detectors, all run in this process on the same series:
* charter -- `detect_anomalies` with its defaults (season found from the timestamps);
* windowed Gaussian -- NAB's baseline: each point's z-score against the mean and standard
  deviation of the previous 6,400 points, flagged when |z| > 3;
* global z -- |x - mean| / std > 3 over the whole series (not even causal).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from charter.agents.data.anomaly import DEFAULT_THRESHOLD, detect_anomalies, read_series_csv
from charter.agents.data.anomaly_scoring import WindowScore, f1, score_windows
from charter.agents.data.anomaly_synthetic import HELD_OUT_SEEDS, TUNING_SEEDS, generate

DEFAULT_FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "nab"
GAUSSIAN_WINDOW = 6400
Z_LIMIT = 3.0


@dataclass(frozen=True)
class Series:
    name: str
    timestamps: list[str]
    values: list[float]
    windows: list[tuple[int, int]]
    season: int | None = None  # the true season, when known
    kinds: tuple[str, ...] = ()  # the kind of each window's anomaly, when known


Detector = Callable[[Series], list[int]]


def load_nab(root: Path) -> list[Series]:
    labels = json.loads((root / "labels.json").read_text(encoding="utf-8"))
    series = []
    for name, windows in sorted(labels.items()):
        stamps, values = read_series_csv(root / "data" / name)
        assert stamps is not None
        row = {stamp[:19]: i for i, stamp in enumerate(stamps)}
        rows = [(row[start[:19]], row[end[:19]]) for start, end in windows]
        series.append(Series(name, stamps, values, rows))
    return series


def load_synthetic(seeds: Sequence[int]) -> list[Series]:
    out = []
    for seed in seeds:
        s = generate(seed)
        out.append(
            Series(s.name, s.timestamps, s.values, s.windows, s.season_points, tuple(s.kinds))
        )
    return out


def global_z(series: Series) -> list[int]:
    x = np.asarray(series.values, dtype=np.float64)
    std = float(x.std()) or 1.0
    return [int(i) for i in np.nonzero(np.abs(x - x.mean()) / std > Z_LIMIT)[0]]


def windowed_gaussian(series: Series) -> list[int]:
    x = np.asarray(series.values, dtype=np.float64)
    total = np.concatenate([[0.0], np.cumsum(x)])
    squares = np.concatenate([[0.0], np.cumsum(x * x)])
    i = np.arange(len(x))
    start = np.maximum(0, i - GAUSSIAN_WINDOW)
    count = i - start
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (total[i] - total[start]) / count
        var = (squares[i] - squares[start]) / count - mean * mean
        z = np.abs(x - mean) / np.sqrt(np.maximum(var, 1e-12))
    flagged = (count >= 2) & (z > Z_LIMIT)
    return [int(k) for k in np.nonzero(flagged)[0]]


@dataclass(frozen=True)
class Result:
    scores: list[WindowScore]
    flags: int
    points: int
    seconds: float

    def line(self, label: str) -> str:
        windows = sum(s.windows for s in self.scores)
        found = sum(s.found for s in self.scores)
        false_events = sum(s.false_events for s in self.scores)
        precision = found / (found + false_events) if found + false_events else 1.0
        recall = found / windows if windows else 1.0
        return (
            f"  {label:22s} found {found:3d}/{windows:<3d} false events {false_events:4d}  "
            f"P {precision:.3f}  R {recall:.3f}  F1 {f1(precision, recall):.3f}  "
            f"flagged {100 * self.flags / self.points:5.2f}%  "
            f"{1000 * self.seconds / self.points * 10_000:7.1f} ms CPU/10k points"
        )

    @property
    def f1(self) -> float:
        windows = sum(s.windows for s in self.scores)
        found = sum(s.found for s in self.scores)
        false_events = sum(s.false_events for s in self.scores)
        precision = found / (found + false_events) if found + false_events else 1.0
        recall = found / windows if windows else 1.0
        return f1(precision, recall)


def evaluate(data: list[Series], detector: Detector) -> Result:
    scores = []
    flags = points = 0
    seconds = 0.0
    for series in data:
        # CPU time of this process: the machine is shared, wall time would measure the
        # neighbours as much as the detector.
        started = time.process_time()
        flagged = detector(series)
        seconds += time.process_time() - started
        scores.append(
            score_windows(flagged, series.windows, len(series.values), series=series.name)
        )
        flags += len(flagged)
        points += len(series.values)
    return Result(scores, flags, points, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    parser.add_argument("--series", action="store_true", help="also print every series")
    args = parser.parse_args()

    def charter(series: Series) -> list[int]:
        return detect_anomalies(
            series.values, timestamps=series.timestamps, threshold=args.threshold
        ).flagged

    sets = {
        "nab-artificial": load_nab(args.fixtures) if args.fixtures.exists() else [],
        "synthetic-tuning": load_synthetic(TUNING_SEEDS),
        "synthetic-held-out": load_synthetic(HELD_OUT_SEEDS),
    }
    charter(sets["synthetic-tuning"][0])  # warm-up: imports are not detection time
    for label, data in sets.items():
        if not data:
            print(f"{label}: no data (fixtures absent at {args.fixtures})")
            continue
        ours = evaluate(data, charter)
        gaussian = evaluate(data, windowed_gaussian)
        plain = evaluate(data, global_z)
        points = sum(len(s.values) for s in data)
        print(f"{label}: {len(data)} series, {points} points")
        print(ours.line(f"charter (T={args.threshold:g})"))
        print(gaussian.line("windowed Gaussian z>3"))
        print(plain.line("global z>3"))
        print(
            f"  F1 ratio charter / windowed Gaussian = "
            f"{ours.f1 / gaussian.f1 if gaussian.f1 else float('inf'):.2f}; "
            f"time ratio = {ours.seconds / gaussian.seconds if gaussian.seconds else 0:.0f}x"
        )
        known = [s for s in data if s.season is not None]
        if known:
            right = sum(
                1
                for s in known
                if detect_anomalies(s.values, timestamps=s.timestamps).period == s.season
            )
            print(f"  season found = true season on {right}/{len(known)} series")
        kinds = [s for s in data if s.kinds]
        if kinds:
            found: dict[str, list[int]] = {}
            for s in kinds:
                flags = sorted(charter(s))
                for kind, (start, end) in zip(s.kinds, s.windows, strict=True):
                    hit = any(start <= i <= end for i in flags)
                    found.setdefault(kind, [0, 0])[0] += hit
                    found[kind][1] += 1
            print(
                "  charter windows found by kind: "
                + ", ".join(f"{k} {f}/{t}" for k, (f, t) in sorted(found.items()))
            )
        if args.series:
            for score in ours.scores:
                print(
                    f"    {score.series:52s} {score.found}/{score.windows} "
                    f"false {score.false_events} flags {score.flags}"
                )


if __name__ == "__main__":
    main()
