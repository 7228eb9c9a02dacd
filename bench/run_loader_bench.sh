#!/usr/bin/env bash
# Runs the loader benchmark and measures peak memory of each path in its own process.
# Usage: bench/run_loader_bench.sh [ROWS]   (default 10000000; writes bench/results/loader.csv)
set -euo pipefail
cd "$(dirname "$0")/.."
export LODESTONE_BENCH_ROWS="${1:-10000000}"
cmake --preset bench >/dev/null
cmake --build --preset bench --target bench_loader >/dev/null
bin=build/bench/bench/bench_loader
mkdir -p bench/results
"$bin" --benchmark_format=console --benchmark_out=bench/results/loader.csv --benchmark_out_format=csv
for filter in BM_ReadBytes BM_LoadDataset BM_NaiveLoad; do
  peak=$( { /usr/bin/time -v "$bin" --benchmark_filter="^${filter}/" >/dev/null; } 2>&1 | awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}')
  echo "${filter}: peak resident memory ${peak} KB"
done
ls -l "/tmp/lodestone-bench-${LODESTONE_BENCH_ROWS}/trade.csv" | awk '{print "trade.csv bytes: " $5}'
