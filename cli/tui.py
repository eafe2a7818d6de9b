"""`charter tui`: watch a run in the terminal (or a browser with --web)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from .store_option import StoreOpt


def register(app: typer.Typer) -> None:
    """Attach `charter tui` to the `charter` app."""

    @app.command("tui")
    def tui(
        scenario: Annotated[
            str | None,
            typer.Argument(
                help="Scenario to run live: 'demo' or a scenario YAML file. "
                "Omit it to pick from the scenario library."
            ),
        ] = None,
        run: Annotated[
            Path | None,
            typer.Option(
                "--run",
                help="Open a run directory (read-only unless it has open escalations to decide).",
            ),
        ] = None,
        runs_root: Annotated[
            Path | None,
            typer.Option(
                "--runs-root",
                help="Where live scenario runs are kept (default: a new temporary directory).",
            ),
        ] = None,
        paused: Annotated[bool, typer.Option("--paused", help="Start a live run paused.")] = False,
        light: Annotated[bool, typer.Option("--light", help="Light theme.")] = False,
        web: Annotated[
            bool, typer.Option("--web", help="Serve the same app in a browser on 127.0.0.1.")
        ] = False,
        port: Annotated[int, typer.Option("--port", help="Port for --web.")] = 8000,
        store: StoreOpt = None,
    ) -> None:
        """Watch a run in the terminal UI (a scenario live, or a run directory).

        Agents, the event timeline, escalations (approve / deny from the keyboard), memory,
        authority decisions, the scorecard and the team topology.
        """
        from charter.protocols import ConfigError
        from charter.tui.launch import build_app, check_target, serve_web

        if not 1 <= port <= 65535:
            raise ConfigError(f"--port {port}: expected a TCP port from 1 to 65535")
        if store:
            # Read where a run directory's run.json names no store; --web's sessions,
            # each a process of its own, inherit it.
            os.environ["CHARTER_STORE"] = store

        argv: list[str] = [scenario] if scenario is not None else []
        if run is not None:
            argv += ["--run", str(run.resolve())]
        if runs_root is not None:
            argv += ["--runs-root", str(runs_root.resolve())]
        if paused:
            argv.append("--paused")
        if light:
            argv.append("--light")
        if web:
            check_target(scenario, run)  # before serving: a browser never sees the error
            serve_web(argv, port=port)
            return
        build_app(scenario, run_dir=run, runs_root=runs_root, paused=paused, light=light).run()
