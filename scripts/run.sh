#!/usr/bin/env bash
# The main job: build the library from corpus/ (and ../shared/corpus when present), then list it.
set -uo pipefail
bin=${VENV:-.venv}/bin
sources=(corpus)
[ -d ../shared/corpus ] && sources+=(../shared/corpus)
"$bin/rapporteur" ingest "${sources[@]}"
status=$?
"$bin/rapporteur" docs
# Exit 2 means some files could not be read; their reasons are printed above.
[ "$status" -le 2 ] || exit "$status"
