"""The audit trail against someone who can write the run database but holds no key:
truncation, deletion, an edit with the chain recomputed, an appended forgery, text slipped
into an erased entry, a downgrade to an unkeyed chain and an edited anchor are each
detected, by the library and by `charter audit verify`."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from charter.cli.main import app
from charter.memory import RunStore, open_run_store
from charter.memory.anchor import read_anchor
from charter.memory.audit import content_hash
from charter.memory.keys import load_key
from charter.protocols import ConfigError, VirtualClock

from .conftest import START

RUNNER = CliRunner()


@pytest.fixture
def run_dir(tmp_path: Path) -> Iterator[Path]:
    meta = {"run_id": "default", "seed": 0, "name": "", "start": START.isoformat()}
    (tmp_path / "run.json").write_text(json.dumps(meta), encoding="utf-8")
    store = open_run_store(f"sqlite:///{tmp_path / 'run.db'}", clock=VirtualClock(START))
    store.anchor_in(tmp_path)
    for n in range(5):
        store.audit_append(actor="data", action="write", target=f"f{n}", details={"n": n}, at=START)
    store.close()  # anchors the head in run.json
    yield tmp_path


def _db(run_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(run_dir / "run.db")


def _verify(run_dir: Path) -> tuple[int, str]:
    result = RUNNER.invoke(app, ["audit", "verify", str(run_dir)])
    return result.exit_code, result.stdout + result.stderr


def _recompute_unkeyed(connection: sqlite3.Connection, start: int = 1) -> None:
    """What a forger without the key can do: rebuild every link with plain sha256."""
    rows = connection.execute(
        "SELECT seq, at, actor, action, target, details FROM charter_audit ORDER BY seq"
    ).fetchall()
    prev = "0" * 64 if start == 1 else None
    for seq, at, actor, action, target, details in rows:
        if seq < start:
            prev = connection.execute(
                "SELECT entry_hash FROM charter_audit WHERE seq = ?", (seq,)
            ).fetchone()[0]
            continue
        body = content_hash(actor, action, target, details)
        stamp = at if isinstance(at, str) else str(at)
        iso = stamp.replace(" ", "T")
        iso = iso if iso.endswith("+00:00") else iso + "+00:00"
        link = hashlib.sha256(f"{prev}|{seq}|{iso}|{body}".encode()).hexdigest()
        connection.execute(
            "UPDATE charter_audit SET content_hash = ?, prev_hash = ?, entry_hash = ? "
            "WHERE seq = ?",
            (body, prev, link, seq),
        )
        prev = link
    connection.commit()


def test_an_untouched_trail_verifies_keyed_and_anchored(run_dir: Path) -> None:
    code, out = _verify(run_dir)
    assert code == 0 and out.startswith("OK, 5 entries, keyed") and "head anchored" in out
    anchor = read_anchor(run_dir)
    assert anchor is not None and anchor["count"] == 5 and len(anchor["mac"]) == 64
    head = RUNNER.invoke(app, ["audit", "head", str(run_dir), "--json"])
    assert json.loads(head.stdout) == anchor


def test_deleting_the_newest_entries_is_detected(run_dir: Path) -> None:
    with _db(run_dir) as connection:
        connection.execute("DELETE FROM charter_audit WHERE seq > 3")
    code, out = _verify(run_dir)
    assert code == 1 and "truncated" in out


def test_deleting_every_entry_is_detected(run_dir: Path) -> None:
    with _db(run_dir) as connection:
        connection.execute("DELETE FROM charter_audit")
    code, out = _verify(run_dir)
    assert code == 1 and "truncated" in out
    (run_dir / "run.json").write_text(
        json.dumps({"run_id": "default", "seed": 0, "name": "", "start": START.isoformat()})
    )
    code, out = _verify(run_dir)  # and with the anchor gone as well: an empty trail
    assert code == 1 and "proves nothing" in out


def test_an_edit_with_the_chain_recomputed_is_detected(run_dir: Path) -> None:
    with _db(run_dir) as connection:
        connection.execute("UPDATE charter_audit SET target = 'forged' WHERE seq = 2")
        _recompute_unkeyed(connection)
    code, out = _verify(run_dir)
    assert code == 1 and "entry 1" in out and "entry hash" in out


def test_an_appended_forgery_is_detected(run_dir: Path) -> None:
    with _db(run_dir) as connection:
        last_hash, at = connection.execute(
            "SELECT entry_hash, at FROM charter_audit WHERE seq = 5"
        ).fetchone()
        details = json.dumps({"n": 6})
        body = content_hash("pm", "approve", "everything", details)
        connection.execute(
            "INSERT INTO charter_audit (run_id, seq, at, actor, action, target, details, "
            "content_hash, prev_hash, entry_hash) VALUES ('default', 6, ?, 'pm', 'approve', "
            "'everything', ?, ?, ?, ?)",
            (at, details, body, last_hash, hashlib.sha256(b"forged").hexdigest()),
        )
    code, out = _verify(run_dir)
    assert code == 1 and "entry 6" in out


def test_text_written_into_an_erased_entry_is_detected(run_dir: Path) -> None:
    store = open_run_store(f"sqlite:///{run_dir / 'run.db'}", clock=VirtualClock(START))
    store.anchor_in(run_dir)
    store.audit_append(actor="data", action="read", target="Zelda Quill", details={}, at=START)
    store.erase("Zelda Quill", at=START)
    store.close()
    assert _verify(run_dir)[0] == 0
    with _db(run_dir) as connection:
        connection.execute("UPDATE charter_audit SET target = 'I was here' WHERE seq = 6")
    code, out = _verify(run_dir)
    assert code == 1 and "erased entry holds content" in out


def test_a_downgrade_to_an_unkeyed_chain_is_detected(run_dir: Path) -> None:
    with _db(run_dir) as connection:
        connection.execute("DELETE FROM charter_meta WHERE key LIKE 'audit_key%'")
        connection.execute("DELETE FROM charter_meta WHERE key = 'audit_keyed_from'")
        _recompute_unkeyed(connection)
    code, out = _verify(run_dir)
    assert code == 1 and "keying differs" in out


def test_an_edited_anchor_is_detected(run_dir: Path) -> None:
    with _db(run_dir) as connection:
        connection.execute("DELETE FROM charter_audit WHERE seq > 3")
    meta = json.loads((run_dir / "run.json").read_text())
    meta["audit_head"]["count"] = 3  # made to fit, without the key to sign it
    (run_dir / "run.json").write_text(json.dumps(meta))
    code, out = _verify(run_dir)
    assert code == 1 and "signature does not match" in out


def test_another_key_cannot_check_and_says_so(
    run_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHARTER_AUDIT_KEY", "a different key, long enough")
    code, out = _verify(run_dir)
    assert code == 1 and "keyed with key" in out, out


def test_a_store_without_a_key_is_unkeyed_and_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("")
    # No key folder can be made under a file (root included): the store runs unkeyed.
    monkeypatch.setenv("CHARTER_KEY_DIR", str(in_the_way / "keys"))
    store: RunStore = open_run_store(f"sqlite:///{tmp_path / 'run.db'}", clock=VirtualClock(START))
    store.audit_append(actor="data", action="write", target="f", details={}, at=START)
    report = store.verify_audit()
    store.close()
    assert report.ok and not report.keyed
    assert any("unkeyed" in warning for warning in report.warnings)


def test_key_files_others_can_read_and_short_keys_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHARTER_KEY_DIR", str(tmp_path))
    key = load_key("audit")
    assert key is not None and (tmp_path / "audit.key").stat().st_mode & 0o777 == 0o600
    assert load_key("audit") == key  # the same key on the next use
    (tmp_path / "audit.key").chmod(0o644)
    with pytest.raises(ConfigError, match="lets others read it"):
        load_key("audit")
    monkeypatch.setenv("CHARTER_AUDIT_KEY", "short")
    with pytest.raises(ConfigError, match="at least 16"):
        load_key("audit")
