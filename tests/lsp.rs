//! `soclint lsp` driven over JSON-RPC, in-process (the server on a thread,
//! the test as the client): initialize, didOpen, publishDiagnostics with
//! exact ranges, incremental didChange, codeAction (quick fixes and
//! `source.fixAll.soclint`), didClose, shutdown; and the server's kept
//! results against full scans.
use std::path::Path;
use std::thread::JoinHandle;
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{json, Value};

struct Client {
    conn: Connection,
    server: Option<JoinHandle<Result<(), String>>>,
    next_id: i32,
}

fn uri(p: &Path) -> String {
    soclint::lsp::uri::from_path(p)
        .expect("uri")
        .as_str()
        .to_string()
}

impl Client {
    fn start(root: &Path) -> Client {
        let (c, init) = Client::start_with(root, json!({}));
        assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
        c
    }

    /// A client with `capabilities`, and the server's answer to initialize.
    fn start_with(root: &Path, capabilities: Value) -> (Client, Value) {
        let (server, client) = Connection::memory();
        let handle = std::thread::spawn(move || soclint::lsp::run(&server));
        let mut c = Client {
            conn: client,
            server: Some(handle),
            next_id: 0,
        };
        let init = c.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": null,
                "capabilities": capabilities,
                "workspaceFolders": [{"uri": uri(root), "name": "ws"}],
            }),
        );
        // incremental text synchronisation
        assert_eq!(init["capabilities"]["textDocumentSync"]["change"], 2);
        assert_eq!(
            init["capabilities"]["codeActionProvider"]["codeActionKinds"],
            json!(["quickfix", "source.fixAll", "source.fixAll.soclint"])
        );
        c.notify("initialized", json!({}));
        (c, init)
    }

    /// Every message until the response to a request sent now (the server
    /// handles messages in order: what an earlier change published comes
    /// first), and that response.
    fn until_answered(&mut self, method: &str, params: Value) -> (Vec<Message>, Value) {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        let req = Request::new(id.clone(), method.into(), params);
        self.conn.sender.send(Message::Request(req)).expect("send");
        let mut before = Vec::new();
        loop {
            match self.recv() {
                Message::Response(r) if r.id == id => {
                    return (before, r.response_result.expect("a result"));
                }
                m => before.push(m),
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        let req = Request::new(id.clone(), method.into(), params);
        self.conn.sender.send(Message::Request(req)).expect("send");
        loop {
            match self.recv() {
                Message::Response(r) if r.id == id => {
                    return r.response_result.expect("a result, not an error");
                }
                _ => continue,
            }
        }
    }

    /// The code actions of `kind` for an empty range at (`line`, `character`).
    fn code_actions(&mut self, uri: &str, line: u64, character: u64, kind: &str) -> Value {
        self.request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri},
                "range": {"start": {"line": line, "character": character}, "end": {"line": line, "character": character}},
                "context": {"diagnostics": [], "only": [kind]},
            }),
        )
    }

    fn notify(&self, method: &str, params: Value) {
        let n = Notification::new(method.into(), params);
        self.conn
            .sender
            .send(Message::Notification(n))
            .expect("send");
    }

    fn recv(&self) -> Message {
        self.conn
            .receiver
            .recv_timeout(Duration::from_secs(120))
            .expect("a message from the server")
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&self, uri: &str) -> Value {
        loop {
            if let Message::Notification(n) = self.recv() {
                if n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri {
                    return n.params;
                }
            }
        }
    }

    /// The diagnostics published for `uri` among `msgs` (the last).
    fn diagnostics_in(&self, msgs: &[Message], uri: &str) -> Value {
        msgs.iter()
            .rev()
            .find_map(|m| match m {
                Message::Notification(n)
                    if n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri =>
                {
                    Some(n.params.clone())
                }
                _ => None,
            })
            .expect("published")
    }

    fn open(&self, uri: &str, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
    }

    fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let r = self.server.take().expect("server").join().expect("join");
        assert_eq!(r, Ok(()));
    }
}

/// (code, start line, start character, end line, end character) of each
/// diagnostic, in order.
fn places(params: &Value) -> Vec<(String, u64, u64, u64, u64)> {
    params["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let r = &d["range"];
            (
                d["code"].as_str().unwrap_or("").to_string(),
                r["start"]["line"].as_u64().expect("line"),
                r["start"]["character"].as_u64().expect("character"),
                r["end"]["line"].as_u64().expect("line"),
                r["end"]["character"].as_u64().expect("character"),
            )
        })
        .collect()
}

fn codes(params: &Value) -> Vec<String> {
    places(params).into_iter().map(|p| p.0).collect()
}

const DB: &str = r#"resource "aws_db_instance" "app" {
  identifier          = "app"
  engine              = "mysql"
  instance_class      = "db.t4g.medium"
  publicly_accessible = true
}
"#;

