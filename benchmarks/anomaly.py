"""NAB artificial series: window-level precision, recall and F1 of Charter's detector.

Run: .venv/bin/python -P benchmarks/anomaly.py [--threshold 7.0] [--fixtures PATH]

Scoring (see charter.agents.data.anomaly_scoring): warm-up of 15% (max 750 rows) unscored;
a window is found when a flag falls in it; flags outside windows are false-positive events
grouped by one window length. As a baseline measured in the same run, a plain global
z-score detector (|x - mean| / std > 3, no seasonality) is scored on the same series.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from charter.agents.data.anomaly import DEFAULT_THRESHOLD, detect_anomalies, read_series_csv
from charter.agents.data.anomaly_scoring import WindowScore, f1, score_windows

DEFAULT_FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "nab"


def load_nab(root: Path) -> list[tuple[str, list[float], list[tuple[int, int]]]]:
    labels = json.loads((root / "labels.json").read_text(encoding="utf-8"))
    series = []
    for name, windows in sorted(labels.items()):
        stamps, values = read_series_csv(root / "data" / name)
        assert stamps is not None
        row = {stamp[:19]: i for i, stamp in enumerate(stamps)}
        rows = [(row[start[:19]], row[end[:19]]) for start, end in windows]
        series.append((name, values, rows))
    return series


def _global_z(values: Sequence[float]) -> list[int]:
    x = np.asarray(values, dtype=np.float64)
    std = float(x.std()) or 1.0
    return [int(i) for i in np.nonzero(np.abs(x - x.mean()) / std > 3.0)[0]]


def _evaluate(
    data: list[tuple[str, list[float], list[tuple[int, int]]]],
    detector: Callable[[Sequence[float]], list[int]],
) -> tuple[list[WindowScore], float]:
    started = time.perf_counter()
    scores = [score_windows(detector(v), w, len(v), series=n) for n, v, w in data]
    return scores, time.perf_counter() - started


def _summary(label: str, scores: list[WindowScore], seconds: float) -> tuple[float, float, float]:
    windows = sum(s.windows for s in scores)
    found = sum(s.found for s in scores)
    false_events = sum(s.false_events for s in scores)
    precision = found / (found + false_events) if found + false_events else 1.0
    recall = found / windows if windows else 1.0
    print(
        f"{label:24s} windows {found}/{windows}  false events {false_events:3d}  "
        f"precision {precision:.3f}  recall {recall:.3f}  F1 {f1(precision, recall):.3f}  "
        f"({seconds * 1000:.0f} ms)"
    )
    return precision, recall, f1(precision, recall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    args = parser.parse_args()
    data = load_nab(args.fixtures)

    def charter(values: Sequence[float]) -> list[int]:
        return detect_anomalies(values, threshold=args.threshold).flagged

    charter([float(i % 7) for i in range(64)])  # warm-up: scipy imports are not detection time
    ours, ours_s = _evaluate(data, charter)
    base, base_s = _evaluate(data, _global_z)
    print(f"{'series':54s} {'found':>6s} {'false':>6s} {'flags':>6s}")
    for score in ours:
        print(
            f"{score.series:54s} {score.found}/{score.windows:<4d} "
            f"{score.false_events:6d} {score.flags:6d}"
        )
    print()
    _, _, ours_f1 = _summary(f"charter (T={args.threshold:g})", ours, ours_s)
    _, _, base_f1 = _summary("baseline global z>3", base, base_s)
    clean = [s for s in ours if s.windows == 0]
    print(
        f"no-anomaly series: max false events per series = {max(s.false_events for s in clean)}"
        f" (limit 1); with-anomaly windows missed = {sum(s.windows - s.found for s in ours)}"
    )
    print(f"F1 ratio charter / baseline = {ours_f1 / base_f1 if base_f1 else float('inf'):.2f}")
    print(f"time ratio charter / baseline = {ours_s / base_s if base_s else float('inf'):.1f}")


if __name__ == "__main__":
    main()
