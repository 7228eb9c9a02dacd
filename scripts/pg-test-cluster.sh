#!/usr/bin/env bash
# A private PostgreSQL 15 cluster for the store tests:
#   pg-test-cluster.sh start DIR   initdb in DIR/data, start the server on a private socket
#                                  directory (no TCP), create the databases lodestone_test and
#                                  lodestone_e2e and write their URLs to DIR/url and DIR/url_e2e
#   pg-test-cluster.sh stop DIR    stop the server and delete DIR and its socket directory
# PostgreSQL refuses to run as root: as root the server runs as the user `postgres`.
# PG_BIN overrides where the server binaries are (default: Debian's /usr/lib/postgresql/15/bin).
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi

bin=${PG_BIN:-}
if [ -z "$bin" ]; then
  if [ -x /usr/lib/postgresql/15/bin/initdb ]; then
    bin=/usr/lib/postgresql/15/bin
  elif command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; then
    bin=$(pg_config --bindir)
  fi
fi

as_server_user=()
if [ "$(id -u)" -eq 0 ]; then as_server_user=(runuser -u postgres --); fi

stop_server() {
  if [ -f "$dir/data/postmaster.pid" ] && [ -n "$bin" ]; then
    "${as_server_user[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 ||
      "${as_server_user[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [ -f "$dir/socket_dir" ]; then rm -rf "$(cat "$dir/socket_dir")"; fi
  rm -rf "$dir"
}

case "$cmd" in
  start)
    if [ -z "$bin" ] || [ ! -x "$bin/initdb" ] || [ ! -x "$bin/pg_ctl" ]; then
      echo "pg-test-cluster: PostgreSQL server binaries not found (looked in /usr/lib/postgresql/15/bin and" \
        "pg_config --bindir; set PG_BIN). Install them with: apt-get install postgresql-15" \
        "(scripts/install-deps.sh does)" >&2
      exit 1
    fi
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
      echo "pg-test-cluster: running as root but there is no user 'postgres' to run the server" >&2
      exit 1
    fi
    stop_server  # a cluster left by an interrupted run
    mkdir -p "$dir"
    sock=$(mktemp -d /tmp/lodestone-pg.XXXXXX)
    echo "$sock" >"$dir/socket_dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir" "$sock"; fi
    # The socket directory is private, so any port number is free; a fixed one keeps the URL short.
    port=55432
    "${as_server_user[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync \
      >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2
      echo "pg-test-cluster: initdb failed in $dir/data" >&2
      exit 1
    }
    # A throw-away cluster: durability is not needed, speed is.
    opts="-p $port -k $sock -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    if ! "${as_server_user[@]}" "$bin/pg_ctl" -D "$dir/data" -o "$opts" -l "$dir/server.log" -w -t 60 start \
      >/dev/null; then
      cat "$dir/server.log" >&2 || true
      echo "pg-test-cluster: the server did not start (log above)" >&2
      exit 1
    fi
    # One database for the store tests (each test in a schema of its own), one for the CLI's.
    "$bin/createdb" -h "$sock" -p "$port" -U postgres lodestone_test
    "$bin/createdb" -h "$sock" -p "$port" -U postgres lodestone_e2e
    echo "postgresql://postgres@/lodestone_test?host=$sock&port=$port" >"$dir/url"
    echo "postgresql://postgres@/lodestone_e2e?host=$sock&port=$port" >"$dir/url_e2e"
    echo "pg-test-cluster: $("$bin/postgres" --version) up, URL in $dir/url"
    ;;
  stop)
    stop_server
    echo "pg-test-cluster: stopped and removed $dir"
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
