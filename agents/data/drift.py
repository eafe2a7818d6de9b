"""Drift detection between a reference sample and a current sample, column by column.

Numbers: the Population Stability Index over the reference's deciles, and the two-sample
Kolmogorov-Smirnov test (`scipy.stats.ks_2samp`). Categories: PSI over the categories and
the chi-square test of homogeneity (`scipy.stats.chi2_contingency`).

Verdicts (documented thresholds, the usual PSI conventions):

* PSI < 0.10: **stable**; 0.10 <= PSI < 0.25: **moderate** shift; PSI >= 0.25: **drift**.
* The test's p-value must also be below `alpha` (0.01) for "moderate" or "drift": a large PSI
  on a tiny sample that a test cannot tell apart from chance is reported as "stable" with
  the figures, not as drift. With a p-value below `alpha` and PSI under 0.10 the verdict is
  "stable" too — a statistically detectable but negligible shift, common with large samples.

PSI = sum((cur% - ref%) * ln(cur% / ref%)) over bins, with empty bins given a small share
(`_EPSILON`) so the logarithm stays finite.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
from pydantic import Field

from charter.protocols import ConfigError, StrictModel

PSI_MODERATE = 0.10
PSI_DRIFT = 0.25
ALPHA = 0.01
_EPSILON = 1e-4
_BINS = 10

Verdict = Literal["stable", "moderate", "drift"]


class ColumnDrift(StrictModel):
    column: str
    kind: Literal["numeric", "categorical"]
    psi: float
    test: Literal["ks_2samp", "chi2_contingency"]
    statistic: float
    p_value: float
    verdict: Verdict
    reference_size: int
    current_size: int
    detail: dict[str, float] = Field(default_factory=dict)


class DriftReport(StrictModel):
    columns: list[ColumnDrift] = Field(default_factory=list)
    psi_moderate: float = PSI_MODERATE
    psi_drift: float = PSI_DRIFT
    alpha: float = ALPHA

    @property
    def drifted(self) -> list[str]:
        return [c.column for c in self.columns if c.verdict == "drift"]


def _psi(reference: np.ndarray, current: np.ndarray) -> float:
    ref = np.clip(reference / reference.sum(), _EPSILON, None)
    cur = np.clip(current / current.sum(), _EPSILON, None)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def _verdict(psi: float, p_value: float, alpha: float) -> Verdict:
    if p_value >= alpha or psi < PSI_MODERATE:
        return "stable"
    return "drift" if psi >= PSI_DRIFT else "moderate"


def _numbers(values: Sequence[object], column: str) -> np.ndarray | None:
    kept = [v for v in values if v is not None]
    try:
        array = np.asarray(kept, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    if isinstance(kept[0] if kept else 0.0, (str, bytes, bool)):
        return None
    return array[np.isfinite(array)]


def numeric_drift(
    column: str, reference: Sequence[float], current: Sequence[float], *, alpha: float = ALPHA
) -> ColumnDrift:
    from scipy.stats import ks_2samp  # type: ignore[import-untyped]  # scipy has no stubs

    ref = np.asarray(reference, dtype=np.float64)
    cur = np.asarray(current, dtype=np.float64)
    edges = np.unique(np.quantile(ref, np.linspace(0, 1, _BINS + 1)))
    # Open-ended outer bins: current values beyond the reference range still count.
    inner = edges[1:-1]
    ref_counts = np.bincount(np.searchsorted(inner, ref, side="right"), minlength=len(inner) + 1)
    cur_counts = np.bincount(np.searchsorted(inner, cur, side="right"), minlength=len(inner) + 1)
    psi = _psi(ref_counts.astype(np.float64), cur_counts.astype(np.float64))
    test = ks_2samp(ref, cur)
    statistic, p_value = float(test.statistic), float(test.pvalue)
    return ColumnDrift(
        column=column,
        kind="numeric",
        psi=round(psi, 6),
        test="ks_2samp",
        statistic=round(statistic, 6),
        p_value=p_value,
        verdict=_verdict(psi, p_value, alpha),
        reference_size=len(ref),
        current_size=len(cur),
        detail={
            "reference_mean": float(ref.mean()),
            "current_mean": float(cur.mean()),
            "reference_median": float(np.median(ref)),
            "current_median": float(np.median(cur)),
        },
    )


def categorical_drift(
    column: str, reference: Sequence[object], current: Sequence[object], *, alpha: float = ALPHA
) -> ColumnDrift:
    from scipy.stats import chi2_contingency

    categories = sorted({str(v) for v in reference} | {str(v) for v in current})
    index = {c: i for i, c in enumerate(categories)}
    ref_counts = np.zeros(len(categories))
    cur_counts = np.zeros(len(categories))
    for value in reference:
        ref_counts[index[str(value)]] += 1
    for value in current:
        cur_counts[index[str(value)]] += 1
    psi = _psi(ref_counts, cur_counts)
    if len(categories) < 2:
        statistic, p_value = 0.0, 1.0
    else:
        result = chi2_contingency(np.vstack([ref_counts, cur_counts]))
        statistic, p_value = float(result.statistic), float(result.pvalue)
    return ColumnDrift(
        column=column,
        kind="categorical",
        psi=round(psi, 6),
        test="chi2_contingency",
        statistic=round(statistic, 6),
        p_value=p_value,
        verdict=_verdict(psi, p_value, alpha),
        reference_size=int(ref_counts.sum()),
        current_size=int(cur_counts.sum()),
        detail={
            f"share:{c}": float(cur_counts[i] / max(cur_counts.sum(), 1)) for c, i in index.items()
        }
        if len(categories) <= 20
        else {},
    )


def detect_drift(
    reference: Mapping[str, Sequence[object]],
    current: Mapping[str, Sequence[object]],
    *,
    columns: Sequence[str] | None = None,
    alpha: float = ALPHA,
) -> DriftReport:
    """Compare the columns both samples share (or `columns`). NULLs are left out; a
    column whose non-null values are all numbers is numeric, any other is categorical."""
    names = list(columns) if columns is not None else [c for c in reference if c in current]
    report = DriftReport(alpha=alpha)
    for name in names:
        if name not in reference or name not in current:
            raise ConfigError(
                f"drift column {name!r}: missing from the reference or current sample"
            )
        ref_values = [v for v in reference[name] if v is not None]
        cur_values = [v for v in current[name] if v is not None]
        if len(ref_values) < 2 or len(cur_values) < 2:
            raise ConfigError(
                f"drift column {name!r}: {len(ref_values)} reference and {len(cur_values)} current "
                "non-null values, expected at least 2 of each"
            )
        ref_numbers, cur_numbers = _numbers(ref_values, name), _numbers(cur_values, name)
        if ref_numbers is not None and cur_numbers is not None:
            report.columns.append(
                numeric_drift(name, ref_numbers.tolist(), cur_numbers.tolist(), alpha=alpha)
            )
        else:
            report.columns.append(categorical_drift(name, ref_values, cur_values, alpha=alpha))
    return report


def read_sample(url: str, query: str) -> dict[str, list[object]]:
    """Run a query and return its result as columns (name -> values)."""
    import sqlalchemy as sa

    from .ops_db import open_engine, safe_url

    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            result = connection.execute(sa.text(query))
            names = list(result.keys())
            rows = result.all()
    except sa.exc.SQLAlchemyError as error:
        raise ConfigError(
            f"drift sample query on {safe_url(url)}: {error.__class__.__name__}: {error.args[0]}"
        ) from None
    finally:
        engine.dispose()
    return {name: [row[i] for row in rows] for i, name in enumerate(names)}


__all__ = [
    "ALPHA",
    "PSI_DRIFT",
    "PSI_MODERATE",
    "ColumnDrift",
    "DriftReport",
    "categorical_drift",
    "detect_drift",
    "numeric_drift",
    "read_sample",
]
