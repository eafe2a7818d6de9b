"""`--json`: the one option every reporting command shares, and its one way of printing.

The convention: with `--json` a command writes exactly one JSON document to stdout (what
it would have reported, as data); everything else it says (progress, "wrote FILE") goes
to stderr; a user mistake is still one `charter: ...` line on stderr with exit code 2.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print the report as one JSON document on stdout.")
]


def plain(value: Any) -> Any:
    """`value` as JSON-ready data: pydantic models, dataclasses, paths, times, enums."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Path):
        return str(value)
    return value


def emit_json(value: Any) -> None:
    """Write `value` as one JSON document (and a newline) to stdout."""
    sys.stdout.write(json.dumps(plain(value), indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


__all__ = ["JsonOpt", "emit_json", "plain"]