#[test]
fn diagnostics_follow_the_buffer_with_exact_ranges() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let main = root.join("main.tf");
    std::fs::write(&main, "# empty on disk\n").expect("write");
    let mut c = Client::start(root);
    let u = uri(&main);
    // the unsaved buffer is what is scanned, not the file on disk
    c.open(&u, "terraform", DB);
    let d = c.diagnostics(&u);
    assert_eq!(d["version"], 1);
    eprintln!("{d:#}");
    let all = places(&d);
    let rds2: Vec<_> = all.iter().filter(|p| p.0 == "AWS-RDS-002").collect();
    assert_eq!(rds2, [&("AWS-RDS-002".to_string(), 4, 24, 4, 28)]);
    let first = d["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .find(|x| x["code"] == "AWS-RDS-002")
        .expect("AWS-RDS-002");
    assert_eq!(first["severity"], 1);
    assert_eq!(first["source"], "soclint");
    assert!(first["codeDescription"]["href"]
        .as_str()
        .expect("href")
        .ends_with("/docs/rules/terraform.md#aws-rds-002"));

    // the rule's fix as a quick fix: only the value's bytes change
    let actions = c.code_actions(&u, 4, 0, "quickfix");
    let suppress = &actions[1];
    assert_eq!(
        suppress["title"],
        "AWS-RDS-002: suppress AWS-RDS-002 here (give the reason)"
    );
    assert_eq!(suppress["isPreferred"], Value::Null);
    let edit = &suppress["edit"]["changes"][&u][0];
    assert_eq!(
        edit["range"],
        json!({"start": {"line": 4, "character": 0}, "end": {"line": 4, "character": 0}})
    );
    let text = edit["newText"].as_str().expect("text");
    let date = text
        .strip_prefix("  # soclint:ignore AWS-RDS-002 reason=\"\" until=")
        .and_then(|d| d.strip_suffix('\n'))
        .expect(text);
    assert_eq!((date.len(), &date[4..5], &date[7..8]), (10, "-", "-"));
    assert_eq!(
        json!(actions.as_array().expect("actions")[0..1]),
        json!([{
            "title": "AWS-RDS-002: set `publicly_accessible` to false",
            "kind": "quickfix",
            "isPreferred": true,
            "diagnostics": [first],
            "edit": {"changes": {u.clone(): [{
                "range": {"start": {"line": 4, "character": 24}, "end": {"line": 4, "character": 28}},
                "newText": "false",
            }]}},
        }])
    );
    // the header line holds AWS-RDS-004, whose fix adds the attribute
    let actions = c.code_actions(&u, 0, 3, "quickfix");
    let titles: Vec<&str> = actions
        .as_array()
        .expect("actions")
        .iter()
        .filter(|a| a["isPreferred"] == true)
        .map(|a| a["title"].as_str().expect("title"))
        .collect();
    assert_eq!(
        titles,
        [
            "AWS-RDS-003: set `backup_retention_period` to 7",
            "AWS-RDS-004: set `deletion_protection` to true"
        ]
    );
    let preferred = actions
        .as_array()
        .expect("actions")
        .iter()
        .find(|a| a["title"] == titles[1])
        .expect("a fix");
    // one suppression per finding on the line, none preferred
    assert_eq!(
        actions.as_array().expect("actions").len() - 2,
        places(&d).iter().filter(|p| p.1 == 0).count()
    );
    assert_eq!(
        preferred["edit"]["changes"][&u][0],
        json!({
            "range": {"start": {"line": 5, "character": 0}, "end": {"line": 5, "character": 0}},
            "newText": "  deletion_protection = true\n",
        })
    );

    // hover on the value: the rule's explanation, over the diagnostic's range
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": {"line": 4, "character": 26}}),
    );
    assert_eq!(hover["range"], first["range"]);
    assert_eq!(hover["contents"]["kind"], "markdown");
    let text = hover["contents"]["value"].as_str().expect("markdown");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[..7],
        [
            "**AWS-RDS-002** · critical · RDS instance is not publicly accessible",
            "",
            "database \\`aws\\_db\\_instance.app\\` is publicly accessible",
            "",
            "**Criteria:** CC6.1 (Logical access security \\(identity, network, encryption\\) protects information assets.); CC6.6 (Boundary protections guard the system against threats from outside it.)",
            "",
            "**Why it matters:** A publicly accessible database gets an internet-resolvable address, so the only remaining protection is the security group and the database password; databases should sit behind the network boundary.",
        ],
        "{text}"
    );
    assert!(
        text.contains("**How to fix:** Set \\`publicly\\_accessible = false\\`"),
        "{text}"
    );
    // nowhere near a finding: no hover
    let none = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": {"line": 2, "character": 0}}),
    );
    assert_eq!(none, Value::Null);

    // every safe fix of the file in one edit, asked for as `source`
    // actions are (an editor's "fix all" on save): the two fixes above and
    // the backup retention, whose realigned `=` clashes with the
    // deletion-protection line and comes in a second pass, as whole lines
    let fix_all = c.code_actions(&u, 0, 0, "source.fixAll");
    assert_eq!(
        fix_all,
        json!([{
            "title": "soclint: apply 3 safe fixes to this file",
            "kind": "source.fixAll.soclint",
            "edit": {"changes": {u.clone(): [{
                "range": {"start": {"line": 1, "character": 0}, "end": {"line": 5, "character": 0}},
                "newText": "  identifier              = \"app\"\n  engine                  = \"mysql\"\n  instance_class          = \"db.t4g.medium\"\n  publicly_accessible     = false\n  backup_retention_period = 7\n  deletion_protection     = true\n",
            }]}},
        }])
    );
    // asked for quick fixes only, or another kind: no fix-all
    let other = c.code_actions(&u, 2, 0, "refactor");
    assert_eq!(other, json!([]));

    // the fix typed in, as an incremental change of the four bytes of
    // `true`: that finding goes, the others stay
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 4, "character": 24}, "end": {"line": 4, "character": 28}}, "text": "false"},
        ]}),
    );
    let d2 = c.diagnostics(&u);
    assert_eq!(d2["version"], 2);
    assert!(!codes(&d2).contains(&"AWS-RDS-002".to_string()));
    assert_eq!(codes(&d2).len(), all.len() - 1);
    // a change across lines, then one inside it (each range in the text
    // the previous change left): the header and `identifier` line replaced
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 3}, "contentChanges": [
            {"range": {"start": {"line": 0, "character": 9}, "end": {"line": 1, "character": 29}}, "text": "\"aws_db_instance\" \"db\" {\n  identifier          = \"x\""},
            {"range": {"start": {"line": 4, "character": 24}, "end": {"line": 4, "character": 29}}, "text": "true"},
        ]}),
    );
    let d3 = c.diagnostics(&u);
    assert_eq!(d3["version"], 3);
    let rds2: Vec<_> = places(&d3)
        .into_iter()
        .filter(|p| p.0 == "AWS-RDS-002")
        .collect();
    assert_eq!(rds2, [("AWS-RDS-002".to_string(), 4, 24, 4, 28)]);
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": {"line": 4, "character": 25}}),
    );
    let text = hover["contents"]["value"].as_str().expect("markdown");
    assert!(text.contains("aws\\_db\\_instance.db"), "{text}");

    // closing clears the document's diagnostics
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
    let d3 = c.diagnostics(&u);
    assert_eq!(d3["diagnostics"], json!([]));
    c.shutdown();
}

const MAIN: &str = r#"variable "acl" {
  default = "private"
}

resource "aws_s3_bucket_acl" "b" {
  bucket = "x"
  acl    = var.acl
}
"#;

