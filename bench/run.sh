#!/usr/bin/env bash
# bench/run.sh: the `make bench` entry point: runs the import and sanitizer benchmarks, then
# the search, HTTP, JSON API, backends, update-latency and restart ones, two nodes against
# one, and the 60-second soak.
#
# Usage: bash bench/run.sh [all|import|sanitize|search|http|api|backends|freshness|restart|cluster|soak]   (default: all)
# Each benchmark is its own script; this only dispatches. See bench/README.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
what=${1:-all}

run_search() {
  if [ -f "$here/run_search.sh" ]; then
    bash "$here/run_search.sh"
  else
    echo "bench: no search benchmark (bench/run_search.sh) yet" >&2
    return "$1"
  fi
}

case "$what" in
  all)
    bash "$here/import.sh"
    bash "$here/sanitize.sh"
    run_search 0
    bash "$here/http.sh"
    bash "$here/api.sh"
    bash "$here/backends.sh"
    bash "$here/freshness.sh"
    bash "$here/restart.sh"
    bash "$here/cluster.sh"
    bash "$here/soak.sh"
    ;;
  soak) bash "$here/soak.sh" ;;
  http) bash "$here/http.sh" ;;
  api) bash "$here/api.sh" ;;
  backends) bash "$here/backends.sh" ;;
  freshness) bash "$here/freshness.sh" ;;
  restart) bash "$here/restart.sh" ;;
  cluster) bash "$here/cluster.sh" ;;
  import) bash "$here/import.sh" ;;
  sanitize) bash "$here/sanitize.sh" ;;
  search) run_search 2 ;;
  -h | --help) echo "usage: bash bench/run.sh [all|import|sanitize|search|http|api|backends|freshness|restart|cluster|soak]" ;;
  *)
    echo "usage: bash bench/run.sh [all|import|sanitize|search|http|api|backends|freshness|restart|cluster|soak]" >&2
    exit 2
    ;;
esac
