#!/usr/bin/env bash
# Runs the hook in .pre-commit-hooks.yaml for real with `pre-commit try-repo`
# against a temporary commit of the working tree (try-repo clones HEAD, so the
# uncommitted state is committed in a scratch copy first). The Rust build reuses
# the cargo target directory, so only soclint itself is compiled.
# Usage: .ci/pre-commit-try-repo.sh PRE_COMMIT_BIN
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
pre_commit="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
target="${CARGO_TARGET_DIR:-$repo/target}"
case "$target" in /*) ;; *) target="$repo/$target" ;; esac
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# a commit of the working tree as it is
mkdir "$scratch/hook"
git ls-files -z --cached --others --exclude-standard | (cd "$repo" && xargs -0 cp --parents -t "$scratch/hook" 2>/dev/null || true)
git -C "$scratch/hook" init -q
git -C "$scratch/hook" add -A
git -C "$scratch/hook" -c user.name=ci -c user.email=ci@example.invalid commit -qm hook

# a project that uses it, with one violation among ten files
proj="$scratch/project"
mkdir -p "$proj/infra"
git -C "$proj" init -q
for i in 1 2 3 4 5 6 7 8 9; do
  printf 'resource "aws_cloudwatch_log_group" "g%s" {\n  name = "g%s"\n}\n' "$i" "$i" > "$proj/infra/logs$i.tf"
done
printf 'resource "aws_s3_bucket_acl" "site" {\n  bucket = "site"\n  acl    = "public-read"\n}\n' > "$proj/infra/storage.tf"
git -C "$proj" add -A

export PRE_COMMIT_HOME="$target/ci-tools/pre-commit-home"
export CARGO_TARGET_DIR="$target/pre-commit"
# the hook's `cargo install` builds a release binary; unoptimised is enough to
# test the hook definition and keeps CI fast
export CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
set +e
out="$(cd "$proj" && "$pre_commit" try-repo "$scratch/hook" soclint --all-files 2>&1)"
code=$?
set -e
echo "$out" | tail -n 15
if [ "$code" -eq 0 ]; then
  echo "pre-commit try-repo: expected the hook to fail on the public ACL" >&2
  exit 1
fi
grep -q "AWS-S3-001" <<<"$out" || { echo "pre-commit try-repo: AWS-S3-001 not reported" >&2; exit 1; }

# fixed: the hook passes
sed -i 's/public-read/private/' "$proj/infra/storage.tf"
git -C "$proj" add -A
(cd "$proj" && "$pre_commit" try-repo "$scratch/hook" soclint --all-files >/dev/null 2>&1) || {
  echo "pre-commit try-repo: the hook failed on a clean project" >&2
  (cd "$proj" && "$pre_commit" try-repo "$scratch/hook" soclint --all-files) | tail -n 20 >&2
  exit 1
}
echo "pre-commit try-repo: ok"
