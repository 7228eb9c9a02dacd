#!/usr/bin/env bash
# Load benchmark of `lodestone serve` on loopback, bounded in time (about 2-3 minutes with the
# default 5 s runs). On the shipped data with a temporary registry (the shipped projects) and a
# temporary key file holding one analyst key of the partner USA:
#   1. wrk against GET /v1/risk, a cached scenario (GET /v1/simulate/default) and GET /v1/projects
#      at 1, 16 and 256 connections: requests/s, p50 and p99 latency;
#   2. the risk and scenario runs again at 16 connections while a 1,000,000-run Monte Carlo job
#      computes (then the job is cancelled);
#   3. a flood of bad requests (malformed JSON, bodies over the 1 MiB limit, unknown paths) while
#      the server's resident memory (VmRSS) is sampled every second, before, during and after;
#   4. single-scenario POST /v1/simulate, uncached (each body differs by trailing spaces, which
#      the cache key sees and the scenario reader ignores): 50 sequential requests, median and p99.
# The rate limit is raised for the run (--rate/--burst): it would otherwise answer most requests
# with 429, which measures the limiter, not the server.
#
# Usage: bench/server_load.sh            (LODESTONE=path/to/lodestone, DURATION=5s, THREADS=8)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${LODESTONE:-$ROOT/build/release/lodestone}
DURATION=${DURATION:-5s}
THREADS=${THREADS:-8}
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)" >&2; exit 2; }
command -v curl >/dev/null || { echo "curl is required" >&2; exit 2; }
[ -x "$BIN" ] || { echo "no lodestone binary at $BIN (build first or set LODESTONE)" >&2; exit 2; }

WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN" projects import "$ROOT/data/projects/projects.csv" --stack "$ROOT/data/projects/capital_stack.csv" \
  --db "$WORK/registry.db" --actor bench >/dev/null
KEY=$("$BIN" keys --keys "$WORK/keys.json" create bench-us --role analyst --partner USA | grep -o 'lsk_[A-Za-z0-9_-]*' | head -1)
[ -n "$KEY" ] || { echo "could not create a key" >&2; exit 1; }
AUTH="Authorization: Bearer $KEY"

PORT=$(( 20000 + RANDOM % 20000 ))
"$BIN" serve --host 127.0.0.1 --port "$PORT" --db "$WORK/registry.db" --keys "$WORK/keys.json" \
  --threads "$THREADS" --rate 1000000 --burst 1000000 --quiet 2>"$WORK/server.log" &
SERVER_PID=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do
  curl -sf "$BASE/v1/health" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.1
done

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }

# wrk's summary as "requests/s p50 p99 non-2xx"; latencies in ms.
run_wrk() {
  local conns=$1 url=$2; shift 2
  local threads=2
  [ "$conns" -lt 2 ] && threads=1
  wrk -t"$threads" -c"$conns" -d"$DURATION" --latency -H "$AUTH" "$@" "$url" >"$WORK/wrk.out" 2>&1 || true
  awk '
    function ms(v) { if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 } if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
                     if (v ~ /s$/) { sub(/s$/, "", v); return v * 1000 } return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /^Requests\/sec/ { rps = $2 }
    /Non-2xx or 3xx responses/ { bad = $NF }
    END { printf "%10.0f %9.2f %9.2f %8d\n", rps, p50, p99, bad + 0 }' "$WORK/wrk.out"
}

