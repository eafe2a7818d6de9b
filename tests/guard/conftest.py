"""Guard tests keep the compiled-team and bashlex-table caches in their own folder."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path_factory.getbasetemp() / "charter-cache"
    monkeypatch.setenv("CHARTER_CACHE_DIR", str(folder))
    return folder