/// A finding whose value was set in terraform.tfvars is reported there,
/// with the attribute it lands in as related information; main.tf shows it
/// at the landing, linking back. Columns after a character outside the
/// Basic Multilingual Plane count it as two UTF-16 units. A file soclint
/// does not read says so.
#[test]
fn related_sites_utf16_columns_and_unchecked_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::write(
        root.join("soclint.toml"),
        "select = [\"AWS-S3-001\", \"K8S-CTR-001\"]\n",
    )
    .expect("write");
    std::fs::write(root.join("main.tf"), MAIN).expect("write");
    let tfvars = root.join("terraform.tfvars");
    std::fs::write(&tfvars, "acl = \"public-read\"\n").expect("write");
    let c = Client::start(root);

    let vars_uri = uri(&tfvars);
    c.open(&vars_uri, "terraform", "acl = \"public-read\"\n");
    let d = c.diagnostics(&vars_uri);
    eprintln!("{d:#}");
    assert_eq!(places(&d), [("AWS-S3-001".to_string(), 0, 6, 0, 19)]);
    let related = &d["diagnostics"][0]["relatedInformation"];
    assert_eq!(related[0]["location"]["uri"], uri(&root.join("main.tf")));
    assert_eq!(
        related[0]["location"]["range"],
        json!({"start": {"line": 6, "character": 11}, "end": {"line": 6, "character": 18}})
    );

    let main_uri = uri(&root.join("main.tf"));
    c.open(&main_uri, "terraform", MAIN);
    let d = loop {
        let d = c.diagnostics(&main_uri);
        if d["version"] == 1 {
            break d;
        }
    };
    eprintln!("{d:#}");
    assert_eq!(places(&d), [("AWS-S3-001".to_string(), 6, 11, 6, 18)]);
    assert_eq!(d["diagnostics"][0]["severity"], 3);
    assert_eq!(
        d["diagnostics"][0]["relatedInformation"][0]["location"]["uri"],
        vars_uri.as_str()
    );

    // `😀` is two UTF-16 units: `true` starts at character 68 (the 68th character)
    let pod = root.join("pod.yaml");
    let pod_text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: \"😀\", image: x, securityContext: {privileged: true}}]\n";
    let pod_uri = uri(&pod);
    c.open(&pod_uri, "yaml", pod_text);
    let d = c.diagnostics(&pod_uri);
    eprintln!("{d:#}");
    assert_eq!(places(&d), [("K8S-CTR-001".to_string(), 4, 68, 4, 72)]);

    let notes = root.join("notes.txt");
    let notes_uri = uri(&notes);
    c.open(&notes_uri, "plaintext", "hello\n");
    let d = c.diagnostics(&notes_uri);
    assert_eq!(places(&d), [("not-checked".to_string(), 0, 0, 0, 0)]);
    assert_eq!(
        d["diagnostics"][0]["message"],
        "soclint did not check this file: it is not a kind of file soclint reads"
    );
    assert_eq!(d["diagnostics"][0]["severity"], 3);

    // a YAML file that holds no infrastructure code is read, and says so
    let data = root.join("data.yaml");
    let data_uri = uri(&data);
    c.open(&data_uri, "yaml", "colour: blue\n");
    let d = c.diagnostics(&data_uri);
    assert_eq!(codes(&d), ["not-checked"]);
    c.shutdown();
}

/// One framed JSON-RPC message.
fn frame(v: &Value) -> Vec<u8> {
    let body = v.to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// The messages in a stream of framed output.
fn unframe(mut out: &[u8]) -> Vec<Value> {
    let mut msgs = Vec::new();
    while let Some(at) = out.windows(4).position(|w| w == b"\r\n\r\n") {
        let head = std::str::from_utf8(&out[..at]).expect("header");
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .expect("length")
            .trim()
            .parse()
            .expect("number");
        let body = &out[at + 4..at + 4 + len];
        msgs.push(serde_json::from_slice(body).expect("json"));
        out = &out[at + 4 + len..];
    }
    msgs
}

/// The binary over real stdio: the whole session written at once, the
/// server answers in order and exits 0; an incremental change is scanned
/// before the code actions that follow it; a file outside the workspace
/// folder is not read and says why.
#[test]
fn the_binary_serves_stdio() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("ws");
    std::fs::create_dir(&root).expect("mkdir");
    let main = root.join("main.tf");
    let outside = dir.path().join("outside.tf");
    std::fs::write(&outside, DB).expect("write");
    let session = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}, "rootUri": uri(&root)}}),
        json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri(&main), "languageId": "terraform", "version": 3, "text": DB}}}),
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri(&outside), "languageId": "terraform", "version": 1, "text": DB}}}),
        // a request: the opened documents are scanned and published before
        // the change below is read (without it, open and change may be
        // handled in one batch and published once)
        json!({"jsonrpc": "2.0", "id": 4, "method": "textDocument/hover", "params": {"textDocument": {"uri": uri(&main)}, "position": {"line": 2, "character": 0}}}),
        // `"app"` → `"db"` on line 1, and `true` → `false` on line 4
        json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": uri(&main), "version": 4}, "contentChanges": [
            {"range": {"start": {"line": 1, "character": 25}, "end": {"line": 1, "character": 28}}, "text": "db"},
            {"range": {"start": {"line": 4, "character": 24}, "end": {"line": 4, "character": 28}}, "text": "false"},
        ]}}),
        json!({"jsonrpc": "2.0", "id": 3, "method": "textDocument/codeAction", "params": {
            "textDocument": {"uri": uri(&main)},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": [], "only": ["source.fixAll.soclint"]},
        }}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}),
        json!({"jsonrpc": "2.0", "method": "exit"}),
    ];
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_soclint"))
        .arg("lsp")
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    for m in &session {
        stdin.write_all(&frame(m)).expect("write");
    }
    drop(stdin);
    let out = child.wait_with_output().expect("output");
    assert_eq!(out.status.code(), Some(0));
    let msgs = unframe(&out.stdout);
    assert_eq!(msgs[0]["id"], 1);
    assert_eq!(msgs[0]["result"]["serverInfo"]["name"], "soclint");
    let published: Vec<&Value> = msgs
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .collect();
    let outside_d = published
        .iter()
        .find(|m| m["params"]["uri"] == uri(&outside).as_str())
        .expect("outside published");
    assert_eq!(
        outside_d["params"]["diagnostics"][0]["message"],
        "soclint did not check this file: it is outside the workspace folders"
    );
    let main_d: Vec<&&Value> = published
        .iter()
        .filter(|m| m["params"]["uri"] == uri(&main).as_str())
        .collect();
    assert_eq!(main_d[0]["params"]["version"], 3);
    assert!(places(&main_d[0]["params"]).contains(&("AWS-RDS-002".to_string(), 4, 24, 4, 28)));
    // after the change: the fixed finding is gone, the others stay
    assert_eq!(main_d[1]["params"]["version"], 4);
    let before = codes(&main_d[0]["params"]);
    let after = codes(&main_d[1]["params"]);
    let gone: Vec<&String> = before.iter().filter(|c| !after.contains(c)).collect();
    assert_eq!(gone, ["AWS-RDS-002"]);
    assert_eq!(after.len(), before.len() - 1);
    // the two safe fixes left, on the changed text
    let fix_all = msgs.iter().find(|m| m["id"] == 3).expect("code actions");
    assert_eq!(
        fix_all["result"],
        json!([{
            "title": "soclint: apply 2 safe fixes to this file",
            "kind": "source.fixAll.soclint",
            "edit": {"changes": {uri(&main): [{
                "range": {"start": {"line": 1, "character": 0}, "end": {"line": 5, "character": 0}},
                "newText": "  identifier              = \"db\"\n  engine                  = \"mysql\"\n  instance_class          = \"db.t4g.medium\"\n  publicly_accessible     = false\n  backup_retention_period = 7\n  deletion_protection     = true\n",
            }]}},
        }])
    );
    assert_eq!(msgs.last().expect("last")["id"], 2);
}

