"""The Data agent's task planning: a TaskAssignment becomes writes in its own areas
(`migrations/`, `etl/`, `data-governance/`, `reports/`, `queries/`, `data/`, `ml-models/`,
`data-mesh/`), tool calls and partner requests, by keywords of the task; the step after,
a report in the Status / Findings / Issues / Recommendations shape with its lesson."""

from __future__ import annotations

from charter.protocols import (
    Action,
    AgentView,
    Lesson,
    SendMessage,
    UseTool,
    WriteFile,
)

from ._common import report, slug
from .data_migrations import columns_of, propose_migration, protect


def plan_task(view: AgentView) -> list[Action]:
    """The Data agent's plan for a task, by keywords, in its own areas."""
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
                        summary=f"{task.title}: " + ("refused: " + issues[0] if issues else "done"),
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
                columns_of(inputs.get("columns")),
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
        columns = columns_of(inputs.get("columns"))
        body = "columns:\n" + "".join(
            f"  {c.get('table')}.{c.get('column')}: {c.get('classification')}\n" for c in columns
        )
        actions: list[Action] = [WriteFile(path=f"data-governance/{name}.yaml", content=body)]
        if columns:
            actions.append(
                SendMessage(
                    to="security",
                    protocol="governance_alignment",
                    payload={"classifications": protect(columns)},
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


__all__ = ["plan_task"]
