#!/usr/bin/env bash
# One platform of a release (.github/workflows/release.yml, job "build"): one
# optimised build gives both the binary for the archive and the PyPI wheel
# (maturin, bindings = "bin"), so the archive and the wheel carry the same
# bytes. Runs on the platform's own runner, in bash (Git Bash on Windows).
#   setup    the pinned Rust toolchain with the target; musl-gcc on Linux
#   build    maturin build --release: target/TARGET/release/soclint and
#            dist/soclint-VERSION-py3-none-PLATFORM.whl
#   test     the binary names the commit it was built from, is static on
#            Linux, and finds AWS-S3-001 in the demo; the wheel installs into
#            a fresh venv and runs
#   archive  dist/soclint-VERSION-TARGET.tar.gz (.zip on Windows) holding
#            soclint-VERSION-TARGET/{soclint,README.md,LICENSE,CHANGELOG.md}
# Environment: TARGET (a Rust target triple), VERSION, RUST_TOOLCHAIN;
# GITHUB_SHA for the test.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${TARGET:?set TARGET}"
exe=""
case "$target" in *windows*) exe=".exe" ;; esac
bin="target/$target/release/soclint$exe"

case "${1:-}" in
  setup)
    rustup toolchain install "${RUST_TOOLCHAIN:?set RUST_TOOLCHAIN}" --profile minimal --target "$target"
    rustup default "$RUST_TOOLCHAIN"
    case "$target" in
      *-linux-musl)
        # mimalloc is C: musl-gcc compiles it for the host's architecture
        sudo apt-get update -q
        sudo apt-get install -y -q --no-install-recommends musl-tools
        ;;
    esac
    ;;
  build)
    compatibility=(pypi)
    case "$target" in
      *-linux-musl)
        # a static binary runs on glibc and musl systems alike: one wheel
        # tagged for both, so pip takes it on either
        compatibility=(manylinux2014 musllinux_1_2)
        cc_var="CC_$(echo "$target" | tr '-' '_')"
        export "$cc_var=musl-gcc"
        ;;
      *-windows-msvc)
        # the C runtime linked in: no Visual C++ redistributable needed
        export RUSTFLAGS="-C target-feature=+crt-static"
        ;;
    esac
    maturin build --release --locked --target "$target" --out dist --compatibility "${compatibility[@]}"
    ;;
  test)
    "$bin" --version
    "$bin" --version | grep -qx "commit-hash: ${GITHUB_SHA:?set GITHUB_SHA}" ||
      { echo "the binary does not name commit $GITHUB_SHA" >&2; exit 1; }
    case "$target" in
      *-linux-musl)
        file "$bin"
        file "$bin" | grep -Eq 'statically linked|static-pie linked' ||
          { echo "$bin is not statically linked" >&2; exit 1; }
        ;;
    esac
    set +e
    "$bin" check fixtures/demo --format compact >demo.txt
    code=$?
    set -e
    [ "$code" -eq 1 ] || { echo "check fixtures/demo exited $code, expected 1" >&2; exit 1; }
    grep -q "storage.tf:72:12: CRITICAL AWS-S3-001" demo.txt ||
      { echo "AWS-S3-001 not found in the demo" >&2; exit 1; }
    python -m venv wheel-test
    scripts="wheel-test/bin"
    [ -d "$scripts" ] || scripts="wheel-test/Scripts"
    "$scripts/python" -m pip install --quiet --no-index --find-links dist soclint
    "$scripts/soclint$exe" --version | grep -qx "commit-hash: $GITHUB_SHA"
    ;;
  archive)
    name="soclint-${VERSION:?set VERSION}-$target"
    rm -rf "stage/$name"
    mkdir -p "stage/$name"
    cp "$bin" README.md LICENSE CHANGELOG.md "stage/$name/"
    if [ -n "$exe" ]; then
      (cd stage && 7z a -tzip -bso0 "../dist/$name.zip" "$name")
    else
      tar -czf "dist/$name.tar.gz" -C stage "$name"
    fi
    ls -l dist
    ;;
  *)
    echo "usage: $0 setup|build|test|archive" >&2
    exit 2
    ;;
esac
