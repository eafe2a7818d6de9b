"""Drift detection: PSI + KS for numbers, PSI + chi-square for categories."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from charter.agents.data.drift import PSI_DRIFT, detect_drift, numeric_drift, read_sample
from charter.protocols import ConfigError


def _rng() -> np.random.Generator:
    return np.random.default_rng(42)


def test_same_distribution_is_stable_and_a_shift_is_drift() -> None:
    rng = _rng()
    reference = {
        "amount": rng.normal(100, 10, 5000).tolist(),
        "country": ["DE"] * 2500 + ["FR"] * 2500,
    }
    same = {"amount": rng.normal(100, 10, 5000).tolist(), "country": ["DE"] * 2480 + ["FR"] * 2520}
    report = detect_drift(reference, same)
    assert [c.verdict for c in report.columns] == ["stable", "stable"]
    assert report.columns[0].test == "ks_2samp" and report.columns[1].test == "chi2_contingency"
    assert report.columns[0].psi < 0.1

    shifted = {
        "amount": rng.normal(115, 10, 5000).tolist(),
        "country": ["DE"] * 1000 + ["FR"] * 4000,
    }
    report = detect_drift(reference, shifted)
    assert report.drifted == ["amount", "country"]
    amount = report.columns[0]
    assert amount.psi >= PSI_DRIFT and amount.p_value < 1e-6 and amount.statistic > 0.3
    assert amount.detail["current_mean"] > amount.detail["reference_mean"] + 10


def test_moderate_band_between_the_thresholds() -> None:
    rng = _rng()
    result = numeric_drift(
        "x", rng.normal(0, 1, 20000).tolist(), rng.normal(0.35, 1, 20000).tolist()
    )
    assert 0.1 <= result.psi < 0.25
    assert result.verdict == "moderate"


def test_tiny_samples_are_not_called_drift_without_a_significant_test() -> None:
    result = numeric_drift("x", [1.0, 2.0, 3.0], [2.0, 3.0, 4.0])
    assert result.verdict == "stable" and result.p_value > 0.01


def test_new_category_and_values_beyond_the_reference_range_count() -> None:
    report = detect_drift(
        {"s": ["a"] * 500 + ["b"] * 500}, {"s": ["a"] * 300 + ["b"] * 300 + ["c"] * 400}
    )
    assert report.columns[0].verdict == "drift"
    rng = _rng()
    beyond = numeric_drift("x", rng.uniform(0, 1, 3000).tolist(), rng.uniform(2, 3, 3000).tolist())
    assert beyond.verdict == "drift" and beyond.psi > 1


def test_bad_columns_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="'missing'"):
        detect_drift({"a": [1, 2]}, {"a": [1, 2]}, columns=["missing"])
    with pytest.raises(ConfigError, match="at least 2"):
        detect_drift({"a": [1, None]}, {"a": [1, 2]})


def test_samples_read_from_sql(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE m (batch INTEGER, latency REAL)")
        rng = _rng()
        db.executemany(
            "INSERT INTO m VALUES (1, ?)", [(float(v),) for v in rng.normal(50, 5, 2000)]
        )
        db.executemany(
            "INSERT INTO m VALUES (2, ?)", [(float(v),) for v in rng.normal(80, 5, 2000)]
        )
    url = f"sqlite:///{path}"
    ref = read_sample(url, "SELECT latency FROM m WHERE batch = 1")
    cur = read_sample(url, "SELECT latency FROM m WHERE batch = 2")
    assert detect_drift(ref, cur).drifted == ["latency"]
    with pytest.raises(ConfigError, match="drift sample query"):
        read_sample(url, "SELECT nope FROM m")
