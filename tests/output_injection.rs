//! What a pull request puts in file names, resource names, values, rule files
//! and git metadata cannot drive what reads soclint's output: the terminal,
//! the GitHub Actions runner (workflow commands), a Markdown renderer (links,
//! images, HTML, mentions), an XML parser or a browser. Each test names the
//! red-team finding it reproduces (`../shared/security/FINDINGS.md`) or is an
//! attack of the same class; outputs are compared byte for byte.
use std::path::Path;

use assert_cmd::Command;

/// Runs soclint in `dir`; (exit code, stdout, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(dir)
        .env("SOCLINT_TODAY", "2026-11-25")
        .env("SOCLINT_NOW", "2026-11-25T09:30:00Z")
        .env_remove("GITHUB_SHA")
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(dir: &Path, rel: &str, text: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// The human report without its timing line.
fn untimed(out: &str) -> String {
    out.lines()
        .filter(|l| !l.starts_with("Finished in"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// No line a GitHub runner would execute: `::` after leading white space,
/// or the older `##[` anywhere.
fn assert_no_workflow_command(out: &str) {
    for line in out.lines() {
        assert!(
            !line.trim_start().starts_with("::"),
            "command line: {line:?}"
        );
        assert!(!line.contains("##["), "v1 command: {line:?}");
        assert!(!line.contains('\x1b'), "escape sequence: {line:?}");
    }
}

/// A pod whose name carries workflow commands, Markdown, HTML, a mention and
/// an OSC escape (`FINDINGS` 1.2, 1.3, 1.11; the YAML `\e` and `\a` escapes).
const HOSTILE_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"web\\n::add-mask::CRITICAL\\n::error file=main.tf,line=1,title=Approved::ok @security\\n![x](https://evil.example/p.gif) [approve](https://evil.example) <img src=x> ##[warning]v1 \\e]0;T\\a\"\nspec:\n  containers:\n    - name: c\n      image: nginx:latest\n";

/// The name as every text format shows it: each control visible.
const SHOWN_NAME: &str = "web\\n::add-mask::CRITICAL\\n::error file=main.tf,line=1,title=Approved::ok @security\\n![x](https://evil.example/p.gif) [approve](https://evil.example) <img src=x> ##[warning]v1 \\x1b]0;T\\x07";

/// The hostile pod checked for its unpinned image in `format`.
fn hostile_pod(format: &str) -> (i32, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "pod.yaml", HOSTILE_POD.as_bytes());
    let (code, out, _) = run(
        dir.path(),
        &[
            "check",
            "pod.yaml",
            "--select",
            "K8S-CTR-008",
            "--format",
            format,
        ],
    );
    (code, out)
}

#[test]
fn v18_compact_output_has_no_workflow_command_m2() {
    let (code, out) = hostile_pod("compact");
    assert_eq!(code, 1);
    let name = SHOWN_NAME.replace("##[", "##\\[");
    assert_eq!(
        out,
        format!(
            "pod.yaml:8:14: MEDIUM K8S-CTR-008 [CC6.8,CC8.1] container `Pod/{name}/c` uses the unpinned image `nginx:latest`\n"
        )
    );
    assert_no_workflow_command(&out);
}

#[test]
fn v18_human_output_has_no_workflow_command_m2_l2() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "pod.yaml", HOSTILE_POD.as_bytes());
    let (code, out, _) = run(dir.path(), &["check", "pod.yaml", "--select", "K8S"]);
    assert_eq!(code, 1);
    assert_no_workflow_command(&out);
    // the snippet of the name's own line: `\n`, `\e` and `\a` as written in
    // the YAML (they are escapes in the file, shown as they are)
    assert!(
        out.contains(" 4 │   name: \"web\\n::add-mask::CRITICAL\\n"),
        "{out}"
    );
}

#[test]
fn v18_escape_sequences_in_snippets_are_shown_not_run_l2() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "esc.tf",
        b"resource \"aws_s3_bucket_acl\" \"x\" {\n  # \x1b]0;PWNED\x07\x1b[2K\x1b[1A\n  acl = /*\x1b[31m\xe2\x80\xae*/ \"public-read\"\n}\n",
    );
    let (code, out, _) = run(dir.path(), &["check", "esc.tf", "--select", "AWS-S3-001"]);
    assert_eq!(code, 1);
    assert_eq!(
        untimed(&out),
        "── critical (1 finding) ──

AWS-S3-001

  × critical S3 bucket ACL does not grant public access [CC6.1 · CC6.6]
   ╭─[esc.tf:3:20]
 2 │   # \\x1b]0;PWNED\\x07\\x1b[2K\\x1b[1A
 3 │   acl = /*\\x1b[31m\\u{202e}*/ \"public-read\"
   ·                              ──────┬──────
   ·                                    ╰── bucket ACL `public-read` makes `aws_s3_bucket_acl.x` readable by anyone
 4 │ }
   ╰────
  help: Remove the public ACL (use `private`) and grant access through IAM or bucket policies
        scoped to known principals.

