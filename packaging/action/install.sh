#!/usr/bin/env bash
# Installs soclint for the GitHub Action (action.yml, step "Install soclint").
#
# Which soclint:
# - the `version` input (SOCLINT_VERSION), if given: that release;
# - else the action's own version, read from the Cargo.toml of the action's
#   checkout (SOCLINT_ACTION_PATH), when the action runs from a release:
#     ref vX.Y.Z            the release X.Y.Z (the ref and Cargo.toml must agree)
#     ref vX or vX.Y        the moving tags: the release their Cargo.toml names
#     ref = a commit id     that release if its binary was built from this very
#                           commit (`soclint --version` says which), else source
#     ref unknown           (GitHub does not promise github.action_ref to
#                           composite actions): the release, unless Cargo.toml
#                           carries a pre-release suffix (0.3.0-dev), which
#                           main does between releases
# - from any other ref (a branch, `uses: ./`): `cargo install` of the action's
#   own source, the only case that compiles.
# A release archive is checked against the release's SHA256SUMS before it is
# unpacked; a mismatch or a missing entry fails the step. Installed releases
# are kept in the runner's tool cache ($RUNNER_TOOL_CACHE/soclint/VERSION/ARCH,
# with the ARCH.complete marker @actions/tool-cache uses).
#
# Environment: SOCLINT_VERSION, SOCLINT_ACTION_REF, SOCLINT_ACTION_PATH,
# RUNNER_OS, RUNNER_ARCH, RUNNER_TOOL_CACHE, RUNNER_TEMP, GITHUB_PATH,
# GITHUB_OUTPUT, GITHUB_WORKSPACE; SOCLINT_RELEASES_URL (default GitHub's
# release downloads; a mirror, or a local server in tests/action.rs);
# SOCLINT_CARGO (default cargo).
# Writes `path=` (the binary) and `version=` (what was installed) to
# GITHUB_OUTPUT and the binary's directory to GITHUB_PATH.
set -euo pipefail

releases="${SOCLINT_RELEASES_URL:-https://github.com/soclint/soclint/releases/download}"
action_path="${SOCLINT_ACTION_PATH:?set SOCLINT_ACTION_PATH}"
ref="${SOCLINT_ACTION_REF:-}"
requested="${SOCLINT_VERSION:-}"
requested="${requested#v}"

fail() {
  echo "::error title=soclint install::$*"
  exit 1
}

is_version() { [[ "$1" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; }

# the version in the action's Cargo.toml ([package] comes first)
own_version() {
  local v
  v="$(sed -n 's/^version = "\([^"]*\)"$/\1/p' "$action_path/Cargo.toml" | head -n 1)"
  is_version "$v" || fail "no version in $action_path/Cargo.toml"
  printf '%s' "$v"
}

target_triple() {
  case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
    Linux/X64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64) echo aarch64-unknown-linux-musl ;;
    macOS/X64) echo x86_64-apple-darwin ;;
    macOS/ARM64) echo aarch64-apple-darwin ;;
    # Windows on Arm runs x86_64 programs
    Windows/X64 | Windows/ARM64) echo x86_64-pc-windows-msvc ;;
    *) return 1 ;;
  esac
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  else
    shasum -a 256 "$1" | cut -d ' ' -f 1
  fi
}

download() {
  # https only once redirected (GitHub sends release assets to another host)
  curl --fail --silent --show-error --location --proto-redir '=https' \
    --retry 3 --retry-delay 2 --output "$2" "$1"
}

exe_name() {
  if [ "${RUNNER_OS:-}" = Windows ]; then echo soclint.exe; else echo soclint; fi
}

publish() {
  local dir="$1" version="$2"
  echo "$dir" >>"${GITHUB_PATH:-/dev/null}"
  {
    echo "path=$dir/$(exe_name)"
    echo "version=$version"
  } >>"${GITHUB_OUTPUT:-/dev/null}"
  "$dir/$(exe_name)" --version
}

