#!/usr/bin/env bash
# Runs a pre-commit hook for real with `pre-commit try-repo` (it clones the
# hook repository's HEAD, so the files are committed in a scratch copy first):
#   source  the `soclint-source` hook of .pre-commit-hooks.yaml (language:
#           rust), from a commit of the working tree; the build reuses the
#           cargo target directory, so only soclint itself is compiled
#   python  the `soclint` hook of packaging/pre-commit (language: python, the
#           companion repository soclint/soclint-pre-commit), installing the
#           wheel .ci/wheel.sh built, from a local index, with a fresh
#           pre-commit cache and no cargo or rustc on PATH; prints the time of
#           that first run
# On a project with one violation among ten files and a file named like an
# option (`--select=X.tf`, which must stay a file), the hook must fail with
# AWS-S3-001; after the fix it must pass.
# Usage: .ci/pre-commit-try-repo.sh PRE_COMMIT_BIN source|python [WHEELHOUSE]
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
pre_commit="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
mode="$2"
target="${CARGO_TARGET_DIR:-$repo/target}"
case "$target" in /*) ;; *) target="$repo/$target" ;; esac
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# the hook repository, committed
mkdir "$scratch/hook"
case "$mode" in
  source)
    hook=soclint-source
    # (a tracked file deleted in the working tree is skipped)
    git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$scratch/hook" 2>/dev/null || true
    ;;
  python)
    hook=soclint
    cp -r packaging/pre-commit/. "$scratch/hook/"
    ;;
  *)
    echo "usage: $0 PRE_COMMIT_BIN source|python [WHEELHOUSE]" >&2
    exit 2
    ;;
esac
git -C "$scratch/hook" init -q
git -C "$scratch/hook" add -A
git -C "$scratch/hook" -c user.name=ci -c user.email=ci@example.invalid commit -qm hook

# a project that uses it, with one violation among ten files, and a clean
# Terraform file whose name would select no rule if it were read as an option
proj="$scratch/project"
mkdir -p "$proj/infra"
git -C "$proj" init -q
for i in 1 2 3 4 5 6 7 8 9; do
  printf 'resource "aws_cloudwatch_log_group" "g%s" {\n  name = "g%s"\n}\n' "$i" "$i" >"$proj/infra/logs$i.tf"
done
printf 'resource "aws_s3_bucket_acl" "site" {\n  bucket = "site"\n  acl    = "public-read"\n}\n' >"$proj/infra/storage.tf"
printf 'locals {\n  name = "x"\n}\n' >"$proj/--select=X.tf"
git -C "$proj" add -A

run_hook() {
  (cd "$proj" && "${env_cmd[@]}" "$pre_commit" try-repo "$scratch/hook" "$hook" --all-files 2>&1)
}

if [ "$mode" = source ]; then
  export PRE_COMMIT_HOME="$target/ci-tools/pre-commit-home"
  export CARGO_TARGET_DIR="$target/pre-commit"
  # the hook's `cargo install` builds a release binary; unoptimised is enough to
  # test the hook definition and keeps CI fast
  export CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
  env_cmd=(env)
else
  wheelhouse="$(cd "$3" && pwd)"
  clean_path="$(dirname "$pre_commit"):/usr/local/bin:/usr/bin:/bin"
  if PATH="$clean_path" command -v cargo >/dev/null || PATH="$clean_path" command -v rustc >/dev/null; then
    echo "pre-commit try-repo: $clean_path has a Rust toolchain" >&2
    exit 1
  fi
  # nothing cached: a new pre-commit home and pip cache; packages only from
  # the local wheelhouse (the soclint wheel, setuptools for the hook package)
  env_cmd=(env -i HOME="$scratch/home" PATH="$clean_path" PRE_COMMIT_HOME="$scratch/pre-commit-home"
    PIP_CACHE_DIR="$scratch/pip-cache" PIP_NO_INDEX=1 PIP_FIND_LINKS="$wheelhouse $target/wheels-ci")
  mkdir -p "$scratch/home"
fi

set +e
start=$(date +%s%N)
out="$(run_hook)"
code=$?
end=$(date +%s%N)
set -e
echo "$out" | tail -n 15
if [ "$code" -eq 0 ]; then
  echo "pre-commit try-repo ($hook): expected the hook to fail on the public ACL" >&2
  exit 1
fi
grep -q "storage.tf:3:12: CRITICAL AWS-S3-001" <<<"$out" || {
  echo "pre-commit try-repo ($hook): AWS-S3-001 not reported" >&2
  exit 1
}
if [ "$mode" = python ]; then
  ms=$(((end - start) / 1000000))
  printf 'pre-commit try-repo (%s): first run, from an empty pre-commit cache to the report: %d.%03d s\n' \
    "$hook" $((ms / 1000)) $((ms % 1000))
fi

# fixed: the hook passes
sed -i 's/public-read/private/' "$proj/infra/storage.tf"
git -C "$proj" add -A
if ! run_hook >"$scratch/fixed.txt"; then
  echo "pre-commit try-repo ($hook): the hook failed on a clean project" >&2
  tail -n 20 "$scratch/fixed.txt" >&2
  exit 1
fi
echo "pre-commit try-repo ($hook): ok"
