#!/usr/bin/env bash
# bench/import.sh: manuscript import throughput of `ficd import` (parse+store, parse only) vs pandoc,
# one core each, and parse+store again on all cores. The peer for storing is SQLite loading the
# same rows (bench_sqlite_load); the ratio to it is printed in CPU time and in wall time (pinned
# to one CPU, and on all cores).
# Usage: bash bench/import.sh   (or: bash bench/run.sh import, or: make bench)
# Environment (all optional):
#   FICD_BUILD          build directory holding ficd (default: build)
#   FICD_BENCH_MB       corpus size in megabytes (default 200)
#   FICD_BENCH_SMALL    N: instead, N small manuscripts (drabbles and ficlets of 100-1000
#                       words, ~4 KB each), the bulk-import case (1000000 for AO3's scale)
#   FICD_BENCH_SEED     generator seed (default 20261123)
#   FICD_BENCH_CACHE    where generated corpora are kept (default: $FICD_BUILD/bench-cache)
#   FICD_BENCH_CPU      the CPU every measured command is pinned to (default 0)
#   FICD_BENCH_TIMEOUT  seconds allowed for each measured step (default 1800)
#   FICD_BENCH_PANDOC   0 skips the pandoc runs (default 1)
#   FICD_BENCH_OUT      file the result table is also written to
#                       (default: $FICD_BUILD/bench-results/import.md)
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${FICD_BUILD:-$SRC/build}
case $BUILD in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
MB=${FICD_BENCH_MB:-200}
SMALL=${FICD_BENCH_SMALL:-0}
SEED=${FICD_BENCH_SEED:-20261123}
CACHE=${FICD_BENCH_CACHE:-$BUILD/bench-cache}
CPU=${FICD_BENCH_CPU:-0}
LIMIT=${FICD_BENCH_TIMEOUT:-1800}
WITH_PANDOC=${FICD_BENCH_PANDOC:-1}
OUT=${FICD_BENCH_OUT:-$BUILD/bench-results/import.md}

