#!/usr/bin/env bash
# import_batch.sh: `ficd import` of many files in batched transactions: ids printed in the
# files' order once committed, a refused file (bad input, a duplicate inside the same batch)
# costs only itself, and a SIGKILL in the middle loses nothing acknowledged: every printed id
# is stored, and running the same import again stores exactly the rest.
# Usage: import_batch.sh path/to/ficd
FICD=$(realpath "$1")
SRC=${FICD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$SRC/tests/integration/lib/common.sh"
D="$TMP/data"
IN="$TMP/in"
mkdir -p "$IN"

# story N: a small manuscript of its own (distinct bytes, so no two are duplicates)
story() {
  printf 'Story Number %d\n\nFandom: Batch Tales\n\nMira walked to the harbour on day %d. ' "$1" "$1"
  printf 'The gulls were loud and the boats were in. Mira counted %d of them.\n\n' "$1"
  printf 'Tobin waited at the pier. "Late again," Tobin said, and Mira laughed.\n'
}
for i in $(seq 1 30); do story "$i" >"$IN/s$(printf %04d "$i").txt"; done

# count DIR: works in the archive (drafts included)
count() { "$FICD" list --all --format json --data "$1" | grep -c '"id"' || true; }

expect_status 0 "$FICD" init --data "$D"

# ---- 30 files, 7 to a transaction: 30 ids, increasing, in the files' order ----
expect_status 0 "$FICD" import --batch 7 --publish --data "$D" "$IN"/s00*.txt
[ "$(grep -c . "$TMP/out")" = 30 ] && ok || fail "30 ids expected: $(head -c 300 "$TMP/out")"
sort -n -c "$TMP/out" 2>/dev/null && ok || fail "ids not in the files' order: $(tr '\n' ' ' <"$TMP/out")"
expect_grep "imported 30 of 30 files" "$TMP/err"
[ "$(count "$D")" = 30 ] && ok || fail "30 works expected in the archive"
first=$(head -1 "$TMP/out")
expect_status 0 "$FICD" show --format json --data "$D" "$first"
expect_grep '"Story Number 1"' "$TMP/out"

# ---- a refused file and a duplicate inside one batch cost only themselves ----
D2="$TMP/data2"
expect_status 0 "$FICD" init --data "$D2"
: >"$IN/empty.txt"
cp "$IN/s0003.txt" "$IN/s0003-again.txt"
expect_status 2 "$FICD" import --batch 5 --data "$D2" "$IN/s0001.txt" "$IN/s0002.txt" \
  "$IN/empty.txt" "$IN/s0003.txt" "$IN/s0003-again.txt" "$IN/s0004.txt"
[ "$(grep -c . "$TMP/out")" = 4 ] && ok || fail "4 ids expected: $(head -c 300 "$TMP/out")"
expect_grep "empty.txt" "$TMP/err"
expect_grep "s0003-again.txt: already imported as work" "$TMP/err"
expect_grep "imported 4 of 6 files" "$TMP/err"
[ "$(count "$D2")" = 4 ] && ok || fail "4 works expected after the refusals"

# ---- SIGKILL in the middle: what was acknowledged is stored; a rerun stores the rest ----
N=4000
K="$TMP/kill"
mkdir -p "$K"
for i in $(seq 1 "$N"); do story "$((i + 100))" >"$K/k$(printf %05d "$i").txt"; done
D3="$TMP/data3"
expect_status 0 "$FICD" init --data "$D3"
(cd "$K" && exec "$FICD" import --batch 40 --data "$D3" ./*.txt >"$TMP/ids" 2>"$TMP/kill.err") &
pid=$!
# kill it as soon as a batch has been acknowledged (well before the last one)
for _ in $(seq 1 2000); do
  [ -s "$TMP/ids" ] && break
  sleep 0.005
done
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
acked=$(grep -c . "$TMP/ids" || true)
echo "import_batch: $acked ids acknowledged before SIGKILL" >&2
[ "$acked" -gt 0 ] && ok || fail "no id acknowledged before the kill"
stored=$(count "$D3")
if [ "$acked" -lt "$N" ]; then ok; else echo "note: the import finished before the kill" >&2; fi
[ "$stored" -ge "$acked" ] && ok || fail "$acked ids printed, only $stored works stored"
# every printed id is a stored work
"$FICD" list --all --format json --data "$D3" |
  python3 -c 'import json,sys; print("\n".join(str(json.loads(l)["id"]) for l in sys.stdin))' |
  sort -n >"$TMP/stored-ids"
missing=$(sort -n "$TMP/ids" | comm -23 - "$TMP/stored-ids" | wc -l)
[ "$missing" = 0 ] && ok || fail "$missing acknowledged ids are not stored"
# the same import again: what is stored is refused as a duplicate, the rest imported
set +e
(cd "$K" && "$FICD" import --batch 40 --data "$D3" ./*.txt >"$TMP/ids2" 2>"$TMP/rerun.err")
rc=$?
set -e
if [ "$stored" -gt 0 ]; then
  [ "$rc" = 2 ] && ok || fail "rerun: exit 2 expected (duplicates refused), got $rc"
fi
[ "$(count "$D3")" = "$N" ] && ok || fail "after the rerun $N works expected, got $(count "$D3")"
[ "$(grep -c 'already imported as work' "$TMP/rerun.err")" = "$stored" ] && ok ||
  fail "rerun: $stored duplicates expected: $(tail -2 "$TMP/rerun.err")"

finish
