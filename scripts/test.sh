#!/usr/bin/env bash
# Set-up and the whole test suite (without the tests labelled slow): installs dependencies,
# builds, runs ctest and prints its summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build-web.sh  # the dashboard (web/dist) and playwright-core for its browser tests
cmake --preset release >/dev/null
cmake --build --preset release
ctest --preset release --parallel 2
