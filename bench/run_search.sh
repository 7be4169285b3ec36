#!/usr/bin/env bash
# run_search.sh: the search benchmarks (bench/filter.c, bench/fulltext.c), called from
# bench/run.sh or on its own. SIZE=small|full (default small): small runs 100k works for
# filters and 10k works for full text (against FTS5 and Xapian) in a few minutes; full runs
# 1M-work filters against SQLite and PostgreSQL 15, 100k-work full text against FTS5, and
# full text against FTS5 and Xapian together at XAPIAN_WORKS works (default 20000: Xapian's
# python indexing of 100k bodies takes longer than 15 minutes on a shared 2-core machine).
# Filters run with --baseline: the same queries again counting facets by walking every
# match's tags (the method before fandom-local counts), in the same process.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${FICD_BUILD:-${BUILD:-$here/../build}}
size=${SIZE:-small}
xworks=${XAPIAN_WORKS:-20000}
cmake --build "$build" --target bench_filter bench_fulltext >/dev/null
if [ "$size" = full ]; then
    echo "== filters: 1M works, 1000 queries (SQL: first 200 queries, 120 s each at most)"
    "$build/bench_filter" --works 1000000 --queries 1000 --baseline --sqlite --pg \
        --sql-queries 200 --sql-budget 120
    echo "== full text: 100k works of ~900 words, 1000 queries"
    "$build/bench_fulltext" --works 100000 --queries 1000 --fts5
    echo "== full text: $xworks works of ~900 words, 1000 queries, with Xapian"
    "$build/bench_fulltext" --works "$xworks" --queries 1000 --fts5 --xapian \
        --xapian-script "$here/xapian_peer.py"
else
    echo "== filters: 100k works, 1000 queries (SQL: first 100 queries)"
    "$build/bench_filter" --works 100000 --queries 1000 --baseline --sqlite --pg \
        --sql-queries 100 --sql-budget 60
    echo "== full text: 10k works of ~900 words, 1000 queries, with Xapian"
    "$build/bench_fulltext" --works 10000 --queries 1000 --fts5 --xapian \
        --xapian-script "$here/xapian_peer.py"
fi
