#!/usr/bin/env bash
# The crash-safety loop: `lodestone data import` and `lodestone projects import` are killed with
# SIGKILL at random moments (seeded, bounded), and after each kill the state must be whole and
# either the old one or the new one, never a mix:
#   - data import: the dataset folder exists, `data check` passes, and its files (hidden staging
#     folders aside) are byte for byte those before the import or those after a complete import;
#   - projects import: `PRAGMA integrity_check` says ok and `projects list --format csv` is the
#     registry before the import or after a complete one.
# Hidden staging folders a kill leaves behind are counted and reported (not a failure here: the
# cleanup on the next run is part of the Hardening fixes).
# Usage: crash_safety.sh LODESTONE SOURCE_DIR WORK_DIR [ITERATIONS] [SEED]
set -euo pipefail
lodestone="$1"
src="$2"
work="$3"
iterations="${4:-30}"
RANDOM="${5:-20261206}"

rm -rf "$work"
mkdir -p "$work"
cd "$work"
failures=0
fail() {
  echo "crash_safety: FAIL: $*" >&2
  failures=$((failures + 1))
}

# A fingerprint of a dataset folder: the names and contents of its visible files.
fingerprint() {
  (cd "$1" && find . -path '*/.*' -prune -o -type f -print | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -d' ' -f1
}
now_ms() { date +%s%3N; }
# A random delay in [0, max_ms] milliseconds, as seconds for sleep.
delay() {
  local ms=$(((RANDOM * 32768 + RANDOM) % ($1 + 1)))
  printf '%d.%03d' $((ms / 1000)) $((ms % 1000))
}
# Runs a command in the background, kills it with SIGKILL after a random delay, and waits.
# Prints "killed" or "finished" (the command ended before the kill).
kill_at_random() {
  local max_ms="$1"
  shift
  "$@" >/dev/null 2>&1 &
  local pid=$!
  sleep "$(delay "$max_ms")"
  if kill -9 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null || true
    echo killed
  else
    wait "$pid" 2>/dev/null || true
    echo finished
  fi
}

# --- data import ----------------------------------------------------------------------------
# The raw published files are read where they are kept (../shared/data beside the repository).
published="${LODESTONE_PUBLISHED:-$(cd "$src/.." && pwd)/shared/data}"
usgs="$published/usgs_mcs2026/raw/MCS2026_Commodities_Data.csv"
wgi="$published/wgi/raw/wgi_2023_official_format_semicolon.csv"
for f in "$usgs" "$wgi"; do
  [ -f "$f" ] || { echo "crash_safety: published file $f not found (read from ../shared/data)" >&2; exit 1; }
done
# The old state holds the WGI import; the import under test adds the (larger) USGS file.
"$lodestone" data import wgi "$wgi" --out old >/dev/null
cp -a old new
t0=$(now_ms)
"$lodestone" data import usgs-mcs "$usgs" --out new >/dev/null
import_ms=$(($(now_ms) - t0))
"$lodestone" data check new >/dev/null
old_fp=$(fingerprint old)
new_fp=$(fingerprint new)
[ "$old_fp" != "$new_fp" ] || fail "the data import under test changes nothing"
# Kill anywhere in the run, and a little past its usual end (it may run slower under load).
window=$((import_ms * 5 / 4 + 20))
killed=0
leftovers=0
seen_old=0
seen_new=0
for i in $(seq 1 "$iterations"); do
  rm -rf ds .ds.* 2>/dev/null || true
  cp -a old ds
  outcome=$(kill_at_random "$window" "$lodestone" data import usgs-mcs "$usgs" --out ds)
  [ "$outcome" = killed ] && killed=$((killed + 1))
  if [ ! -d ds ]; then
    fail "data import #$i ($outcome): the dataset folder is gone"
    continue
  fi
  if ! "$lodestone" data check ds >/dev/null 2>&1; then fail "data import #$i ($outcome): data check fails"; fi
  fp=$(fingerprint ds)
  if [ "$fp" = "$old_fp" ]; then
    seen_old=$((seen_old + 1))
  elif [ "$fp" = "$new_fp" ]; then
    seen_new=$((seen_new + 1))
  else
    fail "data import #$i ($outcome): the dataset is neither the old nor the new one"
  fi
  n=$(find . -maxdepth 1 -name '.*' ! -name . | wc -l)
  leftovers=$((leftovers + n))
done
echo "crash_safety: data import (${import_ms} ms): $iterations runs, $killed killed, old state $seen_old, new state $seen_new, hidden leftovers $leftovers"

# --- projects import ------------------------------------------------------------------------
projects="$src/data/projects/projects.csv"
stack="$src/data/projects/capital_stack.csv"
# The new state: every active project paused, so that the import updates most rows.
sed 's/,active,/,paused,/' "$projects" >renamed.csv
"$lodestone" projects import "$projects" --stack "$stack" --db old.db >/dev/null
"$lodestone" projects list --format csv --db old.db >old.csv
cp old.db new.db
t0=$(now_ms)
"$lodestone" projects import renamed.csv --stack "$stack" --db new.db >/dev/null
import_ms=$(($(now_ms) - t0))
"$lodestone" projects list --format csv --db new.db >new.csv
cmp -s old.csv new.csv && fail "the projects import under test changes nothing"
window=$((import_ms * 5 / 4 + 20))
killed=0
seen_old=0
seen_new=0
for i in $(seq 1 "$iterations"); do
  rm -f reg.db reg.db-*
  cp old.db reg.db
  outcome=$(kill_at_random "$window" "$lodestone" projects import renamed.csv --stack "$stack" --db reg.db)
  [ "$outcome" = killed ] && killed=$((killed + 1))
  check=$(sqlite3 reg.db 'PRAGMA integrity_check;' 2>&1 || true)
  [ "$check" = ok ] || fail "projects import #$i ($outcome): integrity_check: $check"
  if ! "$lodestone" projects list --format csv --db reg.db >now.csv 2>/dev/null; then
    fail "projects import #$i ($outcome): the registry cannot be listed"
    continue
  fi
  if cmp -s now.csv old.csv; then
    seen_old=$((seen_old + 1))
  elif cmp -s now.csv new.csv; then
    seen_new=$((seen_new + 1))
  else
    fail "projects import #$i ($outcome): the registry is neither the old nor the new one"
  fi
done
echo "crash_safety: projects import (${import_ms} ms): $iterations runs, $killed killed, old state $seen_old, new state $seen_new"

if [ "$failures" -gt 0 ]; then
  echo "crash_safety: $failures failure(s)" >&2
  exit 1
fi
echo "crash_safety: ok"
