#!/usr/bin/env bash
# The browser tests' fixture: `server.sh start DIR LODESTONE ROOT` imports the shipped projects
# into a fresh registry in DIR and starts `lodestone serve` on a free loopback port with the
# dashboard of ROOT/web/dist, writing DIR/port and DIR/pid; `server.sh stop DIR` stops it.
# When chromium or web/dist is absent, start does nothing (the tests then report SKIP).
set -euo pipefail
cmd="$1"
dir="$2"
case "$cmd" in
  start)
    lodestone="$3"
    root="$4"
    rm -rf "$dir"
    mkdir -p "$dir"
    if [ ! -f "$root/web/dist/index.html" ] || [ ! -x /usr/bin/chromium ]; then
      echo "browser fixture: web/dist or /usr/bin/chromium missing; the browser tests will be skipped"
      exit 0
    fi
    cd "$root"
    "$lodestone" projects import data/projects/projects.csv --stack data/projects/capital_stack.csv \
      --db "$dir/registry.db" --actor browser-tests --reason "browser test fixture" >/dev/null
    "$lodestone" serve --port 0 --db "$dir/registry.db" --keys "$dir/keys.json" --web "$root/web/dist" \
      >"$dir/serve.log" 2>&1 &
    echo $! >"$dir/pid"
    for _ in $(seq 1 200); do
      port=$(sed -n 's|^lodestone serve: http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$dir/serve.log" | head -1)
      if [ -n "$port" ]; then  # printed once the socket listens
        echo "$port" >"$dir/port"
        echo "browser fixture: lodestone serve on port $port (pid $(cat "$dir/pid"))"
        exit 0
      fi
      if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then break; fi
      sleep 0.1
    done
    echo "browser fixture: the server did not start:" >&2
    cat "$dir/serve.log" >&2
    exit 1
    ;;
  stop)
    if [ -f "$dir/pid" ]; then
      kill "$(cat "$dir/pid")" 2>/dev/null || true
      rm -f "$dir/pid" "$dir/port"
    fi
    ;;
  *)
    echo "usage: server.sh start DIR LODESTONE ROOT | stop DIR" >&2
    exit 2
    ;;
esac
