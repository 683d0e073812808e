#!/usr/bin/env bash
# Brings the whole system up on this machine: builds it, starts a local
# PostgreSQL and Redis, a coordinator and two agents in the background, and
# adds example monitors.
#
#   bash scripts/quickstart.sh          # start (idempotent)
#   bash scripts/quickstart.sh status   # what runs, and the monitors' states
#   bash scripts/quickstart.sh stop     # stop everything it started
#
# State (logs, pids, generated tokens) lives in .quickstart/ at the repo root
# (UPTIME_QUICKSTART_STATE: elsewhere). UPTIME_QUICKSTART_BIN names a folder
# of built binaries to run instead of installing and building (tests do).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
STATE=${UPTIME_QUICKSTART_STATE:-$ROOT/.quickstart}
BUILD_DIR=${BUILD_DIR:-build}
BIN=${UPTIME_QUICKSTART_BIN:-$ROOT/$BUILD_DIR/bin}
# Paths as printed for pasting: relative to the repo root when inside it.
SHOW_STATE=${STATE#"$ROOT"/}
SHOW_BIN=${BIN#"$ROOT"/}
API_PORT=${UPTIME_QUICKSTART_API_PORT:-7070}
METRICS_PORT=${UPTIME_QUICKSTART_METRICS_PORT:-9091}
PG_PORT=${UPTIME_QUICKSTART_PG_PORT:-55432}
REDIS_PORT=${UPTIME_QUICKSTART_REDIS_PORT:-56379}
GATEWAY_PORT=${UPTIME_QUICKSTART_GATEWAY_PORT:-8080}
PGBIN=/usr/lib/postgresql/15/bin
# PostgreSQL refuses to run as root: as root it runs as `postgres`, with its
# data where that user can reach it.
if [[ $(id -u) -eq 0 ]]; then
  if [[ -n "${UPTIME_QUICKSTART_STATE:-}" ]]; then PGDATA_DIR="$STATE/pg"; else PGDATA_DIR=/var/tmp/uptime-quickstart-pg; fi
  as_pg() { runuser -u postgres -- "$@"; }
else
  PGDATA_DIR="$STATE/pg"
  as_pg() { "$@"; }
fi

start_postgres() {
  if [[ ! -f "$PGDATA_DIR/data/PG_VERSION" ]]; then
    mkdir -p "$PGDATA_DIR"
    [[ $(id -u) -eq 0 ]] && chown postgres "$PGDATA_DIR"
    as_pg "$PGBIN/initdb" -D "$PGDATA_DIR/data" -A trust -U uptime >/dev/null
  fi
  if ! as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR/data" status >/dev/null 2>&1; then
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR/data" -l "$PGDATA_DIR/postgres.log" -w \
      -o "-p $PG_PORT -k $PGDATA_DIR -c listen_addresses=127.0.0.1" start >/dev/null
    echo "  postgres started (port $PG_PORT, log $PGDATA_DIR/postgres.log)"
  else
    echo "  postgres already running"
  fi
  createdb -h 127.0.0.1 -p "$PG_PORT" -U uptime uptime 2>/dev/null || true
}

stop_postgres() {
  if [[ -f "$PGDATA_DIR/data/PG_VERSION" ]]; then
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR/data" -m fast stop >/dev/null 2>&1 || true
  fi
}

stop_all() {
  for pidfile in "$STATE"/*.pid; do
    [[ -e "$pidfile" ]] || continue
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
}

running() { [[ -e "$STATE/$1.pid" ]] && kill -0 "$(cat "$STATE/$1.pid")" 2>/dev/null; }

start() {  # name, then the command
  local name=$1; shift
  if running "$name"; then echo "  $name already running (pid $(cat "$STATE/$name.pid"))"; return; fi
  nohup "$@" >"$STATE/$name.log" 2>&1 &
  echo $! >"$STATE/$name.pid"
  echo "  $name started (pid $!, log $SHOW_STATE/$name.log)"
}

ctl() { "$BIN/uptimectl" --addr "127.0.0.1:$API_PORT" --token "$UPTIME_ADMIN_TOKEN" "$@"; }

case "${1:-start}" in
  stop)
    stop_all
    stop_postgres
    echo "stopped"
    exit 0
    ;;
  status)
    source "$STATE/tokens.env"
    for name in redis coordinator gateway agent-a agent-b; do
      if running "$name"; then echo "$name: running"; else echo "$name: stopped"; fi
    done
    ctl agents
    ctl status
    exit 0
    ;;
  start) ;;
  *) echo "usage: $0 [start|status|stop]" >&2; exit 2 ;;
esac

if [[ -z "${UPTIME_QUICKSTART_BIN:-}" ]]; then
  bash scripts/bootstrap.sh
  echo "== building (first build takes a few minutes)"
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$BUILD_DIR" --target uptime-coordinator uptime-agent uptimectl uptime-gateway
fi

mkdir -p "$STATE"
if [[ ! -f "$STATE/tokens.env" ]]; then
  umask 077
  {
    echo "UPTIME_ADMIN_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    echo "UPTIME_READ_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    echo "UPTIME_AGENT_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  } >"$STATE/tokens.env"
fi
# The dashboard's first user: "admin", with a random password kept here
# (the coordinator creates it on its first start and ignores it afterwards).
if [[ ! -f "$STATE/admin-password" ]]; then
  (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=\n' >"$STATE/admin-password")
fi
set -a; source "$STATE/tokens.env"; set +a

echo "== starting"
start_postgres
start redis redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no
# Tokens reach the processes through their UPTIME_* environment fallbacks,
# so they never show up in `ps`.
start coordinator "$BIN/uptime-coordinator" --listen "127.0.0.1:$API_PORT" \
  --metrics-listen "127.0.0.1:$METRICS_PORT" \
  --postgres "host=127.0.0.1 port=$PG_PORT user=uptime dbname=uptime" \
  --redis "127.0.0.1:$REDIS_PORT" \
  --bootstrap-admin admin --bootstrap-admin-password-file "$STATE/admin-password"
for _ in $(seq 100); do
  ctl cluster >/dev/null 2>&1 && break
  running coordinator || { echo "coordinator failed to start:"; tail -20 "$STATE/coordinator.log"; exit 1; }
  sleep 0.1
done
# The gateway holds only the read token (for its status snapshot and event
# stream); callers' own tokens are forwarded for everything else.
start gateway env UPTIME_TOKEN="$UPTIME_READ_TOKEN" "$BIN/uptime-gateway" \
  --listen "127.0.0.1:$GATEWAY_PORT" --coordinator "127.0.0.1:$API_PORT" \
  --redis "127.0.0.1:$REDIS_PORT"
start agent-a env UPTIME_AGENT_ID=quickstart-a "$BIN/uptime-agent" \
  --coordinator "127.0.0.1:$API_PORT" --labels region=local-a --metrics-listen 127.0.0.1:0
start agent-b env UPTIME_AGENT_ID=quickstart-b "$BIN/uptime-agent" \
  --coordinator "127.0.0.1:$API_PORT" --labels region=local-b --metrics-listen 127.0.0.1:0

for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$GATEWAY_PORT/readyz" >/dev/null 2>&1 && break
  running gateway || { echo "gateway failed to start:"; tail -20 "$STATE/gateway.log"; exit 1; }
  sleep 0.1
done

# SLACK_WEBHOOK_URL in the environment wires a real Slack channel to the
# example monitors added from now on (created once, found by name after).
CHANNEL_ARGS=()
if [[ -n "${SLACK_WEBHOOK_URL:-}" ]]; then
  echo "== Slack channel"
  API="http://127.0.0.1:$GATEWAY_PORT/api/v1"
  # JSON is read with node, a build dependency already.
  read_json='let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => main(JSON.parse(s)));'
  slack_id=$(curl -sf -H "Authorization: Bearer $UPTIME_ADMIN_TOKEN" "$API/channels?page_size=1000" |
    node -e "$read_json"' function main(r) {
      const c = (r.channels || []).find((c) => c.name === "quickstart-slack");
      if (c) console.log(c.id);
    }')
  if [[ -z "$slack_id" ]]; then
    body=$(node -e 'console.log(JSON.stringify({name: "quickstart-slack", type: "slack",
      config: {webhook_url: process.env.SLACK_WEBHOOK_URL}}))')
    if ! reply=$(curl -s -w '\n%{http_code}' -H "Authorization: Bearer $UPTIME_ADMIN_TOKEN" \
        -H 'Content-Type: application/json' -d "$body" "$API/channels"); then
      echo "  cannot reach the gateway to create the Slack channel" >&2; exit 1
    fi
    if [[ "${reply##*$'\n'}" != 200 ]]; then
      echo "  Slack channel refused: ${reply%$'\n'*}" >&2; exit 1
    fi
    slack_id=$(node -e "$read_json"' function main(c) { console.log(c.id); }' <<<"${reply%$'\n'*}")
    echo "  created quickstart-slack ($slack_id)"
  else
    echo "  quickstart-slack exists ($slack_id)"
  fi
  CHANNEL_ARGS=(--channel "$slack_id")
fi

echo "== example monitors"
add() {  # existing monitors are kept as they are
  local out
  if out=$(ctl monitors add "$@" "${CHANNEL_ARGS[@]}" 2>&1); then echo "  added $1";
  elif grep -q ALREADY_EXISTS <<<"$out"; then echo "  $1 exists";
  else echo "$out" >&2; exit 1; fi
}
add coordinator-health --url "http://127.0.0.1:$METRICS_PORT/healthz" --interval 5s --label demo=quickstart
add coordinator-metrics --url "http://127.0.0.1:$METRICS_PORT/metrics" --keyword uptime_coordinator_agents \
  --interval 10s --label demo=quickstart
add coordinator-api-port --tcp "127.0.0.1:$API_PORT" --interval 5s --label demo=quickstart
add example-com --url https://example.com/ --interval 30s --label demo=quickstart

echo "== example status page"
# Public at /status/quickstart: every monitor labelled demo=quickstart, no token needed.
if out=$(ctl status-pages create --slug quickstart --title "Quickstart status" \
    --description "The example monitors of this quickstart." \
    --group-selector "Services=demo=quickstart" 2>&1); then echo "  created /status/quickstart";
elif grep -q ALREADY_EXISTS <<<"$out"; then echo "  /status/quickstart exists";
else echo "$out" >&2; exit 1; fi

sleep 3
ctl status
cat <<TXT

Uptime Monitor is running:
  gRPC API     127.0.0.1:$API_PORT   (tokens in $SHOW_STATE/tokens.env)
  REST API     http://127.0.0.1:$GATEWAY_PORT/api/v1/   (Authorization: Bearer <token>)
  metrics      http://127.0.0.1:$METRICS_PORT/metrics
  PostgreSQL   127.0.0.1:$PG_PORT (user uptime, database uptime)
  Redis        127.0.0.1:$REDIS_PORT
Try:
  set -a; source $SHOW_STATE/tokens.env; set +a
  $SHOW_BIN/uptimectl --addr 127.0.0.1:$API_PORT --token \$UPTIME_ADMIN_TOKEN status
  $SHOW_BIN/uptimectl --addr 127.0.0.1:$API_PORT --token \$UPTIME_ADMIN_TOKEN monitors add my-site --url https://my.site/ --interval 30s
  curl -H "Authorization: Bearer \$UPTIME_READ_TOKEN" http://127.0.0.1:$GATEWAY_PORT/api/v1/statuses:summary
  bash scripts/quickstart.sh stop

Status page (public, no sign-in): http://127.0.0.1:$GATEWAY_PORT/status/quickstart
Dashboard: http://127.0.0.1:$GATEWAY_PORT/
  Sign in as "admin" with the password in $SHOW_STATE/admin-password
  (cat $SHOW_STATE/admin-password), then add your team under Users.
TXT
