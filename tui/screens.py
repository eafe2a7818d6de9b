"""Modal screens: the help screen, the decision note, an event's payload, and the scenario
picker shown by `charter tui` alone."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Header, Input, Label, ListItem, ListView, Static

from charter.protocols import DecisionVerdict, Escalation

from .safe_text import plain, plain_lines

# (key, what it does, where it applies) — the help screen lists every key.
KEYS: list[tuple[str, str, str]] = [
    (
        "1-7",
        "switch view: agents, timeline, escalations, memory, authority, scorecard, team",
        "everywhere",
    ),
    ("tab / shift+tab", "move focus", "everywhere"),
    ("space", "pause / resume a live run", "live run"),
    ("s", "single step (pauses first)", "live run"),
    ("+ / -", "simulation speed up / down", "live run"),
    ("e", "jump to the next open escalation", "everywhere"),
    ("a", "approve the selected escalation (asks for a note)", "escalations"),
    ("d", "deny the selected escalation (asks for a note)", "escalations"),
    ("i", "ask for more information (asks for a note)", "escalations"),
    ("k", "acknowledge the selected escalation (stops its re-escalation)", "escalations"),
    ("up / down / pageup / pagedown", "move the cursor", "lists"),
    ("home / end", "first / last event (end follows new events)", "timeline"),
    ("enter", "show the selected event's full payload", "timeline"),
    ("n", "newest first / oldest first", "timeline"),
    ("f", "edit the timeline filters", "timeline"),
    ("x", "clear the timeline filters", "timeline"),
    ("/", "type a memory search (Enter runs it, Escape leaves it)", "memory"),
    ("enter", "explain the selected authority decision", "authority"),
    ("v", "violations only / all decisions", "authority"),
    ("t", "toggle dark / light theme", "everywhere"),
    ("?", "this help", "everywhere"),
    ("ctrl+p", "command palette: views and actions by name", "everywhere"),
    ("ctrl+s", "save a screenshot (SVG) in the run directory", "everywhere"),
    ("escape", "close a dialog", "dialogs"),
    ("q", "quit", "everywhere"),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "dismiss", "Close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; max-width: 100; height: 90%;
        border: thick $primary; background: $surface; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        text = Text()
        text.append("Charter TUI keys\n\n", style="bold")
        for key, what, where in KEYS:
            text.append(f"{key:<24}", style="bold")
            text.append(f"{what}")
            text.append(f"  ({where})\n", style="dim")
        with VerticalScroll():
            yield Static(text, id="help-text")


_PROMPTS = {
    "approve": ("note (Enter to approve)", "why"),
    "deny": ("note (Enter to deny)", "why"),
    "needs_info": ("question for {source} (Enter to ask; the escalation stays open)", "what?"),
}


class NoteScreen(ModalScreen[str | None]):
    """Asks for the note that goes with a decision, showing what is being decided (the
    escalation's summary and evidence); for needs-info the note is the question to the
    agent and may not be empty. Enter confirms, Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    NoteScreen { align: center middle; }
    NoteScreen > Vertical { width: 90; max-width: 95%; height: auto; max-height: 90%;
        border: thick $accent; background: $surface; padding: 0 1; }
    NoteScreen #decision-about { height: auto; max-height: 12; margin-bottom: 1; }
    """

    def __init__(self, escalation: Escalation, verdict: DecisionVerdict) -> None:
        super().__init__()
        self.escalation = escalation
        self.verdict = verdict

    def compose(self) -> ComposeResult:
        esc = self.escalation
        prompt, placeholder = _PROMPTS[self.verdict]
        # run text through `plain` piece by piece: a summary is never markup
        about = Text.assemble(
            plain(f"{self.verdict} {esc.id}", style="bold"),
            plain(f"  [{esc.severity}] {esc.trigger} from {esc.source}"),
            "\n",
            plain_lines([esc.summary, *(f"  evidence: {item}" for item in esc.evidence)]),
        )
        with Vertical():
            yield Static(about, id="decision-about")
            yield Label(plain(prompt.format(source=esc.source)))
            yield Input(placeholder=placeholder, id="decision-note")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.verdict == "needs_info" and not event.value.strip():
            self.notify("Type the question for the agent first.", severity="warning")
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PayloadScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,enter", "close", "Close")]
    DEFAULT_CSS = """
    PayloadScreen { align: center middle; }
    PayloadScreen > VerticalScroll { width: 95%; height: 90%; border: thick $primary;
        background: $surface; padding: 0 1; }
    """

    def __init__(self, title: str, payload: str) -> None:
        super().__init__()
        self.title_text = title
        self.payload = payload

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Label(plain(self.title_text))
            yield Static(plain(self.payload, multiline=True), id="payload")

    def action_close(self) -> None:
        self.dismiss(None)


class PickerScreen(Screen[Path]):
    """The scenario library: pick one to run it live."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "app.quit", "Quit")]

    def __init__(self, scenarios: Sequence[Path]) -> None:
        super().__init__()
        self.scenarios = list(scenarios)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(
            "Pick a scenario to run (Enter):"
            if self.scenarios
            else "The scenario library is empty."
        )
        yield ListView(
            *[ListItem(Label(plain(path.stem)), name=str(path)) for path in self.scenarios],
            id="scenario-list",
        )
        yield Footer()

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        if event.item.name is not None:
            self.dismiss(Path(event.item.name))


__all__ = ["KEYS", "HelpScreen", "NoteScreen", "PayloadScreen", "PickerScreen"]
