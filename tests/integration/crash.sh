#!/usr/bin/env bash
# crash.sh: crash safety. Writers post works, add chapters, edit and import through the web
# (and comment and leave kudos when those routes exist; skipped while they answer 404) while
# `ficd import` runs beside the server; the server and the CLI are SIGKILLed at a random
# moment; after each restart every acknowledged write (a 2xx/3xx answer, a CLI exit 0) is
# there and whole, nothing half-written is visible, PRAGMA integrity_check and
# foreign_key_check pass, and the search index agrees with the store (total and search by
# text). Checks live in crash.py.
# Usage: crash.sh path/to/ficd [ROUNDS]   (default 20; CRASH_ROUNDS, CRASH_SEED also work)
set -euo pipefail
FICD=$(realpath "$1")
SRC=${FICD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec python3 "$SRC/tests/integration/crash.py" "$FICD" "$SRC" "${2:-${CRASH_ROUNDS:-20}}"
