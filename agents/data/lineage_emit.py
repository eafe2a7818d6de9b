"""Send OpenLineage events through the `openlineage-python` client's own transports.

- ``console``: one JSON event per line (NDJSON) on a text stream (stdout by default). The
  client's console transport writes through the `logging` module, so a handler that prints
  the bare message is attached for the duration of the send.
- ``file``: appended to one NDJSON file (the client's file transport in append mode).
- ``http``: posted to ``OPENLINEAGE_URL`` (+ ``OPENLINEAGE_ENDPOINT``, default
  ``api/v1/lineage``; ``OPENLINEAGE_API_KEY`` as a bearer token), as the client does when
  it is configured from the environment.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO

from charter.protocols import ConfigError

if TYPE_CHECKING:
    from openlineage.client.event_v2 import RunEvent

Transport = Literal["console", "file", "http"]
TRANSPORTS: tuple[Transport, ...] = ("console", "file", "http")


def transport_config(
    kind: Transport, *, file: Path | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The client's transport configuration for `kind`; a missing setting is a ConfigError."""
    env = os.environ if environ is None else environ
    if kind == "console":
        return {"type": "console"}
    if kind == "file":
        if file is None:
            raise ConfigError("lineage --transport file: expected --file PATH for the events")
        if not file.parent.is_dir():
            raise ConfigError(f"lineage --file {file}: folder {file.parent} does not exist")
        return {"type": "file", "log_file_path": str(file), "append": True}
    url = env.get("OPENLINEAGE_URL", "").strip()
    if not url:
        raise ConfigError(
            "lineage --transport http: OPENLINEAGE_URL is not set "
            "(expected the lineage backend's base URL, e.g. http://localhost:5000)"
        )
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"OPENLINEAGE_URL {url!r}: expected an http:// or https:// URL")
    config: dict[str, Any] = {
        "type": "http",
        "url": url,
        "endpoint": env.get("OPENLINEAGE_ENDPOINT", "api/v1/lineage"),
    }
    if env.get("OPENLINEAGE_API_KEY"):
        config["auth"] = {"type": "api_key", "apiKey": env["OPENLINEAGE_API_KEY"]}
    return config


@contextmanager
def _console_to(stream: TextIO) -> Iterator[None]:
    logger = logging.getLogger("openlineage.client.transport.console")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    saved = (logger.level, logger.propagate)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # the events go to `stream` only, not to the root logger too
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


def emit_events(
    events: Sequence[RunEvent],
    kind: Transport = "console",
    *,
    file: Path | None = None,
    stream: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Send `events` in order through the client; returns how many were sent. A transport
    failure is a ConfigError naming how many went out before it."""
    from openlineage.client import OpenLineageClient

    config = transport_config(kind, file=file, environ=environ)
    client = OpenLineageClient(config={"transport": config})
    sent = 0
    with _console_to(stream or sys.stdout):
        try:
            for event in events:
                client.emit(event)
                sent += 1
        except Exception as error:  # requests, file-system and client errors alike
            where = config.get("url") or config.get("log_file_path") or kind
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise ConfigError(
                f"lineage: sending to {where} failed after {sent} of {len(events)} event(s) "
                f"({reason})"
            ) from None
        finally:
            client.close(timeout=5.0)
    return sent


__all__ = ["TRANSPORTS", "Transport", "emit_events", "transport_config"]
