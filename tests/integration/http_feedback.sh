#!/usr/bin/env bash
# http_feedback.sh: kudos, comments, moderation, the inbox, reports, roles, hits, the work
# API and a concurrency check, over real HTTP against the real binary. The checks live in
# http_feedback.py (python3 standard library only).
# Usage: http_feedback.sh path/to/ficd
set -euo pipefail
FICD=$(realpath "$1")
SRC=${FICD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec python3 "$SRC/tests/integration/http_feedback.py" "$FICD"
