# Shared by run.sh and test.sh: install what is missing, skip what is there.
# Each step checks before it installs, so a second run costs seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

apt_updated=""
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if [ -z "$apt_updated" ]; then $sudo apt-get update -qq; apt_updated=1; fi
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_rust_tools() {
  command -v cargo >/dev/null || { echo "Rust is not installed: see https://rustup.rs" >&2; exit 1; }
  # The test command checks formatting and lints (rustup's default profile has both).
  for component in clippy rustfmt; do
    if ! rustup component list --installed | grep -q "^$component"; then
      log "rustup component add $component"
      rustup component add "$component"
    fi
  done
  if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
    log "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
    # 0.3.11 needs a newer rustc; no_downloads: helpers come from PATH, not the network.
    log "cargo install cargo-leptos 0.3.10 (about 12 minutes on 2 cores, once)"
    cargo install cargo-leptos@0.3.10 --locked --features no_downloads
  fi
  # The CLI must be exactly the wasm-bindgen version in Cargo.lock (pinned in Cargo.toml).
  local want
  want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")"
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $want\$"; then
    log "cargo install wasm-bindgen-cli $want"
    # Not --locked: one of its locked dependencies is no longer in the registry.
    cargo install wasm-bindgen-cli@"$want"
  fi
}

ensure_wasm_opt() {
  if ! command -v wasm-opt >/dev/null; then
    log "npm install -g binaryen@132 (wasm-opt, for release builds)"
    npm install -g --silent binaryen@132
  fi
}

# The release build: server, WASM bundle (through wasm-opt) and the static files, each with a
# brotli (quality 11) and a gzip copy beside it that the server sends as they are, instead of
# compressing every request at level 5: the bundle goes out a third smaller. cargo-leptos' own
# gzip is weaker than `gzip -9`, so those copies are made again.
build_release() {
  ensure_wasm_opt
  log "cargo leptos build --release --precompress"
  cargo leptos build --release --precompress >&2
  find "$ROOT/target/site" -name '*.gz' -print0 | while IFS= read -r -d '' packed; do
    gzip -9 -c "${packed%.gz}" >"$packed"
  done
}
