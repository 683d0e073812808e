#!/usr/bin/env bash
# Runs every libFuzzer target for a while and prints what each one did.
#
#   scripts/fuzz.sh [BUILD_DIR] [SECONDS_PER_TARGET]
#
# BUILD_DIR must be configured with -DUPTIME_FUZZ=ON (clang), usually with
# -DUPTIME_SANITIZE=address,undefined too; scripts/test.sh does both in
# build-san/. Each target starts from its seeds in fuzz/corpus/<target>/
# (read-only: new inputs go to a scratch corpus, so a run never edits the
# repository). A crash, leak, sanitizer report or timeout fails the run and
# leaves the input in fuzz-artifacts/ under the build directory; copy it into
# fuzz/corpus/<target>/ with the fix, and the <target>_seeds unit test keeps
# it fixed.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${1:-build-san}
SECONDS_PER_TARGET=${2:-${UPTIME_FUZZ_SECONDS:-30}}
TARGETS=(agent_results_fuzz catalog_validation_fuzz gateway_request_fuzz label_selector_fuzz
  manifest_fuzz)

if ! grep -q '^UPTIME_FUZZ:BOOL=ON' "$BUILD_DIR/CMakeCache.txt" 2>/dev/null; then
  echo "fuzz.sh: $BUILD_DIR is not configured with -DUPTIME_FUZZ=ON" >&2
  exit 2
fi

artifacts="$BUILD_DIR/fuzz-artifacts"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$artifacts"

# Sanitizer reports end the process with a stack; leaks count as failures.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0
rows=()
for target in "${TARGETS[@]}"; do
  binary="$BUILD_DIR/bin/$target"
  if [[ ! -x $binary ]]; then
    echo "fuzz.sh: $binary is missing (cmake --build $BUILD_DIR --target uptime_fuzzers)" >&2
    exit 2
  fi
  seeds=(fuzz/corpus/$target)
  if [[ $target == manifest_fuzz ]]; then seeds+=(deploy/examples); fi
  mkdir -p "$scratch/$target"
  log="$artifacts/$target.log"
  # The first corpus directory is where libFuzzer writes; the seeds after it
  # are only read. -timeout flags an input that takes over 10 s; -rss_limit_mb
  # one that grows memory without bound.
  if "$binary" "$scratch/$target" "${seeds[@]}" \
      -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$artifacts/$target-" >"$log" 2>&1; then
    result=ok
  else
    result=FAILED
    failed=1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
  corpus=$(find "$scratch/$target" -type f | wc -l)
  rows+=("$(printf '%-26s %-7s %12s %8s %12s' "$target" "$result" "${runs:-?}" "${cov:-?}" "$corpus")")
  if [[ $result == FAILED ]]; then
    echo "== $target failed; the end of $log:" >&2
    tail -40 "$log" >&2
  fi
done

printf '%-26s %-7s %12s %8s %12s\n' target result executions edges new-inputs
printf '%s\n' "${rows[@]}"
echo "($SECONDS_PER_TARGET s per target; logs and crashing inputs in $artifacts)"
exit $failed
