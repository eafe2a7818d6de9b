#!/usr/bin/env bash
# mypy --strict over every module of the installed link tree (build/__editable__*), so that
# module names are charter.* as users import them. mypy's own directory crawl skips the
# tree's symlinks, hence the explicit file list.
set -euo pipefail
cd "$(dirname "$0")/.."
TREE=$(ls -d build/__editable__.charter-*/ | head -n 1)
MYPYPATH="$TREE" exec .venv/bin/mypy --explicit-package-bases $(find -L "$TREE/charter" -name '*.py' | sort)
