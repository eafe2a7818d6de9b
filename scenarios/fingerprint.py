"""Which scenario a run directory was played from.

Re-running a scenario into its existing run directory resumes it (or re-checks a finished
one). That is only right while the scenario is the one the run was made from: an edited
file re-checked against the old run would report on a timeline it no longer has. So a run
remembers its scenario's fingerprint in `run.json`, and opening it with another one is
refused, pointing at `--fresh`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
from pathlib import Path

from charter.protocols import ConfigError

from .loader import LoadedScenario

META_KEY = "scenario_fingerprint"


def scenario_fingerprint(loaded: LoadedScenario) -> str:
    """A hash of what the scenario plays: its validated content (so comments and layout
    do not count) and the files it pulls in (workspace `from:` files, charter files)."""
    digest = hashlib.sha256()
    digest.update(loaded.scenario.model_dump_json(by_alias=True).encode())
    scenario = loaded.scenario
    extra = [f.source for f in scenario.workspace.files if f.source is not None]
    if not isinstance(scenario.team, str):
        extra += [entry for entry in scenario.team if entry.endswith((".yaml", ".yml"))]
    for name in extra:
        digest.update(f"\0{name}\0".encode())
        # The loader already checked it; a file gone since changes nothing here.
        with contextlib.suppress(OSError):
            digest.update((loaded.base_dir / name).read_bytes())
    return digest.hexdigest()


def _recorded(run_dir: Path) -> str | None:
    meta_path = run_dir / "run.json"
    if not meta_path.is_file():
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # the Orchestrator reports a damaged run.json with its own message
    value = meta.get(META_KEY) if isinstance(meta, dict) else None
    return value if isinstance(value, str) else None


def check_run_dir(loaded: LoadedScenario, run_dir: Path) -> None:
    """Refuse a run directory made from another version of this scenario. A run made
    before fingerprints were kept has none and is resumed as before."""
    recorded = _recorded(run_dir)
    if recorded is not None and recorded != scenario_fingerprint(loaded):
        raise ConfigError(
            f"run directory {run_dir}: made from an earlier version of {loaded.path} (the "
            "scenario changed since), so it would re-check the old run; replace it with "
            "`charter run --fresh`, or play the new version into another directory (--out)"
        )


def record_fingerprint(loaded: LoadedScenario, run_dir: Path) -> None:
    """Note the scenario's fingerprint in a new run's `run.json`."""
    from charter.graph.run_dir import add_meta

    if (run_dir / "run.json").is_file() and _recorded(run_dir) is None:
        add_meta(run_dir, META_KEY, scenario_fingerprint(loaded))


def clear_run_dir(run_dir: Path) -> None:
    """`--fresh`: remove an existing run directory so the scenario plays from the start.
    Only a run directory (one holding `run.json`) or an empty folder is removed: a typo in
    `--out` must not delete someone's files."""
    if not run_dir.exists():
        return
    if not run_dir.is_dir():
        raise ConfigError(f"run directory {run_dir}: a file is there; expected a directory")
    if not (run_dir / "run.json").is_file():
        if any(run_dir.iterdir()):
            raise ConfigError(
                f"run directory {run_dir}: not a run (no run.json) and not empty; "
                "--fresh removes only run directories, so move it or choose another --out"
            )
        return
    shutil.rmtree(run_dir)


__all__ = [
    "META_KEY",
    "check_run_dir",
    "clear_run_dir",
    "record_fingerprint",
    "scenario_fingerprint",
]
