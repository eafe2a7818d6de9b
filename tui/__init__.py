"""charter.tui: the Textual terminal UI — agents, timeline, escalations, memory,
authority, scorecard and team views over one `EventSource` (a live Orchestrator or a run
directory). Only this package imports textual."""

from .app import CharterApp, SourceOpener
from .model import RunModel, summarise
from .source import EventSource, MemoryItem, SourceStatus
from .timeline_model import TimelineFilter, TimelineModel

__all__ = [
    "CharterApp",
    "EventSource",
    "MemoryItem",
    "RunModel",
    "SourceOpener",
    "SourceStatus",
    "TimelineFilter",
    "TimelineModel",
    "summarise",
]
