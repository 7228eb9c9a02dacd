#!/usr/bin/env bash
# Checks that C++ files follow .clang-format. With no argument: every file that differs from
# origin/main (or, on a clean clone of main, from the previous commit) plus every staged or unstaged
# change; with --all: every tracked C++ file. Exits 1 and lists the files that need
# `clang-format -i`.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null; then
  echo "check-format: clang-format is not installed (Debian package clang-format)" >&2
  exit 1
fi
if [ "${1:-}" = "--all" ]; then
  mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
else
  base=""
  if git rev-parse -q --verify origin/main >/dev/null && [ "$(git rev-parse HEAD)" != "$(git rev-parse origin/main)" ]; then
    base=$(git merge-base HEAD origin/main)
  elif git rev-parse -q --verify HEAD~1 >/dev/null; then
    base=HEAD~1
  fi
  mapfile -t files < <({ [ -n "$base" ] && git diff --name-only --diff-filter=ACMR "$base" HEAD; git diff --name-only --diff-filter=ACMR HEAD; } \
    | grep -E '\.(cpp|hpp)$' | sort -u || true)
fi
bad=()
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then bad+=("$f"); fi
done
if [ ${#bad[@]} -gt 0 ]; then
  echo "check-format: ${#bad[@]} file(s) need clang-format -i:" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "check-format: ${#files[@]} file(s) formatted"
