"""The coordination topology: roles as nodes, coordination protocols as edges
(requester -> responder), as a networkx graph, exportable as Mermaid or node-link JSON."""

from __future__ import annotations

from typing import Any

import networkx as nx

from charter.agents.coordination import PROTOCOLS
from charter.protocols import Team


def topology(team: Team) -> nx.MultiDiGraph[str]:
    """One edge per protocol and direction it may be opened in; roles missing from the team
    are left out, and the charter's declared partners are checked against the registry."""
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for role, charter in team.roles.items():
        graph.add_node(
            role, title=charter.title, kind=charter.kind, single_instance=charter.single_instance
        )
    for spec in PROTOCOLS.values():
        for initiator in sorted(spec.initiators):
            responder = spec.responder_for(initiator)
            if initiator in graph and responder in graph:
                graph.add_edge(
                    initiator,
                    responder,
                    key=spec.name,
                    protocol=spec.name,
                    topic=spec.topic,
                    rule=spec.rule,
                )
    return graph


def undeclared_partners(team: Team) -> list[str]:
    """Protocols a charter lists for a partner that the registry does not declare."""
    problems = []
    for role, charter in team.roles.items():
        for partner in charter.coordination:
            for name in partner.protocols:
                spec = PROTOCOLS.get(name)
                if spec is None or set(spec.parties) != {role, partner.role}:
                    problems.append(f"{role} -> {partner.role}: {name}")
    return problems


def topology_mermaid(graph: nx.MultiDiGraph[str]) -> str:
    lines = ["flowchart LR"]
    for node in sorted(graph.nodes):
        title = graph.nodes[node].get("title", node)
        lines.append(f'    {node}["{title}"]')
    edges: list[tuple[str, str, str]] = [
        (str(source), str(target), str(key)) for source, target, key in graph.edges(keys=True)
    ]
    for source, target, protocol in sorted(edges):
        lines.append(f"    {source} -- {protocol} --> {target}")
    return "\n".join(lines) + "\n"


def topology_json(graph: nx.MultiDiGraph[str]) -> dict[str, Any]:
    data: dict[str, Any] = nx.node_link_data(graph, edges="edges")
    return data


__all__ = ["topology", "topology_json", "topology_mermaid", "undeclared_partners"]
