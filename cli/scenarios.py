"""Scenario commands: `charter run FILE...`, `charter scenarios list`, `charter serve RUN`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ._json import JsonOpt, emit_json
from ._progress import bar_wanted
from .ai_options import (
    AiConfigOpt,
    BrainOpt,
    CassetteOpt,
    KeyFileOpt,
    LlmOpt,
    MockModelOpt,
)
from .store_option import StoreOpt

if TYPE_CHECKING:
    from charter.scenarios import LoadedScenario, ScenarioResult

scenarios_app = typer.Typer(help="The shipped scenario library.", no_args_is_help=True)

_SHOWN = {
    "signal_received",
    "schedule_fired",
    "fault_injected",
    "task_submitted",
    "escalation_raised",
    "escalation_decided",
    "escalation_reescalated",
    "message_sent",
    "dead_letter",
    "authority_checked",
    "file_written",
    "report_filed",
    "memory_recorded",
    "protocol_error",
}


def _describe(event: Any) -> str:
    from rich.markup import escape

    from charter.protocols.describe import headline

    return escape(headline(event))


def _summary(result: ScenarioResult, console: Any, *, timeline: bool) -> None:
    from rich.markup import escape
    from rich.table import Table

    mark = "[green]PASS[/]" if result.passed else "[red]FAIL[/]"
    console.print(
        f"\n{mark} [bold]{result.name}[/]  seed {result.seed}  {len(result.events)} events  "
        f"simulated {result.simulated}  wall {result.wall_seconds:.1f}s  run {result.run_dir}"
    )
    if result.error:
        console.print(f"  [red]run stopped: {escape(result.error)}[/]")
    if timeline:
        table = Table(show_header=True, header_style="bold", box=None, padding=(0, 1))
        table.add_column("time")
        table.add_column("agent")
        table.add_column("what")
        for event in result.events:
            if event.kind in _SHOWN:
                table.add_row(f"{event.at:%m-%d %H:%M}", event.agent or "-", _describe(event))
        console.print(table)
    denied = [
        e.decision
        for e in result.events
        if e.kind == "authority_checked" and not e.decision.allowed
    ]
    escalations = [e.escalation for e in result.events if e.kind == "escalation_raised"]
    console.print(
        f"  escalations: {len(escalations)}"
        + "".join(escape(f"\n    {e.trigger} [{e.severity}] by {e.source}") for e in escalations)
    )
    console.print(
        f"  denied writes: {len(denied)}"
        + "".join(
            escape(f"\n    {d.role}: {d.path or d.requested_path} ({d.rule})") for d in denied
        )
    )
    for check in result.results:
        sign = "[green]✓[/]" if check.passed else "[red]✗[/]"
        where = f" (line {check.line})" if check.line else ""
        console.print(f"  {sign} {check.check}{where}: {escape(check.detail)}")
    console.print(f"  digest {result.digest}")
    if result.error:
        console.print(f"  error: {escape(result.error)}")


def run(
    files: Annotated[list[Path], typer.Argument(help="Scenario files to run, in order.")],
    seed: Annotated[int | None, typer.Option(help="Override every scenario's seed.")] = None,
    out: Annotated[Path, typer.Option(help="Where run directories go.")] = Path("runs"),
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a machine-readable report on stdout.")
    ] = False,
    timeline: Annotated[bool, typer.Option(help="Show each scenario's timeline.")] = True,
    fresh: Annotated[
        bool,
        typer.Option("--fresh", help="Replace existing run directories instead of resuming them."),
    ] = False,
    brain: BrainOpt = None,
    llm: LlmOpt = None,
    key_file: KeyFileOpt = None,
    mock_model: MockModelOpt = False,
    ai_config: AiConfigOpt = None,
    cassette: CassetteOpt = None,
    store: StoreOpt = None,
) -> None:
    """Play scenario files on a virtual clock and check their expectations.

    Exit 0 when every expectation passes, 1 when one fails, 2 for an invalid file.
    A run directory that already exists is resumed (a finished one is re-checked); one
    made from an earlier version of the scenario is refused unless --fresh replaces it.
    """
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn

    from charter.scenarios import default_run_dir, load_scenario, run_scenario

    from .ai import run_brains

    # Validate everything before creating anything: a bad file creates no run directory.
    loaded = [load_scenario(path) for path in files]
    _prepare_run_dirs(loaded, out, seed, fresh=fresh, store=store)
    console = Console(stderr=as_json)
    results = []
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[info]}"),
        console=Console(stderr=True),
        transient=True,
        disable=not bar_wanted(as_json),
    ) as progress:
        overall = progress.add_task("scenarios", total=len(loaded), info="")
        for item in loaded:
            chosen = item.scenario.seed if seed is None else seed
            clock_task = progress.add_task(item.scenario.name, total=1.0, info="")
            start = item.scenario.start

            def tick(now: Any, end: Any, task: Any = clock_task, begin: Any = start) -> None:
                span = (end - begin).total_seconds() or 1.0
                progress.update(
                    task,
                    completed=(now - begin).total_seconds() / span,
                    info=f"{now:%Y-%m-%d %H:%M}",
                )

            run_dir = default_run_dir(out, item, chosen)
            brains = run_brains(
                item.team,
                brain,
                llm=llm,
                run_dir=run_dir,
                clock=None,
                key_file=key_file,
                mock_model=mock_model,
                scenario=item.scenario.name,
                seed=chosen,
                ai_config=ai_config,
                cassette=cassette,
            )
            result = run_scenario(
                item, run_dir, seed=chosen, brains=brains, progress=tick, store=store
            )
            _write_report(result)
            results.append(result)
            progress.remove_task(clock_task)
            progress.advance(overall)
    for result in results:
        _summary(result, console, timeline=timeline and not as_json)
    passed = sum(r.passed for r in results)
    console.print(f"\n{passed}/{len(results)} scenarios passed")
    if as_json:
        sys.stdout.write(json.dumps({"scenarios": [r.as_dict() for r in results]}, indent=1))
        sys.stdout.write("\n")
    raise typer.Exit(0 if passed == len(results) else 1)


def _prepare_run_dirs(
    loaded: list[LoadedScenario], out: Path, seed: int | None, *, fresh: bool, store: str | None
) -> None:
    """Every run directory checked before any is touched: an edited scenario's old run is
    refused (or, with --fresh, every one is removed once all are known to be removable)."""
    from charter.protocols import ConfigError
    from charter.scenarios import default_run_dir
    from charter.scenarios.fingerprint import check_run_dir, clear_run_dir

    run_dirs = [
        (item, default_run_dir(out, item, item.scenario.seed if seed is None else seed))
        for item in loaded
    ]
    if not fresh:
        for item, run_dir in run_dirs:
            check_run_dir(item, run_dir)
        return
    if store is not None:
        # The run's events live in the shared store under the run's id, which a fresh
        # directory would get again: removing the directory alone would mix two runs.
        raise ConfigError(
            "--fresh with --store: a shared store keeps the old run's events; "
            "use another --out or --seed, or drop --store"
        )
    for _, run_dir in run_dirs:
        if run_dir.exists() and not (run_dir / "run.json").is_file():
            clear_run_dir(run_dir)  # raises the reason (or does nothing for an empty folder)
    for _, run_dir in run_dirs:
        clear_run_dir(run_dir)


def _write_report(result: ScenarioResult) -> None:
    target = result.run_dir / "report.json"
    temp = target.with_suffix(".tmp")
    temp.write_text(json.dumps(result.as_dict(), indent=1), encoding="utf-8")
    temp.replace(target)


@scenarios_app.command("list")
def list_scenarios(as_json: JsonOpt = False) -> None:
    """The shipped scenario library."""
    from rich.console import Console
    from rich.table import Table

    from charter.scenarios import library_files, load_scenario

    if as_json:
        entries = []
        for path in library_files():
            scenario = load_scenario(path).scenario
            entries.append(
                {
                    "name": scenario.name,
                    "file": str(path),
                    "expectations": len(scenario.expect),
                    "description": scenario.description,
                }
            )
        emit_json({"scenarios": entries})
        return
    table = Table("name", "expectations", "description")
    for path in library_files():
        scenario = load_scenario(path).scenario
        first = scenario.description.split(". ")[0].strip()
        table.add_row(scenario.name, str(len(scenario.expect)), first[:90])
    Console().print(table)


def serve(
    run_dir: Annotated[Path, typer.Argument(help="A run directory (created if missing).")],
    seconds: Annotated[
        float | None, typer.Option("--for", help="Stop after this many seconds.")
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Serve a live run: schedules on the wall clock, monitors, the team at work.

    The team's schedules run on the wall clock (persistent APScheduler jobs in the run
    database), monitors turn measurements into signals, and the Orchestrator works on
    what they find. Ctrl-C stops it; starting it again resumes, and fires missed meanwhile
    follow each schedule's misfire policy.
    """
    from charter.scenarios.live import serve_run

    serve_run(run_dir, seconds=seconds, echo=typer.echo, store=store)


def register(app: typer.Typer) -> None:
    """Attach the scenario commands to the `charter` app."""
    app.command("run")(run)
    app.command("serve")(serve)
    app.add_typer(scenarios_app, name="scenarios")
