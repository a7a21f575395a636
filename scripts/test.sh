#!/usr/bin/env bash
# Lint, type-check and run the test suite (CI runs exactly this through `make test`).
set -euo pipefail
bin=${VENV:-.venv}/bin
"$bin/ruff" check .
"$bin/ruff" format --check .
"$bin/mypy"
"$bin/pytest" -q
