"""`python -m charter.tui [SCENARIO] [--run DIR] [--paused] [--light]`: what
`charter tui --web` runs for each browser session."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from charter.protocols import CharterError

from .launch import build_app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m charter.tui")
    parser.add_argument("scenario", nargs="?")
    parser.add_argument("--run", type=Path, default=None)
    parser.add_argument("--runs-root", type=Path, default=None)
    parser.add_argument("--paused", action="store_true")
    parser.add_argument("--light", action="store_true")
    args = parser.parse_args(argv)
    try:
        app = build_app(
            args.scenario,
            run_dir=args.run,
            runs_root=args.runs_root,
            paused=args.paused,
            light=args.light,
        )
    except CharterError as error:
        print(f"charter: {error}", file=sys.stderr)
        return 2
    app.run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
