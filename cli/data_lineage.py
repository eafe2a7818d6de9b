"""`charter data lineage`: lineage of a pipelines file or of a run, and OpenLineage events.

Two sources: a pipelines YAML (jobs with their inputs and outputs) or a run directory
(`--run DIR`: the tools its agents actually ran). Events go out through the
`openlineage-python` client's transports: console (NDJSON on stdout), file, or HTTP to
`OPENLINEAGE_URL`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from charter.protocols import ConfigError

from ._args import parse_instant

if TYPE_CHECKING:
    from datetime import datetime

    from charter.agents.data.lineage_events import CheckOutcome, JobRun

_STATES = ("START", "COMPLETE", "FAIL")


def _moment(text: str) -> datetime:
    from charter.protocols import SystemClock

    return parse_instant(text, "--at") if text else SystemClock().now()


def _load_checks(path: Path) -> dict[str, list[CheckOutcome]]:
    """Table -> verdicts from `charter data check --json` output."""
    from pydantic import ValidationError

    from charter.agents.data.lineage_runs import check_outcome
    from charter.agents.data.suite import SuiteResult

    try:
        result = SuiteResult.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"--checks {path}: cannot read ({error.strerror})") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "file"
        raise ConfigError(
            f"--checks {path}: {where}: {first['msg']}; expected `charter data check --json` output"
        ) from None
    by_table: dict[str, list[CheckOutcome]] = {}
    for item in result.results:
        by_table.setdefault(item.table, []).append(check_outcome(item.model_dump(mode="json")))
    return by_table


def _describe(runs: list[JobRun]) -> None:
    for run in runs:
        reads = ", ".join(f"{u.name}" for u in run.inputs) or "-"
        writes = ", ".join(f"{u.name}" for u in run.outputs) or "-"
        line = f"{run.ended_at.isoformat()} {run.job} {run.ending}: reads {reads}; writes {writes}"
        checks = [c for u in run.inputs for c in u.checks]
        if checks:
            line += f"; {sum(c.success for c in checks)}/{len(checks)} checks passed"
        print(line)
    print(f"{len(runs)} job run(s)")


def lineage(
    pipelines: Annotated[
        Path | None, typer.Argument(help="Pipelines YAML (jobs with inputs/outputs).")
    ] = None,
    run: Annotated[
        Path | None,
        typer.Option("--run", help="Run directory: lineage from the tools its agents ran."),
    ] = None,
    impact_of: Annotated[
        str | None, typer.Option("--impact", help="Dataset or job: list what is downstream.")
    ] = None,
    mermaid: Annotated[bool, typer.Option("--mermaid", help="Print a Mermaid flowchart.")] = False,
    openlineage: Annotated[
        bool, typer.Option("--openlineage", help="Send OpenLineage run events (see --transport).")
    ] = False,
    event: Annotated[
        str,
        typer.Option(
            help="Pipelines: START (jobs began), COMPLETE (ended; --fail marks failures) or FAIL."
        ),
    ] = "COMPLETE",
    run_key: Annotated[
        str | None,
        typer.Option(
            "--run-key",
            help="Pipelines: the scheduler's id of this run; START and COMPLETE/FAIL sent with "
            "the same key share each job's run id (default: a new key, printed).",
        ),
    ] = None,
    fail: Annotated[
        list[str] | None, typer.Option("--fail", help="Pipelines: a job that failed (repeatable).")
    ] = None,
    error: Annotated[
        str | None, typer.Option(help="Error message for the failed jobs' FAIL events.")
    ] = None,
    database: Annotated[
        str | None,
        typer.Option(help="Pipelines: the database the datasets are tables of (names, schema)."),
    ] = None,
    checks: Annotated[
        Path | None,
        typer.Option(help="Pipelines: `charter data check --json` output: quality assertions."),
    ] = None,
    namespace: Annotated[str, typer.Option(help="Run: the jobs' namespace.")] = "charter",
    transport: Annotated[
        str,
        typer.Option(help="console (NDJSON, stdout), file (--file) or http (OPENLINEAGE_URL)."),
    ] = "console",
    file: Annotated[
        Path | None, typer.Option("--file", help="With --transport file: NDJSON file to append to.")
    ] = None,
    at: Annotated[str, typer.Option(help="Event time for pipelines (ISO, with zone).")] = "",
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Pipelines: the graph and the impact as one JSON document."),
    ] = False,
) -> None:
    """Datasets and jobs as a graph; impact analysis; Mermaid; OpenLineage events."""
    from charter.agents.data.lineage_emit import TRANSPORTS

    if (pipelines is None) == (run is None):
        raise ConfigError("lineage: give a pipelines YAML file or --run DIR (one of them)")
    if sum((mermaid, openlineage, as_json)) > 1:
        raise ConfigError("lineage: choose one of --mermaid, --openlineage and --json")
    if as_json and run is not None:
        raise ConfigError("lineage --json: for a pipelines file; a run's lineage is --openlineage")
    if openlineage and impact_of:
        raise ConfigError(
            "lineage: --impact lists what is downstream; mark failed jobs in events with --fail JOB"
        )
    state = event.upper()
    if state not in _STATES:
        raise ConfigError(f"lineage --event {event!r}: expected one of {', '.join(_STATES)}")
    kinds = {name: name for name in TRANSPORTS}
    if transport not in kinds:
        choices = ", ".join(TRANSPORTS)
        raise ConfigError(f"lineage --transport {transport!r}: expected one of {choices}")
    kind = kinds[transport]
    if run is not None:
        _from_run(run, namespace=namespace, openlineage=openlineage, kind=kind, file=file,
                  mermaid=mermaid, impact_of=impact_of)  # fmt: skip
        return
    assert pipelines is not None
    from charter.agents.data.lineage import build_graph, impact, load_pipelines, to_mermaid

    graph = build_graph(load_pipelines(pipelines))
    hit = impact(graph, impact_of) if impact_of else None
    if as_json:
        from ._json import emit_json

        nodes = graph.nodes
        emit_json(
            {
                "jobs": sorted(nodes[n]["name"] for n in nodes if nodes[n]["kind"] == "job"),
                "datasets": sorted(
                    nodes[n]["name"] for n in nodes if nodes[n]["kind"] == "dataset"
                ),
                "edges": sorted([a, b] for a, b in graph.edges),
                "impact": hit.model_dump(mode="json") if hit is not None else None,
            }
        )
    elif mermaid:
        sys.stdout.write(to_mermaid(graph, highlight=[*hit.jobs, *hit.datasets] if hit else ()))
    elif openlineage:
        _send_pipelines(graph, state=state, run_key=run_key, fail=fail or [], error=error,
                        database=database, checks=checks, at=at, kind=kind, file=file)  # fmt: skip
    elif hit is not None:
        print(f"downstream of {hit.kind} {hit.source}:")
        print(f"  jobs: {', '.join(hit.jobs) or '-'}")
        print(f"  datasets: {', '.join(hit.datasets) or '-'}")
        print(f"  depends on: {', '.join(hit.upstream) or '-'}")
    else:
        datasets = sum(1 for node in graph if graph.nodes[node]["kind"] == "dataset")
        print(
            f"{graph.number_of_nodes() - datasets} job(s), {datasets} dataset(s), "
            f"{graph.number_of_edges()} edge(s)"
        )


def _send_pipelines(
    graph: object,
    *,
    state: str,
    run_key: str | None,
    fail: list[str],
    error: str | None,
    database: str | None,
    checks: Path | None,
    at: str,
    kind: Literal["console", "file", "http"],
    file: Path | None,
) -> None:
    import networkx as nx

    from charter.agents.data.lineage import pipeline_job_runs
    from charter.agents.data.lineage_emit import emit_events, transport_config
    from charter.agents.data.lineage_events import job_run_events, new_run_key

    assert isinstance(graph, nx.DiGraph)
    jobs = {str(graph.nodes[n]["name"]) for n in graph if graph.nodes[n]["kind"] == "job"}
    unknown = sorted(set(fail) - jobs)
    if unknown:
        raise ConfigError(f"lineage --fail {unknown[0]!r}: no such job; known: {sorted(jobs)}")
    if fail and state != "COMPLETE":
        raise ConfigError("lineage --fail: only with --event COMPLETE (the jobs' ending)")
    transport_config(kind, file=file)  # a missing setting fails before any work
    moment = _moment(at)
    key = run_key or new_run_key()
    runs = pipeline_job_runs(
        graph,
        event_time=moment,
        run_key=key,
        failed_jobs=sorted(jobs) if state == "FAIL" else fail,
        error=error,
        database=database,
        checks=_load_checks(checks) if checks else None,
    )
    events = [
        e for r in runs for e in job_run_events(r, ["START" if state == "START" else r.ending])
    ]
    sent = emit_events(events, kind, file=file)
    if run_key is None:
        typer.echo(
            f"run key {key} (send the jobs' COMPLETE or FAIL with --run-key {key})"
            if state == "START"
            else f"run key {key}",
            err=True,
        )
    if kind != "console":
        typer.echo(f"sent {sent} event(s) via {kind}", err=True)


def _from_run(
    run: Path,
    *,
    namespace: str,
    openlineage: bool,
    kind: Literal["console", "file", "http"],
    file: Path | None,
    mermaid: bool,
    impact_of: str | None,
) -> None:
    from charter.agents.data.lineage_emit import emit_events, transport_config
    from charter.agents.data.lineage_events import job_run_events
    from charter.agents.data.lineage_runs import run_job_runs

    from .data_ops import run_events

    if mermaid or impact_of:
        raise ConfigError("lineage --run: --mermaid and --impact work on a pipelines file")
    if not run.is_dir():
        raise ConfigError(f"lineage --run {run}: not a directory, expected a run directory")
    if openlineage:
        transport_config(kind, file=file)
    runs = run_job_runs(run_events(run, what="lineage --run"), run, namespace=namespace)
    if not openlineage:
        _describe(runs)
        return
    sent = emit_events([e for r in runs for e in job_run_events(r)], kind, file=file)
    if kind != "console":
        typer.echo(f"sent {sent} event(s) for {len(runs)} job run(s) via {kind}", err=True)


def register(app: typer.Typer) -> None:
    app.command("lineage")(lineage)


__all__ = ["register"]
