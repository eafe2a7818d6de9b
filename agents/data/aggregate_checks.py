"""Aggregate and distributional checks: one observed value per column (mean, median,
standard deviation, quantiles, sum, min, max, distinct values, most common value), judged
against bounds or a set, GX-style; and a table's row count against another table's.

Counts, sums, minima, maxima and distinct counts ride on the table's shared scan (the
runner asks for them through `scan_needs`); only what cannot be added up over a scan
(a second pass for the standard deviation, an ordered read for medians and quantiles, a
GROUP BY for distinct values and modes) costs a query of its own.

GX's conventions, held to its own test cases: missing values are left out; an empty
column fails with no observed value; the standard deviation is the sample one (n - 1);
the median of an even count is the mean of the middle two; a quantile is the smallest
value with at least that share of values at or below it (nearest rank).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Integer, Table, and_, case, func, select

from .connect import plain
from .schema_types import type_family
from .suite import CheckResult, CheckSpec
from .table_checks import CheckError, TableContext

_NUMERIC = {"integer", "float", "numeric", "boolean"}
# Checks whose observed value is a number computed from the values.
_ARITHMETIC = {
    "expect_column_mean_to_be_between",
    "expect_column_median_to_be_between",
    "expect_column_stdev_to_be_between",
    "expect_column_sum_to_be_between",
    "expect_column_quantile_values_to_be_between",
}


def scan_needs(spec: CheckSpec) -> list[str]:
    """What the shared scan should compute for `spec` ("count:c", "sum:c", "min:c", ...)."""
    column = spec.kwargs.get("column")
    if not isinstance(column, str) or spec.kwargs.get("row_condition"):
        return []  # a filtered check reads its own rows, not the whole table's scan
    needs = {
        "expect_column_mean_to_be_between": ["count", "sum"],
        "expect_column_stdev_to_be_between": ["count", "sum"],
        "expect_column_sum_to_be_between": ["count", "sum"],
        "expect_column_median_to_be_between": ["count"],
        "expect_column_quantile_values_to_be_between": ["count"],
        "expect_column_min_to_be_between": ["count", "min"],
        "expect_column_max_to_be_between": ["count", "max"],
        "expect_column_unique_value_count_to_be_between": ["distinct"],
        "expect_column_proportion_of_unique_values_to_be_between": ["count", "distinct"],
    }.get(spec.expectation, [])
    return [f"{need}:{column}" for need in needs]


def _column(ctx: TableContext, spec: CheckSpec) -> Any:
    name = spec.kwargs["column"]
    if name not in ctx.table.c:
        raise CheckError(f"column {name!r} not in table {ctx.table.name!r}")
    column = ctx.table.c[name]
    if (
        spec.expectation in _ARITHMETIC
        and type_family(column.type) not in _NUMERIC
        # A column with no value at all has nothing to add up: it fails below, like in GX,
        # whatever its declared type.
        and int(_stat(ctx, column, "count"))
    ):
        raise CheckError(f"column {name!r} is not numeric; {spec.expectation} needs numbers")
    return column


def column_sum(column: Any) -> Any:
    """SUM(column), read back as a number: over a boolean column SQLAlchemy would turn the
    sum into a boolean (2 -> True)."""
    if type_family(column.type) == "boolean":
        return func.sum(column, type_=Integer())
    return func.sum(column)


def _stat(ctx: TableContext, column: Any, kind: str) -> Any:
    """One aggregate of `column`: from the shared scan when it computed it, else queried."""
    key = f"{kind}:{column.name}"
    if key not in ctx.scanned:
        expression = {
            "count": func.count(column),
            "sum": column_sum(column),
            "min": func.min(column),
            "max": func.max(column),
            "distinct": func.count(column.distinct()),
        }[kind]
        ctx.scanned[key] = ctx.conn.execute(select(expression)).scalar_one()
    return ctx.scanned[key]


def _as_instant(value: Any) -> datetime | None:
    """A date or timestamp (or ISO text of one) as a naive UTC datetime, else None."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _by_value(value: Any, bound: Any) -> tuple[Any, Any]:
    """Dates and times compare as instants, not as text: "2026-02-01T00:00:00" and
    SQLite's "2026-02-01 22:32:00" are a day apart, not ordered by their 11th character."""
    if isinstance(value, str | date) and isinstance(bound, str | date):
        left, right = _as_instant(value), _as_instant(bound)
        if left is not None and right is not None:
            return left, right
        if right is not None and left is None:
            raise CheckError(f"observed {value!r} is not a date or time; the bound {bound!r} is")
    return value, bound


