#!/usr/bin/env bash
# run_search.sh: the search benchmarks (bench/filter.c, bench/fulltext.c), called from
# bench/run.sh or on its own. SIZE=small|full (default small): small runs 100k works for
# filters and 10k works for full text in about a minute; full runs 1M-work filters and
# 100k-work full text against SQLite, PostgreSQL 15 and FTS5 (tens of minutes, ~8 GB RAM).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${FICD_BUILD:-${BUILD:-$here/../build}}
size=${SIZE:-small}
cmake --build "$build" --target bench_filter bench_fulltext >/dev/null
if [ "$size" = full ]; then
    echo "== filters: 1M works, 1000 queries (SQL: first 200 queries, 120 s each at most)"
    "$build/bench_filter" --works 1000000 --queries 1000 --sqlite --pg --sql-queries 200 \
        --sql-budget 120
    echo "== full text: 100k works of ~900 words, 1000 queries"
    "$build/bench_fulltext" --works 100000 --queries 1000 --fts5
else
    echo "== filters: 100k works, 1000 queries (SQL: first 100 queries)"
    "$build/bench_filter" --works 100000 --queries 1000 --sqlite --pg --sql-queries 100 \
        --sql-budget 60
    echo "== full text: 10k works of ~900 words, 300 queries"
    "$build/bench_fulltext" --works 10000 --queries 300 --fts5
fi
