"""A turn that proposes more actions than its budget keeps the first ones, and the PM hears
of it once, instead of the run being flooded (a model that answers with 300 sends)."""

from __future__ import annotations

from pathlib import Path

from charter.agents.brain import ScriptedBrain
from charter.graph import Orchestrator
from charter.graph.budgets import Budgets
from charter.protocols import AgentView, WriteFile


def _flood(view: AgentView) -> list[WriteFile]:
    if view.task is None or view.step > 0:
        return []
    return [WriteFile(path=f"etl/out_{n}.sql", content="select 1;\n") for n in range(300)]


def test_a_flooding_turn_is_cut_at_its_budget_and_escalated_once(tmp_path: Path) -> None:
    with Orchestrator(
        tmp_path / "run",
        brains={"data": ScriptedBrain(_flood)},
        budgets=Budgets(actions_per_turn=40),
        pm_policy="wait",
    ) as orch:
        orch.submit("write the extracts", to="data")
        orch.run_until_idle()
        written = sorted((orch.workspace / "etl").iterdir())
        assert len(written) == 40
        exhausted = [e for _, e in orch.events(kinds={"budget_exhausted"})]
        assert [(e.budget, e.limit, e.used) for e in exhausted] == [  # type: ignore[attr-defined]
            ("actions_per_turn", 40, 300)
        ]
        assert [e.trigger for e in orch.escalations()] == ["Budget Exhausted"]
