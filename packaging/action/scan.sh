#!/usr/bin/env bash
# Runs soclint for the GitHub Action (action.yml, step "Run soclint") once,
# with every report written to $RUNNER_TEMP/soclint: SARIF for code scanning,
# JSON, GitHub annotations (printed by the next step), and the Markdown
# summary into $GITHUB_STEP_SUMMARY; the compact report goes to the log, with
# workflow commands stopped while it is written.
#
# GitHub shows at most 10 error, 10 warning and 10 notice annotations per step
# and 50 per job, first come first served. So this step emits one annotation,
# the summary with the counts, before any finding's annotation exists, and
# the findings' annotations come in a step of their own; all of them are in
# the log, the job summary and the SARIF.
#
# Inputs come as environment variables, never spliced into the script: each
# line of SOCLINT_ARGS is one argument, each line of SOCLINT_PATHS one path.
# Writes outputs sarif-file, json-file, annotations-file, findings,
# suppressed, baselined, unparsed, unscanned and exit-code. Exits non-zero only when
# soclint could not run (exit code 2: usage or configuration); findings
# fail the annotation step instead.
set -euo pipefail

bin="${SOCLINT_BIN:?set SOCLINT_BIN}"
out="${RUNNER_TEMP:?set RUNNER_TEMP}/soclint"
mkdir -p "$out"
sarif="$out/soclint.sarif"
json="$out/soclint.json"
annotations="$out/annotations.txt"

args=(check --fail-on "${SOCLINT_FAIL_ON:-low}" --format compact
  --format "github:$annotations" --format "sarif:$sarif" --format "json:$json")
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  args+=(--format "markdown:$GITHUB_STEP_SUMMARY")
fi
if [ -n "${SOCLINT_CONFIG:-}" ]; then args+=(--config "$SOCLINT_CONFIG"); fi
if [ -n "${SOCLINT_CHANGED_SINCE:-}" ]; then args+=(--changed-since "$SOCLINT_CHANGED_SINCE"); fi
if [ -n "${SOCLINT_BASELINE:-}" ]; then args+=(--baseline "$SOCLINT_BASELINE"); fi
while IFS= read -r arg; do
  arg="${arg%$'\r'}"
  if [ -n "$arg" ]; then args+=("$arg"); fi
done <<<"${SOCLINT_ARGS:-}"
# after `--`, a path is a path even when it starts with a dash
args+=(--)
paths=0
while IFS= read -r path; do
  path="${path%$'\r'}"
  if [ -n "$path" ]; then
    args+=("$path")
    paths=$((paths + 1))
  fi
done <<<"${SOCLINT_PATHS:-.}"
if [ "$paths" -eq 0 ]; then args+=(.); fi

# soclint's log output quotes the scanned repository (file names, values):
# no line of it may act as a workflow command, so commands are off meanwhile
# (resumed only by an unguessable token)
token="$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
echo "::stop-commands::$token"
set +e
"$bin" "${args[@]}"
code=$?
set -e
echo "::$token::"
if [ "$code" -ne 0 ] && [ "$code" -ne 1 ]; then
  echo "::error title=soclint::soclint could not run (exit code $code): see the log above"
  exit "$code"
fi

# the github report's last line:
# soclint: N findings, N suppressed, N in the baseline, N files not parsed[, N files not scanned]
# ("1 finding", "1 file"; releases before 0.3 wrote "finding(s)" and "file(s)", also read)
summary="$(tail -n 1 "$annotations")"
pattern='^soclint: ([0-9]+) finding(s|\(s\))?, ([0-9]+) suppressed, ([0-9]+) in the baseline, ([0-9]+) file(s|\(s\))? not parsed(, ([0-9]+) file(s|\(s\))? not scanned)?$'
if ! [[ "$summary" =~ $pattern ]]; then
  echo "::error title=soclint::could not read the counts from the report's last line: $summary"
  exit 2
fi
findings="${BASH_REMATCH[1]}"
suppressed="${BASH_REMATCH[3]}"
baselined="${BASH_REMATCH[4]}"
unparsed="${BASH_REMATCH[5]}"
unscanned="${BASH_REMATCH[8]:-0}"
# "1 file", "2 files"
count() { if [ "$1" -eq 1 ]; then echo "$1 $2"; else echo "$1 $3"; fi; }
{
  echo "sarif-file=$sarif"
  echo "json-file=$json"
  echo "annotations-file=$annotations"
  echo "findings=$findings"
  echo "suppressed=$suppressed"
  echo "baselined=$baselined"
  echo "unparsed=$unparsed"
  echo "unscanned=$unscanned"
  echo "exit-code=$code"
} >>"${GITHUB_OUTPUT:-/dev/null}"

not_scanned=""
if [ "$unscanned" -gt 0 ]; then not_scanned=", $(count "$unscanned" file files) not scanned"; fi
if [ "$findings" -gt 0 ] || [ "$unparsed" -gt 0 ] || [ "$unscanned" -gt 0 ]; then
  level=warning
  outcome="below the fail-on threshold (${SOCLINT_FAIL_ON:-low})"
  if [ "$code" -eq 1 ]; then
    level=error
    outcome="the check fails (fail-on: ${SOCLINT_FAIL_ON:-low})"
  fi
  echo "::$level title=soclint::$(count "$findings" finding findings), $(count "$unparsed" file files) not parsed$not_scanned, $suppressed suppressed, $baselined in the baseline: $outcome. GitHub shows only the first 10 annotations of each level per step; every finding is in the job summary, the log and the SARIF report."
else
  echo "soclint: no findings ($suppressed suppressed, $baselined in the baseline)"
fi
