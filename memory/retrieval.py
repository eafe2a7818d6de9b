"""Memory records: finding the ones that matter for a turn (writing them: `ingest`).

Context preparation ranks candidates by text relevance (summed inverse document frequency
of the query words, from full-text posting lists: SQLite FTS5 or PostgreSQL's tsvector),
importance and recency on the run clock, keeps the best `per_kind` of each kind and fills a
character budget. The index finds the matches; only the few best rows are fetched and
re-ranked in Python, so the cost grows with the matches, not with the table.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, literal_column, or_, select, text
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.types import String

from charter.protocols import MemoryKind, MemorySnippet

from .backend import Dialect
from .ingest import MEMORIES, TAGS
from .records import MemoryRecord, normalise_tags, utc

# How a candidate's score is made: relevance leads, importance and recency break ties.
RELEVANCE_WEIGHT = 0.6
IMPORTANCE_WEIGHT = 0.25
RECENCY_WEIGHT = 0.15
RECENCY_HALF_LIFE_DAYS = 30.0
_CANDIDATES_PER_KIND = 2  # text matches fetched per kind for each snippet kept
_MAX_TERMS = 24
# The best text matches considered per query. Bounds the cost when common words match a
# large share of a big table; recency and importance re-rank within this set.
TEXT_CANDIDATES = 64
POSTING_CAP = 5000  # SQLite: a term in more memories than this is treated as a stop word
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOPWORDS = frozenset(
    (
        "a", "an", "and", "are", "as", "at", "be", "by", "did", "do", "does", "for", "from",
        "has", "have", "how", "in", "into", "is", "it", "its", "no", "not", "of", "on", "or",
        "that", "the", "this", "to", "was", "were", "what", "when", "which", "who", "why",
        "will", "with",
    )
)  # fmt: skip


def search_terms(query: str) -> list[str]:
    """The words of a query worth matching: lower-case, no stop words, no duplicates."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(query.lower()):
        if len(word) > 1 and word not in _STOPWORDS:
            seen.setdefault(word, None)
    return list(seen)[:_MAX_TERMS]


@dataclass(frozen=True)
class _Shape:
    """Which filters a query uses: one cached statement per shape, values bound later."""

    agent: bool
    kinds: bool
    tags: bool
    now: bool
    strict: bool = False  # only memories made strictly before `now`
    text_now: bool = False  # SQLite: `now` bound as the stored text (see `_bound_now`)


def _shape_and_params(
    run_id: str,
    agent: str | None,
    kinds: Collection[MemoryKind] | None,
    tags: Collection[str] | None,
    now: datetime | None,
    *,
    strict: bool = False,
    text_now: bool = False,
) -> tuple[_Shape, dict[str, Any]]:
    params: dict[str, Any] = {"run": run_id}
    if agent is not None:
        params["agent"] = agent
    if kinds is not None:
        params["kinds"] = [MemoryKind(kind).value for kind in kinds]
    wanted = normalise_tags(list(tags)) if tags else []
    if wanted:
        params["tags"] = wanted
    if now is not None:
        params["now"] = utc(now)
    shape = _Shape(
        agent is not None, kinds is not None, bool(wanted), now is not None, strict, text_now
    )
    return shape, params


