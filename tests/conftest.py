"""Suite-wide set-up: Charter's secret keys (audit MACs, erasure hashes) come from a key
folder made for this test session, never from the person's own `~/.config/charter`."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_key_folder() -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in ("CHARTER_KEY_DIR", "CHARTER_AUDIT_KEY")}
    with tempfile.TemporaryDirectory(prefix="charter-keys-") as folder:
        # os.environ, not monkeypatch: subprocesses the tests start must see it as well.
        os.environ["CHARTER_KEY_DIR"] = folder
        os.environ.pop("CHARTER_AUDIT_KEY", None)
        yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
