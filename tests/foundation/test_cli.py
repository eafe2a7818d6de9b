"""The `charter roles` and `charter authority` commands, through the console-script entry
point (`run()`), so exit codes and the one-line error contract are what users get."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from charter.cli.main import run

from .conftest import SEED, write
from .test_team import ROLE_A, ROLE_B


def charter(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(sys, "argv", ["charter", *argv])
    monkeypatch.setenv("COLUMNS", "200")
    try:
        run()
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def test_roles_check_shipped_team(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert charter(["roles", "check"], monkeypatch) == 0
    out = capsys.readouterr().out
    assert "team 'default': 9 roles" in out
    assert "exclusive **/data/" in out and "forbidden **/{payment" in out
    assert "conflicts: 2 (0 unresolved)" in out
    assert "resolved: data '**/etl/' and integration '**/etl/'" in out


def test_roles_check_unresolved_conflict_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [str(write(tmp_path / "a.yaml", ROLE_A)), str(write(tmp_path / "b.yaml", ROLE_B))]
    assert charter(["roles", "check", *files], monkeypatch) == 1
    assert "UNRESOLVED: alpha '**/etl/' and beta '**/etl/'" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        ("role: x\ntitle: X\n", "no writing authorities"),
        ('role: x\ntitle: X\nauthorities:\n  exclusive:\n    - {pattern: "data/[ab"}\n', "line 5"),
        (
            'role: x\ntitle: X\nauthorities: {exclusive: [{pattern: "x/**"}]}\n'
            "activation:\n  automatic:\n    - {name: Boom, signals: [nope]}\n",
            "unknown signal kind 'nope'",
        ),
    ],
)
def test_bad_role_file_is_one_line_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    text: str,
    message: str,
) -> None:
    path = write(tmp_path / "bad.yaml", text)
    assert charter(["roles", "check", str(path)], monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"charter: {path}") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_roles_import_writes_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if not SEED.exists():
        pytest.skip("the seed file is not present")
    out = tmp_path / "data.yaml"
    assert charter(["roles", "import", str(SEED), "-o", str(out)], monkeypatch) == 0
    assert "role: data" in out.read_text(encoding="utf-8")
    assert "note: forbidden: prose" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["data.yaml"]  # no temp file left


def test_roles_import_bad_file_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path / "empty.md", "")
    out = tmp_path / "out.yaml"
    assert charter(["roles", "import", str(source), "-o", str(out)], monkeypatch) == 2
    assert not out.exists()
    assert "empty role file" in capsys.readouterr().err


def test_authority_explain(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert (
        charter(
            ["authority", "explain", "data", "a/b/data/x.py", "--root", str(tmp_path)], monkeypatch
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "=> ALLOWED (exclusive_owner)" in out
    assert (
        "exclusive claim: data '**/data/'" in out and "exclusive claim: engineer '**/*.py'" in out
    )
    assert (
        charter(
            ["authority", "explain", "data", "src/auth/data/x.py", "--root", str(tmp_path)],
            monkeypatch,
        )
        == 1
    )
    assert "=> DENIED (forbidden)" in capsys.readouterr().out
    assert (
        charter(
            ["authority", "explain", "data", "DATA/x", "--ignore-case", "--root", str(tmp_path)],
            monkeypatch,
        )
        == 0
    )
    assert charter(["authority", "explain", "ghost", "x"], monkeypatch) == 2
    assert "role 'ghost': not in the team" in capsys.readouterr().err


def test_authority_matrix(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert (
        charter(
            ["authority", "matrix", "--root", str(tmp_path), "a/b/data/x.py", "auth/login.py"],
            monkeypatch,
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "architect" in out and "documentation" in out
    data_row = next(line for line in out.splitlines() if "a/b/data/x.py" in line)
    assert data_row.count("✓") == 1
    auth_row = next(line for line in out.splitlines() if "auth/login.py" in line)
    assert "forbidden" in auth_row


def test_roles_import_of_several_files_writes_one_charter_each_or_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from .test_role_import import MINIMAL

    widget = write(tmp_path / "widget.md", MINIMAL)
    gadget = write(tmp_path / "gadget.md", MINIMAL.replace("Widget Agent", "Gadget Agent"))
    out = tmp_path / "charters"
    # Several files need a folder.
    assert charter(["roles", "import", str(widget), str(gadget)], monkeypatch) == 2
    assert "need -o FOLDER" in capsys.readouterr().err
    # One bad file among them: nothing is written.
    empty = write(tmp_path / "empty.md", "")
    assert charter(["roles", "import", str(widget), str(empty), "-o", str(out)], monkeypatch) == 2
    assert not out.exists()
    capsys.readouterr()
    args = ["roles", "import", str(widget), str(gadget), "-o", str(out), "--json"]
    assert charter(args, monkeypatch) == 0
    report = json.loads(capsys.readouterr().out)["imported"]
    assert [r["role"] for r in report] == ["widget", "gadget"]
    assert sorted(p.name for p in out.iterdir()) == ["gadget.yaml", "widget.yaml"]
    assert all(r["unresolved"] for r in report)  # the prose it would not guess at
