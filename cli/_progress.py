"""Progress bars for commands that can take more than a second.

One look everywhere: a rich bar on stderr (stdout keeps the report, and with `--json` the
one JSON document), drawn only when stderr is a terminal and `--json` is off, so pipes,
CI logs and scripts see nothing of it. The bar is transient: it is gone when the command
prints its result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

# (what is being done, done, total): the shape every long operation reports in
Report = Callable[[str, int, int], None]


def bar_wanted(as_json: bool) -> bool:
    """Whether a bar would be drawn: a terminal on stderr and no `--json`."""
    from rich.console import Console

    return not as_json and Console(stderr=True).is_terminal


@contextmanager
def progress_bar(label: str, *, as_json: bool) -> Iterator[Report]:
    """`with progress_bar("profile", as_json=...) as report: work(progress=report)`."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(stderr=True)
    with Progress(
        TextColumn(f"[bold]{label}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
        transient=True,
        disable=not bar_wanted(as_json),
    ) as bar:
        task = bar.add_task("", total=None)

        def report(what: str, done: int, total: int) -> None:
            bar.update(task, description=what, completed=done, total=total)

        yield report


__all__ = ["Report", "bar_wanted", "progress_bar"]
