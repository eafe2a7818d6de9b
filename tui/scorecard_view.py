"""The Scorecard view: the Data agent's success metrics against their targets, each with a
sparkline of the series reported for it (by monitors' tool results and agents' reports)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label, Sparkline, Static

from .model import MetricState, RunModel
from .safe_text import plain


def _format(value: float | None, unit: str) -> str:
    if value is None:
        return "no data"
    text = f"{value:.4g}"
    return f"{text} {unit}".rstrip()


class _MetricRow(Horizontal):
    DEFAULT_CSS = """
    _MetricRow { height: 1; }
    _MetricRow > .name { width: 32; }
    _MetricRow > .value { width: 14; }
    _MetricRow > .target { width: 12; }
    _MetricRow > .status { width: 6; }
    _MetricRow > .met { color: $success; text-style: bold; }
    _MetricRow > .missed { color: $error; text-style: bold; }
    _MetricRow > Sparkline { width: 1fr; min-width: 8; }
    """

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
        yield Sparkline([], summary_function=max)

    def update_from(self, state: MetricState) -> None:
        self.state = state
        self.query_one(".value", Label).update(plain(_format(state.value, state.metric.unit)))
        status = self.query_one(".status", Label)
        status.set_classes("status " + {True: "met", False: "missed", None: ""}[state.met])
        status.update({True: "met", False: "MISS", None: "-"}[state.met])
        self.query_one(Sparkline).data = list(state.series)[-60:]


class ScorecardView(VerticalScroll):
    DEFAULT_CSS = "ScorecardView { height: 1fr; }"

    def __init__(self, model: RunModel, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._model = model

    def compose(self) -> ComposeResult:
        if not self._model.metrics:
            yield Static("This team has no Data agent success metrics.")
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
