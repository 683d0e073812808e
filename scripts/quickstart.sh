#!/usr/bin/env bash
# Brings the whole system up on this machine: builds it, starts a local
# PostgreSQL and Redis, a coordinator, the gateway and two agents in the
# background, and applies the example monitors and status page of
# deploy/quickstart/ with `uptimectl apply` (a second run changes nothing).
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

# The example monitors and status page are manifests (docs/monitors-as-code.md)
# applied on every run: apply creates what is missing, puts back what was
# changed and leaves the rest, so a second run changes nothing. They read the
# ports from UPTIME_QUICKSTART_*_PORT, kept in manifests.env for pasted commands.
printf '%s\n' "UPTIME_QUICKSTART_API_PORT=$API_PORT" "UPTIME_QUICKSTART_METRICS_PORT=$METRICS_PORT" \
  >"$STATE/manifests.env"
set -a; source "$STATE/manifests.env"; set +a
# SLACK_WEBHOOK_URL wires a Slack channel (deploy/quickstart/slack/), and the
# example monitors alert to it; on later runs without the variable they keep
# alerting to the channel as long as it exists.
MANIFESTS=(deploy/quickstart/monitors.yaml deploy/quickstart/status-page.yaml)
APPLY_ARGS=()
if [[ -n "${SLACK_WEBHOOK_URL:-}" ]]; then
  MANIFESTS=(deploy/quickstart/slack/monitors.yaml deploy/quickstart/status-page.yaml)
  APPLY_ARGS=(-f deploy/quickstart/slack/channel.yaml)
elif ctl channels list -o json 2>/dev/null | grep -q '"name": *"quickstart-slack"'; then
  MANIFESTS=(deploy/quickstart/slack/monitors.yaml deploy/quickstart/status-page.yaml)
fi
for f in "${MANIFESTS[@]}"; do APPLY_ARGS+=(-f "$f"); done
MANIFEST_ARGS="-f ${MANIFESTS[0]} -f ${MANIFESTS[1]}"

echo "== example monitors and status page (uptimectl apply ${APPLY_ARGS[*]})"
if ! applied=$(ctl apply "${APPLY_ARGS[@]}" 2>&1); then
  echo "$applied" >&2; exit 1
fi
# One line per object of the files: apply lists only what it changed.
objects=$(for f in "${APPLY_ARGS[@]}"; do [[ $f == -f ]] || echo "$f"; done |
  xargs awk '/^kind:/ {kind = $2} /^metadata:/ {meta = 1; next}
             meta && /^  name:/ {print kind "/" $2; meta = 0}')
while read -r object; do
  kind=${object%%/*} name=${object#*/}
  shown=$name; [[ $kind == StatusPage ]] && shown=/status/$name
  if grep -qxF "created $object" <<<"$applied"; then
    if [[ $kind == Monitor ]]; then echo "  added $shown"; else echo "  created $shown"; fi
  elif line=$(grep -xE "updated $object( .*)?" <<<"$applied"); then echo "  updated $shown${line#"updated $object"}"
  else echo "  $shown exists"; fi
done <<<"$objects"
echo "  ($(tail -n 1 <<<"$applied"))"

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
  set -a; source $SHOW_STATE/tokens.env; source $SHOW_STATE/manifests.env; set +a
  $SHOW_BIN/uptimectl --addr 127.0.0.1:$API_PORT --token \$UPTIME_ADMIN_TOKEN status
  $SHOW_BIN/uptimectl --addr 127.0.0.1:$API_PORT --token \$UPTIME_ADMIN_TOKEN diff $MANIFEST_ARGS
  $SHOW_BIN/uptimectl --addr 127.0.0.1:$API_PORT --token \$UPTIME_ADMIN_TOKEN monitors add my-site --url https://my.site/ --interval 30s
  curl -H "Authorization: Bearer \$UPTIME_READ_TOKEN" http://127.0.0.1:$GATEWAY_PORT/api/v1/statuses:summary
  bash scripts/quickstart.sh stop

With grpcurl installed (the API has server reflection):
  grpcurl -plaintext -H "authorization: Bearer \$UPTIME_ADMIN_TOKEN" 127.0.0.1:$API_PORT uptime.v1.ClusterService/GetClusterInfo
Edit the manifests, then apply them (diff shows what would change):
  $SHOW_BIN/uptimectl --addr 127.0.0.1:$API_PORT --token \$UPTIME_ADMIN_TOKEN apply $MANIFEST_ARGS

Status page (public, no sign-in): http://127.0.0.1:$GATEWAY_PORT/status/quickstart
Dashboard: http://127.0.0.1:$GATEWAY_PORT/
  Sign in as "admin" with the password in $SHOW_STATE/admin-password
  (cat $SHOW_STATE/admin-password), then add your team under Users.
TXT
