"""A run directory or a database the tools cannot use is one clear error, and the file in
the way is left as it was."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from charter.agents.data.connect import open_engine
from charter.agents.data.ops_db import open_engine as open_ops_engine
from charter.graph import Orchestrator
from charter.protocols import ConfigError


@pytest.mark.parametrize(
    ("where", "said"),
    [("afile", "a file is there"), ("afile/run", r"cannot be created \(Not a directory\)")],
)
def test_a_run_directory_behind_a_file_is_refused(tmp_path: Path, where: str, said: str) -> None:
    (tmp_path / "afile").write_text("keep me\n")
    with pytest.raises(ConfigError, match=said):
        Orchestrator(tmp_path / where, seed=1)
    assert (tmp_path / "afile").read_text() == "keep me\n"


@pytest.mark.parametrize("opener", [open_engine, open_ops_engine])
def test_a_file_that_is_not_sqlite_is_refused_before_it_is_opened(
    tmp_path: Path, opener: object
) -> None:
    notes = tmp_path / "notes.db"
    notes.write_bytes(b"plain text, not a database\n")
    with pytest.raises(ConfigError, match="not a SQLite file"):
        opener(f"sqlite:///{notes}")  # type: ignore[operator]
    assert notes.read_bytes() == b"plain text, not a database\n"


def test_a_server_that_does_not_answer_is_refused_at_once() -> None:
    with socket.socket() as probe:  # a port nothing listens on: bound, never accepted
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        with pytest.raises(ConfigError, match="cannot connect"):
            open_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/test")
