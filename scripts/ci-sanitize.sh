#!/usr/bin/env bash
# CI step: builds the debug preset (AddressSanitizer + UndefinedBehaviorSanitizer, see
# CMakePresets.json) and runs the whole ctest suite under it, except tests labelled `slow` (run
# separately by .ci/run) and `no_asan` (too slow under the sanitizers; see tests/CMakeLists.txt
# for each one and why). Any sanitizer report fails the test that triggered it: UBSan halts on
# the first error, ASan reports leaks at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

start=$(date +%s)
cmake --preset debug "${launcher[@]}" >/dev/null
cmake --build --preset debug
built=$(date +%s)
echo "ci-sanitize: build took $((built - start)) s"
ctest --preset debug --parallel "${CTEST_PARALLEL:-2}"
echo "ci-sanitize: tests took $(($(date +%s) - built)) s"