echo "# lodestone serve under load: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# server threads $THREADS, wrk runs of $DURATION; latencies in ms"
printf "%-34s %6s %10s %9s %9s %8s\n" "request" "conns" "req/s" "p50" "p99" "non-2xx"
for target in "GET /v1/risk?mineral=gallium" "GET /v1/simulate/default" "GET /v1/projects"; do
  path=${target#GET }
  SIZE=$(curl -s -o /dev/null -w '%{size_download}' -H "$AUTH" "$BASE$path" || true)  # warms the cache
  echo "# $target: $SIZE bytes"
  for c in 1 16 256; do
    printf "%-34s %6d %s\n" "$target" "$c" "$(run_wrk "$c" "$BASE$path")"
  done
done

echo
echo "# while a 1,000,000-run Monte Carlo job computes"
JOB=$(curl -s -X POST -d "" -H "$AUTH" "$BASE/v1/jobs/monte-carlo?runs=1000000&seed=1" | sed -n 's/.*"id": *"\([^"]*\)".*/\1/p' | head -1)
sleep 1
for target in "GET /v1/risk?mineral=gallium" "GET /v1/simulate/default" "GET /v1/projects"; do
  path=${target#GET }
  printf "%-34s %6d %s\n" "$target (job running)" 16 "$(run_wrk 16 "$BASE$path")"
done
STATE=$(curl -s -H "$AUTH" "$BASE/v1/jobs/$JOB" | tr -d '\n ' | sed -n 's/.*"state":"\([a-z]*\)".*"runs_done":\([0-9]*\).*/\1, \2 runs done/p')
echo "# job $JOB: $STATE"
curl -sf -X DELETE -H "$AUTH" "$BASE/v1/jobs/$JOB" >/dev/null || true

echo
echo "# a flood of bad requests (malformed JSON, bodies over the limit, unknown paths), 16 connections"
head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' 'x' >"$WORK/big.txt"
cat >"$WORK/flood.lua" <<LUA
local big = io.open("$WORK/big.txt"):read("*a")
local h = { ["Authorization"] = "Bearer $KEY", ["Content-Type"] = "application/json" }
local reqs = {
  wrk.format("POST", "/v1/simulate", h, "{\"name\": [1, 2, {"),
  wrk.format("POST", "/v1/projects", h, big),
  wrk.format("GET", "/v1/no/such/path/" .. string.rep("a", 200)),
  wrk.format("PATCH", "/v1/projects/none", h, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["),
}
local i = 0
request = function() i = i + 1; return reqs[i % #reqs + 1] end
LUA
RSS_BEFORE=$(rss_kb)
wrk -t2 -c16 -d10s -s "$WORK/flood.lua" "$BASE" >"$WORK/flood.out" 2>&1 &
FLOOD=$!
RSS_MAX=$RSS_BEFORE
for _ in $(seq 1 10); do
  sleep 1
  r=$(rss_kb); [ "$r" -gt "$RSS_MAX" ] && RSS_MAX=$r
done
wait "$FLOOD" || true
sleep 1
RSS_AFTER=$(rss_kb)
FLOOD_RPS=$(awk '/^Requests\/sec/ {print $2}' "$WORK/flood.out")
echo "bad requests/s: ${FLOOD_RPS:-?}; VmRSS before ${RSS_BEFORE} kB, peak during ${RSS_MAX} kB, after ${RSS_AFTER} kB"
echo "server still answers: $(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" "$BASE/v1/risk?mineral=gallium")"

echo
echo "# single-scenario POST /v1/simulate, uncached, 50 sequential requests"
SCEN="$ROOT/scenarios/cn-2025-10-ree-controls.json"
: >"$WORK/times"
for i in $(seq 1 50); do
  { cat "$SCEN"; printf '%*s' "$i" ''; } >"$WORK/body.json"
  curl -s -o /dev/null -w '%{time_total}\n' -X POST -H "$AUTH" -H 'Content-Type: application/json' \
    --data-binary @"$WORK/body.json" "$BASE/v1/simulate" >>"$WORK/times"
done
sort -g "$WORK/times" | awk '{ t[NR] = $1 * 1000 } END {
  p99 = int(NR * 0.99 + 0.999); if (p99 > NR) p99 = NR
  printf "median %.2f ms, p99 %.2f ms, max %.2f ms (%d requests)\n", (t[int((NR + 1) / 2)] + t[int(NR / 2) + 1]) / 2, t[p99], t[NR], NR }'
