#!/usr/bin/env bash
#! Installs everything Auronex needs on a fresh machine, idempotently.
#
# - a Rust compiler that can target wasm32-unknown-unknown:
#     rustup machines with internet: `rustup target add wasm32-unknown-unknown`;
#     offline Debian machines: rustc-web + rust-web-src + lld from Debian, and the wasm32 std
#     built once from the shipped source into /usr/lib/rustlib (see docs/toolchain.md);
# - wasm-bindgen-cli at exactly the wasm-bindgen version locked in Cargo.lock;
# - worker-build (the workers-rs build tool);
# - the npm packages (wrangler and the Node 22 it needs, the dashboard's React, Vite, Vitest,
#   playwright-core) from package-lock.json;
# - Debian's Chromium, which the dashboard's browser tests drive.
# - Schemathesis (schema fuzzing, scripts/fuzz.py) at a pinned version in the project venv .venv.
# A second run checks each piece and returns in seconds. Steps can be named to run only them:
#   scripts/setup.sh wasm32_target cargo_tools npm_packages browser python_tools
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

WORKER_BUILD_VERSION=0.8.7
SCHEMATHESIS_VERSION=4.32.5
log() { printf '[setup] %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$CARGO_BIN:$PATH"

sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [ ${#missing[@]} -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    sudo_if_needed apt-get update -qq
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

rustup_has_wasm32() {
  have rustup && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown
}

debian_wasm_std_ready() {
  [ -x /usr/bin/rustc ] && have wasm-ld || return 1
  local libdir
  libdir=$(/usr/bin/rustc --print target-libdir --target wasm32-unknown-unknown 2>/dev/null) || return 1
  ls "$libdir"/libstd-*.rlib >/dev/null 2>&1
}

install_wasm32_target() {
if rustup_has_wasm32; then
  log "wasm32 target: rustup toolchain"
elif debian_wasm_std_ready; then
  log "wasm32 target: Debian rustc-web ($(/usr/bin/rustc --version))"
elif [ "${AURONEX_USE_RUSTUP_TARGET:-0}" = 1 ] && have rustup; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
else
  apt_install rustc-web cargo-web rust-web-src lld
  libdir=$(/usr/bin/rustc --print target-libdir --target wasm32-unknown-unknown)
  if ! ls "$libdir"/libstd-*.rlib >/dev/null 2>&1; then
    log "building the wasm32 std from rust-web-src into $libdir (about a minute)"
    tmp=$(mktemp -d)
    mkdir -p "$tmp/src"
    printf '[package]\nname = "wasm32_std_seed"\nversion = "0.0.0"\nedition = "2021"\n[lib]\npath = "src/lib.rs"\n[workspace]\n' >"$tmp/Cargo.toml"
    : >"$tmp/src/lib.rs"
    (cd "$tmp" && env -u CARGO_HOME PATH="/usr/bin:$PATH" CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld \
      RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 /usr/bin/cargo build -q --release \
      -Zbuild-std=std,panic_abort --target wasm32-unknown-unknown)
    sudo_if_needed mkdir -p "$libdir"
    for f in "$tmp"/target/wasm32-unknown-unknown/release/deps/lib*.rlib; do
      case "$(basename "$f")" in libwasm32_std_seed-*) ;; *) sudo_if_needed cp "$f" "$libdir/" ;; esac
    done
    rm -rf "$tmp"
  fi
  log "wasm32 target: Debian rustc-web ($(/usr/bin/rustc --version))"
fi

}

install_cargo_tools() {
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/[" ]/, ""); sub("version=", ""); print; exit}' Cargo.lock)
[ -n "$bindgen_version" ] || { echo "setup: wasm-bindgen not found in Cargo.lock" >&2; exit 1; }
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen_version" ]; then
  log "cargo install wasm-bindgen-cli $bindgen_version (a few minutes, once)"
  cargo install -q --force wasm-bindgen-cli --version "=$bindgen_version"
fi
log "wasm-bindgen-cli $bindgen_version"
if [ "$(worker-build --version 2>/dev/null | grep -Eo "[0-9]+\.[0-9]+\.[0-9]+" | tail -1)" != "$WORKER_BUILD_VERSION" ]; then
  log "cargo install worker-build $WORKER_BUILD_VERSION (about six minutes, once)"
  cargo install -q --force worker-build --version "=$WORKER_BUILD_VERSION"
fi
log "worker-build $WORKER_BUILD_VERSION"

}

install_npm_packages() {
if [ ! -x node_modules/.bin/wrangler ] || [ ! -x node_modules/.bin/node ] || [ ! -x node_modules/.bin/vite ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # `npm install` rather than `npm ci`: the lock omits other platforms' optional workerd
  # binaries (the registry mirror here lists only Linux ones), which `npm ci` refuses; with an
  # up-to-date lock `npm install` installs exactly the locked versions and leaves it unchanged.
  log "npm install (from package-lock.json)"
  npm install --no-audit --no-fund --loglevel=error
fi
log "wrangler $(PATH="$ROOT/node_modules/.bin:$PATH" wrangler --version 2>/dev/null | tail -1), node $(node_modules/.bin/node --version)"
}

install_browser() {
  apt_install chromium
  log "$(chromium --version 2>/dev/null | head -1)"
}

install_python_tools() {
if [ "$(.venv/bin/schemathesis --version 2>/dev/null | awk '{print $NF}')" != "$SCHEMATHESIS_VERSION" ]; then
  python3 -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
  [ -x .venv/bin/pip ] || python3 -m venv .venv
  log "pip install schemathesis==$SCHEMATHESIS_VERSION into .venv"
  .venv/bin/pip install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
log "schemathesis $SCHEMATHESIS_VERSION (.venv)"
}

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(wasm32_target cargo_tools npm_packages browser python_tools)
for step in "${steps[@]}"; do "install_$step"; done
log "ready"