die() { echo "bench/import: $*" >&2; exit 1; }
command -v taskset >/dev/null || die "taskset (util-linux) is required"
[ -x /usr/bin/time ] || die "/usr/bin/time (Debian package 'time') is required"
if [ "$WITH_PANDOC" = 1 ]; then
  command -v pandoc >/dev/null || die "pandoc is required (scripts/deps.sh bench installs it)"
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ficd-bench-import.XXXXXX")
LOGS=$(dirname "$OUT")/import-logs
# The runs' stderr (ficd summaries, refusals, pandoc warnings) is kept in $LOGS.
cleanup() {
  mkdir -p "$LOGS"
  find "$TMP" -maxdepth 1 -name '*.err' -exec cp {} "$LOGS/" \; 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

# ---- build ficd and the generator ----
[ -f "$BUILD/CMakeCache.txt" ] || cmake -S "$SRC" -B "$BUILD" >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target ficd bench_gen_manuscripts bench_sqlite_load \
  >"$TMP/build.log" 2>&1 ||
  { tail -30 "$TMP/build.log" >&2; die "build failed"; }
FICD=$BUILD/ficd
GEN=$BUILD/bench_gen_manuscripts

# ---- the corpus: generated once per (seed, size, generator source), kept in the cache ----
key=$(cat "$SRC/bench/gen_manuscripts.c" | sha256sum | cut -c1-12)
SIZE=${MB}mb
GEN_ARGS=(--total-mb "$MB")
if [ "$SMALL" -gt 0 ]; then
  SIZE=small${SMALL}
  GEN_ARGS=(--files "$SMALL" --small)
fi
CORPUS=$CACHE/corpus-$SEED-$SIZE-$key
if [ ! -f "$CORPUS.stats" ] || [ ! -d "$CORPUS" ]; then
  mkdir -p "$CACHE"
  # Older corpora (another seed, size or generator) are dropped so the cache stays small.
  find "$CACHE" -maxdepth 1 -name 'corpus-*' ! -name "corpus-$SEED-$SIZE-$key*" \
    -exec rm -rf {} + 2>/dev/null || true
  rm -rf "$CORPUS" "$CORPUS.tmp"
  mkdir -p "$CORPUS.tmp"
  echo "bench/import: generating a $SIZE corpus (seed $SEED) in $CORPUS" >&2
  timeout "$LIMIT" "$GEN" --out "$CORPUS.tmp" "${GEN_ARGS[@]}" --seed "$SEED" >"$TMP/stats"
  mv "$CORPUS.tmp" "$CORPUS"
  mv "$TMP/stats" "$CORPUS.stats"
fi
stat_of() { awk -v k="$1" '$1 == k { print $2 }' "$CORPUS.stats"; }
FILES=$(stat_of files)
BYTES=$(stat_of bytes)

# Relative names keep the whole corpus within one command line (one process per run).
cd "$CORPUS"
find . -maxdepth 1 -type f \( -name '*.txt' -o -name '*.md' -o -name '*.html' \) -printf '%f\0' |
  sort -z >"$TMP/all"
find . -maxdepth 1 -type f \( -name '*.txt' -o -name '*.md' \) -printf '%f\0' | sort -z >"$TMP/mdlike"
find . -maxdepth 1 -type f -name '*.html' -printf '%f\0' | sort -z >"$TMP/html"
nfound=$(tr -cd '\0' <"$TMP/all" | wc -c)
[ "$nfound" = "$FILES" ] || die "corpus has $nfound files, its stats say $FILES; delete $CORPUS"
bytes_of() { xargs -0 -a "$1" stat -c %s | awk '{ s += $1 } END { printf "%.0f", s }'; }
MDLIKE_BYTES=$(bytes_of "$TMP/mdlike")
HTML_BYTES=$(bytes_of "$TMP/html")

# pandoc reads UTF-8 only: it decodes anything else as Latin-1, which turns Windows-1252
# quotes into C1 controls that its YAML parser rejects. Its inputs are therefore the same
# files with the Windows-1252 ones converted to UTF-8 (once, untimed, kept in the cache);
# ficd gets the original bytes and decodes them itself. Rates count the original bytes.
U8=$CORPUS.utf8
if [ "$WITH_PANDOC" = 1 ] && [ ! -f "$U8/.done" ]; then
  rm -rf "$U8"
  mkdir -p "$U8"
  while IFS= read -r -d '' f; do
    iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>&1 || iconv -f WINDOWS-1252 -t UTF-8 "$f" >"$U8/$f"
  done <"$TMP/all"
  touch "$U8/.done"
fi
# pandoc_list IN OUT: IN with converted files replaced by their UTF-8 copies.
pandoc_list() {
  while IFS= read -r -d '' f; do
    if [ -f "$U8/$f" ]; then printf '%s\0' "$U8/$f"; else printf '%s\0' "$f"; fi
  done <"$1" >"$2"
}
if [ "$WITH_PANDOC" = 1 ]; then
  pandoc_list "$TMP/mdlike" "$TMP/mdlike.pandoc"
  pandoc_list "$TMP/html" "$TMP/html.pandoc"
  CONVERTED=$(find "$U8" -type f ! -name .done | wc -l)
fi

# Every run reads the corpus from the page cache.
xargs -0 -a "$TMP/all" cat >/dev/null

# Bytes of names per command line: well under ARG_MAX (2 MB with the environment and one
# pointer per argument), or GNU xargs retries on E2BIG again and again with a long list.
XARGS_S=1000000

# measure NAME LIST CMD...: runs CMD with the files of LIST appended (xargs, as few processes
# as the command line allows), pinned to one CPU; stdout to /dev/null, stderr to $TMP/NAME.err.
# Leaves "wall user sys maxrss_kb invocations" in $TMP/NAME.time; returns CMD's status.
measure() {
  local name=$1 list=$2
  shift 2
  local rc=0
  timeout "$LIMIT" /usr/bin/time -f '%e %U %S %M' -o "$TMP/$name.t" \
    taskset -c "$CPU" xargs -0 -s "$XARGS_S" -a "$list" "$@" >/dev/null 2>"$TMP/$name.err" || rc=$?
  # xargs reports 123 when an invocation exited 1-125; the command's own status is in .err.
  # /usr/bin/time writes "Command exited with non-zero status N" before the figures.
  tail -1 "$TMP/$name.t" >"$TMP/$name.time"
  return $rc
}

# ficd prints one summary line per invocation: "imported 97 of 100 files (12.3 MB) in 1.23 s;
# 3 refused, 0 failed". Sums them: "ok total refused failed invocations".
summary() {
  awk '/^(imported|parsed) [0-9]+ of [0-9]+ file/ {
         ok += $2; n += $4; r += $(NF - 3); f += $(NF - 1); inv++
       }
       END { printf "%d %d %d %d %d\n", ok, n, r, f, inv }' "$1"
}

