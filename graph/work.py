"""Work items and the deterministic scheduler over their threads.

Every task, signal and delivered message in the run store's event log is a work item (a
task a schedule created is a "fire"). Each runs on its own LangGraph thread of the one
compiled graph; its thread id derives from the run and the item, so a reopened run (or
another process) finds the same thread again.

Scheduling rule (docs/graph.md, "Threads"): the runnable item due first runs next — due
time on the run clock, then the sequence of the event that carries it. A turn runs to its
end or to an interrupt before the next one starts, so an agent takes one turn at a time;
an item waiting on the PM holds only itself, and the agent's other items and every other
agent's go on.
"""

from __future__ import annotations

from charter.memory.work_queue import NewWork, WorkRecord
from charter.protocols import Event
from charter.protocols.events import MessageSent, SignalReceived, TaskSubmitted

from .ids import stable_id
from .runtime import Runtime, current_thread
from .state import WORK_EVENT_KINDS, GraphState, WorkItem


def thread_id_for(run_id: str, item_id: str) -> str:
    return stable_id("thread", run_id, item_id)


def work_item(seq: int, event: Event) -> WorkItem | None:
    """The work item `event` carries, or None for an event that is not work."""
    due = event.at.isoformat()
    if isinstance(event, TaskSubmitted):
        task = event.task
        scheduled = task.activated_by.startswith("schedule:")
        return {
            "id": f"task:{task.id}",
            "kind": "fire" if scheduled else "task",
            "seq": seq,
            "ref": task.id,
            "agent": task.assigned_to,
            "task_id": task.id,
            "correlation_id": task.correlation_id or task.id,
            "cause": task.activated_by,
            "due": due,
        }
    if isinstance(event, SignalReceived):
        return {
            "id": f"signal:{event.signal.id}",
            "kind": "signal",
            "seq": seq,
            "ref": event.signal.id,
            "agent": None,
            "task_id": None,
            "correlation_id": event.signal.id,
            "cause": f"signal:{event.signal.kind}",
            "due": due,
        }
    if isinstance(event, MessageSent):
        message = event.message
        return {
            "id": f"message:{message.id}",
            "kind": "message",
            "seq": seq,
            "ref": message.id,
            "agent": message.recipient,
            "task_id": event.task_id,
            "correlation_id": message.correlation_id,
            "cause": f"message:{message.protocol}",
            "due": due,
        }
    return None


def record_new_work(rt: Runtime, given: GraphState) -> WorkItem:
    """Record a task or signal handed straight to the graph, as the Orchestrator's submit
    and signal would, and the work item it makes (registered on the calling thread, so
    an Orchestrator opening the run later does not run it again). Ids derive from the
    input, so a retried input records nothing twice."""
    from charter.protocols import ConfigError, Signal, TaskAssignment
    from charter.protocols.events import SignalReceived, TaskSubmitted

    task, signal = given.get("task"), given.get("signal")
    if (task is None) == (signal is None):
        raise ConfigError("graph input: expected exactly one of work, task or signal")
    now = rt.clock.now()
    event: Event
    if task is not None:
        fields = dict(task)
        fields.setdefault("id", stable_id("task", rt.run_id, "input", fields))
        fields.setdefault("title", str(fields.get("task", ""))[:80] or str(fields["id"]))
        assignment = TaskAssignment.model_validate({**fields, "created_at": now})
        event = TaskSubmitted(
            id=stable_id("ev", rt.run_id, "task", assignment.id),
            at=now,
            agent=assignment.assigned_to,
            task_id=assignment.id,
            correlation_id=assignment.correlation_id or assignment.id,
            task=assignment,
        )
    else:
        assert signal is not None
        fields = dict(signal)
        fields.setdefault("id", stable_id("sig", rt.run_id, "input", fields))
        observed = Signal.model_validate({**fields, "at": now})
        event = SignalReceived(
            id=stable_id("ev", rt.run_id, "signal", observed.id),
            at=now,
            correlation_id=observed.id,
            signal=observed,
        )
    seq = rt.emit(event)
    if seq is None:  # a retried input: find the event recorded the first time
        seq = next(s for s, e in rt.store.events(kinds={event.kind}) if e.id == event.id)
    item = work_item(seq, event)
    assert item is not None
    thread = current_thread() or thread_id_for(rt.run_id, item["id"])
    new = NewWork(seq=seq, thread_id=thread, kind=item["kind"], due_at=event.at, item=dict(item))
    rt.store.register_work([new])
    return item


def enqueue_new_work(rt: Runtime) -> int:
    """Register every work event the store holds that has no thread yet; how many."""
    upto = rt.store.work_registered_upto()
    found: list[NewWork] = []
    for seq, event in rt.store.events(since=upto, kinds=WORK_EVENT_KINDS):
        item = work_item(seq, event)
        if item is not None:
            found.append(
                NewWork(
                    seq=seq,
                    thread_id=thread_id_for(rt.run_id, item["id"]),
                    kind=item["kind"],
                    due_at=event.at,
                    item=dict(item),
                )
            )
    return rt.store.register_work(found) if found else 0


def next_runnable(rt: Runtime) -> tuple[str, WorkItem] | None:
    """(thread id, item) of the queued item due first, or None when nothing is queued.
    The one place that picks work, so several workers can later claim from it."""
    record: WorkRecord | None = rt.store.next_queued_work()
    if record is None:
        return None
    item: WorkItem = record.item  # type: ignore[assignment]  # stored from a WorkItem
    return record.thread_id, item


__all__ = ["enqueue_new_work", "next_runnable", "record_new_work", "thread_id_for", "work_item"]
