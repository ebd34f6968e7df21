#!/usr/bin/env bash
# The PyPI channel, as a user meets it: builds the wheel with maturin (the dev
# profile: what is tested is the packaging, not the optimiser), installs it into
# a fresh venv with no cargo or rustc on PATH, and runs `soclint check
# fixtures/demo` from there; its report must be byte for byte the one of the
# cargo-built binary. Then builds a wheel from the sdist, as pip does on a
# platform without a prebuilt wheel, and checks that it still knows its commit.
# Prints the time from nothing (no venv) to the first check's report.
# Usage: .ci/wheel.sh TOOLS_BIN   (maturin and pip of .ci/tools.sh's venv)
# Leaves the wheel in $CARGO_TARGET_DIR/wheels-ci for .ci/pre-commit-try-repo.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
tools_bin="$(cd "$1" && pwd)"
target="${CARGO_TARGET_DIR:-$repo/target}"
case "$target" in /*) ;; *) target="$repo/$target" ;; esac
wheels="$target/wheels-ci"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
clean_path="/usr/local/bin:/usr/bin:/bin"
if PATH="$clean_path" command -v cargo >/dev/null || PATH="$clean_path" command -v rustc >/dev/null; then
  echo "wheel: $clean_path has a Rust toolchain; the test needs a PATH without one" >&2
  exit 1
fi

rm -rf "$wheels"
"$tools_bin/maturin" build --quiet --profile dev --out "$wheels" >/dev/null 2>&1 ||
  "$tools_bin/maturin" build --profile dev --out "$wheels"
wheel="$(ls "$wheels"/soclint-*.whl)"
echo "wheel: built $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KiB)"

# a user's machine: a fresh venv, the wheel from a local index, no Rust
python="$(python3 -c 'import sys; print(sys.executable)')"
start=$(date +%s%N)
env -i HOME="$scratch" PATH="$clean_path" "$python" -m venv "$scratch/user"
env -i HOME="$scratch" PATH="$scratch/user/bin:$clean_path" \
  pip install --quiet --disable-pip-version-check --no-index --find-links "$wheels" soclint
set +e
env -i HOME="$scratch" PATH="$scratch/user/bin:$clean_path" \
  soclint check fixtures/demo --format compact >"$scratch/wheel.txt"
code=$?
set -e
end=$(date +%s%N)
[ "$code" -eq 1 ] || { echo "wheel: soclint check fixtures/demo exited $code, expected 1 (findings)" >&2; exit 1; }
set +e
"$target/debug/soclint" check fixtures/demo --format compact >"$scratch/cargo.txt"
set -e
if ! cmp -s "$scratch/wheel.txt" "$scratch/cargo.txt"; then
  echo "wheel: the wheel's report differs from the cargo build's" >&2
  diff "$scratch/cargo.txt" "$scratch/wheel.txt" | head -n 20 >&2
  exit 1
fi
grep -q "AWS-S3-001" "$scratch/wheel.txt" || { echo "wheel: AWS-S3-001 missing" >&2; exit 1; }
installed="$(env -i PATH="$scratch/user/bin:$clean_path" sh -c 'command -v soclint')"
[ "$installed" = "$scratch/user/bin/soclint" ] || { echo "wheel: soclint came from $installed" >&2; exit 1; }
echo "wheel: $(wc -l <"$scratch/wheel.txt") report lines, same as the cargo build"
ms=$(((end - start) / 1000000))
printf 'wheel: from nothing to the first report (venv, pip install, soclint check fixtures/demo): %d.%03d s\n' \
  $((ms / 1000)) $((ms % 1000))

# the sdist, from a copy of the tree with the commit recorded as the release
# workflow records it; built like pip builds it, reusing the release-profile
# dependencies the pre-commit source-hook test compiled (unoptimised)
mkdir "$scratch/tree"
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$scratch/tree" 2>/dev/null || true
commit="$(git rev-parse HEAD)"
printf '{"git": {"sha1": "%s"}, "path_in_vcs": ""}\n' "$commit" >"$scratch/tree/.cargo_vcs_info.json"
(cd "$scratch/tree" && "$tools_bin/maturin" sdist --out "$scratch/sdist" >/dev/null 2>&1)
sdist="$(ls "$scratch/sdist"/soclint-*.tar.gz)"
tar -tzf "$sdist" >"$scratch/sdist.txt"
grep -q '/.cargo_vcs_info.json$' "$scratch/sdist.txt" || { echo "sdist: no .cargo_vcs_info.json" >&2; exit 1; }
if grep -q '/fixtures/\|/tests/\|/fuzz/\|/bench/' "$scratch/sdist.txt"; then
  echo "sdist: carries tests, fixtures, fuzz or bench files" >&2
  exit 1
fi
CARGO_TARGET_DIR="$target/pre-commit" CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_LTO=false \
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 PATH="$tools_bin:$PATH" \
  "$tools_bin/pip" wheel --quiet --disable-pip-version-check --no-deps --no-build-isolation \
  --wheel-dir "$scratch/from-sdist" "$sdist" >/dev/null
python3 -m venv "$scratch/sdist-user"
"$scratch/sdist-user/bin/pip" install --quiet --disable-pip-version-check --no-index \
  --find-links "$scratch/from-sdist" soclint
version="$("$scratch/sdist-user/bin/soclint" --version)"
grep -qx "commit-hash: $commit" <<<"$version" || { echo "sdist: --version says: $version" >&2; exit 1; }
echo "sdist: $(basename "$sdist") ($(du -k "$sdist" | cut -f1) KiB) builds a wheel that names commit ${commit:0:10}"
