"""`charter memory ...`: list, search, show, prune and erase a run's agent memories.

RUN is a run directory (with `run.db`), a `.db` file, or a database URL
(`postgresql+psycopg://...?schema=NAME`); with `--store URL` (or CHARTER_STORE), a run id in
that store."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from charter.protocols import ConfigError, MemoryKind

from ._args import parse_instant
from .store_option import StoreOpt

if TYPE_CHECKING:
    from charter.memory import MemoryRecord, RunStore

app = typer.Typer(
    help="Agent memory in a run: list, search, show, prune (retention), erase (a subject).",
    no_args_is_help=True,
)

RunArg = Annotated[
    str,
    typer.Argument(help="Run directory, .db file or database URL; with --store, a run id."),
]
AgentOpt = Annotated[str | None, typer.Option("--agent", help="Only this agent's memories.")]
KindOpt = Annotated[
    list[str] | None,
    typer.Option("--kind", help="Only these kinds (pattern, error, team, project, ...)."),
]
TagOpt = Annotated[list[str] | None, typer.Option("--tag", help="Only memories with a tag.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON object a line.")]


def open_run(run: str, now: datetime | None = None, *, store: str | None = None) -> RunStore:
    """Open an existing run's store; its clock stands at `now` (default: the wall clock,
    which only stamps what a person does from the command line)."""
    from charter.memory import open_run_store
    from charter.memory.backend import STORE_ENV, locate_run
    from charter.protocols import VirtualClock

    where = locate_run(run, store=store or os.environ.get(STORE_ENV))
    instant = now if now is not None else datetime.now(UTC)
    opened = open_run_store(
        where.url,
        clock=VirtualClock(instant),
        schema=where.schema,
        run_id=where.run_id,
        existing=True,
    )
    if Path(run).is_dir():
        opened.anchor_in(Path(run))  # an erasure appends to the trail: re-anchor its head
    return opened


def _kinds(values: list[str] | None) -> list[MemoryKind] | None:
    if not values:
        return None
    kinds: list[MemoryKind] = []
    for value in values:
        try:
            kinds.append(MemoryKind(value.lower()))
        except ValueError:
            known = ", ".join(kind.value for kind in MemoryKind)
            raise ConfigError(f"--kind {value!r}: expected one of {known}") from None
    return kinds


def _line(record: MemoryRecord, score: float | None = None) -> str:
    content = record.content if len(record.content) <= 90 else record.content[:87] + "..."
    prefix = f"{score:10.4g}  " if score is not None else ""
    created = record.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    tags = f"  [{', '.join(record.tags)}]" if record.tags else ""
    where = f"{record.agent:<10} {record.kind.value:<13}"
    return f"{prefix}{record.id}  {created}  {where} {content}{tags}"


def _as_json(record: MemoryRecord, score: float | None = None) -> str:
    data = {
        "id": record.id,
        "agent": record.agent,
        "kind": record.kind.value,
        "content": record.content,
        "tags": record.tags,
        "importance": record.importance,
        "source_event": record.source_event,
        "created_at": record.created_at.isoformat(),
        "expires_at": None if record.expires_at is None else record.expires_at.isoformat(),
    }
    if score is not None:
        data["score"] = round(score, 6)
    return json.dumps(data, ensure_ascii=False)


@app.command("list")
def list_command(
    run: RunArg,
    agent: AgentOpt = None,
    kind: KindOpt = None,
    tag: TagOpt = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 50,
    as_json: JsonOpt = False,
    store_url: StoreOpt = None,
) -> None:
    """List memories, oldest first."""
    with open_run(run, store=store_url) as store:
        records = store.list_memories(agent=agent, kinds=_kinds(kind), tags=tag, limit=limit)
        total = store.memory_count()
    for record in records:
        typer.echo(_as_json(record) if as_json else _line(record))
    if not as_json:
        typer.echo(f"{len(records)} of {total} memories", err=True)


@app.command("search")
def search_command(
    run: RunArg,
    query: Annotated[str, typer.Argument(help="Words to look for (full-text, stemmed).")],
    agent: AgentOpt = None,
    kind: KindOpt = None,
    tag: TagOpt = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 20,
    as_json: JsonOpt = False,
    store_url: StoreOpt = None,
) -> None:
    """Full-text search, best match first (the score is the text relevance)."""
    with open_run(run, store=store_url) as store:
        found = store.search_memories(query, agent=agent, kinds=_kinds(kind), tags=tag, limit=limit)
    for record, score in found:
        typer.echo(_as_json(record, score) if as_json else _line(record, score))
    if not as_json:
        typer.echo(f"{len(found)} found", err=True)


@app.command("context")
def context_command(
    run: RunArg,
    query: Annotated[str, typer.Argument(help="The task text the agent is about to work on.")],
    agent: Annotated[str, typer.Option("--agent", help="Whose memories.")] = "data",
    kind: KindOpt = None,
    tag: TagOpt = None,
    now: Annotated[str | None, typer.Option("--now", help="Run-clock instant (ISO).")] = None,
    per_kind: Annotated[int, typer.Option("--per-kind", min=1)] = 3,
    budget: Annotated[int, typer.Option("--budget", min=1, help="Characters in all.")] = 4000,
    store_url: StoreOpt = None,
) -> None:
    """Show what context preparation would hand the agent for this task."""
    with open_run(run, store=store_url) as store:
        instant = parse_instant(now, "--now") if now else store.last_event_at()
        if instant is None:
            instant = datetime.now(UTC)
        snippets = store.prepare_context(
            agent=agent,
            query=query,
            now=instant,
            kinds=_kinds(kind),
            tags=tag,
            per_kind=per_kind,
            budget_chars=budget,
        )
    for snippet in snippets:
        typer.echo(
            f"{snippet.score:6.3f}  {snippet.kind.value:<13} {snippet.id}  {snippet.content}"
        )
    typer.echo(f"{len(snippets)} memories, {sum(len(s.content) for s in snippets)} chars", err=True)


@app.command("show")
def show_command(
    run: RunArg,
    memory_id: Annotated[str, typer.Argument(help="The memory id (from list or search).")],
    store_url: StoreOpt = None,
) -> None:
    """Every field of one memory."""
    with open_run(run, store=store_url) as store:
        record = store.get_memory(memory_id)
    if record is None:
        raise ConfigError(f"memory {memory_id!r}: not found in run {run!r}")
    typer.echo(json.dumps(json.loads(_as_json(record)), indent=2, ensure_ascii=False))


@app.command("prune")
def prune_command(
    run: RunArg,
    now: Annotated[
        str | None,
        typer.Option("--now", help="Run-clock instant (ISO); default: the run's last event."),
    ] = None,
    team: Annotated[
        list[Path] | None,
        typer.Option(
            "--team", help="Charter files with the retention policies (default: shipped)."
        ),
    ] = None,
    store_url: StoreOpt = None,
) -> None:
    """Apply each agent's per-kind retention (from its charter) and expiries at NOW."""
    from charter.agents.team import load_team

    loaded = load_team(team) if team else load_team()
    policies = {role: list(charter.memory) for role, charter in loaded.roles.items()}
    with open_run(run, store=store_url) as store:
        instant = parse_instant(now, "--now") if now else store.last_event_at()
        if instant is None:
            raise ConfigError(f"run {run!r}: no events to take the run clock from; pass --now")
        report = store.prune(now=instant, policies=policies)
    removed = ", ".join(f"{kind} {count}" for kind, count in report.removed.items()) or "none"
    typer.echo(f"pruned {report.total} memories at {instant.isoformat()} ({removed})")


