#!/usr/bin/env bash
# uptime-gateway against nginx in the same run, with wrk at 64 connections:
#   1. one monitor's status   GET /api/v1/statuses/{id}
#   2. the list of 1,000      GET /api/v1/statuses?page_size=1000
#   3. the same list gzip'd   (Accept-Encoding: gzip)
#   4. the status read again, paced to PACED_RATE (30,000) requests/s, the
#      design's target rate: p99 there is the latency a client sees at that
#      load, not at saturation, where wrk and the server queue behind each
#      other on the same two cores. The rate achieved is printed with it.
# nginx (nginx-light) serves static files of exactly the same sizes, so the
# ratios compare HTTP serving, not payloads; the gzip'd list is the gateway's
# own gzip copy, served by nginx as a precompressed file (gzip_static). Prints a table: throughput and
# p50/p99 latency, and the gateway's ratio to nginx; and the CPU time each
# server spent per request (user + system, from /proc), which a busy machine
# disturbs far less than throughput.
# Then SSE fan-out (needs node): 1,000 clients on /api/v1/events, a monitor
# paused through the REST API (admin token) 10 times, and the time from the
# pause request to each client reading its state_change event, p50/p99/max
# over all clients and rounds (bench/gateway/sse_fanout.js).
#
#   bash bench/gateway/run.sh [BUILD_DIR] [SECONDS]
#   GATEWAY_FLAGS="--threads 1" bash bench/gateway/run.sh   # extra gateway flags
#
# Needs wrk and nginx-light (apt-get install -y wrk nginx-light). Only
# loopback addresses are used. Nothing is asserted: timings never fail.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${1:-build}
SECONDS_PER_RUN=${2:-10}
BIN="$PWD/$BUILD_DIR/bin"
CONNS=64
for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y wrk nginx-light curl)" >&2; exit 2; }
done
WORK=$(mktemp -d /tmp/uptime-gw-bench.XXXXXX)
PIDS=()
cleanup() {
  # A server that died during the run says why before its log goes.
  if [[ -n ${GW_PID:-} ]] && ! kill -0 "$GW_PID" 2>/dev/null; then
    wait "$GW_PID" 2>/dev/null; echo "uptime-gateway exited (status $?); the end of its log:" >&2
    tail -n 30 "$WORK/gateway.log" >&2
  fi
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [[ -f "$WORK/nginx.pid" ]] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
API=$(free_port); METRICS=$(free_port); GW=$(free_port); NGX=$(free_port)
ADMIN=bench-admin; READ=bench-read

"$BIN/uptime-coordinator" --listen "127.0.0.1:$API" --metrics-listen "127.0.0.1:$METRICS" \
  --admin-token "$ADMIN" --read-token "$READ" --agent-token bench-agent --log-level warn \
  >"$WORK/coordinator.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$METRICS/healthz" >/dev/null && break; sleep 0.1; done

"$BIN/uptime-gateway" --listen "127.0.0.1:$GW" --coordinator "127.0.0.1:$API" --token "$READ" \
  --reload-interval 1s --log-level warn ${GATEWAY_FLAGS:-} >"$WORK/gateway.log" 2>&1 &
PIDS+=($!)
GW_PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$GW/readyz" >/dev/null && break; sleep 0.1; done

echo "== creating 1,000 monitors (no agents: they stay PENDING, which is all a read needs)"
G="http://127.0.0.1:$GW/api/v1"
python3 - "$G" "$ADMIN" <<'PY'
import json, sys, urllib.request
base, token = sys.argv[1], sys.argv[2]
for i in range(1000):
    body = json.dumps({"name": f"bench-{i:04d}", "labels": {"bench": "gw"},
                       "tcp": {"host": "127.0.0.1", "port": 9}, "interval": "60s"}).encode()
    req = urllib.request.Request(base + "/monitors", data=body, method="POST",
                                 headers={"Authorization": "Bearer " + token,
                                          "Content-Type": "application/json"})
    urllib.request.urlopen(req).read()
PY
for _ in $(seq 100); do
  n=$(curl -s -H "Authorization: Bearer $READ" "$G/statuses:summary" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("total",0))')
  [[ "$n" -ge 1000 ]] && break
  sleep 0.2
done
ID=$(curl -s -H "Authorization: Bearer $READ" "$G/statuses?page_size=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["statuses"][0]["monitorId"])')
ONE_PATH="/api/v1/statuses/$ID"
LIST_PATH="/api/v1/statuses?page_size=1000"

# Static twins of the two answers, byte for byte the same size.
mkdir -p "$WORK/www"
curl -s -H "Authorization: Bearer $READ" "http://127.0.0.1:$GW$ONE_PATH" >"$WORK/www/one.json"
curl -s -H "Authorization: Bearer $READ" "http://127.0.0.1:$GW$LIST_PATH" >"$WORK/www/list.json"
curl -s -H "Authorization: Bearer $READ" -H "Accept-Encoding: gzip" "http://127.0.0.1:$GW$LIST_PATH" \
  >"$WORK/www/list.json.gz"
cat >"$WORK/nginx.conf" <<NGX
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/json;
  sendfile on;
  tcp_nodelay on;
  keepalive_requests 1000000;
  client_body_temp_path $WORK/tmp;
  proxy_temp_path $WORK/tmp;
  fastcgi_temp_path $WORK/tmp;
  uwsgi_temp_path $WORK/tmp;
  scgi_temp_path $WORK/tmp;
  gzip_static on;
  gzip_vary on;
  server {
    listen 127.0.0.1:$NGX;
    root $WORK/www;
  }
}
NGX
mkdir -p "$WORK/tmp"
nginx -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log"
# The master forks its workers after writing its pid: wait for them.
for _ in $(seq 100); do
  [[ -s "$WORK/nginx.pid" ]] && pgrep -P "$(cat "$WORK/nginx.pid")" >/dev/null && break
  sleep 0.1
done

# wrk: requests/s, p50 and p99 in ms, non-2xx answers, requests.
run_wrk() {
  local url=$1; shift
  wrk -t2 -c"$CONNS" -d"${SECONDS_PER_RUN}s" --latency "$@" "$url" | python3 -c '
import re, sys
text = sys.stdin.read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
def pct(p):
    m = re.search(r"^\s+" + p + r"%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
p50, p99 = pct("50"), pct("99")
requests = int(re.search(r"(\d+) requests in", text).group(1))
print("%.0f %.3f %.3f %s %d" % (rps, p50, p99, non2xx.group(1) if non2xx else 0, requests))'
}

# CPU time (user + system, clock ticks) the processes $@ have used so far.
TICK=$(getconf CLK_TCK)
cpu_ticks() {
  local total=0 pid
  for pid in "$@"; do
    [[ -r "/proc/$pid/stat" ]] || { echo "process $pid is gone" >&2; continue; }
    # Fields after the command name: utime and stime are the 12th and 13th.
    total=$((total + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')))
  done
  echo "$total"
}

# run_measured "PIDS" URL [wrk args]: run_wrk's figures, then the CPU
# microseconds the processes PIDS spent per request.
run_measured() {
  local pids=$1 before after rps p50 p99 err requests
  shift
  before=$(cpu_ticks $pids)
  read -r rps p50 p99 err requests < <(run_wrk "$@")
  after=$(cpu_ticks $pids)
  echo "$rps $p50 $p99 $err $(python3 -c "print('%.1f' % (($after - $before) * 1e6 / $TICK / max(1, $requests)))")"
}

source bench/common/machine_report.sh
machine_start
echo "== wrk, $CONNS connections, ${SECONDS_PER_RUN}s each (everything on this machine)"
AUTH=(-H "Authorization: Bearer $READ")
NGX_PIDS="$(cat "$WORK/nginx.pid") $(pgrep -P "$(cat "$WORK/nginx.pid")" | tr '\n' ' ')"
read -r g1 g1p50 g1p99 g1err g1cpu < <(run_measured "$GW_PID" "http://127.0.0.1:$GW$ONE_PATH" "${AUTH[@]}")
read -r n1 n1p50 n1p99 n1err n1cpu < <(run_measured "$NGX_PIDS" "http://127.0.0.1:$NGX/one.json")
read -r gl glp50 glp99 glerr glcpu < <(run_measured "$GW_PID" "http://127.0.0.1:$GW$LIST_PATH" "${AUTH[@]}")
read -r nl nlp50 nlp99 nlerr nlcpu < <(run_measured "$NGX_PIDS" "http://127.0.0.1:$NGX/list.json")
GZ=(-H "Accept-Encoding: gzip")
read -r gz gzp50 gzp99 gzerr gzcpu < <(run_measured "$GW_PID" "http://127.0.0.1:$GW$LIST_PATH" "${AUTH[@]}" "${GZ[@]}")
read -r nz nzp50 nzp99 nzerr nzcpu < <(run_measured "$NGX_PIDS" "http://127.0.0.1:$NGX/list.json" "${GZ[@]}")
PACED_RATE=${PACED_RATE:-30000}
# Each of wrk's 2 threads hands out send slots PACED_RATE/2 per second apart
# on the monotonic clock (LuaJIT's ffi); a request waits for its slot. wrk
# waits whole milliseconds, so requests leave in small bursts each
# millisecond, but the rate over a run is PACED_RATE unless the server falls
# behind (no catch-up burst then: the rate achieved is what is printed).
cat >"$WORK/paced.lua" <<LUA
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } paced_timespec;
int clock_gettime(int clock, paced_timespec* ts);
]]
local ts = ffi.new("paced_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end
local interval_ms = 2 * 1000 / $PACED_RATE
local next_ms = 0
function delay()
  local now = now_ms()
  if next_ms < now then next_ms = now end
  local wait = next_ms - now
  next_ms = next_ms + interval_ms
  return wait
end
LUA
PACED=(-s "$WORK/paced.lua")
read -r gp gpp50 gpp99 gperr gpcpu < <(run_measured "$GW_PID" "http://127.0.0.1:$GW$ONE_PATH" "${AUTH[@]}" "${PACED[@]}")
read -r np npp50 npp99 nperr npcpu < <(run_measured "$NGX_PIDS" "http://127.0.0.1:$NGX/one.json" "${PACED[@]}")

SSE_CLIENTS=1000; SSE_ROUNDS=10; SSE_JSON='{}'
if command -v node >/dev/null; then
  echo "== SSE fan-out: $SSE_CLIENTS clients on /api/v1/events, $SSE_ROUNDS monitors paused one at a time"
  SSE_IDS=$(curl -s -H "Authorization: Bearer $READ" "$G/statuses?page_size=$SSE_ROUNDS" |
    python3 -c 'import json,sys; print(",".join(s["monitorId"] for s in json.load(sys.stdin)["statuses"]))')
  SSE_JSON=$(node bench/gateway/sse_fanout.js "http://127.0.0.1:$GW" "$READ" "$ADMIN" "$SSE_CLIENTS" "$SSE_IDS" | tail -1) || SSE_JSON='{}'
else
  echo "== SSE fan-out skipped: node not found" >&2
fi

python3 - "$g1" "$g1p50" "$g1p99" "$n1" "$n1p50" "$n1p99" "$gl" "$glp50" "$glp99" "$nl" "$nlp50" "$nlp99" \
  "$(stat -c %s "$WORK/www/one.json")" "$(stat -c %s "$WORK/www/list.json")" "$g1err" "$glerr" \
  "$SSE_JSON" "$g1cpu" "$n1cpu" "$glcpu" "$nlcpu" \
  "$gz" "$gzp50" "$gzp99" "$nz" "$nzp50" "$nzp99" "$gzerr" "$gzcpu" "$nzcpu" \
  "$(stat -c %s "$WORK/www/list.json.gz")" \
  "$gp" "$gpp50" "$gpp99" "$np" "$npp50" "$npp99" "$gperr" "$gpcpu" "$npcpu" "$PACED_RATE" <<'PY'
import json, sys
a = [float(x) for x in sys.argv[1:13]]
one_size, list_size, e1, el = sys.argv[13], sys.argv[14], sys.argv[15], sys.argv[16]
cpu = [float(x) for x in sys.argv[18:22]]
z = [float(x) for x in sys.argv[22:28]]
ez, zcpu, gz_size = sys.argv[28], [float(x) for x in sys.argv[29:31]], sys.argv[31]
p = [float(x) for x in sys.argv[32:38]]
ep, pcpu, prate = sys.argv[38], [float(x) for x in sys.argv[39:41]], int(sys.argv[41])
rows = [("status read (%s B)" % one_size, a[0:3], a[3:6], e1, cpu[0:2]),
        ("list of 1,000 (%s B)" % list_size, a[6:9], a[9:12], el, cpu[2:4]),
        ("list of 1,000 gzip'd (%s B)" % gz_size, z[0:3], z[3:6], ez, zcpu),
        ("status read paced to %s req/s" % f"{prate:,}", p[0:3], p[3:6], ep, pcpu)]
print()
print("| what | gateway req/s | nginx req/s | ratio | gateway p50 / p99 ms | nginx p50 / p99 ms | p99 ratio | gateway non-2xx |")
print("|---|---|---|---|---|---|---|---|")
for name, g, n, err, _ in rows:
    print(f"| {name} | {g[0]:.0f} | {n[0]:.0f} | {g[0]/n[0]:.2f} | {g[1]:.3f} / {g[2]:.3f} | "
          f"{n[1]:.3f} / {n[2]:.3f} | {g[2]/n[2]:.2f} | {err} |")
print()
print("| what | gateway CPU us/request | nginx CPU us/request | nginx / gateway |")
print("|---|---|---|---|")
for name, _, _, _, c in rows:
    print(f"| {name} | {c[0]:.1f} | {c[1]:.1f} | {c[1]/c[0]:.2f} |")
sse = json.loads(sys.argv[17])
if sse:
    print()
    print("| SSE fan-out | clients x rounds | p50 ms | p99 ms | max ms | worst round p99 ms | missed | target p99 |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| pause -> state_change read | {sse['clients']} x {sse['rounds']} | {sse['p50']:.1f} | "
          f"{sse['p99']:.1f} | {sse['max']:.1f} | {sse['worst_round_p99']:.1f} | {sse['missing']} | <= 100 |")
PY
machine_report
