"""A sweep's matrix: which scenarios, which seeds, which variants, parsed from the CLI.

A variant is a set of overrides applied to a scenario before it is played. The fields a
sweep may vary (docs/scenarios.md "Sweeps"):
- `pm_policy`: approve | deny — the PM policy that decides escalations (`wait` would need a
  person, so a sweep refuses it);
- `fault_rate`: a number in [0, 1] — the chance that each fault scripted in the timeline is
  injected, drawn per (seed, step) so a cell is reproducible. Unvaried, every fault fires.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from charter.protocols import ConfigError

MAX_SEEDS = 100_000
_RANGE = re.compile(r"^(\d+)\.\.(\d+)$")


def _pm_policy(text: str) -> str:
    if text not in ("approve", "deny"):
        raise ValueError("expected approve or deny")
    return text


def _fault_rate(text: str) -> str:
    try:
        value = float(text)
    except ValueError:
        raise ValueError("expected a number from 0 to 1") from None
    if not 0.0 <= value <= 1.0:
        raise ValueError("expected a number from 0 to 1")
    return repr(value)  # one spelling per value: "0", "0.0" and "0.00" are one variant


VARIABLES: dict[str, Callable[[str], str]] = {
    "pm_policy": _pm_policy,
    "fault_rate": _fault_rate,
}


@dataclass(frozen=True, order=True)
class Variant:
    """Overrides by field name, sorted; `label` is the key a result row is stored under."""

    overrides: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        return ",".join(f"{k}={v}" for k, v in self.overrides) or "default"

    def get(self, name: str) -> str | None:
        return dict(self.overrides).get(name)


@dataclass(frozen=True)
class Cell:
    """One run of the matrix: the scenario file, its seed, its variant."""

    path: Path
    scenario: str
    seed: int
    variant: Variant

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.scenario, self.seed, self.variant.label)

    def run_dir(self, out: Path) -> Path:
        label = self.variant.label.replace("=", "-").replace(",", "_")
        return out / "cells" / self.scenario / label / f"seed{self.seed}"


def parse_seeds(text: str) -> list[int]:
    """`1..200` (inclusive), `1,5,9`, or one number."""
    text = text.strip()
    match = _RANGE.match(text)
    if match:
        low, high = int(match.group(1)), int(match.group(2))
        if low > high:
            raise ConfigError(f"--seeds {text!r}: the range runs backwards (expected e.g. 1..200)")
        if high - low + 1 > MAX_SEEDS:
            raise ConfigError(f"--seeds {text!r}: more than {MAX_SEEDS} seeds")
        return list(range(low, high + 1))
    parts = [p.strip() for p in text.split(",")]
    if not text or not all(p.isdigit() for p in parts):
        raise ConfigError(f"--seeds {text!r}: expected a range like 1..200, a list like 1,2,5 or N")
    return sorted({int(p) for p in parts})


def parse_vary(items: list[str]) -> list[Variant]:
    """`--vary NAME=V1,V2` options → every combination of their values."""
    axes: dict[str, list[str]] = {}
    for item in items:
        name, sep, values = item.partition("=")
        name = name.strip()
        if not sep or not values.strip():
            raise ConfigError(f"--vary {item!r}: expected NAME=V1,V2 (e.g. pm_policy=approve,deny)")
        check = VARIABLES.get(name)
        if check is None:
            known = ", ".join(sorted(VARIABLES))
            raise ConfigError(f"--vary {item!r}: unknown field {name!r} (can vary: {known})")
        if name in axes:
            raise ConfigError(f"--vary {item!r}: {name} is given twice")
        parsed: list[str] = []
        for value in values.split(","):
            try:
                normal = check(value.strip())
            except ValueError as error:
                raise ConfigError(f"--vary {item!r}: {name} value {value!r}: {error}") from None
            if normal not in parsed:
                parsed.append(normal)
        axes[name] = parsed
    names = sorted(axes)
    return [
        Variant(tuple(zip(names, combo, strict=True)))
        for combo in itertools.product(*(axes[n] for n in names))
    ]


def matrix(
    scenarios: list[tuple[Path, str]], seeds: list[int], variants: list[Variant]
) -> list[Cell]:
    """Every (scenario, seed, variant), scenario-major so early cells cover each scenario."""
    return [
        Cell(path, name, seed, variant)
        for (path, name) in scenarios
        for variant in variants
        for seed in seeds
    ]


__all__ = ["VARIABLES", "Cell", "Variant", "matrix", "parse_seeds", "parse_vary"]