def _filters(shape: _Shape, *, by_key: bool = False) -> list[Any]:
    """`by_key` (SQLite only): the rows are picked by primary key already; the unary `+`
    keeps the planner from walking the (agent, kind) index instead, and the kind and tag
    lists arrive as JSON texts, so the statement's text never depends on their lengths."""
    agent: Any = literal_column("+charter_memories.agent") if by_key else MEMORIES.c.agent
    kind: Any = literal_column("+charter_memories.kind") if by_key else MEMORIES.c.kind
    run: Any = literal_column("+charter_memories.run_id") if by_key else MEMORIES.c.run_id
    clauses: list[Any] = [run == bindparam("run")]
    if shape.agent:
        clauses.append(agent == bindparam("agent"))
    if shape.kinds:
        clauses.append(kind.in_(_list_param("kinds", by_key)))
    if shape.tags:
        clauses.append(
            select(TAGS.c.memory_seq)
            .where(TAGS.c.memory_seq == MEMORIES.c.seq, TAGS.c.tag.in_(_list_param("tags", by_key)))
            .exists()
        )
    if shape.now:
        # Untyped: SQLAlchemy's SQLite DateTime would bind "...:00.000000" against stored
        # "...:00+00:00" text (sqlite3's form) and compare wrongly at equal instants;
        # the caller binds the stored form there (`_bound_now`).
        now = bindparam("now", type_=String() if shape.text_now else MEMORIES.c.created_at.type)
        clauses.append(
            MEMORIES.c.created_at < now if shape.strict else MEMORIES.c.created_at <= now
        )
        clauses.append(or_(MEMORIES.c.expires_at.is_(None), MEMORIES.c.expires_at > now))
    return clauses


def _bound_now(value: Any, dialect: Dialect) -> Any:
    """`now` as the driver should see it: on SQLite, the text sqlite3 stores for an aware
    datetime (`isoformat(" ")`), so that the text comparison orders instants."""
    if dialect == "sqlite" and isinstance(value, datetime):
        return value.isoformat(" ")
    return value


def _list_param(name: str, as_json: bool) -> Any:
    if as_json:
        return text(f"SELECT value FROM json_each(:{name})")
    return bindparam(name, expanding=True)


@functools.lru_cache(maxsize=64)
def _text_statement(shape: _Shape) -> Any:
    """PostgreSQL: the ranked hits' rows, filtered; the per-kind cut happens in Python."""
    hits = MEMORIES.c.seq.in_(bindparam("hits", expanding=True))
    return select(MEMORIES).where(hits, *_filters(shape))


class _MemoryRow(NamedTuple):
    """A memory row as the SQLite driver returns it, timestamps parsed."""

    seq: int
    id: str
    agent: str
    kind: str
    content: str
    tags: str
    importance: float
    source_event: str | None
    created_at: datetime
    expires_at: datetime | None


@functools.lru_cache(maxsize=64)
def _sqlite_text_sql(shape: _Shape) -> tuple[str, tuple[str, ...]]:
    """SQLite: the same fetch as driver SQL and the order of its parameters. Run on the raw
    cursor it skips SQLAlchemy's per-call execution and row processing, a fifth of context
    preparation at 100,000 memories. The hits arrive as one JSON text."""
    columns = [MEMORIES.c[name] for name in _MemoryRow._fields]
    hits = MEMORIES.c.seq.in_(_list_param("hits", True))
    statement = select(*columns).where(hits, *_filters(shape, by_key=True))
    compiled = statement.compile(dialect=sqlite_dialect())
    return str(compiled), tuple(compiled.positiontup or ())


def _sqlite_rows(
    connection: Connection, shape: _Shape, params: dict[str, Any], hits: list[int]
) -> list[_MemoryRow]:
    sql, order = _sqlite_text_sql(shape)
    values = {**params, "hits": hits}
    # What SQLAlchemy and sqlite3 would bind: lists as JSON, a datetime as isoformat(" ").
    for name in ("hits", "kinds", "tags"):
        if name in values:
            values[name] = json.dumps(values[name])
    if "now" in values:
        values["now"] = _bound_now(values["now"], "sqlite")
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        found = cursor.execute(sql, [values[name] for name in order]).fetchall()
    finally:
        cursor.close()
    return [
        _MemoryRow._make(
            (
                *row[:8],
                datetime.fromisoformat(row[8]),
                None if row[9] is None else datetime.fromisoformat(row[9]),
            )
        )
        for row in found
    ]


