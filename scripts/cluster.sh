#!/usr/bin/env bash
# Two mini-discord instances sharing rooms, behind nginx, on this machine (docs/SCALING.md):
# PostgreSQL and Redis on loopback, instances on 127.0.0.1:3001 and :3002, and nginx on
# http://127.0.0.1:8080. Installs what is missing; Ctrl+C stops the instances and nginx (the
# database and Redis keep running, with the data).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/services.sh"
cd "$ROOT"

command -v npm >/dev/null || apt_install nodejs npm
ensure_services_installed
command -v nginx >/dev/null || apt_install nginx
ensure_rust_tools

build_release

start_postgres >/dev/null
DATABASE_URL="$(ensure_database mini_discord)"
REDIS_URL="$(start_redis "${MD_REDIS_PORT:-26379}")"
export DATABASE_URL REDIS_URL LEPTOS_ENV=PROD
# Browsers reach the instances through nginx: its address is the site's origin, and nginx (on
# loopback) names each client in X-Forwarded-For.
export MINI_DISCORD_PUBLIC_ORIGIN="http://127.0.0.1:8080" MINI_DISCORD_TRUSTED_PROXIES="127.0.0.1"

pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' EXIT INT TERM

for port in 3001 3002; do
  LEPTOS_SITE_ADDR="127.0.0.1:$port" "$ROOT/target/release/mini-discord" serve &
  pids+=($!)
  ready=""
  for _ in $(seq 150); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && { ready=1; break; }; sleep 0.2; done
  [ -n "$ready" ] || { echo "the instance on port $port did not start" >&2; exit 1; }
done

nginx_dir="$SERVICES_DIR/nginx"
mkdir -p "$nginx_dir/logs" "$nginx_dir/tmp"
nginx -p "$nginx_dir" -c "$ROOT/deploy/nginx.conf" -g 'daemon off;' &
pids+=($!)
log "two instances behind nginx: http://127.0.0.1:8080 (Ctrl+C to stop)"
wait
