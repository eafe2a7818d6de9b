"""The names a scenario may use, and a did-you-mean for the ones it gets wrong.

A scenario that misspells a name in a *negative* check (`no_message: {protocol: shcema_review}`,
`signal: {kind: pipline_failed, max: 0}`) would otherwise pass for ever, because nothing of
that name can ever happen. So every name is checked at load against the vocabulary the run
itself uses: the team's roles and escalation triggers, the coordination protocols, the
event kinds of the run store and the shared signal vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from difflib import get_close_matches
from typing import get_args

from charter.protocols import Team


@dataclass(frozen=True)
class Vocabulary:
    """Every name a scenario may use, per kind (a kind is what the error calls it)."""

    roles: frozenset[str]
    triggers: frozenset[str]  # compared case-insensitively, as the runtime does
    protocols: frozenset[str]
    event_kinds: frozenset[str]
    signal_kinds: frozenset[str]

    def triggers_folded(self) -> dict[str, str]:
        return {name.casefold(): name for name in self.triggers}


def event_kinds() -> frozenset[str]:
    """The `kind` literal of every event type the run store holds."""
    from charter.protocols.events import Event

    union = get_args(Event)[0]  # Annotated[Union[...], Field(discriminator)]
    kinds: set[str] = set()
    for model in get_args(union):
        kinds.update(get_args(model.model_fields["kind"].annotation))
    return frozenset(kinds)


def vocabulary(team: Team) -> Vocabulary:
    from charter.agents.brains.claude import OVERRUN_TRIGGER
    from charter.agents.coordination import PROTOCOLS
    from charter.agents.team import SIGNAL_KINDS
    from charter.graph.escalation import SYSTEM_TRIGGERS

    triggers = {t.name for c in team.roles.values() for t in c.escalation.all_triggers()}
    # Raised by the runtime itself, not by a charter's table (budgets, dead letters, the
    # Claude brain's spending guard).
    triggers.update(SYSTEM_TRIGGERS)
    triggers.add(OVERRUN_TRIGGER)
    return Vocabulary(
        roles=frozenset(team.roles),
        triggers=frozenset(triggers),
        protocols=frozenset(PROTOCOLS),
        event_kinds=event_kinds(),
        signal_kinds=SIGNAL_KINDS,
    )


def unknown_name(what: str, name: str, valid: Iterable[str]) -> str:
    """`unknown protocol 'shcema_review' (did you mean 'schema_review'?); expected one of ...`"""
    choices = sorted(valid)
    close = get_close_matches(name, choices, n=1, cutoff=0.6)
    if not close:  # triggers are title case: compare them folded too
        folded = {c.casefold(): c for c in choices}
        close = [folded[m] for m in get_close_matches(name.casefold(), list(folded), n=1)]
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown {what} {name!r}{hint}; expected one of {', '.join(choices)}"


__all__ = ["Vocabulary", "event_kinds", "unknown_name", "vocabulary"]