Scanned 1 file (4 lines, 1 resource) with 1 rule: 1 finding, 0 files not parsed.
Categories in scope: security.
By severity: critical 1
By criterion: CC6.1 1, CC6.6 1
"
    );
}

#[test]
fn v18_markdown_renders_names_as_text_m3() {
    let (_, out) = hostile_pod("markdown");
    let row = out
        .lines()
        .find(|l| l.starts_with("| medium | `"))
        .expect("finding row");
    assert_eq!(
        row,
        "| medium | `K8S-CTR-008` | CC6.8 · CC8.1 | `pod.yaml:8` | container \\`Pod/web\\n\\:\\:add-mask\\:\\:CRITICAL\\n\\:\\:error file=main.tf,line=1,title=Approved\\:\\:ok `@`security\\n\\!\\[x\\]\\(https\\://evil.example/p.gif\\) \\[approve\\]\\(https\\://evil.example\\) \\<img src=x\\> \\#\\#\\[warning\\]v1 \\x1b\\]0;T\\x07/c\\` uses the unpinned image \\`nginx\\:latest\\` |"
    );
}

#[test]
fn v18_markdown_file_names_cannot_add_blocks_m3() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "zz\n\n## soclint: no findings\n<!--\n.tf",
        b"resource \"x\" \"y\" {\n a = \n",
    );
    let (code, out, _) = run(dir.path(), &["check", ".", "--format", "markdown"]);
    assert_eq!(code, 1);
    let tail = &out[out.find("### Files not parsed").expect("section")..];
    assert_eq!(
        tail,
        "### Files not parsed\n\n- `zz\\n\\n## soclint: no findings\\n<!--\\n.tf:2`: invalid expression; expected \\`\"\\`, \\`\\[\\`, \\`{\\`, \\`-\\`, \\`\\!\\`, \\`\\(\\`, \\`\\_\\`, \\`\\<\\`, letter or digit\n"
    );
    // one heading: the name's is text inside a code span
    assert_eq!(
        out.lines().filter(|l| l.starts_with("## ")).count(),
        1,
        "{out}"
    );
}

#[test]
fn v18_junit_is_well_formed_xml_l1() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"p\\uFFFE\\uFFFF\\x01<&>\"\nspec:\n  containers:\n    - name: c\n      image: nginx:latest\n"
            .as_bytes(),
    );
    let (_, out, _) = run(
        dir.path(),
        &[
            "check",
            "pod.yaml",
            "--select",
            "K8S-CTR-008",
            "--format",
            "junit",
        ],
    );
    assert!(!out.contains(['\u{fffe}', '\u{ffff}', '\x01']), "{out}");
    let failure = out
        .lines()
        .find(|l| l.contains("<failure"))
        .expect("failure");
    assert_eq!(
        failure,
        "      <failure message=\"Container image is pinned to a version tag or digest [CC6.8, CC8.1] 1 finding: medium\" type=\"medium\">pod.yaml:8:14: container `Pod/p\\u{fffe}\\u{ffff}\\x01&lt;&amp;&gt;/c` uses the unpinned image `nginx:latest`"
    );
}

#[test]
fn v07_html_report_links_are_relative_and_scripts_cannot_run_m1() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "javascript:alert(document.domain)<!--/main.tf",
        b"resource \"aws_s3_bucket_acl\" \"x\" {\n  acl = \"public-read\"\n}\n",
    );
    let (code, _, err) = run(dir.path(), &["report", ".", "-o", "evidence.html"]);
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(dir.path().join("evidence.html")).expect("report");
    assert!(!html.contains("href=\"javascript"), "scheme link");
    assert!(html.contains(
        "<a href=\"./javascript%3Aalert%28document.domain%29%3C%21--/main.tf#L2\">javascript:alert(document.domain)&lt;!--/main.tf:2</a>"
    ));
    assert!(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">"));
    // every link is one soclint built: to a section or a relative file
    for href in html.split("href=\"").skip(1) {
        assert!(
            href.starts_with(['#', '.']),
            "{}",
            &href[..40.min(href.len())]
        );
    }
}