/// Everything a scan gives that a report or the server reads, for
/// comparing two scans (not the time it took).
fn summary(r: &soclint::finding::ScanResult) -> String {
    let mut texts: Vec<&String> = r.texts.keys().collect();
    texts.sort();
    let mut masks: Vec<_> = r.masks.iter().collect();
    masks.sort_by(|a, b| a.0.cmp(b.0));
    format!(
        "{:#?}",
        (
            (
                &r.findings,
                &r.suppressed,
                &r.errors,
                &r.skipped,
                &r.notices
            ),
            (&r.directives, r.files_scanned, &r.kinds, r.lines_scanned),
            (r.resources, &r.stats, texts, masks, r.unknown_attributes),
            &r.remote_modules,
        )
    )
}

/// The files of a repository with every kind of unit a chunk can be: a
/// Terraform root calling a local module, with a variables file and a file
/// read by `file()`; Terragrunt configurations with parents and a module;
/// Kubernetes manifests related across directories (a RoleBinding and a
/// NetworkPolicy elsewhere decide a Deployment's findings); a Helm chart; a
/// Kustomize base, component and overlay; a GitLab CI pipeline including
/// another file; a workflow; a Dockerfile.
fn mixed_repository(root: &Path) {
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    };
    write(
        "infra/main.tf",
        r#"variable "acl" {
  default = "private"
}

module "db" {
  source = "../modules/db"
  public = true
}

resource "aws_s3_bucket_acl" "b" {
  bucket = "x"
  acl    = var.acl
}

