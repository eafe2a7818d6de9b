"""The Scorecard view: the Data agent's success metrics against their targets, under a
header row: the latest value, the target, met or missed, the trend (the latest value
against the mean of the few before it, coloured by whether it moves toward the target)
and a sparkline of the series reported (by monitors' tool results and agents' reports).
A metric nobody has reported yet shows blanks, not a flat bar."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label, Sparkline, Static

from .model import MetricState, RunModel
from .safe_text import plain

_TREND_WINDOW = 5  # the latest value is compared with the mean of this many before it


def _format(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    text = f"{value:.4g}"
    return f"{text} {unit}".rstrip()


def trend(state: MetricState) -> Text:
    """An arrow for the latest move (blank with fewer than two points), green when it goes
    toward the target, red when away, dim when flat (within 1%)."""
    series = list(state.series)
    if len(series) < 2:
        return Text("")
    before = series[-1 - _TREND_WINDOW : -1]
    reference = sum(before) / len(before)
    latest = series[-1]
    if abs(latest - reference) <= 0.01 * max(abs(reference), 1e-9):
        return Text("→ flat", style="dim")
    up = latest > reference
    wants_up = state.metric.comparison in (">", ">=")
    good = up == wants_up
    return Text(
        ("↑ " if up else "↓ ") + ("better" if good else "worse"),
        style="green" if good else "red",
    )


_ROW_CSS = """
    {row} {{ height: 1; }}
    {row} > .name {{ width: 1fr; min-width: 17; max-width: 34; padding-right: 1; }}
    {row} > .value {{ width: 12; }}
    {row} > .target {{ width: 11; }}
    {row} > .status {{ width: 5; }}
    {row} > .trend {{ width: 9; }}
    {row} > .history {{ width: 2fr; min-width: 8; }}
"""


class _HeaderRow(Horizontal):
    DEFAULT_CSS = (
        _ROW_CSS.format(row="_HeaderRow")
        + "_HeaderRow { text-style: bold; color: $text-muted; border-bottom: solid $primary;"
        " height: 2; }"
    )

    def compose(self) -> ComposeResult:
        for title, classes in (
            ("metric", "name"),
            ("latest", "value"),
            ("target", "target"),
            ("met", "status"),
            ("trend", "trend"),
            ("history (latest 60)", "history"),
        ):
            yield Label(title, classes=classes)


class _MetricRow(Horizontal):
    DEFAULT_CSS = (
        _ROW_CSS.format(row="_MetricRow")
        + """
    _MetricRow > .met { color: $success; text-style: bold; }
    _MetricRow > .missed { color: $error; text-style: bold; }
    _MetricRow > .no-data { color: $text-muted; }
    """
    )

    def __init__(self, state: MetricState) -> None:
        super().__init__(id=f"metric-{state.metric.key}")
        self.state = state

    def compose(self) -> ComposeResult:
        metric = self.state.metric
        yield Label(plain(metric.name), classes="name")  # charter text: never markup
        yield Label("", classes="value")
        yield Label(
            plain(f"{metric.comparison} {_format(metric.target, metric.unit)}"), classes="target"
        )
        yield Label("", classes="status")
        yield Label("", classes="trend")
        yield Sparkline([], summary_function=max, classes="history")
        yield Label("no data yet", classes="history no-data")

    def update_from(self, state: MetricState) -> None:
        self.state = state
        self.query_one(".value", Label).update(plain(_format(state.value, state.metric.unit)))
        status = self.query_one(".status", Label)
        status.set_classes("status " + {True: "met", False: "missed", None: ""}[state.met])
        status.update({True: "met", False: "MISS", None: ""}[state.met])
        self.query_one(".trend", Label).update(trend(state))
        # no data: a blank history, never a flat bar that reads like a steady zero
        has_data = bool(state.series)
        sparkline = self.query_one(Sparkline)
        sparkline.display = has_data
        self.query_one(".no-data", Label).display = not has_data
        if has_data:
            sparkline.data = list(state.series)[-60:]


class ScorecardView(VerticalScroll):
    DEFAULT_CSS = "ScorecardView { height: 1fr; }"

    def __init__(self, model: RunModel, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._model = model

    def compose(self) -> ComposeResult:
        if not self._model.metrics:
            yield Static("This team has no Data agent success metrics.")
            return
        yield _HeaderRow()
        for state in self._model.metrics.values():
            yield _MetricRow(state)

    async def set_model(self, model: RunModel) -> None:
        """The team arrived (or changed): rebuild the rows."""
        self._model = model
        await self.recompose()
        self.refresh_from(model)

    def refresh_from(self, model: RunModel) -> None:
        for row in self.query(_MetricRow):
            state = model.metrics.get(row.state.metric.key)
            if state is not None:
                row.update_from(state)


__all__ = ["ScorecardView"]
