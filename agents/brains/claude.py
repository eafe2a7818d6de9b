"""ClaudeBrain: an agent thinking with Claude through the Messages API, with its allowed
actions offered as tools.

Guarantees it keeps (the same as the rule brains'): it only ever returns typed actions,
which the gate then checks; a malformed or disallowed tool call is sent back to the model
as an error `tool_result` (a bounded number of times) and never becomes an action; when
the API is unavailable, the circuit is open or a budget is spent, the agent carries on with
its fallback brain (the rule brain) instead of stopping the run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import Field

from charter.protocols import (
    Action,
    AgentView,
    BudgetExceeded,
    Escalate,
    Remember,
    Report,
    SendMessage,
    StrictModel,
    WriteFile,
)
from charter.protocols.events import AIUsage, BudgetExhausted

from ..ai.client import AIClient, AIRequestRejected, AIUnavailable
from ..ai.limits import FollowClock
from ..ai.usage import UsageRecord
from ..brain import Brain
from .prompt import system_prompt, user_message
from .tools import Allowed, parse_tool_call, tool_definitions

DEFAULT_MODEL = "claude-sonnet-5-5"
OVERRUN_TRIGGER = "AI API Cost Overrun"
_CORRECT = (
    "Some tool calls were rejected (see the errors). Correct them, "
    "or answer without a tool call to stop."
)


class ClaudeSettings(StrictModel):
    """Per-role model settings; `model=None` takes the charter's `model`, else the default."""

    model: str | None = None
    temperature: float | None = Field(default=None, ge=0.0, le=1.0)  # None: the model default
    max_tokens: int = Field(default=1024, ge=1)
    context_tokens: int | None = Field(default=1000, ge=100)  # None: no context budgeting
    max_corrections: int = Field(default=2, ge=0)  # re-asks after rejected tool calls
    cache_prefix: bool = True


def _summary(action: Action) -> str:
    if isinstance(action, WriteFile):
        return f"write_file {action.path}"
    if isinstance(action, SendMessage):
        return f"send_message {action.protocol} to {action.to}"
    if isinstance(action, Escalate):
        return f"escalate {action.trigger}"
    if isinstance(action, Report):
        return f"report {action.report.status}"
    if isinstance(action, Remember):
        return f"remember ({action.memory_kind.value})"
    return f"use_tool {action.tool}"


