#!/usr/bin/env bash
# Installs everything the build, the tests and the quickstart need from Debian 12 packages.
# Idempotent: installs only what is missing, so a second run is a no-op of a few hundred ms.
set -euo pipefail

PACKAGES=(
  # build
  cmake ninja-build g++ ccache pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto
  libabsl-dev libpq-dev libhiredis-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  libcurl4-openssl-dev libboost-dev libspdlog-dev libyaml-cpp-dev libssl-dev libc-ares-dev
  libargon2-dev libjemalloc-dev
  # sanitizers and fuzzing in the test command (scripts/test.sh, scripts/fuzz.sh)
  clang libclang-rt-14-dev
  # servers for tests and the quickstart
  postgresql redis-server
  # tools the tests use
  openssl procps curl
)
# The web app is built with npm at build time, and tested in a headless browser.
# A machine that already has Node.js (e.g. from NodeSource) keeps it.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  PACKAGES+=(nodejs npm)
fi
if ! command -v chromium >/dev/null; then
  PACKAGES+=(chromium)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "bootstrap: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
