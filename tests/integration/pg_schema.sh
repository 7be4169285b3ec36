#!/usr/bin/env bash
# pg_schema.sh: the PostgreSQL schema equals SQLite's. `ficd init` makes a new SQLite archive
# and, with FICD_DATABASE, a new PostgreSQL one (tests/pg/with_db.sh gives a fresh database);
# pg_schema.py compares tables, columns in order, types, NOT NULL, defaults, keys, foreign
# keys, CHECKs, indexes, triggers and identity columns. PostgreSQL only (ctest it_pg_schema).
# Usage: pg_schema.sh path/to/ficd
set -euo pipefail
FICD=$(realpath "$1")
SRC=${FICD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
: "${FICD_DATABASE:?pg_schema.sh needs FICD_DATABASE=postgres://... (run it through tests/pg/with_db.sh)}"
source "$SRC/tests/integration/lib/common.sh"

env -u FICD_DATABASE "$FICD" init --data "$TMP/sqlite" >/dev/null
"$FICD" init --data "$TMP/pg" >/dev/null
[ ! -e "$TMP/pg/ficd.db" ] && ok || fail "ficd init with FICD_DATABASE made a SQLite file"
expect_status 0 python3 "$SRC/tests/integration/pg_schema.py" "$TMP/sqlite/ficd.db" "$FICD_DATABASE"
cat "$TMP/out" "$TMP/err"
finish
