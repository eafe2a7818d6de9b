#!/usr/bin/env bash
# Install (scripts/setup.sh), then run the flagship demo on the embedded SQLite default.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/charter demo "$@"