#[test]
fn l3_hand_edited_history_cannot_inject_into_the_markdown_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "main.tf", b"locals {}\n");
    write(
        dir.path(),
        "h.jsonl",
        b"{\"time\":\"2026-01-01T00:00:00.\\n\\n<img src=https://evil.example/x.png> [phish](https://evil.example)Z\",\"ruleset\":\"x\",\"criteria\":{\"CC6.1\":[1,0]}}\n",
    );
    let (code, out, _) = run(
        dir.path(),
        &[
            "report",
            ".",
            "--format",
            "markdown",
            "--history",
            "h.jsonl",
        ],
    );
    assert_eq!(code, 0);
    assert!(
        out.contains("\n2 runs, 2026-01-01T00:00:00Z to 2026-11-25T09:30:00Z."),
        "{out}"
    );
    assert!(!out.contains("evil.example"), "{out}");
}

#[test]
fn l4_odd_bytes_and_times_in_a_history_file_do_not_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "main.tf", b"locals {}\n");
    write(
        dir.path(),
        "h.jsonl",
        "{\"time\":\"2026-01-01T00:00:00Z\",\"commit\":\"aéééééééééé\",\"ruleset\":\"x\",\"criteria\":{\"CC6.1\":[1,0]}}\n{\"time\":\"         \u{3000} 2026-01-02T00:00:00Z\",\"ruleset\":\"x\",\"criteria\":{\"CC6.1\":[1,0]}}\n"
            .as_bytes(),
    );
    let (code, _, err) = run(
        dir.path(),
        &["report", ".", "--history", "h.jsonl", "-o", "r.html"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        err,
        "note: h.jsonl: line 1: commit is not a hexadecimal id; run kept without it\n"
    );
    let html = std::fs::read_to_string(dir.path().join("r.html")).expect("report");
    assert!(html.contains("<p class=\"warn\">1 problem reading the history file: line 1: commit is not a hexadecimal id; run kept without it.</p>"));
    assert!(html.contains("<title>2026-01-02T00:00:00Z: no exceptions</title>"));
}

#[test]
fn v17_a_torn_history_line_is_skipped_and_the_next_run_starts_a_new_line_m15() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "main.tf", b"locals {}\n");
    let good =
        "{\"time\":\"2026-01-01T00:00:00Z\",\"ruleset\":\"x\",\"criteria\":{\"CC6.1\":[1,0]}}";
    // a run killed half-way through its line
    write(
        dir.path(),
        "h.jsonl",
        format!("{good}\n{{\"time\":\"2026-01-02T00:00:00Z\",\"rule").as_bytes(),
    );
    let (code, _, err) = run(
        dir.path(),
        &[
            "report",
            ".",
            "--append-history",
            "h.jsonl",
            "-o",
            "/dev/null",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(dir.path().join("h.jsonl")).expect("history");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(lines[1], "{\"time\":\"2026-01-02T00:00:00Z\",\"rule");
    assert!(lines[2].starts_with("{\"time\":\"2026-11-25T09:30:00Z\""));
    assert!(text.ends_with("}\n"));
    let (code, out, err) = run(
        dir.path(),
        &["report", ".", "--format", "json", "--history", "h.jsonl"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        err,
        "note: h.jsonl: line 2: EOF while parsing a string at line 1 column 36; line left out\n"
    );
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    // the two whole lines, and this run
    assert_eq!(v["history"]["runs"].as_array().expect("runs").len(), 3);
    assert_eq!(
        v["history"]["problems"][0],
        "line 2: EOF while parsing a string at line 1 column 36; line left out"
    );
}

// Attacks of the same classes beyond the red-team report.

const PUBLIC_ACL: &[u8] = b"resource \"aws_s3_bucket_acl\" \"x\" {\n  acl = \"public-read\"\n}\n";

/// A path starts each compact line: a file named like a workflow command
/// (also behind an ideographic space, which the runner trims) would be one.
#[test]
fn a_file_name_cannot_start_a_workflow_command_in_compact_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "::error title=Approved::pwned.tf", PUBLIC_ACL);
    write(dir.path(), "\u{3000}::add-mask::x.tf", PUBLIC_ACL);
    let (_, out, _) = run(
        dir.path(),
        &[
            "check",
            ".",
            "--select",
            "AWS-S3-001",
            "--format",
            "compact",
        ],
    );
    assert_eq!(
        out,
        "\\::error title=Approved::pwned.tf:2:9: CRITICAL AWS-S3-001 [CC6.1,CC6.6] bucket ACL `public-read` makes `aws_s3_bucket_acl.x` readable by anyone\n\
         \u{3000}\\::add-mask::x.tf:2:9: CRITICAL AWS-S3-001 [CC6.1,CC6.6] bucket ACL `public-read` makes `aws_s3_bucket_acl.x` readable by anyone\n"
    );
}

