"""The prompt a Claude brain sends: a stable system prefix (the charter and its protocols,
cached) and a per-step user message built from the AgentView within a token budget.

The budget matters because an agent's inbox and memories grow with the run: without it a
long run sends ever larger prompts. Sections are filled in priority order (what to do now,
what just happened, the conversation, then memories by score); every item is clipped, and
whatever does not fit is counted in a closing line, so the model knows something was left out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from charter.protocols import AgentView, Charter

CHARS_PER_TOKEN = 4  # the estimate used everywhere offline (no tokenizer is shipped)


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False, default=str)


def system_prompt(charter: Charter, team: Sequence[str]) -> str:
    """The stable part of every request of this role; identical across steps and turns so
    prompt caching serves it."""
    lines = [
        f"You are the {charter.title} (role '{charter.role}') in a multi-agent software team "
        "run by Charter. You act only by calling the tools offered; every call is a proposal "
        "that Charter's gate checks against your charter before anything happens. When you "
        "have nothing more to do this turn, answer with a short text and no tool call.",
        "",
        f"About the role: {charter.description}".rstrip(),
        f"Team: {', '.join(team)}." if team else "",
        "",
        "## Writing authorities (gitignore patterns, relative to the workspace root)",
    ]
    auth = charter.authorities
    seen_notes: set[str] = set()
    for label, rules in (
        ("Exclusive", auth.exclusive),
        ("Shared", auth.shared),
        ("Forbidden", auth.forbidden),
    ):
        for rule in rules:
            extra = f" (except {', '.join(rule.exceptions)})" if rule.exceptions else ""
            # Several patterns often share one note; saying it once keeps the prefix short.
            note = f" — {rule.note}" if rule.note and rule.note not in seen_notes else ""
            seen_notes.add(rule.note)
            lines.append(f"- {label}: {rule.pattern}{extra}{note}")
    if not charter.writes_code:
        lines.append("- You never write code or files.")
    lines += ["", "## Escalation triggers (severity is fixed by this table)"]
    for severity, triggers in (
        ("immediate", charter.escalation.immediate),
        ("standard", charter.escalation.standard),
    ):
        for trigger in triggers:
            signals = f" [signals: {', '.join(trigger.signals)}]" if trigger.signals else ""
            lines.append(f"- {trigger.name} ({severity}){signals}: {trigger.description}")
    if charter.coordination:
        lines += ["", "## Coordination protocols"]
        for partner in charter.coordination:
            lines.append(
                f"- with {partner.role}: {', '.join(partner.protocols)} "
                f"(topics: {', '.join(partner.topics)})"
            )
    if charter.memory_kinds:
        lines += [
            "",
            f"## Memory kinds you keep: {', '.join(k.value for k in charter.memory_kinds)}",
        ]
    if charter.success_metrics:
        metrics = "; ".join(
            f"{m.name} {m.comparison} {m.target:g}{m.unit}" for m in charter.success_metrics
        )
        lines += ["", f"## Success metrics: {metrics}"]
    return "\n".join(line for line in lines if line is not None)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 15)] + " …[clipped]"


def user_message(
    view: AgentView, *, earlier: Sequence[str], budget_tokens: int | None, item_chars: int = 1500
) -> str:
    """The per-step message. `budget_tokens=None` sends everything unclipped (the
    benchmark's baseline)."""
    unlimited = budget_tokens is None
    limit = 10**9 if unlimited else (budget_tokens or 0) * CHARS_PER_TOKEN
    item = 10**9 if unlimited else item_chars
    head = [f"Now: {view.now.isoformat()}  Step: {view.step}  Role: {view.role}"]
    if view.task is not None:
        t = view.task
        head.append(f"## Task {t.id}: {t.title}\n{_clip(t.task, item)}")
        for label, values in (
            ("Context", t.context),
            ("Standards", t.standards),
            ("Previous learning", t.previous_learning),
        ):
            if values:
                head.append(f"{label}: " + _clip("; ".join(values), item))
        if t.inputs:
            head.append("Inputs: " + _clip(_compact(t.inputs), item))
    if view.signal is not None:
        s = view.signal
        head.append(
            f"## Signal: {s.kind} (from {s.source}, id {s.id})\n" + _clip(_compact(s.payload), item)
        )
    feedback: list[str] = []
    feedback += [f"- proposed earlier: {_clip(e, 300)}" for e in earlier]
    feedback += [
        f"- tool {r.tool} {'ok' if r.ok else 'FAILED'}: {_clip(r.summary, 300)} "
        + _clip(_compact(r.result), item)
        for r in view.tool_results
    ]
    feedback += [f"- write DENIED {d.path}: {d.reason}" for d in view.denials]
    feedback += [f"- rejected: {_clip(r, 300)}" for r in view.rejections]
    if feedback:
        head.append("## This turn so far\n" + "\n".join(feedback))
    # Optional sections, most useful first; each entry is (section, text).
    optional: list[tuple[str, str]] = []
    for m in reversed(view.inbox):  # newest first
        optional.append(
            (
                "Inbox",
                f"- [{m.id}] {m.kind} {m.protocol} from {m.sender} to "
                f"{m.recipient}: " + _clip(_compact(m.payload), item),
            )
        )
    for e in view.decisions:
        verdict = e.decision.verdict if e.decision is not None else "?"
        optional.append(("PM decisions", f"- {e.trigger}: {verdict}"))
    for e in view.open_escalations:
        optional.append(("Open escalations", f"- [{e.id}] {e.trigger} ({e.severity.value})"))
    for snip in sorted(view.memories, key=lambda s: -s.score):
        optional.append(
            ("Relevant memories", f"- ({snip.kind.value}) " + _clip(snip.content, item))
        )
    used = sum(len(part) + 1 for part in head)
    chosen: dict[str, list[str]] = {}
    left_out = 0
    for section, text in optional:
        if used + len(text) + len(section) + 5 > limit:
            left_out += 1
            continue
        used += len(text) + 1 + (0 if section in chosen else len(section) + 4)
        chosen.setdefault(section, []).append(text)
    body = list(head)
    for section in ("Inbox", "PM decisions", "Open escalations", "Relevant memories"):
        if section in chosen:
            body.append(f"## {section}\n" + "\n".join(chosen[section]))
    if left_out:
        body.append(f"({left_out} older item(s) left out to stay within the context budget)")
    return "\n".join(body)


__all__ = ["CHARS_PER_TOKEN", "system_prompt", "user_message"]
