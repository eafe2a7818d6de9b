"""A suite's outcome as a Great Expectations validation result (GX 1.x JSON layout), so a
GX user's tools (Data Docs renderers, result stores, alerting that reads `success` and
`statistics`) can read what Charter checked.

Per check: `expectation_config` (type and kwargs as given), `result` (GX's counts for row
checks: element, missing and unexpected counts and percents, a partial list of unexpected
values and their row keys; `observed_value` for aggregate and table checks), and
`exception_info` when the check could not be evaluated (a missing column, a type that does
not fit), which GX reports as an unsuccessful result with the error message.
"""

from __future__ import annotations

from typing import Any

from .suite import CheckResult, SuiteResult

GX_LAYOUT = "1.x"
_PARTIAL = 20  # GX's partial lists hold the first 20


def _percent(part: int | None, whole: int | None) -> float | None:
    if part is None or not whole:
        return None if part is None else 0.0
    return 100.0 * part / whole


def _result(check: CheckResult) -> dict[str, Any]:
    if check.unexpected_count is None:
        out: dict[str, Any] = {"observed_value": check.observed_value}
        if check.details:
            out["details"] = check.details
        return out
    considered = check.element_count or 0
    missing = check.missing_count or 0
    total = considered + missing if missing else considered
    out = {
        "element_count": total,
        "missing_count": missing,
        "missing_percent": _percent(missing, total),
        "unexpected_count": check.unexpected_count,
        "unexpected_percent": _percent(check.unexpected_count, considered),
        "unexpected_percent_total": _percent(check.unexpected_count, total),
        "unexpected_percent_nonmissing": _percent(check.unexpected_count, considered),
        "partial_unexpected_list": check.unexpected_values[:_PARTIAL],
    }
    if check.failing_keys:
        out["partial_unexpected_index_list"] = check.failing_keys[:_PARTIAL]
    return out


def to_gx_validation_result(result: SuiteResult) -> dict[str, Any]:
    """The GX 1.x `ExpectationSuiteValidationResult` dict of a suite run."""
    results = []
    for check in result.results:
        kwargs = dict(check.kwargs)
        kwargs.setdefault("batch_id", f"{result.database}:{check.table}")
        results.append(
            {
                "success": check.success,
                "expectation_config": {
                    "type": check.expectation,
                    "kwargs": kwargs,
                    "meta": {"charter_table": check.table},
                },
                "result": {} if check.error else _result(check),
                "meta": {},
                "exception_info": {
                    "raised_exception": check.error is not None,
                    "exception_message": check.error,
                    "exception_traceback": None,
                },
            }
        )
    passed = sum(1 for check in result.results if check.success)
    evaluated = len(result.results)
    return {
        "success": result.success,
        "results": results,
        "suite_name": result.suite,
        "suite_parameters": {},
        "statistics": {
            "evaluated_expectations": evaluated,
            "successful_expectations": passed,
            "unsuccessful_expectations": evaluated - passed,
            "success_percent": 100.0 * passed / evaluated if evaluated else None,
        },
        "meta": {
            "validation_time": result.checked_at.isoformat() if result.checked_at else None,
            "batch_spec": {"database": result.database},
            "producer": "charter",
            "gx_result_layout": GX_LAYOUT,
        },
        "id": None,
    }


__all__ = ["to_gx_validation_result"]