/// The runner also reads the older `##[command]` syntax anywhere in a line,
/// for instance in a snippet's context line.
#[test]
fn the_older_workflow_command_syntax_is_neutralised_anywhere_in_a_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "v1.tf",
        b"resource \"aws_s3_bucket_acl\" \"x\" {\n  # ##[add-mask]hunter2\n  acl = \"public-read\"\n}\n",
    );
    let (_, out, _) = run(dir.path(), &["check", "v1.tf", "--select", "AWS-S3-001"]);
    assert_no_workflow_command(&out);
    assert!(out.contains("\n 2 │   # ##\\[add-mask]hunter2\n"), "{out}");
}

/// A repository's own rule files are as untrusted as its other files: their
/// title reaches the terminal, their text the Markdown that code scanning
/// renders, their first reference the rule's help link.
#[test]
fn rule_text_from_the_repositorys_own_rule_files_is_escaped() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "rules/own.toml",
        br#"[[rule]]
id = "OWN-001"
title = "Buckets are private \u001b]0;PWNED\u0007![badge](https://evil.example/b.svg) @security-team"
severity = "high"
criteria = ["CC6.1"]
target = "terraform"
resources = ["aws_s3_bucket"]
message = "bucket `{resource}` has ACL `{value}`"
rationale = "See [the wiki](https://evil.example/phish) <img src=x onerror=alert(1)>."
remediation = "Review it."
references = ["javascript:alert(1)", "https://example.com/ok"]
assert = { path = "acl", not_in = ["public-read"] }
"#,
    );
    write(dir.path(), "soclint.toml", b"rules = [\"rules\"]\n");
    write(
        dir.path(),
        "main.tf",
        b"resource \"aws_s3_bucket\" \"b\" {\n  acl = \"public-read\"\n}\n",
    );
    let (_, human, _) = run(dir.path(), &["check", ".", "--select", "OWN"]);
    assert_no_workflow_command(&human);
    assert!(human.contains(
        "  × high Buckets are private \\x1b]0;PWNED\\x07![badge](https://evil.example/b.svg) @security-team\n"
    ), "{human}");
    let (_, sarif, _) = run(
        dir.path(),
        &["check", ".", "--select", "OWN", "--format", "sarif"],
    );
    let v: serde_json::Value = serde_json::from_str(&sarif).expect("sarif");
    let rule = &v["runs"][0]["tool"]["driver"]["rules"][0];
    assert_eq!(
        rule["help"]["markdown"],
        "**Buckets are private \\x1b\\]0;PWNED\\x07\\!\\[badge\\]\\(https\\://evil.example/b.svg\\) `@`security-team** (high; Trust Services Criteria CC6.1)\n\nSee \\[the wiki\\]\\(https\\://evil.example/phish\\) \\<img src=x onerror=alert\\(1\\)\\>.\n\n**Remediation:** Review it.\n\n**References:**\n\n- javascript\\:alert\\(1\\)\n- <https://example.com/ok>"
    );
    assert_eq!(rule["helpUri"], "https://example.invalid/soclint");
}

/// Attribute values lose tab and newline to attribute-value normalisation
/// unless written as character references: the `file` attribute keeps the
/// exact name, the shown `name` its visible form.
#[test]
fn junit_attribute_values_keep_the_exact_file_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "a\tb\nc.tf", PUBLIC_ACL);
    let (_, out, _) = run(
        dir.path(),
        &["check", ".", "--select", "AWS-S3-001", "--format", "junit"],
    );
    assert!(out.contains(
        "    <testcase classname=\"AWS-S3-001\" name=\"AWS-S3-001 a&#9;b\\nc.tf\" file=\"a&#9;b&#10;c.tf\">\n"
    ), "{out}");
}

