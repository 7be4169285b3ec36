# common.sh: helpers for integration tests: a temp dir removed on exit, assertions.
# Usage: source it after setting FICD (path to the binary).
set -euo pipefail
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ficd-it.XXXXXX")
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT
FAILS=0
PASSES=0
ok() { PASSES=$((PASSES + 1)); }
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
# expect_status N CMD...: runs CMD, checks its exit status, keeps stdout/stderr in $TMP/out, $TMP/err.
expect_status() {
  local want=$1; shift
  set +e; "$@" >"$TMP/out" 2>"$TMP/err"; local got=$?; set -e
  if [ "$got" = "$want" ]; then ok; else fail "expected exit $want, got $got: $* (stderr: $(head -c 400 "$TMP/err"))"; fi
}
expect_grep() { # expect_grep PATTERN FILE
  if grep -q -- "$1" "$2"; then ok; else fail "'$1' not found in $2: $(head -c 400 "$2")"; fi
}
finish() {
  echo "$PASSES passed, $FAILS failed"
  [ "$FAILS" = 0 ]
}
# epubcheck: Debian installs it as a bare jar; run it through java so no binfmt set-up is needed.
epubcheck() {
  local jar=/usr/share/java/epubcheck.jar
  if [ -f "$jar" ]; then java -jar "$jar" "$@"; else command epubcheck "$@"; fi
}
