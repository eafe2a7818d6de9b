"""Reading a Great Expectations expectation-suite JSON into a Charter suite.

Both layouts are read: GX 0.x (``expectation_suite_name``, ``expectation_type``) and
GX 1.x (``name``, ``type``). Every expectation Charter runs under the same name is
imported with its arguments; the rest are skipped, each with the reason, never dropped
silently. Arguments that only shape GX's output (``result_format``, ``catch_exceptions``,
``include_config``, ``meta``) are left out; arguments that change the verdict and Charter
does not implement (``row_condition``, ``parse_strings_as_datetimes``, ...) make the
expectation skipped rather than run with a different meaning.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import Field

from charter.protocols import ConfigError, StrictModel

from .suite import (
    EXPECTATIONS,
    CheckSpec,
    Suite,
    dump_suite,
    normalise_kwargs,
    validate_kwargs,
)

_OUTPUT_ONLY = frozenset(
    {"result_format", "catch_exceptions", "include_config", "meta", "batch_id"}
)
_OWN = frozenset({"expect_no_orphans", "expect_table_schema_to_match", "expect_table_to_be_fresh"})


class SkippedExpectation(StrictModel):
    index: int  # position in the GX suite, from 1
    expectation: str
    reason: str


class GxImport(StrictModel):
    suite: Suite
    skipped: list[SkippedExpectation] = Field(default_factory=list)

    @property
    def imported(self) -> int:
        return len(self.suite.checks)


def _table_from_meta(meta: object) -> str | None:
    if not isinstance(meta, dict):
        return None
    for key in ("table", "table_name", "data_asset_name"):
        if isinstance(meta.get(key), str):
            return str(meta[key])
    batch = meta.get("batch_kwargs")
    if isinstance(batch, dict) and isinstance(batch.get("table"), str):
        return str(batch["table"])
    return None


def convert_gx_suite(
    data: object, *, table: str | None = None, source: str = "GX suite"
) -> GxImport:
    """A Charter suite from parsed GX suite JSON."""
    if not isinstance(data, dict) or not isinstance(data.get("expectations"), list):
        raise ConfigError(f"{source}: expected a GX expectation suite with an 'expectations' list")
    name = data.get("expectation_suite_name") or data.get("name") or Path(source).stem
    target = table or _table_from_meta(data.get("meta"))
    if not target:
        raise ConfigError(f"{source}: the suite names no table; pass the table to check (--table)")
    checks: list[CheckSpec] = []
    skipped: list[SkippedExpectation] = []
    for index, item in enumerate(data["expectations"], start=1):
        if not isinstance(item, dict):
            raise ConfigError(f"{source}: expectations[{index - 1}]: expected an object")
        expectation = str(item.get("expectation_type") or item.get("type") or "")
        kwargs: dict[str, Any] = normalise_kwargs(
            expectation,
            {k: v for k, v in (item.get("kwargs") or {}).items() if k not in _OUTPUT_ONLY},
        )
        reason = _why_not(expectation, kwargs)
        if reason is not None:
            skipped.append(SkippedExpectation(index=index, expectation=expectation, reason=reason))
            continue
        meta = item.get("meta") if isinstance(item.get("meta"), dict) else {}
        checks.append(CheckSpec(expectation=expectation, kwargs=kwargs, meta=meta or {}))
    if not checks:
        raise ConfigError(f"{source}: none of the {len(skipped)} expectations can be imported")
    return GxImport(suite=Suite(name=str(name), table=target, checks=checks), skipped=skipped)


def _why_not(expectation: str, kwargs: dict[str, Any]) -> str | None:
    if not expectation:
        return "no expectation type"
    if expectation not in EXPECTATIONS or expectation in _OWN:
        return "not offered by Charter"
    try:
        validate_kwargs(expectation, kwargs)
    except ValueError as error:
        return str(error)
    return None


def import_gx_suite(path: str | Path, *, table: str | None = None) -> GxImport:
    """Read a GX suite JSON file."""
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"GX suite {str(file)!r}: {error.strerror or error}") from None
    except json.JSONDecodeError as error:
        raise ConfigError(f"GX suite {str(file)!r}: not valid JSON (line {error.lineno})") from None
    return convert_gx_suite(data, table=table, source=str(file))


def render_import(result: GxImport) -> str:
    """The suite YAML, headed by comments that list what was skipped and why."""
    lines = [f"# Imported from a Great Expectations suite: {result.imported} check(s)."]
    if result.skipped:
        lines.append(f"# Skipped {len(result.skipped)} expectation(s):")
        lines += [f"#   {s.index}. {s.expectation}: {s.reason}" for s in result.skipped]
    return "\n".join(lines) + "\n" + dump_suite(result.suite)


__all__ = [
    "GxImport",
    "SkippedExpectation",
    "convert_gx_suite",
    "import_gx_suite",
    "render_import",
]
