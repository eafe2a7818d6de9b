"""The StateGraph: built here, run by the Orchestrator (builder separate from runtime).

    START -> intake -> route -> prepare -> turn -> gate -> [await_pm] -> effects
                          |                  ^                            |
                          v                  +------ next step -----------+
                        finish <------------------- turn over ------------+
                          |
                         END

One thread per work item (a task, a signal, a scheduled fire or a delivered message): the
input is the item (`WorkInput`), the output its outcome (`WorkOutcome`). An immediate
escalation interrupts `await_pm` on that thread only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .nodes import Nodes, after_effects, after_gate, after_route
from .runtime import Runtime
from .state import GraphState, WorkInput, WorkOutcome

if TYPE_CHECKING:
    from langgraph.graph.state import CompiledStateGraph, StateGraph

NODE_NAMES = ("intake", "route", "prepare", "turn", "gate", "await_pm", "effects", "finish")


def build_graph(rt: Runtime | None) -> StateGraph[GraphState, Any, WorkInput, WorkOutcome]:
    from langgraph.graph import END, START, StateGraph

    nodes = Nodes(rt)
    graph: StateGraph[GraphState, Any, WorkInput, WorkOutcome] = StateGraph(
        GraphState, input_schema=WorkInput, output_schema=WorkOutcome
    )
    graph.add_node("intake", nodes.intake)
    graph.add_node("route", nodes.route)
    graph.add_node("prepare", nodes.prepare)
    graph.add_node("turn", nodes.turn)
    graph.add_node("gate", nodes.gate)
    graph.add_node("await_pm", nodes.await_pm)
    graph.add_node("effects", nodes.effects)
    graph.add_node("finish", nodes.finish)
    graph.add_edge(START, "intake")
    graph.add_edge("intake", "route")
    graph.add_conditional_edges("route", after_route, {"prepare": "prepare", "finish": "finish"})
    graph.add_edge("prepare", "turn")
    graph.add_edge("turn", "gate")
    graph.add_conditional_edges("gate", after_gate, {"await_pm": "await_pm", "effects": "effects"})
    graph.add_edge("await_pm", "effects")
    graph.add_conditional_edges("effects", after_effects, {"turn": "turn", "finish": "finish"})
    graph.add_edge("finish", END)
    return graph


def compile_graph(
    rt: Runtime, checkpointer: Any
) -> CompiledStateGraph[GraphState, Any, WorkInput, WorkOutcome]:
    return build_graph(rt).compile(checkpointer=checkpointer)


def to_mermaid() -> str:
    """The compiled graph as Mermaid text (built for drawing only: no run is opened)."""
    return build_graph(None).compile().get_graph().draw_mermaid()


def recursion_limit(rt: Runtime) -> int:
    # intake, route, prepare, finish + (turn, gate, await_pm, effects) per brain step, with room.
    return 8 + 5 * (rt.budgets.steps_per_turn + 1)


__all__ = ["NODE_NAMES", "build_graph", "compile_graph", "recursion_limit", "to_mermaid"]
