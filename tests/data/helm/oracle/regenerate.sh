#!/bin/sh
# Regenerates answers.json from cases.json with Go's text/template and Sprig
# (Debian: apt-get install golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v2-dev).
set -eu
cd "$(dirname "$0")"
GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= go run main.go
