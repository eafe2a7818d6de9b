"""Quality suites: the YAML a person writes, its validation, and the typed results.

A suite names a default table and a list of checks. Checks shared with Great Expectations
keep GX's names and argument meanings (``mostly``, ``strict_min``, ``ignore_row_if``, ...);
Charter adds three of its own for referential integrity, schema conformance and freshness.
Argument mistakes are caught when the suite loads, before any query runs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError, model_validator

from charter.inputs import safe_yaml
from charter.protocols import ConfigError, StrictModel, UtcDatetime

# Arguments GX accepts on every expectation that change only how a result is rendered.
_PRESENTATION = frozenset({"result_format", "catch_exceptions", "include_config", "meta"})

_MAP = frozenset({"column", "mostly"})
_BOUNDS = frozenset({"min_value", "max_value", "strict_min", "strict_max"})
# expectation -> (required arguments, optional arguments)
EXPECTATIONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "expect_column_values_to_not_be_null": (frozenset({"column"}), _MAP),
    "expect_column_values_to_be_null": (frozenset({"column"}), _MAP),
    "expect_column_values_to_be_unique": (frozenset({"column"}), _MAP),
    "expect_compound_columns_to_be_unique": (
        frozenset({"column_list"}),
        frozenset({"mostly", "ignore_row_if"}),
    ),
    "expect_column_pair_values_to_be_equal": (
        frozenset({"column_A", "column_B"}),
        frozenset({"mostly", "ignore_row_if"}),
    ),
    "expect_column_pair_values_a_to_be_greater_than_b": (
        frozenset({"column_A", "column_B"}),
        frozenset({"mostly", "ignore_row_if", "or_equal"}),
    ),
    "expect_column_pair_values_to_be_in_set": (
        frozenset({"column_A", "column_B", "value_pairs_set"}),
        frozenset({"mostly", "ignore_row_if"}),
    ),
    "expect_multicolumn_sum_to_equal": (
        frozenset({"column_list", "sum_total"}),
        frozenset({"mostly", "ignore_row_if"}),
    ),
    "expect_select_column_values_to_be_unique_within_record": (
        frozenset({"column_list"}),
        frozenset({"mostly", "ignore_row_if"}),
    ),
    "expect_column_values_to_be_in_set": (frozenset({"column", "value_set"}), _MAP),
    "expect_column_values_to_not_be_in_set": (frozenset({"column", "value_set"}), _MAP),
    "expect_column_values_to_be_between": (
        frozenset({"column"}),
        _MAP | {"min_value", "max_value", "strict_min", "strict_max"},
    ),
    "expect_column_values_to_match_regex": (frozenset({"column", "regex"}), _MAP),
    "expect_column_values_to_not_match_regex": (frozenset({"column", "regex"}), _MAP),
    "expect_column_values_to_match_like_pattern": (frozenset({"column", "like_pattern"}), _MAP),
    "expect_column_values_to_not_match_like_pattern": (
        frozenset({"column", "like_pattern"}),
        _MAP,
    ),
    "expect_column_value_lengths_to_be_between": (
        frozenset({"column"}),
        _MAP | {"min_value", "max_value", "strict_min", "strict_max"},
    ),
    "expect_column_value_lengths_to_equal": (frozenset({"column", "value"}), _MAP),
    "expect_table_row_count_to_be_between": (frozenset(), frozenset({"min_value", "max_value"})),
    "expect_table_row_count_to_equal": (frozenset({"value"}), frozenset()),
    "expect_column_to_exist": (frozenset({"column"}), frozenset({"column_index"})),
    "expect_table_columns_to_match_ordered_list": (frozenset({"column_list"}), frozenset()),
    "expect_table_columns_to_match_set": (frozenset({"column_set"}), frozenset({"exact_match"})),
    "expect_table_column_count_to_be_between": (
        frozenset(),
        frozenset({"min_value", "max_value"}),
    ),
    "expect_table_column_count_to_equal": (frozenset({"value"}), frozenset()),
    # Aggregate and distributional: one observed value per column (aggregate_checks.py).
    **{
        f"expect_column_{stat}_to_be_between": (frozenset({"column"}), _BOUNDS)
        for stat in ("mean", "median", "stdev", "sum", "min", "max")
    },
    "expect_column_quantile_values_to_be_between": (
        frozenset({"column", "quantile_ranges"}),
        frozenset({"allow_relative_error"}),
    ),
    "expect_column_unique_value_count_to_be_between": (frozenset({"column"}), _BOUNDS),
    "expect_column_proportion_of_unique_values_to_be_between": (
        frozenset({"column"}),
        _BOUNDS,
    ),
    "expect_column_most_common_value_to_be_in_set": (
        frozenset({"column", "value_set"}),
        frozenset({"ties_okay"}),
    ),
    "expect_column_distinct_values_to_be_in_set": (frozenset({"column", "value_set"}), frozenset()),
    "expect_column_distinct_values_to_equal_set": (frozenset({"column", "value_set"}), frozenset()),
    "expect_column_distinct_values_to_contain_set": (
        frozenset({"column", "value_set"}),
        frozenset(),
    ),
    "expect_table_row_count_to_equal_other_table": (
        frozenset({"other_table_name"}),
        frozenset(),
    ),
    "expect_column_kl_divergence_to_be_less_than": (
        frozenset({"column", "partition_object"}),
        frozenset(
            {"threshold", "tail_weight_holdout", "internal_weight_holdout", "bucketize_data"}
        ),
    ),
    # Charter's own.
    "expect_no_orphans": (
        frozenset({"parent_table"}),
        frozenset({"column", "column_list", "parent_column", "parent_column_list", "mostly"}),
    ),
    "expect_table_schema_to_match": (
        frozenset({"columns"}),
        frozenset({"ordered", "exact"}),
    ),
    "expect_table_to_be_fresh": (frozenset({"column", "max_age"}), frozenset()),
}

IGNORE_ROW_IF = ("all_values_are_missing", "any_value_is_missing", "never")
PAIR_IGNORE_ROW_IF = ("both_values_are_missing", "either_value_is_missing", "neither")
PAIR_CHECKS = frozenset(
    {
        "expect_column_pair_values_to_be_equal",
        "expect_column_pair_values_a_to_be_greater_than_b",
        "expect_column_pair_values_to_be_in_set",
    }
)
TYPE_FAMILIES = (
    "integer", "float", "numeric", "text", "boolean", "date", "datetime", "time", "binary",
    "json", "other",
)  # fmt: skip

_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_AGE_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_age(value: object) -> float:
    """Seconds from a number of seconds or a text such as ``90m``, ``2h``, ``1d``."""
    if isinstance(value, bool):
        raise ValueError("max_age must be seconds or a duration such as '2h'")
    if isinstance(value, int | float) and value >= 0:
        return float(value)
    found = _AGE.match(str(value)) if isinstance(value, str) else None
    if found is None:
        raise ValueError(
            f"max_age {value!r} must be seconds or a duration such as '90m', '2h', '1d'"
        )
    return float(found.group(1)) * _AGE_UNITS[found.group(2)]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_bounds(
    kwargs: Mapping[str, Any], *, integers: bool, allow_both_none: bool, ordered: bool = True
) -> None:
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    for value in (low, high):
        if value is None:
            continue
        if integers and not _is_int(value):
            raise ValueError("min_value and max_value must be integers")
        if not integers and not (_is_number(value) or isinstance(value, str | date | datetime)):
            raise ValueError("min_value and max_value must be numbers, dates or text")
    if low is None and high is None and not allow_both_none:
        raise ValueError("min_value and max_value cannot both be None")
    # GX accepts min > max for value lengths (nothing can pass) but not for value ranges.
    if ordered and low is not None and high is not None:
        try:
            if low > high:
                raise ValueError("min_value cannot be greater than max_value")
        except TypeError:
            raise ValueError("min_value and max_value must be of the same type") from None


# Arguments that must be whole numbers. GX 1.x writes every number of a suite as a float
# ("value": 16.0), so an integral float is read as the integer it stands for.
_WHOLE = frozenset({"value", "min_value", "max_value", "column_index"})
_WHOLE_IN = frozenset(
    {
        "expect_column_value_lengths_to_be_between",
        "expect_column_value_lengths_to_equal",
        "expect_table_row_count_to_be_between",
        "expect_table_row_count_to_equal",
        "expect_table_column_count_to_be_between",
        "expect_table_column_count_to_equal",
        "expect_column_to_exist",
        "expect_column_unique_value_count_to_be_between",
    }
)


def normalise_kwargs(expectation: str, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """`kwargs` with GX 1.x float forms of whole-number arguments turned into integers."""
    out = dict(kwargs)
    if expectation in _WHOLE_IN:
        for key in _WHOLE & out.keys():
            value = out[key]
            if isinstance(value, float) and math.isfinite(value) and value.is_integer():
                out[key] = int(value)
    return out


# GX's filter of the rows a check applies to (row-level checks; see row_condition.py).
_CONDITION = frozenset({"row_condition", "condition_parser"})
# Checks of the table's shape (and freshness): a row filter is not offered there.
_TABLE_SHAPE_CHECKS = frozenset(
    {
        "expect_table_row_count_to_be_between",
        "expect_table_row_count_to_equal",
        "expect_table_row_count_to_equal_other_table",
        "expect_column_to_exist",
        "expect_table_columns_to_match_ordered_list",
        "expect_table_columns_to_match_set",
        "expect_table_column_count_to_be_between",
        "expect_table_column_count_to_equal",
        "expect_table_schema_to_match",
        "expect_table_to_be_fresh",
    }
)
# Checks judged on the table or a column as a whole.
_WHOLE_TABLE_CHECKS = _TABLE_SHAPE_CHECKS | frozenset(
    {
        "expect_column_quantile_values_to_be_between",
        "expect_column_most_common_value_to_be_in_set",
        "expect_column_distinct_values_to_be_in_set",
        "expect_column_distinct_values_to_equal_set",
        "expect_column_distinct_values_to_contain_set",
        "expect_column_unique_value_count_to_be_between",
        "expect_column_proportion_of_unique_values_to_be_between",
        "expect_column_kl_divergence_to_be_less_than",
        *(
            f"expect_column_{stat}_to_be_between"
            for stat in ("mean", "median", "stdev", "sum", "min", "max")
        ),
    }
)


def validate_kwargs(expectation: str, kwargs: Mapping[str, Any]) -> None:
    """Raise ValueError naming the first argument problem of one check."""
    if expectation not in EXPECTATIONS:
        raise ValueError(f"unknown check {expectation!r}; known: {', '.join(sorted(EXPECTATIONS))}")
    required, optional = EXPECTATIONS[expectation]
    missing = sorted(required - kwargs.keys())
    if missing:
        raise ValueError(f"missing argument(s) {', '.join(missing)}")
    unknown = sorted(kwargs.keys() - required - optional - _PRESENTATION - _CONDITION)
    if unknown:
        raise ValueError(f"unsupported argument(s) {', '.join(unknown)}")
    mostly = kwargs.get("mostly")
    if mostly is not None and (not _is_number(mostly) or not 0 <= mostly <= 1):
        raise ValueError("mostly must be a number between 0 and 1 (less than or equal to 1)")
    if "column" in required and not isinstance(kwargs["column"], str):
        raise ValueError("column must be a column name")
    if "row_condition" in kwargs:
        if expectation in _TABLE_SHAPE_CHECKS:
            raise ValueError("row_condition is supported on row-level and column checks only")
        from .row_condition import validate_row_condition

        validate_row_condition(kwargs["row_condition"], kwargs.get("condition_parser"))
    _validate_specific(expectation, kwargs)


def _validate_specific(expectation: str, kwargs: Mapping[str, Any]) -> None:
    if expectation in {
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_not_be_in_set",
    }:
        if not isinstance(kwargs["value_set"], list):
            raise ValueError("value_set must be a list")
    elif expectation == "expect_column_values_to_be_between":
        _check_bounds(kwargs, integers=False, allow_both_none=False)
    elif expectation == "expect_column_value_lengths_to_be_between":
        _check_bounds(kwargs, integers=True, allow_both_none=False, ordered=False)
    elif expectation in {
        "expect_table_row_count_to_be_between",
        "expect_table_column_count_to_be_between",
    }:
        _check_bounds(kwargs, integers=True, allow_both_none=True)
    elif expectation in {
        "expect_column_value_lengths_to_equal",
        "expect_table_row_count_to_equal",
        "expect_table_column_count_to_equal",
    }:
        if not _is_int(kwargs["value"]):
            raise ValueError(f"value {kwargs['value']!r} is not a valid integer")
    elif expectation in {
        "expect_column_values_to_match_regex",
        "expect_column_values_to_not_match_regex",
    }:
        try:
            re.compile(kwargs["regex"])
        except (re.error, TypeError) as error:
            raise ValueError(f"regex {kwargs['regex']!r} does not compile: {error}") from None
    elif expectation in {
        "expect_compound_columns_to_be_unique",
        "expect_multicolumn_sum_to_equal",
        "expect_select_column_values_to_be_unique_within_record",
    }:
        _check_names(kwargs["column_list"], "column_list", minimum=1)
        if kwargs.get("ignore_row_if", IGNORE_ROW_IF[0]) not in IGNORE_ROW_IF:
            raise ValueError(f"ignore_row_if must be one of {', '.join(IGNORE_ROW_IF)}")
        if "sum_total" in kwargs and not _is_number(kwargs["sum_total"]):
            raise ValueError("sum_total must be a number")
    elif expectation in _AGGREGATE_BOUNDED:
        _validate_aggregate_bounds(expectation, kwargs)
    elif expectation == "expect_column_quantile_values_to_be_between":
        _validate_quantiles(kwargs["quantile_ranges"])
    elif expectation in {
        "expect_column_most_common_value_to_be_in_set",
        "expect_column_distinct_values_to_equal_set",
        "expect_column_distinct_values_to_contain_set",
    } or (
        expectation == "expect_column_distinct_values_to_be_in_set"
        and kwargs["value_set"] is not None
    ):
        if not isinstance(kwargs["value_set"], list):
            raise ValueError("value_set must be a list")
    elif expectation == "expect_column_kl_divergence_to_be_less_than":
        _validate_partition(kwargs)
    elif expectation == "expect_table_row_count_to_equal_other_table":
        if not isinstance(kwargs["other_table_name"], str):
            raise ValueError("other_table_name must be a table name")
    elif expectation in PAIR_CHECKS:
        for key in ("column_A", "column_B"):
            if not isinstance(kwargs[key], str):
                raise ValueError(f"{key} must be a column name")
        if kwargs.get("ignore_row_if", PAIR_IGNORE_ROW_IF[0]) not in PAIR_IGNORE_ROW_IF:
            raise ValueError(f"ignore_row_if must be one of {', '.join(PAIR_IGNORE_ROW_IF)}")
        pairs = kwargs.get("value_pairs_set", [])
        if not isinstance(pairs, list) or not all(
            isinstance(p, list | tuple) and len(p) == 2 for p in pairs
        ):
            raise ValueError("value_pairs_set must be a list of [A, B] pairs")
    elif expectation == "expect_column_to_exist":
        index = kwargs.get("column_index")
        if index is not None and not _is_int(index):
            raise ValueError("column_index must be an integer")
    elif (
        expectation == "expect_table_columns_to_match_ordered_list"
        and kwargs["column_list"] is not None
    ):
        _check_names(kwargs["column_list"], "column_list", minimum=0)
    elif expectation == "expect_table_columns_to_match_set" and kwargs["column_set"] is not None:
        _check_names(kwargs["column_set"], "column_set", minimum=0)
    elif expectation == "expect_no_orphans":
        _validate_orphans(kwargs)
    elif expectation == "expect_table_schema_to_match":
        _validate_schema(kwargs["columns"])
    elif expectation == "expect_table_to_be_fresh":
        parse_age(kwargs["max_age"])


_AGGREGATE_BOUNDED = frozenset(
    {
        f"expect_column_{stat}_to_be_between"
        for stat in ("mean", "median", "stdev", "sum", "min", "max")
    }
    | {
        "expect_column_unique_value_count_to_be_between",
        "expect_column_proportion_of_unique_values_to_be_between",
    }
)
# GX refuses these without any bound; the others are vacuously true without one.
_NEEDS_A_BOUND = frozenset(
    {"expect_column_sum_to_be_between", "expect_column_min_to_be_between",
     "expect_column_max_to_be_between"}
)  # fmt: skip


def _validate_aggregate_bounds(expectation: str, kwargs: Mapping[str, Any]) -> None:
    numbers_only = expectation not in {
        "expect_column_min_to_be_between",
        "expect_column_max_to_be_between",
    }
    for key in ("min_value", "max_value"):
        value = kwargs.get(key)
        if value is None:
            continue
        if numbers_only and not _is_number(value):
            raise ValueError(f"{key} {value!r} must be a number")
        if not numbers_only and not (_is_number(value) or isinstance(value, str | date | datetime)):
            raise ValueError(f"{key} {value!r} must be a number, a date or text")
    if expectation in _NEEDS_A_BOUND:
        _check_bounds(kwargs, integers=False, allow_both_none=False)
    else:
        _check_bounds(kwargs, integers=False, allow_both_none=True)
    if expectation == "expect_column_unique_value_count_to_be_between":
        for key in ("min_value", "max_value"):
            if kwargs.get(key) is not None and not _is_int(kwargs[key]):
                raise ValueError(f"{key} must be an integer")


def _validate_partition(kwargs: Mapping[str, Any]) -> None:
    """GX's rules for a KL divergence partition and its holdouts."""
    threshold = kwargs.get("threshold")
    if threshold is not None and (not _is_number(threshold) or threshold < 0):
        raise ValueError("threshold must be a number greater than or equal to zero")
    for key in ("tail_weight_holdout", "internal_weight_holdout"):
        value = kwargs.get(key, 0)
        if not _is_number(value) or not 0 <= value <= 1:
            raise ValueError(f"{key} must be between zero and one (less than or equal to 1)")
    partition = kwargs["partition_object"]
    if partition is None:
        return
    tail = kwargs.get("tail_weight_holdout", 0)
    if not isinstance(partition, dict) or not isinstance(partition.get("weights"), list):
        raise ValueError("partition_object must hold weights with values or bins")
    weights = partition["weights"]
    if not all(_is_number(w) and w >= 0 for w in weights):
        raise ValueError("partition_object weights must be numbers >= 0")
    if isinstance(partition.get("values"), list):
        if len(partition["values"]) != len(weights):
            raise ValueError("partition_object needs one weight per value")
        if kwargs.get("internal_weight_holdout", 0) > 0:
            raise ValueError("internal_weight_holdout cannot be used for discrete data")
        return
    bins = partition.get("bins")
    if (
        not isinstance(bins, list)
        or not all(isinstance(b, int | float) and not isinstance(b, bool) for b in bins)
        or len(bins) != len(weights) + 1
        or bins != sorted(bins)
    ):
        raise ValueError("partition_object bins must be ascending edges, one more than weights")
    infinite_low, infinite_high = math.isinf(bins[0]), math.isinf(bins[-1])
    if "tail_weights" in partition:
        if tail != 0:
            raise ValueError("tail_weight_holdout must be 0 when the partition has tail_weights")
        if infinite_low or infinite_high:
            raise ValueError("a partition with an infinite endpoint can have no tail_weights")
    if infinite_low and infinite_high and tail > 0:
        raise ValueError("tail_weight_holdout cannot be used with two infinite endpoints")


