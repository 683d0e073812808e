#!/usr/bin/env bash
# The web dashboard in a real Chromium against a running system: PostgreSQL,
# Redis, uptime-coordinator, one uptime-agent and uptime-gateway on free
# loopback ports, N monitors (most of them TCP/HTTP checks every 60 s of a
# local target that answers), then bench/web/web_bench.mjs measures over R
# runs:
#   (a) navigation -> the monitor list rendered: rows on screen and the "All"
#       count showing N (cold: a fresh browser context each run; warm: the
#       signed-in tab navigating again, assets cached);
#   (b) one monitor's target starts failing -> its badge shows Down, without
#       a reload (that monitor is checked every 1 s, failure threshold 1);
#   (c) page weight: JS and CSS of `/` and of `/status/{slug}` (raw, what
#       gzip -6 makes of it, and what Chromium received);
# measured once every monitor has been checked (no PENDING left), so the
# first wave of state changes is not part of the page loads;
# and the gateway's and coordinator's RSS after the load. Prints a table and
# a verdict; the raw numbers go to $OUT as JSON.
#
#   bash bench/web/run.sh [--monitors N] [--runs R] [--build-dir DIR]
#   OUT=build/bench/web.json (default)
#
# Needs postgresql (15), redis-server, chromium and gateway/web/node_modules
# (npm ci in gateway/web). Only loopback addresses are used. Nothing is
# asserted: the exit code is non-zero only when the system could not be
# started or measured.
set -euo pipefail
cd "$(dirname "$0")/../.."

# The work runs in a second bash that this one waits for: a Ctrl-C reaches
# this shell's trap during `wait` at once, which then stops the inner one,
# whose EXIT trap stops every process it started. (A shell busy with a
# foreground command may never run its INT trap if that command handles
# SIGINT itself, as runuser and pg_ctl do.)
if [[ -z ${UPTIME_WEB_BENCH_INNER:-} ]]; then
  UPTIME_WEB_BENCH_INNER=1 bash "$0" "$@" &
  inner=$!
  trap 'kill -TERM "$inner" 2>/dev/null || true' INT TERM
  while :; do
    rc=0
    wait "$inner" || rc=$?
    ((rc > 128)) && kill -0 "$inner" 2>/dev/null && continue
    exit "$rc"
  done
fi
ROOT=$PWD
N=10000
RUNS=5
BUILD_DIR=build
while [[ $# -gt 0 ]]; do
  case "$1" in
    --monitors) N=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --build-dir) BUILD_DIR=$2; shift 2 ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$N" =~ ^[0-9]+$ && "$N" -ge 2 ]] || { echo "--monitors: a number >= 2, got '$N'" >&2; exit 2; }
[[ "$RUNS" =~ ^[0-9]+$ && "$RUNS" -ge 1 ]] || { echo "--runs: a number >= 1, got '$RUNS'" >&2; exit 2; }
BIN="$ROOT/$BUILD_DIR/bin"
OUT=${OUT:-$ROOT/build/bench/web.json}
PGBIN=/usr/lib/postgresql/15/bin
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

for b in uptime-coordinator uptime-agent uptime-gateway; do
  [[ -x "$BIN/$b" ]] || { echo "missing $BIN/$b: build targets uptime-coordinator uptime-agent uptime-gateway" >&2; exit 2; }
done
for t in "$PGBIN/initdb" "$PGBIN/pg_ctl" /usr/bin/redis-server "$CHROMIUM" "$(command -v node || echo node)" "$(command -v curl || echo curl)"; do
  [[ -x "$t" ]] || { echo "missing $t (apt-get install -y postgresql redis-server chromium nodejs curl)" >&2; exit 2; }
done
[[ -d gateway/web/node_modules/playwright-core ]] || { echo "missing gateway/web/node_modules/playwright-core (cd gateway/web && npm ci)" >&2; exit 2; }

# PostgreSQL refuses to run as root; its directory must be reachable by the
# postgres user, so it is a temp dir of its own rather than inside $WORK.
WORK=$(mktemp -d /tmp/uptime-web-bench.XXXXXX)
PGDIR=$(mktemp -d /tmp/uptime-web-bench-pg.XXXXXX)
# In the background and waited for, so that a TERM stops the wait at once.
if [[ $(id -u) -eq 0 ]]; then
  chown postgres "$PGDIR"
  as_pg() { runuser -u postgres -- "$@" & wait $!; }
else
  as_pg() { "$@" & wait $!; }
