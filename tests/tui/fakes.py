"""An in-memory event source playing a short, deterministic pipeline-failure run built
from real `charter.protocols` events: the Data agent's monitor finds a failed pipeline,
the Architect reviews, an immediate escalation pauses the Data agent until the PM decides;
approve and deny lead to different endings (and digests)."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime, timedelta

from charter.agents.answers import InfoRequest, answer_from_record
from charter.agents.team import load_team
from charter.graph.authority import AuthorityEngine
from charter.memory.records import canonical_json
from charter.protocols import (
    AgentReport,
    ConfigError,
    Decision,
    DecisionVerdict,
    Escalation,
    Event,
    MemoryKind,
    Message,
    Severity,
    Signal,
    Team,
    VirtualClock,
)
from charter.protocols import events as ev
from charter.tui.source import MemoryItem, SourceStatus

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@functools.cache
def default_team() -> Team:
    return load_team()  # parsing the shipped YAML is the slow part of a fake; do it once


ESCALATION_ID = "esc-0001"

MEMORIES = [
    MemoryItem(
        "mem-1",
        "data",
        "error",
        "load_orders failed on duplicate keys; dedupe staging",
        ("pipeline", "orders"),
        0.9,
    ),
    MemoryItem(
        "mem-2",
        "data",
        "reliability",
        "replay a failed load from the last checkpoint",
        ("recovery",),
        0.7,
    ),
    MemoryItem(
        "mem-3",
        "data",
        "governance",
        "customers.email is classified confidential",
        ("classification",),
        0.8,
    ),
    MemoryItem(
        "mem-4", "architect", "project", "orders schema v3 adopted surrogate keys", ("schema",), 0.6
    ),
]


class ScriptedRunSource:
    """A live-looking source: `step()` emits the next scripted event."""

    def __init__(self, *, workspace: str = "/tmp/charter-tui-fake") -> None:
        from pathlib import Path

        self.clock = VirtualClock(START)
        self._team: Team = default_team()
        self._engine = AuthorityEngine(self._team, Path(workspace))
        self._events: list[Event] = []
        self._escalation: Escalation | None = None
        self._script: list[Callable[[], Event]] = self._opening()
        self._paused_on: str | None = None
        self._rounds = 0  # needs-info questions asked
        self.closed = False

    # -- the script -------------------------------------------------------------------

    def _next_id(self) -> str:
        return f"ev-{len(self._events) + 1:04d}"

    def _base(self, agent: str | None, **extra: object) -> dict[str, object]:
        self.clock.advance(timedelta(minutes=1))
        return {
            "id": self._next_id(),
            "at": self.clock.now(),
            "agent": agent,
            "task_id": "task-1",
            **extra,
        }

    def _opening(self) -> list[Callable[[], Event]]:
        msg_id = "msg-1"
        return [
            lambda: ev.RunStarted(
                **self._base(None),
                run_id="fake",
                seed=7,
                team=list(self._team.roles),
                scenario="pipeline-failure",
            ),
            lambda: ev.ScheduleFired(
                **self._base("data"), schedule="pipeline_health", scheduled_for=self.clock.now()
            ),
            lambda: ev.AgentActivated(**self._base("data"), cause="schedule:pipeline_health"),
            lambda: ev.ContextPrepared(
                **self._base("data"), memory_ids=["mem-1", "mem-2"], characters=120
            ),
            lambda: ev.ToolUsed(
                **self._base("data"),
                tool="pipeline_health",
                ok=False,
                summary="load_orders failed",
                result={"pipeline_success_rate": 0.97, "query_p95_ms": 140.0},
            ),
            lambda: ev.SignalReceived(
                **self._base("data"),
                signal=Signal(
                    id="sig-1",
                    kind="pipeline_failed",
                    source="monitor:pipeline_health",
                    at=self.clock.now(),
                    payload={"pipeline": "load_orders"},
                ),
            ),
            lambda: self._authority("data", "etl/load_orders.sql"),
            lambda: self._authority("engineer", "migrations/0003_orders.sql"),
            lambda: ev.MessageSent(
                **self._base("data"),
                message=Message(
                    id=msg_id,
                    correlation_id="corr-1",
                    protocol="schema_review",
                    sender="data",
                    recipient="architect",
                    sent_at=self.clock.now(),
                    payload={"change": "add unique index"},
                ),
            ),
            lambda: ev.MessageSent(
                **self._base("architect"),
                message=Message(
                    id="msg-2",
                    correlation_id="corr-1",
                    protocol="schema_review",
                    kind="reply",
                    sender="architect",
                    recipient="data",
                    reply_to=msg_id,
                    sent_at=self.clock.now(),
                    payload={"approved": True},
                ),
            ),
            self._raise,
        ]

    def _authority(self, role: str, path: str) -> Event:
        return ev.AuthorityChecked(**self._base(role), decision=self._engine.decide(role, path))

    def _raise(self) -> Event:
        base = self._base("data")
        self._escalation = Escalation(
            id=ESCALATION_ID,
            source="data",
            trigger="Pipeline Failures",
            severity=Severity.IMMEDIATE,
            summary="load_orders failed: duplicate key",
            evidence=["duplicate key value violates unique constraint"],
            raised_at=self.clock.now(),
            acknowledge_by=self.clock.now() + timedelta(minutes=15),
            task_id="task-1",
        )
        self._paused_on = ESCALATION_ID
        return ev.EscalationRaised(**base, escalation=self._escalation)

    def _ending(self, verdict: DecisionVerdict) -> list[Callable[[], Event]]:
        if verdict == "approve":
            return [
                lambda: ev.AgentActivated(**self._base("data"), cause="decision:approve"),
                lambda: ev.FileWritten(
                    **self._base("data"), path="etl/load_orders.sql", size=120, sha256="0" * 64
                ),
                lambda: ev.ToolUsed(
                    **self._base("data"),
                    tool="pipeline_health",
                    summary="load_orders recovered",
                    result={"pipeline_success_rate": 0.995, "query_p95_ms": 80.0},
                ),
                lambda: ev.MemoryRecorded(
                    **self._base("data"),
                    memory_id="mem-5",
                    memory_kind=MemoryKind.ERROR,
                    content="dedupe before load fixed load_orders",
                ),
                lambda: ev.ReportFiled(
                    **self._base("data"),
                    report=AgentReport(
                        task_id="task-1",
                        status="success",
                        summary="load_orders repaired",
                        metrics={"validation_pass_rate": 0.999},
                    ),
                ),
                lambda: ev.RunFinished(**self._base(None)),
            ]
        return [
            lambda: ev.ReportFiled(
                **self._base("data"),
                report=AgentReport(
                    task_id="task-1", status="blocked", summary="fix denied by the PM"
                ),
            ),
            lambda: ev.RunFinished(**self._base(None), reason="denied"),
        ]

    # -- EventSource --------------------------------------------------------------------

    def status(self) -> SourceStatus:
        finished = any(isinstance(e, ev.RunFinished) for e in self._events[-1:])
        return SourceStatus(
            title="pipeline-failure (fake)",
            live=True,
            read_only=False,
            finished=finished,
            waiting=self._paused_on is not None,
        )

    def event_count(self) -> int:
        return len(self._events)

    def events(
        self,
        since: int = 0,
        *,
        kinds: Collection[str] | None = None,
        agent: str | None = None,
        limit: int | None = None,
    ) -> list[tuple[int, Event]]:
        out: list[tuple[int, Event]] = []
        for seq, event in enumerate(self._events[since:], start=since + 1):
            if kinds is not None and event.kind not in kinds:
                continue
            if agent is not None and event.agent != agent:
                continue
            out.append((seq, event))
            if limit is not None and len(out) >= limit:
                break
        return out

    def event_seqs(
        self,
        *,
        kinds: Collection[str] | None = None,
        agent: str | None = None,
        since: int = 0,
        upto: int | None = None,
        payload_contains: str | None = None,
    ) -> list[int]:
        # the run store's semantics: payload_contains matches the canonical JSON text
        return [
            seq
            for seq, event in self.events(since, kinds=kinds, agent=agent)
            if (upto is None or seq <= upto)
            and (
                payload_contains is None
                or payload_contains in canonical_json(event.model_dump(mode="json"))
            )
        ]

    def events_by_seq(self, seqs: Collection[int]) -> list[tuple[int, Event]]:
        return [(seq, self._events[seq - 1]) for seq in sorted(seqs)]

    def escalations(self) -> list[Escalation]:
        return [self._escalation] if self._escalation is not None else []

    def decide(self, escalation_id: str, verdict: DecisionVerdict, note: str) -> None:
        if self._escalation is None or escalation_id != self._escalation.id:
            raise ConfigError(f"escalation {escalation_id!r}: unknown")
        if verdict == "needs_info":  # as the graph does: a question, answered, still open
            self._rounds += 1
            request = InfoRequest(escalation=self._escalation, question=note, round=self._rounds)
            base = {"escalation_id": escalation_id, "question": note, "round": self._rounds}
            self._events.append(ev.EscalationInfoRequested(**self._base("pm"), **base))
            answer = answer_from_record(request)
            self._events.append(
                ev.EscalationInfoAnswered(**self._base("data"), **base, answer=answer)
            )
            return
        decision = Decision(verdict=verdict, note=note, decided_at=self.clock.now())
        self._escalation = self._escalation.model_copy(
            update={"decision": decision, "status": "decided"}
        )
        self._events.append(
            ev.EscalationDecided(**self._base("pm"), escalation_id=escalation_id, decision=decision)
        )
        self._paused_on = None
        self._script = self._ending(verdict)

    def acknowledge(self, escalation_id: str) -> None:
        if self._escalation is None or escalation_id != self._escalation.id:
            raise ConfigError(f"escalation {escalation_id!r}: unknown")
        self._escalation = self._escalation.model_copy(update={"status": "acknowledged"})
        self._events.append(
            ev.EscalationAcknowledged(**self._base("pm"), escalation_id=escalation_id)
        )

    def explain(self, role: str, path: str) -> str:
        return self._engine.explain(role, path)

    def memories(
        self, *, agent: str | None, kind: MemoryKind | None, query: str, limit: int = 50
    ) -> list[MemoryItem]:
        words = query.lower().split()
        found = []
        for item in MEMORIES:
            if agent is not None and item.agent != agent:
                continue
            if kind is not None and item.kind != kind.value:
                continue
            hits = sum(word in item.content.lower() for word in words)
            if words and not hits:
                continue
            found.append(
                MemoryItem(
                    item.id,
                    item.agent,
                    item.kind,
                    item.content,
                    item.tags,
                    item.importance,
                    float(hits) if words else None,
                )
            )
        return found[:limit]

    def memories_by_id(self, ids: Sequence[str]) -> list[MemoryItem]:
        return [item for item in MEMORIES if item.id in ids]

    def team(self) -> Team:
        return self._team

    def now(self) -> datetime:
        return self.clock.now()

    def step(self) -> int:
        if self._paused_on is not None or not self._script:
            return 0
        self._events.append(self._script.pop(0)())
        return 1

    def run_until_idle(self) -> None:
        while self.step():
            pass

    def digest(self) -> str:
        hasher = hashlib.sha256()
        for event in self._events:
            hasher.update(json.dumps(event.model_dump(mode="json"), sort_keys=True).encode())
        return hasher.hexdigest()

    def close(self) -> None:
        self.closed = True
