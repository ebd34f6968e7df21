#!/usr/bin/env python3
"""Re-check latency of `soclint lsp`: the time from a didChange of one file
to its publishDiagnostics, over stdio as an editor sees it.

    python3 bench/lsp_latency.py ROOT FILE [BINARY] [CHANGES]

ROOT is the workspace folder, FILE a file in it (relative); BINARY defaults
to target/release/soclint. Prints the time to the first diagnostics after
didOpen (config and rules loaded, first scan), the median and best of
CHANGES re-checks (each change appends a comment line), and the server's
peak RSS (VmHWM) at the end.
"""
import json
import os
import statistics
import subprocess
import sys
import time


def main():
    root = os.path.abspath(sys.argv[1])
    rel = sys.argv[2]
    binary = sys.argv[3] if len(sys.argv) > 3 else "target/release/soclint"
    changes = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    p = subprocess.Popen([binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def send(msg):
        body = json.dumps(msg).encode()
        p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        p.stdin.flush()

    def recv():
        length = 0
        while True:
            line = p.stdout.readline()
            if line in (b"\r\n", b""):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(p.stdout.read(length))

    uri = "file://" + os.path.join(root, rel)

    def diagnostics():
        while True:
            m = recv()
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri:
                return m["params"]["diagnostics"]

    send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
          "params": {"capabilities": {}, "rootUri": "file://" + root}})
    recv()
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    text = open(os.path.join(root, rel)).read()
    t = time.perf_counter()
    send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri, "languageId": "plaintext", "version": 1, "text": text}}})
    n = len(diagnostics())
    first = (time.perf_counter() - t) * 1000
    times = []
    for v in range(2, changes + 2):
        t = time.perf_counter()
        send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": v},
            "contentChanges": [{"text": text + "\n# edit %d\n" % v}]}})
        diagnostics()
        times.append((time.perf_counter() - t) * 1000)
    hwm = ""
    with open("/proc/%d/status" % p.pid) as status:
        for line in status:
            if line.startswith("VmHWM"):
                hwm = line.split(":")[1].strip()
    send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    while recv().get("id") != 2:
        pass
    send({"jsonrpc": "2.0", "method": "exit"})
    p.wait()
    print("%s: %d diagnostics; first %.1f ms; re-check median %.1f ms, best %.1f ms (%d changes); peak RSS %s"
          % (rel, n, first, statistics.median(times), min(times), changes, hwm))


if __name__ == "__main__":
    main()
