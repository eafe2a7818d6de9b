"""A simulated year of the whole team's schedules on the virtual clock.

Measures the fire-time computation alone (`ScheduleAgenda`, APScheduler triggers with the
fast exact path) and compares it, in the same run, with plain iteration over the same
fire times (a precomputed list) and with asking the trigger fire by fire.

    .venv/bin/python -P benchmarks/clock.py [--days 365]
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import UTC, datetime, timedelta

from charter.graph.schedules import ScheduleAgenda, ScheduleTiming
from charter.protocols import Schedule

ROLES = [
    "data",
    "architect",
    "engineer",
    "security",
    "pm",
    "qa",
    "ops",
    "integration",
    "documentation",
]


def team_schedules() -> list[tuple[str, Schedule]]:
    """Nightly, hourly, every-5-minutes and business-hours schedules across the team."""
    out: list[tuple[str, Schedule]] = [
        ("data", Schedule(name="nightly-quality", cron="30 2 * * *", timezone="Europe/Berlin")),
        ("data", Schedule(name="pipeline-health", cron="0 * * * *")),
        ("data", Schedule(name="latency-probe", cron="*/5 * * * *")),
        ("ops", Schedule(name="uptime", interval=timedelta(minutes=5))),
        ("security", Schedule(name="threat-scan", cron="*/5 * * * *")),
    ]
    for role in ROLES:
        out.append(
            (role, Schedule(name="standup", cron="0 9 * * 1-5", timezone="America/New_York"))
        )
        out.append(
            (
                role,
                Schedule(name="office-hours", cron="*/15 9-17 * * 1-5", timezone="Europe/Berlin"),
            )
        )
        out.append((role, Schedule(name="nightly", cron="0 1 * * *")))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    end = start + timedelta(days=args.days)
    schedules = team_schedules()

    t0, c0 = time.perf_counter(), time.process_time()
    agenda = ScheduleAgenda(schedules, start)
    fires = agenda.pop_due(end)
    agenda_s = time.perf_counter() - t0
    agenda_cpu = time.process_time() - c0

    times = [fire.at for fire in fires]
    t0 = time.perf_counter()
    count = 0
    for instant in times:
        if instant <= end:
            count += 1
    plain_s = time.perf_counter() - t0

    # Trigger fire by fire for one 5-minute schedule over a shorter window, scaled.
    sample = Schedule(name="probe", cron="*/5 * * * *")
    sample_end = start + timedelta(days=min(args.days, 7))
    timing = ScheduleTiming(sample, anchor=start)
    t0 = time.perf_counter()
    current, stepped = start, 0
    while (nxt := timing.next_after(current)) is not None and nxt <= sample_end:
        current, stepped = nxt, stepped + 1
    step_per_fire = (time.perf_counter() - t0) / max(stepped, 1)

    print(f"schedules: {len(schedules)}  simulated days: {args.days}  fires: {len(fires):,}")
    print(
        f"agenda (fire-time computation): {agenda_s:.3f} s  "
        f"({agenda_s / len(fires) * 1e6:.2f} us/fire)"
    )
    print(
        f"plain iteration over the same fire times: {plain_s:.4f} s  "
        f"-> agenda/plain = {agenda_s / plain_s:.1f}x"
    )
    print(
        f"trigger step by step: {step_per_fire * 1e6:.1f} us/fire, "
        f"estimated {step_per_fire * len(fires):.1f} s for the year "
        f"-> {step_per_fire * len(fires) / agenda_s:.0f}x slower than the agenda"
    )
    # On a shared machine the wall time includes waiting for a core; CPU time does not.
    print(f"agenda CPU time: {agenda_cpu:.3f} s  (load average {os.getloadavg()[0]:.1f})")
    print(
        f"target < 1 s for the year: {'met' if agenda_s < 1.0 else 'NOT met'} (wall), "
        f"{'met' if agenda_cpu < 1.0 else 'NOT met'} (CPU)"
    )
    assert count == len(fires)


if __name__ == "__main__":
    main()
