#!/usr/bin/env bash
# Installs what is missing, builds a release, and serves mini-discord on 127.0.0.1:3000
# (override with LEPTOS_SITE_ADDR). Data lives in ./data (MINI_DISCORD_DATA_DIR).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

command -v npm >/dev/null || apt_install nodejs npm
ensure_rust_tools

build_release

export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
export LEPTOS_ENV=PROD
log "serving on http://$LEPTOS_SITE_ADDR (Ctrl+C to stop)"
exec "$ROOT/target/release/mini-discord" serve
