"""Hostile and careless files through the one front door (`charter.inputs`): each kind of
bad input, given to `charter run`, is one line on stderr, exit 2, no traceback, and no
run directory. The loader is also fuzzed: whatever the bytes, it returns data or raises
`ConfigError`, never anything else."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from charter.cli.main import run
from charter.inputs import Limits, safe_yaml
from charter.protocols import ConfigError

VALID = "name: ok\nseed: 1\n"
BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
)


def _text(body: str) -> Callable[[Path], Path]:
    def make(where: Path) -> Path:
        path = where / "scenario.yaml"
        path.write_text(body, encoding="utf-8")
        return path

    return make


def _bytes(body: bytes) -> Callable[[Path], Path]:
    def make(where: Path) -> Path:
        path = where / "scenario.yaml"
        path.write_bytes(body)
        return path

    return make


def _fifo(where: Path) -> Path:
    path = where / "scenario.yaml"
    os.mkfifo(path)
    return path


def _directory(where: Path) -> Path:
    path = where / "scenario.yaml"
    path.mkdir()
    return path


# kind of bad input -> (how to make it, words the one-line error must contain)
BAD: dict[str, tuple[Callable[[Path], Path], str]] = {
    "missing": (lambda where: where / "nope.yaml", "no such scenario file"),
    "directory": (_directory, "a directory"),
    "fifo": (_fifo, "not a regular file"),
    "device": (lambda where: Path("/dev/zero"), "not a regular file"),
    "binary": (_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x00"), "not UTF-8"),
    "nul": (_text("name: a\x00b\n"), "NUL character"),
    "too big": (_text("# " + "x" * (5 * 1024 * 1024) + "\n"), "expected a scenario file of"),
    "deep nesting": (_text("a: " + "[" * 5000 + "]" * 5000 + "\n"), "nested deeper than"),
    "alias bomb": (_text(BOMB), "YAML aliases"),
    "merge key": (_text("base: &b {seed: 1}\nother:\n  <<: *b\n"), "merge key"),
    "duplicate key": (_text("name: a\nseed: 1\nname: b\n"), "duplicate key 'name'"),
    "python tag": (_text("name: !!python/object:os.system x\n"), "tag"),
    "custom tag": (_text("name: !secret x\n"), "tag"),
    "two documents": (_text("name: a\n---\nname: b\n"), "second YAML document"),
    "broken yaml": (_text("name: [a, b\n"), "invalid YAML"),
}


def charter(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(sys, "argv", ["charter", *argv])
    try:
        run()
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_scenario_file_is_one_line_exit_2_and_creates_nothing(
    kind: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make, words = BAD[kind]
    inputs = tmp_path / "in"
    inputs.mkdir()
    path = make(inputs)
    before = sorted(p.name for p in inputs.iterdir())
    out = tmp_path / "runs"
    assert charter(["run", str(path), "--out", str(out)], monkeypatch) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert words in lines[0], lines[0]
    assert f"{path}" in lines[0]
    assert not out.exists()
    assert sorted(p.name for p in inputs.iterdir()) == before


def test_line_numbers_point_at_the_offence(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: a\nseed: 1\n\nseed: 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"s\.yaml:4: duplicate key 'seed' \(first on line 2\)"):
        safe_yaml(path, "scenario file")


def test_anchors_within_budget_still_load(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("a: &x [1, 2]\nb: *x\n", encoding="utf-8")
    assert safe_yaml(path, "scenario file") == {"a": [1, 2], "b": [1, 2]}


def test_valid_file_loads(tmp_path: Path) -> None:
    path = _text(VALID)(tmp_path)
    assert safe_yaml(path, "scenario file") == {"name": "ok", "seed": 1}


SMALL = Limits(max_bytes=4096, max_depth=8, max_nodes=500, max_aliases=5)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.one_of(
        st.binary(max_size=300),
        st.text(alphabet=st.sampled_from(list("ab:- &*!<[]{}\n\"'#|>%@`,?\x00é")), max_size=300),
    )
)
def test_fuzz_loader_returns_data_or_config_error(tmp_path: Path, body: bytes | str) -> None:
    path = tmp_path / "fuzz.yaml"
    if isinstance(body, str):
        path.write_text(body, encoding="utf-8")
    else:
        path.write_bytes(body)
    try:
        safe_yaml(path, "scenario file", SMALL)
    except ConfigError as error:
        assert "\n" not in str(error) and str(error).startswith(str(path))


def test_internal_error_is_one_line_with_a_report_and_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import charter.scenarios as scenarios

    def broken(path: object) -> None:
        raise KeyError("a bug, not a user mistake")

    monkeypatch.setattr(scenarios, "load_scenario", broken)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    assert charter(["run", "whatever.yaml", "--out", str(tmp_path / "runs")], monkeypatch) == 3
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "internal error: KeyError" in err
    report = Path(err.rsplit("full report: ", 1)[1].rstrip(")\n"))
    assert report.parent == tmp_path and "Traceback" in report.read_text(encoding="utf-8")
    assert report.stat().st_mode & 0o777 == 0o600


ROLE_BAD = ["fifo", "device", "binary", "nul", "alias bomb", "duplicate key", "deep nesting"]


# `roles import` reads Markdown, so only the file-level kinds apply to it.
ROLE_CASES = [("check", kind) for kind in ROLE_BAD] + [
    ("import", kind) for kind in ROLE_BAD if kind in {"fifo", "device", "binary", "nul"}
]


@pytest.mark.parametrize(("command", "kind"), ROLE_CASES)
def test_bad_role_file_is_one_line_exit_2(
    command: str,
    kind: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make, words = BAD[kind]
    path = make(tmp_path)
    assert charter(["roles", command, str(path)], monkeypatch) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert words in err


# --- the other readers: suites, cassettes, catalogues, AI configs, backup manifests ----


def _other_readers() -> list[tuple[str, Any]]:
    from charter.agents.ai.cassette import _load
    from charter.agents.brains.setup import load_ai_config
    from charter.agents.data.catalogue import load_catalogue
    from charter.agents.data.suite import load_suite

    return [
        ("suite.yaml", load_suite),
        ("config.yaml", load_ai_config),
        ("catalogue.json", load_catalogue),
        ("cassette.json", _load),
    ]


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "NUL character"),
        (b"[" * 5000 + b"]" * 5000, "nested"),
        (b'{"a": 1, "a": 2}', "twice"),
        (
            b"a: &x [1, 2]\nb: *x\nc: &y [*x, *x]\n"
            + b"".join(b"d%d: [*y, *y]\n" % i for i in range(120)),
            "alias",
        ),
    ],
    ids=["binary", "deep", "duplicate-key", "alias-bomb"],
)
def test_every_other_reader_refuses_bad_files_in_one_line(
    tmp_path: Path, content: bytes, said: str
) -> None:
    for name, reader in _other_readers():
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(ConfigError) as caught:
            reader(path)
        message = str(caught.value)
        assert "\n" not in message and str(path) in message, (name, message)
