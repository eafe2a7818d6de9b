"""Top-level run commands: `charter demo` (the flagship run) and `charter graph` (the
compiled graph and the coordination topology)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from charter.protocols import ConfigError

from .store_option import StoreOpt

_POLICIES = ("approve", "deny", "wait")


def _default_run_dir(seed: int) -> Path:
    base = Path("runs")
    n = 1
    while (base / f"demo-{seed}-{n:03d}").exists():
        n += 1
    return base / f"demo-{seed}-{n:03d}"


def _line(event: Any) -> str:
    from rich.markup import escape

    from charter.protocols.describe import headline

    text = escape(headline(event))
    if event.kind in ("protocol_error", "dead_letter", "budget_exhausted") or (
        event.kind == "authority_checked" and not event.decision.allowed
    ):
        return f"[red]{text}[/]"
    return f"[bold]{text}[/]" if event.kind.startswith("escalation") else text


_SHOWN = {
    "signal_received",
    "agent_activated",
    "tool_used",
    "escalation_raised",
    "escalation_decided",
    "message_sent",
    "authority_checked",
    "file_written",
    "report_filed",
    "memory_recorded",
    "protocol_error",
    "dead_letter",
    "budget_exhausted",
}


def demo(
    out: Annotated[
        Path | None, typer.Option("--out", help="run directory (default: a new one under ./runs/)")
    ] = None,
    seed: Annotated[int, typer.Option(help="the run's seed: same seed, same digest")] = 7,
    pm_policy: Annotated[
        str,
        typer.Option(
            "--pm-policy", help="PM policy for immediate escalations: approve, deny or wait"
        ),
    ] = "approve",
    store: StoreOpt = None,
) -> None:
    """Run the flagship scenario: a night-time pipeline failure, end to end, offline."""
    from rich.console import Console
    from rich.table import Table

    from charter.graph.demo import is_demo_run, run_demo

    if pm_policy not in _POLICIES:
        raise ConfigError(f"--pm-policy {pm_policy!r}: expected one of {', '.join(_POLICIES)}")
    run_dir = out or _default_run_dir(seed)
    if (run_dir / "run.json").exists() and not is_demo_run(run_dir, seed):
        # The same demo (same seed) in that directory is resumed: a killed demo finishes
        # with the digest an uninterrupted one has.
        raise ConfigError(
            f"--out {run_dir}: already holds another run; expected a new directory "
            f"or one holding this demo (seed {seed})"
        )
    result = run_demo(run_dir, seed=seed, pm_policy=pm_policy, store=store)  # type: ignore[arg-type]  # checked above

    from .memory import open_run

    console = Console()
    reader = open_run(str(run_dir))  # run.json names its store and run id
    try:
        table = Table(title="Night-time pipeline failure", expand=True)
        table.add_column("time", style="dim", no_wrap=True)
        table.add_column("agent", style="magenta", no_wrap=True)
        table.add_column("what happened")
        for _, event in reader.events():
            if event.kind in _SHOWN:
                table.add_row(event.at.strftime("%H:%M"), event.agent or "-", _line(event))
        console.print(table)
        esc = Table(title="Escalations")
        for column in ("trigger", "from", "severity", "status", "decision"):
            esc.add_column(column)
        for e in result.escalations:
            esc.add_row(
                e.trigger,
                e.source,
                e.severity.value,
                e.status,
                e.decision.verdict if e.decision else "-",
            )
        console.print(esc)
    finally:
        reader.close()
    console.print(
        f"run directory: [bold]{run_dir}[/]   status: {result.status}   events: {result.events}"
    )
    console.print(f"digest: {result.digest}")
    from charter.memory.anchor import read_anchor

    head = read_anchor(run_dir)  # keep it elsewhere: `charter audit verify` checks against it
    if head is not None:
        console.print(f"audit head: {head['count']} entries, {head['head']}", soft_wrap=True)


def graph(
    mermaid: Annotated[
        bool, typer.Option("--mermaid", help="print the compiled LangGraph as Mermaid")
    ] = False,
    topology: Annotated[
        bool,
        typer.Option("--topology", help="print the coordination topology (roles and protocols)"),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="with --topology: node-link JSON instead of Mermaid")
    ] = False,
) -> None:
    """Export the coordination graph (default: --mermaid)."""
    if topology:
        from charter.agents.team import load_team
        from charter.graph.topology import topology as build
        from charter.graph.topology import topology_json, topology_mermaid

        graph_ = build(load_team())
        if as_json:
            typer.echo(json.dumps(topology_json(graph_), indent=1, sort_keys=True))
        else:
            typer.echo(topology_mermaid(graph_), nl=False)
        return
    if as_json:
        raise ConfigError("--json: only with --topology")
    from charter.graph.builder import to_mermaid

    typer.echo(to_mermaid(), nl=False)
    del mermaid  # the default output


def register(app: typer.Typer) -> None:
    """Attach the top-level run commands to the `charter` app."""
    app.command("demo")(demo)
    app.command("graph")(graph)
