"""Property: whatever links the workspace holds (inside, outside, into other roles' areas,
chains, loops) and whatever every role proposes to write, after the run every file that
changed on disk lies where the writing role may write, nothing outside the workspace
changed, and every refusal has a reason."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from charter.agents.brain import ScriptedBrain
from charter.agents.team import load_team
from charter.graph import Orchestrator
from charter.graph.authority import AuthorityEngine
from charter.protocols import Action, AgentView, TaskAssignment, WriteFile

TEAM = load_team()
ROLES = ["data", "engineer", "security", "architect"]
FOLDERS = ["data", "etl", "src/auth", "src/app", "security", "architecture", "frontend/charts"]
LINK_TARGETS = [
    "../etl",
    "../src/auth",
    "..",
    "../..",
    "../../outside",
    "OUTSIDE_ABS",
    "loop",
    "../data/chain",
    "../security",
]
NAMES = ["x.py", "secret.py", "policy.md", "load.sql", "chart.tsx"]

links = st.lists(
    st.tuples(
        st.sampled_from(FOLDERS),
        st.sampled_from(["link", "chain", "loop"]),
        st.sampled_from(LINK_TARGETS),
    ),
    max_size=4,
)
# Links always present (the attacks seen), plus random ones from `links`.
FIXED_LINKS = [
    ("data", "link", "../src/auth"),
    ("data", "up", ".."),
    ("data", "out", "OUTSIDE_ABS"),
    ("data", "chain", "link"),
    ("etl", "loop", "loop"),
]
THROUGH = [
    "data/link",
    "data/up",
    "data/up/src/app",
    "data/up/security",
    "data/out",
    "data/chain",
    "etl/loop",
    "src/auth/link",
    "security/link",
]
writes = st.lists(
    st.tuples(
        st.sampled_from(ROLES),
        st.lists(st.sampled_from([*FOLDERS, *THROUGH]), min_size=1, max_size=1),
        st.sampled_from(NAMES),
    ),
    min_size=1,
    max_size=6,
)


def _brain(paths: Sequence[str]):  # type: ignore[no-untyped-def]
    def decide(view: AgentView) -> Sequence[Action]:
        if view.task is None or view.step:
            return []
        return [WriteFile(path=p, content="attack\n") for p in paths]

    return decide


def _snapshot(root: Path) -> dict[str, bytes]:
    out = {}
    for dirpath, _dirs, files in os.walk(root):  # does not follow links
        for name in files:
            full = Path(dirpath) / name
            if not full.is_symlink():
                out[str(full.relative_to(root))] = full.read_bytes()
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(links=links, writes=writes)
def test_nothing_lands_where_its_writer_may_not_write(links, writes) -> None:  # type: ignore[no-untyped-def]
    base = Path(tempfile.mkdtemp(prefix="charter-attack-"))
    try:
        outside = base / "outside"
        outside.mkdir()
        (outside / "keep.txt").write_text("outside\n")
        by_role: dict[str, list[str]] = {}
        for role, folders, name in writes:
            by_role.setdefault(role, []).append("/".join([*folders[:1], name]))
        orch = Orchestrator(
            base / "run",
            team=TEAM,
            brains={role: ScriptedBrain(_brain(paths)) for role, paths in by_role.items()},
            checkpointer="memory",
            memory=False,
        )
        ws = orch.workspace
        for folder in FOLDERS:
            (ws / folder).mkdir(parents=True, exist_ok=True)
            (ws / folder / "existing.txt").write_text("before\n")
        for folder, name, target in [*FIXED_LINKS, *links]:
            where = ws / folder / name
            if not where.exists() and not where.is_symlink():
                os.symlink(str(outside) if target == "OUTSIDE_ABS" else target, where)
        before_ws, before_out = _snapshot(ws), _snapshot(outside)
        for n, role in enumerate(by_role):
            orch.submit(TaskAssignment(id=f"t{n}", title="w", task="write"), to=role)
        assert orch.run_until_idle() == "idle"
        written_by = {
            e.path: e.agent
            for _, e in orch.events(kinds={"file_written"})  # type: ignore[attr-defined]
        }
        refusals = [
            e.decision  # type: ignore[attr-defined]
            for _, e in orch.events(kinds={"authority_checked"})
            if not e.decision.allowed  # type: ignore[attr-defined]
        ]
        orch.close()
        assert _snapshot(outside) == before_out
        judge = AuthorityEngine(TEAM, ws)
        after = _snapshot(ws)
        changed = {p for p in after if before_ws.get(p) != after[p]}
        for path in changed:
            assert path in written_by, path  # nothing changed that was not recorded
            assert judge.decide(written_by[path], path).allowed, (written_by[path], path)
        assert all(d.reason for d in refusals)
    finally:
        shutil.rmtree(base, ignore_errors=True)
