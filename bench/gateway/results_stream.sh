#!/usr/bin/env bash
# The gateway's CPU cost per check result it streams (--results-stream).
# A coordinator in memory mode, one agent checking N TCP monitors every
# second against a local accept-and-close server (N results/s), and
# uptime-gateway in three runs of SECONDS each:
#   off     --results-stream=off: the baseline (state stream, reloads)
#   always  --results-stream=always, no SSE client: receiving every result
#           and refreshing last_result in the snapshot
#   client  the same plus one SSE client taking every result
#           (include_results=true, read by curl into /dev/null)
# CPU is the gateway's utime+stime from /proc; results from its
# uptime_gateway_results_received_total. Prints CPU per result (us) over the
# baseline. Nothing is asserted.
#
#   bash bench/gateway/results_stream.sh [BUILD_DIR] [MONITORS] [SECONDS]
# With PERF_DIR=DIR, each run is also profiled (perf record -g) into
# DIR/<run>.perf.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${1:-build}
MONITORS=${2:-1000}
SECONDS_PER_RUN=${3:-20}
BIN="$PWD/$BUILD_DIR/bin"
WORK=$(mktemp -d /tmp/uptime-gw-results.XXXXXX)
PIDS=()
GW_PID=""
cleanup() {
  for pid in "${PIDS[@]}" $GW_PID; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
API=$(free_port); METRICS=$(free_port); GW=$(free_port); TARGET=$(free_port)
ADMIN=bench-admin; READ=bench-read; TICK=$(getconf CLK_TCK)

# The check target: accepts and closes (a TCP check needs no more).
python3 - "$TARGET" >"$WORK/target.log" 2>&1 <<'PY' &
import asyncio, sys
async def main():
    async def handle(reader, writer):
        writer.close()
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]), backlog=4096)
    await server.serve_forever()
asyncio.run(main())
PY
PIDS+=($!)
"$BIN/uptime-coordinator" --listen "127.0.0.1:$API" --metrics-listen "127.0.0.1:$METRICS" \
  --admin-token "$ADMIN" --read-token "$READ" --agent-token bench-agent --log-level warn \
  >"$WORK/coordinator.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$METRICS/healthz" >/dev/null && break; sleep 0.1; done
"$BIN/uptime-agent" --coordinator "127.0.0.1:$API" --agent-id bench-agent-1 --agent-token bench-agent \
  --metrics-listen 127.0.0.1:0 --log-level warn >"$WORK/agent.log" 2>&1 &
PIDS+=($!)

start_gateway() {
  "$BIN/uptime-gateway" --listen "127.0.0.1:$GW" --coordinator "127.0.0.1:$API" --token "$READ" \
    --log-level warn --threads 1 --results-stream "$1" --sse-max-queued 100000 \
    >>"$WORK/gateway.log" 2>&1 &
  GW_PID=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$GW/readyz" >/dev/null && break; sleep 0.1; done
}
stop_gateway() { kill "$GW_PID"; wait "$GW_PID" 2>/dev/null || true; GW_PID=""; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$GW_PID/stat"; }
metric() {
  curl -s "http://127.0.0.1:$GW/metrics" | awk -v n="$1" '$1 == n {print $2}'
}

start_gateway off
echo "== creating $MONITORS TCP monitors checked every second"
python3 - "http://127.0.0.1:$GW/api/v1" "$ADMIN" "$MONITORS" "$TARGET" <<'PY'
import json, sys, urllib.request
from concurrent.futures import ThreadPoolExecutor
base, token, n, port = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def create(i):
    body = json.dumps({"name": f"res-{i:05d}", "labels": {"bench": "results", "shard": str(i % 10)},
                       "tcp": {"host": "127.0.0.1", "port": port},
                       "interval": "1s", "timeout": "0.5s"}).encode()
    req = urllib.request.Request(base + "/monitors", data=body, method="POST",
                                 headers={"Authorization": "Bearer " + token,
                                          "Content-Type": "application/json"})
    urllib.request.urlopen(req).read()
with ThreadPoolExecutor(8) as pool:
    list(pool.map(create, range(n)))
PY
sleep 5  # the agent schedules them (phase-spread over the interval)

measure() {  # label
  local c0 r0 c1 r1
  sleep 3  # settle
  c0=$(cpu_ticks); r0=$(metric uptime_gateway_results_received_total)
  if [[ -n "${PERF_DIR:-}" ]]; then
    perf record -q -g -p "$GW_PID" -o "$PERF_DIR/$1.perf" -- sleep "$SECONDS_PER_RUN" 2>/dev/null
  else
    sleep "$SECONDS_PER_RUN"
  fi
  c1=$(cpu_ticks); r1=$(metric uptime_gateway_results_received_total)
  python3 - "$1" "$c0" "$c1" "$r0" "$r1" "$TICK" "$SECONDS_PER_RUN" "$(metric uptime_gateway_results_dropped_total)" <<'PY'
import sys
label, c0, c1, r0, r1, tick, secs, dropped = sys.argv[1:]
cpu = (float(c1) - float(c0)) / float(tick)
res = float(r1 or 0) - float(r0 or 0)
print(f"{label:7s} cpu {cpu:6.2f}s over {secs}s ({100*cpu/float(secs):5.1f}% of a core), "
      f"results {res:8.0f} ({res/float(secs):7.0f}/s), dropped upstream {dropped or 0}")
PY
  echo "$1 - $c0 $c1 ${r0:-0} ${r1:-0}" >>"$WORK/runs"
}

echo "== off (baseline)"
measure off
stop_gateway
start_gateway always
echo "== always, no client"
measure always
echo "== always, one client taking every result"
curl -sN -H "Authorization: Bearer $READ" "http://127.0.0.1:$GW/api/v1/events?include_results=true" \
  >/dev/null &
CURL=$!
measure client
kill "$CURL" 2>/dev/null || true
stop_gateway

python3 - "$WORK/runs" "$TICK" <<'PY'
import sys
runs = {}
for line in open(sys.argv[1]):
    label, _, c0, c1, r0, r1 = line.split()
    runs[label] = ((float(c1) - float(c0)) / float(sys.argv[2]), float(r1 or 0) - float(r0 or 0))
base_cpu = runs["off"][0]
for label in ("always", "client"):
    cpu, res = runs[label]
    if res > 0:
        print(f"{label:7s} gateway CPU per result over the baseline: {1e6 * (cpu - base_cpu) / res:6.1f} us")
PY
echo "== machine: $(uptime)"
