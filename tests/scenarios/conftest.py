"""Shared helpers: write scenario files, run the CLI entry point in-process."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from charter.scenarios import library_files


def write_yaml(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def library(name: str) -> dict:  # type: ignore[type-arg]
    path = next(p for p in library_files() if p.stem == name)
    return yaml.safe_load(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def cli(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """Run `charter ARGS` through the console entry point; its exit code."""
    from charter.cli.main import run

    monkeypatch.setattr(sys, "argv", ["charter", *args])
    try:
        run()
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0
