#!/usr/bin/env bash
# Installs the test SMTP server (aiosmtpd, from PyPI) into its own
# virtualenv if it is missing, and prints that virtualenv's python. The
# HTTP and browser tests start tests/support/smtp_sink.py with it.
set -euo pipefail

AIOSMTPD_VERSION=1.4.6
venv="$HOME/.cache/vellum/aiosmtpd-$AIOSMTPD_VERSION"
if ! "$venv/bin/python" -c 'import aiosmtpd' 2>/dev/null; then
  echo "==> Installing aiosmtpd $AIOSMTPD_VERSION (PyPI) for the email tests" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "aiosmtpd==$AIOSMTPD_VERSION" >&2
fi
echo "$venv/bin/python"
