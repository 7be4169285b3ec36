#!/usr/bin/env bash
# cluster.sh: several nodes on one store behind nginx. One database (PostgreSQL when
# FICD_DATABASE names one, else one SQLite data directory shared by both nodes), two
# `ficd serve` nodes, and nginx in front on loopback with docs/nginx-cluster.conf used
# verbatim (only its addresses changed). Checks, in cluster.py: a session made on one node
# works on the other, a CSRF form (signed-in and guest) from one node posts through the
# other, rate limits count across nodes, hits from both nodes add up (a visitor reading on
# both is counted once a day), a setting changed on
# one node leaves no stale cached page on the other, and a write through one node is visible
# through the other within 1 s (work page, search, listing, feed; anonymous and signed in);
# then readers and a writer load nginx while one node is SIGKILLed: no acknowledged write is
# lost, readers see no error (nginx retries on the other node), and the killed node restarts
# and catches up (what was written while it was down, and new writes within 1 s).
# Usage: cluster.sh path/to/ficd
set -euo pipefail
FICD=$(realpath "$1")
SRC=${FICD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec python3 "$SRC/tests/integration/cluster.py" "$FICD" "$SRC"
