"""`charter-guard`, the hooks' fast entry point: the same answers as the gate, nothing heavy
imported on its path, the compiled-team cache following the role files, and the spool
that carries every decision into the run store exactly once."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from charter.agents.team import default_charter_files, load_team
from charter.cli.authority import SAMPLE_PATHS
from charter.cli.guard_fast import guard
from charter.graph.authority import AuthorityEngine
from charter.graph.claude_code import spool
from charter.graph.claude_code.compiled import cache_path, load_compiled, source_files
from charter.memory import guard_spool, open_run_store
from charter.protocols import VirtualClock

GUARD = str(Path(sys.executable).with_name("charter-guard"))
NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)
PATHS = (*SAMPLE_PATHS, "integrations/stripe/client.py", "frontend/a.tsx", "../escape.md")
HEAVY = ("pydantic", "sqlalchemy", "sqlmodel", "typer", "langgraph", "yaml", "pathspec")


def payload(workspace: Path, tool: str, **tool_input: Any) -> str:
    return json.dumps(
        {
            "session_id": "s1",
            "cwd": str(workspace),
            "hook_event_name": "PreToolUse",
            "tool_name": tool,
            "tool_input": tool_input,
        }
    )


def run_guard(workspace: Path, stdin: str, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [GUARD, *argv, "--workspace", str(workspace)],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


def decision(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    answer: str = json.loads(result.stdout)["hookSpecificOutput"]["permissionDecision"]
    return answer


def store(run_dir: Path) -> Any:
    return open_run_store(f"sqlite:///{run_dir / 'run.db'}", clock=VirtualClock(NOW))


@pytest.mark.parametrize("role", sorted(load_team().roles))
def test_the_compiled_team_decides_as_the_loaded_team(tmp_path: Path, role: str) -> None:
    loaded = AuthorityEngine(load_team(), tmp_path)
    compiled = AuthorityEngine(load_compiled(None), tmp_path, lazy_regex=True)
    for path in PATHS:
        assert compiled.decision_fields(role, path) == loaded.decision_fields(role, path)
        assert compiled.decide(role, path) == loaded.decide(role, path)


def test_no_heavy_import_on_the_hook_path(tmp_path: Path) -> None:
    run_guard(tmp_path, payload(tmp_path, "Write", file_path="x.md"), "--role", "data")  # warm
    for stdin in (
        payload(tmp_path, "Write", file_path="src/etl/x.py"),
        payload(tmp_path, "Bash", command="cat a | tee docs/a.md > out.txt"),
    ):
        argv = ["--role", "data", "--workspace", str(tmp_path)]
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "charter.cli.guard_fast", *argv],
            input=stdin,
            capture_output=True,
            text=True,
            check=True,
        )
        modules = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
        loaded = sorted(m for m in modules if m.split(".")[0] in HEAVY)
        assert loaded == [], loaded
        assert json.loads(result.stdout)["hookSpecificOutput"]["permissionDecision"]


def test_same_answers_as_the_typer_command(tmp_path: Path) -> None:
    cases = [
        payload(tmp_path, "Write", file_path="frontend/a.tsx"),
        payload(tmp_path, "Edit", file_path="src/etl/load.py"),
        payload(tmp_path, "Bash", command="python x.py"),
        payload(tmp_path, "Bash", command="cp -r build frontend/"),
        "{not json",
    ]
    charter = str(Path(sys.executable).with_name("charter"))
    for stdin in cases:
        fast = run_guard(tmp_path, stdin, "--role", "data")
        slow = subprocess.run(
            [charter, "guard", "claude-code", "--role", "data", "--workspace", str(tmp_path)],
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
        )
        assert fast.returncode == slow.returncode == 0
        assert json.loads(fast.stdout) == json.loads(slow.stdout)


def test_the_cache_follows_the_role_files(tmp_path: Path) -> None:
    team = tmp_path / "team"
    team.mkdir()
    for path in default_charter_files():
        shutil.copy(path, team / path.name)
    files = sorted(team.glob("*.yaml"))
    workspace = tmp_path / "ws"
    workspace.mkdir()
    argv = ["--role", "data", *[part for f in files for part in ("--team", str(f))]]
    write = payload(workspace, "Write", file_path="ledger/q1.bin")
    before = decision(run_guard(workspace, write, *argv))
    cached = cache_path(source_files(files))
    assert cached.is_file()
    # Give data the reports folder: the next call must see it, without any rebuild command.
    data = team / "data.yaml"
    text = data.read_text(encoding="utf-8")
    assert "exclusive:" in text
    data.write_text(text.replace("exclusive:", "exclusive:\n    - {pattern: ledger/**}", 1))
    after = decision(run_guard(workspace, write, *argv))
    assert (before, after) == ("deny", "allow")
    cached.write_text("{damaged", encoding="utf-8")  # a broken cache is rebuilt
    assert decision(run_guard(workspace, write, *argv)) == "allow"
    assert json.loads(cached.read_text(encoding="utf-8"))["format"] == 2


def test_misconfigured_hooks_are_one_line_exit_2_and_change_nothing(tmp_path: Path) -> None:
    write = payload(tmp_path, "Write", file_path="x.md")
    for argv, expected in (
        (["--role", "nobody"], "--role 'nobody'"),
        (["--role", "data", "--team", str(tmp_path / "missing.yaml")], "missing.yaml"),
        (["--rol", "data"], "charter-guard:"),
    ):
        result = run_guard(tmp_path, write, *argv)
        assert result.returncode == 2, result
        assert result.stderr.count("\n") == 1 and expected in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
        assert not (tmp_path / ".charter").exists()


def test_guard_function_spools_and_the_next_opener_stores(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    codes = [
        guard(
            payload(tmp_path, "Write", file_path=f"frontend/{n}.tsx"),
            "data",
            run_dir,
            tmp_path,
            None,
        )[0]
        for n in range(3)
    ]
    assert codes == [0, 0, 0]
    assert len((run_dir / spool.SPOOL_NAME).read_bytes().splitlines()) == 3
    with store(run_dir) as opened:
        assert opened.ingested_guard_calls == 3
        assert [e.action for e in opened.audit_tail(10)] == ["guard.deny"] * 3
        assert len(opened.authority_decisions(role="data")) == 3
        assert opened.verify_audit().ok
    assert not (run_dir / spool.SPOOL_NAME).exists()
    with store(run_dir) as again:  # nothing twice
        assert again.ingested_guard_calls == 0 and len(again.audit_tail(10)) == 3


def test_writer_and_reader_name_one_spool() -> None:
    assert spool.SPOOL_NAME == guard_spool.SPOOL_NAME


def _line(call: str) -> dict[str, Any]:
    return {
        "id": call,
        "at": NOW.isoformat(),
        "role": "data",
        "tool": "Read",
        "session": "s",
        "permission": "allow",
        "reason": "Read writes no file",
        "detail": {},
        "decisions": [],
    }


def test_concurrent_writers_and_openers_lose_nothing_and_repeat_nothing(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    writers, per_writer = 4, 40

    def write(number: int) -> None:
        for item in range(per_writer):
            spool.append_record(run_dir, _line(f"w{number}-{item}"))

    def open_often() -> None:
        for _ in range(8):
            store(run_dir).close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    threads += [threading.Thread(target=open_often) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with store(run_dir) as opened:
        used = [event.id for _, event in opened.events(kinds=["tool_used"])]
        assert sorted(used) == sorted(
            f"guard-w{n}-{i}" for n in range(writers) for i in range(per_writer)
        )
        assert len(opened.audit_tail(1000)) == writers * per_writer
        assert opened.verify_audit().ok


def test_an_interrupted_ingest_is_finished_once(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    spool.append_record(run_dir, _line("a"))
    with store(run_dir):
        pass
    # a crash after storing but before deleting leaves the claimed file behind
    leftover = run_dir / "guard-spool.00000000000000000001.ffff.ingesting"
    leftover.write_text(
        json.dumps({"v": 1, **_line("a")}) + "\n" + json.dumps({"v": 1, **_line("b")}) + "\n"
    )
    with store(run_dir) as opened:
        assert opened.ingested_guard_calls == 1  # b only
        assert len(opened.audit_tail(10)) == 2
    assert not leftover.exists()


def test_a_line_that_is_no_record_is_kept_aside(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / spool.SPOOL_NAME).write_text(
        '{"v": 1, "nonsense": true}\n' + json.dumps(_line("ok")) + "\n"
    )
    with store(run_dir) as opened:
        assert opened.ingested_guard_calls == 1
    kept = (run_dir / guard_spool.REJECTED_NAME).read_text().splitlines()
    assert len(kept) == 1 and "nonsense" in kept[0]


def test_readers_of_a_run_only_the_guard_wrote_see_it(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    spool.append_record(run_dir, _line("only"))
    assert not (run_dir / "run.db").exists()
    with open_run_store(
        f"sqlite:///{run_dir / 'run.db'}", clock=VirtualClock(NOW), existing=True
    ) as opened:
        assert opened.verify_audit().ok and len(opened.audit_tail(5)) == 1


def test_guard_ingest_command(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from charter.cli.main import build_app

    run_dir = tmp_path / "run"
    spool.append_record(run_dir, _line("x"))
    result = CliRunner().invoke(build_app("guard"), ["guard", "ingest", "--run", str(run_dir)])
    assert result.exit_code == 0 and "ingested 1 guard call" in result.output
    missing = CliRunner().invoke(
        build_app("guard"), ["guard", "ingest", "--run", str(tmp_path / "nope")]
    )
    assert missing.exit_code != 0 and not (tmp_path / "nope").exists()


_TREES = """
import sys
from charter.graph.claude_code.bashlex_tables import import_bashlex
mode = sys.argv[1]
if mode == "plain":
    import bashlex
