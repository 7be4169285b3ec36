#!/usr/bin/env bash
# bench/cluster.sh: reads through nginx to two ficd nodes against one, with wrk.
#
# Usage: bash bench/cluster.sh   (or: bash bench/run.sh cluster)
# What it does (bench/cluster.py):
#   1. an archive of `ficd demo --works N` (default 1000) and a reader account; on the
#      database FICD_DATABASE names (PostgreSQL) when set, else SQLite in a temporary data
#      directory that both nodes share;
#   2. two `ficd serve` nodes (trust_proxy on, access log off) and two nginx instances with
#      docs/nginx-cluster.conf verbatim but for the addresses: one sending both upstream lines
#      to node 1 ("one node"), one to nodes 1 and 2 ("two nodes");
#   3. wrk -t2 -cC -dD --latency through each nginx, after a warm-up run of the same length:
#      the cached work page (anonymous), the same page rendered for a signed-in reader (never
#      cached), and JSON API searches (a list of fandom, sort and word queries walked by
#      bench/api_urls.lua, signed in so that every one is a search);
#   4. a Markdown table: req/s, the two-node/one-node ratio, p99, the ficd processes' CPU time
#      (user + system, from /proc) per request, and errors (non-2xx or socket errors; any
#      fails the run). Written to $FICD_BENCH_OUT (default build/bench-results/cluster.md).
# On one machine the nodes share its cores with each other, nginx and wrk: the ratio shows
# what a second node costs or gains there, and the CPU per request shows that a request costs
# the same on either node (what makes nodes on separate machines add up).
# To see what a node adds when the nodes are the bottleneck (as on machines of their own),
# FICD_BENCH_NODE_CPU=0.2 runs each `ficd serve` in a cgroup of its own with a CPU quota of
# 0.2 core (cgroup v2's cpu.max, or v1's cpu.cfs_quota_us under /sys/fs/cgroup/cpu; needs
# root; the cgroups ficd-bench-node1..4 are removed at the end). One node then has 0.2 core
# and two nodes 0.4, while nginx, wrk and the database keep the rest of the machine. The table
# gains each working node's CPU time over the run divided by its quota (1.00: the cap was
# the limit), the machine's busy share and its load average. When no cgroup is writable the
# run says so and goes on uncapped.
# Environment (all optional): FICD_BUILD (default build), FICD (a binary to measure as is),
# FICD_BENCH_WORKS, FICD_BENCH_DURATION (default 8s), FICD_BENCH_CONNS (default 32),
# FICD_BENCH_THREADS (worker threads per node, default nproc), FICD_DATABASE,
# FICD_BENCH_NODE_CPU (cores per node, unset: no cap).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${FICD_BUILD:-$SRC/build}
case $BUILD in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
for c in wrk nginx python3; do
  command -v "$c" >/dev/null || { echo "bench/cluster: $c is required (scripts/deps.sh bench)" >&2; exit 1; }
done
if [ -z "${FICD:-}" ]; then
  [ -f "$BUILD/CMakeCache.txt" ] || cmake -S "$SRC" -B "$BUILD" >/dev/null
  cmake --build "$BUILD" -j "$(nproc)" --target ficd >/dev/null
  FICD=$BUILD/ficd
fi
exec python3 "$SRC/bench/cluster.py" "$FICD" "$SRC" "${FICD_BENCH_OUT:-$BUILD/bench-results/cluster.md}"
