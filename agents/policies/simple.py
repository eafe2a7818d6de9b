"""QA, Ops and Documentation: a task becomes one file in the role's own area and a report.
Enough for routing, authorities and reports to mean something for every role."""

from __future__ import annotations

from collections.abc import Sequence

from charter.protocols import Action, AgentView, WriteFile

from ._common import area_path, report, slug

_SUFFIX = {"qa": "test_{}.py", "ops": "{}.yaml", "documentation": "{}.md"}


class AreaWriterBrain:
    """Writes the task's note into the role's first directory area, then reports."""

    def __init__(self, pattern: str = "{}.md") -> None:
        self._pattern = pattern

    def decide(self, view: AgentView) -> Sequence[Action]:
        if view.task is None:
            return []
        if view.step == 0:
            path = area_path(view.charter, self._pattern.format(slug(view.task.title)))
            if path is None:
                return [report(view, "blocked", "no writable area")]
            return [WriteFile(path=path, content=f"# {view.task.title}\n\n{view.task.task}\n")]
        if view.step == 1:
            status = "blocked" if view.denials else "success"
            return [report(view, status, view.task.title, issues=[d.reason for d in view.denials])]
        return []


def simple_brain(role: str) -> AreaWriterBrain:
    return AreaWriterBrain(_SUFFIX.get(role, "{}.md"))


__all__ = ["AreaWriterBrain", "simple_brain"]
