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
from .data_migrations import (
    columns_of,
    dedupe_migration,
    propose_migration,
    protect,
    sensitive_of,
)
from .data_tasks import plan_task

_REVIEWS = ("schema_review", "data_security_review")


def _trigger_for(view: AgentView, signal_kind: str) -> str | None:
    for trigger in view.charter.escalation.all_triggers():
        if signal_kind in trigger.signals:
            return trigger.name
    return None


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
                # The quality suite says which expectation broke; the query says where.
                actions.append(
                    UseTool(
                        tool="run_quality_suite",
                        arguments={
                            "database": database,
                            "suite": {
                                "name": f"{payload.get('pipeline', table)} keys",
                                "table": table,
                                "checks": [
                                    {"expect_column_values_to_be_unique": {"column": key}},
                                    {"expect_column_values_to_not_be_null": {"column": key}},
                                ],
                            },
                        },
                    )
                )
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
        sensitive = protect(sensitive_of(columns_of(payload.get("columns"))))
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
            for c in sensitive_of(columns_of(signal.payload.get("columns")))
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
            columns_of(payload.get("columns")),
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
                    *(
                        f"quality suite: {r.summary}"
                        for r in view.tool_results
                        if r.tool == "run_quality_suite"
                    ),
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
        return plan_task(view)

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


__all__ = ["DataBrain", "plan_task"]