/// GitHub shows annotation titles and messages (and colours ANSI sequences
/// in logs): escapes are shown; the `file` property still names the file.
#[test]
fn github_annotations_show_escapes_and_name_the_exact_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "a,b:c.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"p\\e[2K\\u202e\"\nspec:\n  containers:\n    - name: c\n      image: nginx:latest\n",
    );
    let (_, out, _) = run(
        dir.path(),
        &[
            "check",
            ".",
            "--select",
            "K8S-CTR-008",
            "--format",
            "github",
        ],
    );
    assert_eq!(
        out.lines().next().expect("annotation"),
        "::warning file=a%2Cb%3Ac.yaml,line=8,col=14,endLine=8,endColumn=26,title=K8S-CTR-008 Container image is pinned to a version tag or digest [CC6.8%2C CC8.1]::container `Pod/p\\x1b[2K\\u{202e}/c` uses the unpinned image `nginx:latest`%0AReference an immutable version tag (e.g. `app:1.4.2`) or, better, a digest (`app@sha256:…`)."
    );
}

/// A bidirectional override reorders what an auditor reads in the evidence
/// report; it is shown as an escape in HTML and Markdown.
#[test]
fn bidirectional_overrides_are_shown_in_the_evidence_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"ok\u{202e}lanigiro\"\nspec:\n  containers:\n    - name: c\n      image: nginx:latest\n"
            .as_bytes(),
    );
    let (_, html, _) = run(dir.path(), &["report", "."]);
    assert!(!html.contains('\u{202e}'));
    assert!(
        html.contains("<span class=\"muted\">Pod/ok\\u{202e}lanigiro/c</span>"),
        "{html}"
    );
    let (_, md, _) = run(dir.path(), &["report", ".", "--format", "markdown"]);
    assert!(!md.contains('\u{202e}'));
    assert!(md.contains("`Pod/ok\\u{202e}lanigiro/c`"), "{md}");
}

/// The branch (from `.git/HEAD`) and entries of a baseline file come from
/// the repository too.
#[test]
fn git_metadata_and_baseline_entries_render_as_text_in_markdown() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "main.tf", b"locals {}\n");
    write(
        dir.path(),
        ".git/HEAD",
        b"ref: refs/heads/<img src=x onerror=alert(1)>@team|x\n",
    );
    write(
        dir.path(),
        "b.json",
        br#"{"version": 1, "findings": [{"fingerprint": "0", "rule_id": "X](https://evil.example)", "path": "a`b` [c](https://evil.example)", "resource": "<img src=x> @team", "message": "m"}]}"#,
    );
    let (_, md, _) = run(dir.path(), &["report", ".", "--format", "markdown"]);
    assert!(
        md.contains("\n| Branch | `<img src=x onerror=alert(1)>@team\\|x` |\n"),
        "{md}"
    );
    let (_, md, _) = run(
        dir.path(),
        &["check", ".", "--baseline", "b.json", "--format", "markdown"],
    );
    assert!(md.ends_with(
        "### Fixed since the baseline\n\n- `X](https://evil.example)` ``a`b` [c](https://evil.example)`` \\<img src=x\\> `@`team\n"
    ), "{md}");
}

/// A Helm chart's values reach findings (the value is reported at its line
/// in `values.yaml`): workflow commands, Markdown, HTML, an OSC escape and a
/// bidirectional override in a value stay text in compact, Markdown, JUnit
/// and GitHub output.
#[test]
fn helm_values_cannot_inject_into_any_check_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "chart/Chart.yaml",
        b"apiVersion: v2\nname: web\nversion: 0.1.0\n",
    );
    write(
        d,
        "chart/values.yaml",
        b"image: \"nginx:latest\\n::error file=x::approved ![x](https://evil.example/a.png) <img src=x> \\u001b]0;PWN\\u0007 \\u202e\"\n",
    );
    write(
        d,
        "chart/templates/pod.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: c\n      image: {{ .Values.image | quote }}\n",
    );
    let out = |format: &str| {
        let (code, out, err) = run(
            d,
            &["check", ".", "--select", "K8S-CTR-008", "--format", format],
        );
        assert_eq!(code, 1, "{err}");
        assert!(!out.contains(['\x1b', '\u{202e}']), "{format}: {out}");
        out
    };
    let image = "nginx:latest\\n::error file=x::approved ![x](https://evil.example/a.png) <img src=x> \\x1b]0;PWN\\x07 \\u{202e}";
    assert_eq!(
        out("compact"),
        format!("chart/values.yaml:1:8: MEDIUM K8S-CTR-008 [CC6.8,CC8.1] container `Pod/web/c` uses the unpinned image `{image}` (rendered at chart/templates/pod.yaml@helm:8:14)\n")
    );
    assert!(out("markdown").contains(
        "| medium | `K8S-CTR-008` | CC6.8 · CC8.1 | `chart/values.yaml:1` | container \\`Pod/web/c\\` uses the unpinned image \\`nginx\\:latest\\n\\:\\:error file=x\\:\\:approved \\!\\[x\\]\\(https\\://evil.example/a.png\\) \\<img src=x\\> \\x1b\\]0;PWN\\x07 \\u{202e}\\` |\n"
    ));
    assert!(out("junit").contains(&format!(
        "type=\"medium\">chart/values.yaml:1:8: container `Pod/web/c` uses the unpinned image `{}`\n",
        image.replace('<', "&lt;").replace('>', "&gt;")
    )));
    let github = out("github");
    assert_eq!(github.lines().filter(|l| l.starts_with("::")).count(), 1);
    assert_no_workflow_command(&github.lines().skip(1).collect::<Vec<_>>().join("\n"));
}