fmt_row() { # fmt_row LABEL FILES BYTES TIMEFILE
  awk -v label="$1" -v files="$2" -v bytes="$3" '
    { wall = $1; cpu = $2 + $3; rss = $4 }
    END {
      printf "| %s | %d | %.1f | %.2f | %.2f | %.1f | %.1f | %.0f |\n", label, files, bytes / 1e6,
             wall, cpu, bytes / 1e6 / (wall > 0 ? wall : 1e-9), bytes / 1e6 / (cpu > 0 ? cpu : 1e-9),
             rss / 1024
    }' "$4"
}
rate() { awk -v b="$1" '{ printf "%.3f", b / 1e6 / ($1 > 0 ? $1 : 1e-9) }' "$2"; }

echo "bench/import: corpus $FILES files, $(awk -v b="$BYTES" 'BEGIN { printf "%.1f", b / 1e6 }') MB;" \
  "every run pinned to CPU $CPU (taskset -c $CPU)" >&2

# (a) parse + store: works grouped into transactions (--batch), as `ficd import` does.
echo "bench/import: ficd import (parse+store)..." >&2
rc=0
measure store "$TMP/all" "$FICD" import --data "$TMP/data" || rc=$?
read -r s_ok s_n s_ref s_fail s_inv < <(summary "$TMP/store.err")
if [ "$s_inv" = 0 ]; then
  tail -20 "$TMP/store.err" >&2
  die "ficd import printed no summary (exit $rc)"
