#!/usr/bin/env bash
# Runs the README's first command, scripts/quickstart.sh, on prebuilt
# binaries, in a temp state folder and on free ports, and checks what it
# promises: it ends with the dashboard URL; the dashboard, the REST API and
# the example status page answer; the example monitors get checked; the
# "Try:" lines it prints work when pasted; a second run keeps what is stored;
# `stop` stops every process it started.
#
#   bash tests/readme/quickstart_test.sh BIN_DIR REPO_ROOT
set -uo pipefail

BIN=${1:?usage: quickstart_test.sh BIN_DIR REPO_ROOT}
ROOT=${2:?usage: quickstart_test.sh BIN_DIR REPO_ROOT}
STATE=$(mktemp -d "${TMPDIR:-/tmp}/quickstart-test.XXXXXX")
# PostgreSQL runs as `postgres` when we are root: it must reach its folder.
chmod 755 "$STATE"
FAILED=0

log() { printf '[quickstart_test] %s\n' "$*" >&2; }
fail() { log "FAIL: $*"; FAILED=1; }

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
export UPTIME_QUICKSTART_STATE=$STATE UPTIME_QUICKSTART_BIN=$BIN
export UPTIME_QUICKSTART_API_PORT=$(free_port) UPTIME_QUICKSTART_METRICS_PORT=$(free_port) \
  UPTIME_QUICKSTART_GATEWAY_PORT=$(free_port) UPTIME_QUICKSTART_PG_PORT=$(free_port) \
  UPTIME_QUICKSTART_REDIS_PORT=$(free_port)
unset SLACK_WEBHOOK_URL
GW=http://127.0.0.1:$UPTIME_QUICKSTART_GATEWAY_PORT

cleanup() {
  bash "$ROOT/scripts/quickstart.sh" stop >/dev/null 2>&1
  rm -rf "$STATE"
}
trap cleanup EXIT

quickstart() {  # output in $STATE/run$1.out
  if ! bash "$ROOT/scripts/quickstart.sh" >"$STATE/run$1.out" 2>&1; then
    log "quickstart run $1 failed:"; tail -n 30 "$STATE/run$1.out" >&2
    for f in "$STATE"/*.log; do log "---- $(basename "$f")"; tail -n 15 "$f" >&2; done
    exit 1
  fi
}

quickstart 1
OUT=$STATE/run1.out
grep -q "^Dashboard: $GW/\$" "$OUT" || fail "run 1 does not end with the dashboard URL"
grep -q "Status page (public, no sign-in): $GW/status/quickstart" "$OUT" || fail "no status page URL"
grep -q "created /status/quickstart" "$OUT" || fail "the example status page was not created"
[[ $(grep -c "^  added " "$OUT") -eq 4 ]] || fail "expected 4 example monitors added"

# The dashboard, the public page and its JSON, without a token.
[[ $(curl -s -o /dev/null -w '%{http_code}' "$GW/") == 200 ]] || fail "dashboard is not 200"
# The gateway learns of a page created through the coordinator on its next
# refresh, at once after a miss: a second or two.
code=000
for _ in $(seq 20); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$GW/status/quickstart")
  [[ $code == 200 ]] && break
  sleep 0.25
done
[[ $code == 200 ]] || fail "status page is $code, not 200"
up=0
for _ in $(seq 60); do
  page=$(curl -s "$GW/api/v1/public/status-pages/quickstart")
  up=$(grep -o '"state":"up"' <<<"$page" | wc -l)
  [[ $up -ge 3 ]] && break
  sleep 0.5
done
[[ $up -ge 3 ]] || fail "the status page does not show the 3 local example monitors up: $page"

# The "Try:" lines, pasted as printed (from the repo root), except `stop`
# (run below) and with the `monitors add` example's name kept unique.
mapfile -t TRY < <(sed -n '/^Try:$/,/^$/p' "$OUT" | sed '1d;/^$/d;s/^  //' | grep -v 'quickstart.sh stop')
[[ ${#TRY[@]} -ge 4 ]] || fail "fewer than 4 Try: lines"
script=$(printf '%s\n' "set -e" "cd '$ROOT'" "${TRY[@]}")
if ! bash -c "$script" >"$STATE/try.out" 2>&1; then
  fail "the Try: lines do not work when pasted:"; cat "$STATE/try.out" >&2
fi
grep -q '"up"' "$STATE/try.out" || grep -q 'UP' "$STATE/try.out" || fail "Try: output shows no state"

# A second run keeps what runs and what is stored.
quickstart 2
grep -q "coordinator already running" "$STATE/run2.out" || fail "run 2 restarted the coordinator"
[[ $(grep -c " exists" "$STATE/run2.out") -ge 5 ]] || fail "run 2 did not find the example monitors and page"

# stop stops everything it started.
pids=$(cat "$STATE"/*.pid 2>/dev/null)
bash "$ROOT/scripts/quickstart.sh" stop >/dev/null 2>&1 || fail "stop failed"
for pid in $pids; do
  kill -0 "$pid" 2>/dev/null && fail "process $pid still runs after stop"
done
[[ $(curl -s -o /dev/null -w '%{http_code}' "$GW/") == 000 ]] || fail "the gateway still answers after stop"

if [[ $FAILED -eq 0 ]]; then log "all passed"; fi
exit $FAILED
