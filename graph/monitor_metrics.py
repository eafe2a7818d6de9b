"""The `metric_anomaly` monitor: a metric series watched by the streaming anomaly detector.

Options: `query` (required; SQL returning `(timestamp, value)` rows in time order), and
optionally `database` (one file under the run's datasets; default every `*.db`),
`threshold`, `max_share`, `period` (points, or `auto`). Each fire replays the rows up to
the fire time through `StreamingDetector.update` -- the same object a long-lived process
would keep -- and signals `anomaly_detected` once per anomalous stretch whose first point
falls after the previous fire (all stretches on the first fire). Replaying, rather than
keeping detector state between fires, keeps the monitor deterministic across a resumed
run; it agrees with batch `charter data anomalies` on the same rows by construction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from charter.agents.data.anomaly_season import choose_season, parse_times
from charter.agents.data.anomaly_stream import (
    DEFAULT_MAX_SHARE,
    DEFAULT_THRESHOLD,
    StreamingDetector,
)
from charter.protocols import ConfigError, Signal

from .monitors import FunctionMonitor, MonitorContext, _connect


def _number(options: Any, key: str, default: float) -> float:
    raw = options.get(key, default)
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"metric_anomaly option {key}: {raw!r} is not a number") from None


def _period(raw: object) -> int | None:
    if raw is None or raw == "none":
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    raise ConfigError(
        f"metric_anomaly option period: {raw!r}, expected a number of points, 'auto' or 'none'"
    )


def _aware(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"monitor metric_anomaly: timestamp {text!r} is not ISO-8601, expected the "
            "query's first column to be a time (the monitor compares it with the fire time)"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def metric_anomaly(context: MonitorContext) -> list[Signal]:
    query = context.options.get("query")
    if not isinstance(query, str) or not query.strip():
        raise ConfigError(
            f"monitor metric_anomaly (schedule {context.schedule}): option 'query' is "
            "required, expected SQL returning (timestamp, value) rows"
        )
    threshold = _number(context.options, "threshold", DEFAULT_THRESHOLD)
    max_share = _number(context.options, "max_share", DEFAULT_MAX_SHARE)
    wanted_period = context.options.get("period", "auto")
    signals: list[Signal] = []
    for path in context.databases():
        engine = _connect(path)
        try:
            with engine.connect() as connection:
                rows = connection.execute(sa.text(query)).all()
        except sa.exc.SQLAlchemyError as error:
            raise ConfigError(
                f"monitor metric_anomaly on {path.name}: {error.__class__.__name__}: "
                f"{error.args[0]}"
            ) from None
        finally:
            engine.dispose()
        if rows and len(rows[0]) != 2:
            raise ConfigError(
                f"monitor metric_anomaly on {path.name}: {len(rows[0])} columns, "
                "expected (timestamp, value)"
            )
        # Only what had happened at the fire time: rows stamped later are not seen yet.
        seen = [(str(t), float(v)) for t, v in rows if _aware(str(t)) <= context.now]
        if len(seen) < 2:
            continue
        stamps = [t for t, _ in seen]
        values = [v for _, v in seen]
        choice = choose_season(values, stamps)
        period = choice.period if wanted_period == "auto" else _period(wanted_period)
        seconds = parse_times(stamps)
        detector = StreamingDetector(
            period=period,
            threshold=threshold,
            max_share=max_share,
            step_seconds=choice.step_seconds if seconds is not None else None,
        )
        for stamp, value in seen:
            result = detector.update(value, stamp if seconds is not None else None)
            if not result.new_event:
                continue
            if context.since is not None and _aware(stamp) <= context.since:
                continue
            signals.append(
                context.signal(
                    "anomaly_detected",
                    len(signals),
                    database=path.name,
                    at=stamp,
                    value=value,
                    expected=result.expected,
                    score=result.score,
                    reason=result.reason,
                    period=period,
                )
            )
    return signals


MONITOR = FunctionMonitor(
    "metric_anomaly", metric_anomaly, "anomalous stretches of a metric series"
)

__all__ = ["MONITOR", "metric_anomaly"]
