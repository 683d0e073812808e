#!/usr/bin/env bash
# Runs the curl examples of README.md's "## Gateway" section as written,
# against a real coordinator (memory mode), gateway and agent on 127.0.0.1.
#
#   bash tests/readme/readme_curl_test.sh BIN_DIR README.md
#
# The block is found by its place in the README (the first ```sh block of the
# "## Gateway" section that contains `curl`), so the test follows the README.
# What the test changes in each command, and why:
#   - `G=http://...:8080/api/v1`: host:port becomes the test gateway's;
#   - `ID`: the id the README's create call returned;
#   - `https://example.com/` in a request body: a URL on 127.0.0.1 (the agent
#     would check it, and all traffic of this test stays on this machine);
#   - options added to see the result: `-o FILE -D FILE -w '%{http_code}'`.
# Every command must exit 0 and answer 2xx. The `-N .../events` stream runs in
# the background until it has delivered an event (or a `: hb` comment).
set -uo pipefail

BIN=${1:?usage: readme_curl_test.sh BIN_DIR README.md}
README=${2:?usage: readme_curl_test.sh BIN_DIR README.md}
SECTION=${README_SECTION:-Gateway}
START_TIMEOUT=${START_TIMEOUT:-30}   # seconds, for processes to come up
EVENT_TIMEOUT=${EVENT_TIMEOUT:-25}   # seconds, for the event stream to deliver

WORK=$(mktemp -d "${TMPDIR:-/tmp}/readme-curl.XXXXXX")
PIDS=()
FAILED=0