resource "aws_s3_bucket_acl" "c" {
  bucket = "y"
  acl    = trimspace(file("${path.module}/../files/acl.txt"))
}
"#,
    );
    write("files/acl.txt", "public-read\n");
    write("infra/terraform.tfvars", "acl = \"public-read\"\n");
    write(
        "modules/db/main.tf",
        r#"variable "public" {}

resource "aws_db_instance" "app" {
  identifier          = "app"
  engine              = "mysql"
  instance_class      = "db.t4g.medium"
  publicly_accessible = var.public
}
"#,
    );
    write(
        "k8s/app/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n  namespace: shop\nspec:\n  selector:\n    matchLabels: {app: shop}\n  template:\n    metadata:\n      labels: {app: shop}\n    spec:\n      serviceAccountName: app\n      containers:\n        - name: app\n          image: registry.example.com/app:1.0\n",
    );
    write(
        "k8s/rbac/binding.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: app\n  namespace: shop\nsubjects:\n  - kind: ServiceAccount\n    name: app\nroleRef:\n  kind: Role\n  name: reader\n  apiGroup: rbac.authorization.k8s.io\n",
    );
    write(
        "k8s/net/policy.yaml",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: shop\n  namespace: shop\nspec:\n  podSelector:\n    matchLabels: {app: shop}\n",
    );
    write(
        "chart/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    );
    write(
        "chart/values.yaml",
        "privileged: false\nimage: nginx:1.25\n",
    );
    write(
        "chart/templates/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Chart.Name }}\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: {{ .Values.image }}\n          securityContext:\n            privileged: {{ .Values.privileged }}\n",
    );
    // (fixture directory, where it goes)
    for (from, to) in [
        ("tests/fixtures/kustomize", "kustomize"),
        ("tests/fixtures/terragrunt", "tg"),
        ("fixtures/gitlab-ci/GLCI-IMAGE-001/fail", ""),
    ] {
        for entry in walk(Path::new(from)) {
            let rel = entry.strip_prefix(from).expect("inside");
            let rel = Path::new(to).join(rel).to_string_lossy().into_owned();
            write(&rel, &std::fs::read_to_string(&entry).expect("read"));
        }
    }
    write(
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make\n",
    );
    write("Dockerfile", "FROM alpine:3.20\nRUN apk add curl\n");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read_dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// After each edit of a sequence (buffers changed, opened and closed, among
/// them a variables file and a file read by `file()`; that file changed on
/// disk; a Kustomize patch, on which the
/// units depend), the server's scan with its kept chunk results equals a
/// scan from nothing, and it scanned only the chunks that read the edited
/// file.
#[test]
fn incremental_scans_equal_full_scans() {
    use soclint::lsp::workspace::Workspace;
    use std::collections::HashMap;
    use std::sync::Arc;
    let dir = tempfile::tempdir().expect("tempdir");
    let root = std::fs::canonicalize(dir.path()).expect("canonical");
    mixed_repository(&root);
    let mut ws = Workspace::new(root.clone());
    // walks are kept between buffer edits whatever the time the steps take
    ws.keep_walks_for(std::time::Duration::from_secs(24 * 3600));
    type Open = HashMap<std::path::PathBuf, Arc<str>>;
    let mut open: Open = HashMap::new();
    let first = ws.scan(&open).expect("scan");
    assert!(ws.last_scan_walked());
    let (scanned, reused) = ws.last_scan_work();
    assert_eq!(reused, 0);
    // every file read through the kept parses, once (a module its callers
    // share, asked for by two chunks at the same time, too)
    assert_eq!(ws.last_scan_parses(), 28);
    let chunks = scanned;
    assert!(chunks >= 10, "{chunks} chunks");
    // (what the step does, the chunks it must scan again at most; the
    // result changes)
    type Edit = Box<dyn Fn(&mut Open)>;
    type Step<'a> = (&'a str, Edit, usize, bool);
    let set = |rel: &'static str, from: &'static str, to: &'static str| -> Edit {
        let root = root.clone();
        Box::new(move |open| {
            let p = root.join(rel);
            let old = open
                .get(&p)
                .map(|t| t.to_string())
                .unwrap_or_else(|| std::fs::read_to_string(&p).expect("read"));
            assert!(old.contains(from), "{rel}: {from}");
            open.insert(p, Arc::from(old.replacen(from, to, 1)));
        })
    };
    let steps: Vec<Step> = vec![
        // the module's value changes what its caller's root module reports
        (
            "module",
            set("modules/db/main.tf", "var.public", "false"),
            2,
            true,
        ),
        (
            "tfvars",
            set("infra/terraform.tfvars", "public-read", "private"),
            1,
            true,
        ),
        // the file `file()` reads, in a buffer (its own chunk and infra/),
        // then closed unsaved: read from disk again
        (
            "file() buffer",
            set("files/acl.txt", "public-read", "private"),
            2,
            true,
        ),
        (
            "file() buffer closed",
            Box::new({
                let root = root.clone();
                move |open: &mut HashMap<_, _>| {
                    open.remove(&root.join("files/acl.txt"));
                }
            }),
            2,
            true,
        ),
        // the binding elsewhere decides the Deployment's K8S-POD-004
        (
            "binding",
            set(
                "k8s/rbac/binding.yaml",
                "name: app\nroleRef",
                "name: other\nroleRef",
            ),
            1,
            true,
        ),
        (
            "policy",
            set("k8s/net/policy.yaml", "{app: shop}", "{app: nothing}"),
            1,
            true,
        ),
        (
            "deployment",
            set(
                "k8s/app/deploy.yaml",
                "serviceAccountName: app",
                "serviceAccountName: app\n      hostPID: true",
            ),
            1,
            true,
        ),
        // the chart renders with the new values
        (
            "values",
            set("chart/values.yaml", "privileged: false", "privileged: true"),
            1,
            true,
        ),
        (
            "template",
            set(
                "chart/templates/deploy.yaml",
                "image: {{ .Values.image }}",
                "image: {{ .Values.image }}\n          imagePullPolicy: Always",
            ),
            1,
            true,
        ),
        (
            "dockerfile",
            set(
                "Dockerfile",
                "RUN apk add curl",
                "RUN apk add curl\nUSER 1000",
            ),
            1,
            true,
        ),
        (
            "workflow",
            set(
                ".github/workflows/ci.yml",
                "actions/checkout@v4",
                "actions/checkout@v4\n        with: {persist-credentials: false}",
            ),
            1,
            true,
        ),
        // the base of the overlays: built again in every overlay that uses
        // it (its own directory, overlays/dev and overlays/prod), nothing else
        (
            "kustomize",
            set(
                "kustomize/base/deployment.yaml",
                "privileged: false",
                "privileged: true",
            ),
            3,
            true,
        ),
        // a patch of one overlay, in the overlay's directory
        (
            "kustomize patch",
            set(
                "kustomize/overlays/prod/privileged.yaml",
                "privileged: true",
                "privileged: false",
            ),
            1,
            true,
        ),
        // a base resource no longer YAML: what the builds claim may change,
        // so every chunk is scanned again; then repaired
        (
            "kustomize broken",
            set(
                "kustomize/base/service.yaml",
                "kind: Service",
                "kind: [Service",
            ),
            usize::MAX,
            true,
        ),
        (
            "kustomize repaired",
            set(
                "kustomize/base/service.yaml",
                "kind: [Service",
                "kind: Service",
            ),
            usize::MAX,
            true,
        ),
        (
            "closed",
            Box::new({
                let root = root.clone();
                move |open: &mut HashMap<_, _>| {
                    open.remove(&root.join("k8s/rbac/binding.yaml"));
                }
            }),
            1,
            true,
        ),
        // an included pipeline file and the file that includes it: the
        // units depend on them, everything is scanned again
        (
            "gitlab include",
            set("ci/test.yml", "python:latest", "python:3.12.4"),
            usize::MAX,
            true,
        ),
        (
            "gitlab",
            set(".gitlab-ci.yml", "name: node #", "name: node:20.11 #"),
            usize::MAX,
            true,
        ),
        // Terragrunt: the module its configurations name, and a parent
        // configuration they read (no finding shows the environment)
        (
            "terragrunt module",
            set(
                "tg/modules/bucket/main.tf",
                "acl    = var.acl",
                "acl    = \"private\"",
            ),
            8,
            true,
        ),
        (
            "terragrunt parent",
            set("tg/live/prod/env.hcl", "\"prod\"", "\"production\""),
            8,
            false,
        ),
    ];
    let mut last = summary(&first.result);
    for (what, step, most, visible) in &steps {
        let before: HashMap<_, _> = open.clone();
        step(&mut open);
        // buffers edited or closed, as the server tells the folder
        for (p, t) in &open {
            if before.get(p) != Some(t) {
                ws.edited(p);
            }
        }
        for p in before.keys().filter(|p| !open.contains_key(*p)) {
            ws.edited(p);
        }
        let cached = summary(&ws.scan(&open).expect("scan").result);
        // the files on disk did not change: the last walk serves
        assert!(!ws.last_scan_walked(), "{what}: the folder walked again");
        let (scanned, reused) = ws.last_scan_work();
        let full = summary(
            &Workspace::new(root.clone())
                .scan(&open)
                .expect("scan")
                .result,
        );
        assert_eq!(cached, full, "after {what}");
        if *visible {
            assert_ne!(cached, last, "{what} changed nothing");
        }
        assert!(scanned <= *most, "{what}: {scanned} chunks scanned again");
        // the module's caller, and a Terragrunt configuration's module's
        // callers, scan again; their own files' resources are not evaluated
        // again
        if *what == "module" {
            assert_eq!(
                ws.last_scan_own_kept(),
                1,
                "{what}: infra/'s own outcome kept"
            );
        }
        if *what == "terragrunt module" {
            assert!(ws.last_scan_own_kept() >= 1, "{what}: no own outcome kept");
        }
        // the files of the chunks scanned again are not parsed again, only
        // the changed one (a Kustomize input is read by its builds)
        assert!(
            ws.last_scan_parses() <= 1,
            "{what}: {} files parsed",
            ws.last_scan_parses()
        );
        if *most != usize::MAX {
            assert_eq!(scanned + reused, chunks, "{what}");
        }
        last = cached;
    }
    // a file read by `file()` changed on disk
    let acl = root.join("files/acl.txt");
    std::fs::write(&acl, "private\n").expect("write");
    ws.changed(&acl);
    let cached = summary(&ws.scan(&open).expect("scan").result);
    let full = summary(
        &Workspace::new(root.clone())
            .scan(&open)
            .expect("scan")
            .result,
    );
    assert_eq!(cached, full, "after file()");
    assert_ne!(cached, last, "the file read changed nothing");
    assert!(ws.last_scan_walked(), "a change on disk walks again");
    // its own directory's chunk (a file of no kind soclint reads) and infra/
    assert_eq!(ws.last_scan_work().0, 2);
    // a syntax error
    set("infra/main.tf", "bucket = \"x\"", "bucket = ")(&mut open);
    ws.changed(&root.join("infra/main.tf"));
    let cached = summary(&ws.scan(&open).expect("scan").result);
    let full = summary(
        &Workspace::new(root.clone())
            .scan(&open)
            .expect("scan")
            .result,
    );
    assert_eq!(cached, full, "after a syntax error");
    assert_eq!(ws.last_scan_work().0, 1, "infra/ alone");
    // a file created on disk unseen by the server (a client that does not
    // watch files), then opened: the folder is walked again and the file
    // scanned, as a full scan finds it
    let created = root.join("infra/created.tf");
    std::fs::write(
        &created,
        "resource \"aws_s3_bucket_acl\" \"late\" {\n  bucket = \"late\"\n  acl    = \"public-read\"\n}\n",
    )
    .expect("write");
    ws.edited(&root.join("infra/main.tf"));
    let unseen = ws.scan(&open).expect("scan");
    assert!(!unseen.found.contains("infra/created.tf"));
    ws.changed(&created);
    let opened = ws.scan(&open).expect("scan");
    assert!(ws.last_scan_walked());
    assert!(opened.found.contains("infra/created.tf"));
    let full = Workspace::new(root.clone()).scan(&open).expect("scan");
    assert_eq!(summary(&opened.result), summary(&full.result));
    assert!(
        opened
            .result
            .findings
            .iter()
            .any(|f| &*f.path == "infra/created.tf" && f.rule.id == "AWS-S3-001"),
        "{:?}",
        summary(&opened.result)
    );
}

