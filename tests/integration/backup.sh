#!/usr/bin/env bash
# backup.sh: `ficd backup` under write load: three writers post works while three backups
# run; each copy passes integrity_check, is one moment of the archive (each writer's works a
# prefix, everything acknowledged before it started included), holds every work equal to
# the original row for row, works with `ficd list --data OUT`, and served with
# `ficd serve --data OUT` shows every work page as the original does; a backup into an
# existing archive is refused (exit 2). Checks in backup.py.
# Usage: backup.sh path/to/ficd
set -euo pipefail
FICD=$(realpath "$1")
SRC=${FICD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec python3 "$SRC/tests/integration/backup.py" "$FICD" "$SRC"
