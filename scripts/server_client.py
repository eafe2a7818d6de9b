"""Drive one work item through a running `langgraph dev` with the LangGraph SDK.

    langgraph dev --no-browser                       # in the repository root, another shell
    python scripts/server_client.py --signal pipeline_failed --payload '{"pipeline": "load_orders"}'
    python scripts/server_client.py --task "Review the schema" --to architect

One thread per work item: the item is the run's input, the node updates are streamed as
they happen, an immediate escalation shows as the thread's interrupt and is answered with
`Command(resume={"verdict": ..., "note": ...})`; the outcome is the run's output.
See docs/server.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

import httpx
from langgraph_sdk import get_client

GRAPH = "charter"


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:2024", help="the server's address")
    item = parser.add_mutually_exclusive_group(required=True)
    item.add_argument("--task", help="a new task, in words")
    item.add_argument("--signal", help="a new signal's kind, e.g. pipeline_failed")
    parser.add_argument("--to", default="data", help="the role a task is for (default data)")
    parser.add_argument("--payload", default="{}", help="a signal's payload, a JSON object")
    parser.add_argument(
        "--verdict",
        default="approve",
        help="the PM's answer to an escalation: approve, deny or needs_info",
    )
    parser.add_argument("--note", default="", help="the PM's note with the verdict")
    args = parser.parse_args(argv)
    try:
        payload = json.loads(args.payload)
    except json.JSONDecodeError as exc:
        parser.error(f"--payload {args.payload!r}: not JSON ({exc.msg}); expected an object")
    if not isinstance(payload, dict):
        parser.error(f"--payload {args.payload!r}: expected a JSON object")
    args.payload = payload
    return args


def _work_input(args: argparse.Namespace) -> dict[str, Any]:
    if args.task is not None:
        return {"task": {"task": args.task, "assigned_to": args.to}}
    return {"signal": {"kind": args.signal, "payload": args.payload}}


async def _drive(args: argparse.Namespace) -> int:
    client = get_client(url=args.url)
    thread = await client.threads.create()
    tid = thread["thread_id"]
    print(f"thread {tid}")
    async for part in client.runs.stream(
        tid, GRAPH, input=_work_input(args), stream_mode="updates"
    ):
        if part.event == "updates":
            print("  step:", ", ".join(part.data))
    state = await client.threads.get_state(tid)
    # One escalation at a time: answering one may show the next of the same step.
    while state["interrupts"]:
        question = state["interrupts"][0]["value"]
        if "problem" in question:
            # The thread waits for a corrected answer; this script gives up here.
            print(f"refused: {question['problem']}", file=sys.stderr)
            return 2
        print(
            f"escalation {question['escalation_id']}: {question['trigger']} "
            f"({question['severity']}) - {question['summary']}"
        )
        print(f"  evidence: {question['evidence']}; verdicts: {question['verdicts']}")
        resume = {"verdict": args.verdict, "note": args.note}
        await client.runs.wait(tid, GRAPH, command={"resume": resume})
        print(f"  sent {resume}")
        state = await client.threads.get_state(tid)
    outcome = state["values"]
    print(f"outcome: {outcome.get('outcome')} {outcome.get('reason') or ''}".rstrip())
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    try:
        return asyncio.run(_drive(args))
    except httpx.ConnectError:
        print(f"no LangGraph server at {args.url}: start one with `langgraph dev`", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