/// Hover parameters at the start of a document (nothing there: answered
/// `null`), to see what the server published before answering.
fn nowhere(uri: &str) -> Value {
    json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}})
}

/// The URIs of the diagnostics published among `msgs`.
fn published_uris(msgs: &[Message]) -> Vec<String> {
    msgs.iter()
        .filter_map(|m| match m {
            Message::Notification(n) if n.method == "textDocument/publishDiagnostics" => {
                n.params["uri"].as_str().map(str::to_string)
            }
            _ => None,
        })
        .collect()
}

/// A client that offers UTF-8 gets byte columns, in diagnostics and in the
/// ranges of its changes; after a change, the changed document is published
/// (its version moved), another open document only when its diagnostics
/// changed (a variables file edited moves the finding its module shows).
#[test]
fn utf8_positions_and_only_changed_diagnostics_republished() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::write(
        root.join("soclint.toml"),
        "select = [\"AWS-S3-001\", \"K8S-CTR-001\"]\n",
    )
    .expect("write");
    std::fs::write(root.join("main.tf"), MAIN).expect("write");
    let tfvars = root.join("terraform.tfvars");
    std::fs::write(&tfvars, "acl = \"public-read\"\n").expect("write");
    let (mut c, init) = Client::start_with(
        root,
        json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}),
    );
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");

    // `😀` is four bytes: `true` starts at byte 70 of its line
    let pod_uri = uri(&root.join("pod.yaml"));
    let pod_text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: \"😀\", image: x, securityContext: {privileged: true}}]\n";
    c.open(&pod_uri, "yaml", pod_text);
    let d = c.diagnostics(&pod_uri);
    assert_eq!(places(&d), [("K8S-CTR-001".to_string(), 4, 70, 4, 74)]);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": pod_uri, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 4, "character": 70}, "end": {"line": 4, "character": 74}}, "text": "false"},
        ]}),
    );
    let d = c.diagnostics(&pod_uri);
    assert_eq!((d["version"].clone(), places(&d)), (json!(2), Vec::new()));

    let main_uri = uri(&root.join("main.tf"));
    let vars_uri = uri(&tfvars);
    c.open(&main_uri, "terraform", MAIN);
    c.open(&vars_uri, "terraform", "acl = \"public-read\"\n");
    let (msgs, _) = c.until_answered("textDocument/hover", nowhere(&pod_uri));
    let mut seen = published_uris(&msgs);
    seen.sort();
    let mut both = vec![main_uri.clone(), vars_uri.clone()];
    both.sort();
    assert_eq!(seen, both);

    // the pod changed: only it is published
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": pod_uri, "version": 3}, "contentChanges": [
            {"range": {"start": {"line": 4, "character": 70}, "end": {"line": 4, "character": 75}}, "text": "true"},
        ]}),
    );
    let (msgs, _) = c.until_answered("textDocument/hover", nowhere(&pod_uri));
    assert_eq!(published_uris(&msgs), [pod_uri.as_str()]);
    // the variables file changed: it, and main.tf where the value lands
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": vars_uri, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 0, "character": 7}, "end": {"line": 0, "character": 18}}, "text": "private"},
        ]}),
    );
    let (msgs, _) = c.until_answered("textDocument/hover", nowhere(&pod_uri));
    let mut seen = published_uris(&msgs);
    seen.sort();
    assert_eq!(seen, both);
    c.shutdown();
}

/// A client that can watch files is asked to (`client/registerCapability`
/// for `workspace/didChangeWatchedFiles`); a file changed on disk and
/// reported so moves the diagnostics of the open documents that read it,
/// although the server keeps the results of what did not change.
#[test]
fn files_changed_on_disk_are_watched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::write(root.join("soclint.toml"), "select = [\"AWS-S3-001\"]\n").expect("write");
    std::fs::write(root.join("main.tf"), MAIN).expect("write");
    let tfvars = root.join("terraform.tfvars");
    std::fs::write(&tfvars, "acl = \"public-read\"\n").expect("write");
    let (mut c, _) = Client::start_with(
        root,
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}),
    );
    let register = loop {
        if let Message::Request(r) = c.recv() {
            break r;
        }
    };
    assert_eq!(register.method, "client/registerCapability");
    assert_eq!(
        register.params["registrations"][0]["method"],
        "workspace/didChangeWatchedFiles"
    );
    assert_eq!(
        register.params["registrations"][0]["registerOptions"]["watchers"][0]["globPattern"],
        "**/*"
    );
    let main_uri = uri(&root.join("main.tf"));
    c.open(&main_uri, "terraform", MAIN);
    let d = c.diagnostics(&main_uri);
    assert_eq!(places(&d), [("AWS-S3-001".to_string(), 6, 11, 6, 18)]);
    // the variables file is changed by another program
    std::fs::write(&tfvars, "acl = \"private\"\n").expect("write");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&tfvars), "type": 2}]}),
    );
    let (msgs, _) = c.until_answered("textDocument/hover", nowhere(&main_uri));
    assert_eq!(published_uris(&msgs), [main_uri.as_str()]);
    let d = c.diagnostics_in(&msgs, &main_uri);
    assert_eq!(places(&d), []);
    // a file deleted: everything is scanned again (the value is the default)
    std::fs::remove_file(&tfvars).expect("remove");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&tfvars), "type": 3}]}),
    );
    let (msgs, _) = c.until_answered("textDocument/hover", nowhere(&main_uri));
    assert_eq!(published_uris(&msgs), Vec::<String>::new());
    c.shutdown();
}

