#!/usr/bin/env bash
# Builds the dashboard into web/dist: installs the locked npm packages (echarts, world-atlas,
# topojson-client; playwright-core for the browser tests) and copies our pages, the three vendor
# files and the scenario presets next to each other. No bundler: the pages are plain ES modules.
# Needs the npm registry (or a warm npm cache) the first time only; the server needs no network.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v npm >/dev/null; then
  echo "build-web: npm not found; the server will show 'dashboard assets not built'" >&2
  exit 0
fi
if ! (cd web && npm ci --no-audit --no-fund --prefer-offline); then
  echo "build-web: npm ci failed (no registry and no cache?); the dashboard is not built and its browser tests will be skipped" >&2
  exit 0
fi
rm -rf web/dist
mkdir -p web/dist/vendor web/dist/scenarios
cp web/src/* web/dist/
cp web/node_modules/echarts/dist/echarts.min.js web/dist/vendor/
cp web/node_modules/topojson-client/dist/topojson-client.min.js web/dist/vendor/
cp web/node_modules/world-atlas/countries-110m.json web/dist/vendor/
# The preset scenarios the composer offers (the files of scenarios/, not the risk register).
presets=()
for f in scenarios/*.json; do
  [ "$(basename "$f")" = register.json ] && continue
  cp "$f" web/dist/scenarios/
  presets+=("\"$(basename "$f")\"")
done
(
  IFS=,
  echo "[${presets[*]}]" >web/dist/scenarios/index.json
)
echo "build-web: web/dist ready ($(find web/dist -type f | wc -l) files)"
