#!/usr/bin/env bash
# slowloris.sh: slow clients cannot starve readers. 500 connections from 10 addresses send
# their request heads a byte at a time for 6 s while a normal reader from another address
# loads a work page, the works index and a search: every answer 200 within 1 s. One address
# opening 80 connections gets at most per_ip_limit (64) of them. Checks in slowloris.py.
# Usage: slowloris.sh path/to/ficd
set -euo pipefail
FICD=$(realpath "$1")
SRC=${FICD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec python3 "$SRC/tests/integration/slowloris.py" "$FICD" "$SRC"
