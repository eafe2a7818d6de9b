"""Window-level scoring of an anomaly detector, as the NAB fixtures describe it.

- The first 15% of a series (at most 750 rows) is a warm-up: flags there are not scored.
- A labelled window counts as found when at least one flag falls inside it.
- Flags outside every window are false positives, grouped into events: an event starts at
  its first flag and takes in the flags less than one window length after it, so a detector
  that flags continuously makes many events, not one.
- Precision = found windows / (found windows + false-positive events); recall = found /
  windows; F1 their harmonic mean. With no windows and no events, precision is 1.0.
"""

from __future__ import annotations

from collections.abc import Sequence

from charter.protocols import StrictModel

WARMUP_SHARE = 0.15
WARMUP_MAX_ROWS = 750


class WindowScore(StrictModel):
    series: str
    windows: int
    found: int
    false_events: int
    flags: int

    @property
    def precision(self) -> float:
        hits = self.found + self.false_events
        return 1.0 if hits == 0 else self.found / hits

    @property
    def recall(self) -> float:
        return 1.0 if self.windows == 0 else self.found / self.windows


def warmup_rows(total: int) -> int:
    return min(int(total * WARMUP_SHARE), WARMUP_MAX_ROWS)


def score_windows(
    flags: Sequence[int],
    windows: Sequence[tuple[int, int]],
    total: int,
    *,
    window_length: int | None = None,
    series: str = "series",
) -> WindowScore:
    """Score flagged row indexes against inclusive (start, end) row windows."""
    start_scoring = warmup_rows(total)
    scored = sorted(i for i in set(flags) if i >= start_scoring)
    if window_length is None:
        window_length = (
            round(sum(e - s + 1 for s, e in windows) / len(windows)) if windows else total // 10
        )
    found = sum(1 for s, e in windows if any(s <= i <= e for i in scored))
    outside = [i for i in scored if not any(s <= i <= e for s, e in windows)]
    events = 0
    event_start: int | None = None
    for i in outside:
        if event_start is None or i - event_start >= window_length:
            events += 1
            event_start = i
    return WindowScore(
        series=series, windows=len(windows), found=found, false_events=events, flags=len(scored)
    )


def f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


__all__ = ["WARMUP_MAX_ROWS", "WARMUP_SHARE", "WindowScore", "f1", "score_windows", "warmup_rows"]
