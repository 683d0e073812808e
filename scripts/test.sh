#!/usr/bin/env bash
# Runs every test: installs what is missing, configures, builds, runs ctest.
# Unit tests first (fast feedback), then integration and end-to-end tests,
# which start real PostgreSQL, Redis, HTTP servers and our own binaries.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh

BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DUPTIME_WERROR=ON >/dev/null
time cmake --build "$BUILD_DIR" -j "$JOBS"

cd "$BUILD_DIR"
# Each label in turn so a unit failure shows up before the slow suites run.
for label in unit integration e2e; do
  echo "== ctest -L $label"
  time ctest -L "^${label}\$" --output-on-failure -j "$JOBS" --timeout 300 --no-tests=ignore
done
