"""What a run directory holds besides the graph: its identity (`run.json`), the lock that
keeps one Orchestrator on it, and the LangGraph checkpointer beside the run store."""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from charter.protocols import ConfigError, Team

from .ids import run_id_for

DEFAULT_START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def read_meta(
    run_dir: Path,
    *,
    seed: int,
    name: str,
    start: datetime | None,
    store: dict[str, str | None] | None = None,
    checkpointer: str | None = None,
) -> dict[str, Any]:
    """The run's identity: read from `run.json` when the run exists (a reopened run keeps
    its own id, seed and start), else made from the arguments and written atomically.
    `store`: where the run store lives when it is not the directory's `run.db`, so that
    `charter memory|audit DIR` find it; `checkpointer`: the saver kind a reopen uses."""
    meta_path = run_dir / "run.json"
    meta = peek_meta(run_dir, seed=seed, name=name, start=start)
    if meta_path.is_file():
        return meta
    if store is not None:
        meta["store"] = store
    if checkpointer is not None:
        meta["checkpointer"] = checkpointer
    tmp = meta_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(meta, indent=1), encoding="utf-8")
    os.replace(tmp, meta_path)
    return meta


def make_run_dir(run_dir: Path) -> None:
    """Create the run directory (and its parents); a file in the way or a place that cannot
    be written is one clear error."""
    if run_dir.exists() and not run_dir.is_dir():
        raise ConfigError(f"run directory {run_dir}: a file is there; expected a directory")
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(
            f"run directory {run_dir}: cannot be created ({error.strerror}); "
            "expected a path under a writable directory"
        ) from None
    if not os.access(run_dir, os.W_OK | os.X_OK):
        raise ConfigError(f"run directory {run_dir}: not writable")


def add_meta(run_dir: Path, key: str, value: Any) -> None:
    """Add `key` to an existing `run.json` (atomically: a crash leaves the old one whole)."""
    meta_path = run_dir / "run.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta[key] = value
    # A name of its own: workers opening one run at once may all be adding the same key.
    handle, tmp = tempfile.mkstemp(prefix=".run.json.", dir=run_dir)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(json.dumps(meta, indent=1))
    os.replace(tmp, meta_path)


def _checked_meta(meta_path: Path) -> dict[str, Any]:
    """`run.json` read and checked: a damaged one is one clear error, never a traceback."""
    from charter.inputs.untrusted import read_text

    expected = "expected a JSON object with run_id, seed, name and start (ISO time)"
    try:
        meta = json.loads(read_text(meta_path, "run.json"))
    except ValueError as error:
        raise ConfigError(f"{meta_path}: not valid JSON ({error}); {expected}") from None
    if not isinstance(meta, dict):
        raise ConfigError(f"{meta_path}: {type(meta).__name__} at the top; {expected}")
    kinds = {"run_id": (str, "text"), "seed": (int, "whole number"), "name": (str, "text")}
    kinds["start"] = (str, "text")
    for key, (kind, said) in kinds.items():
        if not isinstance(meta.get(key), kind) or isinstance(meta.get(key), bool):
            raise ConfigError(f"{meta_path}: {key!r} missing or not {said}; {expected}")
    try:
        datetime.fromisoformat(meta["start"])
    except ValueError:
        raise ConfigError(f"{meta_path}: start {meta['start']!r} is not an ISO time") from None
    return meta


def peek_meta(
    run_dir: Path, *, seed: int, name: str, start: datetime | None = None
) -> dict[str, Any]:
    """`run.json` if the run exists, else what a new run would get — writing nothing."""
    meta_path = run_dir / "run.json"
    if meta_path.is_file():
        return _checked_meta(meta_path)
    begin = (start or DEFAULT_START).astimezone(UTC)
    run_id = run_id_for(seed, name)
    return {"run_id": run_id, "seed": seed, "name": name, "start": begin.isoformat()}


class RunLock:
    """One run, one Orchestrator, hence one Data agent: a second handle on the same run
    directory (another process or object) is refused while the first is open."""

    def __init__(self, run_dir: Path, *, shared: bool = False) -> None:
        # Workers (graph/workers.py) share a run: they hold the lock shared, claiming
        # each work item through the store, and keep a sole Orchestrator out meanwhile.
        self._handle: IO[str] = open(run_dir / ".lock", "w")  # noqa: SIM115 - held until release()
        mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        try:
            fcntl.flock(self._handle, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            self._handle.close()
            held = "open in another Orchestrator" if shared else "already open elsewhere"
            raise ConfigError(
                f"run directory {run_dir}: {held} (one Data agent per run, or workers that "
                "share it); close it first"
            ) from None

    def release(self) -> None:
        if not self._handle.closed:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()


def check_single_instance(team: Team) -> None:
    """Refuse a team with two single-instance roles of one title (two Data agents)."""
    titles: dict[str, str] = {}
    for role, charter in team.roles.items():
        if not charter.single_instance:
            continue
        if charter.title in titles:
            raise ConfigError(
                f"team {team.name}: roles {titles[charter.title]!r} and {role!r} are both "
                f"a single-instance {charter.title}; expected one per run"
            )
        titles[charter.title] = role


__all__ = [
    "DEFAULT_START",
    "RunLock",
    "add_meta",
    "check_single_instance",
    "make_run_dir",
    "peek_meta",
    "read_meta",
]
