#!/usr/bin/env bash
# End-to-end timing of `lodestone risk geopolrisk sweep` (read + compute + write) on a generated
# data set in the published layouts, of geopolrisk-py's grid shape (about 200 importers, 53
# materials, 5 years; 1.2 million BACI lines a year). The files go to a temporary folder (or
# $1), never into the repository. Needs a release build (build/release/lodestone).
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-${TMPDIR:-/tmp}/lodestone-bench-gpr-sweep}"
if [[ ! -f "$dir/BACI_HS17_Y2022_V202401.csv" ]]; then
  /usr/bin/python3 bench/geopolrisk_sweep_data.py "$dir"
fi
uptime
for run in 1 2 3; do
  /usr/bin/time -f "run $run: wall %e s, user %U s, sys %S s, max RSS %M KB" \
    build/release/lodestone risk geopolrisk sweep --baci "$dir"/BACI_HS17_Y20{18,19,20,21,22}_V202401.csv \
    --country-codes "$dir/country_codes.csv" --production "$dir/production.csv" --wgi "$dir/wgi_databank.csv" \
    --hs-codes "$dir/material_hs.csv" --out "$dir/geopolrisk_sweep.csv"
done
