"""The StateGraph: built here, run by the Orchestrator (builder separate from runtime).

    START -> intake -> route -> prepare -> turn -> gate -> [await_pm] -> effects
                 |        |                  ^                            |
                 v        v                  +------ next step -----------+
                END     finish <------------------- turn over ------------+
                          |
                         END

One invocation processes one work item (a task, a signal or a delivered message).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .nodes import Nodes, after_effects, after_gate, after_intake, after_route
from .runtime import Runtime
from .state import GraphState

if TYPE_CHECKING:
    from langgraph.graph.state import CompiledStateGraph, StateGraph

NODE_NAMES = ("intake", "route", "prepare", "turn", "gate", "await_pm", "effects", "finish")


def build_graph(rt: Runtime | None) -> StateGraph[GraphState, Any, GraphState, GraphState]:
    from langgraph.graph import END, START, StateGraph

    nodes = Nodes(rt)
    graph: StateGraph[GraphState, Any, GraphState, GraphState] = StateGraph(GraphState)
    graph.add_node("intake", nodes.intake)
    graph.add_node("route", nodes.route)
    graph.add_node("prepare", nodes.prepare)
    graph.add_node("turn", nodes.turn)
    graph.add_node("gate", nodes.gate)
    graph.add_node("await_pm", nodes.await_pm)
    graph.add_node("effects", nodes.effects)
    graph.add_node("finish", nodes.finish)
    graph.add_edge(START, "intake")
    graph.add_conditional_edges("intake", after_intake, {"route": "route", "__end__": END})
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
) -> CompiledStateGraph[GraphState, Any, GraphState, GraphState]:
    return build_graph(rt).compile(checkpointer=checkpointer)


def to_mermaid() -> str:
    """The compiled graph as Mermaid text (built for drawing only: no run is opened)."""
    return build_graph(None).compile().get_graph().draw_mermaid()


def recursion_limit(rt: Runtime) -> int:
    # intake, route, prepare, finish + (turn, gate, await_pm, effects) per brain step, with room.
    return 8 + 5 * (rt.budgets.steps_per_turn + 1)


__all__ = ["NODE_NAMES", "build_graph", "compile_graph", "recursion_limit", "to_mermaid"]
