#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ from the repository's fixtures (and, for the rule
# loader, the built-in rule packs). Safe to re-run: files are named after their
# source path, so existing seeds are overwritten, fuzzer-found inputs are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
corpus=$root/fuzz/corpus

# copy TARGET FIND-ARGS...: every fixture file matching FIND-ARGS into the corpus
copy() {
    local target=$1
    shift
    mkdir -p "$corpus/$target"
    find fixtures "$@" -type f -print0 |
        while IFS= read -r -d '' f; do
            cp "$f" "$corpus/$target/$(echo "$f" | tr '/' '_')"
        done
}

copy parse_hcl -name '*.tf'
copy parse_yaml \( -name '*.yaml' -o -name '*.yml' \)
copy parse_json \( -name '*.json' -o -name '*.template' -o -name '*.tfstate' \)
copy parse_dockerfile \( -name 'Dockerfile*' -o -name 'Containerfile' -o -name '*.dockerfile' \)
copy parse_markdown \( -name '*.md' -o -name '*.markdown' \)

mkdir -p "$corpus/rules_load"
find policies fixtures -name '*.toml' -type f -print0 |
    while IFS= read -r -d '' f; do
        cp "$f" "$corpus/rules_load/$(echo "$f" | tr '/' '_')"
    done

# config_load: hand-written hostile layouts (fuzz/common/config_input.rs);
# the fuzzer mutates names, link targets and the config from there.
mkdir -p "$corpus/config_load"
rule='[[rule]]
id = "IN-001"
title = "t"
severity = "high"
criteria = ["CC6.1"]
target = "terraform"
resources = ["aws_s3_bucket"]
message = "m"
rationale = "r"
remediation = "r"
assert = { path = "acl", not_in = ["public-read"] }'
seed_config() { printf '%s\n' "$2" >"$corpus/config_load/$1"; }
seed_config inside "rules = [\"rules\"]
@@ file rules/a.toml
$rule"
seed_config absolute 'rules = ["$OUT/rules", "/proc/self/environ"]'
seed_config dotdot 'rules = ["../outside/rules", "rules/../../outside/secret.toml"]
@@ dir rules'
seed_config link_file "rules = [\"rules\"]
@@ file rules/a.toml
$rule
@@ link rules/z.toml \$OUT/rules/secret.toml"
seed_config link_dir 'rules = ["r"]
@@ link r $OUT/rules'
seed_config link_not_toml 'rules = ["rules/e.toml", "rules/b.toml"]
@@ link rules/e.toml $OUT/env
@@ link rules/b.toml $OUT/broken.toml'
seed_config hardlink 'rules = ["rules"]
@@ hardlink rules/h.toml $OUT/broken.toml'
seed_config fifo 'rules = ["rules"]
@@ fifo rules/f.toml'
seed_config baseline_link 'baseline = "b/base.json"
@@ link b $OUT'
seed_config baseline_dotdot 'baseline = "../outside/baseline.json"'
seed_config config_link 'ignored: the config is a link
@@ link soclint.toml $OUT/secret.toml'
seed_config nested "rules = [\"../rules\"]
@@ config sub
@@ file rules/a.toml
$rule
@@ link sub/rules \$ROOT/../outside"
seed_config waiver '[[waiver]]
rule = "X"
path = "../outside/*"
policy-paths = ["/etc"]'
seed_config policy_link 'policy-paths = ["docs"]
@@ link docs $OUT/policies
@@ link infra $OUT/tf
@@ link Dockerfile $OUT/Dockerfile'
seed_config waiver_link '[[waiver]]
rule = "*"
path = "infra/**"
reason = "r"
@@ link infra $OUT/tf
@@ file main.tf
resource "aws_s3_bucket" "b" {
  acl = "public-read"
}'
seed_config odd_names 'rules = ["r%0a%1b[2J", "r%ff"]
policy-paths = ["p%e2%80%ae"]
@@ link r%0a%1b[2J $OUT/rules
@@ link r%ff $OUT/rules
@@ link p%e2%80%ae $OUT/policies
@@ file %ff.tf
resource "aws_s3_bucket" "b" {}'

# scan_file: one selector byte (the index into NAMES in
# fuzz/common/scan_input.rs) followed by the file's bytes.
mkdir -p "$corpus/scan_file"
seed_scan() {
    local index=$1
    shift
    find fixtures "$@" -type f -print0 |
        while IFS= read -r -d '' f; do
            { printf "\\x$(printf %02x "$index")"; cat "$f"; } \
                >"$corpus/scan_file/$index-$(echo "$f" | tr '/' '_')"
        done
}
seed_scan 0 -name '*.tf'
seed_scan 1 -name '*.tf.json'
seed_scan 2 \( -name 'Dockerfile*' -o -name 'Containerfile' \)
seed_scan 3 -path '*/.github/workflows/*' \( -name '*.yml' -o -name '*.yaml' \)
seed_scan 4 \( -name 'action.yml' -o -name 'action.yaml' \)
seed_scan 5 \( -name 'docker-compose*.y*ml' -o -name 'compose*.y*ml' \)
seed_scan 6 \( -name '*.yaml' -o -name '*.yml' \) -not -path '*/.github/workflows/*'
seed_scan 7 -name '*.json' -not -name '*.tf.json'
seed_scan 8 -name '*.template'
seed_scan 9 -name '*.md'

for d in "$corpus"/*/; do
    printf '%-18s %5d files\n' "$(basename "$d")" "$(find "$d" -type f | wc -l)"
done
