"""Base model for every protocol type: strict about unknown keys, UTC-aware timestamps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Unknown keys are an error, not silently dropped: a typo in a role file or scenario
    must be reported, never ignored."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _require_utc(value: datetime) -> datetime:
    # Naive timestamps are ambiguous across daylight-saving changes and machines; run logic
    # only ever compares aware UTC instants.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamp must be timezone-aware (e.g. 2026-03-02T01:00:00Z)")
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_require_utc)]
"""A datetime that must carry a timezone; it is normalised to UTC."""


__all__ = ["StrictModel", "UtcDatetime"]