fi
[ "$s_fail" = 0 ] || { grep -m5 'not stored' "$TMP/store.err" >&2 || true; die "$s_fail files failed to store"; }
"$FICD" list --all --limit 1 --data "$TMP/data" 2>"$TMP/list.err" >/dev/null
stored=$(awk '/works?$/ { print $1 }' "$TMP/list.err")
[ "$stored" = "$s_ok" ] || die "ficd import reported $s_ok works, the archive lists ${stored:-?}"
DB_BYTES=$(find "$TMP/data" -type f -name 'ficd.db*' -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f", s }')

# (a') the peer for storing: SQLite loading the same rows into the same schema in one
# transaction (INSERT ... SELECT from the import's archive, triggers firing as for ficd).
echo "bench/import: SQLite loading the same rows (bench_sqlite_load)..." >&2
timeout "$LIMIT" taskset -c "$CPU" "$BUILD/bench_sqlite_load" --from "$TMP/data/ficd.db" \
  --to "$TMP/peer.db" >"$TMP/peer.out" 2>"$TMP/peer.err" || { cat "$TMP/peer.err" >&2; die "bench_sqlite_load failed"; }
read -r _ PEER_ROWS _ PEER_WALL _ PEER_CPU <"$TMP/peer.out"
rm -f "$TMP"/peer.db*

# (a'') parse + store again, unpinned: the worker threads that read and parse ahead use every
# core, as `ficd import` does when nothing restricts it (the peer has one thread to use).
echo "bench/import: ficd import (parse+store), all cores..." >&2
measure_free() {
  local name=$1 list=$2
  shift 2
  timeout "$LIMIT" /usr/bin/time -f '%e %U %S %M' -o "$TMP/$name.t" \
    xargs -0 -s "$XARGS_S" -a "$list" "$@" >/dev/null 2>"$TMP/$name.err" || true
  tail -1 "$TMP/$name.t" >"$TMP/$name.time"
}
measure_free store_all "$TMP/all" "$FICD" import --data "$TMP/data_all"
read -r a_ok a_n a_ref a_fail a_inv < <(summary "$TMP/store_all.err")
[ "$a_fail" = 0 ] && [ "$a_ok" = "$s_ok" ] || die "the unpinned import stored $a_ok works, not $s_ok"
rm -rf "$TMP/data_all"

# (b) parse only: the importer's full view of each work as JSON, thrown away.
echo "bench/import: ficd import --dry-run --format json (parse only)..." >&2
measure parse "$TMP/all" "$FICD" import --dry-run --format json --data "$TMP/no-archive" || true
read -r p_ok p_n p_ref p_fail p_inv < <(summary "$TMP/parse.err")
[ "$p_inv" -gt 0 ] || { tail -20 "$TMP/parse.err" >&2; die "ficd import --dry-run printed no summary"; }

# (c) pandoc, the peer: the same files to HTML; plain text and Markdown as Markdown, HTML as HTML.
# Files go 8 to an invocation (pandoc joins an invocation's inputs into one document).
if [ "$WITH_PANDOC" = 1 ]; then
  echo "bench/import: pandoc -f markdown -t html (.txt, .md)..." >&2
  measure pandoc_md "$TMP/mdlike.pandoc" -n 8 pandoc -f markdown -t html ||
    { tail -5 "$TMP/pandoc_md.err" >&2; die "pandoc failed on the Markdown-like files"; }
  echo "bench/import: pandoc -f html -t html (.html)..." >&2
  measure pandoc_html "$TMP/html.pandoc" -n 8 pandoc -f html -t html ||
    { tail -5 "$TMP/pandoc_html.err" >&2; die "pandoc failed on the HTML files"; }
  paste -d' ' "$TMP/pandoc_md.time" "$TMP/pandoc_html.time" |
    awk '{ printf "%.2f %.2f %.2f %d\n", $1 + $5, $2 + $6, $3 + $7, ($4 > $8 ? $4 : $8) }' \
      >"$TMP/pandoc.time"
fi

# ---- report ----
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }
{
  echo "Corpus: $FILES manuscripts, $(mb "$BYTES") MB ($(stat_of words) words; seed $SEED):" \
    "$(stat_of txt_files) .txt, $(stat_of md_files) .md, $(stat_of html_files) .html;" \
    "$(stat_of crlf_files) CRLF, $(stat_of cp1252_files) Windows-1252, $(stat_of bom_files) with BOM;" \
    "$(stat_of oneshots) one-shots, $(stat_of multi_chapter) multi-chapter ($(stat_of chapters) chapters);" \
    "median $(stat_of words_median) words, largest $(stat_of words_max)."
  echo "Every command pinned to CPU $CPU with \`taskset -c $CPU\`, one process at a time; inputs in the page cache."
  echo
  echo "| run | files | MB | wall s | CPU s | MB/s (wall) | MB/s (CPU) | peak RSS MB |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  fmt_row "ficd import (parse + store)" "$s_n" "$BYTES" "$TMP/store.time"
  fmt_row "ficd import (parse + store), all $(nproc) cores, not pinned" "$a_n" "$BYTES" "$TMP/store_all.time"
  fmt_row "ficd import --dry-run --format json (parse only)" "$p_n" "$BYTES" "$TMP/parse.time"
  echo "| SQLite loading the same $PEER_ROWS rows (one transaction) | | | $PEER_WALL | $PEER_CPU | | | |"
  if [ "$WITH_PANDOC" = 1 ]; then
    fmt_row "pandoc -f markdown -t html (.txt, .md)" "$(tr -cd '\0' <"$TMP/mdlike" | wc -c)" \
      "$MDLIKE_BYTES" "$TMP/pandoc_md.time"
    fmt_row "pandoc -f html -t html (.html)" "$(tr -cd '\0' <"$TMP/html" | wc -c)" "$HTML_BYTES" \
      "$TMP/pandoc_html.time"
    fmt_row "pandoc, all files" "$FILES" "$BYTES" "$TMP/pandoc.time"
  fi
  if [ "$WITH_PANDOC" = 1 ] && [ "$CONVERTED" != 0 ]; then
    echo
    echo "pandoc was given $CONVERTED Windows-1252 files converted to UTF-8 beforehand (untimed);" \
      "it reads UTF-8 only. ficd decoded the original bytes."
  fi
  echo
  store_rate=$(rate "$BYTES" "$TMP/store.time")
  parse_rate=$(rate "$BYTES" "$TMP/parse.time")
  echo "- ficd import: $s_ok of $s_n files stored, $s_ref refused, $s_fail failed" \
    "($s_inv process$([ "$s_inv" = 1 ] || echo es)); dry run: $p_ok of $p_n parsed, $p_ref refused."
  echo "- Database after import: $(mb "$DB_BYTES") MB (ficd.db and its WAL files)," \
    "$(awk -v d="$DB_BYTES" -v b="$BYTES" 'BEGIN { printf "%.2f", d / b }') bytes per input byte."
  # CPU rate (user + system) of a run: the target is stated in it, and on a shared machine it
  # is the steadier figure.
  cpu_rate() { awk -v b="$BYTES" '{ printf "%.3f", b / 1e6 / ($2 + $3 > 0 ? $2 + $3 : 1e-9) }' "$1"; }
  if [ "$WITH_PANDOC" = 1 ]; then
    pandoc_rate=$(rate "$BYTES" "$TMP/pandoc.time")
    ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
    echo "- Ratios ficd / pandoc, wall MB/s: parse+store $(ratio "$store_rate" "$pandoc_rate")x," \
      "parse only $(ratio "$parse_rate" "$pandoc_rate")x; CPU MB/s: parse+store" \
      "$(ratio "$(cpu_rate "$TMP/store.time")" "$(cpu_rate "$TMP/pandoc.time")")x, parse only" \
      "$(ratio "$(cpu_rate "$TMP/parse.time")" "$(cpu_rate "$TMP/pandoc.time")")x."
  fi
  # The ratio to the peer three ways: CPU time (user + sys, every thread) of the pinned run,
  # which the load of other processes changes least; wall time pinned to one CPU; wall time
  # with every core. The target (<= x4) is checked on each; say which one a claim uses.
  read -r s_wall s_user s_sys _ <"$TMP/store.time"
  read -r a_wall _ <"$TMP/store_all.time"
  awk -v f="$s_ok" -v sw="$s_wall" -v sc="$(awk -v u="$s_user" -v y="$s_sys" 'BEGIN { print u + y }')" \
    -v aw="$a_wall" -v pw="$PEER_WALL" -v pc="$PEER_CPU" 'BEGIN {
    printf "- Files per second, parse+store: %.0f pinned to one CPU, %.0f on all cores.\n",
      f / (sw > 0 ? sw : 1e-9), f / (aw > 0 ? aw : 1e-9)
    rc = sc / (pc > 0 ? pc : 1e-9); rw = sw / (pw > 0 ? pw : 1e-9); ra = aw / (pw > 0 ? pw : 1e-9)
    printf "- ficd import / SQLite loading the same rows (target <= x4): x%.1f in CPU time (%s), x%.1f in wall time pinned to one CPU (%s), x%.1f in wall time on all cores (%s).\n",
      rc, (rc <= 4 ? "met" : "NOT met"), rw, (rw <= 4 ? "met" : "NOT met"), ra, (ra <= 4 ? "met" : "NOT met") }'
  awk -v r="$(cpu_rate "$TMP/store.time")" -v w="$store_rate" 'BEGIN {
    printf "- Target >= 50 MB/s of CPU, parse+store on one core: %s (%.1f MB/s of CPU, %.1f MB/s wall).\n",
      (r >= 50 ? "met" : "NOT met"), r, w }'
} >"$TMP/report.md"

mkdir -p "$(dirname "$OUT")"
cp "$TMP/report.md" "$OUT"
cat "$TMP/report.md"
if [ "$s_ref" != 0 ] || [ "$p_ref" != 0 ]; then
  echo >&2
  echo "bench/import: refused files (first 5):" >&2
  grep -v '^\(imported\|parsed\) ' "$TMP/store.err" | head -5 >&2 || true
fi
echo "bench/import: report also in $OUT, logs in $LOGS" >&2
