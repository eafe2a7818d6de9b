#!/usr/bin/env bash
# Install (scripts/setup.sh), then lint, type-check strictly and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
echo "== ruff"
ruff check .
echo "== mypy --strict"
bash scripts/typecheck.sh
echo "== pytest"
# -P keeps the repository root off sys.path: agents/ and graph/ there would shadow imports.
python -P -m pytest "$@"
