#!/usr/bin/env bash
# Installs the external validators the integration tests use, cached under the
# cargo target directory: the SARIF Multitool (npm) and pre-commit (PyPI, in a venv).
# Prints nothing on success; the tests find them through SOCLINT_SARIF_MULTITOOL
# and SOCLINT_PRE_COMMIT (exported by .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
tools="${CARGO_TARGET_DIR:-target}/ci-tools"
mkdir -p "$tools"
tools="$(cd "$tools" && pwd)"
multitool="$tools/sarif/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
if [ ! -x "$multitool" ]; then
  mkdir -p "$tools/sarif"
  (cd "$tools/sarif" && npm install --silent --no-audit --no-fund @microsoft/sarif-multitool@5.7.0 >/dev/null)
fi
precommit="$tools/venv/bin/pre-commit"
if [ ! -x "$precommit" ]; then
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install --quiet --disable-pip-version-check pre-commit >/dev/null
fi
echo "SOCLINT_SARIF_MULTITOOL=$multitool"
echo "SOCLINT_PRE_COMMIT=$precommit"
