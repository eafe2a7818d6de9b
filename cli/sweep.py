"""`charter sweep FILES... --seeds 1..200 --vary NAME=V1,V2 --out DIR`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from ._json import JsonOpt, emit_json
from ._progress import bar_wanted
from .ai_options import AiConfigOpt, BrainOpt, CassetteOpt, KeyFileOpt, LlmOpt, MockModelOpt


def sweep(
    files: Annotated[list[Path], typer.Argument(help="Scenario files to sweep.")],
    seeds: Annotated[str, typer.Option(help="Seeds: a range 1..200, a list 1,2,5, or N.")] = "1",
    vary: Annotated[
        list[str] | None,
        typer.Option(
            help="NAME=V1,V2: a field to vary (pm_policy, fault_rate); repeat for a product."
        ),
    ] = None,
    out: Annotated[Path, typer.Option(help="Where cells, results and the report go.")] = Path(
        "sweep"
    ),
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray",
            metavar="[ADDRESS]",
            help="Run on Ray: alone, a local runtime; with ADDRESS (host:port, ray://…, "
            "auto), join that cluster.",
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Process-pool size (default: the core count).")
    ] = None,
    brain: BrainOpt = None,
    llm: LlmOpt = None,
    key_file: KeyFileOpt = None,
    mock_model: MockModelOpt = False,
    ai_config: AiConfigOpt = None,
    cassette: CassetteOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run every scenario × seed × variant in parallel and report the distribution.

    Results go to OUT/results.sqlite and OUT/results.csv (one row per cell), the report to
    OUT/report/index.html. Re-running skips cells already stored. Exit 0 when every cell
    passed, 1 otherwise, 2 for bad input.
    """
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from charter.scenarios.sweep import Engine, execute, plan
    from charter.scenarios.sweep_cell import BrainChoice
    from charter.scenarios.sweep_matrix import parse_seeds, parse_vary
    from charter.scenarios.sweep_report import print_summary, write_report
    from charter.scenarios.sweep_row import Row

    chosen = parse_seeds(seeds)
    variants = parse_vary(vary or [])
    thinking = BrainChoice(
        specs=tuple(brain or ()),
        llm=llm,
        key_file=key_file,
        mock_model=mock_model,
        ai_config=ai_config,
        cassette=cassette,
    )
    if thinking.specs:  # a bad --brain is one line now, not a failure in every cell
        from charter.agents.brains import parse_brain_specs
        from charter.agents.team import load_team

        parse_brain_specs(list(thinking.specs), load_team())
    todo = plan(files, chosen, variants, out)
    console = Console(stderr=as_json)  # with --json, stdout holds the one JSON document
    engine: Engine = "pool" if ray is None else "ray"
    address = None if ray in (None, "local") else ray
    console.print(
        f"{len(todo.cells)} cells, {len(todo.cells) - len(todo.todo)} already done, "
        f"running {len(todo.todo)} on {'Ray' if engine == 'ray' else 'a process pool'}"
    )
    with Progress(
        TextColumn("sweep"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=not bar_wanted(as_json),
    ) as progress:
        task = progress.add_task("sweep", total=len(todo.todo))

        def advance(_row: Row) -> None:
            progress.advance(task)

        rows = execute(
            todo.todo,
            out,
            engine=engine,
            workers=workers,
            ray_address=address,
            on_row=advance,
            brains=thinking,
        )
    wanted = {cell.key for cell in todo.cells}
    rows = [r for r in rows if (r["scenario"], r["seed"], r["variant"]) in wanted]
    page = write_report(rows, out)
    if as_json:
        emit_json(
            {
                "cells": len(rows),
                "passed": sum(bool(r["passed"]) for r in rows),
                "results": str(out / "results.sqlite"),
                "csv": str(out / "results.csv"),
                "report": str(page),
                "rows": rows,
            }
        )
    else:
        print_summary(rows, console)
    console.print(f"results: {out / 'results.sqlite'}, {out / 'results.csv'}; report: {page}")
    raise typer.Exit(0 if all(r["passed"] for r in rows) else 1)


def _ray_words(args: list[str]) -> list[str]:
    """`--ray` takes an optional value, which click cannot say (typer drops `flag_value`):
    a bare `--ray` becomes `--ray=local`. The next word is its ADDRESS only when it looks
    like one (has a colon, or is `auto`), so `--ray a.yaml` keeps a.yaml a scenario file."""
    words = list(args)
    for index, word in enumerate(words):
        if word == "--ray":
            following = words[index + 1] if index + 1 < len(words) else ""
            if not (":" in following or following == "auto"):
                words[index] = "--ray=local"
    return words


class _SweepCommand(TyperCommand):
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer vendors click
        return super().parse_args(ctx, _ray_words(args))


def register(app: typer.Typer) -> None:
    app.command("sweep", cls=_SweepCommand)(sweep)