# Downloads, verifies and unpacks release $1 into the tool cache, unless it
# is there already, and sets `installed` to the binary's directory. Returns 1
# when the release cannot be downloaded; a bad checksum fails the step.
install_release() {
  local version="$1" target archive url tmp expected actual ext="tar.gz"
  target="$(target_triple)" || fail "no soclint release for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}: build it with cargo install soclint"
  [ "${target#*windows}" != "$target" ] && ext="zip"
  local arch cache
  arch="$(printf '%s' "${RUNNER_ARCH:-unknown}" | tr '[:upper:]' '[:lower:]')"
  cache="${RUNNER_TOOL_CACHE:?set RUNNER_TOOL_CACHE}/soclint/$version"
  installed="$cache/$arch"
  if [ -f "$cache/$arch.complete" ]; then
    echo "soclint $version from the tool cache ($installed)"
    return
  fi
  archive="soclint-$version-$target.$ext"
  url="$releases/v$version"
  tmp="$(mktemp -d "${RUNNER_TEMP:-/tmp}/soclint-install.XXXXXX")"
  echo "Downloading $url/$archive"
  if ! download "$url/$archive" "$tmp/$archive" || ! download "$url/SHA256SUMS" "$tmp/SHA256SUMS"; then
    rm -rf "$tmp"
    return 1
  fi
  # the line for exactly this file: "<64 hex digits>  <name>"
  expected="$(awk -v name="$archive" '$2 == name || $2 == "*" name { print $1 }' "$tmp/SHA256SUMS")"
  [[ "$expected" =~ ^[0-9a-f]{64}$ ]] || fail "SHA256SUMS of v$version has no checksum for $archive"
  actual="$(sha256 "$tmp/$archive")"
  [ "$actual" = "$expected" ] || fail "checksum mismatch for $archive: expected $expected, got $actual"
  echo "SHA-256 verified: $actual"
  mkdir -p "$tmp/unpacked"
  if [ "$ext" = zip ]; then
    unzip -q "$tmp/$archive" -d "$tmp/unpacked"
  else
    tar -xzf "$tmp/$archive" -C "$tmp/unpacked"
  fi
  rm -rf "$installed"
  mkdir -p "$cache"
  mv "$tmp/unpacked/soclint-$version-$target" "$installed"
  touch "$cache/$arch.complete"
  rm -rf "$tmp"
}

install_source() {
  local root="${RUNNER_TEMP:-/tmp}/soclint-source"
  echo "Building soclint from the action's source ($action_path): the ref ${ref:-(unknown)} is not a release"
  "${SOCLINT_CARGO:-cargo}" install --locked --path "$action_path" --root "$root"
  installed="$root/bin"
}

installed=""
if [ -n "$requested" ]; then
  is_version "$requested" || fail "version input '$requested' is not a version such as 0.2.0"
  install_release "$requested" || fail "release v$requested could not be downloaded from $releases"
  publish "$installed" "$requested"
  exit 0
fi

own="$(own_version)"
is_dev() { [ "${own#*-}" != "$own" ]; }
commit_ref() { [[ "$ref" =~ ^[0-9a-f]{40}$ ]]; }
if [[ "$ref" =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]]; then
  [ "$ref" = "v$own" ] || fail "the action's ref is $ref but its Cargo.toml says $own"
  mode=release
elif [[ "$ref" =~ ^v[0-9]+(\.[0-9]+)?$ ]]; then
  [[ "$own" == "${ref#v}".* ]] || fail "the action's ref is $ref but its Cargo.toml says $own"
  mode=release
elif commit_ref || [ -z "$ref" ]; then
  mode=release
  is_dev && mode=source
  # `uses: ./` runs the workspace's own checkout
  case "$action_path/" in "${GITHUB_WORKSPACE:-/nonexistent}"/*) mode=source ;; esac
else
  mode=source
fi

if [ "$mode" = release ]; then
  if ! install_release "$own"; then
    commit_ref || fail "release v$own could not be downloaded"
    echo "No release v$own to compare with commit $ref"
    mode=source
  elif commit_ref; then
    built_from="$("$installed/$(exe_name)" --version | sed -n 's/^commit-hash: //p')"
    if [ "$built_from" != "$ref" ]; then
      echo "Release v$own was built from ${built_from:-an unknown commit}, not from $ref"
      mode=source
    fi
  fi
fi
if [ "$mode" = source ]; then
  install_source
  publish "$installed" "$own (source)"
else
  publish "$installed" "$own"
fi
