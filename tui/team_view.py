"""The Team view: the coordination topology — roles, the protocols each pair may use, and
how many messages went each way (in all and among the most recent)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from .model import RunModel
from .safe_text import plain


class TeamView(DataTable[Text]):
    """One row per declared partnership (requester -> responder) and per observed pair."""

    DEFAULT_CSS = "TeamView { height: 1fr; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row")
        self.add_columns("from", "to", "protocols", "messages", "recent")

    def refresh_from(self, model: RunModel) -> None:
        totals: dict[tuple[str, str], int] = {}
        for (sender, recipient, _), count in model.message_counts.items():
            totals[(sender, recipient)] = totals.get((sender, recipient), 0) + count
        recent: dict[tuple[str, str], int] = {}
        for (sender, recipient, _), count in model.recent_counts().items():
            recent[(sender, recipient)] = recent.get((sender, recipient), 0) + count
        pairs: dict[tuple[str, str], list[str]] = {}
        if model.team is not None:
            for role, charter in model.team.roles.items():
                for partner in charter.coordination:
                    if partner.protocols:
                        pairs.setdefault((role, partner.role), []).extend(partner.protocols)
        for sender, recipient, protocol in model.message_counts:
            used = pairs.setdefault((sender, recipient), [])
            if protocol not in used:
                used.append(protocol)
        self.clear()
        for (sender, recipient), protocols in sorted(pairs.items()):
            total = totals.get((sender, recipient), 0)
            self.add_row(
                plain(sender, style="bold"),
                plain(recipient, style="bold"),
                plain(", ".join(protocols)),
                plain(str(total), style="bold" if total else "dim"),
                plain(str(recent.get((sender, recipient), 0))),
            )


__all__ = ["TeamView"]
