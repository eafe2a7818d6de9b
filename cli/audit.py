"""`charter audit ...`: verify a run's tamper-evident audit chain, show its latest entries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from .memory import RunArg, open_run
from .store_option import StoreOpt

app = typer.Typer(
    help="The run's audit trail: verify the hash chain, tail it.", no_args_is_help=True
)


@app.command("verify")
def verify_command(run: RunArg, store_url: StoreOpt = None) -> None:
    """Walk the keyed chain and check it against the head anchored in the run directory's
    run.json: "OK, N entries", or the first broken link (exit code 1). An empty trail
    proves nothing and exits 1 too; what an OK does not prove is said on stderr."""
    from charter.memory.anchor import read_anchor

    anchor = read_anchor(Path(run)) if Path(run).is_dir() else None
    with open_run(run, store=store_url) as store:
        report = store.verify_audit(anchor)
    typer.echo(str(report))
    for warning in report.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if not report.ok:
        raise typer.Exit(1)


@app.command("head")
def head_command(
    run: RunArg,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    store_url: StoreOpt = None,
) -> None:
    """The audit chain's head (count, last hash, key id and its MAC), to keep somewhere
    else: `audit verify` against an older copy shows whether anything was removed since."""
    with open_run(run, store=store_url) as store:
        head = store.audit_head()
    if as_json:
        typer.echo(json.dumps(head, sort_keys=True))
        return
    keyed = f"keyed (key {head['key_id']}, mac {head['mac']})" if head["key_id"] else "unkeyed"
    typer.echo(f"{head['count']} entries, head {head['head']}, {keyed}")


@app.command("tail")
def tail_command(
    run: RunArg,
    count: Annotated[int, typer.Option("-n", "--count", min=1, help="How many entries.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object a line.")] = False,
    store_url: StoreOpt = None,
) -> None:
    """The latest audit entries, oldest first."""
    with open_run(run, store=store_url) as store:
        entries = store.audit_tail(count)
    for entry in entries:
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "seq": entry.seq,
                        "at": entry.at.isoformat(),
                        "actor": entry.actor,
                        "action": entry.action,
                        "target": entry.target,
                        "details": entry.details,
                        "hash": entry.entry_hash,
                    },
                    ensure_ascii=False,
                )
            )
            continue
        details = json.dumps(entry.details, ensure_ascii=False, sort_keys=True)
        at = entry.at.strftime("%Y-%m-%dT%H:%M:%SZ")
        typer.echo(
            f"{entry.seq:>5}  {at}  {entry.actor:<16} {entry.action:<10} {entry.target}  "
            f"{details}  {entry.entry_hash[:12]}"
        )


__all__ = ["app"]
