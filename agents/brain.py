"""The Brain interface and the public scripted fake.

A brain only proposes actions; the gate decides what happens. Whatever brain drives an
agent (rules, Claude, a script), it gets an `AgentView` and returns actions — it has no
other way to touch the world.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, runtime_checkable

from charter.protocols import Action, AgentView


@runtime_checkable
class Brain(Protocol):
    def decide(self, view: AgentView) -> Sequence[Action]:
        """The actions this agent proposes now. An empty sequence ends the turn."""
        ...


ScriptStep = Sequence[Action] | Callable[[AgentView], Sequence[Action]]


class ScriptedBrain:
    """A brain for tests and users: a list of steps (each a list of actions, or a function
    of the view), played one step per call; a plain function plays on every call.

    >>> ScriptedBrain([[WriteFile(path="etl/x.py", content="...")]])
    """

    def __init__(self, script: Iterable[ScriptStep] | Callable[[AgentView], Sequence[Action]]):
        self._function: Callable[[AgentView], Sequence[Action]] | None = None
        self._steps: list[ScriptStep] = []
        if callable(script):
            self._function = script
        else:
            self._steps = list(script)
        self.calls: list[AgentView] = []

    def decide(self, view: AgentView) -> Sequence[Action]:
        self.calls.append(view)
        if self._function is not None:
            return list(self._function(view))
        if not self._steps:
            return []
        step = self._steps.pop(0)
        return list(step(view)) if callable(step) else list(step)


__all__ = ["Brain", "ScriptStep", "ScriptedBrain"]
