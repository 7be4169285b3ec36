#!/usr/bin/env bash
# http_authz.sh: the authorization matrix and the server's limits, over real HTTP: every
# route of src/web/server.c's route table, with every method it accepts and one it does not,
# for four principals (anonymous, another user, the creator, an admin), against a published,
# a draft and a restricted work; CSRF on every POST; security headers on every answer; the
# 431 page for oversized heads; per-address connection limits and the idle timeout. The
# checks live in http_authz.py (python3 standard library only).
# Usage: http_authz.sh path/to/ficd
set -euo pipefail
FICD=$(realpath "$1")
SRC=${FICD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec python3 "$SRC/tests/integration/http_authz.py" "$FICD" "$SRC"
