#!/usr/bin/env bash
# Create .venv (if missing) and install Charter with its development tools into it.
# The editable install uses setuptools' strict mode (a link tree under build/) so that the
# type checker can follow the package-dir mapping; re-running picks up new modules.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
# Several shells may install at once (parallel work); one at a time keeps .venv whole.
exec 9>.venv.lock
flock 9
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check \
    --config-settings editable_mode=strict -e '.[dev]'
# Render `charter --help` once now, so the first call a person makes is answered from the
# help cache (see cli/main.py) instead of paying for typer and every sub-app (~1 s).
.venv/bin/charter --help >/dev/null 2>&1 || true
