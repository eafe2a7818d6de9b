"""Lineage: datasets and jobs as a directed graph, impact analysis, OpenLineage and Mermaid.

A pipelines file (YAML) lists jobs with the datasets they read and write:

    namespace: shop            # optional, default "charter"
    pipelines:                 # or `jobs:`
      - name: load_orders
        inputs: [raw.orders]
        outputs: [staging.orders]

The graph has a node per dataset (`dataset:<name>`) and per job (`job:<name>`), with edges
dataset -> job (read) and job -> dataset (write). It must be acyclic: a dataset that
(transitively) feeds itself is reported as an error, since its lineage has no start.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import networkx as nx
import yaml
from pydantic import Field, ValidationError

from charter.protocols import ConfigError, StrictModel

PRODUCER = "https://github.com/charter/charter/agents/data/lineage"


class PipelineJob(StrictModel):
    name: str = Field(min_length=1)
    inputs: list[str] = Field(default_factory=list)
    outputs: list[str] = Field(default_factory=list)
    description: str = ""
    owner: str = "data"
    schedule: str | None = None


class Pipelines(StrictModel):
    namespace: str = "charter"
    pipelines: list[PipelineJob] = Field(default_factory=list)
    jobs: list[PipelineJob] = Field(default_factory=list)

    def all_jobs(self) -> list[PipelineJob]:
        return [*self.pipelines, *self.jobs]


class Impact(StrictModel):
    """What a broken dataset (or failed job) reaches downstream."""

    source: str
    kind: Literal["dataset", "job"]
    jobs: list[str] = Field(default_factory=list)  # affected jobs, in run order
    datasets: list[str] = Field(default_factory=list)  # affected datasets, in run order
    upstream: list[str] = Field(default_factory=list)  # datasets it depends on


def _node(kind: str, name: str) -> str:
    return f"{kind}:{name}"


def parse_pipelines(data: Mapping[str, Any], *, where: str = "pipelines") -> Pipelines:
    try:
        spec = Pipelines.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        location = ".".join(str(part) for part in first["loc"])
        raise ConfigError(f"{where}: {location}: {first['msg']}") from None
    names = [job.name for job in spec.all_jobs()]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"{where}: job names {duplicates} appear twice, expected unique names")
    return spec


def load_pipelines(path: Path) -> Pipelines:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"pipelines file {path}: cannot read ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"pipelines file {path}: not valid YAML ({error})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"pipelines file {path}: expected a mapping with a 'pipelines' list")
    return parse_pipelines(data, where=f"pipelines file {path}")


def build_graph(spec: Pipelines) -> nx.DiGraph[str]:
    graph: nx.DiGraph[str] = nx.DiGraph(namespace=spec.namespace)
    for job in spec.all_jobs():
        job_node = _node("job", job.name)
        graph.add_node(job_node, kind="job", name=job.name, owner=job.owner)
        for dataset in job.inputs:
            graph.add_node(_node("dataset", dataset), kind="dataset", name=dataset)
            graph.add_edge(_node("dataset", dataset), job_node)
        for dataset in job.outputs:
            graph.add_node(_node("dataset", dataset), kind="dataset", name=dataset)
            graph.add_edge(job_node, _node("dataset", dataset))
    if not nx.is_directed_acyclic_graph(graph):
        cycle = " -> ".join(edge[0] for edge in nx.find_cycle(graph))
        raise ConfigError(f"pipelines: lineage has a cycle ({cycle}), expected an acyclic flow")
    return graph


def _ordered(graph: nx.DiGraph[str], nodes: set[str], kind: str) -> list[str]:
    order = list(nx.lexicographical_topological_sort(graph))
    return [graph.nodes[n]["name"] for n in order if n in nodes and graph.nodes[n]["kind"] == kind]


def impact(graph: nx.DiGraph[str], name: str) -> Impact:
    """Everything downstream of a dataset (or job) named `name`."""
    for kind in ("dataset", "job"):
        node = _node(kind, name)
        if node in graph:
            below = nx.descendants(graph, node)
            above = nx.ancestors(graph, node)
            return Impact(
                source=name,
                kind="dataset" if kind == "dataset" else "job",
                jobs=_ordered(graph, below, "job"),
                datasets=_ordered(graph, below, "dataset"),
                upstream=_ordered(graph, above, "dataset"),
            )
    known = sorted(str(graph.nodes[n]["name"]) for n in graph)
    raise ConfigError(f"lineage: no dataset or job named {name!r}; known: {known}")


def _mermaid_id(node: str) -> str:
    digest = hashlib.sha1(node.encode()).hexdigest()[:8]
    return f"{node.split(':', 1)[0][0]}_{digest}"


def to_mermaid(graph: nx.DiGraph[str], *, highlight: Sequence[str] = ()) -> str:
    """A Mermaid flowchart: datasets as cylinders, jobs as boxes; `highlight` names are
    drawn in the `impacted` class (e.g. the result of an impact analysis)."""
    lines = ["flowchart LR"]
    for node in nx.lexicographical_topological_sort(graph):
        attrs = graph.nodes[node]
        label = str(attrs["name"]).replace('"', "'")
        shape = f'[("{label}")]' if attrs["kind"] == "dataset" else f'["{label}"]'
        lines.append(f"    {_mermaid_id(node)}{shape}")
    for left, right in sorted(graph.edges):
        lines.append(f"    {_mermaid_id(left)} --> {_mermaid_id(right)}")
    marked = [_mermaid_id(n) for n in sorted(graph) if graph.nodes[n]["name"] in set(highlight)]
    if marked:
        lines.append("    classDef impacted fill:#fdd,stroke:#c00")
        lines.append(f"    class {','.join(marked)} impacted")
    return "\n".join(lines) + "\n"


def to_openlineage(
    graph: nx.DiGraph[str],
    *,
    event_time: datetime,
    state: Literal["START", "COMPLETE", "FAIL"] = "COMPLETE",
    failed_jobs: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """One OpenLineage run event per job, in run order, as JSON-ready dicts.

    Built with the `openlineage-python` client's types. Run ids are UUIDs derived from the
    job and event time (not random), so the same graph and time give the same events.
    """
    from openlineage.client.event_v2 import (
        InputDataset,
        Job,
        OutputDataset,
        Run,
        RunEvent,
        RunState,
    )
    from openlineage.client.serde import Serde

    if event_time.tzinfo is None:
        raise ConfigError("openlineage event_time: expected a timezone-aware timestamp")
    namespace = str(graph.graph.get("namespace", "charter"))
    stamp = event_time.isoformat()
    events: list[dict[str, Any]] = []
    for node in nx.lexicographical_topological_sort(graph):
        if graph.nodes[node]["kind"] != "job":
            continue
        name = str(graph.nodes[node]["name"])
        run_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{namespace}/{name}@{stamp}")
        job_state = "FAIL" if name in set(failed_jobs) else state
        event = RunEvent(
            eventType=RunState[job_state],
            eventTime=stamp,
            run=Run(runId=str(run_id)),
            job=Job(namespace=namespace, name=name),
            producer=PRODUCER,
            inputs=[
                InputDataset(namespace=namespace, name=str(graph.nodes[p]["name"]))
                for p in sorted(graph.predecessors(node))
            ],
            outputs=[
                OutputDataset(namespace=namespace, name=str(graph.nodes[s]["name"]))
                for s in sorted(graph.successors(node))
            ],
        )
        events.append(json.loads(Serde.to_json(event)))
    return events


__all__ = [
    "Impact",
    "PipelineJob",
    "Pipelines",
    "build_graph",
    "impact",
    "load_pipelines",
    "parse_pipelines",
    "to_mermaid",
    "to_openlineage",
]
