"""The file system's own rules: probed when a run is made, recorded in run.json, and
matched by the gate, so two spellings of one folder are one folder to it too."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from charter.agents.team import load_team
from charter.graph import Orchestrator
from charter.graph.authority import AuthorityEngine
from charter.graph.fs_rules import FsRules, probe


def test_the_probe_reads_this_file_system_and_leaves_nothing(tmp_path: Path) -> None:
    rules = probe(tmp_path)
    # Linux file systems here neither fold case nor normalise names.
    assert rules == FsRules(folds_case=False, normalises_unicode=False)
    assert list(tmp_path.iterdir()) == []


def test_a_new_run_records_its_rules_and_a_reopen_keeps_them(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    with Orchestrator(run_dir, seed=1) as orch:
        assert orch.fs_rules == FsRules(False, False)
    meta = json.loads((run_dir / "run.json").read_text())
    assert meta["filesystem"] == {"folds_case": False, "normalises_unicode": False}
    # A run made on a case-folding, normalising volume (macOS) keeps its rules when
    # reopened anywhere: the gate must match as that volume does.
    meta["filesystem"] = {"folds_case": True, "normalises_unicode": True}
    (run_dir / "run.json").write_text(json.dumps(meta))
    with Orchestrator(run_dir, seed=1) as orch:
        assert orch.fs_rules == FsRules(True, True)
        assert not orch.rt.authority.allowed("data", "SRC/AUTH/login.py")
        assert not orch.rt.authority.allowed("data", "Src/Auth/login.py")


def test_case_folding_makes_two_spellings_one_folder() -> None:
    team = load_team()
    strict = AuthorityEngine(team, Path("/nonexistent"))
    folded = AuthorityEngine(team, Path("/nonexistent"), case_sensitive=False)
    assert folded.allowed("security", "SRC/AUTH/policy.py") == strict.allowed(
        "security", "src/auth/policy.py"
    )
    assert folded.allowed("data", "SRC/AUTH/x.py") == strict.allowed("data", "src/auth/x.py")


def test_unicode_normalising_makes_two_spellings_one_name() -> None:
    from charter.protocols.charter import PathRule

    base = load_team()
    data = base.roles["data"]
    exclusive = [*data.authorities.exclusive, PathRule(pattern="**/données/")]
    authorities = data.authorities.model_copy(update={"exclusive": exclusive})
    charter = data.model_copy(update={"authorities": authorities})
    team = base.model_copy(update={"roles": {**base.roles, "data": charter}})
    nfd = unicodedata.normalize("NFD", "x/données/a.csv")
    plain = AuthorityEngine(team, Path("/nonexistent"))
    normalising = AuthorityEngine(team, Path("/nonexistent"), normalise_unicode=True)
    assert plain.allowed("data", unicodedata.normalize("NFC", nfd))
    assert not plain.allowed("data", nfd)  # byte-wise another name: the gap it closes
    assert normalising.allowed("data", nfd)
    assert normalising.verdict("data", nfd).path == unicodedata.normalize("NFC", nfd)
