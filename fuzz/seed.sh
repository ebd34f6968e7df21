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
