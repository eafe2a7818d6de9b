"""Rows of the timeline, fetched a page at a time.

A 100,000-event run never becomes 100,000 widgets or even 100,000 parsed events: the
unfiltered view maps row i to sequence number i+1 (the store's numbers have no gaps) and
fetches only the pages the screen shows, keeping a small LRU cache. A filtered view is a
list of the matching sequence numbers, found with the store's indexes without parsing a
payload (`SeqReads`), and fetches its pages the same way. The query (`query`) touches
only the source, so the run screen runs it in a worker and applies its answer (`apply`)
on the UI thread.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from charter.protocols import Event

from .model import event_severity, summarise
from .source import EventSource

PAGE = 200
_MAX_PAGES = 64
# Events that carry a severity: the escalation itself, and what refers to it by id.
SEVERITY_KINDS = frozenset(
    {
        "escalation_raised",
        "escalation_acknowledged",
        "escalation_decided",
        "escalation_reescalated",
        "escalation_info_requested",
        "escalation_info_answered",
    }
)
_PARSE_CHUNK = 500


@runtime_checkable
class SeqReads(Protocol):
    """Indexed reads a run store answers without parsing every event (`StoreReads`)."""

    def event_seqs(
        self,
        *,
        kinds: Collection[str] | None = None,
        agent: str | None = None,
        since: int = 0,
        upto: int | None = None,
        payload_contains: str | None = None,
    ) -> list[int]: ...

    def events_by_seq(self, seqs: Collection[int]) -> list[tuple[int, Event]]: ...


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


@dataclass(frozen=True)
class Matches:
    """A filter's answer up to sequence number `upto`: the matching sequence numbers, and
    their rows when the source cannot fetch events by number (they were parsed anyway)."""

    filter: TimelineFilter
    upto: int
    seqs: list[int]
    rows: dict[int, Row] = field(default_factory=dict)


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
        self._matches: list[int] = []  # a filtered view's sequence numbers
        self._match_pages: OrderedDict[int, list[Row]] = OrderedDict()
        self._match_rows: dict[int, Row] = {}  # rows kept by a source without SeqReads
        self._severity_of: dict[str, str] = {}
        self._severities_read = False  # a seeded run folds no escalation events: read them
        # severity -> (up to which sequence number, the raised escalations' numbers)
        self._by_severity: dict[str, tuple[int, list[int]]] = {}
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
                self._add_match(seq, event)

    def _add_match(self, seq: int, event: Event) -> None:
        if self._matches and self._matches[-1] >= seq:
            return  # applied from a query that already saw it
        if self._matches:
            self._match_pages.pop((len(self._matches) - 1) // PAGE, None)  # partial page
        self._matches.append(seq)
        if not isinstance(self._source, SeqReads):
            self._match_rows[seq] = to_row(seq, event, self._severity(event))

    def set_filter(self, new: TimelineFilter) -> None:
        """Filter now, on the calling thread (`query` + `apply`)."""
        self.apply(self.query(new))

    def query(self, new: TimelineFilter, upto: int | None = None) -> Matches:
        """The events `new` lets through, up to `upto` (the timeline's count): reads the
        source only, so a worker thread may run it."""
        upto = self.count if upto is None else upto
        if not new.active:
            return Matches(new, upto, [])
        source = self._source
        severities = {**self._escalation_severities(), **dict(self._severity_of)}
        if not isinstance(source, SeqReads):
            return self._query_parsing(new, upto, severities)
        if new.severity is None:
            return Matches(
                new, upto, source.event_seqs(kinds=new.kinds, agent=new.agent, upto=upto)
            )
        kinds = SEVERITY_KINDS if new.kinds is None else SEVERITY_KINDS & new.kinds
        seqs: list[int] = []
        if "escalation_raised" in kinds:
            raised = self.severity_seqs(new.severity, upto)
            if new.agent is not None:
                # the agent's raised events come from the index alone (no payload read)
                mine = source.event_seqs(kinds={"escalation_raised"}, agent=new.agent, upto=upto)
                own = set(mine)
                raised = [seq for seq in raised if seq in own]
            seqs += raised
        others = kinds - {"escalation_raised"}
        if others:
            # A few per escalation: parsed to find which escalation each refers to.
            candidates = source.event_seqs(kinds=others, agent=new.agent, upto=upto)
            for start in range(0, len(candidates), _PARSE_CHUNK):
                for seq, event in source.events_by_seq(candidates[start : start + _PARSE_CHUNK]):
                    esc_id = getattr(event, "escalation_id", None)
                    if isinstance(esc_id, str) and severities.get(esc_id) == new.severity:
                        seqs.append(seq)
        return Matches(new, upto, sorted(seqs))

    def severity_seqs(self, severity: str, upto: int) -> list[int]:
        """The raised escalations of `severity` up to `upto`. The raised event carries its
        severity, matched in its stored canonical JSON text (only an escalation's own
        key/value pair reads like this: quotes inside strings are escaped). That reads
        every raised event's payload, so the answer is kept and extended from where it
        stopped (the first severity filter pays for the scan, in its worker)."""
        assert isinstance(self._source, SeqReads)
        done, seqs = self._by_severity.get(severity, (0, []))
        if done < upto:
            seqs = seqs + self._source.event_seqs(
                kinds={"escalation_raised"},
                since=done,
                upto=upto,
                payload_contains=f'"severity":"{severity}"',
            )
            self._by_severity[severity] = (upto, seqs)  # one assignment: a reader sees old or new
            return seqs
        return seqs if done == upto else [seq for seq in seqs if seq <= upto]

    def _query_parsing(self, new: TimelineFilter, upto: int, severities: dict[str, str]) -> Matches:
        # A source without indexed reads (a test fake, a custom source): parse and test.
        rows: dict[int, Row] = {}
        for seq, event in self._source.events(0, kinds=new.kinds, agent=new.agent):
            if seq > upto:
                break
            severity = _severity_with(event, severities)
            if new.severity is None or severity == new.severity:
                rows[seq] = to_row(seq, event, severity)
        return Matches(new, upto, list(rows), rows)

    def apply(self, matches: Matches) -> None:
        """Show a query's answer (UI thread); events the timeline took in while the query
        ran (after `matches.upto`) are tested here."""
        self.filter = matches.filter
        self._matches = list(matches.seqs)
        self._match_rows = dict(matches.rows)
        self._match_pages.clear()
        if not self.filter.active or self.count <= matches.upto:
            return
        for seq, event in self._source.events(matches.upto, limit=self.count - matches.upto):
            self._note_severity(event)
            if self._matches_filter(event):
                self._add_match(seq, event)

    def _escalation_severities(self) -> dict[str, str]:
        return {esc.id: str(esc.severity) for esc in self._source.escalations()}

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
        return _severity_with(event, self._severity_of)

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
            return self._match_row(logical)
        page_no = logical // PAGE
        page = self._pages.get(page_no)
        if page is None:
            page = self._fetch(page_no)
        else:
            self._pages.move_to_end(page_no)
        offset = logical - page_no * PAGE
        return page[offset] if offset < len(page) else None

    def _match_row(self, logical: int) -> Row | None:
        seq = self._matches[logical]
        if not isinstance(self._source, SeqReads):
            return self._match_rows.get(seq)
        page_no = logical // PAGE
        page = self._match_pages.get(page_no)
        if page is None:
            self.fetches += 1
            if not self._severities_read:
                self._read_severities()
            wanted = self._matches[page_no * PAGE : (page_no + 1) * PAGE]
            pairs = self._source.events_by_seq(wanted)
            page = [to_row(s, event, self._severity(event)) for s, event in pairs]
            self._match_pages[page_no] = page
            while len(self._match_pages) > _MAX_PAGES:
                self._match_pages.popitem(last=False)
        else:
            self._match_pages.move_to_end(page_no)
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
            index = bisect.bisect_left(self._matches, seq)
            found = index < len(self._matches) and self._matches[index] == seq
            logical = index if found else None
        else:
            logical = seq - 1 if 1 <= seq <= self.count else None
        if logical is None:
            return None
        return len(self) - 1 - logical if self.newest_first else logical

    def cached_pages(self) -> int:
        return len(self._pages)


def _severity_with(event: Event, severities: dict[str, str]) -> str | None:
    own = event_severity(event)
    if own is not None:
        return own
    esc_id = getattr(event, "escalation_id", None)
    return severities.get(esc_id) if isinstance(esc_id, str) else None


__all__ = [
    "PAGE",
    "SEVERITY_KINDS",
    "Matches",
    "Row",
    "SeqReads",
    "TimelineFilter",
    "TimelineModel",
    "to_row",
]
