#!/usr/bin/env bash
# Runs every test: installs what is missing, configures, builds, runs ctest.
# Unit tests first (fast feedback), then integration and end-to-end tests,
# which start real PostgreSQL, Redis, HTTP servers and our own binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

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
cd "$ROOT"

# Sanitizers and fuzzing. The code that takes input from outside (HTTP
# requests, API objects, YAML, label selectors, agent results) and the
# lock-heavy core are built again with clang's AddressSanitizer and
# UndefinedBehaviorSanitizer; their unit tests run there, then every fuzz
# target runs for UPTIME_FUZZ_SECONDS from its seed corpus. A subset, not the
# whole tree: a sanitized build of everything would double the CI time.
# UPTIME_SANITIZERS=0 skips this stage (e.g. on a machine without clang).
if [[ ${UPTIME_SANITIZERS:-1} != 0 ]]; then
  SAN_DIR=${SAN_BUILD_DIR:-build-san}
  SAN_TESTS=(common_test manifest_test coordinator_health_test coordinator_cluster_test
    agent_scheduling_test gateway_test)
  CC=clang CXX=clang++ cmake -S . -B "$SAN_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DUPTIME_WERROR=ON -DUPTIME_SANITIZE=address,undefined -DUPTIME_FUZZ=ON >/dev/null
  echo "== sanitized build (address, undefined)"
  time cmake --build "$SAN_DIR" -j "$JOBS" --target uptime_fuzzers "${SAN_TESTS[@]}"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  for t in "${SAN_TESTS[@]}"; do
    echo "== $t (asan, ubsan)"
    "$SAN_DIR/bin/$t" --gtest_brief=1
  done
  echo "== fuzzing, ${UPTIME_FUZZ_SECONDS:=30} s per target"
  bash scripts/fuzz.sh "$SAN_DIR" "$UPTIME_FUZZ_SECONDS"
fi
