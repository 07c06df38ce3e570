#!/usr/bin/env bash
# Installs everything the test suite needs into .venv (and, as root, the Debian packages for
# the real QEMU target), so a fresh machine runs `.venv/bin/python -m pytest` with nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
