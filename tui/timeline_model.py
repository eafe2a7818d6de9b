"""Rows of the timeline, fetched a page at a time.

A 100,000-event run never becomes 100,000 widgets or even 100,000 parsed events: the
unfiltered view maps row i to sequence number i+1 (the store's numbers have no gaps) and
fetches only the pages the screen shows, keeping a small LRU cache. A filtered view keeps
the matching rows' compact form (strings, not events).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from charter.protocols import Event

from .model import event_severity, summarise
from .source import EventSource

PAGE = 200
_MAX_PAGES = 64


@dataclass(frozen=True)
class Row:
    seq: int
    at: str  # HH:MM:SS on the run clock
    agent: str
    kind: str
    severity: str | None
    summary: str


@dataclass(frozen=True)
class TimelineFilter:
    agent: str | None = None
    kinds: frozenset[str] | None = None
    severity: str | None = None

    @property
    def active(self) -> bool:
        return self.agent is not None or self.kinds is not None or self.severity is not None


def to_row(seq: int, event: Event, severity: str | None = None) -> Row:
    return Row(
        seq=seq,
        at=event.at.strftime("%H:%M:%S"),
        agent=event.agent or "-",
        kind=event.kind,
        severity=severity if severity is not None else event_severity(event),
        summary=summarise(event).replace("\n", " "),
    )


class TimelineModel:
    """Maps display rows to events; `newest_first` reverses the order."""

    def __init__(self, source: EventSource) -> None:
        self._source = source
        self.count = 0  # events known to the timeline (up to the app's cursor)
        self.filter = TimelineFilter()
        self.newest_first = False
        self._pages: OrderedDict[int, list[Row]] = OrderedDict()
        self._matches: list[Row] = []
        self._severity_of: dict[str, str] = {}
        self._severities_read = False  # a seeded run folds no escalation events: read them
        self.fetches = 0  # page reads, for tests and the benchmark

    def __len__(self) -> int:
        return len(self._matches) if self.filter.active else self.count

    def grow(self, count: int, batch: Iterable[tuple[int, Event]] = ()) -> None:
        """The app saw events up to `count`; `batch` are the new ones (for filtered views)."""
        known = self.count
        if count > known:
            if known:
                self._pages.pop((known - 1) // PAGE, None)  # it may have been partial
            self.count = count
        for seq, event in batch:
            self._note_severity(event)
            # a replay knows its length up front; only events new to the timeline count
            new = known < seq <= self.count
            if new and self.filter.active and self._matches_filter(event):
                self._matches.append(to_row(seq, event, self._severity(event)))

    def set_filter(self, new: TimelineFilter) -> None:
        self.filter = new
        self._matches = []
        if not new.active:
            return
        self._read_severities()
        for seq, event in self._source.events(0, kinds=new.kinds, agent=new.agent):
            if seq > self.count:
                break
            if self._matches_filter(event):
                self._matches.append(to_row(seq, event, self._severity(event)))

    def _read_severities(self) -> None:
        # On first use, not at mount: only a shown timeline needs them.
        for esc in self._source.escalations():
            self._severity_of[esc.id] = str(esc.severity)
        self._severities_read = True

    def _note_severity(self, event: Event) -> None:
        severity = event_severity(event)
        if severity is not None and hasattr(event, "escalation"):
            self._severity_of[event.escalation.id] = severity

    def _severity(self, event: Event) -> str | None:
        own = event_severity(event)
        if own is not None:
            return own
        esc_id = getattr(event, "escalation_id", None)
        return self._severity_of.get(esc_id) if isinstance(esc_id, str) else None

    def _matches_filter(self, event: Event) -> bool:
        f = self.filter
        if f.agent is not None and event.agent != f.agent:
            return False
        if f.kinds is not None and event.kind not in f.kinds:
            return False
        return f.severity is None or self._severity(event) == f.severity

    def row(self, index: int) -> Row | None:
        """The row shown at display position `index`, or None past the end."""
        total = len(self)
        if not 0 <= index < total:
            return None
        logical = total - 1 - index if self.newest_first else index
        if self.filter.active:
            return self._matches[logical]
        page_no = logical // PAGE
        page = self._pages.get(page_no)
        if page is None:
            page = self._fetch(page_no)
        else:
            self._pages.move_to_end(page_no)
        offset = logical - page_no * PAGE
        return page[offset] if offset < len(page) else None

    def _fetch(self, page_no: int) -> list[Row]:
        self.fetches += 1
        if not self._severities_read:
            self._read_severities()
        start = page_no * PAGE
        limit = min(PAGE, self.count - start)
        pairs = self._source.events(start, limit=limit)
        page = [to_row(seq, event, self._severity(event)) for seq, event in pairs]
        self._pages[page_no] = page
        while len(self._pages) > _MAX_PAGES:
            self._pages.popitem(last=False)
        return page

    def index_of_seq(self, seq: int) -> int | None:
        """Display position of the event with sequence number `seq`, if shown."""
        if self.filter.active:
            logical = next((i for i, r in enumerate(self._matches) if r.seq == seq), None)
        else:
            logical = seq - 1 if 1 <= seq <= self.count else None
        if logical is None:
            return None
        return len(self) - 1 - logical if self.newest_first else logical

    def cached_pages(self) -> int:
        return len(self._pages)


__all__ = ["PAGE", "Row", "TimelineFilter", "TimelineModel", "to_row"]
