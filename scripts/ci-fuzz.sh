#!/usr/bin/env bash
# CI step: builds the libFuzzer harnesses (preset fuzz: clang-14, ASan + UBSan) and
#   1. replays every kept regression input (fuzz/regressions/<harness>/*, except files named
#      *.pending: recorded findings whose fix is not merged yet) and fails if one crashes;
#   2. runs each harness for a fixed number of executions (fuzz/runs.txt, seed FUZZ_SEED,
#      default 1) from its seed corpus (fuzz/corpus/<harness>), and fails on any crash,
#      sanitizer report, leak, timeout or out-of-memory.
# A fixed seed and a fixed number of runs make step 2 search as far on any machine, however fast
# (a time limit did not: a faster machine reached further). FUZZ_RUNS_SCALE (default 1)
# multiplies every count.
#
# --explore: a time-based run for finding new bugs, not for CI: each harness for FUZZ_SECONDS
# (default 300) with a random seed (or FUZZ_SEED), its new inputs kept in build/fuzz/work/<harness>
# from one exploration to the next.
#
# New crash inputs are written to build/fuzz/findings/<harness>/; keep each as a regression
# (fuzz/regressions/<harness>/) with its fix. Usage: scripts/ci-fuzz.sh [--explore] [HARNESS...]
set -euo pipefail
cd "$(dirname "$0")/.."
explore=0
if [ "${1:-}" = "--explore" ]; then
  explore=1
  shift
fi
seconds="${FUZZ_SECONDS:-300}"
scale="${FUZZ_RUNS_SCALE:-1}"
runs_file=fuzz/runs.txt
# The number of executions of a harness (fuzz/runs.txt: "harness runs" lines), times the scale.
runs_of() {
  local n
  n=$(awk -v h="$1" '$1 == h && $1 !~ /^#/ { print $2 }' "$runs_file")
  [ -n "$n" ] || return 1
  echo $((n * scale))
}
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

start=$(date +%s)
cmake --preset fuzz "${launcher[@]}" >/dev/null
cmake --build --preset fuzz
echo "ci-fuzz: build took $(($(date +%s) - start)) s"

bin=build/fuzz/fuzz
if [ $# -gt 0 ]; then
  harnesses=("$@")
else
  harnesses=()
  for d in fuzz/corpus/*/; do harnesses+=("$(basename "$d")"); done
fi

# Leaks are reported by the parsers' own tests under ASan; here a leak is a finding too.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

failed=()
for h in "${harnesses[@]}"; do
  [ -x "$bin/$h" ] || { echo "ci-fuzz: no harness $bin/$h" >&2; failed+=("$h(missing)"); continue; }
  # 1. Regressions: each kept input once.
  regressions=()
  if [ -d "fuzz/regressions/$h" ]; then
    while IFS= read -r -d '' f; do regressions+=("$f"); done \
      < <(find "fuzz/regressions/$h" -type f ! -name '*.pending' ! -name '*.md' -print0 | sort -z)
  fi
  if [ ${#regressions[@]} -gt 0 ]; then
    if ! "$bin/$h" -rss_limit_mb=2048 -timeout=20 "${regressions[@]}" >"build/fuzz/$h.regressions.log" 2>&1; then
      echo "ci-fuzz: $h: a kept regression input fails (build/fuzz/$h.regressions.log)" >&2
      tail -n 30 "build/fuzz/$h.regressions.log" >&2
      failed+=("$h(regression)")
      continue
    fi
  fi
  # 2. A run from the seeds; new inputs go to a scratch corpus outside the source tree.
  work="build/fuzz/work/$h"
  findings="build/fuzz/findings/$h"
  mkdir -p "$work" "$findings"
  log="build/fuzz/$h.log"
  if [ "$explore" = 1 ]; then
    # Exploration: time-based, a new seed each time unless given, the work corpus kept.
    seed="${FUZZ_SEED:-0}"
    limit=(-max_total_time="$seconds")
    what="${seconds} s"
  else
    # CI: a fixed seed and a fixed number of executions from a fresh scratch corpus, so the run
    # is the same on every machine.
    if ! runs=$(runs_of "$h"); then
      echo "ci-fuzz: $h has no line in $runs_file" >&2
      failed+=("$h(no runs)")
      continue
    fi
    seed="${FUZZ_SEED:-1}"
    # -reload=0: no periodic (time-driven) re-reading of the scratch corpus.
    limit=(-runs="$runs" -reload=0)
    what="$runs runs"
    rm -rf "$work" && mkdir -p "$work"
  fi
  t0=$(date +%s)
  if "$bin/$h" "$work" "fuzz/corpus/$h" -seed="$seed" "${limit[@]}" -rss_limit_mb=2048 -timeout=20 \
      -print_final_stats=1 -artifact_prefix="$findings/" >"$log" 2>&1; then
    execs=$(grep -a -m 1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
    corpus=$(find "$work" -type f | wc -l)
    echo "ci-fuzz: $h: ok ($what), ${execs:-?} executions in $(($(date +%s) - t0)) s," \
      "$corpus new corpus inputs, ${#regressions[@]} regressions replayed"
  else
    echo "ci-fuzz: $h: FINDING (log $log, input in $findings/)" >&2
    grep -a -m 5 -e 'ERROR:' -e 'fuzz finding' -e 'runtime error' "$log" >&2 || tail -n 20 "$log" >&2
    failed+=("$h")
  fi
done

echo "ci-fuzz: ${#harnesses[@]} harnesses in $(($(date +%s) - start)) s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "ci-fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
