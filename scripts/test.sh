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
export MD_TEST_POSTGRES_URL

# A full run builds once: incremental caches would only double the size of target/.
export CARGO_INCREMENTAL=0

log "cargo fmt --check"
# Nightly rustfmt where the machine has it: it also groups the imports (.rustfmt.toml).
if rustup run nightly rustfmt --version >/dev/null 2>&1; then
  cargo +nightly fmt --all --check
else
  cargo fmt --all --check
fi

log "cargo clippy (server, browser, loadgen, migrations)"
cargo clippy -p mini-discord --features ssr --lib --bins --tests -- -D warnings
cargo clippy -p mini-discord --features hydrate --lib --target wasm32-unknown-unknown -- -D warnings
cargo clippy -p loadgen -p migration --all-targets -- -D warnings

log "cargo test"
# The multi-instance tests are marked ignored (a plain `cargo test` has no PostgreSQL or Redis):
# here they run, against the services started above.
cargo test --features ssr -- --include-ignored
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
