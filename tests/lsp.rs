//! `soclint lsp` driven over JSON-RPC, in-process (the server on a thread,
//! the test as the client): initialize, didOpen, publishDiagnostics with
//! exact ranges, didChange, didClose, shutdown.
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
                "capabilities": {},
                "workspaceFolders": [{"uri": uri(root), "name": "ws"}],
            }),
        );
        assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
        assert_eq!(init["capabilities"]["textDocumentSync"]["change"], 1);
        c.notify("initialized", json!({}));
        c
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
    let actions = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": u},
            "range": {"start": {"line": 4, "character": 0}, "end": {"line": 4, "character": 0}},
            "context": {"diagnostics": []},
        }),
    );
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
    let actions = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": u},
            "range": {"start": {"line": 0, "character": 3}, "end": {"line": 0, "character": 3}},
            "context": {"diagnostics": []},
        }),
    );
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

    // the fix typed in: that finding goes, the others stay
    let fixed = DB.replace("publicly_accessible = true", "publicly_accessible = false");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    let d2 = c.diagnostics(&u);
    assert_eq!(d2["version"], 2);
    assert!(!codes(&d2).contains(&"AWS-RDS-002".to_string()));
    assert_eq!(codes(&d2).len(), all.len() - 1);

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
/// server answers in order and exits 0; a file outside the workspace folder
/// is not read and says why.
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
    let main_d = published
        .iter()
        .find(|m| m["params"]["uri"] == uri(&main).as_str())
        .expect("main published");
    assert_eq!(main_d["params"]["version"], 3);
    assert!(places(&main_d["params"]).contains(&("AWS-RDS-002".to_string(), 4, 24, 4, 28)));
    assert_eq!(msgs.last().expect("last")["id"], 2);
}