/// terragoat's `aws_db_instance.default` (terraform/aws/db-app.tf), its
/// public access from a variable, and its `aws_iam_user_policy`
/// (terraform/aws/iam.tf) with the policy in a file read by `file()`, as
/// modules keep it; and one read through a directory that is a link out of
/// the workspace.
const DB_APP: &str = r#"variable "public" {
  default = false
}

resource "aws_db_instance" "default" {
  identifier              = "rds-app"
  engine                  = "mysql"
  instance_class          = "db.t3.micro"
  allocated_storage       = "20"
  username                = "admin"
  backup_retention_period = 0
  storage_encrypted       = false
  skip_final_snapshot     = true
  publicly_accessible     = var.public
}

resource "aws_iam_user_policy" "userpolicy" {
  name   = "excess_policy"
  user   = "app"
  policy = file("${path.module}/policy.json")
}

resource "aws_iam_user_policy" "linked" {
  name   = "linked_policy"
  user   = "app"
  policy = file("${path.module}/shared/policy.json")
}
"#;

const NARROW_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Action": ["s3:GetObject"],
      "Effect": "Allow",
      "Resource": "arn:aws:s3:::app-bucket/*"
    }
  ]
}
"#;

/// terragoat's `excess_policy`.
const EXCESS_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Action": [
        "ec2:*",
        "s3:*",
        "lambda:*",
        "cloudwatch:*"
      ],
      "Effect": "Allow",
      "Resource": "*"
    }
  ]
}
"#;

/// Terraform reads the open buffers of the files it reads besides the
/// edited one: an unsaved variables file and an unsaved file read by
/// `file()` move main.tf's diagnostics; a buffer outside the workspace, or
/// under a directory of it that is a link leading out, is not read.
#[test]
fn unsaved_variables_and_read_files_move_the_diagnostics() {
    let dir = tempfile::tempdir().expect("tempdir");
    let top = std::fs::canonicalize(dir.path()).expect("canonical");
    let root = top.join("ws");
    let outside = top.join("outside");
    std::fs::create_dir_all(&root).expect("mkdir");
    std::fs::create_dir_all(&outside).expect("mkdir");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, root.join("shared")).expect("symlink");
    std::fs::write(
        root.join("soclint.toml"),
        "select = [\"AWS-RDS-002\", \"IAM-RESOURCE-002\"]\n",
    )
    .expect("write");
    std::fs::write(root.join("main.tf"), DB_APP).expect("write");
    let tfvars = root.join("terraform.tfvars");
    std::fs::write(&tfvars, "public = false\n").expect("write");
    let policy = root.join("policy.json");
    std::fs::write(&policy, NARROW_POLICY).expect("write");
    let mut c = Client::start(&root);
    let main_uri = uri(&root.join("main.tf"));
    c.open(&main_uri, "terraform", DB_APP);
    let d = c.diagnostics(&main_uri);
    assert_eq!(places(&d), []);

    // the variables file, changed and not saved
    let vars_uri = uri(&tfvars);
    c.open(&vars_uri, "terraform", "public = false\n");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": vars_uri, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 0, "character": 9}, "end": {"line": 0, "character": 14}}, "text": "true"},
        ]}),
    );
    let (msgs, _) = c.until_answered("textDocument/hover", nowhere(&main_uri));
    let rds = ("AWS-RDS-002".to_string(), 13, 28, 13, 38);
    let d = c.diagnostics_in(&msgs, &main_uri);
    assert_eq!(places(&d), std::slice::from_ref(&rds));
    assert_eq!(
        d["diagnostics"][0]["relatedInformation"],
        json!([{
            "location": {"uri": vars_uri, "range": {"start": {"line": 0, "character": 9}, "end": {"line": 0, "character": 13}}},
            "message": "AWS-RDS-002 is reported here",
        }])
    );
    let d = c.diagnostics_in(&msgs, &vars_uri);
    assert_eq!(places(&d), [("AWS-RDS-002".to_string(), 0, 9, 0, 13)]);

    // the file `file()` reads, changed and not saved
    let policy_uri = uri(&policy);
    c.open(&policy_uri, "json", NARROW_POLICY);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": policy_uri, "version": 2}, "contentChanges": [
            {"text": EXCESS_POLICY},
        ]}),
    );
    let (msgs, _) = c.until_answered("textDocument/hover", nowhere(&main_uri));
    let iam = ("IAM-RESOURCE-002".to_string(), 19, 11, 19, 45);
    let d = c.diagnostics_in(&msgs, &main_uri);
    assert_eq!(places(&d), [iam.clone(), rds.clone()]);
    assert_eq!(
        d["diagnostics"][0]["message"],
        "statement `aws_iam_user_policy.userpolicy.policy.Statement[0]` allows `ec2:*` on every resource"
    );

    // buffers of the same text outside the workspace: by name, and through
    // the link
    let outside_uri = uri(&outside.join("policy.json"));
    c.open(&outside_uri, "json", EXCESS_POLICY);
    let linked_uri = uri(&root.join("shared/policy.json"));
    c.open(&linked_uri, "json", EXCESS_POLICY);
    let (msgs, _) = c.until_answered("textDocument/hover", nowhere(&main_uri));
    // main.tf's diagnostics are as they were: not published again
    assert_eq!(
        published_uris(&msgs),
        [outside_uri.as_str(), linked_uri.as_str()]
    );
    assert_eq!(
        c.diagnostics_in(&msgs, &outside_uri)["diagnostics"][0]["message"],
        "soclint did not check this file: it is outside the workspace folders"
    );
    assert_eq!(
        c.diagnostics_in(&msgs, &linked_uri)["diagnostics"][0]["message"],
        "soclint did not check this file: the scan did not reach it (an ignore file, a link, or a rule fixture directory)"
    );
    // the policy's buffer closed unsaved: the file on disk is read again
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": policy_uri}}),
    );
    let (msgs, _) = c.until_answered("textDocument/hover", nowhere(&main_uri));
    let d = c.diagnostics_in(&msgs, &main_uri);
    assert_eq!(places(&d), [rds]);
    c.shutdown();
}