def _within(value: Any, kwargs: Mapping[str, Any]) -> bool:
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    if low is not None:
        value, low = _by_value(value, low)
    if high is not None:
        value, high = _by_value(value, high)
    try:
        if low is not None and (value <= low if kwargs.get("strict_min") else value < low):
            return False
        return not (
            high is not None and (value >= high if kwargs.get("strict_max") else value > high)
        )
    except TypeError:
        raise CheckError(
            f"observed {value!r} cannot be compared with the bounds {low!r}..{high!r}"
        ) from None


def _result(
    ctx: TableContext, spec: CheckSpec, success: bool, observed: Any, **details: Any
) -> CheckResult:
    return CheckResult(
        expectation=spec.expectation, table=ctx.name, kwargs=spec.kwargs, success=success,
        observed_value=observed, details=details,
    )  # fmt: skip


def _number(value: Any) -> Any:
    """A database number as a plain int or float (Decimal from PostgreSQL included)."""
    if value is None or isinstance(value, int | float):
        return value
    as_float = float(value)
    return int(as_float) if as_float.is_integer() else as_float


def _bounded(ctx: TableContext, spec: CheckSpec, observed: Any) -> CheckResult:
    if observed is None:  # no values: nothing to judge, and GX fails it
        return _result(ctx, spec, False, None)
    return _result(ctx, spec, _within(observed, spec.kwargs), observed)


