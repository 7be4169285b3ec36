#!/usr/bin/env bash
# full_disk.sh: a full disk. The data directory lives on a small tmpfs (needs root; exits 77,
# a skip, when it cannot mount one) that is then filled: web writes answer 503 saying the
# disk is full (with a request id and Retry-After, logged with the store's message), reads
# (work pages, listings, search, API, downloads) keep working, `ficd import` exits 1 with
# the reason and stores nothing, PRAGMA integrity_check passes, and once space is freed
# writes work again. Checks live in full_disk.py.
# Usage: full_disk.sh path/to/ficd
set -euo pipefail
FICD=$(realpath "$1")
SRC=${FICD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec python3 "$SRC/tests/integration/full_disk.py" "$FICD" "$SRC"