def _text_candidates(
    connection: Connection,
    dialect: Dialect,
    terms: list[str],
    shape: _Shape,
    params: dict[str, Any],
    per_kind: int,
    cap: int = TEXT_CANDIDATES,
) -> list[tuple[Any, float]]:
    """The best text matches that pass the filters, with a relevance (larger is better)."""
    ranker = _Ranker(connection, dialect, terms, params["run"])
    while True:
        hits = ranker.best(cap)
        if not hits:
            return []
        kept: Sequence[Any]
        if dialect == "sqlite":
            kept = _sqlite_rows(connection, shape, params, list(hits))
        else:
            kept = connection.execute(_text_statement(shape), {**params, "hits": list(hits)}).all()
        # The best matches may all belong to other agents or kinds: widen once or twice
        # before settling for fewer than asked.
        if len(kept) >= per_kind or len(hits) < cap or cap >= 64 * TEXT_CANDIDATES:
            return [(row, hits[int(row.seq)]) for row in kept]
        cap *= 8


def _idf(frequency: int, total: int) -> float:
    return math.log(1.0 + (max(total, frequency) - frequency + 0.5) / (frequency + 0.5))


@functools.lru_cache(maxsize=2 * (_MAX_TERMS + 1))
def _postings_sql(dialect: Dialect, count: int) -> str:
    """Every term's posting list within one run (newest first, stopped just past the cap)
    as one comma-joined text, and the run's memory count for the IDF, in one round trip: a
    text per term is parsed by numpy in C, where thousands of one-integer rows cost a Python
    tuple each. Parameters: the run twice, then (term, run, cap) per term."""
    if dialect == "sqlite":
        each = (
            "(SELECT group_concat(hit) FROM (SELECT charter_memories_fts.rowid AS hit "
            "FROM charter_memories_fts JOIN charter_memories "
            "ON charter_memories.seq = charter_memories_fts.rowid "
            "WHERE charter_memories_fts MATCH ? AND charter_memories.run_id = ? "
            "ORDER BY charter_memories_fts.rowid DESC LIMIT ?))"
        )
        return f"SELECT {_total('?')}, " + ", ".join([each] * count)
    # PostgreSQL: each term is its own materialised CTE so the GIN index finds its matches
    # (never a walk down the primary key); the statement is never server-prepared (see
    # _Ranker), since a generic plan, blind to the term, would guess a full scan is cheaper.
    # Parameters here: (term, run) per term, the run twice, then the cap per term.
    ctes = ", ".join(
        f"t{n} AS MATERIALIZED (SELECT seq FROM charter_memories "
        f"WHERE search @@ plainto_tsquery('english', %s) AND run_id = %s)"
        for n in range(count)
    )
    lists = ", ".join(
        f"(SELECT string_agg(seq::text, ',') FROM "
        f"(SELECT seq FROM t{n} ORDER BY seq DESC LIMIT %s) AS p{n})"
        for n in range(count)
    )
    return f"WITH {ctes} SELECT {_total('%s')}, {lists}"


def _total(mark: str) -> str:
    """The run's memory count: the kept one (`memory_count`), else counted (a store no
    memory was written to since the count was kept). The run id is bound twice."""
    kept = (
        f"(SELECT CAST(value AS INTEGER) FROM charter_meta "
        f"WHERE run_id = {mark} AND key = 'memory_count')"
    )
    return f"COALESCE({kept}, (SELECT count(*) FROM charter_memories WHERE run_id = {mark}))"


class _Ranker:
    """Summed-IDF ranking of one query's matches, computed once with numpy; widening the
    candidate set only takes more of it. Both backends rank the same way."""

    def __init__(
        self, connection: Connection, dialect: Dialect, terms: list[str], run_id: str
    ) -> None:
        import numpy as np  # only here: importing charter.memory stays light

        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            if dialect == "sqlite":
                arguments: list[Any] = [run_id, run_id]
                for term in terms:
                    arguments.extend((f'"{term}"', run_id, POSTING_CAP + 1))
                cursor.execute(_postings_sql(dialect, len(terms)), arguments)
            else:
                arguments = []
                for term in terms:
                    arguments.extend((term, run_id))
                arguments.extend((run_id, run_id))
                arguments.extend([POSTING_CAP + 1] * len(terms))
                cursor.execute(_postings_sql(dialect, len(terms)), arguments, prepare=False)
            row = cursor.fetchone()
        finally:
            cursor.close()
        total = int(row[0] or 0)
        lists = [
            np.fromstring(joined, dtype=np.int64, sep=",") if joined else np.empty(0, np.int64)
            for joined in row[1:]
        ]
        self._seqs, self._scores = _rank(lists, total)

    def best(self, cap: int) -> dict[int, float]:
        return {
            int(seq): float(score)
            for seq, score in zip(self._seqs[:cap], self._scores[:cap], strict=True)
        }


