#!/usr/bin/env bash
# CI step: builds the libFuzzer harnesses (preset fuzz: clang-14, ASan + UBSan) and
#   1. replays every kept regression input (fuzz/regressions/<harness>/*, except files named
#      *.pending: recorded findings whose fix is not merged yet) and fails if one crashes;
#   2. runs each harness for FUZZ_SECONDS (default 25, seed FUZZ_SEED, default 1) from its seed
#      corpus (fuzz/corpus/<harness>)
#      and fails on any crash, sanitizer report, leak, timeout or out-of-memory.
# New crash inputs are written to build/fuzz/findings/<harness>/; keep each as a regression
# (fuzz/regressions/<harness>/) with its fix. Usage: scripts/ci-fuzz.sh [HARNESS...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-25}"
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
  # 2. A short run from the seeds; new inputs go to a scratch corpus outside the source tree.
  work="build/fuzz/work/$h"
  findings="build/fuzz/findings/$h"
  mkdir -p "$work" "$findings"
  log="build/fuzz/$h.log"
  # A fixed seed: the run explores the same inputs in the same order every time (a longer run
  # with the same seed covers a shorter one), so a CI run finds nothing a longer local run missed.
  rm -rf "$work" && mkdir -p "$work"
  if "$bin/$h" "$work" "fuzz/corpus/$h" -seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 \
      -print_final_stats=1 -artifact_prefix="$findings/" >"$log" 2>&1; then
    execs=$(grep -a -m 1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
    echo "ci-fuzz: $h: ok, ${execs:-?} executions in ${seconds} s, ${#regressions[@]} regressions replayed"
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
