#!/usr/bin/env bash
# Runs a command with an S3-compatible server beside it: moto's server
# (from PyPI), on a free port, with an empty bucket. The command sees
# VELLUM_TEST_S3=s3://bucket and the AWS_* settings object storage reads,
# so the media tests run against a bucket as well as a folder.
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION=5.1.0
venv="$HOME/.cache/vellum/moto-$MOTO_VERSION"
if [ ! -x "$venv/bin/moto_server" ]; then
  echo "==> Installing moto $MOTO_VERSION (PyPI) for the S3 tests"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "moto[server]==$MOTO_VERSION"
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
"$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
moto=$!
trap 'kill "$moto" 2>/dev/null || true; wait "$moto" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fs -X PUT "http://127.0.0.1:$port/vellum-media-test" >/dev/null

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 \
  AWS_ENDPOINT="http://127.0.0.1:$port" AWS_ALLOW_HTTP=true \
  VELLUM_TEST_S3=s3://vellum-media-test
"$@"
