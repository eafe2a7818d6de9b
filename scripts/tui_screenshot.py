"""Render docs/tui-screenshot.svg: the demo run in the TUI, paused on its immediate escalation.

    .venv/bin/python -P scripts/tui_screenshot.py [--out docs/tui-screenshot.svg]

The run is the deterministic demo (seed 7, PM policy "wait"), played in a temporary
directory, so the picture changes only when the UI or the demo does.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path


async def _render(out: Path, size: tuple[int, int]) -> None:
    from charter.protocols import Severity
    from charter.tui.app import CharterApp
    from charter.tui.live_source import open_demo

    with tempfile.TemporaryDirectory() as scratch:
        source = open_demo(Path(scratch) / "demo")
        app = CharterApp(source)
        async with app.run_test(size=size) as pilot:
            screen = app.run_screen

            def paused() -> bool:
                data = screen.model.agents.get("data")
                held = any(
                    e.severity == Severity.IMMEDIATE and e.status == "open"
                    for e in source.escalations()
                )
                return held and data is not None and data.state == "paused on escalation"

            for _ in range(1_000):  # the app's timer steps the run between pauses
                if paused():
                    break
                await pilot.pause(0.02)
            else:
                raise SystemExit("the demo never paused on its escalation")
            await pilot.pause(0.2)  # let the views repaint once more
            app.save_screenshot(filename=out.name, path=str(out.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/tui-screenshot.svg"))
    parser.add_argument("--width", type=int, default=120)
    parser.add_argument("--height", type=int, default=34)
    args = parser.parse_args()
    asyncio.run(_render(args.out, (args.width, args.height)))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
