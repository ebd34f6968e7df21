#!/usr/bin/env bash
# Checks that a release tag matches what the repository says, before anything
# is built (.github/workflows/release.yml, job "plan"), and writes the release
# notes: the tag is vX.Y.Z with X.Y.Z the version in Cargo.toml; CHANGELOG.md
# has a dated section "## [X.Y.Z] - YYYY-MM-DD"; the pre-commit companion
# (packaging/pre-commit/pyproject.toml) pins soclint==X.Y.Z.
# Usage: packaging/release-check.sh TAG [NOTES_FILE]
# Prints version=X.Y.Z (and appends it to $GITHUB_OUTPUT when set); writes the
# CHANGELOG section's body to NOTES_FILE when given.
set -euo pipefail
cd "$(dirname "$0")/.."
tag="${1:?usage: release-check.sh TAG [NOTES_FILE]}"
notes="${2:-}"

fail() {
  echo "release-check: $*" >&2
  exit 1
}

version="$(sed -n 's/^version = "\([^"]*\)"$/\1/p' Cargo.toml | head -n 1)"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "Cargo.toml's version '$version' is not X.Y.Z"
[ "$tag" = "v$version" ] || fail "tag $tag does not match Cargo.toml's version $version"
heading="$(grep -E "^## \[$version\] - " CHANGELOG.md || true)"
[[ "$heading" =~ ^"## [$version] - "[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] ||
  fail "CHANGELOG.md has no dated section '## [$version] - YYYY-MM-DD'"
grep -qx "dependencies = \[\"soclint==$version\"\]" packaging/pre-commit/pyproject.toml ||
  fail "packaging/pre-commit/pyproject.toml does not pin soclint==$version"

if [ -n "$notes" ]; then
  # the section's lines up to the next "## " heading or the link references
  awk -v heading="$heading" '
    $0 == heading { inside = 1; next }
    inside && (/^## / || /^\[[^]]*\]: /) { exit }
    inside { print }
  ' CHANGELOG.md >"$notes"
  [ -s "$notes" ] || fail "the CHANGELOG section for $version is empty"
fi
echo "version=$version"
if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "version=$version" >>"$GITHUB_OUTPUT"; fi