fi
PIDS=()
PG_STARTED=0
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [[ $PG_STARTED -eq 1 ]]; then
    as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if [[ $rc -ne 0 ]]; then
    for f in "$WORK"/*.log; do [[ -f "$f" ]] && { echo "--- last lines of $f" >&2; tail -n 15 "$f" >&2; }; done
  fi
  rm -rf "$WORK" "$PGDIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() {  # what, pid (0: none), command...
  local what=$1 pid=$2; shift 2
  for _ in $(seq 300); do
    "$@" >/dev/null 2>&1 && return 0
    [[ $pid -ne 0 ]] && ! kill -0 "$pid" 2>/dev/null && { echo "$what exited while starting" >&2; return 1; }
    sleep 0.1
  done
  echo "timed out waiting for $what" >&2
  return 1
}

PG_PORT=$(free_port); REDIS_PORT=$(free_port); API=$(free_port); METRICS=$(free_port); GW=$(free_port)
# Tokens reach the servers through their UPTIME_* variables, not argv.
ADMIN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
READ=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
AGENT_TOKEN=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')

echo "== PostgreSQL (port $PG_PORT), Redis (port $REDIS_PORT)"
as_pg "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U uptime -E UTF8 --locale=C --no-sync >"$WORK/initdb.log" 2>&1
# Durability off: this measures the dashboard, not the disk.
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/postgres.log" -w \
  -o "-p $PG_PORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
PG_STARTED=1
as_pg "$PGBIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U uptime -d postgres -qc 'CREATE DATABASE uptime' >/dev/null
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  >"$WORK/redis.log" 2>&1 &
PIDS+=($!)
wait_for redis "$!" redis-cli -p "$REDIS_PORT" ping

echo "== coordinator, agent, gateway"
UPTIME_ADMIN_TOKEN=$ADMIN UPTIME_READ_TOKEN=$READ UPTIME_AGENT_TOKEN=$AGENT_TOKEN \
  "$BIN/uptime-coordinator" --listen "127.0.0.1:$API" --metrics-listen "127.0.0.1:$METRICS" \
  --postgres "host=127.0.0.1 port=$PG_PORT user=uptime dbname=uptime" --redis "127.0.0.1:$REDIS_PORT" \
  --log-level warn >"$WORK/coordinator.log" 2>&1 &
COORDINATOR_PID=$!
PIDS+=($COORDINATOR_PID)
wait_for coordinator "$COORDINATOR_PID" curl -sf "http://127.0.0.1:$METRICS/readyz"

UPTIME_AGENT_TOKEN=$AGENT_TOKEN "$BIN/uptime-agent" --coordinator "127.0.0.1:$API" \
  --agent-id web-bench-1 --labels region=local --metrics-listen 127.0.0.1:0 --log-level warn \
  >"$WORK/agent.log" 2>&1 &
AGENT_PID=$!
PIDS+=($AGENT_PID)

UPTIME_TOKEN=$READ "$BIN/uptime-gateway" --listen "127.0.0.1:$GW" --coordinator "127.0.0.1:$API" \
  --redis "127.0.0.1:$REDIS_PORT" --log-level warn >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
PIDS+=($GATEWAY_PID)
wait_for gateway "$GATEWAY_PID" curl -sf "http://127.0.0.1:$GW/readyz"
wait_for "the agent to join" "$AGENT_PID" bash -c \
  "curl -sf -H 'Authorization: Bearer $READ' http://127.0.0.1:$GW/api/v1/agents | grep -q web-bench-1"

mkdir -p "$(dirname "$OUT")"
source bench/common/machine_report.sh
machine_start
echo "== web_bench.mjs: $N monitors, $RUNS runs"
# In the background so that Ctrl-C or a TERM reaches the trap at once.
BENCH_ADMIN=$ADMIN BENCH_READ=$READ node bench/web/web_bench.mjs --base "http://127.0.0.1:$GW" --admin-token-env BENCH_ADMIN \
  --read-token-env BENCH_READ --monitors "$N" --runs "$RUNS" --chromium "$CHROMIUM" --out "$OUT" \
  --pid "gateway=$GATEWAY_PID" --pid "coordinator=$COORDINATOR_PID" --pid "agent=$AGENT_PID" \
  --ctl "$BIN/uptimectl" --api "127.0.0.1:$API" &
NODE_PID=$!
PIDS=("$NODE_PID" "${PIDS[@]}")
wait "$NODE_PID"
machine_report