def _block(block: Any) -> dict[str, Any]:
    # Only the fields the API accepts back in an assistant turn.
    if block.type == "tool_use":
        return {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
    if block.type == "text":
        return {"type": "text", "text": block.text}
    return dict(block.model_dump(mode="json", exclude_none=True))


class ClaudeBrain:
    """The brain of one role, backed by a shared `AIClient` (one per API key and run)."""

    def __init__(
        self,
        role: str,
        client: AIClient,
        *,
        fallback: Brain | None = None,
        settings: ClaudeSettings | None = None,
        tools: Mapping[str, str] | None = None,
    ) -> None:
        self.role = role
        self.client = client
        self.fallback = fallback
        self.settings = settings or ClaudeSettings()
        self.tools = dict(tools or {})
        self.rejections: list[str] = []  # every refused tool call, with its reason
        self.fallbacks: list[str] = []  # why each fallback happened
        self.calls = 0
        self._earlier: list[str] = []
        self._pending: list[UsageRecord] = []
        self._emit: Callable[[AIUsage | BudgetExhausted], object] | None = None
        self._run_id = ""
        self._emitted = 0
        self._overrun_raised = False
        self._system_cache: tuple[str, str] | None = None

    def __repr__(self) -> str:
        return f"ClaudeBrain(role={self.role!r}, model={self.settings.model!r})"

    # usage -----------------------------------------------------------------------------
    def bind_events(self, emit: Callable[[AIUsage | BudgetExhausted], object], run_id: str) -> None:
        """Send each usage record straight into the run as an event (for graphs that do
        not drain `drain_usage()` after each turn): `AIUsage` for calls, `BudgetExhausted`
        for budget refusals."""
        self._emit, self._run_id = emit, run_id

    def drain_usage(self) -> list[UsageRecord]:
        """Usage records since the last drain (empty when events are bound)."""
        out, self._pending = self._pending, []
        return out

    def _take_usage(self, before: int) -> None:
        for record in self.client.ledger.records[before:]:
            if record.agent != self.role:
                continue
            if self._emit is None:
                self._pending.append(record)
                continue
            self._emitted += 1
            digest = hashlib.sha256(
                f"{self._run_id}|{self.role}|{record.at.isoformat()}|{self._emitted}".encode()
            ).hexdigest()[:16]
            self._emit(record.to_event(f"ev-ai-{digest}"))

    # deciding ----------------------------------------------------------------------------
    def model_for(self, view: AgentView) -> str:
        name = self.settings.model or view.charter.model or DEFAULT_MODEL
        return self.client.prices.resolve(name)

    def decide(self, view: AgentView) -> Sequence[Action]:
        if view.step == 0:
            self._earlier = []
        if isinstance(self.client.clock, FollowClock):
            self.client.clock.follow(view.now)
        before = len(self.client.ledger.records)
        try:
            actions = self._think(view)
        except BudgetExceeded as error:
            self.fallbacks.append(f"budget: {error}")
            return self._fall_back(view, overrun=str(error))
        except (AIUnavailable, AIRequestRejected) as error:
            self.fallbacks.append(f"unavailable: {error}")
            return self._fall_back(view)
        finally:
            self._take_usage(before)
        self._earlier += [_summary(a) for a in actions]
        return actions

    def _fall_back(self, view: AgentView, overrun: str | None = None) -> list[Action]:
        actions: list[Action] = []
        trigger = view.charter.escalation.severity_of(OVERRUN_TRIGGER)
        if overrun is not None and trigger is not None and not self._overrun_raised:
            # The charter names an overrun trigger: the PM hears about it once per run.
            self._overrun_raised = True
            actions.append(Escalate(trigger=OVERRUN_TRIGGER, summary=overrun))
        if self.fallback is not None:
            actions += list(self.fallback.decide(view))
        return actions

    def _system(self, view: AgentView) -> str:
        if self._system_cache is None or self._system_cache[0] != view.charter.role:
            self._system_cache = (view.charter.role, system_prompt(view.charter, view.team))
        return self._system_cache[1]

    def build_request(self, view: AgentView) -> tuple[dict[str, Any], Allowed]:
        """The Messages API request for this step (public for tests and benchmarks)."""
        allowed = Allowed.of(view, self.tools)
        system: dict[str, Any] = {"type": "text", "text": self._system(view)}
        if self.settings.cache_prefix:
            system["cache_control"] = {"type": "ephemeral"}
        request: dict[str, Any] = {
            "model": self.model_for(view),
            "max_tokens": self.settings.max_tokens,
            "system": [system],
            "tools": tool_definitions(allowed, self.tools),
            "messages": [
                {
                    "role": "user",
                    "content": user_message(
                        view, earlier=self._earlier, budget_tokens=self.settings.context_tokens
                    ),
                }
            ],
        }
        if self.settings.temperature is not None:
            request["temperature"] = self.settings.temperature
        return request, allowed

    def _think(self, view: AgentView) -> list[Action]:
        request, allowed = self.build_request(view)
        actions: list[Action] = []
        for attempt in range(self.settings.max_corrections + 1):
            self.calls += 1
            message, _ = self.client.create(agent=self.role, request=request)
            results: list[dict[str, Any]] = []
            rejected = False
            for block in message.content:
                if block.type != "tool_use":
                    continue
                parsed = parse_tool_call(block.name, block.input, allowed)
                if isinstance(parsed, str):
                    rejected = True
                    self.rejections.append(parsed)
                    results.append(
                        {
                            "type": "tool_result",
                            "tool_use_id": block.id,
                            "content": parsed,
                            "is_error": True,
                        }
                    )
                else:
                    actions.append(parsed)
                    results.append(
                        {
                            "type": "tool_result",
                            "tool_use_id": block.id,
                            "content": "accepted: proposed to the gate",
                        }
                    )
            if not rejected or attempt == self.settings.max_corrections:
                break
            request = {
                **request,
                "messages": [
                    *request["messages"],
                    {"role": "assistant", "content": [_block(b) for b in message.content]},
                    {
                        "role": "user",
                        "content": [
                            *results,
                            {
                                "type": "text",
                                "text": _CORRECT,
                            },
                        ],
                    },
                ],
            }
        return actions


__all__ = ["DEFAULT_MODEL", "OVERRUN_TRIGGER", "ClaudeBrain", "ClaudeSettings"]
