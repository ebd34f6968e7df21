#!/usr/bin/env python3
"""Writes a synthetic repository of Terraform modules, Kubernetes manifests and
Dockerfiles (a realistic mix of compliant and violating resources) of about
LINES lines into DIR. Deterministic: the same arguments give the same files."""
import os
import sys

TF = '''variable "env_{i}" {{
  default = "{env}"
}}

resource "aws_s3_bucket" "data_{i}" {{
  bucket = "acme-data-{i}"
  acl    = "{acl}"
  tags = {{
    Environment = var.env_{i}
    Owner       = "team-{team}"
  }}
}}

resource "aws_s3_bucket_server_side_encryption_configuration" "data_{i}" {{
  bucket = aws_s3_bucket.data_{i}.id
  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm = "aws:kms"
    }}
  }}
}}

resource "aws_security_group" "web_{i}" {{
  name   = "web-{i}"
  vpc_id = aws_vpc.main.id
  ingress {{
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["{cidr}"]
  }}
  ingress {{
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }}
}}

resource "aws_db_instance" "db_{i}" {{
  identifier              = "db-{i}"
  engine                  = "postgres"
  instance_class          = "db.t3.micro"
  storage_encrypted       = {enc}
  publicly_accessible     = false
  backup_retention_period = {backup}
  deletion_protection     = true
}}
'''

K8S = '''apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-{i}
  namespace: team-{team}
spec:
  replicas: {replicas}
  template:
    metadata:
      labels:
        app: svc-{i}
    spec:
      automountServiceAccountToken: false
      containers:
        - name: app
          image: registry.example.com/svc-{i}:{tag}
          securityContext:
            privileged: {priv}
            allowPrivilegeEscalation: false
            runAsNonRoot: true
            readOnlyRootFilesystem: true
          resources:
            limits:
              cpu: 500m
              memory: 256Mi
          livenessProbe:
            httpGet:
              path: /healthz
              port: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: svc-{i}
spec:
  type: {svc}
  ports:
    - port: 80
      targetPort: 8080
'''

DOCKER = '''FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app ./cmd/app

FROM gcr.io/distroless/static:{tag}
COPY --from=build /out/app /app
USER {user}
EXPOSE 8080
HEALTHCHECK CMD ["/app", "health"]
ENTRYPOINT ["/app"]
'''


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen_corpus.py DIR LINES")
    root, target = sys.argv[1], int(sys.argv[2])
    lines = files = i = 0
    while lines < target:
        v = dict(i=i, team=i % 7, env="prod" if i % 2 else "dev",
                 acl="public-read" if i % 9 == 0 else "private",
                 cidr="0.0.0.0/0" if i % 4 == 0 else "10.0.0.0/8",
                 enc="false" if i % 5 == 0 else "true", backup=7 if i % 3 else 0,
                 replicas=1 + i % 3, tag="latest" if i % 6 == 0 else "1.%d.0" % (i % 20),
                 priv="true" if i % 11 == 0 else "false",
                 svc="LoadBalancer" if i % 8 == 0 else "ClusterIP",
                 user="root" if i % 10 == 0 else "65532")
        d = os.path.join(root, "team-%d" % (i % 7), "svc-%d" % i)
        os.makedirs(d, exist_ok=True)
        for name, tmpl in (("main.tf", TF), ("deploy.yaml", K8S), ("Dockerfile", DOCKER)):
            text = tmpl.format(**v)
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
            lines += text.count("\n")
            files += 1
        i += 1
    print("%d files, %d lines in %s" % (files, lines, root))


if __name__ == "__main__":
    main()
