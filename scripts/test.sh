#!/usr/bin/env bash
# Sets up (first run only) and runs the whole test suite: the linter, the formatter check, the
# type checker, then pytest (browser tests included). Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
echo "ruff check / ruff format --check / mypy…"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