def _rank(lists: list[Any], total: int) -> tuple[Any, Any]:
    """All matches, best first, as numpy arrays (seqs, relevances): relevance = the summed
    inverse document frequency of the query terms a memory contains, newest first on ties.

    FTS5's bm25 and PostgreSQL's ts_rank cost a lookup per match, which was most of the
    time at 100,000 memories when a query matches thousands; posting lists are cheap, and
    summing them in SQL (GROUP BY) sorts more than numpy does. A term in more than
    POSTING_CAP memories says little (a near-stop-word) and is skipped, unless every term
    is that common: then the newest memories of the first of the least common terms."""
    import numpy as np

    usable = [seqs for seqs in lists if 0 < len(seqs) <= POSTING_CAP]
    if not usable:
        common = [seqs for seqs in lists if len(seqs)]
        if not common:
            return np.empty(0, np.int64), np.empty(0, np.float64)
        usable = [np.sort(min(common, key=len))[::-1][:POSTING_CAP]]
    weights = [np.full(len(seqs), _idf(len(seqs), total)) for seqs in usable]
    unique, where = np.unique(np.concatenate(usable), return_inverse=True)
    scores = np.bincount(where, weights=np.concatenate(weights))
    # Rounding keeps the order of float summation out of the tie-break.
    order = np.lexsort((-unique, -np.round(scores, 9)))
    return unique[order], scores[order]


def _important_candidates(
    connection: Connection,
    shape: _Shape,
    params: dict[str, Any],
    kinds: Collection[MemoryKind] | None,
    per_kind: int,
) -> list[tuple[Any, float]]:
    """No usable query words: the most important, then newest, memories of each kind.
    One indexed lookup per kind (agent, kind, importance, created_at)."""
    wanted = list(MemoryKind) if kinds is None else [MemoryKind(kind) for kind in kinds]
    statement = (
        select(MEMORIES)
        .where(MEMORIES.c.kind == bindparam("one_kind"), *_filters(shape))
        .order_by(MEMORIES.c.importance.desc(), MEMORIES.c.created_at.desc())
        .limit(per_kind * _CANDIDATES_PER_KIND)
    )
    found: list[tuple[Any, float]] = []
    for kind in wanted:
        rows = connection.execute(statement, {**params, "one_kind": kind.value})
        found.extend((row, 0.0) for row in rows)
    return found


def _recency(created_at: datetime, now: datetime) -> float:
    age_days = max((now - utc(created_at)).total_seconds(), 0.0) / 86400.0
    return math.pow(0.5, age_days / RECENCY_HALF_LIFE_DAYS)


