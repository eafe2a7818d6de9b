"""`charter data` governance commands: profile, classify, check, gx-import, mask.

Thin commands over `charter.agents.data`; sqlalchemy and the tools are imported inside
each command so `charter --help` stays fast.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from charter.protocols import ConfigError

from ._args import parse_instant
from ._files import write_atomically
from ._progress import progress_bar

if TYPE_CHECKING:
    from charter.agents.data.suite import SuiteResult

_JSON = typer.Option("--json", help="Print the typed result as JSON.")
_TABLES = typer.Option("--table", "-t", help="Only this table (repeatable; default: all).")


def _emit_json(model: Any) -> None:
    sys.stdout.write(json.dumps(model.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")


def _default_catalogue(url: str) -> Path:
    # Next to a SQLite file; in the working directory for a server database.
    if "://" not in url:
        return Path(url).with_suffix(".catalogue.json")
    if url.startswith("sqlite:///") and url[len("sqlite:///") :] not in ("", ":memory:"):
        return Path(url[len("sqlite:///") :]).with_suffix(".catalogue.json")
    return Path("governance-catalogue.json")


def _now(text: str | None) -> datetime:
    from charter.protocols import SystemClock

    return SystemClock().now() if text is None else parse_instant(text, "--now")


def profile(
    url: Annotated[str, typer.Argument(help="SQLAlchemy URL or SQLite file.")],
    table: Annotated[list[str] | None, _TABLES] = None,
    sample: Annotated[int, typer.Option(help="Rows sampled for patterns and PII.")] = 1000,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Per column: type, null and distinct shares, min/max, lengths, shapes, PII shares."""
    from rich.console import Console
    from rich.table import Table

    from charter.agents.data.profile import profile_database

    with progress_bar("profile", as_json=as_json) as report:
        result = profile_database(url, table or None, sample_size=sample, progress=report)
    if as_json:
        _emit_json(result)
        return
    console = Console()
    for entry in result.tables:
        view = Table(title=f"{entry.table} ({entry.row_count} rows)")
        for heading in ("column", "type", "null", "distinct", "min", "max", "patterns", "pii"):
            view.add_column(heading)
        for c in entry.columns:
            view.add_row(
                c.name, c.family, f"{c.null_share:.1%}",
                "" if c.distinct_share is None else f"{c.distinct_share:.1%}",
                str(c.min)[:24], str(c.max)[:24],
                ", ".join(p.pattern for p in c.patterns[:2])[:40],
                ", ".join(f"{k} {v:.0%}" for k, v in c.pii.items()),
            )  # fmt: skip
        console.print(view)


