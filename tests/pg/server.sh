#!/usr/bin/env bash
# tests/pg/server.sh: a throwaway PostgreSQL for the tests. `start STATE` runs initdb in a new
# temporary directory, starts postgres on a free loopback port (unix socket in that directory,
# fsync off) and writes STATE/pg.env (FICD_TEST_PG_URL=postgres://ficd@127.0.0.1:PORT/, the
# superuser ficd with trust authentication on loopback only). `stop STATE` stops it and removes
# the directory. postgres refuses to run as root: as root it runs as the user postgres.
# ctest runs `start` as the fixture pg_server_start and `stop` as pg_server_stop.
set -euo pipefail
cmd=${1:-}
state=${2:-}
[ -n "$cmd" ] && [ -n "$state" ] || { echo "usage: $0 start|stop STATE_DIR" >&2; exit 2; }
bindir=${FICD_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
[ -x "$bindir/postgres" ] || { echo "pg: no PostgreSQL server (scripts/deps.sh test installs it)" >&2; exit 1; }
as_pg=()
if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); fi

stop() {
  [ -f "$state/pg.env" ] || return 0
  local dir
  dir=$(sed -n 's/^PGTMP=//p' "$state/pg.env")
  if [ -n "$dir" ] && [ -d "$dir/data" ]; then
    "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  [ -n "$dir" ] && rm -rf "$dir"
  rm -f "$state/pg.env"
}

case "$cmd" in
  start)
    mkdir -p "$state"
    stop # a server left over from an interrupted run
    dir=$(mktemp -d "${TMPDIR:-/tmp}/ficd-pg.XXXXXX")
    [ ${#as_pg[@]} = 0 ] || chown postgres: "$dir"
    chmod 700 "$dir"
    "${as_pg[@]}" "$bindir/initdb" -D "$dir/data" -U ficd --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1; }
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    # Speed over durability (a crash loses a test database, nothing else): no fsync, no
    # full-page writes, asynchronous commits.
    cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
shared_buffers = 64MB
log_min_messages = warning
CONF
    if ! "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null; then
      cat "$dir/server.log" >&2
      rm -rf "$dir"
      exit 1
    fi
    printf 'PGTMP=%s\nFICD_TEST_PG_URL=postgres://ficd@127.0.0.1:%s/\n' "$dir" "$port" >"$state/pg.env"
    echo "pg: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($dir)"
    ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop STATE_DIR" >&2; exit 2 ;;
esac
