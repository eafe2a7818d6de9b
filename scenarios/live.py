"""`charter serve RUN`: a live run — `Orchestrator(..., live=True)` on the wall clock.

The scheduler's thread only queues fires; this loop, which owns the Orchestrator (it is
not thread-safe), waits for them and lets the team work on what they bring.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from charter.protocols import SystemClock


def serve_run(
    run_dir: Path,
    *,
    seconds: float | None = None,
    echo: Callable[[str], None] = print,
    stop: threading.Event | None = None,
    store: str | None = None,
) -> int:
    """Serve `run_dir` until `seconds` pass or `stop` is set; how many fires it applied."""
    from charter.graph import Orchestrator

    stop = stop or threading.Event()
    applied = 0
    with Orchestrator(run_dir, clock=SystemClock(), live=True, store_url=store) as orch:
        live = orch.live
        assert live is not None
        live.scheduler.on_skip = lambda job, at: echo(
            f"skipped late fire of {job} due {at:%Y-%m-%d %H:%M}"
        )
        echo(f"serving {run_dir}: {len(live.jobs)} schedules; Ctrl-C to stop")
        timer = threading.Timer(seconds, stop.set) if seconds is not None else None
        if timer is not None:
            timer.start()
        try:
            while not stop.is_set():
                if not live.wait(timeout=0.5):
                    continue
                fires = live.apply_due()
                status = orch.run_until_idle()
                applied += len(fires)
                for fire in fires:
                    echo(
                        f"{fire.at:%H:%M:%S} {fire.job_id}"
                        + (" (misfire)" if fire.misfire else "")
                        + f" -> {status}"
                    )
        except KeyboardInterrupt:
            pass
        finally:
            if timer is not None:
                timer.cancel()
    return applied


__all__ = ["serve_run"]
