"""A mock Messages API server for offline runs, tests and benchmarks.

`MockModel` is an `httpx2.MockTransport` handler: it answers like the real API (the same
JSON shapes, usage with prompt-cache reads and writes, error bodies and `retry-after`
headers), so the real SDK client runs unchanged over it. What it "thinks" is a policy, a
function of the request body returning content blocks; the default `playbook_policy`
escalates a signal that the system prompt's trigger table names and then reports.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

import httpx2

Policy = Callable[[dict[str, Any]], list[dict[str, Any]]]
_TRIGGER_LINE = re.compile(
    r"^- (?P<name>.+?) \((?P<sev>immediate|standard)\) \[signals: (?P<sig>[^\]]*)\]", re.MULTILINE
)
_ERROR_TYPES = {
    429: "rate_limit_error",
    529: "overloaded_error",
    500: "api_error",
    503: "api_error",
    400: "invalid_request_error",
}


def _tokens(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False)) // 4 + 1


def _text_of(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    return "\n".join(b.get("text", "") for b in content or [] if isinstance(b, dict))


def tool_use(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """A tool_use content block (its id is filled in by the server)."""
    return {"type": "tool_use", "name": name, "input": arguments}


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def _lesson(prompt: str) -> str:
    # A lesson that echoes what the turn was about, so memories grow over a long run.
    first = next((line for line in prompt.splitlines() if line.startswith("## ")), "## turn")
    return f"handled {first[3:][:120]}"


def playbook_policy(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Step 0: escalate the signal's trigger (as the table says) and report; later steps,
    or after a rejected call: stop."""
    last = body["messages"][-1]
    if isinstance(last.get("content"), list) and any(
        isinstance(b, dict) and b.get("type") == "tool_result" for b in last["content"]
    ):
        return [text("Understood; nothing more this turn.")]
    prompt = _text_of(last)
    step = re.search(r"Step: (\d+)", prompt)
    if step is None or int(step.group(1)) > 0:
        return [text("Done for this turn.")]
    tools = {t["name"] for t in body.get("tools", [])}
    system = "\n".join(b.get("text", "") for b in body.get("system", []))
    blocks: list[dict[str, Any]] = []
    signal = re.search(r"## Signal: ([a-z0-9_]+)", prompt)
    if signal is not None and "escalate" in tools:
        for match in _TRIGGER_LINE.finditer(system):
            if signal.group(1) in [s.strip() for s in match.group("sig").split(",")]:
                blocks.append(
                    tool_use(
                        "escalate",
                        {
                            "trigger": match.group("name"),
                            "summary": f"{signal.group(1)} observed",
                            "claimed_severity": match.group("sev"),
                        },
                    )
                )
                break
    task = re.search(r"## Task (\S+):", prompt)
    if "report" in tools:
        blocks.append(
            tool_use(
                "report",
                {
                    "report": {
                        "task_id": task.group(1) if task else None,
                        "status": "success",
                        "summary": "handled by the mock model",
                        "lessons": [{"category": "pattern", "summary": _lesson(prompt)}],
                    }
                },
            )
        )
    return blocks or [text("Nothing to do.")]


# 200 replies that are not a message, by name (a `faults` entry may name one).
_NO_USAGE = {"id": "m", "type": "message", "role": "assistant", "model": "mock",
             "content": [{"type": "text", "text": "hi"}], "stop_reason": "end_turn"}  # fmt: skip
_ONE_TOKEN = {"input_tokens": 1, "output_tokens": 1}
MALFORMED_REPLIES: dict[str, tuple[bytes, str]] = {
    "invalid_json": (b'{"id": "m", "content": [', "application/json"),
    "empty": (b"", "application/json"),
    "html": (b"<html><body>502 from a proxy</body></html>", "text/html"),
    "no_usage": (json.dumps(_NO_USAGE).encode(), "application/json"),
    "overbilled": (  # far more output than any request's max_tokens allows
        json.dumps(
            {**_NO_USAGE, "usage": {"input_tokens": 10, "output_tokens": 10_000_000}}
        ).encode(),
        "application/json",
    ),
    "null_content": (
        json.dumps({**_NO_USAGE, "content": None, "usage": _ONE_TOKEN}).encode(),
        "application/json",
    ),
}


class MockModel:
    """The mock server. `faults` are statuses (or `MALFORMED_REPLIES` names) returned in
    order before the policy speaks, each status with `retry_after` seconds if given;
    `requests` keeps every request body seen."""

    def __init__(
        self,
        policy: Policy | None = None,
        *,
        faults: Iterable[int | str] = (),
        retry_after: float | None = None,
        model_name: str | None = None,
        usage: Callable[[dict[str, Any], list[dict[str, Any]]], dict[str, int]] | None = None,
    ) -> None:
        self.policy = policy or playbook_policy
        self.faults = list(faults)
        self.retry_after = retry_after
        self.model_name = model_name
        self._usage_override = usage  # bill exactly what a test says
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._cached: set[str] = set()

    def transport(self) -> httpx2.MockTransport:
        return httpx2.MockTransport(self)

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.read())
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        if self.faults and isinstance(self.faults[0], str):
            body_text, kind = MALFORMED_REPLIES[str(self.faults.pop(0))]
            return httpx2.Response(200, content=body_text, headers={"content-type": kind})
        if self.faults:
            status = int(self.faults.pop(0))
            headers = (
                {"retry-after": f"{self.retry_after:g}"} if self.retry_after is not None else {}
            )
            kind = _ERROR_TYPES.get(status, "api_error")
            return httpx2.Response(
                status,
                headers=headers,
                json={
                    "type": "error",
                    "error": {"type": kind, "message": f"mock {kind}"},
                },
            )
        blocks = self.policy(body)
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        for index, block in enumerate(blocks):
            if block.get("type") == "tool_use" and "id" not in block:
                block["id"] = f"toolu_{digest[:20]}{index:02d}"
        return httpx2.Response(
            200,
            json={
                "id": f"msg_{digest[:24]}",
                "type": "message",
                "role": "assistant",
                "model": self.model_name or body.get("model", "mock"),
                "content": blocks,
                "stop_reason": "tool_use"
                if any(b["type"] == "tool_use" for b in blocks)
                else "end_turn",
                "stop_sequence": None,
                "usage": (self._usage_override or self._usage)(body, blocks),
            },
        )

    def _usage(self, body: dict[str, Any], blocks: list[dict[str, Any]]) -> dict[str, int]:
        # The prompt-cache prefix is tools + system when the system block asks for caching.
        system = body.get("system", [])
        cached = any(isinstance(b, dict) and "cache_control" in b for b in system)
        prefix_tokens = _tokens([body.get("tools", []), system]) if cached else 0
        rest = _tokens(body["messages"]) + (
            0 if cached else _tokens([body.get("tools", []), system])
        )
        read = write = 0
        if cached:
            key = hashlib.sha256(
                json.dumps([body.get("tools"), system], sort_keys=True).encode()
            ).hexdigest()
            if key in self._cached:
                read = prefix_tokens
            else:
                write = prefix_tokens
                self._cached.add(key)
        return {
            "input_tokens": rest,
            # A real server stops at max_tokens; it never bills more output than asked for.
            "output_tokens": min(_tokens(blocks), int(body.get("max_tokens") or 1 << 30)),
            "cache_read_input_tokens": read,
            "cache_creation_input_tokens": write,
        }


__all__ = ["MockModel", "Policy", "playbook_policy", "text", "tool_use"]
