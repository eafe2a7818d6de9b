"""The Orchestrator: a PM's handle on one run (sync and async).

    orch = Orchestrator("runs/night", seed=7)
    orch.signal("pipeline_failed", pipeline="load_orders")
    orch.run_until_idle()
    for escalation in orch.escalations(status="open"):
        orch.decide(escalation.id, "approve", note="go ahead")
    orch.run_until_idle()
    print(orch.digest())

One run is one directory: `run.json` (id, seed, start), `run.db` (the run store and the
LangGraph checkpoints, side by side), `workspace/` (the files agents write), `datasets/`
(the run's databases). Opening an existing directory resumes it: the checkpoint knows
where the graph stopped, the store knows everything that happened.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from typing_extensions import Unpack

from charter.agents.answers import InfoRequest
from charter.agents.brain import Brain
from charter.agents.policies import default_brains
from charter.agents.policies.pm import PmPolicyName, decide_escalation
from charter.agents.tools import default_tools
from charter.memory import RunStore, open_run_store
from charter.memory.work_queue import WorkRecord, WorkStatus
from charter.protocols import (
    Clock,
    ConfigError,
    DecisionRefused,
    DecisionVerdict,
    Escalation,
    Event,
    Severity,
    Signal,
    TaskAssignment,
    VirtualClock,
)
from charter.protocols.events import RunStarted, SignalReceived, TaskSubmitted, TurnCompleted

from .budgets import Budgets
from .checkpointers import open_checkpointer, resolve_kind
from .deadlines import expire_overdue_requests, next_reply_deadline
from .escalation import acknowledge, answers, record_decision, reescalate_overdue, request_info
from .fs_rules import FsRules
from .fs_rules import probe as probe_fs
from .ids import stable_id
from .options import Durability, RunOptions, RunOptionsArgs, resolve_options
from .pm_channel import check_resume, decision_from_resume
from .run_dir import (
    DEFAULT_START,
    RunLock,
    add_meta,
    check_single_instance,
    make_run_dir,
    peek_meta,
    read_meta,
)
from .runtime import Catalog, Runtime
from .state import WorkItem
from .work import enqueue_new_work, next_runnable

if TYPE_CHECKING:
    from langchain_core.runnables import RunnableConfig

    from .live import LiveSchedules

RunStatus = Literal["idle", "paused", "working"]


@dataclass(frozen=True)
class StepResult:
    status: RunStatus
    events: list[tuple[int, Event]]


def _refuse_a_lost_store(run_dir: Path, db_path: Path, meta: Mapping[str, Any]) -> None:
    """A run that anchored its audit head stored something: finding its database missing
    or empty means it was lost or truncated, and starting afresh there would hide that."""
    if "audit_head" not in meta:
        return  # never closed with an audit trail: a fresh or interrupted run starts over
    if not db_path.exists() or db_path.stat().st_size == 0:
        state = "missing" if not db_path.exists() else "empty"
        raise ConfigError(
            f"run directory {run_dir}: run.db is {state} but run.json records an audit "
            "trail; expected the run's database (restore it, or use a new --out); "
            f"`charter doctor {run_dir}` checks the rest"
        )


class Orchestrator:
    def __init__(
        self,
        run_dir: str | Path,
        options: RunOptions | None = None,
        /,
        **overrides: Unpack[RunOptionsArgs],
    ) -> None:
        opts = resolve_options(options, overrides)
        self.options = opts
        self.durability: Durability = opts.durability
        self.run_dir = Path(run_dir)
        make_run_dir(self.run_dir)
        self._lock = RunLock(self.run_dir, shared=opts.shared)
        try:
            self._open(opts)
        except BaseException:
            self._lock.release()
            raise
        # Live runs: the team's schedules on the wall clock (persistent job store); fires
        # are applied by the thread that steps, see graph/live.py.
        self.live: LiveSchedules | None = None
        if opts.live:
            from .live import LiveSchedules

            try:
                self.live = LiveSchedules(self)
            except BaseException:
                self.close()
                raise

    # --- opening ----------------------------------------------------------------------

    def _open(self, opts: RunOptions) -> None:
        team, brains, clock, start, seed, name = (
            opts.team,
            opts.brains,
            opts.clock,
            opts.start,
            opts.seed,
            opts.name,
        )
        store_url, store_schema = opts.store_url, opts.store_schema
        pm_policy, checkpointer, budgets = opts.pm_policy, opts.checkpointer, opts.budgets
        classifications, tools, memory = opts.classifications, opts.tools, opts.memory
        from charter.memory.backend import split_schema, store_record

        if store_url is not None and store_schema is None:
            store_url, store_schema = split_schema(store_url)  # `?schema=NAME` in the URL

        elsewhere = store_record(store_url, store_schema) if store_url else None
        existing = peek_meta(self.run_dir, seed=seed, name=name, start=start)
        if store_url is None and isinstance(existing.get("store"), dict):
            # Reopened without naming its store: the one the run was created with.
            store_url, store_schema = existing["store"]["url"], existing["store"].get("schema")
        recorded = existing.get("checkpointer")
        if recorded is None and (self.run_dir / "run.json").is_file():
            recorded = "sqlite"  # runs made before the choice was recorded
        saver_kind = resolve_kind(checkpointer, store_url=store_url, recorded=recorded)
        meta = read_meta(
            self.run_dir,
            seed=seed,
            name=name,
            start=start,
            store=elsewhere,
            checkpointer=saver_kind if isinstance(saver_kind, str) else None,
        )
        self.run_id: str = meta["run_id"]
        self.seed: int = int(meta["seed"])
        self.pm_policy: PmPolicyName = pm_policy
        if team is None:
            from charter.agents.team import load_team

            team = load_team()
        self.team = team
        check_single_instance(team)
        db_path = self.run_dir / "run.db"
        if store_url is None:
            _refuse_a_lost_store(self.run_dir, db_path, meta)
        self.store_url = store_url or f"sqlite:///{db_path}"
        provisional = clock or VirtualClock(datetime.fromisoformat(meta["start"]))
        self.store: RunStore = open_run_store(
            self.store_url,
            clock=provisional,
            schema=store_schema,
            run_id=self.run_id,
            name=str(meta.get("name") or ""),
            seed=self.seed,
        )
        self.store.anchor_in(self.run_dir)  # the audit head goes into run.json on close
        # A reopened run continues from the last instant it recorded, whoever made the
        # clock: time never runs backwards in a run (a decision after a reopen is not
        # stamped before the events it decides on).
        last = self.store.last_event_at()
        if last is not None and isinstance(provisional, VirtualClock):
            provisional.jump_to(max(last, provisional.now()))
        self.clock: Clock = provisional
        all_brains: dict[str, Brain] = dict(default_brains(team))
        for role, brain in (brains or {}).items():
            if role not in team.roles:
                raise ConfigError(
                    f"brains: unknown role {role!r}; expected one of {', '.join(team.roles)}"
                )
            all_brains[role] = brain
        workspace = self.run_dir / "workspace"
        datasets = self.run_dir / "datasets"
        workspace.mkdir(exist_ok=True)
        datasets.mkdir(exist_ok=True)
        from .authority import AuthorityEngine

        # How the workspace's file system treats names, probed when the run was made.
        rules = FsRules.from_json(meta.get("filesystem"))
        if rules is None:
            rules = probe_fs(workspace)
            add_meta(self.run_dir, "filesystem", rules.as_json())
        self.fs_rules: FsRules = rules

        self.rt = Runtime(
            run_id=self.run_id,
            seed=self.seed,
            store=self.store,
            team=team,
            authority=AuthorityEngine(
                team,
                workspace,
                case_sensitive=not self.fs_rules.folds_case,
                normalise_unicode=self.fs_rules.normalises_unicode,
            ),
            brains=all_brains,
            tools=tools or default_tools(),
            clock=self.clock,
            workspace=workspace,
            datasets=datasets,
            budgets=budgets or Budgets(),
            catalog=Catalog(self.run_dir / "classifications.json", dict(classifications or {})),
            memory=memory,
        )
        for _, event in self.store.events(kinds={"turn_completed"}):
            assert isinstance(event, TurnCompleted)
            self.rt.turns.add(event.correlation_id or "")
        self._checkpointer = open_checkpointer(
            saver_kind, db_path=db_path, store_url=self.store_url, store_schema=store_schema
        )
        self._saver = self._checkpointer.saver
        from .builder import compile_graph, recursion_limit

        self.graph = compile_graph(self.rt, self._saver)
        self._limit = recursion_limit(self.rt)
        self.rt.emit(
            RunStarted(
                id=stable_id("ev", self.run_id, "started"),
                at=self.clock.now(),
                run_id=self.run_id,
                seed=self.seed,
                team=list(team.roles),
                scenario=meta.get("name"),
            )
        )
        self._recover()

    # --- the run's places and record (what scenario runners and tools need) -----------

    @property
    def workspace(self) -> Path:
        """Where agents write files."""
        return self.rt.workspace

    @property
    def datasets(self) -> Path:
        """Where the run's databases live."""
        return self.rt.datasets

    def record(self, event: Event) -> int | None:
        """Append a run-level event (a fault, a schedule fire, API usage); its sequence
        number, or None when its id is already recorded."""
        return self.rt.emit(event)

    def set_brain(self, role: str, brain: Brain) -> None:
        """Replace `role`'s brain from now on (a scenario's brain fault)."""
        if role not in self.team.roles:
            raise ConfigError(f"set_brain: unknown role {role!r}")
        self.rt.brains[role] = brain

    # --- inputs -----------------------------------------------------------------------

    def submit(self, task: TaskAssignment | str, to: str | None = None) -> str:
        """Queue a task; the PM routes it when neither `to` nor `task.assigned_to` is set."""
        if isinstance(task, str):
            count = self.store.event_count()  # cheap and deterministic: ids by position
            task = TaskAssignment(
                id=stable_id("task", self.run_id, count, task),
                title=task.split("\n")[0][:80],
                task=task,
            )
        if to is not None:
            if to not in self.team.roles:
                raise ConfigError(
                    f"submit: unknown role {to!r}; expected one of {list(self.team.roles)}"
                )
            if to == self.rt.coordinator:
                raise ConfigError(f"submit: to={to!r}: the PM routes tasks, it does not take them")
            task = task.model_copy(update={"assigned_to": to})
        if task.created_at is None:
            task = task.model_copy(update={"created_at": self.clock.now()})
        self.rt.emit(
            TaskSubmitted(
                id=stable_id("ev", self.run_id, "task", task.id),
                at=self.clock.now(),
                agent=task.assigned_to,
                task_id=task.id,
                correlation_id=task.correlation_id or task.id,
                task=task,
            )
        )
        return task.id

    def signal(self, signal: Signal | str, *, source: str = "user", **payload: Any) -> str:
        if isinstance(signal, str):
            count = self.store.event_count()
            signal = Signal(
                id=stable_id("sig", self.run_id, count, signal),
                kind=signal,
                source=source,
                at=self.clock.now(),
                payload=payload,
            )
        self.rt.emit(
            SignalReceived(
                id=stable_id("ev", self.run_id, "signal", signal.id),
                at=self.clock.now(),
                correlation_id=signal.id,
                signal=signal,
            )
        )
        return signal.id

    # --- running ----------------------------------------------------------------------

    def _thread_config(self, thread_id: str) -> RunnableConfig:
        return {"configurable": {"thread_id": thread_id}, "recursion_limit": self._limit}

    def _run_thread(self, thread_id: str, payload: Any) -> None:
        """One invocation of `thread_id` (a new item or a resume), then its record."""
        self.graph.invoke(payload, self._thread_config(thread_id), durability=self.durability)
        self._settle(thread_id)

    def _settle(self, thread_id: str) -> bool:
        """Record where `thread_id` stands from its checkpoint: waiting on the PM, or done.
        False when the thread has no checkpoint yet (it never ran)."""
        snapshot = self.graph.get_state(self._thread_config(thread_id))
        values: dict[str, Any] = dict(snapshot.values or {})
        if not values:
            return False
        agent = (values.get("work") or {}).get("agent")
        interrupts = getattr(snapshot, "interrupts", ())
        if interrupts:
            waiting = [str(i.value["escalation_id"]) for i in interrupts]
            self.store.update_work(thread_id, status="waiting", agent=agent, waiting_on=waiting)
        elif snapshot.next:
            return False  # stopped between nodes (killed mid-item): run it again
        else:
            outcome = str(values.get("outcome", "done"))
            self.store.update_work(thread_id, status="done", agent=agent, outcome=outcome)
        return True

    def _recover(self) -> None:
        # A process killed after a thread's last checkpoint but before its record: the
        # checkpoint says where it stands, so the item is not run a second time.
        for record in self.store.work_items(status="queued"):
            self._settle(record.thread_id)
        if not self.options.shared:  # workers leave resumes to the PM's seat
            self._finish_decided()

    def _finish_decided(self) -> None:
        # A process killed while a decision's resume ran: the decision is recorded (the
        # node records it first thing after the interrupt) but the thread's checkpoint
        # still shows the interrupt. Resume it with the recorded decision.
        from langgraph.types import Command

        for record in self.store.work_items(status="waiting"):
            escalation = self.store.get_escalation(record.waiting_on[0])
            if escalation is not None and escalation.decision is not None:
                answer = escalation.decision.model_dump(include={"verdict", "note", "decided_by"})
                self._run_thread(record.thread_id, Command(resume=answer))

    def threads(self, status: WorkStatus | None = None) -> list[WorkRecord]:
        """The run's work items, one thread each, in scheduling order."""
        enqueue_new_work(self.rt)
        return self.store.work_items(status)

    @property
    def paused(self) -> bool:
        """True while some work item waits on the PM (other work may still run)."""
        return bool(self.store.work_items(status="waiting"))

    def waiting_on(self) -> list[Escalation]:
        """The immediate escalations work items wait on, each thread's current one."""
        out = []
        for record in self.store.work_items(status="waiting"):
            escalation = self.store.get_escalation(record.waiting_on[0])
            if escalation is not None:
                out.append(escalation)
        return out

    def check_deadlines(self) -> list[Escalation]:
        """Dead-letter every request past its reply deadline (the sender's charter files the
        escalation), then re-escalate (PM -> user) every escalation past its acknowledgement
        deadline. What changed: the escalations filed or moved."""
        now = self.clock.now()
        filed = expire_overdue_requests(self.rt, now)
        for escalation in filed:
            # No work item waits on a dead letter's escalation (nothing to pause), but an
            # immediate one is still the PM's to decide: its policy does, as for a pause.
            if escalation.severity is Severity.IMMEDIATE and escalation.decision is None:
                decision = decide_escalation(escalation, self.pm_policy, now.isoformat())
                if decision is not None:
                    record_decision(self.rt, escalation, decision)
        return filed + reescalate_overdue(self.rt, now)

    def next_deadline(self, after: datetime, until: datetime) -> datetime | None:
        """The earliest reply or acknowledgement deadline in (after, until]: a scenario runner
        makes it a point of its own so the deadline is handled on time."""
        upcoming = [
            e.acknowledge_by
            for e in self.escalations(status="open")
            if e.acknowledge_by is not None and after < e.acknowledge_by <= until
        ]
        reply = next_reply_deadline(self.rt, after, until)
        if reply is not None:
            upcoming.append(reply)
        return min(upcoming, default=None)

    def step(self) -> StepResult:
        """Run the next runnable work item's thread to its end or to an interrupt."""
        before = self.store.event_count()
        if self.live is not None:
            self.live.apply_due()
        self.check_deadlines()
        enqueue_new_work(self.rt)
        picked = next_runnable(self.rt)
        if picked is not None:
            thread_id, item = picked
            self._run_thread(thread_id, {"work": item})
        if self.pm_policy != "wait":
            self._apply_pm_policy()
        enqueue_new_work(self.rt)
        status: RunStatus = "working"
        if self.store.next_queued_work() is None:
            status = "paused" if self.paused else "idle"
        return StepResult(status=status, events=self.store.events(since=before))

    def run_item(self, thread_id: str, item: WorkItem) -> None:
        """Run one work item a worker claimed (graph/workers.py) to its end or interrupt."""
        self._run_thread(thread_id, {"work": item})
        enqueue_new_work(self.rt)

    def run_until_idle(self, max_steps: int = 10_000) -> RunStatus:
        """Run work items until none is runnable: "idle", or "paused" when some wait on
        the PM (every other item has run meanwhile)."""
        for _ in range(max_steps):
            result = self.step()
            if result.status != "working":
                return result.status
        raise ConfigError(f"run_until_idle: still working after {max_steps} steps")

    def _apply_pm_policy(self) -> None:
        now = self.clock.now().isoformat()
        for _ in range(10_000):  # each round decides one escalation
            waiting = self.waiting_on()
            if not waiting:
                return
            decision = decide_escalation(waiting[0], self.pm_policy, now)
            assert decision is not None
            self.decide(
                waiting[0].id, decision.verdict, note=decision.note, decided_by=decision.decided_by
            )

    # --- escalations ------------------------------------------------------------------

    def escalations(self, status: str | None = None) -> list[Escalation]:
        return self.store.list_escalations(status=status)

    def acknowledge(self, escalation_id: str, by: str = "pm") -> Escalation:
        return acknowledge(self.rt, self._escalation(escalation_id), by)

    def _undecided(self) -> str:
        ids = [e.id for e in self.store.list_escalations() if e.decision is None]
        return f"open: {', '.join(ids)}" if ids else "none is open"

    def _escalation(self, escalation_id: str) -> Escalation:
        escalation = self.store.get_escalation(escalation_id)
        if escalation is None:
            raise DecisionRefused(
                f"escalation {escalation_id!r}: no such escalation in this run "
                f"({self._undecided()})"
            )
        return escalation

    def decide(
        self,
        escalation_id: str,
        verdict: DecisionVerdict | str,
        *,
        note: str = "",
        decided_by: str = "pm",
    ) -> Escalation:
        """Record the PM's decision; the work item it paused (if any) resumes at once.
        "needs_info" records no decision: its note goes to the agent as a question, the
        agent's answer is recorded on the escalation, which stays open.

        Raises DecisionRefused (a ConfigError) for an unknown, already decided or mistyped
        escalation or verdict, listing the open ones; nothing is recorded then."""
        answer = check_resume({"verdict": verdict, "note": note, "decided_by": decided_by})
        escalation = self._escalation(escalation_id)
        if escalation.decision is not None:
            raise DecisionRefused(
                f"escalation {escalation_id}: already decided ({escalation.decision.verdict}; "
                f"{self._undecided()})"
            )
        holder = next(
            (r for r in self.store.work_items(status="waiting") if escalation_id in r.waiting_on),
            None,
        )
        if holder is None and answer["verdict"] == "needs_info":
            # Nothing waits on it, so no interrupt takes the question: ask the agent here.
            # The escalation stays open (and its deadline stays; asking is not acknowledging).
            request_info(
                self.rt,
                InfoRequest(
                    escalation=escalation,
                    question=answer["note"],
                    round=len(answers(self.rt, escalation.id)) + 1,
                ),
                asked_by=answer["decided_by"],
            )
            return self._escalation(escalation_id)
        if holder is None:
            # Nothing waits on it (a standard escalation, or a dead letter's): just record.
            return record_decision(
                self.rt, escalation, decision_from_resume(answer, now=self.clock.now())
            )
        if holder.waiting_on[0] != escalation_id:
            raise DecisionRefused(
                f"escalation {escalation_id}: its work item waits on {holder.waiting_on[0]} "
                "first (raised earlier in the same turn); decide that one first"
            )
        from langgraph.types import Command

        self._run_thread(holder.thread_id, Command(resume=answer))
        return self._escalation(escalation_id)

    # --- reading ----------------------------------------------------------------------

    def events(
        self, since: int = 0, *, kinds: Collection[str] | None = None, agent: str | None = None
    ) -> list[tuple[int, Event]]:
        return self.store.events(since, kinds=kinds, agent=agent)

    def digest(self) -> str:
        return self.store.digest()

    def thread_state(self, thread_id: str) -> dict[str, Any]:
        """A work item's graph state (its own small state; history is in the store)."""
        return dict(self.graph.get_state(self._thread_config(thread_id)).values or {})

    # --- async ------------------------------------------------------------------------

    async def astep(self) -> StepResult:
        return await asyncio.to_thread(self.step)

    async def arun_until_idle(self, max_steps: int = 10_000) -> RunStatus:
        return await asyncio.to_thread(self.run_until_idle, max_steps)

    async def adecide(self, escalation_id: str, verdict: str, *, note: str = "") -> Escalation:
        return await asyncio.to_thread(self.decide, escalation_id, verdict, note=note)

    async def astream(self, max_steps: int = 10_000) -> AsyncIterator[Event]:
        """Typed events as the run produces them, until it is idle or paused."""
        for _ in range(max_steps):
            result = await self.astep()
            for _, event in result.events:
                yield event
            if result.status != "working":
                return

    # --- closing ----------------------------------------------------------------------

    def close(self) -> None:
        if getattr(self, "_closed", False):
            return
        self._closed = True
        if getattr(self, "live", None) is not None:
            assert self.live is not None
            self.live.shutdown()
            self.live = None
        if getattr(self, "_checkpointer", None) is not None:
            self._checkpointer.close()
        if getattr(self, "store", None) is not None:
            self.store.close()
        self._lock.release()

    def __enter__(self) -> Orchestrator:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


__all__ = ["DEFAULT_START", "Orchestrator", "RunStatus", "StepResult"]
