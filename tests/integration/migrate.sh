#!/usr/bin/env bash
# migrate.sh: `ficd migrate --from DIR --to postgres://...` (PostgreSQL only: ctest it_migrate,
# FICD_DATABASE from tests/pg/with_db.sh). The archive: the integration fixtures imported
# through the CLI, three accounts, 1,000 demo works, and rows in every other table
# (migrate_fill.py, awkward values included). Checks: --help names --force; bad usage exits 2;
# the copy verifies every table; a second run into the non-empty database is refused (exit 2);
# a source with a dangling foreign key stops the copy at that row (exit 1, the key named);
# every work's export (md; html for the fixtures) is byte for byte the same from PostgreSQL as from SQLite,
# and so are the JSON listing and the accounts; a migration killed mid-way (SIGKILL) resumes
# to the same rows and sequences as the uninterrupted one; new rows get new ids afterwards.
# Usage: migrate.sh path/to/ficd
set -euo pipefail
FICD=$(realpath "$1")
SRC=${FICD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
: "${FICD_DATABASE:?migrate.sh needs FICD_DATABASE=postgres://... (run it through tests/pg/with_db.sh)}"
: "${FICD_TEST_PG_URL:?}"
source "$SRC/tests/integration/lib/common.sh"
DB1=$FICD_DATABASE
DB2=${FICD_DATABASE}_resume
unset FICD_DATABASE
admin=${FICD_TEST_PG_URL}postgres
createdb --maintenance-db="$admin" "${DB2##*/}"
A=$TMP/archive
pg() { FICD_DATABASE=$DB1 "$FICD" "$@" --data "$TMP/pgdata"; }

# the archive
"$FICD" init --data "$A" >/dev/null
"$FICD" import --publish --data "$A" "$SRC"/tests/fixtures/manuscripts/* "$SRC"/tests/fixtures/ao3/* \
  "$SRC"/tests/fixtures/cli/* >/dev/null
for u in quill ink_well parchment; do "$FICD" user add --data "$A" "$u" >/dev/null; done
"$FICD" tag canonical --data "$A" --type fandom "ficd demo content" >/dev/null 2>&1 || true
"$FICD" demo --works 1000 --data "$A" >/dev/null
expect_status 0 python3 "$SRC/tests/integration/migrate_fill.py" "$A/ficd.db"

# usage
expect_status 0 "$FICD" migrate --help
expect_grep '--force' "$TMP/out"
expect_status 2 "$FICD" migrate --from "$A"
expect_grep 'to postgres' "$TMP/err"
expect_status 2 "$FICD" migrate --from "$TMP/nowhere" --to "$DB1"
expect_grep 'no archive' "$TMP/err"
expect_status 2 "$FICD" migrate --from "$A" --to "$DB1" --batch 0
expect_status 2 "$FICD" migrate --from "$A" --to "$TMP/elsewhere"
expect_grep 'PostgreSQL URL' "$TMP/err"

# the copy
expect_status 0 "$FICD" migrate --from "$A" --to "$DB1"
expect_grep '^works: .* rows copied, verified' "$TMP/out"
expect_grep '^comments: 3 rows copied, verified' "$TMP/out"
expect_grep 'every table verified' "$TMP/out"
expect_status 2 "$FICD" migrate --from "$A" --to "$DB1"
expect_grep 'not empty' "$TMP/err"
expect_grep '--force' "$TMP/err"

# every work's export, the listing, the accounts
ids=$(python3 -c "import sqlite3,sys; print(' '.join(str(r[0]) for r in sqlite3.connect(sys.argv[1]).execute('SELECT id FROM works ORDER BY id')))" "$A/ficd.db")
mkdir -p "$TMP/sq" "$TMP/pg"
# md for every work (metadata and every chapter), html for the fixtures too; 3 at a time
export_all() { # export_all OUTDIR DATABASE|"" FORMAT IDS...
  local out=$1 db=$2 fmt=$3
  shift 3
  printf '%s\n' "$@" | FICD_DATABASE=$db xargs -P 3 -I{} sh -c \
    '[ -n "$FICD_DATABASE" ] || unset FICD_DATABASE; "$0" export --format "$1" --data "$2" {} >"$3/{}.$1" 2>&1' \
    "$FICD" "$fmt" "$( [ -n "$db" ] && echo "$TMP/pgdata" || echo "$A")" "$out" || true
}
export_all "$TMP/sq" "" md $ids
export_all "$TMP/pg" "$DB1" md $ids
fixtures=$(echo $ids | cut -d' ' -f1-12)
export_all "$TMP/sq" "" html $fixtures
export_all "$TMP/pg" "$DB1" html $fixtures
n=$(ls "$TMP/sq" | wc -l)
differ=$(diff -rq "$TMP/sq" "$TMP/pg" | wc -l || true)
[ "$n" -ge 1024 ] && ok || fail "only $n exports made"
[ "$differ" = 0 ] && ok || fail "$differ of $n exports differ, e.g. $(diff -r "$TMP/sq" "$TMP/pg" | head -c 600)"
echo "exports compared: $n, $differ different"
"$FICD" list --all --format json --data "$A" >"$TMP/sq.list"
pg list --all --format json >"$TMP/pg.list"
cmp -s "$TMP/sq.list" "$TMP/pg.list" && ok || fail "ficd list --all differs: $(diff "$TMP/sq.list" "$TMP/pg.list" | head -c 600)"
"$FICD" user list --format json --data "$A" >"$TMP/sq.users"
pg user list --format json >"$TMP/pg.users"
cmp -s "$TMP/sq.users" "$TMP/pg.users" && ok || fail "ficd user list differs: $(diff "$TMP/sq.users" "$TMP/pg.users" | head -c 600)"

# interrupted, then resumed
"$FICD" migrate --from "$A" --to "$DB2" --batch 10 >"$TMP/run1.out" 2>&1 &
pid=$!
for _ in $(seq 1 400); do
  c=$(psql -X -At "$DB2" -c "SELECT CASE WHEN to_regclass('works') IS NULL THEN 0 ELSE (SELECT count(*) FROM works) END" 2>/dev/null || echo 0)
  [ "${c:-0}" -ge 100 ] && break
  sleep 0.02
done
kill -KILL $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
left=$(psql -X -At "$DB2" -c "SELECT to_regclass('ficd_migrate') IS NOT NULL")
[ "$left" = t ] && ok || fail "the migration was not interrupted mid-way (ficd_migrate gone; works copied: $c)"
expect_status 0 "$FICD" migrate --from "$A" --to "$DB2" --batch 10
expect_grep 'resuming the unfinished migration' "$TMP/out"
expect_grep 'already copied and verified' "$TMP/out"
same=0
for t in $(psql -X -At "$DB1" -c "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY 1"); do
  q="COPY (SELECT * FROM \"$t\" ORDER BY \"$t\") TO STDOUT"
  if [ "$(psql -X "$DB1" -c "$q" | md5sum)" = "$(psql -X "$DB2" -c "$q" | md5sum)" ]; then same=$((same + 1)); else
    fail "table $t differs between the resumed and the uninterrupted migration"
  fi
done
[ "$same" -ge 30 ] && ok || fail "only $same tables compared"
q="SELECT sequencename, last_value FROM pg_sequences ORDER BY 1"
[ "$(psql -X -At "$DB1" -c "$q")" = "$(psql -X -At "$DB2" -c "$q")" ] && ok || fail "sequences differ after the resumed migration"
expect_status 2 "$FICD" migrate --from "$A" --to "$DB2"
expect_status 0 "$FICD" migrate --from "$A" --to "$DB2" --force --batch 5000
expect_grep 'every table verified' "$TMP/out"
dropdb --force --maintenance-db="$admin" "${DB2##*/}"

# a source whose foreign keys point nowhere (written with SQLite's checks off): the copy
# checks every row on the target and stops at that one, saying which key
cp -r "$A" "$TMP/orphan"
rm -f "$TMP/orphan/index.snap"
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA foreign_keys=OFF'); c.execute('INSERT INTO work_tags(work_id, tag_id, position) VALUES (987654321, (SELECT min(id) FROM tags), 0)'); c.commit()" "$TMP/orphan/ficd.db"
createdb --maintenance-db="$admin" "${DB2##*/}"
expect_status 1 "$FICD" migrate --from "$TMP/orphan" --to "$DB2"
expect_grep 'foreign keys point nowhere' "$TMP/out"
expect_grep 'work_tags' "$TMP/err"
expect_grep '987654321' "$TMP/err"
dropdb --force --maintenance-db="$admin" "${DB2##*/}"

# new rows continue after the copied ids
max=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT max(id) FROM works').fetchone()[0])" "$A/ficd.db")
printf 'Title: After the Move\nRating: General Audiences\n\nA story written once the archive moved.\n' >"$TMP/new.txt"
expect_status 0 pg import --publish "$TMP/new.txt"
expect_grep "$((max + 1))" "$TMP/out"
expect_status 0 pg user add newcomer
finish