def classify(
    url: Annotated[str, typer.Argument(help="SQLAlchemy URL or SQLite file.")],
    table: Annotated[list[str] | None, _TABLES] = None,
    catalogue: Annotated[
        Path | None,
        typer.Option("--catalogue", "-c", help="Where to write (default: <db>.catalogue.json)."),
    ] = None,
    threshold: Annotated[float, typer.Option(help="Share of values that decides a kind.")] = 0.3,
    public: Annotated[
        list[str] | None, typer.Option("--public", help="table.column declared public.")
    ] = None,
    sample: Annotated[int, typer.Option(help="Rows sampled for PII.")] = 1000,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Classify columns (public ... restricted) with evidence; write the catalogue."""
    from charter.agents.data.catalogue import write_catalogue
    from charter.agents.data.classify import classify_database

    result = classify_database(
        url, table or None, now=_now(None), sample_size=sample,
        share_threshold=threshold, public_columns=public or (),
    )  # fmt: skip
    path = write_catalogue(result, catalogue or _default_catalogue(url))
    if as_json:
        _emit_json(result)
    else:
        for name, entry in result.tables.items():
            for column, info in entry.columns.items():
                reasons = "; ".join(e.detail for e in info.evidence if e.decisive)
                line = f"{name}.{column}: {info.level} ({reasons})"
                if info.confident is False:
                    doubt = [e.detail for e in info.evidence if e.source == "confidence"]
                    line += f" [{doubt[0]}]" if doubt else " [not confident]"
                typer.echo(line)
    typer.echo(f"wrote {path}", err=True)


def _print_results(result: SuiteResult) -> None:
    for r in result.results:
        target = r.kwargs.get("column") or r.kwargs.get("column_list") or ""
        verdict = "PASS" if r.success else "FAIL"
        line = f"{verdict} {r.table} {r.expectation} {target}".rstrip()
        if r.error:
            line += f": {r.error}"
        elif r.unexpected_count:
            line += f": {r.unexpected_count} of {r.element_count} rows unexpected"
            if r.failing_keys:
                line += f", e.g. {r.failing_keys[:3]}"
        elif r.observed_value is not None and not r.success:
            line += f": observed {r.observed_value}"
        typer.echo(line)
    typer.echo(
        f"{result.passed}/{len(result.results)} checks passed in {result.elapsed_seconds:.3f}s"
    )


def check(
    url: Annotated[str, typer.Argument(help="SQLAlchemy URL or SQLite file.")],
    suite: Annotated[Path, typer.Argument(help="Suite YAML.")],
    now: Annotated[
        str | None, typer.Option(help="Instant for freshness checks (default: now).")
    ] = None,
    as_json: Annotated[bool, _JSON] = False,
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            help="text, json (Charter's result) or gx (a Great Expectations validation result).",
        ),
    ] = "text",
) -> None:
    """Run a quality suite; exit 1 when a check fails."""
    from charter.agents.data.quality import run_suite
    from charter.agents.data.suite import load_suite

    if output_format not in ("text", "json", "gx"):
        raise ConfigError(f"--format {output_format!r}: expected text, json or gx")
    checks = load_suite(suite)
    with progress_bar("check", as_json=as_json or output_format != "text") as report:
        result = run_suite(url, checks, now=_now(now), progress=report)
    if output_format == "gx":
        from charter.agents.data.gx_result import to_gx_validation_result

        payload = to_gx_validation_result(result)
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")
    elif as_json or output_format == "json":
        _emit_json(result)
    else:
        _print_results(result)
    if not result.success:
        raise typer.Exit(1)


def gx_import(
    source: Annotated[Path, typer.Argument(help="Great Expectations suite JSON.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Suite YAML to write.")],
    table: Annotated[str | None, typer.Option(help="Table the suite checks.")] = None,
    as_json: Annotated[bool, _JSON] = False,
    allow_skips: Annotated[
        bool,
        typer.Option(
            "--allow-skips", help="Exit 0 even when expectations were skipped (still listed)."
        ),
    ] = False,
) -> None:
    """Convert a GX expectation suite; list every expectation skipped and why.

    Exits 1 when any expectation was skipped (the suite checks less than the GX one did),
    unless --allow-skips; the suite YAML is written either way, its header lists the skips.
    """
    from charter.agents.data.gx import import_gx_suite, render_import

    result = import_gx_suite(source, table=table)
    write_atomically(output, render_import(result))
    if as_json:
        _emit_json(result)
        typer.echo(f"wrote {output}", err=True)
    else:
        typer.echo(f"wrote {output}: {result.imported} check(s), {len(result.skipped)} skipped")
        for item in result.skipped:
            typer.echo(f"skipped {item.index}. {item.expectation}: {item.reason}")
    if result.skipped and not allow_skips:
        typer.echo(
            f"{len(result.skipped)} expectation(s) not imported: exit 1 "
            "(pass --allow-skips to accept a partial suite)",
            err=True,
        )
        raise typer.Exit(1)


def mask(
    url: Annotated[str, typer.Argument(help="Source SQLAlchemy URL or SQLite file.")],
    out: Annotated[str, typer.Option("--out", help="Target URL or new SQLite file.")],
    key_env: Annotated[
        str, typer.Option("--key-env", help="Environment variable holding the masking key.")
    ],
    catalogue: Annotated[
        Path | None,
        typer.Option("--catalogue", "-c", help="Governance catalogue (default: classify now)."),
    ] = None,
    table: Annotated[list[str] | None, _TABLES] = None,
    override: Annotated[
        list[str] | None, typer.Option("--override", help="table.column=method")
    ] = None,
    keep_uncertain: Annotated[
        bool,
        typer.Option(
            "--keep-uncertain",
            help="Copy public/internal columns in clear even when the classification is "
            "not confident about them (default: tokenise them: fail closed).",
        ),
    ] = False,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Write a masked copy (keyed tokens, format-preserving e-mails/phones) per catalogue.
    Fails closed: a column not confidently public/internal is tokenised; the summary lists
    every column copied in clear and why."""
    from charter.agents.data.catalogue import load_catalogue
    from charter.agents.data.classify import classify_database
    from charter.agents.data.masking import METHODS, MaskMethod, mask_database

    key = os.environ.get(key_env, "")
    if not key:
        raise ConfigError(f"--key-env {key_env}: the environment variable is empty or unset")
    overrides: dict[str, MaskMethod] = {}
    for item in override or []:
        column, _, method = item.partition("=")
        if not column or method not in METHODS:
            raise ConfigError(f"--override {item!r}: expected table.column=<{'|'.join(METHODS)}>")
        overrides[column] = method  # type: ignore[assignment,unused-ignore]  # checked above
    known = (
        load_catalogue(catalogue)
        if catalogue
        else classify_database(url, table or None, now=_now(None))
    )
    report = mask_database(url, out, known, key.encode("utf-8"), tables=table or None,
                           overrides=overrides, keep_uncertain=keep_uncertain)  # fmt: skip
    if as_json:
        _emit_json(report)
        return
    for entry in report.columns:
        if entry.method != "keep":
            typer.echo(f"{entry.table}.{entry.column}: {entry.method} ({entry.reason})")
    clear = report.in_clear
    typer.echo(f"copied in clear: {len(clear)} of {len(report.columns)} column(s)")
    for entry in clear:
        typer.echo(f"  {entry.table}.{entry.column}: {entry.reason}")
    typer.echo(
        f"wrote {report.target}: " + ", ".join(f"{t} {n} rows" for t, n in report.rows.items())
    )


def register(app: typer.Typer) -> None:
    """Attach this module's commands to `charter data`."""
    app.command("profile")(profile)
    app.command("classify")(classify)
    app.command("check")(check)
    app.command("gx-import")(gx_import)
    app.command("mask")(mask)