else:
    bashlex = import_bashlex()
commands = [
    "ls | tee docs/a.md > out.txt",
    "cat <<EOF > notes.md\\nhello\\nEOF",
    "cd src && sed -i 's/a/b/' x.py; cp -r a b/",
    "if true; then echo $(date) >> log; fi",
    "for f in a b; do touch \\"$f\\"; done",
    "echo hi 2>&1 >/dev/null && mv a 'b c'",
]
for command in commands:
    print(repr([tree.dump() for tree in bashlex.parse(command)]))
"""


def test_cached_bashlex_tables_parse_as_bashlex_does(tmp_path: Path) -> None:
    def trees(mode: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", _TREES, mode], capture_output=True, text=True, check=True
        ).stdout

    plain = trees("plain")
    assert plain.count("\n") == 6
    cold = trees("cached")  # may build and store the tables
    warm = trees("cached")  # loads them
    assert cold == plain and warm == plain
    assert list(Path(__import__("os").environ["CHARTER_CACHE_DIR"]).glob("bashlex-tables-*"))


def test_the_option_parser() -> None:
    from charter.cli.guard_fast import UsageError, parse_args

    options = parse_args(["--role=data", "--run", "r", "--team", "a.yaml", "--team=b.yaml"])
    assert options is not None
    assert (options.role, options.run, options.team) == (
        "data",
        Path("r"),
        [Path("a.yaml"), Path("b.yaml")],
    )
    assert parse_args(["--role", "pm", "--help"]) is None
    for argv in (["--run", "x"], ["--role"], ["--role", "--run", "x"], ["--role="], ["-x"]):
        with pytest.raises(UsageError):
            parse_args(argv)


def test_help_is_printed_and_exits_0(tmp_path: Path) -> None:
    result = run_guard(tmp_path, "", "--help")
    assert result.returncode == 0 and result.stdout.startswith("usage: charter-guard")


def test_an_unexpected_failure_is_a_safe_answer_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    from charter.cli import guard_fast

    def broken(*_: object) -> tuple[int, str, str]:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(guard_fast, "guard", broken)
    for stdin, check in (
        (payload(tmp_path, "Write", file_path="x.md"), "ask"),
        (json.dumps({"hook_event_name": "Stop"}), "nothing was filed"),
    ):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
        assert guard_fast.main(["--role", "data"]) == 0
        out = capsys.readouterr().out
        assert "disk on fire" in out and check in out


def test_audit_commands_read_a_run_only_the_guard_wrote(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from charter.cli.main import build_app

    run_dir = tmp_path / "run"
    spool.append_record(run_dir, _line("one"))
    spool.append_record(run_dir, _line("two"))
    result = CliRunner().invoke(build_app("audit"), ["audit", "verify", str(run_dir)])
    assert result.exit_code == 0 and "OK, 2 entries" in result.output, result.output


def test_stored_globs_are_the_compiled_ones() -> None:
    from charter.agents import globs

    sources = ["**/data/", "{frontend,web}/**", "src/**/test_*.py", "/docs/*.md", "*.{js,ts}"]
    table = json.loads(json.dumps(globs.compiled_globs(sources)))  # through JSON, as cached
    fresh = {source: globs._compile_pattern(source) for source in sources}
    globs.remember_globs(table)
    try:
        assert {source: globs.compile_pattern(source) for source in sources} == fresh
    finally:
        for source in sources:
            globs._PRIMED.pop(source, None)
