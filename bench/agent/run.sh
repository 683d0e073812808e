#!/bin/sh
# Runs the agent benchmark: the real uptime-agent against a stand-in
# coordinator, then prometheus-blackbox-exporter at the same rate, both
# probing a local nginx; prints a markdown table (bench/agent/agent_bench.cc).
#
# Usage: bench/agent/run.sh BUILD_DIR [MONITORS] [SECONDS] [INTERVAL_S] [agent_bench flags...]
#   e.g. run.sh build 10000 10 1 --kind=tcp --loops=2 --syscalls=1
# (--kind=http|tcp; --loops=N and --http-client=loop|curl for the agent;
# --syscalls=1 to count system calls per check with perf trace or strace;
# --mode=memory for memory per monitor idle and after SECONDS of checking,
# e.g. run.sh build 100000 60 10 --mode=memory; see agent_bench.cc).
# Installs missing Debian packages when run as root; never run by ctest.
# agent_bench starts and stops every process itself (they die with it).
set -eu
BUILD=${1:?usage: run.sh BUILD_DIR [MONITORS] [SECONDS] [INTERVAL_S]}
N=${2:-10000}; SECS=${3:-10}; INTERVAL=${4:-1}
shift $(($# < 4 ? $# : 4))
BIN=$(cd "$BUILD/bin" && pwd)
for f in agent_bench uptime-agent; do
  [ -x "$BIN/$f" ] || { echo "missing $BIN/$f: build targets agent_bench uptime-agent" >&2; exit 2; }
done

need() {  # need BINARY PACKAGE
  [ -x "$1" ] && return 0
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y --no-install-recommends "$2" >/dev/null || apt-get update >/dev/null &&
      apt-get install -y --no-install-recommends "$2" >/dev/null
  fi
  [ -x "$1" ] || { echo "missing $1 (Debian package $2)" >&2; return 1; }
}
need /usr/sbin/nginx nginx-light
need /usr/bin/prometheus-blackbox-exporter prometheus-blackbox-exporter ||
  echo "continuing without the blackbox_exporter comparison" >&2

# Each check in flight holds a socket, in the agent and in nginx.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

W=$(mktemp -d "${TMPDIR:-/tmp}/agent-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
"$BIN/agent_bench" --agent="$BIN/uptime-agent" --monitors="$N" --seconds="$SECS" \
  --interval="$INTERVAL" --workdir="$W" "$@" || { rc=$?; tail -n 20 "$W"/*.log >&2 || true; exit $rc; }
