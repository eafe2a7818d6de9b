"""Options of `charter run` and `charter ai try` that choose Claude brains. A module of its
own, so `charter run` can declare them without loading the AI layer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

BrainOpt = Annotated[
    list[str] | None,
    typer.Option("--brain", help="ROLE=claude|rule, repeatable (e.g. --brain data=claude)."),
]
LlmOpt = Annotated[
    str | None,
    typer.Option(
        "--llm",
        help="off | live | record | replay | mock (default: live with an "
        "API key, else off). record/replay use RUN_DIR/cassette.json.",
    ),
]
KeyFileOpt = Annotated[
    Path | None, typer.Option("--key-file", help="API key file (mode 0600); else the env.")
]
AiConfigOpt = Annotated[
    Path | None,
    typer.Option("--ai-config", help="YAML: client limits and budgets, per-role model settings."),
]
CassetteOpt = Annotated[
    Path | None,
    typer.Option(
        "--cassette",
        help="With --llm replay: the cassette to play (default: RUN_DIR/cassette.json).",
    ),
]
MockModelOpt = Annotated[
    bool, typer.Option("--mock-model", help="live/record against the built-in mock server.")
]


__all__ = ["AiConfigOpt", "BrainOpt", "CassetteOpt", "KeyFileOpt", "LlmOpt", "MockModelOpt"]
