"""The gate through the Orchestrator: authorities, protocol checks, migration rules."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from charter.agents.brain import ScriptedBrain
from charter.protocols import Action, AgentView, SendMessage, WriteFile
from charter.protocols.events import AuthorityChecked, DeadLetter, ProtocolViolation


def test_denied_write_leaves_workspace_byte_identical(
    make_orch: Callable, snapshot_tree: Callable[[Path], dict[str, bytes]]
) -> None:
    brain = ScriptedBrain(
        [
            [
                WriteFile(path="migrations/0001_init.sql", content="DROP TABLE orders;"),
                WriteFile(path="migrations/0002_new.sql", content="-- nope"),
            ],
            [],
        ]
    )
    orch = make_orch(brains={"engineer": brain}, checkpointer="memory")
    existing = orch.rt.workspace / "migrations" / "0001_init.sql"
    existing.parent.mkdir(parents=True)
    existing.write_bytes(b"CREATE TABLE orders (order_id INTEGER PRIMARY KEY);\n")
    before = snapshot_tree(orch.rt.workspace)

    orch.submit("touch the migrations", to="engineer")
    assert orch.run_until_idle() == "idle"

    assert snapshot_tree(orch.rt.workspace) == before
    denied = orch.store.authority_decisions(role="engineer", allowed=False)
    assert {d.requested_path for d in denied} == {
        "migrations/0001_init.sql",
        "migrations/0002_new.sql",
    }
    for decision in denied:
        assert decision.role == "engineer"  # who
        assert decision.rule == "forbidden"  # which rule
        assert decision.pattern == "**/migrations/"
    checked = [e for _, e in orch.events(kinds={"authority_checked"})]
    assert all(isinstance(e, AuthorityChecked) and e.agent == "engineer" for e in checked)
    assert len(checked) == 2
    assert not orch.events(kinds={"file_written"})
    # The turn went on with the denials in the next view.
    assert [d.requested_path for d in brain.calls[1].denials] == [
        "migrations/0001_init.sql",
        "migrations/0002_new.sql",
    ]


def test_allowed_write_lands_in_the_workspace(make_orch: Callable) -> None:
    brain = ScriptedBrain([[WriteFile(path="etl/load.py", content="print('x')\n")], []])
    orch = make_orch(brains={"data": brain}, checkpointer="memory")
    orch.submit("write the loader", to="data")
    orch.run_until_idle()
    assert (orch.rt.workspace / "etl" / "load.py").read_text() == "print('x')\n"
    ((_, written),) = orch.events(kinds={"file_written"})
    assert written.path == "etl/load.py" and written.size == 11


def _send_once(message: SendMessage) -> ScriptedBrain:
    return ScriptedBrain([[message], []])


@pytest.mark.parametrize(
    ("message", "reason_part"),
    [
        (SendMessage(to="nobody", protocol="schema_review", payload={}), "unknown recipient"),
        (SendMessage(to="data", protocol="etl_coordination", payload={"pipeline": "x"}), "itself"),
        (SendMessage(to="pm", protocol="schema_review", payload={}), "nobody delegates"),
        (SendMessage(to="architect", protocol="gossip", payload={}), "undeclared protocol"),
        (SendMessage(to="engineer", protocol="schema_review", payload={}), "declared between"),
        (
            SendMessage(to="architect", protocol="schema_review", payload={"migration": 3}),
            "SchemaReviewRequest",
        ),
        (
            SendMessage(to="architect", protocol="schema_review", payload={}, reply_to="m-x"),
            "Review",
        ),
    ],
)
def test_bad_message_is_a_dead_letter_and_an_error_event(
    make_orch: Callable, message: SendMessage, reason_part: str
) -> None:
    brain = _send_once(message)
    orch = make_orch(brains={"data": brain}, checkpointer="memory")
    orch.submit("coordinate", to="data")
    assert orch.run_until_idle() == "idle"
    ((_, error),) = orch.events(kinds={"protocol_error"})
    ((_, dead),) = orch.events(kinds={"dead_letter"})
    assert isinstance(error, ProtocolViolation) and isinstance(dead, DeadLetter)
    assert reason_part in error.reason and reason_part in dead.reason
    assert error.sender == "data" and error.recipient == message.to
    stored = orch.store.messages(status="dead")
    assert [m.id for m, _ in stored] == [dead.message.id]
    assert not orch.events(kinds={"message_sent"})  # nothing was delivered
    assert any(reason_part in r for r in brain.calls[1].rejections)


def test_unknown_role_message_is_dead_not_silent(make_orch: Callable) -> None:
    orch = make_orch(
        brains={"data": _send_once(SendMessage(to="ghost", protocol="data_sync", payload={}))},
        checkpointer="memory",
    )
    orch.submit("sync", to="data")
    orch.run_until_idle()
    assert [e.kind for _, e in orch.events(kinds={"protocol_error", "dead_letter"})] == [
        "protocol_error",
        "dead_letter",
    ]
    dead = orch.store.messages(status="dead")[0][0]
    assert dead.recipient == "ghost"
    # ...and, like a request whose reply deadline passed, the sender's charter escalation
    # for failed cross-agent work (the Data agent's table: Cross-Agent Failures, immediate).
    (escalation,) = orch.escalations()
    assert (escalation.source, escalation.trigger) == ("data", "Cross-Agent Failures")
    assert escalation.severity.value == "immediate"
    assert f"message:{dead.id}" in escalation.evidence


_SQL = (
    "ALTER TABLE customers ADD COLUMN email_token VARCHAR(64);\n"
    "UPDATE customers SET email = NULL;\n"
)


def _migration_brain(sql: str, ask_security: bool) -> Callable[[AgentView], Sequence[Action]]:
    path = "migrations/0007_email.sql"

    def decide(view: AgentView) -> Sequence[Action]:
        if view.task is not None and view.step == 0:
            actions: list[Action] = [
                WriteFile(path=path, content=sql),  # too early: nobody reviewed it
                SendMessage(
                    to="architect",
                    protocol="schema_review",
                    payload={"migration": path, "sql": sql},
                ),
            ]
            if ask_security:
                actions.append(
                    SendMessage(
                        to="security",
                        protocol="data_security_review",
                        payload={
                            "subject": path,
                            "columns": [
                                {
                                    "table": "customers",
                                    "column": "email",
                                    "classification": "restricted",
                                    "masking": "tokenised",
                                }
                            ],
                        },
                    )
                )
            return actions
        if view.inbox and view.inbox[-1].kind == "reply" and view.step == 0:
            replies = [m for m in view.inbox if m.kind == "reply"]
            if len(replies) == (2 if ask_security else 1):
                return [WriteFile(path=path, content=sql)]
        return []

    return decide


def test_migration_waits_for_architect_and_security(make_orch: Callable) -> None:
    sql = _SQL
    orch = make_orch(
        brains={"data": ScriptedBrain(_migration_brain(sql, ask_security=False))},
        checkpointer="memory",
        classifications={"customers.email": "restricted"},
    )
    orch.submit("tokenise e-mails", to="data")
    orch.run_until_idle()
    errors = [e.reason for _, e in orch.events(kinds={"protocol_error"})]
    assert "schema_review" in errors[0]  # the early write: no architect review yet
    assert "data_security_review" in errors[1]  # reviewed, but touches a restricted column
    assert not (orch.rt.workspace / "migrations" / "0007_email.sql").exists()


def test_migration_applies_after_both_approvals(make_orch: Callable, tmp_path: Path) -> None:
    sql = _SQL
    orch = make_orch(
        brains={"data": ScriptedBrain(_migration_brain(sql, ask_security=True))},
        checkpointer="memory",
        classifications={"customers.email": "restricted"},
    )
    orch.submit("tokenise e-mails", to="data")
    orch.run_until_idle()
    errors = [e.reason for _, e in orch.events(kinds={"protocol_error"})]
    assert len(errors) == 1 and "schema_review" in errors[0]  # only the early attempt
    assert (orch.rt.workspace / "migrations" / "0007_email.sql").read_text() == sql


def test_security_refuses_unmasked_restricted_column(make_orch: Callable) -> None:
    path = "migrations/0008.sql"

    def decide(view: AgentView) -> Sequence[Action]:
        if view.task is not None and view.step == 0:
            return [
                SendMessage(
                    to="security",
                    protocol="data_security_review",
                    payload={
                        "subject": path,
                        "columns": [
                            {
                                "table": "customers",
                                "column": "email",
                                "classification": "restricted",
                            }
                        ],
                    },
                )
            ]
        return []

    orch = make_orch(brains={"data": ScriptedBrain(decide)}, checkpointer="memory")
    orch.submit("review", to="data")
    orch.run_until_idle()
    replies = [
        e.message for _, e in orch.events(kinds={"message_sent"}) if e.message.kind == "reply"
    ]
    assert replies[0].payload["approved"] is False
    assert "not masked" in replies[0].payload["findings"][0]
