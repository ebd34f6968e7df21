#!/usr/bin/env bash
# Static checks of what ships soclint, where no GitHub runner or container
# engine is at hand: actionlint on the workflows (it also checks the inputs
# ci.yml gives the repository's own action, and runs shellcheck on run:
# scripts), shellcheck on the scripts, hadolint on the Dockerfile, and
# soclint's own rules on the workflows, the action and the Dockerfile (no
# finding allowed; a suppression must carry its reason).
# Usage: .ci/check-packaging.sh TOOLS_BIN SOCLINT_BIN
set -euo pipefail
cd "$(dirname "$0")/.."
tools_bin="$1"
soclint="$2"
command -v shellcheck >/dev/null || { echo "check-packaging: shellcheck is not installed" >&2; exit 1; }
"$tools_bin/actionlint" .github/workflows/*.yml
shellcheck .ci/run .ci/*.sh packaging/*.sh packaging/action/*.sh
"$tools_bin/hadolint" Dockerfile
"$soclint" check --format compact -- .github/workflows/*.yml action.yml Dockerfile
echo "check-packaging: actionlint, shellcheck, hadolint and soclint found nothing"
