#!/usr/bin/env bash
# Property-based tests of the content API against its own OpenAPI document:
# schemathesis (from PyPI) generates requests from /api/v1/openapi.json and
# fails on any 5xx or any response that breaks the document. It runs against
# the debug binary with demo content, on a free port and a throwaway folder.
# Requests carry a write token of the demo's author, so the admin API is
# exercised past its token check too.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
venv="$HOME/.cache/vellum/schemathesis-$SCHEMATHESIS_VERSION"
if [ ! -x "$venv/bin/st" ]; then
  echo "==> Installing schemathesis $SCHEMATHESIS_VERSION (PyPI)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi

vellum="${VELLUM_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/vellum/target}/debug/vellum}"
data=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
VELLUM_DATA_DIR="$data" VELLUM_API_RATE_LIMIT=0 VELLUM_API_TOKEN_RATE_LIMIT=0 VELLUM_LOG=warn \
  "$vellum" serve --demo --addr "127.0.0.1:$port" >"$data/vellum.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"' EXIT

for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
token=$(VELLUM_DATA_DIR="$data" VELLUM_LOG=warn "$vellum" token add \
  --email sam.rivera@demo.vellum.test --name schemathesis --scope write)

# One worker: Hypothesis changes the (process-wide) recursion limit while a
# test runs, and CPython 3.11's ast.parse in a second thread then fails
# with "AST constructor recursion depth mismatch".
"$venv/bin/st" --config-file tests/schemathesis.toml run "http://127.0.0.1:$port/api/v1/openapi.json" \
  --header "Authorization: Bearer $token" \
  --wait-for-schema 30 --checks all --max-examples 40 --workers 1 --seed 20261126
