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

from charter.agents.brain import Brain
from charter.agents.policies import default_brains
from charter.agents.policies.pm import PmPolicyName, decide_escalation
from charter.agents.tools import ToolRegistry, default_tools
from charter.memory import RunStore, open_run_store
from charter.protocols import (
    Clock,
    ConfigError,
    Decision,
    DecisionVerdict,
    Escalation,
    Event,
    Severity,
    Signal,
    TaskAssignment,
    Team,
    VirtualClock,
)
from charter.protocols.events import RunStarted, SignalReceived, TaskSubmitted, TurnCompleted

from .budgets import Budgets
from .deadlines import expire_overdue_requests, next_reply_deadline
from .escalation import acknowledge, record_decision, reescalate_overdue
from .ids import stable_id
from .run_dir import DEFAULT_START, RunLock, check_single_instance, make_checkpointer, read_meta
from .runtime import Catalog, Runtime
from .state import GraphState

if TYPE_CHECKING:
    from langchain_core.runnables import RunnableConfig

    from .live import LiveSchedules

RunStatus = Literal["idle", "paused", "working"]
_VERDICTS = ("approve", "deny", "needs_info")


@dataclass(frozen=True)
class StepResult:
    status: RunStatus
    events: list[tuple[int, Event]]


class Orchestrator:
    def __init__(
        self,
        run_dir: str | Path,
        *,
        team: Team | None = None,
        brains: Mapping[str, Brain] | None = None,
        clock: Clock | None = None,
        start: datetime | None = None,
        seed: int = 0,
        name: str = "run",
        pm_policy: PmPolicyName = "approve",
        store_url: str | None = None,
        store_schema: str | None = None,
        checkpointer: Literal["sqlite", "memory"] | Any = "sqlite",
        budgets: Budgets | None = None,
        classifications: Mapping[str, str] | None = None,
        tools: ToolRegistry | None = None,
        durability: Literal["sync", "async", "exit"] = "exit",
        memory: bool = True,
        live: bool = False,
    ) -> None:
        if durability not in ("sync", "async", "exit"):
            raise ConfigError(f"durability {durability!r}: expected sync, async or exit")
        # LangGraph's checkpoint durability. "exit" (ours) saves when a work item ends or
        # pauses on an interrupt: enough to resume, since a work item is one invocation and
        # its effects are idempotent by event id (a crash mid-item replays the item).
        # "async" (LangGraph's default) and "sync" save after every super-step.
        self.durability: Literal["sync", "async", "exit"] = durability
        if pm_policy not in ("approve", "deny", "wait"):
            raise ConfigError(f"pm_policy {pm_policy!r}: expected approve, deny or wait")
        self.run_dir = Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self._lock = RunLock(self.run_dir)
        try:
            self._open(
                team,
                brains,
                clock,
                start,
                seed,
                name,
                pm_policy,
                store_url,
                store_schema,
                checkpointer,
                budgets,
                classifications,
                tools,
                memory,
            )
        except BaseException:
            self._lock.release()
            raise
        # Live runs: the team's schedules on the wall clock (persistent job store); fires
        # are applied by the thread that steps, see graph/live.py.
        self.live: LiveSchedules | None = None
        if live:
            from .live import LiveSchedules

            try:
                self.live = LiveSchedules(self)
            except BaseException:
                self.close()
                raise

    # --- opening ----------------------------------------------------------------------

    def _open(
        self,
        team: Team | None,
        brains: Mapping[str, Brain] | None,
        clock: Clock | None,
        start: datetime | None,
        seed: int,
        name: str,
        pm_policy: PmPolicyName,
        store_url: str | None,
        store_schema: str | None,
        checkpointer: Any,
        budgets: Budgets | None,
        classifications: Mapping[str, str] | None,
        tools: ToolRegistry | None,
        memory: bool,
    ) -> None:
        from charter.memory.backend import store_record

        elsewhere = store_record(store_url, store_schema) if store_url else None
        meta = read_meta(self.run_dir, seed=seed, name=name, start=start, store=elsewhere)
        if store_url is None and isinstance(meta.get("store"), dict):
            # Reopened without naming its store: the one the run was created with.
            store_url, store_schema = meta["store"]["url"], meta["store"].get("schema")
        self.run_id: str = meta["run_id"]
        self.seed: int = int(meta["seed"])
        self.pm_policy: PmPolicyName = pm_policy
        if team is None:
            from charter.agents.team import load_team

            team = load_team()
        self.team = team
        check_single_instance(team)
        db_path = self.run_dir / "run.db"
        self.store_url = store_url or f"sqlite:///{db_path}"
        provisional = clock or VirtualClock(datetime.fromisoformat(meta["start"]))
        self.store: RunStore = open_run_store(
            self.store_url, clock=provisional, schema=store_schema
        )
        if clock is None:
            # A reopened run continues from the last instant it recorded.
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

        self.rt = Runtime(
            run_id=self.run_id,
            seed=self.seed,
            store=self.store,
            team=team,
            authority=AuthorityEngine(team, workspace),
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
        self._saver, self._conn = make_checkpointer(checkpointer, db_path)
        from .builder import compile_graph, recursion_limit

        self.graph = compile_graph(self.rt, self._saver)
        self._config: RunnableConfig = {
            "configurable": {"thread_id": self.run_id},
            "recursion_limit": recursion_limit(self.rt),
        }
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

    def _interrupts(self) -> list[dict[str, Any]]:
        snapshot = self.graph.get_state(self._config)
        found = [dict(i.value) for i in getattr(snapshot, "interrupts", ())]
        return found

    @property
    def paused(self) -> bool:
        return bool(self._interrupts())

    def waiting_on(self) -> list[Escalation]:
        """The immediate escalations the paused graph waits on."""
        out = []
        for value in self._interrupts():
            escalation = self.store.get_escalation(value["escalation_id"])
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
        """Process one work item (or resume a decided pause); what it recorded."""
        before = self.store.event_count()
        if self.live is not None:
            self.live.apply_due()
        self.check_deadlines()
        snapshot = self.graph.get_state(self._config)
        if getattr(snapshot, "interrupts", ()):
            self._resume_decided()
        else:
            tick = int((snapshot.values or {}).get("tick", 0)) + 1
            start: GraphState = {"tick": tick}
            self.graph.invoke(start, self._config, durability=self.durability)
        snapshot = self.graph.get_state(self._config)
        if getattr(snapshot, "interrupts", ()) and self.pm_policy != "wait":
            self._apply_pm_policy()
            snapshot = self.graph.get_state(self._config)
        status: RunStatus = "working"
        if getattr(snapshot, "interrupts", ()):
            status = "paused"
        elif (snapshot.values or {}).get("outcome") == "idle":
            status = "idle"
        return StepResult(status=status, events=self.store.events(since=before))

    def run_until_idle(self, max_steps: int = 10_000) -> RunStatus:
        """Step until nothing is queued ("idle") or an undecided escalation pauses the run."""
        for _ in range(max_steps):
            result = self.step()
            if result.status != "working":
                return result.status
        raise ConfigError(f"run_until_idle: still working after {max_steps} steps")

    def _apply_pm_policy(self) -> None:
        while self.pm_policy != "wait":
            waiting = self.waiting_on()
            if not waiting:
                return
            decision = decide_escalation(waiting[0], self.pm_policy, self.clock.now().isoformat())
            assert decision is not None
            self.decide(
                waiting[0].id, decision.verdict, note=decision.note, decided_by=decision.decided_by
            )

    def _resume_decided(self) -> None:
        from langgraph.types import Command

        while True:
            values = self._interrupts()
            if not values:
                return
            escalation = self.store.get_escalation(values[0]["escalation_id"])
            if escalation is None or escalation.decision is None:
                return
            resume: Command[Any] = Command(resume=escalation.decision.model_dump(mode="json"))
            self.graph.invoke(resume, self._config, durability=self.durability)

    # --- escalations ------------------------------------------------------------------

    def escalations(self, status: str | None = None) -> list[Escalation]:
        return self.store.list_escalations(status=status)

    def acknowledge(self, escalation_id: str, by: str = "pm") -> Escalation:
        return acknowledge(self.rt, self._escalation(escalation_id), by)

    def _escalation(self, escalation_id: str) -> Escalation:
        escalation = self.store.get_escalation(escalation_id)
        if escalation is None:
            raise ConfigError(f"escalation {escalation_id!r}: no such escalation in this run")
        return escalation

    def decide(
        self,
        escalation_id: str,
        verdict: DecisionVerdict | str,
        *,
        note: str = "",
        decided_by: str = "pm",
    ) -> Escalation:
        """Record the PM's decision; a run paused on this escalation resumes its work item."""
        if verdict not in _VERDICTS:
            raise ConfigError(f"verdict {verdict!r}: expected one of {', '.join(_VERDICTS)}")
        escalation = self._escalation(escalation_id)
        if escalation.decision is not None:
            raise ConfigError(
                f"escalation {escalation_id}: already decided ({escalation.decision.verdict})"
            )
        decision = Decision.model_validate(
            {
                "verdict": verdict,
                "note": note,
                "decided_by": decided_by,
                "decided_at": self.clock.now().isoformat(),
            }
        )
        decided = record_decision(self.rt, escalation, decision)
        self._resume_decided()
        return decided

    # --- reading ----------------------------------------------------------------------

    def events(
        self, since: int = 0, *, kinds: Collection[str] | None = None, agent: str | None = None
    ) -> list[tuple[int, Event]]:
        return self.store.events(since, kinds=kinds, agent=agent)

    def digest(self) -> str:
        return self.store.digest()

    def state(self) -> dict[str, Any]:
        return dict(self.graph.get_state(self._config).values or {})

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
        if getattr(self, "_conn", None) is not None:
            assert self._conn is not None
            self._conn.close()
            self._conn = None
        if getattr(self, "store", None) is not None:
            self.store.close()
        self._lock.release()

    def __enter__(self) -> Orchestrator:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


__all__ = ["DEFAULT_START", "Orchestrator", "RunStatus", "StepResult"]
