#!/usr/bin/env bash
# Set-up and main job: installs dependencies, builds, validates the shipped dataset and prints
# the supply picture of the key minerals with their sources, then simulates China's October 2025
# export controls (as announced, and widened to gallium, germanium and graphite) for the US and Japan.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
./build/release/lodestone data check data/starter
./build/release/lodestone supply --mineral lithium,cobalt,nickel,graphite,rare_earths,gallium,germanium --top 6
./build/release/lodestone simulate