def prepare_context(
    connection: Connection,
    dialect: Dialect,
    run_id: str,
    *,
    agent: str,
    query: str,
    now: datetime,
    kinds: Collection[MemoryKind] | None,
    tags: Collection[str] | None,
    per_kind: int,
    budget_chars: int,
    strictly_before: bool = False,
) -> list[MemorySnippet]:
    """The memories `agent` should see for `query` at `now`, best first, within budget.

    Memories created after `now`, or expired at `now`, are invisible, so a replayed turn
    sees what the original saw. `strictly_before`: those created at `now` too — what a work
    item sees, so that items due at one instant do not see each other's lessons, whichever
    worker runs them in whatever order. Tag filters match memories carrying any tag."""
    if per_kind <= 0 or budget_chars <= 0:
        return []
    now = utc(now)
    shape, params = _shape_and_params(
        run_id, agent, kinds, tags, now, strict=strictly_before, text_now=dialect == "sqlite"
    )
    if dialect == "sqlite":
        params["now"] = _bound_now(params["now"], dialect)
    terms = search_terms(query)
    candidates = (
        _text_candidates(connection, dialect, terms, shape, params, per_kind) if terms else []
    )
    if not candidates:
        candidates = _important_candidates(connection, shape, params, kinds, per_kind)
    top_relevance = max((relevance for _, relevance in candidates), default=0.0)
    scored: list[tuple[float, int, Any]] = []
    for row, relevance in candidates:
        normalised = relevance / top_relevance if top_relevance > 0 else 0.0
        score = (
            RELEVANCE_WEIGHT * normalised
            + IMPORTANCE_WEIGHT * float(row.importance)
            + RECENCY_WEIGHT * _recency(row.created_at, now)
        )
        scored.append((score, int(row.seq), row))
    scored.sort(key=lambda item: (-item[0], -item[1]))
    taken_per_kind: dict[str, int] = {}
    chosen: list[MemorySnippet] = []
    remaining = budget_chars
    for score, _seq, row in scored:
        if taken_per_kind.get(row.kind, 0) >= per_kind or len(row.content) > remaining:
            continue
        taken_per_kind[row.kind] = taken_per_kind.get(row.kind, 0) + 1
        remaining -= len(row.content)
        chosen.append(
            MemorySnippet(
                id=row.id,
                kind=MemoryKind(row.kind),
                content=row.content,
                tags=row.tags.split(),
                score=round(score, 6),
            )
        )
    return chosen


def search_memories(
    connection: Connection,
    dialect: Dialect,
    run_id: str,
    query: str,
    *,
    agent: str | None = None,
    kinds: Collection[MemoryKind] | None = None,
    tags: Collection[str] | None = None,
    limit: int = 20,
) -> list[tuple[MemoryRecord, float]]:
    """Full-text search over every stored memory (the CLI's `memory search`)."""
    terms = search_terms(query)
    if not terms:
        return []
    shape, params = _shape_and_params(run_id, agent, kinds, tags, None)
    rows = _text_candidates(
        connection,
        dialect,
        terms,
        shape,
        params,
        per_kind=max(limit, 1),
        cap=max(limit, TEXT_CANDIDATES),
    )
    rows.sort(key=lambda item: (-item[1], -int(item[0].seq)))
    return [(to_record(row), relevance) for row, relevance in rows[:limit]]


def list_memories(
    connection: Connection,
    run_id: str,
    *,
    agent: str | None = None,
    kinds: Collection[MemoryKind] | None = None,
    tags: Collection[str] | None = None,
    limit: int | None = None,
) -> list[MemoryRecord]:
    shape, params = _shape_and_params(run_id, agent, kinds, tags, None)
    statement = select(MEMORIES).where(*_filters(shape)).order_by(MEMORIES.c.seq)
    if limit is not None:
        statement = statement.limit(limit)
    return [to_record(row) for row in connection.execute(statement, params)]


def get_memory(connection: Connection, run_id: str, memory_id: str) -> MemoryRecord | None:
    statement = select(MEMORIES).where(MEMORIES.c.run_id == run_id, MEMORIES.c.id == memory_id)
    row = connection.execute(statement).first()
    return None if row is None else to_record(row)


def to_record(row: Any) -> MemoryRecord:
    return MemoryRecord(
        id=row.id,
        agent=row.agent,
        kind=MemoryKind(row.kind),
        content=row.content,
        tags=row.tags.split(),
        importance=float(row.importance),
        source_event=row.source_event,
        created_at=utc(row.created_at),
        expires_at=None if row.expires_at is None else utc(row.expires_at),
    )


__all__ = [
    "MEMORIES",
    "TAGS",
    "get_memory",
    "list_memories",
    "prepare_context",
    "search_memories",
    "search_terms",
    "to_record",
]
