#!/usr/bin/env bash
# tests/pg/ficd.sh: the ficd binary $FICD_REAL with FICD_DATABASE set to a PostgreSQL database
# of the command's own data directory (--data DIR, --data=DIR, init's DIR, $FICD_DATA or
# ./ficd-data), created on first use as ${FICD_TEST_PG_PREFIX}__HASH on $FICD_TEST_PG_URL.
# Tests that make several archives thus get one database per archive, as with SQLite, when
# tests/pg/with_db.sh runs them with this script in place of the binary. `ficd migrate` and
# `ficd backup` name their databases themselves and run unchanged.
set -euo pipefail
real=${FICD_REAL:?FICD_REAL: the real ficd binary}
cmd=${1:-}
case "$cmd" in
  migrate | backup | "" | -h | --help | --version) exec "$real" "$@" ;;
esac
data=${FICD_DATA:-./ficd-data}
args=("$@")
for ((i = 1; i < $#; i++)); do
  a=${args[i]}
  case "$a" in
    --data) data=${args[i + 1]:-$data} ;;
    --data=*) data=${a#--data=} ;;
    -*) ;;
    *) if [ "$cmd" = init ] && [ "${args[i - 1]}" != --data ]; then data=$a; fi ;;
  esac
done
marks=${FICD_TEST_PG_MARKS:?}
# the database of a path already seen, without starting a process (tests run ficd thousands
# of times): marks/PATH-with-%-for-/ holds its name
case "$data" in /*) abs=$data ;; *) abs=$PWD/$data ;; esac
key=${abs//\//%}
db=
if [ ${#key} -lt 240 ] && [ -f "$marks/$key" ]; then read -r db <"$marks/$key"; fi
if [ -z "$db" ]; then
  hash=$(realpath -m -- "$data" | md5sum | cut -c1-12)
  db=${FICD_TEST_PG_PREFIX:?}__$hash
  (
    flock 9
    if [ ! -e "$marks/$db" ]; then
      out=$(createdb --maintenance-db="${FICD_TEST_PG_URL}postgres" "$db" 2>&1) ||
        grep -q 'already exists' <<<"$out" || { echo "ficd.sh: createdb $db: $out" >&2; exit 1; }
      : >"$marks/$db"
    fi
  ) 9>"$marks/.lock"
  [ ${#key} -ge 240 ] || echo "$db" >"$marks/$key"
fi
export FICD_DATABASE=${FICD_TEST_PG_URL}$db
exec "$real" "$@"
