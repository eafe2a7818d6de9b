"""Record and replay of Messages API calls, as httpx2 transports under the real SDK.

`RecordingTransport` wraps a live (or mock) transport and saves each request/response
pair to a JSON cassette, keyed by a hash of the canonical request (method, path and
the JSON body with sorted keys). `ReplayTransport` serves a cassette offline and fails
loudly on a request it has not seen, with the first difference against the nearest
recorded request. Request headers are never stored — they carry the API key — and only a
few harmless response headers are kept.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import httpx2

from charter.inputs import Limits, safe_json
from charter.protocols import CharterError, ConfigError

CASSETTE_NAME = "cassette.json"
_KEPT_HEADERS = ("content-type", "retry-after", "retry-after-ms", "request-id")
_DIFF_LINES = 24


class CassetteMiss(CharterError):
    """Replay met a request the cassette does not hold (or holds fewer times)."""


def _canonical(request: httpx2.Request) -> tuple[dict[str, Any], str]:
    body = request.read()
    try:
        payload: Any = json.loads(body) if body else None
    except ValueError:
        payload = body.decode("utf-8", "replace")
    entry = {"method": request.method, "path": request.url.path, "body": payload}
    text = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return entry, text


def request_key(request: httpx2.Request) -> str:
    return hashlib.sha256(_canonical(request)[1].encode()).hexdigest()[:24]


def _load(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        raise ConfigError(f"cassette {path}: not found; record one with --llm record")
    # A cassette holds whole replies: a larger budget than a hand-written file gets.
    data = safe_json(path, "cassette", Limits(max_bytes=64 * 1024 * 1024))
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise ConfigError(f"cassette {path}: expected an object with an 'interactions' list")
    return list(data["interactions"])


def _response(saved: dict[str, Any]) -> httpx2.Response:
    body = saved.get("body")
    content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    return httpx2.Response(int(saved["status"]), headers=saved.get("headers", {}), content=content)


class RecordingTransport(httpx2.BaseTransport):
    """Forwards to `inner` and appends every exchange to the cassette at `path`."""

    def __init__(self, inner: httpx2.BaseTransport, path: Path | str) -> None:
        self._inner = inner
        self.path = Path(path)
        self.interactions: list[dict[str, Any]] = _load(self.path) if self.path.is_file() else []

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        entry, text = _canonical(request)
        response = self._inner.handle_request(request)
        content = response.read()
        headers = {k: v for k, v in response.headers.items() if k.lower() in _KEPT_HEADERS}
        try:
            body: Any = json.loads(content) if content else None
        except ValueError:
            body = content.decode("utf-8", "replace")
        self.interactions.append(
            {
                "key": hashlib.sha256(text.encode()).hexdigest()[:24],
                "request": entry,
                "response": {"status": response.status_code, "headers": headers, "body": body},
            }
        )
        self._save()
        return httpx2.Response(response.status_code, headers=headers, content=content)

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".cassette-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(
                {"version": 1, "interactions": self.interactions},
                handle,
                indent=1,
                sort_keys=True,
                ensure_ascii=False,
            )
        os.replace(tmp, self.path)


def _pretty(entry: dict[str, Any]) -> list[str]:
    return json.dumps(entry, indent=1, sort_keys=True, ensure_ascii=False).splitlines()


def first_difference(recorded: dict[str, Any], asked: dict[str, Any]) -> str:
    """The first hunk of a unified diff between a recorded request and a new one."""
    diff = list(
        difflib.unified_diff(
            _pretty(recorded), _pretty(asked), "recorded", "requested", n=2, lineterm=""
        )
    )
    hunk: list[str] = []
    for line in diff[2:]:
        if line.startswith("@@") and hunk:
            break
        hunk.append(line)
    if len(hunk) > _DIFF_LINES:
        hunk = [*hunk[:_DIFF_LINES], "..."]
    return "\n".join([*diff[:2], *hunk])


class ReplayTransport(httpx2.BaseTransport):
    """Serves the cassette at `path`; the n-th identical request gets the n-th recorded
    response (a retried request is recorded once per attempt)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.interactions = _load(self.path)
        self._by_key: dict[str, list[dict[str, Any]]] = {}
        for item in self.interactions:
            self._by_key.setdefault(str(item["key"]), []).append(item)
        self._served: dict[str, int] = {}

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        entry, text = _canonical(request)
        key = hashlib.sha256(text.encode()).hexdigest()[:24]
        recorded = self._by_key.get(key, [])
        count = self._served.get(key, 0)
        if count < len(recorded):
            self._served[key] = count + 1
            return _response(recorded[count]["response"])
        if recorded:
            raise CassetteMiss(
                f"cassette {self.path}: request {key} was recorded {len(recorded)} time(s) "
                f"and is now asked for time {count + 1}"
            )
        raise CassetteMiss(self._explain(key, entry))

    def _explain(self, key: str, entry: dict[str, Any]) -> str:
        head = f"cassette {self.path}: request {key} was never recorded"
        if not self.interactions:
            return head + " (the cassette is empty)"
        asked = "\n".join(_pretty(entry))

        def similarity(item: dict[str, Any]) -> float:
            return difflib.SequenceMatcher(
                None, "\n".join(_pretty(item["request"])), asked, autojunk=False
            ).quick_ratio()

        index, nearest = max(enumerate(self.interactions), key=lambda p: similarity(p[1]))
        return (
            f"{head}; first difference against the nearest recorded request "
            f"(#{index + 1}, {nearest['key']}):\n{first_difference(nearest['request'], entry)}"
        )


__all__ = [
    "CASSETTE_NAME",
    "CassetteMiss",
    "RecordingTransport",
    "ReplayTransport",
    "first_difference",
    "request_key",
]
