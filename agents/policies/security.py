"""Security's rule policy: approves data access and masking only when every restricted
column is masked or tokenised, and classifications that match personal data are at
least confidential."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from charter.protocols import Action, AgentView

from ._common import current_message, reply, report

_PROTECTED = {"masked", "tokenised", "hashed", "dropped"}
_PERSONAL = re.compile(r"(email|phone|ssn|iban|card|passport|birth|address)", re.I)


def review_columns(columns: list[dict[str, Any]]) -> list[str]:
    findings = []
    for column in columns:
        name = f"{column.get('table')}.{column.get('column')}"
        level = column.get("classification")
        masking = column.get("masking", "none")
        if level == "restricted" and masking not in _PROTECTED:
            findings.append(f"{name} is restricted but not masked or tokenised")
        if _PERSONAL.search(str(column.get("column"))) and level in (None, "public", "internal"):
            findings.append(f"{name} looks personal but is classified {level or 'unclassified'}")
    return findings


class SecurityBrain:
    def decide(self, view: AgentView) -> Sequence[Action]:
        message = current_message(view)
        if message is None or message.recipient != view.role or message.kind != "request":
            if view.task is not None and view.step == 0:
                return [report(view, "success", f"security review of {view.task.title}")]
            return []
        if view.step > 0:  # answered in the first step of this turn
            return []
        payload = message.payload
        if message.protocol in ("data_security_review", "masking_review", "governance_alignment"):
            columns = payload.get("columns") or payload.get("classifications") or []
            findings = review_columns(list(columns))
            subject = str(payload.get("subject", message.protocol))
            return [
                reply(
                    message,
                    {
                        "approved": not findings,
                        "subject": subject,
                        "findings": findings or ["restricted columns protected"],
                    },
                )
            ]
        if message.protocol == "privacy_compliance":
            return [
                reply(
                    message,
                    {
                        "approved": True,
                        "subject": "privacy",
                        "findings": [
                            f"{r} obligations noted" for r in payload.get("regulations", [])
                        ],
                    },
                )
            ]
        return [reply(message, {"accepted": True, "notes": f"{message.protocol} received"})]


__all__ = ["SecurityBrain", "review_columns"]
