"""Loading a scenario: YAML -> `Scenario`, then the checks a schema cannot make (known
roles and monitors, valid cron, time moving forwards, files that exist). Every problem is
one `ConfigError` line `file:line: what, expected what`, raised before anything is created.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from charter.protocols import CharterError, ConfigError, Schedule, Team

from .format import (
    CountExpect,
    EscalationExpect,
    Expectation,
    MessageExpect,
    PausedExpect,
    Scenario,
)
from .names import Vocabulary, unknown_name, vocabulary
from .source import Location, Source, read_source, validation_error


@dataclass
class LoadedScenario:
    scenario: Scenario
    source: Source
    team: Team

    @property
    def path(self) -> Path:
        return self.source.path

    @property
    def base_dir(self) -> Path:
        return self.source.path.parent

    def schedules(self) -> list[tuple[str, Schedule]]:
        """The scenario's schedules, then (with `charter_schedules`) the charters' own."""
        own = [
            (
                spec.role,
                Schedule(
                    name=spec.name or "schedule",
                    cron=spec.cron,
                    interval=spec.interval,
                    timezone=spec.timezone,
                    monitor=spec.monitor,
                    misfire=spec.misfire,
                ),
            )
            for spec in self.scenario.schedules
        ]
        if self.scenario.charter_schedules:
            taken = {(role, s.name) for role, s in own}
            own += [
                (role, schedule)
                for role, charter in self.team.roles.items()
                for schedule in charter.activation.scheduled
                if (role, schedule.name) not in taken
            ]
        return own


def load_scenario(path: str | Path) -> LoadedScenario:
    source = read_source(Path(path))
    if not isinstance(source.data, dict):
        raise source.error((), "expected a mapping with 'name', 'timeline', 'expect', ...")
    try:
        scenario = Scenario.model_validate(source.data)
    except ValidationError as error:
        raise validation_error(source, error) from None
    team = _team(scenario, source)
    _check(scenario, source, team)
    return LoadedScenario(scenario, source, team)


def _team(scenario: Scenario, source: Source) -> Team:
    from charter.agents.team import load_team

    if scenario.team == "default":
        return load_team()
    if isinstance(scenario.team, str):
        raise source.error(("team",), f"team {scenario.team!r}: expected 'default' or a list")
    shipped = load_team()
    files: list[Path] = []
    names: list[str] = []
    for index, entry in enumerate(scenario.team):
        if entry.endswith((".yaml", ".yml")):
            file = (source.path.parent / entry).resolve()
            if not file.is_file():
                raise source.error(("team", index), f"charter file {entry!r}: no such file")
            files.append(file)
        elif entry in shipped.roles:
            names.append(entry)
        else:
            raise source.error(
                ("team", index),
                f"unknown role {entry!r}; expected one of {', '.join(shipped.roles)} "
                "or a charter .yaml file",
            )
    try:
        if files:
            from charter.agents.team import default_charter_files

            by_role = {p.stem: p for p in default_charter_files()}
            chosen = [by_role[name] for name in names if name in by_role]
            team = load_team([*chosen, *files])
        else:
            team = shipped.model_copy(
                update={"roles": {k: v for k, v in shipped.roles.items() if k in names}}
            )
    except CharterError as error:
        raise source.error(("team",), str(error)) from None
    return team


# Every instant a run computes (fires, deadlines, retention) must stay inside Python's
# calendar, which ends with year 9999: a start this late leaves room for a long run.
LATEST_START_YEAR = 9000


def _check(scenario: Scenario, source: Source, team: Team) -> None:
    from charter.graph.monitors import MONITORS
    from charter.graph.paths import PathRefused, clean_path
    from charter.graph.schedules import build_trigger

    from .workspace import GENERATORS, create_tables, source_file

    names = vocabulary(team)
    if scenario.start.year > LATEST_START_YEAR:
        raise source.error(
            ("start",),
            f"start {scenario.start.isoformat()}: too late for a run's calendar; "
            f"expected a year up to {LATEST_START_YEAR}",
        )

    def role(location: Location, name: str | None) -> None:
        if name is not None and name not in names.roles:
            raise source.error(location, unknown_name("role", name, names.roles))

    def known(location: Location, what: str, name: str | None, valid: frozenset[str]) -> None:
        if name is not None and name not in valid:
            raise source.error(location, unknown_name(what, name, valid))

    def escalation_trigger(location: Location, name: str | None) -> None:
        # The runtime matches triggers case-insensitively; so does the check.
        if name is not None and name.casefold() not in names.triggers_folded():
            raise source.error(location, unknown_name("escalation trigger", name, names.triggers))

    for index, file_spec in enumerate(scenario.workspace.files):
        where: Location = ("workspace", "files", index)
        try:
            clean_path(file_spec.path)  # the same rules as an agent's write
        except PathRefused as refused:
            raise source.error((*where, "path"), f"path {file_spec.path!r}: {refused}") from None
        if file_spec.source is not None:
            try:
                source_file(source.path.parent, file_spec.source)
            except ValueError as refused:
                raise source.error(
                    (*where, "from"), f"file {file_spec.source!r}: {refused}"
                ) from None
    for key in ("database", "databases"):
        specs = getattr(scenario.workspace, key)
        for index, db in enumerate(specs if isinstance(specs, list) else [specs] if specs else []):
            loc: Location = ("workspace", key, index) if key == "databases" else ("workspace", key)
            if db.tables:
                try:  # built once in memory now, so a bad table fails before any run exists
                    create_tables(Path(":memory:"), db.tables)
                except (ConfigError, sqlite3.Error) as error:
                    raise source.error((*loc, "tables"), f"database {db.name}: {error}") from None
            if db.generate is not None and db.generate not in GENERATORS:
                raise source.error(
                    (*loc, "generate"),
                    f"generator {db.generate!r}: unknown; expected one of "
                    f"{', '.join(sorted(GENERATORS))}",
                )
    scenario_schedules = LoadedScenario(scenario, source, team).schedules()
    for index, (role_name, schedule) in enumerate(scenario_schedules[: len(scenario.schedules)]):
        role(("schedules", index, "role"), role_name)
        spec = scenario.schedules[index]
        if (spec.cron is None) == (spec.interval is None):
            raise source.error(("schedules", index), "give exactly one of 'cron' or 'interval'")
        try:
            trigger = build_trigger(schedule, anchor=scenario.start)
        except ConfigError as error:
            field_name = "cron" if spec.cron is not None else "timezone"
            raise source.error(("schedules", index, field_name), str(error)) from None
        if spec.cron is not None and trigger.get_next_fire_time(None, scenario.start) is None:
            raise source.error(
                ("schedules", index, "cron"),
                f"cron {spec.cron!r} never fires (no such date after the start); "
                "expected a date that exists, e.g. '0 0 28 2 *'",
            )
        if spec.monitor is not None and spec.monitor not in MONITORS:
            raise source.error(
                ("schedules", index, "monitor"),
                f"monitor {spec.monitor!r}: unknown; expected one of {', '.join(sorted(MONITORS))}",
            )
    for role_name, schedule in scenario_schedules[len(scenario.schedules) :]:
        if schedule.monitor is not None and schedule.monitor not in MONITORS:
            raise source.error(
                ("charter_schedules",),
                f"charter of {role_name!r}: schedule {schedule.name!r} names monitor "
                f"{schedule.monitor!r}; expected one of {', '.join(sorted(MONITORS))}",
            )
    previous: datetime | None = None
    for index, step in enumerate(scenario.timeline):
        instant = scenario.instant(step.at)
        if instant < scenario.start:
            raise source.error(
                ("timeline", index, "at"),
                f"time {instant.isoformat()} is before the scenario start "
                f"{scenario.start.isoformat()}; expected a later time",
            )
        if previous is not None and instant < previous:
            raise source.error(
                ("timeline", index, "at"),
                f"time goes backwards: {instant.isoformat()} comes after "
                f"{previous.isoformat()}; expected steps in time order",
            )
        previous = instant
        where = ("timeline", index)
        if step.signal is not None:
            kind = step.signal.kind
            known((*where, "signal", "kind"), "signal kind", kind, names.signal_kinds)
        if step.task is not None:
            role((*where, "task", "to"), step.task.to)
            role((*where, "task", "send_to"), step.task.send_to)
            if step.task.protocol is not None:
                known((*where, "task", "protocol"), "protocol", step.task.protocol, names.protocols)
        if step.decide is not None:
            escalation_trigger((*where, "decide", "trigger"), step.decide.trigger)
        if step.ai_usage is not None:
            role((*where, "ai_usage", "role"), step.ai_usage.role)
        if step.fault is not None and step.fault.brain is not None:
            role((*where, "fault", "brain", "role"), step.fault.brain.role)
    for index, expectation in enumerate(scenario.expect):
        _check_expectation(expectation, ("expect", index), role, known, escalation_trigger, names)


NameCheck = Callable[[Location, str | None], None]


def _check_expectation(
    expectation: Expectation,
    where: Location,
    role: NameCheck,
    known: Callable[[Location, str, str | None, frozenset[str]], None],
    trigger: NameCheck,
    names: Vocabulary,
) -> None:
    """Every name an expectation holds, checked where it stands in the file: a misspelt
    name in a negative check (`max: 0`, `no_message`) would otherwise always pass."""
    name, check = expectation.check
    at: Location = (*where, name)
    # attribute -> the key the file spells it with
    for attr, key in (("source", "from"), ("sender", "from"), ("to", "to"), ("role", "role")):
        value = getattr(check, attr, None)
        if isinstance(value, str):
            role((*at, key), value)
    if isinstance(getattr(check, "agent", None), str):
        role((*at, "agent"), check.agent)
    if isinstance(check, (EscalationExpect, PausedExpect)):
        trigger((*at, "trigger"), check.trigger)
    if isinstance(check, MessageExpect):
        known((*at, "protocol"), "protocol", check.protocol, names.protocols)
    if isinstance(check, CountExpect):
        if name == "signal":
            known((*at, "kind"), "signal kind", check.kind, names.signal_kinds)
        else:
            known((*at, "kind"), "event kind", check.kind, names.event_kinds)


__all__ = ["LoadedScenario", "load_scenario"]
