"""`charter ai ...`: what a run's AI calls used and cost, the price table, the key check.

`charter ai usage RUN` reads the run's `ai_usage` events (RUN is a run directory, a `.db`
file or a database URL) and prints tokens, cost, calls and errors per agent and model."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ._json import JsonOpt, emit_json
from .ai_options import (
    AiConfigOpt,
    BrainOpt,
    KeyFileOpt,
    LlmOpt,
    MockModelOpt,
)
from .memory import RunArg, open_run

app = typer.Typer(
    help="AI API use: usage and cost per agent and model, prices, key check.",
    no_args_is_help=True,
)
_REFUSALS = ("budget", "circuit_open")  # decided locally: no request left


def _row(rows: dict[tuple[str, str], dict[str, Any]], agent: str, model: str) -> dict[str, Any]:
    return rows.setdefault(
        (agent, model),
        {
            "agent": agent,
            "model": model,
            "calls": 0,
            "ok": 0,
            "errors": 0,
            "refused": 0,
            "input_tokens": 0,
            "output_tokens": 0,
            "cache_read_tokens": 0,
            "cache_write_tokens": 0,
            "cost_usd": 0.0,
        },
    )


def _usage_rows(run: str) -> tuple[str | None, list[dict[str, Any]]]:
    from charter.protocols.events import AIUsage, BudgetExhausted, RunStarted

    with open_run(run) as store:
        events = [e for _, e in store.events(kinds={"ai_usage"}) if isinstance(e, AIUsage)]
        stops = [
            e
            for _, e in store.events(kinds={"budget_exhausted"})
            if isinstance(e, BudgetExhausted) and e.budget.startswith("ai_")
        ]
        started = [
            e for _, e in store.events(kinds={"run_started"}, limit=1) if isinstance(e, RunStarted)
        ]
    scenario = started[0].scenario if started else None
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    # A budget stop names no model: it is counted on the agent's "(budget)" line.
    for stop in stops:
        row = _row(rows, stop.agent or "-", "(budget)")
        row["calls"] += 1
        row["refused"] += 1
    for event in events:
        row = _row(rows, event.agent or "-", event.model)
        row["calls"] += 1
        if event.ok:
            row["ok"] += 1
        elif event.error in _REFUSALS:
            row["refused"] += 1
        else:
            row["errors"] += 1
        for field in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"):
            row[field] += getattr(event, field)
        row["cost_usd"] += event.cost_usd
    return scenario, [rows[key] for key in sorted(rows)]


@app.command("usage")
def usage_command(
    run: RunArg,
    as_json: JsonOpt = False,
) -> None:
    """Tokens, cost, calls and errors per agent and model, from the run's ai_usage events.

    "refused" counts calls stopped before sending: circuit open, or a budget spent (from
    the run's budget_exhausted events, on the agent's "(budget)" line)."""
    scenario, rows = _usage_rows(run)
    if as_json:
        emit_json(
            {
                "scenario": scenario,
                "rows": [{**row, "cost_usd": round(row["cost_usd"], 8)} for row in rows],
            }
        )
        return
    if not rows:
        typer.echo("no AI calls in this run (every agent ran on its rule brain)")
        return
    columns = (
        "calls",
        "errors",
        "refused",
        "input_tokens",
        "output_tokens",
        "cache_read_tokens",
        "cache_write_tokens",
    )
    typer.echo(f"AI usage — {scenario or run}")
    typer.echo(
        f"{'agent':<14} {'model':<20} {'calls':>6} {'errors':>6} {'refused':>7} "
        f"{'input':>9} {'output':>8} {'cache rd':>9} {'cache wr':>9} {'cost $':>11}"
    )
    total: dict[str, Any] = {key: 0 for key in (*columns, "ok", "cost_usd")}
    for row in rows:
        for key in total:
            total[key] += row[key]
    for row in [*rows, {"agent": "total", "model": "", **total}]:
        counts = [int(row[k]) for k in columns]
        typer.echo(
            f"{row['agent']:<14} {row['model']:<20} {counts[0]:>6} {counts[1]:>6} "
            f"{counts[2]:>7} {counts[3]:>9} {counts[4]:>8} {counts[5]:>9} "
            f"{counts[6]:>9} {row['cost_usd']:>11.6f}"
        )
    attempted = total["calls"] - total["refused"]
    availability = total["ok"] / attempted if attempted else 1.0
    typer.echo(f"API availability: {availability:.2%} of {int(attempted)} sent call(s)")


@app.command("prices")
def prices_command(
    table: Annotated[
        Path | None, typer.Option("--table", help="A prices.yaml of your own.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """The price table in use (dollars per million tokens) and the model aliases."""
    from charter.agents.ai.prices import PriceTable

    prices = PriceTable.load(table)
    if as_json:
        emit_json({"models": dict(sorted(prices.models.items())), "aliases": prices.aliases})
        return
    typer.echo(f"{'model':<22} {'input':>7} {'output':>7} {'cache write':>11} {'cache read':>10}")
    for name, p in sorted(prices.models.items()):
        typer.echo(
            f"{name:<22} {p.input:>7.3f} {p.output:>7.3f} {p.cache_write:>11.3f} "
            f"{p.cache_read:>10.3f}"
        )
    for alias, target in sorted(prices.aliases.items()):
        typer.echo(f"alias {alias} -> {target}")


@app.command("key")
def key_command(
    key_file: Annotated[
        Path | None, typer.Option("--key-file", help="A key file (mode 0600).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check that an API key is available and safely stored (never prints the key)."""
    from charter.agents.ai.keys import load_api_key

    key = load_api_key(key_file=key_file)
    if as_json:  # where the key came from, never the key
        emit_json({"found": key is not None, "source": key.label if key else None})
        raise typer.Exit(0 if key is not None else 1)
    if key is None:
        typer.echo("no API key (set ANTHROPIC_API_KEY or use --key-file); runs use rule brains")
        raise typer.Exit(1)
    typer.echo(f"API key found ({key.label}); it is never printed, logged or stored")


