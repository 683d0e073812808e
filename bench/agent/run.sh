#!/bin/sh
# Bootstraps the agent benchmark's peers (nginx-light target, blackbox
# exporter) and runs agent_bench. Usage: bench/agent/run.sh BUILD_DIR [N] [SECONDS]
# Installs missing Debian packages (needs root); never run by ctest.
set -eu
BUILD=${1:?build dir}; N=${2:-10000}; SECS=${3:-10}
W=${TMPDIR:-/tmp}/agent-bench; mkdir -p "$W"/body "$W"/proxy "$W"/fcgi "$W"/uwsgi "$W"/scgi
command -v nginx >/dev/null || apt-get install -y nginx-light
cat > "$W/nginx.conf" <<CONF
worker_processes 1; daemon on; pid $W/nginx.pid; error_log $W/error.log warn;
events { worker_connections 20000; use epoll; multi_accept on; }
http { access_log off; keepalive_timeout 0;
  client_body_temp_path $W/body; proxy_temp_path $W/proxy; fastcgi_temp_path $W/fcgi;
  uwsgi_temp_path $W/uwsgi; scgi_temp_path $W/scgi;
  server { listen 127.0.0.1:18080 backlog=8192; location / { return 200 "OK healthy\n"; } } }
CONF
[ -f "$W/nginx.pid" ] && kill "$(cat "$W/nginx.pid")" 2>/dev/null || true
nginx -c "$W/nginx.conf"
ulimit -n "$(ulimit -Hn)"
"$BUILD/bin/agent_bench" "$N" 1 "$SECS" http://127.0.0.1:18080/
kill "$(cat "$W/nginx.pid")"
