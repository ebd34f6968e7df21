#!/usr/bin/env python3
"""Re-check latency of `soclint lsp`: the time from a didChange of one file
to its publishDiagnostics, over stdio as an editor sees it.

    python3 bench/lsp_latency.py [--generate] [--binary B] [--changes N] ROOT FILE...

ROOT is the workspace folder (never written, unless --generate: then a
repository of ~300 files is written there first, see generate()); each FILE
(relative to ROOT) is opened and changed CHANGES times (default 50) by
incremental edits (a comment line inserted at the top, `#` in HCL, YAML and
Dockerfiles), one at a time, each timed until the server publishes that
file's diagnostics. Prints per file the first diagnostics after didOpen, the
median, 95th percentile and worst re-check, and at the end the server's peak
RSS (VmHWM), the load average and the number of CPUs. BINARY defaults to
target/release/soclint. Python standard library only.
"""
import argparse
import json
import os
import statistics
import subprocess
import time

MODULE_BUCKET = '''variable "name" {}
variable "public" {
  default = false
}

resource "aws_s3_bucket" "this" {
  bucket = var.name
}

resource "aws_s3_bucket_acl" "this" {
  bucket = aws_s3_bucket.this.id
  acl    = var.public ? "public-read" : "private"
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = !var.public
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
'''

MODULE_DB = '''variable "name" {}
variable "public" {
  default = false
}

resource "aws_db_instance" "this" {
  identifier          = var.name
  engine              = "postgres"
  instance_class      = "db.t4g.micro"
  storage_encrypted   = true
  publicly_accessible = var.public
  deletion_protection = true
}
'''

ROOT_TF = '''module "bucket" {{
  source = "../modules/bucket"
  name   = "acme-{i}"
  public = {public}
}}

module "db" {{
  source = "../modules/db"
  name   = "svc-{i}"
}}

resource "aws_security_group" "web" {{
  name = "web-{i}"
  ingress {{
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["{cidr}"]
  }}
}}
'''

DEPLOY = '''apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-{i}
  namespace: team-{team}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: svc-{i}}}
  template:
    metadata:
      labels: {{app: svc-{i}}}
    spec:
      serviceAccountName: svc-{i}
      containers:
        - name: app
          image: registry.example.com/svc-{i}:{tag}
          securityContext:
            privileged: {priv}
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
'''

BINDING = '''apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: svc-{i}
  namespace: team-{team}
subjects:
  - kind: ServiceAccount
    name: svc-{i}
roleRef:
  kind: Role
  name: reader
  apiGroup: rbac.authorization.k8s.io
'''

NETPOL = '''apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: team-{team}
spec:
  podSelector: {{}}
  policyTypes: [Ingress, Egress]
'''

DOCKERFILE = '''FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app ./cmd/app

FROM gcr.io/distroless/static:{tag}
COPY --from=build /out/app /app
USER {user}
ENTRYPOINT ["/app"]
'''

WORKFLOW = '''name: svc-{i}
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make -C svc-{i} test
'''


def generate(root):
    """A repository of 309 files: 60 Terraform roots calling two shared
    local modules, each with a Deployment, a RoleBinding, a Dockerfile and a
    workflow, and a NetworkPolicy per team. Deterministic."""
    def write(rel, text):
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
    write("modules/bucket/main.tf", MODULE_BUCKET)
    write("modules/db/main.tf", MODULE_DB)
    for i in range(60):
        v = dict(i=i, team=i % 7, public="true" if i % 9 == 0 else "false",
                 cidr="0.0.0.0/0" if i % 4 == 0 else "10.0.0.0/8",
                 tag="latest" if i % 6 == 0 else "1.%d.0" % (i % 20),
                 priv="true" if i % 11 == 0 else "false",
                 user="root" if i % 10 == 0 else "65532")
        write("svc-%d/main.tf" % i, ROOT_TF.format(**v))
        write("svc-%d/deploy.yaml" % i, DEPLOY.format(**v))
        write("k8s/rbac/svc-%d.yaml" % i, BINDING.format(**v))
        write("svc-%d/Dockerfile" % i, DOCKERFILE.format(**v))
        write(".github/workflows/svc-%d.yml" % i, WORKFLOW.format(**v))
    for team in range(7):
        write("k8s/netpol/team-%d.yaml" % team, NETPOL.format(team=team))


class Server:
    def __init__(self, binary, root):
        self.p = subprocess.Popen([binary, "lsp"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE)
        self.next_id = 0
        self.request("initialize", {"capabilities": {}, "rootUri": "file://" + root})
        self.notify("initialized", {})

    def send(self, msg):
        msg["jsonrpc"] = "2.0"
        body = json.dumps(msg).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def recv(self):
        length = 0
        while True:
            line = self.p.stdout.readline()
            if line in (b"\r\n", b""):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.p.stdout.read(length))

    def notify(self, method, params):
        self.send({"method": method, "params": params})

    def request(self, method, params):
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            m = self.recv()
            if m.get("id") == self.next_id and "method" not in m:
                return m.get("result")

    def diagnostics(self, uri):
        while True:
            m = self.recv()
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri:
                return m["params"]["diagnostics"]

    def peak_rss(self):
        with open("/proc/%d/status" % self.p.pid) as status:
            for line in status:
                if line.startswith("VmHWM"):
                    return line.split(":")[1].strip()
        return "?"

    def stop(self):
        self.request("shutdown", None)
        self.notify("exit", None)
        self.p.wait()


def percentile(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("root")
    ap.add_argument("files", nargs="+")
    ap.add_argument("--binary", default="target/release/soclint")
    ap.add_argument("--changes", type=int, default=50)
    ap.add_argument("--generate", action="store_true")
    a = ap.parse_args()
    root = os.path.abspath(a.root)
    if a.generate:
        generate(root)
    count = sum(len(fs) for _, _, fs in os.walk(root))
    print("%s: %d files; %s; load average %.1f %.1f %.1f on %d CPUs"
          % (root, count, a.binary, *os.getloadavg(), os.cpu_count()))
    srv = Server(os.path.abspath(a.binary), root)
    for rel in a.files:
        uri = "file://" + os.path.join(root, rel)
        with open(os.path.join(root, rel)) as f:
            text = f.read()
        t = time.perf_counter()
        srv.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "plaintext", "version": 1, "text": text}})
        n = len(srv.diagnostics(uri))
        first = (time.perf_counter() - t) * 1000
        times = []
        for v in range(2, a.changes + 2):
            change = {"range": {"start": {"line": 0, "character": 0},
                                "end": {"line": 0, "character": 0}},
                      "text": "# edit %d\n" % v}
            t = time.perf_counter()
            srv.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": v}, "contentChanges": [change]})
            srv.diagnostics(uri)
            times.append((time.perf_counter() - t) * 1000)
        srv.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        print("  %s: %d diagnostics; first %.1f ms; re-check median %.1f ms, p95 %.1f ms, "
              "worst %.1f ms (%d changes)"
              % (rel, n, first, statistics.median(times), percentile(times, 0.95),
                 max(times), a.changes))
    print("  peak RSS %s; load average after %.1f" % (srv.peak_rss(), os.getloadavg()[0]))
    srv.stop()


if __name__ == "__main__":
    main()
