#!/usr/bin/env bash
# tests/pg/with_db.sh NAME CMD...: runs CMD against the test PostgreSQL of tests/pg/server.sh
# (its STATE/pg.env in $FICD_PG_ENV) with a fresh database ficd_t_NAME as FICD_DATABASE, and
# drops it and every database made for the test's data directories (ficd_t_NAME__*, made by
# tests/pg/ficd.sh and the cmocka fixtures) afterwards. Exports FICD_TEST_PG=1,
# FICD_TEST_PG_URL (the server, ending in /) and FICD_TEST_PG_PREFIX (ficd_t_NAME).
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 NAME CMD..." >&2; exit 2; }
name=$1
shift
env_file=${FICD_PG_ENV:?FICD_PG_ENV: the pg.env written by tests/pg/server.sh start}
[ -f "$env_file" ] || { echo "with_db: no test PostgreSQL ($env_file missing: run the fixture pg_server_start)" >&2; exit 1; }
FICD_TEST_PG_URL=$(sed -n 's/^FICD_TEST_PG_URL=//p' "$env_file")
db=ficd_t_$(printf '%s' "$name" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9_' '_')
# which of them exist (tests/pg/ficd.sh)
FICD_TEST_PG_MARKS=$(mktemp -d "${TMPDIR:-/tmp}/ficd-pg-dbs.XXXXXX")
trap 'rm -rf "$FICD_TEST_PG_MARKS"' EXIT
export FICD_TEST_PG=1 FICD_TEST_PG_URL FICD_TEST_PG_PREFIX=$db FICD_TEST_PG_MARKS
admin=${FICD_TEST_PG_URL}postgres

drop_all() {
  local d
  for d in $(psql -X -At "$admin" -c "SELECT datname FROM pg_database WHERE datname = '$db' OR left(datname, length('$db') + 2) = '${db}__'"); do
    dropdb --force --maintenance-db="$admin" "$d"
  done
}
drop_all
createdb --maintenance-db="$admin" "$db"
export FICD_DATABASE=${FICD_TEST_PG_URL}${db}
set +e
"$@"
rc=$?
set -e
drop_all
exit $rc
