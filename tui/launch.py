"""Building the app for the CLI: a scenario run live, a run directory, the scenario
library picker, or the web server (textual-serve on 127.0.0.1)."""

from __future__ import annotations

import shlex
import sys
import tempfile
from pathlib import Path

from charter.protocols import ConfigError

from .app import CharterApp
from .source import EventSource

DEMO = "demo"  # the built-in flagship scenario (charter.graph.demo)


def scenario_library() -> list[Path]:
    """The shipped scenario files, plus the built-in demo first."""
    from charter.scenarios import library_files

    return [Path(DEMO), *library_files()]


def _scenario_opener(runs_root: Path | None):  # type: ignore[no-untyped-def]
    def opener(path: Path) -> EventSource:
        return open_scenario(path, runs_root=runs_root)

    return opener


def open_scenario(scenario: Path, *, runs_root: Path | None = None) -> EventSource:
    """A live source for `scenario`: "demo" or a scenario file from the library."""

    def base() -> Path:
        return runs_root or Path(tempfile.mkdtemp(prefix="charter-tui-"))

    if str(scenario) == DEMO or scenario.stem == DEMO:
        from .live_source import open_demo

        return open_demo(base() / "demo")
    if not scenario.is_file():
        raise ConfigError(
            f"scenario {scenario}: no such file; expected a scenario YAML file or 'demo'"
        )
    from charter.scenarios import load_scenario

    from . import scenario_source

    loaded = load_scenario(scenario)  # a bad file fails here, before any directory exists
    return scenario_source.play_scenario(loaded, base() / scenario.stem)


def open_run_dir(run_dir: Path) -> EventSource:
    """A run directory: live (decidable) while it has open escalations, else read-only."""
    from .run_source import RunDirSource, store_url_for

    store_url_for(run_dir)  # a clear error for a directory that is not a run
    if not (run_dir / "run.json").is_file():
        return RunDirSource(run_dir)
    reader = RunDirSource(run_dir)
    try:
        undecided = [e for e in reader.escalations() if e.decision is None]
    finally:
        reader.close()
    if not undecided:
        return RunDirSource(run_dir)
    from .live_source import open_run

    return open_run(run_dir)


def check_target(scenario: str | None, run_dir: Path | None) -> None:
    """Raise ConfigError for a target the app could not open, creating nothing: `--web`
    checks here first, because each browser session opens the target in a process of its
    own whose error only its server console would see (the page would wait forever)."""
    if scenario is not None and run_dir is not None:
        raise ConfigError("charter tui: give a SCENARIO or --run DIR, not both")
    if run_dir is not None:
        from .run_source import store_url_for

        store_url_for(run_dir)
    elif scenario is not None and scenario != DEMO and Path(scenario).stem != DEMO:
        path = Path(scenario)
        if not path.is_file():
            raise ConfigError(
                f"scenario {path}: no such file; expected a scenario YAML file or 'demo'"
            )
        from charter.scenarios import load_scenario

        load_scenario(path)


def build_app(
    scenario: str | None = None,
    *,
    run_dir: Path | None = None,
    runs_root: Path | None = None,
    paused: bool = False,
    light: bool = False,
) -> CharterApp:
    theme = "textual-light" if light else "textual-dark"
    if scenario is not None and run_dir is not None:
        raise ConfigError("charter tui: give a SCENARIO or --run DIR, not both")
    if run_dir is not None:
        return CharterApp(open_run_dir(run_dir), paused=paused, theme=theme)
    if scenario is not None:
        source = open_scenario(Path(scenario), runs_root=runs_root)
        return CharterApp(source, paused=paused, theme=theme)
    return CharterApp(
        scenarios=scenario_library(),
        opener=_scenario_opener(runs_root),
        paused=paused,
        theme=theme,
    )


def web_command(argv: list[str]) -> str:
    """The shell command textual-serve runs for each browser session."""
    return " ".join(shlex.quote(part) for part in [sys.executable, "-m", "charter.tui", *argv])


def serve_web(argv: list[str], *, port: int = 8000) -> None:
    from textual_serve.server import Server

    Server(web_command(argv), host="127.0.0.1", port=port, title="Charter").serve()


__all__ = [
    "DEMO",
    "build_app",
    "check_target",
    "open_run_dir",
    "open_scenario",
    "scenario_library",
    "serve_web",
    "web_command",
]
