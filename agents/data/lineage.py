"""Lineage: datasets and jobs as a directed graph, impact analysis, OpenLineage and Mermaid.

A pipelines file (YAML) lists jobs with the datasets they read and write:

    namespace: shop            # optional, default "charter": the jobs' namespace
    datasource: postgres://db:5432   # optional: the datasets' namespace (default: namespace)
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
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import networkx as nx
import yaml
from pydantic import Field, ValidationError

from charter.protocols import ConfigError, StrictModel

from .lineage_events import (
    CheckOutcome,
    ColumnInfo,
    DatasetUse,
    JobRun,
    job_run_events,
    run_id_for,
    to_json,
)
from .lineage_naming import table_dataset


class PipelineJob(StrictModel):
    name: str = Field(min_length=1)
    inputs: list[str] = Field(default_factory=list)
    outputs: list[str] = Field(default_factory=list)
    description: str = ""
    owner: str = "data"
    schedule: str | None = None


class Pipelines(StrictModel):
    namespace: str = "charter"  # the jobs' namespace (the scheduler that runs them)
    # The datasets' namespace: their data source, e.g. postgres://db.example.com:5432
    # (default: `namespace`). `--database URL` names the datasets from the database instead.
    datasource: str | None = None
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
    graph: nx.DiGraph[str] = nx.DiGraph(namespace=spec.namespace, datasource=spec.datasource)
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


def _read_schemas(url: str, tables: Sequence[str]) -> dict[str, list[ColumnInfo] | None]:
    """Columns of each of `tables` in the database at `url` (None: not a table there)."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import SQLAlchemyError

    from .connect import open_engine, split_table

    engine = open_engine(url)
    found: dict[str, list[ColumnInfo] | None] = {}
    try:
        inspector = inspect(engine)
        for table in tables:
            schema, bare = split_table(table)
            try:
                columns = inspector.get_columns(bare, schema=schema)
            except SQLAlchemyError:
                found[table] = None  # not a table of this database (a file, a topic, a typo)
                continue
            found[table] = [ColumnInfo(name=str(c["name"]), type=str(c["type"])) for c in columns]
    finally:
        engine.dispose()
    return {table: columns or None for table, columns in found.items()}


def pipeline_job_runs(
    graph: nx.DiGraph[str],
    *,
    event_time: datetime,
    run_key: str,
    failed_jobs: Sequence[str] = (),
    error: str | None = None,
    database: str | None = None,
    checks: Mapping[str, Sequence[CheckOutcome]] | None = None,
) -> list[JobRun]:
    """One job run per job of a pipelines graph, in run order.

    Each job's run id comes from (job namespace, job name, `run_key`), so the START sent
    when a scheduler starts the jobs and the COMPLETE or FAIL sent when they end (by
    separate commands, with the same key) belong to the same run. With `database`, the
    datasets are that database's tables, named per the OpenLineage naming spec and with
    their schema; `checks` (table -> verdicts) become the read tables' quality assertions.
    """
    if event_time.tzinfo is None:
        raise ConfigError("openlineage event_time: expected a timezone-aware timestamp")
    namespace = str(graph.graph.get("namespace", "charter"))
    datasource = str(graph.graph.get("datasource") or namespace)
    names = [str(graph.nodes[n]["name"]) for n in graph if graph.nodes[n]["kind"] == "dataset"]
    schemas = _read_schemas(database, names) if database is not None else {}
    verdicts = checks or {}
    failed = set(failed_jobs)

    def use(node: str, *, with_checks: bool) -> DatasetUse:
        name = str(graph.nodes[node]["name"])
        if database is not None:
            ident = table_dataset(database, name)
            found = DatasetUse(namespace=ident.namespace, name=ident.name, fields=schemas[name])
        else:
            found = DatasetUse(namespace=datasource, name=name)
        if with_checks and name in verdicts:
            found = found.model_copy(update={"checks": list(verdicts[name])})
        return found

    runs: list[JobRun] = []
    for node in nx.lexicographical_topological_sort(graph):
        if graph.nodes[node]["kind"] != "job":
            continue
        name = str(graph.nodes[node]["name"])
        is_failed = name in failed
        runs.append(
            JobRun(
                namespace=namespace,
                job=name,
                run_id=run_id_for(namespace, name, run_key),
                started_at=event_time,
                ended_at=event_time,
                ending="FAIL" if is_failed else "COMPLETE",
                error=(error or f"job {name} failed") if is_failed else None,
                inputs=[use(p, with_checks=True) for p in sorted(graph.predecessors(node))],
                outputs=[use(s, with_checks=False) for s in sorted(graph.successors(node))],
                job_type="PIPELINE",
            )
        )
    return runs


def to_openlineage(
    graph: nx.DiGraph[str],
    *,
    event_time: datetime,
    state: Literal["START", "COMPLETE", "FAIL"] = "COMPLETE",
    failed_jobs: Sequence[str] = (),
    run_key: str | None = None,
    error: str | None = None,
    database: str | None = None,
    checks: Mapping[str, Sequence[CheckOutcome]] | None = None,
) -> list[dict[str, Any]]:
    """One OpenLineage run event per job, in run order, as JSON-ready dicts.

    `state` START announces the runs; COMPLETE ends them (jobs in `failed_jobs` end in
    FAIL, with `error` as their error message); FAIL ends them all as failed. Events for
    the same job and `run_key` share a run id; without a key, the event time is the key
    (so one call's events are reproducible, but a START and a COMPLETE at different times
    need the same explicit key to pair up).
    """
    key = run_key if run_key is not None else event_time.isoformat()
    failing = [str(graph.nodes[n]["name"]) for n in graph if graph.nodes[n]["kind"] == "job"]
    runs = pipeline_job_runs(
        graph,
        event_time=event_time,
        run_key=key,
        failed_jobs=failing if state == "FAIL" else failed_jobs,
        error=error,
        database=database,
        checks=checks,
    )
    events: list[dict[str, Any]] = []
    for run in runs:
        chosen: Literal["START", "COMPLETE", "FAIL"] = "START" if state == "START" else run.ending
        events.extend(to_json(e) for e in job_run_events(run, [chosen]))
    return events


__all__ = [
    "Impact",
    "PipelineJob",
    "Pipelines",
    "build_graph",
    "impact",
    "load_pipelines",
    "parse_pipelines",
    "pipeline_job_runs",
    "to_mermaid",
    "to_openlineage",
]
