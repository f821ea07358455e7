#!/usr/bin/env bash
# Installs what is missing and runs every test: Rust unit and integration tests (including two
# real instances sharing PostgreSQL and Redis), then the Playwright suite in Chromium against the
# real server binary, and its cross-instance chat against two instances.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/services.sh"
cd "$ROOT"

command -v npm >/dev/null || apt_install nodejs npm
apt_install chromium
ensure_services_installed
ensure_rust_tools

# The multi-instance tests create their own databases on this server and run their own Redis.
MD_TEST_POSTGRES_URL="$(start_postgres)"
export MD_TEST_POSTGRES_URL MD_REQUIRE_CLUSTER_TESTS=1

# A full run builds once: incremental caches would only double the size of target/.
export CARGO_INCREMENTAL=0

log "cargo test"
cargo test --features ssr
cargo test -p loadgen

# After the tests, so the server binary the browser tests start is the one cargo-leptos built.
log "cargo leptos build (server binary + WASM bundle)"
cargo leptos build

log "Playwright (end2end/)"
cd "$ROOT/end2end"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npx playwright test

log "Playwright across two instances (PostgreSQL + Redis)"
DATABASE_URL="$(fresh_database md_e2e)"
REDIS_URL="$(start_redis 26380)"
trap 'stop_redis 26380' EXIT
DATABASE_URL="$DATABASE_URL" REDIS_URL="$REDIS_URL" MD_PORT=3110 npx playwright test cluster.spec.ts