/// A repository's own rule file writes XML and HTML into its title and
/// message (closing the failure, forging a test case, a script, a
/// `javascript:` link) and characters XML forbids: JUnit stays one
/// well-formed test case, the evidence report runs nothing and links only
/// where soclint links.
#[test]
fn rule_text_cannot_forge_junit_test_cases_or_html_links() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "rules/own.toml",
        br#"[[rule]]
id = "OWN-001"
title = "Private ]]></failure></testcase><testcase name=\"forged\"/><script>alert(1)</script> \uFFFF"
severity = "high"
criteria = ["CC6.1"]
target = "terraform"
resources = ["aws_s3_bucket"]
message = "bucket `{resource}` </failure> <a href=\"javascript:alert(1)\">x</a>"
rationale = "r"
remediation = "See [x](javascript:alert(2))"
references = ["javascript:alert(3)", "https://example.com/ok"]
assert = { path = "acl", not_in = ["public-read"] }
"#,
    );
    write(d, "soclint.toml", b"rules = [\"rules\"]\n");
    write(
        d,
        "main.tf",
        b"resource \"aws_s3_bucket\" \"b\" {\n  acl = \"public-read\"\n}\n",
    );
    let (_, junit, _) = run(d, &["check", ".", "--select", "OWN", "--format", "junit"]);
    assert!(!junit.contains('\u{ffff}'), "{junit}");
    assert_eq!(junit.matches("<testcase ").count(), 1, "{junit}");
    assert_eq!(junit.matches("</failure>").count(), 1, "{junit}");
    assert!(junit.contains(
        "<failure message=\"Private ]]&gt;&lt;/failure&gt;&lt;/testcase&gt;&lt;testcase name=&quot;forged&quot;/&gt;&lt;script&gt;alert(1)&lt;/script&gt; \\u{ffff} [CC6.1] 1 finding: high\" type=\"high\">main.tf:2:9: bucket `aws_s3_bucket.b` &lt;/failure&gt; &lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;\n"
    ), "{junit}");
    let (code, _, err) = run(d, &["report", ".", "-o", "evidence.html"]);
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(d.join("evidence.html")).expect("report");
    assert!(!html.contains("<script"), "script element");
    assert!(html.contains("Private ]]&gt;&lt;/failure&gt;&lt;/testcase&gt;&lt;testcase name=&quot;forged&quot;/&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    for href in html.split("href=\"").skip(1) {
        assert!(
            href.starts_with(['#', '.']),
            "{}",
            &href[..40.min(href.len())]
        );
    }
}

/// A right-to-left override in a file name reorders what a reviewer reads
/// (`a` U+202E `gpj.tf` reads as a `.jpg`): the check formats a person reads
/// show it as an escape.
#[test]
fn bidirectional_overrides_in_file_names_are_shown_in_check_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "a\u{202e}gpj.tf", PUBLIC_ACL);
    let check = |format: &str| {
        let (code, out, _) = run(
            dir.path(),
            &["check", ".", "--select", "AWS-S3-001", "--format", format],
        );
        assert_eq!(code, 1);
        out
    };
    assert_eq!(
        check("compact"),
        "a\\u{202e}gpj.tf:2:9: CRITICAL AWS-S3-001 [CC6.1,CC6.6] bucket ACL `public-read` makes `aws_s3_bucket_acl.x` readable by anyone\n"
    );
    for format in ["human", "markdown"] {
        let out = check(format);
        assert!(!out.contains('\u{202e}'), "{format}: {out}");
        assert!(out.contains("a\\u{202e}gpj.tf"), "{format}: {out}");
    }
}
