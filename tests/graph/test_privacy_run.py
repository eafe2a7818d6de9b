"""Secrets and personal data put into a task never reach a byte of the run directory:
not the store's tables, not the LangGraph checkpoints, not the WAL, not the event stream."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from charter.graph.orchestrator import Orchestrator
from charter.protocols import TaskAssignment

CARD = "4111111111111111"  # passes Luhn
API_KEY = "sk-ant-api03-" + "Q" * 40
EMAIL = "jane.doe@example.org"


def _run_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


def test_task_secrets_never_persisted(
    make_orch: Callable[..., Orchestrator], tmp_path: Path
) -> None:
    run_dir = tmp_path / "run"
    orch = make_orch(run_dir)
    orch.submit(
        TaskAssignment(
            id="t-secret",
            title="Investigate the refund for a customer",
            task=f"Customer {EMAIL} paid with {CARD}; the vendor key is {API_KEY}.",
            context=[f"ticket mentions {EMAIL}"],
            inputs={"card": CARD, "key": API_KEY},
        ),
        to="data",
    )
    orch.run_until_idle()
    streamed = "".join(event.model_dump_json() for _, event in orch.events())
    orch.close()

    on_disk = _run_bytes(run_dir)
    # The control: the run really did record the task (redacted), so the grep below is
    # looking at the right files.
    assert b"REDACTED" in on_disk
    assert "REDACTED" in streamed
    for secret in (CARD, API_KEY, EMAIL):
        assert secret.encode() not in on_disk, f"{secret!r} reached the run directory"
        assert secret not in streamed, f"{secret!r} reached the event stream"
