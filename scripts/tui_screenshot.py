"""Render docs/tui-screenshot.svg: the demo run in the TUI, paused on its immediate escalation
(the timeline with its activity strip unless `--view` names another view's key).

    .venv/bin/python -P scripts/tui_screenshot.py [--out docs/tui-screenshot.svg]

The run is the deterministic demo (seed 7, PM policy "wait"), played in a temporary
directory, so the picture changes only when the UI or the demo does.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path


async def _render(out: Path, size: tuple[int, int], key: str) -> None:
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
            # the timeline with its activity strip: the escalation in red, a marker above
            await pilot.press(key)
            if key == "2":
                from charter.tui.activity_strip import ActivityStrip

                for _ in range(500):
                    strips = screen.query(ActivityStrip)
                    if strips and strips.first().activity.upto == screen.timeline_model.count:
                        break
                    await pilot.pause(0.02)
            # the header shows the run directory; a temporary one would change every picture
            app.sub_title = "runs/demo"
            await pilot.pause(0.3)  # let the views and the footer repaint once more
            app.save_screenshot(filename=out.name, path=str(out.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/tui-screenshot.svg"))
    parser.add_argument("--width", type=int, default=120)
    parser.add_argument("--height", type=int, default=34)
    parser.add_argument("--view", default="2", help="the view's key, 1-7 (default: timeline)")
    args = parser.parse_args()
    asyncio.run(_render(args.out, (args.width, args.height), args.view))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
