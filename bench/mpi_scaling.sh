#!/usr/bin/env bash
# Strong and weak scaling of lodestone-mpi on the register's Monte Carlo, on this machine.
#   bench/mpi_scaling.sh BUILD_DIR [BASE_RUNS]
# Strong: BASE_RUNS x 4 scenarios over 1, 2 and 4 ranks. Weak: BASE_RUNS scenarios per rank.
# One thread per rank; ranks beyond the machine's cores are oversubscribed (--oversubscribe), so
# on a 2-core machine 4 ranks share 2 cores and the 4-rank figures measure contention, not
# scaling. Every run's output is checked against the 1-rank run of the same size (same bytes).
# Prints one line per run: mode, ranks, scenarios, wall seconds, rank 0's compute seconds and the
# bytes rank 0 received in the reduction, speed-up and efficiency against 1 rank.
set -euo pipefail
build=${1:?usage: mpi_scaling.sh BUILD_DIR [BASE_RUNS]}
base=${2:-50000}
root=$(cd "$(dirname "$0")/.." && pwd)
mpi="$build/lodestone-mpi"
reg="$root/scenarios/register.json"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run RANKS RUNS -> "wall compute bytes sha"
run() {
  local ranks=$1 runs=$2 t0 t1
  t0=$(date +%s.%N)
  mpirun -n "$ranks" --oversubscribe "$mpi" register --register "$reg" --runs "$runs" --seed 1 --threads 1 \
    >"$tmp/out" 2>"$tmp/err"
  t1=$(date +%s.%N)
  local compute bytes
  compute=$(sed -n 's/.*rank 0 computed in \([0-9.]*\) s.*/\1/p' "$tmp/err")
  bytes=$(sed -n 's/.*received \([0-9]*\) bytes.*/\1/p' "$tmp/err")
  echo "$(echo "$t1 - $t0" | bc -l) $compute $bytes $(sha256sum <"$tmp/out" | cut -c1-16)"
}

echo "host: $(nproc) cores; $(mpirun --version | head -1)"
printf '%-6s %5s %9s %8s %10s %10s %8s %6s %s\n' mode ranks scenarios wall_s r0_comp_s r0_recv_B speedup eff sha
declare -A ref_sha=()  # 1-rank bytes per run size
for mode in strong weak; do
  ref_wall=""
  for ranks in 1 2 4; do
    if [ "$mode" = strong ]; then runs=$((base * 4)); else runs=$((base * ranks)); fi
    read -r wall comp bytes sha < <(run "$ranks" "$runs")
    # The same scenarios on 1 rank give the same bytes.
    if [ -z "${ref_sha[$runs]:-}" ]; then
      if [ "$ranks" = 1 ]; then ref_sha[$runs]=$sha; else read -r _ _ _ ref_sha[$runs] < <(run 1 "$runs"); fi
    fi
    [ "$sha" = "${ref_sha[$runs]}" ] || { echo "bytes differ from the 1-rank run at $ranks ranks" >&2; exit 1; }
    [ -n "$ref_wall" ] || ref_wall=$wall
    if [ "$mode" = strong ]; then
      speedup=$(echo "$ref_wall / $wall" | bc -l); eff=$(echo "$speedup / $ranks" | bc -l)
    else
      speedup=$(echo "$ref_wall * $ranks / $wall" | bc -l); eff=$(echo "$ref_wall / $wall" | bc -l)
    fi
    printf '%-6s %5d %9d %8.2f %10s %10s %8.2f %6.2f %s\n' "$mode" "$ranks" "$runs" "$wall" "$comp" "$bytes" \
      "$speedup" "$eff" "$sha"
  done
done
