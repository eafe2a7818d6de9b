"""The gate decides what is really written, on the real file system: links inside the
workspace are judged as their targets, links leading outside are refused, a folder swapped
for a link after the check is never followed, and a bad path is a recorded refusal, never
an exception. Written files get the default mode under the umask."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from charter.agents.brain import ScriptedBrain
from charter.graph import Orchestrator
from charter.graph.safe_write import WriteRefused, resolve_links, write_file
from charter.protocols import Action, AgentView, WriteFile


def _writer(paths: Sequence[str]) -> Callable[[AgentView], Sequence[Action]]:
    def brain(view: AgentView) -> Sequence[Action]:
        if view.task is None or view.step:
            return []
        return [WriteFile(path=p, content=f"written as {p!r}\n") for p in paths]

    return brain


def _run(
    tmp_path: Path, role: str, paths: Sequence[str], setup: Callable[[Path], None]
) -> Orchestrator:
    orch = Orchestrator(tmp_path / "run", brains={role: ScriptedBrain(_writer(paths))})
    setup(orch.workspace)
    orch.submit("write them", to=role)
    assert orch.run_until_idle() == "idle"
    return orch


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def _decisions(orch: Orchestrator) -> dict[str, tuple[bool, str, str | None]]:
    return {
        e.decision.requested_path: (e.decision.allowed, e.decision.rule, e.decision.path)  # type: ignore[attr-defined]
        for _, e in orch.events(kinds={"authority_checked"})
    }


def test_a_link_into_another_roles_area_is_judged_as_that_area(tmp_path: Path) -> None:
    def setup(ws: Path) -> None:
        (ws / "src/auth").mkdir(parents=True)
        (ws / "src/auth/secret.py").write_text("security's\n")
        (ws / "src/app").mkdir(parents=True)
        (ws / "security").mkdir()
        (ws / "data").mkdir()
        os.symlink("../src/auth", ws / "data/link")
        os.symlink("..", ws / "data/up")

    attacks = ["data/link/secret.py", "data/up/src/app/main.py", "data/up/security/policy.md"]
    orch = _run(tmp_path, "data", attacks, setup)
    decided = _decisions(orch)
    assert decided["data/link/secret.py"][:1] == (False,)
    assert decided["data/link/secret.py"][2] == "src/auth/secret.py"  # judged where it lands
    assert not any(decided[a][0] for a in attacks)
    assert (orch.workspace / "src/auth/secret.py").read_text() == "security's\n"
    assert not (orch.workspace / "src/app/main.py").exists()
    assert not (orch.workspace / "security/policy.md").exists()
    assert not orch.events(kinds={"file_written"})
    orch.close()


def test_a_link_inside_ones_own_area_writes_the_target_and_the_audit_names_both(
    tmp_path: Path,
) -> None:
    def setup(ws: Path) -> None:
        (ws / "data").mkdir()
        (ws / "etl").mkdir()
        os.symlink("../etl", ws / "data/jobs")

    orch = _run(tmp_path, "data", ["data/jobs/load.py"], setup)
    allowed, _, resolved = _decisions(orch)["data/jobs/load.py"]
    assert (allowed, resolved) == (True, "etl/load.py")
    assert (orch.workspace / "etl/load.py").read_text().startswith("written as")
    assert (orch.workspace / "data/jobs").is_symlink()  # the link itself is left alone
    (entry,) = [e for e in orch.store.audit_tail(50) if e.action == "write_file"]
    assert entry.target == "etl/load.py" and entry.details["requested"] == "data/jobs/load.py"
    orch.close()


def test_links_leading_outside_are_refused_and_nothing_outside_changes(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()

    def setup(ws: Path) -> None:
        (ws / "data").mkdir()
        os.symlink(str(outside), ws / "data/abs")
        os.symlink("../../../outside", ws / "data/rel")
        os.symlink("loop2", ws / "data/loop1")
        os.symlink("loop1", ws / "data/loop2")

    paths = ["data/abs/x.csv", "data/rel/x.csv", "data/loop1/x.csv"]
    orch = _run(tmp_path, "data", paths, setup)
    decided = _decisions(orch)
    for path in paths:
        allowed, rule, _ = decided[path]
        assert (allowed, rule) == (False, "invalid_path"), path
    assert list(outside.iterdir()) == []
    reasons = [
        e.decision.reason  # type: ignore[attr-defined]
        for _, e in orch.events(kinds={"authority_checked"})
    ]
    assert all(reasons)
    orch.close()


def test_a_folder_swapped_for_a_link_between_two_turns_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    orch = Orchestrator(
        tmp_path / "run", brains={"data": ScriptedBrain(_writer(["reports/a.csv"]))}
    )
    orch.submit("first", to="data")
    orch.run_until_idle()  # the engine has seen reports/ (made by the first write)
    (orch.workspace / "reports/a.csv").unlink()
    (orch.workspace / "reports").rmdir()
    os.symlink(str(outside), orch.workspace / "reports")
    orch.submit("second", to="data")
    assert orch.run_until_idle() == "idle"
    assert list(outside.iterdir()) == []
    orch.close()


def test_the_write_itself_follows_no_link_even_if_one_appears_after_the_check(
    tmp_path: Path,
) -> None:
    root = tmp_path / "ws"
    (root / "etl").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    assert resolve_links(root, "etl/job.py") == "etl/job.py"  # checked: a real folder
    (root / "etl").rmdir()
    os.symlink(str(outside), root / "etl")  # swapped before the write
    with pytest.raises(WriteRefused, match="symlink appeared"):
        write_file(root, "etl/job.py", b"x")
    os.symlink(str(outside / "f"), root / "leaf")
    write_file(root, "leaf", b"y")  # a link as the leaf is replaced, never written through
    assert list(outside.iterdir()) == [] and (root / "leaf").read_bytes() == b"y"


def test_bad_paths_are_refusals_and_the_run_ends_idle(tmp_path: Path) -> None:
    deep = "/".join(["d"] * 1000) + "/x.py"
    paths = [
        deep,
        "data/" + "n" * 300 + ".csv",  # a name over 255 bytes
        "data/file.csv/inside.csv",  # a parent that is a file (made just before)
        "data/file.csv",
        "data/same/x.csv",  # a file and a folder of the same name in one turn
        "data/same",
        "a\nb/data/x.py",
        "data/tab\there.csv",
        "data/trailing.",
        "data/trailing ",
        "data/ok.csv",
    ]

    def setup(ws: Path) -> None:
        (ws / "data").mkdir()
        (ws / "data/file.csv").write_text("a file\n")

    orch = _run(tmp_path, "data", paths, setup)
    decided = _decisions(orch)
    failed = {e.path: e.reason for _, e in orch.events(kinds={"write_failed"})}  # type: ignore[attr-defined]
    written = {e.path for _, e in orch.events(kinds={"file_written"})}  # type: ignore[attr-defined]
    for path in paths:
        allowed, _, resolved = decided[path]
        outcome = (
            "written" if resolved in written else ("failed" if resolved in failed else "denied")
        )
        assert outcome == "written" or (not allowed) or resolved in failed, path
    assert not decided[deep][0] and not decided["a\nb/data/x.py"][0]
    assert "data/ok.csv" in written
    assert failed  # the file-system clashes are recorded refusals with their reasons
    assert all(failed.values())
    orch.close()


def test_written_files_get_the_default_mode_under_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        orch = _run(tmp_path, "data", ["data/new.csv"], lambda ws: None)
    finally:
        os.umask(old)
    mode = (orch.workspace / "data/new.csv").stat().st_mode & 0o777
    assert mode == 0o644
    orch.close()
