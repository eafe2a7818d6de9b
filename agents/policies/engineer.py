"""The Engineer's rule policy: writes application code in its own areas for a task and
answers the Data agent's data-access, API-model and caching requests."""

from __future__ import annotations

from collections.abc import Sequence

from charter.protocols import Action, AgentView, WriteFile

from ._common import area_path, current_message, reply, report, slug


class EngineerBrain:
    def decide(self, view: AgentView) -> Sequence[Action]:
        message = current_message(view)
        if message is not None and message.recipient == view.role and message.kind == "request":
            if view.step > 0:  # answered in the first step of this turn
                return []
            payload = message.payload
            notes = {
                "data_access_layer": f"repository for {', '.join(payload.get('entities', []))}",
                "api_data_model": f"model {payload.get('model', '')} mapped",
                "caching_strategy": f"cache {payload.get('dataset', '')} "
                f"ttl {payload.get('ttl_seconds', 0)}s",
            }.get(message.protocol, message.protocol)
            return [reply(message, {"approved": True, "subject": message.protocol, "notes": notes})]
        if view.task is None:
            return []
        if view.step == 0:
            path = (
                str(view.task.inputs["path"])
                if "path" in view.task.inputs
                else area_path(view.charter, f"{slug(view.task.title)}.py")
            )
            if path is None:
                return [report(view, "blocked", "no writable area for application code")]
            body = f'"""{view.task.title}"""\n\n# {view.task.task}\n'
            return [WriteFile(path=path, content=body, reason=view.task.title)]
        if view.denials:
            return (
                [report(view, "blocked", "write refused", issues=[d.reason for d in view.denials])]
                if view.step == 1
                else []
            )
        return [report(view, "success", f"implemented {view.task.title}")] if view.step == 1 else []


__all__ = ["EngineerBrain"]
