#!/usr/bin/env bash
# Sets up (first run only) and starts Media Studio on http://127.0.0.1:8501 — no keys needed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh app
exec .venv/bin/python -m streamlit run streamlit_app.py "$@"