@app.command("erase")
def erase_command(
    run: RunArg,
    subject: Annotated[
        str, typer.Option("--subject", help="The value to erase (a name, an id, ...).")
    ],
    store_url: StoreOpt = None,
) -> None:
    """Right to erasure: delete every memory mentioning SUBJECT and scrub it from every
    stored payload; the audit trail records that an erasure happened, not the value."""
    from charter.memory.backend import checkpoint_file

    run_dir = Path(run) if Path(run).is_dir() else None
    with open_run(run, store=store_url) as store:
        report = store.erase(
            subject, at=datetime.now(UTC), checkpoints=checkpoint_file(run), run_dir=run_dir
        )
    typer.echo(
        f"erased: {report.memories} memories deleted; scrubbed {report.events} events, "
        f"{report.messages} messages, {report.escalations} escalations, "
        f"{report.authority_decisions} authority decisions, {report.audit_entries} audit "
        f"entries, {report.checkpoint_rows} checkpoint rows, {report.files} files "
        f"({report.renamed} renamed), {report.dataset_cells} data-set cells "
        f"(audit {report.audit_hash[:12]})"
    )
    for skipped in report.skipped:
        typer.echo(f"warning: not scrubbed: {skipped}", err=True)


__all__ = ["app", "open_run", "parse_instant"]