/// Where a comment cannot go, the quick fix is a waiver in soclint.toml: a
/// JSON IAM policy (no comments) and a Markdown policy's first line (its
/// front matter opens there); a Markdown policy's body takes an HTML comment.
#[test]
fn suppressions_in_json_and_markdown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = std::fs::canonicalize(dir.path()).expect("canonical");
    let config = root.join("soclint.toml");
    std::fs::write(&config, "fail-on = \"low\"").expect("write");
    std::fs::create_dir_all(root.join("iam")).expect("mkdir");
    // a name a glob would read as a pattern, and a quote TOML must escape
    let policy = root.join("iam/admin[1]\".json");
    let json = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\n    \"Effect\": \"Allow\",\n    \"Action\": [\"*\"],\n    \"Resource\": [\"*\"]\n  }\n}\n";
    std::fs::write(&policy, json).expect("write");
    let md = root.join("policies/change-management.md");
    std::fs::create_dir_all(md.parent().expect("dir")).expect("mkdir");
    let text = std::fs::read_to_string(
        "fixtures/policy-document/DOC-CM-001/fail/policies/change-management.md",
    )
    .expect("fixture");
    std::fs::write(&md, &text).expect("write");
    let mut c = Client::start(&root);
    let u = uri(&policy);
    c.open(&u, "json", json);
    let d = c.diagnostics(&u);
    assert_eq!(
        places(&d)
            .iter()
            .filter(|p| p.0 == "IAM-ADMIN-001")
            .map(|p| p.1)
            .collect::<Vec<_>>(),
        [4]
    );
    let actions = c.code_actions(&u, 4, 0, "quickfix");
    let waiver = actions
        .as_array()
        .expect("actions")
        .iter()
        .find(|a| {
            a["title"] == "IAM-ADMIN-001: accept with a waiver in soclint.toml (give the reason)"
        })
        .unwrap_or_else(|| panic!("{actions:#}"));
    let edit = &waiver["edit"]["changes"][uri(&config)][0];
    assert_eq!(
        edit["range"],
        json!({"start": {"line": 0, "character": 15}, "end": {"line": 0, "character": 15}})
    );
    let block = edit["newText"].as_str().expect("text");
    let until = block.rsplit_once("expires = \"").expect(block).1;
    assert_eq!(
        block,
        format!(
            "\n\n[[waiver]]\nrule = \"IAM-ADMIN-001\"\npath = 'iam/admin[[]1[]]\".json'\nresource = \"policy.Statement[0]\"\nreason = \"\"\nexpires = \"{until}"
        )
    );
    // the waiver, given a reason, accepts the finding and no other
    let mut accepted = std::fs::read_to_string(&config).expect("read");
    accepted.push_str(&block.replace("reason = \"\"", "reason = \"break-glass\""));
    let accepted_path = dir.path().join("accepted.toml");
    std::fs::write(&accepted_path, &accepted).expect("write");
    assert_eq!(
        suppressed_by_check(&root, Some(&accepted_path)),
        ["IAM-ADMIN-001"]
    );

    // Markdown: the body takes an HTML comment above the finding's line
    let u = uri(&md);
    c.open(&u, "markdown", &text);
    let d = c.diagnostics(&u);
    assert!(
        places(&d).iter().any(|p| p.0 == "DOC-CM-001" && p.1 == 10),
        "{d:#}"
    );
    let actions = c.code_actions(&u, 10, 0, "quickfix");
    let comment = actions
        .as_array()
        .expect("actions")
        .iter()
        .find(|a| a["title"] == "DOC-CM-001: suppress DOC-CM-001 here (give the reason)")
        .unwrap_or_else(|| panic!("{actions:#}"));
    let edit = &comment["edit"]["changes"][&u][0];
    assert_eq!(
        edit["range"],
        json!({"start": {"line": 10, "character": 0}, "end": {"line": 10, "character": 0}})
    );
    let new = edit["newText"].as_str().expect("text");
    assert!(
        new.starts_with("<!-- soclint:ignore DOC-CM-001 reason=\"\" until=")
            && new.ends_with(" -->\n"),
        "{new}"
    );
    // applied, with a reason, it suppresses the finding
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    let given = new.replace("reason=\"\"", "reason=\"kept in the wiki\"");
    lines.insert(10, &given);
    std::fs::write(&md, lines.concat()).expect("write");
    assert_eq!(suppressed_by_check(&root, None), ["DOC-CM-001"]);
    c.shutdown();
}

/// The rule ids of the findings `soclint check` of `root` (with `config`)
/// reports as suppressed.
fn suppressed_by_check(root: &Path, config: Option<&Path>) -> Vec<String> {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_soclint"));
    cmd.arg("check").arg(root).args(["--format", "json"]);
    if let Some(c) = config {
        cmd.arg("--config").arg(c);
    }
    let out = cmd.output().expect("run");
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    report["suppressed"]
        .as_array()
        .unwrap_or_else(|| panic!("{report:#}"))
        .iter()
        .map(|f| f["rule_id"].as_str().expect("id").to_string())
        .collect()
}

/// Without a soclint.toml the waiver goes into a new one, when the client
/// creates files through workspace edits; a client that cannot gets none.
#[test]
fn a_waiver_creates_the_config_when_there_is_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = std::fs::canonicalize(dir.path()).expect("canonical");
    let policy = root.join("admin.json");
    let json = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\n    \"Effect\": \"Allow\",\n    \"Action\": \"*\",\n    \"Resource\": \"*\"\n  }\n}\n";
    std::fs::write(&policy, json).expect("write");
    let u = uri(&policy);
    let config = uri(&root.join("soclint.toml"));
    let waivers = |c: &mut Client| -> Vec<Value> {
        c.open(&u, "json", json);
        let d = c.diagnostics(&u);
        assert_eq!(codes(&d), ["IAM-ADMIN-001"], "{d:#}");
        let actions = c.code_actions(&u, 4, 0, "quickfix");
        actions
            .as_array()
            .expect("actions")
            .iter()
            .filter(|a| a["title"].as_str().is_some_and(|t| t.contains("waiver")))
            .cloned()
            .collect()
    };
    let (mut c, _) = Client::start_with(
        &root,
        json!({"workspace": {"workspaceEdit": {"documentChanges": true, "resourceOperations": ["create"]}}}),
    );
    let found = waivers(&mut c);
    c.shutdown();
    assert_eq!(found.len(), 1, "{found:#?}");
    let ops = &found[0]["edit"]["documentChanges"];
    assert_eq!(
        ops[0],
        json!({"kind": "create", "uri": config, "options": {"overwrite": false, "ignoreIfExists": false}})
    );
    assert_eq!(
        ops[1]["textDocument"],
        json!({"uri": config, "version": null})
    );
    let text = ops[1]["edits"][0]["newText"].as_str().expect("text");
    assert!(
        text.starts_with("[[waiver]]\nrule = \"IAM-ADMIN-001\"\npath = \"admin.json\"\n"),
        "{text}"
    );
    assert_eq!(
        ops[1]["edits"][0]["range"],
        json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}})
    );
    // a client that creates no files is offered no waiver
    let mut c = Client::start(&root);
    assert!(waivers(&mut c).is_empty());
    c.shutdown();
}