def _observed(value: Any) -> Any:
    """A minimum or maximum as GX reports it: dates and times in ISO form."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return plain(value)


def mean_between(ctx: TableContext, spec: CheckSpec) -> CheckResult:
    column = _column(ctx, spec)
    count = int(_stat(ctx, column, "count"))
    if not count:
        return _result(ctx, spec, False, None)
    return _bounded(ctx, spec, float(_stat(ctx, column, "sum")) / count)


def sum_between(ctx: TableContext, spec: CheckSpec) -> CheckResult:
    column = _column(ctx, spec)
    if not int(_stat(ctx, column, "count")):
        return _result(ctx, spec, False, None)
    return _bounded(ctx, spec, _number(_stat(ctx, column, "sum")))


def min_between(ctx: TableContext, spec: CheckSpec) -> CheckResult:
    column = _column(ctx, spec)
    return _bounded(ctx, spec, _observed(_stat(ctx, column, "min")))


def max_between(ctx: TableContext, spec: CheckSpec) -> CheckResult:
    column = _column(ctx, spec)
    return _bounded(ctx, spec, _observed(_stat(ctx, column, "max")))


def stdev_between(ctx: TableContext, spec: CheckSpec) -> CheckResult:
    column = _column(ctx, spec)
    count = int(_stat(ctx, column, "count"))
    if count < 2:
        return _result(ctx, spec, False, None)
    if ctx.engine.dialect.name == "postgresql":
        spread = ctx.conn.execute(select(func.stddev_samp(column))).scalar_one()
        return _bounded(ctx, spec, float(spread))
    # Two passes (mean first, then squared deviations): the textbook one-pass formula
    # loses digits to cancellation when the mean is large against the spread.
    mean = float(_stat(ctx, column, "sum")) / count
    deviation = column - mean
    squares = ctx.conn.execute(select(func.sum(deviation * deviation))).scalar_one()
    return _bounded(ctx, spec, math.sqrt(float(squares) / (count - 1)))


def rank_needs(spec: CheckSpec, count: int) -> list[int]:
    """The 0-based ranks (in sorted order of the non-null values) `spec` reads."""
    if spec.expectation == "expect_column_median_to_be_between" and count:
        return sorted({(count - 1) // 2, count // 2})
    if spec.expectation == "expect_column_quantile_values_to_be_between" and count:
        quantiles = spec.kwargs["quantile_ranges"]["quantiles"]
        return sorted({min(max(math.ceil(q * count) - 1, 0), count - 1) for q in quantiles})
    return []


def _ranked(ctx: TableContext, column: Any, ranks: list[int]) -> dict[int, Any]:
    """Values at `ranks` (0-based, in sorted order of the non-null values). The ranks every
    median and quantile check of the suite wants on this column (announced as
    "ranks:<column>") are found in one pass and kept."""
    key = f"rankvalues:{column.name}"
    known: dict[int, Any] = ctx.scanned.setdefault(key, {})
    missing = sorted(set(ranks) - known.keys())
    if missing:
        wanted = sorted(set(missing) | set(ctx.scanned.get(f"ranks:{column.name}", ())))
        known.update(_select_ranks(ctx, column, wanted))
    return {rank: known[rank] for rank in ranks}


def _select_ranks(ctx: TableContext, column: Any, ranks: list[int]) -> dict[int, Any]:
    count = int(_stat(ctx, column, "count"))
    if ctx.engine.dialect.name == "postgresql":
        # percentile_disc(f) is the value at 1-based position ceil(f * n): f = (r + 0.5) / n
        # lands on rank r without float rounding at the edge.
        fractions = [(r + 0.5) / count for r in ranks]
        found = ctx.conn.execute(
            select(func.percentile_disc(fractions).within_group(column))
        ).scalar_one()
        return {r: _number(v) for r, v in zip(ranks, found, strict=True)}
    # SQLite sorts a million values several times slower than Python reads them: fetch the
    # column once and select the ranks in linear time (numpy's introselect).
    import numpy as np

    if not ctx.filtered:
        quoted = ctx.engine.dialect.identifier_preparer
        table_name = quoted.format_table(ctx.table)
        name = quoted.quote(column.name)
        sql = f"SELECT {name} FROM {table_name} WHERE {name} IS NOT NULL"
        cursor: Any = ctx.conn.exec_driver_sql(sql)
    else:  # the rows a row_condition selects
        cursor = ctx.conn.execute(select(column).where(column.isnot(None)))
    integers = type_family(column.type) in {"integer", "boolean"}
    try:
        values = np.fromiter((row[0] for row in cursor), dtype=np.int64 if integers else np.float64)
    except (TypeError, ValueError, OverflowError):
        # SQLite keeps whatever was stored: a text value in a numeric column has no rank.
        raise CheckError(f"column {column.name!r} holds values that are not numbers") from None
    chosen = np.partition(values, ranks)
    return {r: _number(chosen[r].item()) for r in ranks}


def median_between(ctx: TableContext, spec: CheckSpec) -> CheckResult:
    column = _column(ctx, spec)
    count = int(_stat(ctx, column, "count"))
    if not count:
        return _result(ctx, spec, False, None)
    middle = list(_ranked(ctx, column, rank_needs(spec, count)).values())
    median = sum(middle) / len(middle)
    return _bounded(ctx, spec, int(median) if float(median).is_integer() else median)


def quantiles_between(ctx: TableContext, spec: CheckSpec) -> CheckResult:
    column = _column(ctx, spec)
    ranges = spec.kwargs["quantile_ranges"]
    quantiles, bounds = list(ranges["quantiles"]), list(ranges["value_ranges"])
    count = int(_stat(ctx, column, "count"))
    if not count:
        return _result(ctx, spec, False, None)
    at = _ranked(ctx, column, rank_needs(spec, count))
    # Nearest rank: the smallest value with at least a share q of the values at or below.
    values = [at[min(max(math.ceil(q * count) - 1, 0), count - 1)] for q in quantiles]
    inside = [
        (low is None or v >= low) and (high is None or v <= high)
        for v, (low, high) in zip(values, bounds, strict=True)
    ]
    observed = {"quantiles": quantiles, "values": values}
    return _result(ctx, spec, all(inside), observed, in_range=inside)


def _counts(ctx: TableContext, column: Any) -> list[tuple[Any, int]]:
    """(value, rows) per distinct non-null value, in order; one GROUP BY per column however
    many set checks read it."""
    key = f"valuecounts:{column.name}"
    if key not in ctx.scanned:
        query = select(column, func.count()).where(column.isnot(None)).group_by(column)
        rows = ctx.conn.execute(query.order_by(column))
        ctx.scanned[key] = [(plain(value), int(n)) for value, n in rows]
    found: list[tuple[Any, int]] = ctx.scanned[key]
    return found


def _distinct_values(ctx: TableContext, spec: CheckSpec) -> list[Any]:
    return [value for value, _ in _counts(ctx, _column(ctx, spec))]


def distinct_in_set(ctx: TableContext, spec: CheckSpec) -> CheckResult:
    observed = _distinct_values(ctx, spec)
    wanted = spec.kwargs.get("value_set")
    success = wanted is None or set(observed) <= set(wanted)
    return _result(ctx, spec, success, observed)


def distinct_equal_set(ctx: TableContext, spec: CheckSpec) -> CheckResult:
    observed = _distinct_values(ctx, spec)
    return _result(ctx, spec, set(observed) == set(spec.kwargs["value_set"]), observed)


def distinct_contain_set(ctx: TableContext, spec: CheckSpec) -> CheckResult:
    observed = _distinct_values(ctx, spec)
    return _result(ctx, spec, set(spec.kwargs["value_set"]) <= set(observed), observed)


def most_common_in_set(ctx: TableContext, spec: CheckSpec) -> CheckResult:
    counts = _counts(ctx, _column(ctx, spec))
    if not counts:
        return _result(ctx, spec, False, None)
    top = max(n for _, n in counts)
    modes = [value for value, n in counts if n == top]
    wanted = set(spec.kwargs["value_set"])
    if spec.kwargs.get("ties_okay"):
        success = any(mode in wanted for mode in modes)
    else:
        success = len(modes) == 1 and modes[0] in wanted
    return _result(ctx, spec, success, modes)


def unique_count_between(ctx: TableContext, spec: CheckSpec) -> CheckResult:
    column = _column(ctx, spec)
    return _bounded(ctx, spec, int(_stat(ctx, column, "distinct")))


def unique_proportion_between(ctx: TableContext, spec: CheckSpec) -> CheckResult:
    column = _column(ctx, spec)
    count = int(_stat(ctx, column, "count"))
    if not count:
        return _result(ctx, spec, False, None)
    return _bounded(ctx, spec, int(_stat(ctx, column, "distinct")) / count)


def row_count_equal_other_table(ctx: TableContext, spec: CheckSpec) -> CheckResult:
    from charter.protocols import ConfigError

    from .connect import reflect_table

    try:
        other: Table = reflect_table(ctx.engine, spec.kwargs["other_table_name"])
    except ConfigError as error:  # the other table is missing: this check fails, not the suite
        raise CheckError(str(error)) from None
    mine = ctx.scanned.get("count")
    if mine is None:
        mine = ctx.conn.execute(select(func.count()).select_from(ctx.table)).scalar_one()
    theirs = ctx.conn.execute(select(func.count()).select_from(other)).scalar_one()
    observed = {"self": int(mine), "other": int(theirs)}
    return _result(ctx, spec, observed["self"] == observed["other"], observed)


AGGREGATE_CHECKS: dict[str, Callable[[TableContext, CheckSpec], CheckResult]] = {
    "expect_column_mean_to_be_between": mean_between,
    "expect_column_median_to_be_between": median_between,
    "expect_column_stdev_to_be_between": stdev_between,
    "expect_column_sum_to_be_between": sum_between,
    "expect_column_min_to_be_between": min_between,
    "expect_column_max_to_be_between": max_between,
    "expect_column_quantile_values_to_be_between": quantiles_between,
    "expect_column_unique_value_count_to_be_between": unique_count_between,
    "expect_column_proportion_of_unique_values_to_be_between": unique_proportion_between,
    "expect_column_most_common_value_to_be_in_set": most_common_in_set,
    "expect_column_distinct_values_to_be_in_set": distinct_in_set,
    "expect_column_distinct_values_to_equal_set": distinct_equal_set,
    "expect_column_distinct_values_to_contain_set": distinct_contain_set,
    "expect_table_row_count_to_equal_other_table": row_count_equal_other_table,
}

__all__ = ["AGGREGATE_CHECKS", "column_sum", "rank_needs", "scan_needs"]


def _bin_counts(ctx: TableContext, column: Any, bins: list[float]) -> tuple[list[int], int, int]:
    """(rows per bin, rows below the first edge, rows above the last) in one query. A bin
    holds edge_i <= x < edge_i+1, the last one its upper edge too (numpy's histogram, as
    GX counts in SQL); an infinite first or last edge makes an open-ended bin."""
    conditions = []
    last = len(bins) - 2
    for i in range(len(bins) - 1):
        low, high = bins[i], bins[i + 1]
        parts = []
        if not math.isinf(low):
            parts.append(column >= low)
        if not math.isinf(high):
            parts.append(column <= high if i == last else column < high)
        conditions.append(and_(column.isnot(None), *parts))
    if not math.isinf(bins[0]):
        conditions.append(column < bins[0])
    if not math.isinf(bins[-1]):
        conditions.append(column > bins[-1])
    counts = ctx.conn.execute(
        select(*[func.coalesce(func.sum(case((c, 1), else_=0)), 0) for c in conditions])
    ).one()
    hist = [int(v) for v in counts[: len(bins) - 1]]
    rest = [int(v) for v in counts[len(bins) - 1 :]]
    below = rest.pop(0) if not math.isinf(bins[0]) else 0
    above = rest.pop(0) if not math.isinf(bins[-1]) else 0
    return hist, below, above


def _kl(observed: list[float], expected: list[float]) -> float | None:
    """KL divergence of the observed from the expected weights (natural log, both
    normalised); None when it is infinite or undefined (an observed weight where none was
    expected)."""
    from scipy import stats  # type: ignore[import-untyped]  # no stubs

    value = float(stats.entropy(observed, expected))
    return None if math.isinf(value) or math.isnan(value) else value


def kl_divergence_less_than(ctx: TableContext, spec: CheckSpec) -> CheckResult:
    """GX's KL divergence of the column's distribution from a partition: categorical
    (`values`, `weights`) or binned (`bins`, `weights`, optional `tail_weights`), with GX's
    holdouts: `tail_weight_holdout` for values outside the partition, spread over the
    tails, `internal_weight_holdout` over bins expected empty."""
    column = _column(ctx, spec)
    kw = spec.kwargs
    threshold = kw.get("threshold")
    partition = kw.get("partition_object")
    tail = float(kw.get("tail_weight_holdout") or 0)
    internal = float(kw.get("internal_weight_holdout") or 0)
    count = int(_stat(ctx, column, "count"))
    if partition is None:
        # GX then builds the partition from the data itself: nothing diverges.
        return _result(ctx, spec, threshold is None or threshold >= 0, 0.0)
    if not count:
        return _result(ctx, spec, False, None)
    if "values" in partition:
        counts = dict(_counts(ctx, column))
        expected = dict(zip(partition["values"], partition["weights"], strict=True))
        index = list(expected) + [v for v in counts if v not in expected]
        observed_w = [counts.get(v, 0) / count for v in index]
        unexpected = [v for v in index if v not in expected]
        if unexpected:
            expected_w = [
                expected[v] * (1 - tail) if v in expected else tail / len(unexpected) for v in index
            ]
        else:
            expected_w = [expected[v] for v in index]
        value = _kl(observed_w, expected_w)
    else:
        bins = [float(b) for b in partition["bins"]]
        hist, below, above = _bin_counts(ctx, column, bins)
        observed = [h / count for h in hist]
        weights = [float(w) * (1 - tail - internal) for w in partition["weights"]]
        zeros = sum(1 for w in weights if w == 0)
        if internal > 0 and zeros:
            weights = [internal / zeros if w == 0 else w for w in weights]
        low_inf, high_inf = math.isinf(bins[0]), math.isinf(bins[-1])
        if low_inf and high_inf:
            comb_expected, comb_observed = weights, observed
        elif low_inf:
            comb_expected = [*weights, tail]
            comb_observed = [*observed, above / count]
        elif high_inf:
            comb_expected = [tail, *weights]
            comb_observed = [below / count, *observed]
        else:
            tails = partition.get("tail_weights") or [tail / 2, tail / 2]
            comb_expected = [float(tails[0]), *weights, float(tails[1])]
            comb_observed = [below / count, *observed, above / count]
        value = _kl(comb_observed, comb_expected)
    success = threshold is None or (value is not None and value <= threshold)
    return _result(ctx, spec, success, value)


AGGREGATE_CHECKS["expect_column_kl_divergence_to_be_less_than"] = kl_divergence_less_than