log() { printf '[readme_curl_test] %s\n' "$*" >&2; }
fail() { log "FAIL: $*"; FAILED=1; }
die() {
  log "FATAL: $*"
  for f in "$WORK"/*.log; do
    [[ -e "$f" ]] || continue
    log "---- last lines of $(basename "$f")"; tail -n 25 "$f" >&2
  done
  exit 1
}

cleanup() {
  local rc=$?
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  if [[ -n "${KEEP_WORK:-}" ]]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for b in uptime-coordinator uptime-gateway uptime-agent; do
  [[ -x "$BIN/$b" ]] || die "$BIN/$b: not an executable"
done
[[ -r "$README" ]] || die "$README: not readable"
command -v curl >/dev/null || die "curl not found"
command -v node >/dev/null || die "node not found (used to read JSON)"

# json_get FILE EXPR: prints EXPR evaluated on the JSON in FILE (as `r`).
json_get() {
  node -e 'const fs = require("fs"); const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    const v = eval(process.argv[2]); if (v !== undefined && v !== null) console.log(v);' "$1" "$2"
}

# ---------------------------------------------------------------- the block --
# The README's curl block: lines of the first ```sh fence under "## SECTION"
# holding a curl command, with backslash continuations joined.
extract_block() {
  awk -v section="## $SECTION" '
    /^## / { in_section = ($0 == section); next }
    !in_section || done { next }
    /^```sh[[:space:]]*$/ && !in_fence { in_fence = 1; n = 0; has_curl = 0; next }
    /^```[[:space:]]*$/ && in_fence {
      in_fence = 0
      if (has_curl) { for (i = 1; i <= n; i++) print lines[i]; done = 1 }
      next
    }
    in_fence { lines[++n] = $0; if ($0 ~ /(^|[[:space:]])curl[[:space:]]/) has_curl = 1 }
  ' "$README"
}

COMMANDS=()
current=""
while IFS= read -r line || [[ -n "$line" ]]; do
  if [[ "$line" =~ \\[[:space:]]*$ ]]; then
    current+="${line%\\*} "
    continue
  fi
  current+="$line"
  # Collapse the whitespace left by the joined continuation lines.
  current=$(sed -E 's/^[[:space:]]+//; s/[[:space:]]+$//' <<<"$current")
  [[ -n "$current" && "$current" != \#* ]] && COMMANDS+=("$current")
  current=""
done < <(extract_block)
[[ -n "$current" ]] && COMMANDS+=("$current")

((${#COMMANDS[@]} > 0)) || die "no \`\`\`sh block with curl commands under '## $SECTION' in $README"
curl_count=0
for c in "${COMMANDS[@]}"; do [[ "$c" == curl\ * ]] && ((curl_count++)); done
((curl_count > 0)) || die "the block under '## $SECTION' has no curl command"
log "README block: ${#COMMANDS[@]} commands, $curl_count curl"

# ------------------------------------------------------------------ cluster --
free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => {
    console.log(s.address().port); s.close(); });'
}
token() { head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

UPTIME_ADMIN_TOKEN=$(token)
UPTIME_READ_TOKEN=$(token)
UPTIME_AGENT_TOKEN=$(token)
export UPTIME_ADMIN_TOKEN UPTIME_READ_TOKEN UPTIME_AGENT_TOKEN

start() {  # name, then the command; log in $WORK/name.log
  local name=$1; shift
  "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  eval "PID_${name//-/_}=$!"
}
alive() { local v="PID_${1//-/_}"; kill -0 "${!v}" 2>/dev/null; }

# wait_for NAME DESCRIPTION COMMAND...: polls COMMAND until it succeeds, while
# process NAME lives, for START_TIMEOUT seconds.
wait_for() {
  local name=$1 what=$2; shift 2
  local deadline=$((SECONDS + START_TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    alive "$name" || return 2
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

# The ports are picked free and then bound by the process; a port taken in
# between makes the process exit, and it is started again on another port.
tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for attempt in 1 2 3; do
  API_PORT=$(free_port)
  start coordinator "$BIN/uptime-coordinator" --listen "127.0.0.1:$API_PORT" \
    --admin-token "$UPTIME_ADMIN_TOKEN" --read-token "$UPTIME_READ_TOKEN" \
    --agent-token "$UPTIME_AGENT_TOKEN" --metrics-listen 127.0.0.1:0
  wait_for coordinator "API port" tcp_open "$API_PORT"; rc=$?
  ((rc == 0)) && break
  ((rc == 1)) && die "coordinator did not open 127.0.0.1:$API_PORT in ${START_TIMEOUT}s"
  log "coordinator exited (attempt $attempt), retrying on another port"
done
alive coordinator || die "coordinator did not start"
log "coordinator on 127.0.0.1:$API_PORT"

for attempt in 1 2 3; do
  GW_PORT=$(free_port)
  start gateway "$BIN/uptime-gateway" --listen "127.0.0.1:$GW_PORT" \
    --coordinator "127.0.0.1:$API_PORT" --token "$UPTIME_READ_TOKEN"
  wait_for gateway "/readyz" curl -sf --max-time 2 "http://127.0.0.1:$GW_PORT/readyz"; rc=$?
  ((rc == 0)) && break
  ((rc == 1)) && die "gateway not ready on 127.0.0.1:$GW_PORT in ${START_TIMEOUT}s"
  log "gateway exited (attempt $attempt), retrying on another port"
done
alive gateway || die "gateway did not start"
log "gateway ready on 127.0.0.1:$GW_PORT"

start agent env UPTIME_AGENT_ID=readme-test-agent "$BIN/uptime-agent" \
  --coordinator "127.0.0.1:$API_PORT" --agent-token "$UPTIME_AGENT_TOKEN" \
  --labels region=test --metrics-listen 127.0.0.1:0

API="http://127.0.0.1:$GW_PORT/api/v1"
agent_connected() {
  curl -sf --max-time 2 -H "Authorization: Bearer $UPTIME_READ_TOKEN" "$API/agents" -o "$WORK/agents.json" &&
    [[ -n $(json_get "$WORK/agents.json" '(r.agents || []).map(a => a.id || a.agentId || a.name).join(",")') ]]
}
wait_for agent "agent registered" agent_connected || die "the agent did not register in ${START_TIMEOUT}s"
log "agent registered"

# The quickstart's demo=quickstart monitor: a TCP check of the coordinator's
# API port.
qs_body=$(printf '{"name":"coordinator-api-port","labels":{"demo":"quickstart"},"tcp":{"host":"127.0.0.1","port":%d},"interval":"1s"}' "$API_PORT")
code=$(curl -s -o "$WORK/qs.json" -w '%{http_code}' -H "Authorization: Bearer $UPTIME_ADMIN_TOKEN" \
  -H 'Content-Type: application/json' -d "$qs_body" "$API/monitors") || die "creating the demo=quickstart monitor: curl failed"
[[ "$code" == 2* ]] || die "creating the demo=quickstart monitor: HTTP $code: $(cat "$WORK/qs.json")"
QS_ID=$(json_get "$WORK/qs.json" 'r.id')
[[ -n "$QS_ID" ]] || die "no id in $(cat "$WORK/qs.json")"
qs_up() {
  curl -sf --max-time 2 -H "Authorization: Bearer $UPTIME_READ_TOKEN" \
    "$API/statuses?label_selector=demo%3Dquickstart" -o "$WORK/qs_status.json" &&
    grep -q 'STATE_UP' "$WORK/qs_status.json"
}
wait_for agent "demo=quickstart monitor UP" qs_up || die "the demo=quickstart monitor did not get UP: $(cat "$WORK/qs_status.json" 2>/dev/null)"
log "demo=quickstart monitor $QS_ID is UP"

# ----------------------------------------------------------- run the block --
GW_BASE="http://127.0.0.1:$GW_PORT"
LOCAL_TARGET="$GW_BASE/healthz"
MONITOR_ID=""
ran=0

# run_stream CMD: the streaming events command, in the background.
run_stream() {
  local cmd=$1 body="$WORK/stream.out" head="$WORK/stream.head"
  : >"$body"; : >"$head"
  eval "timeout $((EVENT_TIMEOUT + 5)) ${cmd/#curl /curl -D $head -o $body }" 2>"$WORK/stream.err" &
  local spid=$!
  PIDS+=("$spid")
  local deadline=$((SECONDS + START_TIMEOUT))
  until grep -qi '^content-type:' "$head" 2>/dev/null; do
    if ! kill -0 "$spid" 2>/dev/null; then
      wait "$spid"; fail "stream ended before its headers (exit $?): $(cat "$WORK/stream.err")"; return
    fi
    ((SECONDS < deadline)) || { fail "no stream headers in ${START_TIMEOUT}s"; return; }
    sleep 0.1
  done
  local status ctype
  status=$(head -n1 "$head" | tr -d '\r')
  ctype=$(grep -i '^content-type:' "$head" | tr -d '\r')
  if ! [[ "$status" =~ ^HTTP/[0-9.]+\ 2[0-9][0-9] && "$ctype" == *text/event-stream* ]]; then
    sleep 0.5
    fail "stream: $status, $ctype: $(head -c 600 "$body")"
    kill -TERM "$spid" 2>/dev/null; wait "$spid" 2>/dev/null
    return
  fi
  log "stream open: $status, $ctype"

  # Give it something to deliver: pausing the demo=quickstart monitor is a
  # state change (to PAUSED) the stream's selector matches.
  curl -sf -o /dev/null -X POST -H "Authorization: Bearer $UPTIME_ADMIN_TOKEN" "$API/monitors/$QS_ID:pause" ||
    fail "pausing the demo=quickstart monitor failed"

  deadline=$((SECONDS + EVENT_TIMEOUT))
  local got=""
  while ((SECONDS < deadline)); do
    if grep -q '^id:' "$body" && grep -q '^data:' "$body"; then got=event; break; fi
    if grep -q '^: hb' "$body"; then got=hb; fi
    kill -0 "$spid" 2>/dev/null || break
    sleep 0.1
  done
  if [[ "$got" == event ]]; then
    log "stream delivered: $(grep -m1 '^event:' "$body") $(grep -m1 '^id:' "$body")"
    grep -q '^data: .*PAUSED' "$body" || log "note: no PAUSED event seen: $(head -c 600 "$body")"
  elif [[ "$got" == hb ]]; then
    log "stream delivered only ': hb' comments, no event"
    fail "stream: no event within ${EVENT_TIMEOUT}s (only heartbeats)"
  else
    fail "stream: nothing within ${EVENT_TIMEOUT}s: $(head -c 600 "$body")"
  fi
  kill -TERM "$spid" 2>/dev/null
  wait "$spid" 2>/dev/null
}

for cmd in "${COMMANDS[@]}"; do
  unquoted=${cmd//\"/}
  unquoted=${unquoted//\'/}
  if [[ "$unquoted" =~ ^G=https?://[^/]+(/.*)?$ ]]; then
    G="$GW_BASE${BASH_REMATCH[1]}"
    log "G=$G  (README: ${cmd#G=})"
    continue
  fi
  if [[ "$cmd" != curl\ * ]]; then
    fail "not a curl command nor G=..., the test does not know how to run it: $cmd"
    continue
  fi
  run="$cmd"
  if grep -qE '(^|[^A-Za-z0-9_])ID([^A-Za-z0-9_]|$)' <<<"$run"; then
    [[ -n "$MONITOR_ID" ]] || { fail "ID used before the create call returned one: $cmd"; continue; }
    run=$(ID="$MONITOR_ID" perl -pe 's/(?<![A-Za-z0-9_])ID(?![A-Za-z0-9_])/$ENV{ID}/g' <<<"$run")
  fi
  run=${run//https:\/\/example.com\//$LOCAL_TARGET}
  ((ran++))
  log "\$ $cmd"

  if [[ "$run" =~ (^|\ )-[a-zA-Z]*N ]] || [[ "$run" == */events* ]]; then
    run_stream "$run"
    continue
  fi

  out="$WORK/out.$ran"
  code=$(eval "${run/#curl /curl -o $out -w '%{http_code}' }" 2>"$WORK/err.$ran"); rc=$?
  if ((rc != 0)); then fail "curl exit $rc: $(cat "$WORK/err.$ran")"; continue; fi
  if [[ "$code" != 2* ]]; then fail "HTTP $code: $(head -c 600 "$out")"; continue; fi
  log "  -> HTTP $code $(head -c 200 "$out" | tr '\n' ' ')"
  # The create call: a POST with a body (no -X) that answers a monitor.
  if [[ -z "$MONITOR_ID" && "$run" =~ (^|\ )(-d|--data[a-z-]*)\  && ! "$run" =~ -X\ ?[A-Z] ]]; then
    MONITOR_ID=$(json_get "$out" 'r.id')
    [[ -n "$MONITOR_ID" ]] && log "  created monitor id $MONITOR_ID"
  fi
  # Checks on what the answers say, beyond 2xx.
  case "$run" in
    *"statuses:summary"*) [[ -s "$out" ]] || fail "empty summary" ;;
    *"/statuses?"*demo%3Dquickstart*) grep -q "$QS_ID" "$out" || fail "statuses do not list the demo=quickstart monitor $QS_ID" ;;
    *"/monitors?"*label_selector*) [[ -z "$MONITOR_ID" ]] || grep -q "$MONITOR_ID" "$out" || fail "monitor $MONITOR_ID not listed" ;;
    *update_mask=interval*) [[ $(json_get "$out" 'r.interval') == 60s ]] || fail "interval not 60s after the PATCH: $(cat "$out")" ;;
  esac
done

((ran == curl_count)) || fail "ran $ran of $curl_count curl commands"
[[ -n "$MONITOR_ID" ]] || fail "no create call returned a monitor id"
if [[ -n "$MONITOR_ID" ]]; then
  curl -sf -o "$WORK/final.json" -H "Authorization: Bearer $UPTIME_READ_TOKEN" "$API/monitors/$MONITOR_ID" ||
    fail "cannot read monitor $MONITOR_ID back"
fi
for name in coordinator gateway agent; do alive "$name" || fail "$name exited during the test"; done

if ((FAILED)); then die "README curl examples failed"; fi
log "PASS: $ran README curl commands"
