#!/usr/bin/env bash
#! Ensures a .dev.vars file holds JWT_SECRET and ENCRYPTION_KEY, generating only what is
#! missing; existing values (and every other line) are never touched.
set -euo pipefail
FILE=${1:-.dev.vars}
touch "$FILE"
chmod 600 "$FILE"
ensure() {
  local name=$1 value=$2
  if ! grep -q "^${name}=" "$FILE"; then
    [ -z "$(tail -c1 "$FILE")" ] || echo >>"$FILE"
    echo "${name}=${value}" >>"$FILE"
    echo "[dev-vars] generated ${name} into ${FILE}"
  fi
}
ensure JWT_SECRET "$(head -c 48 /dev/urandom | base64 | tr -d '\n=+/')"
ensure ENCRYPTION_KEY "$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
