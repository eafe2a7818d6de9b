"""A sweep's report: PNG plots (matplotlib, no display needed), an HTML page showing them
with the summary table, and the same table for the terminal (rich)."""

from __future__ import annotations

import html
from collections import defaultdict
from pathlib import Path
from statistics import median
from typing import TYPE_CHECKING, Any

from .sweep_row import Row

if TYPE_CHECKING:
    from matplotlib.figure import Figure

TITLES = {
    "pass_rate": "Pass rate per scenario and variant",
    "escalations": "Escalations per cell",
    "decision_latency": "Time to PM decision",
}


def _groups(rows: list[Row]) -> dict[tuple[str, str], list[Row]]:
    groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        groups[(str(row["scenario"]), str(row["variant"]))].append(row)
    return dict(sorted(groups.items()))


def _num(value: Any) -> float:
    return float(value)


def summary(rows: list[Row]) -> list[dict[str, Any]]:
    """One line per (scenario, variant): cells, pass rate and the means a reader compares."""
    lines = []
    for (scenario, variant), group in _groups(rows).items():
        latencies = [
            _num(r["decision_latency_s"]) for r in group if r["decision_latency_s"] is not None
        ]
        costs = [_num(r["llm_cost_usd"]) for r in group if r["llm_cost_usd"] is not None]
        lines.append(
            {
                "scenario": scenario,
                "variant": variant,
                "cells": len(group),
                "pass_rate": sum(_num(r["passed"]) for r in group) / len(group),
                "escalations": sum(_num(r["escalations"]) for r in group) / len(group),
                "latency_median_s": median(latencies) if latencies else None,
                "denied_writes": sum(_num(r["denied_writes"]) for r in group) / len(group),
                "messages": sum(_num(r["messages"]) for r in group) / len(group),
                "llm_cost_usd": sum(costs) if costs else None,
            }
        )
    return lines


def figures(rows: list[Row]) -> dict[str, Figure]:
    """The report's plots as figure objects (tests read their titles and labels)."""
    from matplotlib.figure import Figure

    groups = _groups(rows)
    names = [f"{s}\n{v}" for s, v in groups]
    result: dict[str, Figure] = {}

    fig = Figure(figsize=(max(6.0, 1.2 * len(names)), 4.5), layout="constrained")
    ax = fig.add_subplot()
    rates = [sum(_num(r["passed"]) for r in g) / len(g) for g in groups.values()]
    ax.bar(range(len(names)), rates, color="tab:green")
    ax.set_xticks(range(len(names)), names, rotation=30, ha="right", fontsize=7)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("pass rate")
    ax.set_xlabel("scenario / variant")
    ax.set_title(TITLES["pass_rate"])
    result["pass_rate"] = fig

    for key, column, xlabel in (
        ("escalations", "escalations", "escalations in one cell"),
        (
            "decision_latency",
            "decision_latency_s",
            "seconds from escalation to PM decision (mean per cell)",
        ),
    ):
        fig = Figure(figsize=(max(6.0, 1.2 * len(names)), 4.5), layout="constrained")
        ax = fig.add_subplot()
        data = [[_num(r[column]) for r in g if r[column] is not None] for g in groups.values()]
        shown = [(n, d) for n, d in zip(names, data, strict=True) if d]
        if shown:
            ax.boxplot([d for _, d in shown], orientation="horizontal")
            ax.set_yticks(range(1, len(shown) + 1), [n for n, _ in shown], fontsize=7)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("scenario / variant")
        ax.set_title(TITLES[key])
        result[key] = fig
    return result


def write_report(rows: list[Row], out: Path) -> Path:
    """`report.html` and its PNGs under `out/report/`; the page's path."""
    folder = out / "report"
    folder.mkdir(parents=True, exist_ok=True)
    images = []
    for key, fig in figures(rows).items():
        fig.savefig(folder / f"{key}.png", dpi=100)
        images.append(key)
    head = "".join(f"<th>{html.escape(k)}</th>" for k in _SUMMARY_COLUMNS)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape(_cell(line[k]))}</td>" for k in _SUMMARY_COLUMNS)
        + "</tr>"
        for line in summary(rows)
    )
    pictures = "".join(
        f'<h2>{html.escape(TITLES[k])}</h2><img src="{k}.png" alt="{html.escape(TITLES[k])}">'
        for k in images
    )
    page = folder / "index.html"
    page.write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>Charter sweep</title>"
        "<style>body{font-family:sans-serif}td,th{padding:2px 8px;text-align:right}</style>"
        f"</head><body><h1>Charter sweep: {len(rows)} cells</h1>"
        f"<table><tr>{head}</tr>{body}</table>{pictures}</body></html>",
        encoding="utf-8",
    )
    return page


_SUMMARY_COLUMNS = (
    "scenario",
    "variant",
    "cells",
    "pass_rate",
    "escalations",
    "latency_median_s",
    "denied_writes",
    "messages",
    "llm_cost_usd",
)


_HEADERS = (
    "scenario",
    "variant",
    "cells",
    "pass",
    "esc",
    "decide s",
    "denied",
    "msgs",
    "LLM $",
)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def print_summary(rows: list[Row], console: Any) -> None:
    from rich.table import Table

    table = Table(
        title=f"sweep: {len(rows)} cells",
        caption="pass: pass rate; esc, denied, msgs: means per cell; decide s: median",
    )
    for index, name in enumerate(_HEADERS):
        # numbers keep their header readable; a narrow terminal folds the names instead
        table.add_column(name, overflow="fold", min_width=None if index < 2 else len(name))
    for line in summary(rows):
        table.add_row(*(_cell(line[k]) for k in _SUMMARY_COLUMNS))
    console.print(table)


__all__ = ["TITLES", "figures", "print_summary", "summary", "write_report"]
