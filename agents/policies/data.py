"""The Data agent's rule policy (the seed's role, deterministic).

What it does, by what woke it:
- a signal: diagnoses with real tools when the signal names a database (pipeline
  failures: duplicate keys on the failing load), escalates by its trigger table, proposes
  a fix as a migration and asks the Architect (`schema_review`) and, when the migration
  touches confidential or restricted columns, Security (`data_security_review`); tells
  Integration about the paused pipeline (`etl_coordination`); reports;
- a task: plans by keywords (migration, governance/classification, pipeline/ETL,
  analytics/report, query/performance, anything else) and writes only in its own areas
  (`migrations/`, `etl/`, `data-governance/`, `reports/`, `queries/`, `monitoring/`);
- a reply: when the last review of a proposed migration arrives, applies it if every
  reviewer approved (the gate checks that again) or reports it blocked;
- a request from a partner: answers it in the protocol's reply type.
Every turn that finishes work reports Status / Findings / Issues / Recommendations and
the lessons learned (which learning capture turns into memories).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from charter.protocols import (
    Action,
    AgentView,
    Escalate,
    Lesson,
    Message,
    SendMessage,
    Signal,
    UseTool,
    WriteFile,
)

from ._common import current_message, reply, report, slug

_SENSITIVE = ("confidential", "restricted")
_REVIEWS = ("schema_review", "data_security_review")


def _trigger_for(view: AgentView, signal_kind: str) -> str | None:
    for trigger in view.charter.escalation.all_triggers():
        if signal_kind in trigger.signals:
            return trigger.name
    return None


def _columns(raw: Any) -> list[dict[str, Any]]:
    return [dict(c) for c in raw or [] if isinstance(c, dict)]


def _sensitive(columns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in columns if c.get("classification") in _SENSITIVE]


def _protect(columns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # The Data agent's own governance rule: restricted columns leave a migration tokenised.
    return [
        {**c, "masking": "tokenised"} if c.get("classification") == "restricted" else c
        for c in columns
    ]


def propose_migration(
    path: str,
    sql: str,
    tables: list[str],
    columns: list[dict[str, Any]],
    rationale: str,
    correlation_id: str | None,
) -> list[Action]:
    """The review requests a migration needs before it may be applied."""
    columns = _protect(columns)
    actions: list[Action] = [
        SendMessage(
            to="architect",
            protocol="schema_review",
            correlation_id=correlation_id,
            payload={
                "migration": path,
                "sql": sql,
                "tables": tables,
                "columns": columns,
                "rationale": rationale,
            },
        )
    ]
    if _sensitive(columns):
        actions.append(
            SendMessage(
                to="security",
                protocol="data_security_review",
                correlation_id=correlation_id,
                payload={"subject": path, "columns": _sensitive(columns), "purpose": rationale},
            )
        )
    return actions


def dedupe_migration(table: str, key: str, sensitive: list[dict[str, Any]]) -> str:
    lines = [
        f"-- Keep the latest row per {key} so the unique index can be built.",
        f"DELETE FROM {table} WHERE rowid NOT IN (SELECT MAX(rowid) FROM {table} GROUP BY {key});",
        f"CREATE UNIQUE INDEX IF NOT EXISTS ux_{table}_{key} ON {table} ({key});",
    ]
    for column in sensitive:
        if column.get("table") == table:
            name = column["column"]
            lines.append(f"-- {name} is {column['classification']}: keep a token, not the value.")
            lines.append(f"ALTER TABLE {table} ADD COLUMN {name}_token VARCHAR(64);")
            lines.append(
                f"UPDATE {table} SET {name}_token = lower(hex(randomblob(16))), {name} = NULL;"
            )
    return "\n".join(lines) + "\n"


class DataBrain:
    def decide(self, view: AgentView) -> Sequence[Action]:
        message = current_message(view)
        if message is not None and message.recipient == view.role:
            return self._on_message(view, message)
        if view.signal is not None:
            return self._on_signal(view, view.signal)
        if view.task is not None:
            return self._on_task(view)
        return []

    # --- signals ----------------------------------------------------------------------

    def _on_signal(self, view: AgentView, signal: Signal) -> list[Action]:
        payload = signal.payload
        trigger = _trigger_for(view, signal.kind)
        if view.step == 0:
            actions: list[Action] = []
            database, table = payload.get("database"), payload.get("table")
            key = payload.get("key")
            if database and table and key:
                actions.append(
                    UseTool(
                        tool="sql_query",
                        arguments={
                            "database": database,
                            "sql": f"SELECT {key}, COUNT(*) AS copies FROM {table} GROUP BY {key} "
                            f"HAVING COUNT(*) > 1 ORDER BY {key}",
                        },
                    )
                )
            if trigger is not None:
                actions.append(
                    Escalate(
                        trigger=trigger,
                        summary=f"{signal.kind.replace('_', ' ')}: "
                        f"{payload.get('pipeline') or payload.get('summary') or signal.id}",
                        evidence=[str(payload.get("error", signal.kind))],
                    )
                )
            return actions or [self._signal_report(view, signal, [], trigger)]
        if view.step == 1:
            return self._signal_follow_up(view, signal, trigger)
        if view.step == 2 and any(r.tool == "migration_check" for r in view.tool_results):
            return self._propose_fix(view, signal)
        return []

    @staticmethod
    def _duplicates(view: AgentView) -> list[Any]:
        return [
            row
            for result in view.tool_results
            if result.tool == "sql_query" and result.ok
            for row in result.result.get("rows", [])
        ]

    @staticmethod
    def _fix_sql(signal: Signal) -> tuple[str, str]:
        payload = signal.payload
        table, key = str(payload["table"]), str(payload["key"])
        path = f"migrations/0001_dedupe_{slug(table)}.sql"
        sensitive = _protect(_sensitive(_columns(payload.get("columns"))))
        return path, dedupe_migration(table, key, sensitive)

    def _signal_follow_up(
        self, view: AgentView, signal: Signal, trigger: str | None
    ) -> list[Action]:
        duplicates = self._duplicates(view)
        if signal.kind != "pipeline_failed" or not duplicates:
            return [self._signal_report(view, signal, duplicates, trigger)]
        # Prove the fix on a copy of the database before anyone is asked to approve it.
        _, sql = self._fix_sql(signal)
        levels = {
            f"{c['table']}.{c['column']}": c["classification"]
            for c in _sensitive(_columns(signal.payload.get("columns")))
        }
        return [
            UseTool(
                tool="migration_check",
                arguments={
                    "database": signal.payload.get("database"),
                    "sql": sql,
                    "classifications": levels,
                },
            )
        ]

    def _propose_fix(self, view: AgentView, signal: Signal) -> list[Action]:
        payload = signal.payload
        duplicates = self._duplicates(view)
        table, key = str(payload["table"]), str(payload["key"])
        pipeline = str(payload.get("pipeline", table))
        path, sql = self._fix_sql(signal)
        check = next(r for r in view.tool_results if r.tool == "migration_check")
        before = check.result.get("rows_before", {}).get(table)
        after = check.result.get("rows_after", {}).get(table)
        dry_run = (
            f"dry run on a copy: {table} {before} -> {after} rows; {check.summary}"
            if check.ok
            else f"dry run failed: {check.summary}"
        )
        actions = propose_migration(
            path,
            sql,
            [table],
            _columns(payload.get("columns")),
            f"{pipeline} failed on duplicate {key}s; dedupe and enforce uniqueness ({dry_run})",
            signal.id,
        )
        actions.append(
            SendMessage(
                to="integration",
                protocol="etl_coordination",
                correlation_id=signal.id,
                payload={
                    "pipeline": pipeline,
                    "status": "paused",
                    "depends_on": [f"{table} deduplication"],
                },
            )
        )
        actions.append(
            WriteFile(
                path=f"monitoring/{slug(pipeline)}_duplicates.yaml",
                content=f"check: unique\ntable: {table}\ncolumn: {key}\nalert: pipeline_failed\n",
                reason="watch for the duplicate keys that broke the load",
            )
        )
        actions.append(
            report(
                view,
                "partial",
                f"{pipeline} diagnosed: {len(duplicates)} duplicated {key}(s)",
                findings=[
                    f"{len(duplicates)} {key} value(s) occur more than once in {table}",
                    f"first: {duplicates[0][0]} x{duplicates[0][1]}",
                    dry_run,
                ],
                issues=[str(payload.get("error", "pipeline failed"))],
                recommendations=[
                    f"apply {path} after schema_review and data_security_review",
                    f"resume {pipeline} after the migration",
                ],
                lessons=[
                    Lesson(
                        category="failure",
                        summary=f"{pipeline} failed on duplicate {key}s in {table}",
                        detail="deduplicate, then enforce a unique index",
                        tags=[pipeline, table],
                        importance=0.8,
                    )
                ],
            )
        )
        return actions

    def _signal_report(
        self, view: AgentView, signal: Signal, rows: list[Any], trigger: str | None
    ) -> Any:
        return report(
            view,
            "partial" if trigger else "success",
            f"handled {signal.kind}",
            findings=[f"{len(rows)} row(s) examined"] if rows else [],
            issues=[f"escalated as {trigger}"] if trigger else [],
            recommendations=["follow the PM's decision"] if trigger else [],
            lessons=[
                Lesson(
                    category="recovery",
                    summary=f"{signal.kind} handled",
                    tags=[signal.kind],
                    importance=0.4,
                )
            ],
        )

    # --- tasks ------------------------------------------------------------------------

    def _on_task(self, view: AgentView) -> list[Action]:
        task = view.task
        assert task is not None
        if view.step > 0:
            if view.step > 1:
                return []
            issues = [d.reason for d in view.denials] + list(view.rejections)
            return [
                report(
                    view,
                    "blocked" if issues else "success",
                    task.title,
                    issues=issues,
                    lessons=[
                        Lesson(
                            category="standard" if issues else "pattern",
                            summary=f"{task.title}: "
                            + ("refused: " + issues[0] if issues else "done"),
                            tags=[slug(task.title)],
                        )
                    ],
                )
            ]
        text = f"{task.title} {task.task}".casefold()
        inputs = task.inputs
        name = slug(task.title)
        if "migration" in text or "schema" in text:
            path = str(inputs.get("migration", f"migrations/{name}.sql"))
            sql = str(inputs.get("sql", ""))
            tables = [str(t) for t in inputs.get("tables", [])]
            return [
                *propose_migration(
                    path,
                    sql,
                    tables,
                    _columns(inputs.get("columns")),
                    task.task,
                    task.correlation_id or task.id,
                ),
                report(
                    view,
                    "partial",
                    f"{path} proposed for review",
                    recommendations=[f"apply {path} once reviewed"],
                ),
            ]
        if any(w in text for w in ("classif", "governance", "pii", "privacy", "masking")):
            columns = _columns(inputs.get("columns"))
            body = "columns:\n" + "".join(
                f"  {c.get('table')}.{c.get('column')}: {c.get('classification')}\n"
                for c in columns
            )
            actions: list[Action] = [WriteFile(path=f"data-governance/{name}.yaml", content=body)]
            if columns:
                actions.append(
                    SendMessage(
                        to="security",
                        protocol="governance_alignment",
                        payload={"classifications": _protect(columns)},
                    )
                )
            return actions
        if "pipeline" in text or "etl" in text:
            return [
                WriteFile(path=f"etl/{name}.py", content=f'"""{task.task}"""\n'),
                SendMessage(
                    to="integration",
                    protocol="etl_coordination",
                    payload={"pipeline": name, "status": "new"},
                ),
            ]
        if "query" in text or "index" in text or "performance" in text:
            actions = [
                WriteFile(
                    path=f"queries/{name}.sql", content=str(inputs.get("sql", f"-- {task.task}\n"))
                )
            ]
            if inputs.get("database") and inputs.get("sql"):
                actions.append(
                    UseTool(
                        tool="sql_query",
                        arguments={"database": inputs["database"], "sql": inputs["sql"]},
                    )
                )
            return actions
        if any(w in text for w in ("backup", "restore", "reliability", "recovery", "disaster")):
            actions = [
                WriteFile(
                    path=f"data/runbooks/{name}.md",
                    content=f"# {task.title}\n\n1. back up\n2. verify the restore\n",
                )
            ]
            if inputs.get("database"):
                actions.append(UseTool(tool="backup", arguments={"database": inputs["database"]}))
            return actions
        if any(w in text for w in ("model", "drift", "mlflow", "inference")):
            return [
                WriteFile(
                    path=f"ml-models/{name}.yaml",
                    content=f"model: {name}\nmonitoring: drift\n",
                    reason="model lifecycle entry",
                )
            ]
        if any(w in text for w in ("data mesh", "data product", "contract", "subscription")):
            return [
                WriteFile(path=f"data-mesh/{name}.yaml", content=f"product: {name}\n"),
                SendMessage(
                    to="integration",
                    protocol="api_data_contract",
                    payload={"contract": name, "fields": dict(inputs.get("fields", {}))},
                ),
            ]
        if any(w in text for w in ("audit", "compliance", "gdpr", "ccpa", "sox")):
            return [
                WriteFile(path=f"data-governance/{name}-audit.md", content=f"# {task.title}\n"),
                SendMessage(
                    to="security",
                    protocol="compliance_report",
                    payload={
                        "period": str(inputs.get("period", "current")),
                        "findings": [task.task],
                    },
                ),
            ]
        if "cach" in text:
            return [
                SendMessage(
                    to="engineer",
                    protocol="caching_strategy",
                    payload={"dataset": name, "ttl_seconds": int(inputs.get("ttl_seconds", 300))},
                )
            ]
        if "architecture" in text or "warehouse" in text:
            return [
                SendMessage(
                    to="architect",
                    protocol="data_architecture",
                    payload={"summary": task.task, "components": ["staging", "warehouse"]},
                )
            ]
        if "report" in text or "analytics" in text or "dashboard" in text:
            return [WriteFile(path=f"reports/{name}.sql", content=f"-- {task.task}\n")]
        if "path" in inputs:  # an explicit file to write (tests, scripted runs)
            return [WriteFile(path=str(inputs["path"]), content=str(inputs.get("content", "")))]
        return [report(view, "success", f"reviewed: {task.title}")]

    # --- messages ---------------------------------------------------------------------

    def _on_message(self, view: AgentView, message: Message) -> list[Action]:
        if message.kind == "request":
            if view.step > 0:
                return []
            if message.protocol in ("data_sync", "etl_coordination", "threat_detection"):
                return [reply(message, {"accepted": True, "notes": "noted by data"})]
            return [
                reply(
                    message,
                    {
                        "approved": True,
                        "subject": message.protocol,
                        "notes": "data model consistent",
                    },
                )
            ]
        if message.protocol not in _REVIEWS or view.step > 0:
            return []
        subject = str(message.payload.get("subject", ""))
        requests = [
            m
            for m in view.inbox
            if m.sender == view.role
            and m.protocol in _REVIEWS
            and subject in (m.payload.get("migration"), m.payload.get("subject"))
        ]
        replies = {m.reply_to: m for m in view.inbox if m.kind == "reply" and m.reply_to}
        if not requests or any(r.id not in replies for r in requests):
            return []  # wait for the other review
        verdicts = [replies[r.id] for r in requests]
        proposal = next(r for r in requests if r.protocol == "schema_review")
        reviewers = ", ".join(sorted(v.sender for v in verdicts))
        if all(v.payload.get("approved") is True for v in verdicts):
            return [
                WriteFile(
                    path=subject,
                    content=str(proposal.payload.get("sql", "")),
                    reason=f"approved by {reviewers}",
                ),
                report(
                    view,
                    "success",
                    f"{subject} applied after review by {reviewers}",
                    findings=[
                        f"{v.sender}: {'; '.join(v.payload.get('findings', []))}" for v in verdicts
                    ],
                    recommendations=["resume the paused pipeline", "keep the unique check"],
                    lessons=[
                        Lesson(
                            category="pattern",
                            summary="deduplicate before adding a unique index",
                            tags=["migration"],
                            importance=0.7,
                        ),
                        Lesson(
                            category="protocol",
                            summary=f"migration reviews: {reviewers}",
                            detail="schema_review and data_security_review both approve "
                            "before a sensitive migration",
                            tags=["review"],
                        ),
                    ],
                ),
            ]
        refusals = [
            f
            for v in verdicts
            if v.payload.get("approved") is not True
            for f in v.payload.get("findings", [])
        ]
        return [
            report(
                view,
                "blocked",
                f"{subject} not applied: review refused",
                issues=refusals or ["a reviewer refused"],
                recommendations=["revise the migration and ask again"],
                lessons=[
                    Lesson(
                        category="failure",
                        summary=f"review refused {subject}",
                        detail="; ".join(refusals),
                        tags=["review"],
                    )
                ],
            )
        ]


__all__ = ["DataBrain", "dedupe_migration", "propose_migration"]
