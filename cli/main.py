"""The `charter` command. Thin commands over the parts; heavy libraries (langgraph,
anthropic, textual) are imported inside commands so `charter --help` stays fast.

Start-up cost, measured: Python itself ~0.07 s, typer ~0.4 s, pydantic ~0.4 s on the
project machine. So `run()` (the console script):
- imports only the sub-app a command needs (`charter roles ...` never loads `charter data`);
- answers a bare `charter --help` from a help text cached on disk, rendered by typer itself
  on the first call and re-rendered whenever a file of this package changes (the cache key
  is the files' sizes and mtimes and the terminal width). No typer, no pydantic.
`app` (the full typer app) stays importable for tests and tools: `from charter.cli.main
import app` builds it on first access.
"""

from __future__ import annotations

import hashlib
import io
import os
import sys
from contextlib import redirect_stdout
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

    app: typer.Typer  # built on first access, see __getattr__

HELP = "Executable agent charters: authorities, protocols, escalations, activation, memory."

# sub-app name -> module in this package exposing `app`
_SUBAPPS = {
    "roles": "roles",
    "authority": "authority",
    "data": "data",
    "memory": "memory",
    "audit": "audit",
    "ai": "ai",
    "guard": "guard",
    "export": "export",
}
# modules whose `register(app)` adds top-level commands
_REGISTERS = ("runs", "scenarios", "sweep", "tui", "worker", "doctor", "mcp", "escalate")


def build_app(only: str | None = None) -> typer.Typer:
    """The typer app with every sub-app, or only the sub-app `only` (plus the top-level
    commands, which are cheap to register)."""
    import typer

    app = typer.Typer(
        name="charter",
        help=HELP,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        # typer's own --install-completion / --show-completion (bash, zsh, fish, PowerShell)
        add_completion=True,
    )

    def _print_version(value: bool) -> None:
        if value:
            from importlib.metadata import version

            typer.echo(f"charter {version('charter')}")
            raise typer.Exit()

    @app.callback()
    def _root(
        _version: bool = typer.Option(
            False,
            "--version",
            "-V",
            is_eager=True,
            callback=_print_version,
            help="Print Charter's version and exit.",
        ),
    ) -> None:
        # An explicit callback keeps `charter` a command group even when only one
        # sub-app is loaded (typer would otherwise collapse a lone command into the root).
        pass

    for name, module in _SUBAPPS.items():
        if only is None or only == name:
            app.add_typer(import_module(f".{module}", __package__).app, name=name)
    for module in _REGISTERS:
        import_module(f".{module}", __package__).register(app)
    return app


def __getattr__(name: str) -> Any:
    if name == "app":
        value = build_app()
        globals()["app"] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _help_cache_path() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    digest = hashlib.sha256()
    try:
        here = Path(__file__).resolve().parent
        for entry in sorted(os.scandir(here), key=lambda e: e.name):
            if entry.name.endswith(".py"):
                stat = entry.stat()
                digest.update(f"{entry.name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    except OSError:
        return None
    columns = os.environ.get("COLUMNS") or str(_terminal_width())
    digest.update(f"{columns};{sys.version_info[:2]}".encode())
    return Path(base) / "charter" / f"help-{digest.hexdigest()[:24]}.txt"


def _terminal_width() -> int:
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError):
        return 80


def render_help() -> str:
    """`charter --help` as typer renders it (plain text, no colours)."""
    app = build_app()
    buffer = io.StringIO()
    old_columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = old_columns or str(_terminal_width())
    try:
        with redirect_stdout(buffer):
            app(["--help"], prog_name="charter", standalone_mode=False)
    finally:
        if old_columns is None:
            del os.environ["COLUMNS"]
    return buffer.getvalue()


def _cached_help() -> str:
    path = _help_cache_path()
    if path is not None:
        try:
            return path.read_text(encoding="utf-8")
        except OSError:
            pass
    text = render_help()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(text, encoding="utf-8")
            temporary.replace(path)  # atomic: a reader sees the old file or the new one
        except OSError:
            pass  # a read-only home only costs speed
    return text


def run() -> None:
    """Console-script entry point: a user mistake is one line on stderr and exit code 2; a
    bug in Charter is one line naming the crash report file, and exit code 3."""
    argv = sys.argv[1:]
    try:
        if argv == ["--help"]:
            sys.stdout.write(_cached_help())
            return
        first = argv[0] if argv else None
        build_app(first if first in _SUBAPPS else None)(prog_name="charter")
    except Exception as error:
        # A CharterError was raised, so its module is loaded; importing charter.protocols
        # up front would cost the pydantic import on every start.
        errors = sys.modules.get("charter.protocols.errors")
        if errors is not None and isinstance(error, errors.CharterError):
            print(f"charter: {error}", file=sys.stderr)
            raise SystemExit(2) from None
        damage = _database_damage(error)
        if damage is not None:
            # Found mid-command (a page read late): the file's state, not a Charter bug.
            print(
                f"charter: a database is damaged ({damage}); `charter doctor RUN` checks "
                "a run and says what is wrong",
                file=sys.stderr,
            )
            raise SystemExit(2) from None
        report = _write_crash_report()
        print(
            f"charter: internal error: {type(error).__name__}: {_first_line(error)}"
            f" (full report: {report})",
            file=sys.stderr,
        )
        raise SystemExit(3) from None


_DAMAGE = ("malformed", "not a database", "disk i/o error", "file is encrypted")


def _database_damage(error: BaseException) -> str | None:
    """SQLite's own words when `error` (or what it wraps) says a file is damaged."""
    seen: BaseException | None = error
    for _ in range(5):
        if seen is None:
            return None
        text = _first_line(seen)
        if type(seen).__name__ in {"DatabaseError", "OperationalError"} and any(
            word in text.lower() for word in _DAMAGE
        ):
            return text.split("\n")[0].removeprefix("(sqlite3.DatabaseError) ")
        seen = getattr(seen, "orig", None) or seen.__cause__ or seen.__context__
    return None


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else "(no message)"


def _write_crash_report() -> str:
    """Write the current exception's traceback to a private file and return its path, so
    the user sees one line and a maintainer still gets the whole story."""
    import tempfile
    import traceback

    try:
        handle, path = tempfile.mkstemp(prefix="charter-crash-", suffix=".txt")  # mode 0600
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(f"charter {' '.join(sys.argv[1:])}\n\n")
            stream.write(traceback.format_exc())
    except OSError:
        return "not written: temporary directory unwritable"
    return path


__all__ = ["HELP", "app", "build_app", "render_help", "run"]
