"""Reading commands never make a store: an empty file, a file that is not a database and a
mistyped PostgreSQL schema are one-line errors (exit 2), and nothing is written."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

from .conftest import _PG, PG_DSN, PG_URL


def _charter(*args: str) -> subprocess.CompletedProcess[str]:
    executable = str(Path(sys.executable).with_name("charter"))
    return subprocess.run([executable, *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("content", "said"),
    [(b"", "an empty file, no Charter run"), (b"\x00\x01garbage" * 10, "not readable")],
)
@pytest.mark.parametrize("command", [["audit", "verify"], ["memory", "list"]])
def test_a_damaged_file_is_refused_and_left_as_it_was(
    tmp_path: Path, content: bytes, said: str, command: list[str]
) -> None:
    database = tmp_path / "run.db"
    database.write_bytes(content)
    result = _charter(*command, str(database))
    assert result.returncode == 2, result.stderr
    assert said in result.stderr and "Traceback" not in result.stderr
    assert database.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.db"]


@pytest.mark.postgres
def test_a_mistyped_schema_is_refused_and_not_created() -> None:
    if not _PG:
        pytest.skip("PostgreSQL at 127.0.0.1:5432 is not reachable")
    schema = f"typo_{uuid.uuid4().hex[:12]}"
    result = _charter("audit", "verify", f"{PG_URL}?schema={schema}")
    assert result.returncode == 2, result.stderr
    assert "no such schema" in result.stderr
    with psycopg.connect(PG_DSN) as connection:
        found = connection.execute(
            "SELECT count(*) FROM information_schema.schemata WHERE schema_name = %s", (schema,)
        ).fetchone()
    assert found == (0,)
