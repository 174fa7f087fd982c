# shellcheck shell=bash
#! Sourced by the build scripts: picks the compiler for wasm32 (rustup's when it has the target,
#! otherwise Debian's rustc-web, see scripts/setup.sh) and points worker-build at local helpers.
ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$ROOT/node_modules/.bin:$PATH"
if ! { command -v rustup >/dev/null 2>&1 \
       && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; }; then
  export PATH="/usr/bin:$PATH"
  export RUSTC=/usr/bin/rustc
  export CARGO=/usr/bin/cargo
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld
fi
WASM_BINDGEN_BIN=$(command -v wasm-bindgen || true)
ESBUILD_BIN=$(ls "$ROOT"/node_modules/@esbuild/*/bin/esbuild 2>/dev/null | head -1)
export WASM_BINDGEN_BIN ESBUILD_BIN
