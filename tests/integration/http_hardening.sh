#!/usr/bin/env bash
# http_hardening.sh: issue #13's "found as a new user would" fixes and the rate limiter over
# real HTTP (checks in http_hardening.py): public /healthz says only ok and the schema,
# admins get the figures; a failed login or a form sent back keeps the page cache warm while
# a real change shows at once; a password change signs out the account's other sessions and
# "sign out everywhere" ends all of them; a duplicate import is found per account only; the
# access log carries request ids; every POST category is limited per address and per
# account with a 429 page in the layout and Retry-After.
# Usage: http_hardening.sh path/to/ficd
set -euo pipefail
FICD=$(realpath "$1")
SRC=${FICD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
exec python3 "$SRC/tests/integration/http_hardening.py" "$FICD" "$SRC"
