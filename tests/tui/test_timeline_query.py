"""Timeline filters answered from the store's indexes (sequence numbers, no payload
parsing) give the same rows as parsing every event, and events that arrive while a
query runs in its worker are still tested when its answer is applied."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pytest
from fakes import ScriptedRunSource

from charter.graph import Orchestrator
from charter.protocols import Event, Signal
from charter.tui.live_source import OrchestratorSource
from charter.tui.timeline_model import Row, SeqReads, TimelineFilter, TimelineModel

FILTERS = [
    TimelineFilter(severity="immediate"),
    TimelineFilter(severity="standard"),
    TimelineFilter(agent="data"),
    TimelineFilter(kinds=frozenset({"escalation_raised"})),
    TimelineFilter(kinds=frozenset({"escalation_decided"}), severity="immediate"),
    TimelineFilter(agent="data", severity="immediate"),
    TimelineFilter(agent="pm"),
]


class _Parsing:
    """The same source without indexed reads: the model parses every event."""

    def __init__(self, source: Any) -> None:
        self._source = source

    def events(
        self,
        since: int = 0,
        *,
        kinds: Collection[str] | None = None,
        agent: str | None = None,
        limit: int | None = None,
    ) -> list[tuple[int, Event]]:
        return self._source.events(since, kinds=kinds, agent=agent, limit=limit)  # type: ignore[no-any-return]

    def escalations(self) -> Any:
        return self._source.escalations()


def _rows(model: TimelineModel) -> list[Row | None]:
    return [model.row(i) for i in range(len(model))]


@pytest.fixture(scope="module")
def run_source(tmp_path_factory: pytest.TempPathFactory) -> OrchestratorSource:
    orch = Orchestrator(tmp_path_factory.mktemp("q") / "run", pm_policy="wait")
    kinds = ("data_breach", "pipeline_failed", "data_quality_alert")  # 2 immediate, 1 standard
    for signal_id, kind in zip(("s1", "s2", "s3"), kinds, strict=True):
        orch.signal(Signal(id=signal_id, kind=kind, source="m", at=orch.clock.now()))
    orch.run_until_idle()
    for esc in orch.waiting_on():
        orch.decide(esc.id, "needs_info", note="why?")
        orch.decide(esc.id, "approve", note="go")
    orch.run_until_idle()
    return OrchestratorSource(orch)


def test_indexed_filters_equal_parsing_every_event(run_source: OrchestratorSource) -> None:
    assert isinstance(run_source, SeqReads)
    count = run_source.event_count()
    kinds = {e.kind for _, e in run_source.events()}
    assert {"escalation_info_answered", "escalation_decided"} <= kinds
    for wanted in FILTERS:
        indexed, parsing = TimelineModel(run_source), TimelineModel(_Parsing(run_source))  # type: ignore[arg-type]
        for model in (indexed, parsing):
            model.grow(count)
            model.set_filter(wanted)
        assert _rows(indexed) == _rows(parsing), wanted
        assert len(indexed) > 0, wanted
    immediate = TimelineModel(run_source)
    immediate.grow(count)
    immediate.set_filter(TimelineFilter(severity="immediate"))
    # the raised events and what refers to them: asked, answered, decided
    assert {r.kind for r in _rows(immediate) if r} >= {
        "escalation_raised",
        "escalation_info_answered",
        "escalation_decided",
    }


def test_events_arriving_during_the_query_are_tested_when_applied(
    fake_source: ScriptedRunSource,
) -> None:
    fake_source.run_until_idle()
    model = TimelineModel(fake_source)
    model.grow(fake_source.event_count())
    wanted = TimelineFilter(agent="pm")
    answer = model.query(wanted, model.count)  # the worker's part
    before = len(answer.seqs)
    fake_source.decide(fake_source.escalations()[0].id, "approve", "go")  # pm events arrive
    fresh = fake_source.events(model.count)
    model.grow(fake_source.event_count(), fresh)  # the UI folds them before the answer lands
    model.apply(answer)
    assert len(model) == before + sum(1 for _, e in fresh if e.agent == "pm") > before
    seqs = [r.seq for r in _rows(model) if r]
    assert seqs == sorted(set(seqs))  # nothing twice
    assert model.index_of_seq(seqs[-1]) == len(model) - 1


def test_a_needs_info_pair_counts_in_a_severity_filter_of_the_fake(
    fake_source: ScriptedRunSource,
) -> None:
    fake_source.run_until_idle()
    fake_source.decide(fake_source.escalations()[0].id, "needs_info", "which table?")
    model = TimelineModel(fake_source)
    model.grow(fake_source.event_count())
    model.set_filter(TimelineFilter(severity="immediate"))
    assert [r.kind for r in _rows(model) if r] == [
        "escalation_raised",
        "escalation_info_requested",
        "escalation_info_answered",
    ]
