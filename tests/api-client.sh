#!/usr/bin/env bash
# The content API as real client tools see it. Against the debug binary
# with demo content, on a free port and a throwaway folder:
#   1. Spectral lints /api/v1/openapi.json with its OpenAPI rules
#      (tests/api-client/.spectral.yaml): no errors and no warnings;
#   2. openapi-typescript generates a TypeScript client's types from it;
#   3. tsc type-checks tests/api-client/client.ts against those types
#      (strict), and the compiled script lists posts, reads one and meets
#      a 404 through openapi-fetch.
# The npm packages are pinned in tests/api-client/package-lock.json; the
# generated files go to tests/api-client/generated/ (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."

dir=tests/api-client
# --ignore-scripts: the only install script in the lock is a usage report.
if [ ! -d "$dir/node_modules/@stoplight/spectral-cli" ]; then
  echo "==> Installing the API client check's npm packages"
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund)
fi
bin="$PWD/$dir/node_modules/.bin"

vellum="${VELLUM_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/vellum/target}/debug/vellum}"
data=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
VELLUM_DATA_DIR="$data" VELLUM_API_RATE_LIMIT=0 VELLUM_LOG=warn \
  "$vellum" serve --demo --addr "127.0.0.1:$port" >"$data/vellum.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"' EXIT

base="http://127.0.0.1:$port"
for _ in $(seq 1 300); do
  curl -fs "$base/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
if ! curl -fs "$base/readyz" >/dev/null 2>&1; then
  echo "Vellum did not become ready on $base; its log:" >&2
  cat "$data/vellum.log" >&2
  exit 1
fi

out="$dir/generated"
rm -rf "$out"
mkdir -p "$out"
curl -fsS "$base/api/v1/openapi.json" -o "$out/openapi.json"

echo "==> Spectral (spectral:oas): no errors, no warnings"
"$bin/spectral" lint --ruleset "$dir/.spectral.yaml" --fail-severity=warn "$out/openapi.json"

echo "==> openapi-typescript: the client's types"
"$bin/openapi-typescript" "$out/openapi.json" --output "$out/schema.d.ts"

echo "==> tsc: type-check the client script (strict)"
"$bin/tsc" -p "$dir/tsconfig.json" --noEmit

echo "==> The client script against the server"
"$bin/tsc" -p "$dir/tsconfig.json"
VELLUM_URL="$base" node "$out/dist/client.js"
