"""The Team view: the coordination topology as a picture of who talks to whom, with the
message count on each edge, above the table of every declared partnership (requester ->
responder), its protocols and message counts (in all and among the most recent)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from .model import RunModel
from .safe_text import plain


@dataclass(frozen=True)
class Edge:
    sender: str
    recipient: str
    protocols: tuple[str, ...]  # declared, then any other seen in use
    total: int
    recent: int
    used: tuple[tuple[str, int], ...] = ()  # (protocol, messages), busiest first


def edges(model: RunModel) -> list[Edge]:
    """Every declared partnership and every pair seen talking, sorted by sender."""
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
    by_protocol: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for (sender, recipient, protocol), count in model.message_counts.items():
        by_protocol.setdefault((sender, recipient), []).append((protocol, count))
    return [
        Edge(
            s,
            r,
            tuple(p),
            totals.get((s, r), 0),
            recent.get((s, r), 0),
            tuple(sorted(by_protocol.get((s, r), []), key=lambda pc: (-pc[1], pc[0]))),
        )
        for (s, r), p in sorted(pairs.items())
    ]


def picture(all_edges: list[Edge], *, show_silent: bool = False) -> Text:
    """Each role that sent messages, with a branch per partner it talked to:

        data ─┬─ 12 ─▶ architect  schema_review 12
              └─  3 ─▶ security   data_security_review 3

    Edges without messages are left out (the table lists them) unless `show_silent`."""
    by_sender: dict[str, list[Edge]] = {}
    for edge in all_edges:
        if edge.total or show_silent:
            by_sender.setdefault(edge.sender, []).append(edge)
    if not by_sender:
        return Text("No messages yet: nobody has talked to anybody.", style="dim")
    name_width = max(len(s) for s in by_sender)
    count_width = max(len(str(e.total)) for es in by_sender.values() for e in es)
    target_width = max(len(e.recipient) for es in by_sender.values() for e in es)
    top = max(e.total for es in by_sender.values() for e in es) or 1
    out = Text()
    for sender, sent in sorted(by_sender.items(), key=lambda kv: -sum(e.total for e in kv[1])):
        sent.sort(key=lambda e: (-e.total, e.recipient))
        for index, edge in enumerate(sent):
            first, last = index == 0, index == len(sent) - 1
            if first:
                out.append_text(plain(sender.rjust(name_width), style="bold"))
                out.append(" ─" + ("─" if len(sent) == 1 else "┬") + "─ ")
            else:
                out.append(" " * name_width + "  " + ("└" if last else "├") + "─ ")
            # heavier edges read heavier: bold for the busiest third
            weight = "bold" if edge.total * 3 >= top * 2 else ""
            out.append(str(edge.total).rjust(count_width), style=weight or "dim")
            out.append(" ─▶ ", style=weight)
            out.append_text(plain(edge.recipient.ljust(target_width), style="bold"))
            protocols = ", ".join(
                f"{p} {n}" if len(edge.used) > 1 else p for p, n in edge.used
            ) or ", ".join(edge.protocols)
            out.append_text(plain("  " + protocols, style="dim"))
            out.append("\n")
    out.rstrip()
    out.no_wrap, out.overflow = True, "ellipsis"  # a long protocol list is cut, not wrapped
    return out


class TeamView(Vertical):
    """The picture above, the table below; both from the same edges."""

    DEFAULT_CSS = """
    TeamView { height: 1fr; }
    TeamView > #team-picture-box { height: auto; max-height: 50%;
        border-bottom: solid $primary; }
    TeamView #team-picture { height: auto; padding: 0 1; }
    TeamView > DataTable { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.edges: list[Edge] = []

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="team-picture-box"):
            yield Static("", id="team-picture")
        table: DataTable[Text] = DataTable(cursor_type="row", id="team-table")
        table.add_columns("from", "to", "protocols", "messages", "recent")
        yield table

    def refresh_from(self, model: RunModel) -> None:
        current = edges(model)
        if current == self.edges and self.edges:
            return
        self.edges = current
        self.query_one("#team-picture", Static).update(picture(current))
        table: DataTable[Text] = self.query_one("#team-table", DataTable)
        table.clear()
        for edge in current:
            table.add_row(
                plain(edge.sender, style="bold"),
                plain(edge.recipient, style="bold"),
                plain(", ".join(edge.protocols)),
                plain(str(edge.total), style="bold" if edge.total else "dim"),
                plain(str(edge.recent)),
            )


__all__ = ["Edge", "TeamView", "edges", "picture"]