def run_brains(
    team: Any,
    specs: list[str] | None,
    *,
    llm: str | None,
    run_dir: Path,
    clock: Any,
    key_file: Path | None = None,
    mock_model: bool = False,
    scenario: str | None = None,
    seed: int = 0,
    ai_config: Path | None = None,
    cassette: Path | None = None,
) -> dict[str, Any]:
    """The brain overrides for an Orchestrator from `--brain`/`--llm` options. After the
    Orchestrator exists, call `charter.agents.brains.bind_usage_events(brains,
    orch.record, orch.run_id)` so usage lands in the run as `ai_usage` events."""
    from charter.agents.brains import claude_brains, load_ai_config, parse_brain_specs

    kinds = parse_brain_specs(specs or [], team)
    brains, _ = claude_brains(
        team,
        kinds,
        llm=llm,
        run_dir=run_dir,
        clock=clock,
        key_file=key_file,
        mock=mock_model,
        scenario=scenario,
        seed=seed,
        run_config=load_ai_config(ai_config) if ai_config is not None else None,
        cassette=cassette,
    )
    return dict(brains)


@app.command("try")
def try_command(
    out: Annotated[Path, typer.Option("--out", help="Run directory to create.")],
    brain: BrainOpt = None,
    llm: LlmOpt = None,
    key_file: KeyFileOpt = None,
    mock_model: MockModelOpt = False,
    ai_config: AiConfigOpt = None,
    cassette: Annotated[
        Path | None, typer.Option("--cassette", help="With --llm replay: the cassette to play.")
    ] = None,
    signal: Annotated[
        str, typer.Option(help="The signal the run starts with.")
    ] = "pipeline_failed",
    seed: Annotated[int, typer.Option(help="The run's seed.")] = 7,
    as_json: JsonOpt = False,
) -> None:
    """A small run (a signal, then a task for the Data agent) with agents on Claude: see
    the brain, record a cassette, replay it offline to the same digest.

        charter ai try --out runs/ai-rec --llm record --mock-model
        charter ai try --out runs/ai-rep --llm replay --cassette runs/ai-rec/cassette.json
        charter ai usage runs/ai-rec
    """
    import shutil

    from charter.agents.ai.cassette import CASSETTE_NAME
    from charter.agents.brains import bind_usage_events
    from charter.agents.team import load_team
    from charter.graph.orchestrator import DEFAULT_START, Orchestrator
    from charter.protocols import ConfigError, VirtualClock

    if out.exists() and any(out.iterdir()):
        raise ConfigError(f"--out {out}: already exists and is not empty; expected a new directory")
    if cassette is not None and not cassette.is_file():
        raise ConfigError(f"--cassette {cassette}: not found")
    team = load_team()
    clock = VirtualClock(DEFAULT_START)
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    try:
        if cassette is not None:
            shutil.copy(cassette, out / CASSETTE_NAME)
        brains = run_brains(
            team,
            brain or ["data=claude"],
            llm=llm,
            run_dir=out,
            clock=clock,
            key_file=key_file,
            mock_model=mock_model,
            scenario="ai-try",
            seed=seed,
            ai_config=ai_config,
        )
    except BaseException:
        # Bad input changes nothing: leave no half-made run directory behind.
        if created:
            shutil.rmtree(out, ignore_errors=True)
        raise
    with Orchestrator(out, team=team, brains=brains, clock=clock, seed=seed, name="ai-try") as orch:
        bind_usage_events(brains, orch.record, orch.run_id)
        orch.signal(signal, source="user", pipeline="load_orders")
        orch.submit("Check the orders table for duplicate keys", to="data")
        orch.run_until_idle()
        shown = {
            "escalation_raised",
            "report_filed",
            "authority_checked",
            "message_sent",
            "ai_usage",
        }
        if as_json:
            emit_json(
                {
                    "run_dir": str(out),
                    "brains": sorted(brains),
                    "events": [
                        {"at": e.at, "agent": e.agent, "kind": e.kind}
                        for _, e in orch.events()
                        if e.kind in shown
                    ],
                    "digest": orch.digest(),
                }
            )
            return
        for _, event in orch.events():
            if event.kind in shown:
                typer.echo(f"{event.at:%H:%M:%S} {event.agent or '-':<10} {event.kind}")
        typer.echo(f"brains: {', '.join(sorted(brains)) or 'rule brains only (--llm off)'}")
        typer.echo(f"digest: {orch.digest()}")


__all__ = ["app", "run_brains"]
