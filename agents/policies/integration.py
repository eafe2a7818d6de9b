"""Integration's rule policy: acknowledges data synchronisation, contract and ETL
coordination requests, and writes connectors in its own areas for a task."""

from __future__ import annotations

from collections.abc import Sequence

from charter.protocols import Action, AgentView, WriteFile

from ._common import area_path, current_message, reply, report, slug


class IntegrationBrain:
    def decide(self, view: AgentView) -> Sequence[Action]:
        message = current_message(view)
        if message is not None and message.recipient == view.role and message.kind == "request":
            if view.step > 0:  # answered in the first step of this turn
                return []
            if message.protocol in ("data_sync", "etl_coordination"):
                target = message.payload.get("pipeline") or message.payload.get("target", "")
                return [reply(message, {"accepted": True, "notes": f"{target} scheduled"})]
            return [
                reply(
                    message,
                    {"approved": True, "subject": message.protocol, "notes": "contract registered"},
                )
            ]
        if view.task is None:
            return []
        if view.step == 0:
            path = area_path(view.charter, f"{slug(view.task.title)}.yaml")
            if path is None:
                return [report(view, "blocked", "no writable area for connectors")]
            return [WriteFile(path=path, content=f"# {view.task.task}\n", reason="connector")]
        if view.step == 1:
            status = "blocked" if view.denials else "success"
            return [report(view, status, view.task.title, issues=[d.reason for d in view.denials])]
        return []


__all__ = ["IntegrationBrain"]
