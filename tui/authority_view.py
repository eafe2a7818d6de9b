"""The Authority view: recent authority decisions and violations; Enter shows the full
explanation (the text `charter authority explain` prints)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static

from charter.protocols import AuthorityDecision

from .model import RunModel
from .safe_text import plain


class AuthorityView(Vertical):
    DEFAULT_CSS = """
    AuthorityView { height: 1fr; }
    AuthorityView > DataTable { height: 1fr; }
    AuthorityView > #authority-explanation-box { height: auto; max-height: 12;
        border-top: solid $primary; padding: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("v", "toggle_violations", "Violations only"),
        Binding("enter", "explain", "Explain", show=False),
    ]

    class ExplainRequested(Message):
        """The user asked why a decision went the way it did."""

        def __init__(self, decision: AuthorityDecision) -> None:
            self.decision = decision
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.violations_only = False
        self._rows: list[AuthorityDecision] = []
        self._model: RunModel | None = None

    def compose(self) -> ComposeResult:
        table: DataTable[Text] = DataTable(cursor_type="row", id="authority-table")
        table.add_columns("verdict", "role", "path", "rule", "owner", "reason")
        yield table
        with VerticalScroll(id="authority-explanation-box"):
            yield Static(
                "Select a decision and press Enter for its explanation.", id="authority-explanation"
            )

    def refresh_from(self, model: RunModel) -> None:
        self._model = model
        rows = model.latest_decisions()
        if self.violations_only:
            rows = [d for d in rows if not d.allowed]
        if rows == self._rows:
            return
        self._rows = rows
        table: DataTable[Text] = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for decision in rows:
            table.add_row(
                plain("allowed", style="green")
                if decision.allowed
                else plain("DENIED", style="bold red"),
                plain(decision.role, style="bold"),
                plain(decision.requested_path),
                plain(decision.rule),
                plain(decision.owner or "-"),
                plain(decision.reason),
            )
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))

    def selected(self) -> AuthorityDecision | None:
        row = self.query_one(DataTable).cursor_row
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def show_explanation(self, text: str) -> None:
        self.query_one("#authority-explanation", Static).update(plain(text, multiline=True))

    def action_toggle_violations(self) -> None:
        self.violations_only = not self.violations_only
        self._rows = []  # force a rebuild
        if self._model is not None:
            self.refresh_from(self._model)
        self.notify("Showing violations only." if self.violations_only else "Showing all.")

    def action_explain(self) -> None:
        decision = self.selected()
        if decision is not None:
            self.post_message(self.ExplainRequested(decision))

    def on_data_table_row_selected(self, _: DataTable.RowSelected) -> None:
        self.action_explain()


__all__ = ["AuthorityView"]
