"""Effects: apply what the gate allowed, and only that.

Writes go to the workspace atomically (temp file + rename), messages are stored and
become work for their recipient (a `message_sent` event is the queue entry), reports are
filed and their lessons captured as memories, tools run and their results feed the same
turn. Every effect has a deterministic event id, so a re-executed node changes nothing.
"""

from __future__ import annotations

import hashlib
from typing import Any

from charter.protocols import (
    Action,
    Message,
    Remember,
    Report,
    SendMessage,
    UseTool,
    WriteFile,
)
from charter.protocols.events import (
    FileWritten,
    MemoryRecorded,
    MessageSent,
    ReportFiled,
    ToolUsed,
    WriteFailed,
)

from .context import capture_learning
from .ids import IdScope, stable_id
from .runtime import Runtime
from .safe_write import WriteRefused, write_file
from .state import Feedback, WorkItem

# What a tool reports about the machine rather than the data (wall-clock bookkeeping, the
# run directory's absolute path) is kept out of the recorded history, so a run's digest
# depends on its seed and inputs, not on where it ran or how busy the machine was.
_WALL_CLOCK_KEYS = frozenset({"elapsed_seconds"})


def _portable(value: Any, roots: list[str]) -> Any:
    if isinstance(value, dict):
        return {k: _portable(v, roots) for k, v in value.items() if k not in _WALL_CLOCK_KEYS}
    if isinstance(value, list):
        return [_portable(v, roots) for v in value]
    if isinstance(value, str):
        for root in roots:
            value = value.replace(root, "<run>")
    return value


def _run_roots(rt: Runtime) -> list[str]:
    run_dir = rt.datasets.parent
    return sorted({str(run_dir.resolve()), str(run_dir)}, key=len, reverse=True)


class _Effects:
    def __init__(self, rt: Runtime, work: WorkItem, step: int) -> None:
        self.rt = rt
        self.work = work
        self.agent = work["agent"] or ""
        self.ids: IdScope = rt.scope(work["seq"], step, "effects")
        self.now = rt.clock.now()
        self.feedback: Feedback = {"tool_results": [], "denials": [], "rejections": []}

    def _base(self, event_id: str | None = None) -> dict[str, Any]:
        return {
            "id": event_id or self.ids.next(),
            "at": self.now,
            "agent": self.agent,
            "task_id": self.work["task_id"],
            "correlation_id": self.work["correlation_id"],
        }

    def write(self, action: WriteFile, path: str) -> None:
        # `path` is what the gate judged: the requested path with the workspace's links
        # resolved. The write follows no link, so it lands exactly there or nowhere.
        data = action.content.encode("utf-8")
        try:
            write_file(self.rt.workspace, path, data)
        except WriteRefused as refused:
            self.rt.emit(WriteFailed(**self._base(), path=path, reason=str(refused)))
            self.feedback["rejections"].append(f"write_file {action.path!r}: {refused}")
            return
        digest = hashlib.sha256(data).hexdigest()
        event_id = self.ids.next()
        self.rt.emit(FileWritten(**self._base(event_id), path=path, size=len(data), sha256=digest))
        # Naming the event makes the entry the write's own: a replay after a crash (same
        # event id) finds it and appends nothing, two real writes of one file stay two.
        details: dict[str, Any] = {"sha256": digest, "reason": action.reason, "event": event_id}
        if action.path != path:
            details["requested"] = action.path  # the audit names both
        self.rt.store.audit_append(
            actor=self.agent,
            action="write_file",
            target=path,
            details=details,
            at=self.now,
            once=True,
        )

    def send(self, message: Message) -> None:
        self.rt.store.put_message(message, status="pending")
        base = self._base()
        base["correlation_id"] = message.correlation_id
        self.rt.emit(MessageSent(**base, message=message))
        if message.reply_to is not None:
            self.rt.store.set_message_status(message.reply_to, "replied")

    def report(self, action: Report) -> None:
        report = action.report
        if report.task_id is None and self.work["task_id"] is not None:
            report = report.model_copy(update={"task_id": self.work["task_id"]})
        event_id = self.ids.next()
        self.rt.emit(ReportFiled(**self._base(event_id), report=report))
        if not self.rt.memory:
            return
        recorded = capture_learning(
            self.rt.store,
            agent=self.agent,
            report=report,
            task_id=report.task_id,
            source_event=event_id,
            now=self.now,
            policies=list(self.rt.team.roles[self.agent].memory),
            id_for=lambda index: stable_id("mem", self.rt.run_id, event_id, index),
        )
        for memory_id, kind, content, tags in recorded:
            self.rt.emit(
                MemoryRecorded(
                    **self._base(),
                    memory_id=memory_id,
                    memory_kind=kind,
                    content=content,
                    tags=tags,
                )
            )

    def remember(self, action: Remember) -> None:
        memory_id = self.rt.store.add_memory(
            agent=self.agent,
            kind=action.memory_kind,
            content=action.content,
            tags=list(action.tags),
            importance=action.importance,
            source_event=None,
            created_at=self.now,
            expires_at=None,
            memory_id=self.ids.next("mem"),
        )
        self.rt.emit(
            MemoryRecorded(
                **self._base(),
                memory_id=memory_id,
                memory_kind=action.memory_kind,
                content=action.content,
                tags=list(action.tags),
            )
        )

    def use_tool(self, action: UseTool) -> None:
        result = self.rt.tools.call(action.tool, action.arguments, self.rt.tool_context())
        result = result.model_copy(
            update={
                "result": _portable(result.result, _run_roots(self.rt)),
                "summary": _portable(result.summary, _run_roots(self.rt)),
            }
        )
        # Classification tools teach the run which columns are sensitive.
        for column, level in (result.result.get("classifications") or {}).items():
            if isinstance(column, str) and isinstance(level, str):
                self.rt.catalog.raise_to(column, level)
        self.rt.emit(
            ToolUsed(
                **self._base(),
                tool=action.tool,
                arguments=dict(action.arguments),
                ok=result.ok,
                summary=result.summary,
                result=result.result,
            )
        )
        self.feedback["tool_results"].append(result.model_dump(mode="json"))


def apply_effects(
    rt: Runtime,
    work: WorkItem,
    actions: list[Action],
    verdicts: list[dict[str, Any]],
    *,
    step: int,
    held: str | None,
) -> Feedback:
    """Apply each allowed action; when `held` (an immediate escalation of this step was not
    approved), nothing but the record of it happens and the agent is told why."""
    effects = _Effects(rt, work, step)
    if held is not None:
        effects.feedback["rejections"].append(held)
        return effects.feedback
    for action, verdict in zip(actions, verdicts, strict=True):
        if not verdict["allowed"]:
            continue
        match action:
            case WriteFile():
                effects.write(action, verdict["path"])
            case SendMessage():
                effects.send(Message.model_validate(verdict["message"]))
            case Report():
                effects.report(action)
            case Remember():
                effects.remember(action)
            case UseTool():
                effects.use_tool(action)
            case _:
                pass  # escalations were recorded by the gate
    return effects.feedback


__all__ = ["apply_effects"]
