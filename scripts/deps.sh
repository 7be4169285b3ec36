#!/usr/bin/env bash
# scripts/deps.sh: install the Debian packages ficd needs to build, test and run.
# Idempotent and quiet when everything is present. Usage: scripts/deps.sh [build|test|bench|all]
#   build  compiler toolchain and the libraries ficd links against (default for `make run`)
#   test   build + what the test suite needs (epubcheck, PostgreSQL, nginx, Chromium, node modules)
#   bench  test + the peers the benchmarks compare against (pandoc, wrk, nginx, xapian)
set -euo pipefail
what=${1:-build}

build_pkgs=(build-essential cmake pkg-config git
  libmicrohttpd-dev libsqlite3-dev libpq-dev libroaring-dev libsodium-dev libgumbo-dev libyaml-dev
  libcmark-gfm-dev libcmark-gfm-extensions-dev libzip-dev libjansson-dev libutf8proc-dev
  libstemmer-dev libcmocka-dev zlib1g-dev libssl-dev libxml2-dev libmariadb-dev)
test_pkgs=(epubcheck postgresql postgresql-client chromium nodejs npm curl python3 file
  clang libclang-rt-14-dev mariadb-server calibre nginx-light)
bench_pkgs=(pandoc wrk python3-xapian hyperfine)

pkgs=("${build_pkgs[@]}")
case "$what" in
  build) ;;
  test) pkgs+=("${test_pkgs[@]}") ;;
  bench | all) pkgs+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  *) echo "usage: $0 [build|test|bench|all]" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  # nodejs/npm may come from outside Debian on some machines: accept any working binary.
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  SUDO=
  [ "$(id -u)" = 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Browser-test driver and accessibility checker, from the npm registry (never a browser download).
if [ "$what" != build ]; then
  dir=$(cd "$(dirname "$0")/.." && pwd)/tests/browser
  if [ -f "$dir/package.json" ] && [ ! -d "$dir/node_modules/playwright-core" ]; then
    echo "deps: npm install in tests/browser" >&2
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --silent >/dev/null)
  fi
fi
exit 0
