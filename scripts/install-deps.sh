#!/usr/bin/env bash
# Installs what Lodestone needs to build and test on Debian 12 (bookworm), from Debian's archive
# only. Safe to run again: apt-get skips what is present. Needs root (or sudo).
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config
  libgtest-dev libgmock-dev libbenchmark-dev librapidcheck-dev
  nlohmann-json3-dev libfmt-dev libcli11-dev
  libtbb-dev libpcg-cpp-dev libsqlite3-dev sqlite3 coinor-libcbc-dev
  # `lodestone serve`: the HTTP server (cpp-httplib, with OpenSSL for TLS) and API-key hashing.
  libcpp-httplib-dev libsodium-dev
  libopenmpi-dev openmpi-bin  # lodestone-mpi and its tests (mpirun)
  # The Python module (python/, docs/python.md) and its tests.
  pybind11-dev python3-dev python3-pybind11 python3-numpy python3-pytest python3-pandas python3-matplotlib
  # The hardening steps of .ci/run: libFuzzer harnesses (clang-14 with its sanitizer and fuzzer
  # runtimes; llvm-14 for llvm-symbolizer, which puts names in sanitizer stack traces).
  clang-14 libclang-rt-14-dev llvm-14
  # The PostgreSQL project store (libpqxx) and the server its tests start (scripts/pg-test-cluster.sh).
  postgresql-15 libpqxx-dev
  # The format check of .ci/run (scripts/check-format.sh).
  clang-format
  chromium  # the dashboard's browser tests (tests/browser, driven by playwright-core from web/)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
