#!/usr/bin/env bash
# Installs what is missing and runs every test: Rust unit and integration tests, then the
# Playwright suite in Chromium against the real server binary.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

command -v npm >/dev/null || apt_install nodejs npm
apt_install chromium
ensure_rust_tools

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
