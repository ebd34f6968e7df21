#!/usr/bin/env bash
# Regenerates answers.json from `terraform console` (offline, no providers),
# here (functions; files/ for the file functions) and in variables/ (type
# conversion of variables.tf and terraform.tfvars): each expression of a
# directory's expressions.hcl is evaluated alone as jsonencode(EXPR),
# so a value is recorded as the JSON Terraform encodes it to and an error as
# its summary line. CI does not run this; tests/terraform_functions.rs reads
# the recorded answers. Usage: bash regenerate.sh [path/to/terraform]
set -euo pipefail
cd "$(dirname "$0")"
TF=${1:-terraform}
# an empty CLI configuration (no plugin cache, no credentials); /dev/null is
# not one: terraform warns that it cannot parse it
config=$(mktemp)
trap 'rm -f "$config"' EXIT
export TF_CLI_CONFIG_FILE=$config CHECKPOINT_DISABLE=1
"$TF" version | head -1 >version.txt
python3 - "$TF" <<'PY'
import json, subprocess, sys
tf = sys.argv[1]
for directory in [".", "variables"]:
  out = []
  for line in open(f"{directory}/expressions.hcl", encoding="utf-8"):
      expr = line.rstrip("\n")
      if not expr.strip() or expr.lstrip().startswith("#"):
          continue
      p = subprocess.run([tf, "console", "-no-color"], input=f"jsonencode({expr})\n", capture_output=True,
                         text=True, cwd=directory)
      if p.returncode == 0:
          text = p.stdout.strip()
          # the console prints an HCL string: JSON quoting plus $${ and %%{ escapes
          try:
              encoded = json.loads(text.replace("$${", "${").replace("%%{", "%{"))
              out.append({"expr": expr, "json": json.loads(encoded)})
          except ValueError:  # not a JSON string: `(sensitive value)`
              out.append({"expr": expr, "console": text})
      else:
          # the summary line, then the detail paragraph after the source excerpt
          lines = [l.strip("│╷╵ ").strip() for l in p.stderr.splitlines()]
          at = next((i for i, l in enumerate(lines) if l.startswith("Error:")), None)
          if at is None:
              out.append({"expr": expr, "error": p.stderr.strip()[:200]})
              continue
          rest = lines[at + 1:]
          blank = [i for i, l in enumerate(rest) if not l]
          detail = " ".join(l for l in rest[blank[1] + 1:] if l) if len(blank) > 1 else ""
          # a panic's goroutine dump holds addresses that change every run
          detail = detail.split(" goroutine ")[0]
          out.append({"expr": expr, "error": (lines[at][6:].strip() + ": " + detail).strip(": ")})
  with open(f"{directory}/answers.json", "w", encoding="utf-8") as f:
      json.dump(out, f, indent=1, ensure_ascii=False)
      f.write("\n")
  print(f"{directory}: {len(out)} expressions, {sum('error' in o for o in out)} errors")
PY