def _validate_quantiles(ranges: object) -> None:
    if not isinstance(ranges, dict) or set(ranges) != {"quantiles", "value_ranges"}:
        raise ValueError(
            "quantile_ranges must be {quantiles: [...], value_ranges: [[lo, hi], ...]}"
        )
    quantiles, bounds = ranges["quantiles"], ranges["value_ranges"]
    if not isinstance(quantiles, list) or not all(_is_number(q) and 0 <= q <= 1 for q in quantiles):
        raise ValueError("quantile_ranges.quantiles must be numbers between 0 and 1")
    if not isinstance(bounds, list) or len(bounds) != len(quantiles):
        raise ValueError("quantile_ranges.value_ranges must give one [lo, hi] per quantile")
    for pair in bounds:
        if not isinstance(pair, list) or len(pair) != 2:
            raise ValueError("quantile_ranges must consist of ordered pairs [lo, hi]")
        low, high = pair
        if any(v is not None and not _is_number(v) for v in pair):
            raise ValueError("quantile_ranges bounds must be numbers or null")
        if low is not None and high is not None and low > high:
            raise ValueError("quantile_ranges must consist of ordered pairs (lo <= hi)")


def _check_names(value: object, what: str, *, minimum: int) -> None:
    if (
        not isinstance(value, list)
        or len(value) < minimum
        or not all(isinstance(v, str) for v in value)
    ):
        raise ValueError(f"{what} must be a list of column names")


