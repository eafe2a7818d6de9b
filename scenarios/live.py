"""`charter serve RUN`: a live run driven by the persistent `LiveScheduler`.

The scheduler's thread only queues fires; the main thread owns the Orchestrator (it is
not thread-safe) and applies them one at a time.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from charter.graph.activation import Activator, LiveScheduler, fire_event
from charter.graph.monitors import MonitorContext, get_monitor
from charter.graph.schedules import ScheduledFire
from charter.protocols import SystemClock


def serve_run(
    run_dir: Path,
    *,
    seconds: float | None = None,
    echo: Callable[[str], None] = print,
    stop: threading.Event | None = None,
) -> int:
    """Serve `run_dir` until `seconds` pass or `stop` is set; how many fires it applied."""
    from charter.graph import Orchestrator

    stop = stop or threading.Event()
    fires: queue.Queue[ScheduledFire] = queue.Queue()
    clock = SystemClock()
    applied = 0
    with Orchestrator(run_dir, clock=clock) as orch:
        live = LiveScheduler(
            f"sqlite:///{orch.run_dir / 'run.db'}",
            on_fire=fires.put,
            on_skip=lambda job, at: echo(f"skipped late fire of {job} due {at:%Y-%m-%d %H:%M}"),
            clock=clock,
        )
        live.start(paused=True)
        jobs = live.sync(Activator(orch.team).schedules())
        echo(f"serving {run_dir}: {len(jobs)} schedules; Ctrl-C to stop")
        live.resume()
        timer = threading.Timer(seconds, stop.set) if seconds is not None else None
        if timer is not None:
            timer.start()
        last: dict[str, datetime] = {}
        try:
            while not stop.is_set():
                try:
                    fire = fires.get(timeout=0.5)
                except queue.Empty:
                    continue
                orch.rt.emit(fire_event(orch.run_id, fire, clock.now()))
                if fire.monitor is not None:
                    context = MonitorContext(
                        datasets=orch.rt.datasets,
                        now=fire.at,
                        schedule=fire.schedule,
                        since=last.get(fire.job_id),
                    )
                    for found in get_monitor(fire.monitor).run(context):
                        orch.signal(found)
                status = orch.run_until_idle()
                applied += 1
                last[fire.job_id] = fire.at
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
            live.shutdown()
    return applied


__all__ = ["serve_run"]