def orphan_columns(kwargs: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(child columns, parent columns) of an ``expect_no_orphans`` check."""
    child = kwargs.get("column_list") or ([kwargs["column"]] if kwargs.get("column") else [])
    parent = kwargs.get("parent_column_list") or (
        [kwargs["parent_column"]] if kwargs.get("parent_column") else list(child)
    )
    return list(child), list(parent)


def _validate_orphans(kwargs: Mapping[str, Any]) -> None:
    if ("column" in kwargs) == ("column_list" in kwargs):
        raise ValueError("give exactly one of column or column_list")
    child, parent = orphan_columns(kwargs)
    _check_names(child, "column_list", minimum=1)
    _check_names(parent, "parent_column_list", minimum=1)
    if len(child) != len(parent):
        raise ValueError("column_list and parent_column_list must have the same length")
    if not isinstance(kwargs["parent_table"], str):
        raise ValueError("parent_table must be a table name")


def _validate_schema(columns: object) -> None:
    if not isinstance(columns, list) or not columns:
        raise ValueError("columns must be a list of {name, type} entries")
    for entry in columns:
        if isinstance(entry, str):
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ValueError("each columns entry must be a name or {name: ..., type: ...}")
        unknown = set(entry) - {"name", "type", "nullable"}
        if unknown:
            raise ValueError(
                f"columns entry {entry['name']!r}: unsupported key(s) {', '.join(sorted(unknown))}"
            )
        family = entry.get("type")
        if family is not None and family not in TYPE_FAMILIES:
            raise ValueError(
                f"columns entry {entry['name']!r}: type {family!r} must be one of "
                f"{', '.join(TYPE_FAMILIES)}"
            )


class CheckSpec(StrictModel):
    """One check of a suite. In YAML either ``{expectation: name, kwargs: {...}}`` or the
    short form ``{name: {...kwargs}}``."""

    expectation: str
    kwargs: dict[str, Any] = Field(default_factory=dict)
    table: str | None = None  # overrides the suite's table for this check
    meta: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, data: Any) -> Any:
        if isinstance(data, dict) and len(data) == 1 and "expectation" not in data:
            ((name, kwargs),) = data.items()
            data = {"expectation": name, "kwargs": {} if kwargs is None else kwargs}
        if isinstance(data, dict) and isinstance(data.get("kwargs"), Mapping):
            kwargs = normalise_kwargs(str(data.get("expectation")), data["kwargs"])
            data = {**data, "kwargs": kwargs}
        return data

    @model_validator(mode="after")
    def _arguments(self) -> CheckSpec:
        validate_kwargs(self.expectation, self.kwargs)
        return self

    @property
    def label(self) -> str:
        target = self.kwargs.get("column") or self.kwargs.get("column_list") or ""
        if not target and "column_A" in self.kwargs:
            target = f"{self.kwargs['column_A']}, {self.kwargs['column_B']}"
        return f"{self.expectation}({target})" if target else self.expectation


class Suite(StrictModel):
    """A named list of checks over one database."""

    name: str
    table: str | None = None  # default table of every check
    key: list[str] = Field(default_factory=list)  # row identity in samples (default: primary key)
    sample_size: int = Field(default=20, ge=0, le=10_000)
    checks: list[CheckSpec]

    @model_validator(mode="after")
    def _every_check_has_a_table(self) -> Suite:
        for index, check in enumerate(self.checks):
            if check.table is None and self.table is None:
                raise ValueError(
                    f"check {index + 1} ({check.expectation}) has no table and the suite names none"
                )
        return self


class CheckResult(StrictModel):
    """The verdict of one check, with the counts and a bounded sample of failing rows."""

    expectation: str
    table: str
    kwargs: dict[str, Any] = Field(default_factory=dict)
    success: bool
    element_count: int | None = None  # rows considered
    missing_count: int | None = None  # rows left out because the value is missing
    unexpected_count: int | None = None
    unexpected_percent: float | None = None  # of the rows considered, 0-100
    observed_value: Any = None
    unexpected_values: list[Any] = Field(default_factory=list)  # bounded sample
    failing_keys: list[dict[str, Any]] = Field(default_factory=list)  # bounded sample
    key_columns: list[str] = Field(default_factory=list)
    details: dict[str, Any] = Field(default_factory=dict)
    error: str | None = None  # the check could not be evaluated (missing column, wrong type)


class SuiteResult(StrictModel):
    """All verdicts of one suite run."""

    suite: str
    database: str  # URL with any password hidden
    checked_at: UtcDatetime | None = None
    results: list[CheckResult]
    elapsed_seconds: float = 0.0

    @property
    def success(self) -> bool:
        return all(result.success for result in self.results)

    @property
    def passed(self) -> int:
        return sum(result.success for result in self.results)

    @property
    def pass_rate(self) -> float:
        return self.passed / len(self.results) if self.results else 1.0


def _where(error: ValidationError) -> str:
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    return f"{location}: {message}" if location else message


def parse_suite(data: object, source: str = "suite") -> Suite:
    """A validated suite from parsed YAML/JSON; problems become one ConfigError line."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping with name, table and checks")
    try:
        return Suite.model_validate(data)
    except ValidationError as error:
        raise ConfigError(f"{source}: {_where(error)}") from None


def load_suite(path: str | Path) -> Suite:
    """Read a suite YAML (or JSON) file."""
    file = Path(path)
    # YAML is a superset of JSON: one safe reader for both (size, type, aliases, keys).
    return parse_suite(safe_yaml(file, "quality suite"), str(file))


def dump_suite(suite: Suite) -> str:
    """The suite as YAML, in the long form, keys in a stable order."""
    payload = suite.model_dump(mode="json", exclude_defaults=True)
    for check in payload.get("checks", []):
        check.setdefault("kwargs", {})
    return yaml.safe_dump(payload, sort_keys=False, allow_unicode=True)


__all__ = [
    "EXPECTATIONS",
    "IGNORE_ROW_IF",
    "PAIR_CHECKS",
    "PAIR_IGNORE_ROW_IF",
    "TYPE_FAMILIES",
    "CheckResult",
    "CheckSpec",
    "Suite",
    "SuiteResult",
    "dump_suite",
    "load_suite",
    "normalise_kwargs",
    "orphan_columns",
    "parse_age",
    "parse_suite",
    "validate_kwargs",
]
