//! The command-line conventions a new user expects: `explain` takes a
//! criterion or a Checkov id as well as a rule id, shell completions and man
//! pages come from the clap definitions.
use std::path::Path;

use assert_cmd::Command;

/// `soclint ARGS` in an empty temporary directory: exit code, stdout, stderr.
fn soclint(args: &[&str]) -> (i32, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(dir.path())
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn explain_a_checkov_id_lists_the_rules_that_cover_it() {
    let expected = "CKV_AWS_20: a Checkov check\n\
                    \n\
                    Rules that cover it (2):\n  \
                    AWS-S3-001  critical  S3 bucket ACL does not grant public access\n  \
                    CFN-S3-005  critical  S3 bucket ACL does not grant public access\n\
                    \n\
                    `soclint explain RULE-ID` shows a rule in full.\n";
    assert_eq!(
        soclint(&["explain", "CKV_AWS_20"]),
        (0, expected.into(), String::new())
    );
    // Checkov ids are upper case; a lower-case one is the same check
    assert_eq!(soclint(&["explain", "ckv_aws_20"]).1, expected);
}

#[test]
fn explain_a_criterion_lists_the_rules_that_test_it() {
    assert_eq!(
        soclint(&["explain", "P4.3"]),
        (
            0,
            "P4.3: Personal information is disposed of securely.\n\
             Area: Privacy\n\
             \n\
             Rules that test it (2):\n  \
             AWS-S3-007   low       S3 bucket has a lifecycle rule that expires objects\n  \
             DOC-REQ-008  high      Data retention and disposal policy is kept in the repository\n\
             \n\
             `soclint explain RULE-ID` shows a rule in full.\n"
                .into(),
            String::new()
        )
    );
    // CC6.1: as many rules listed as `soclint rules --criteria CC6.1` has
    let (code, out, _) = soclint(&["explain", "CC6.1"]);
    assert_eq!(code, 0);
    let listed: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("Rules that test it"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .map(|l| l.split_whitespace().next().expect("id"))
        .collect();
    let (_, table, _) = soclint(&["rules", "--criteria", "CC6.1", "--format", "json"]);
    let rules: serde_json::Value = serde_json::from_str(&table).expect("json");
    let mut ids: Vec<&str> = rules
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    ids.sort();
    assert!(ids.len() > 50, "{}", ids.len());
    assert_eq!(listed, ids);
    assert!(out.starts_with("CC6.1: Logical access security"), "{out}");
    assert!(out.contains(&format!("Rules that test it ({}):", ids.len())));
    // a family
    let (_, out, _) = soclint(&["explain", "CC9"]);
    assert!(
        out.starts_with("CC9: a family of criteria\n  CC9.1  Risks from business disruption are identified and mitigated.\n  CC9.2  "),
        "{out}"
    );
}

#[test]
fn explain_of_nothing_known_names_the_nearest() {
    let (code, out, err) = soclint(&["explain", "CKV-AWS-20"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(
        err.replace("\n  │ ", " "),
        "  × `CKV-AWS-20` is not a rule id, a criterion or a Checkov id a rule covers (`soclint rules` lists the rules); did you mean `CKV_AWS_20`?\n\n"
    );
}

/// The bash script is valid bash and completes `check`'s flags (run through
/// bash's own completion entry point); zsh and fish scripts name soclint.
#[test]
fn completions_come_from_the_flag_definitions() {
    let (code, bash, _) = soclint(&["completions", "bash"]);
    assert_eq!(code, 0);
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("soclint.bash");
    std::fs::write(&script, &bash).expect("write");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {}; COMP_WORDS=(soclint check --sta); COMP_CWORD=2; _soclint soclint --sta check; echo \"${{COMPREPLY[@]}}\"",
            script.display()
        ))
        .output()
        .expect("bash runs");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "--statistics\n");
    let (code, zsh, _) = soclint(&["completions", "zsh"]);
    assert_eq!(code, 0);
    assert!(zsh.starts_with("#compdef soclint\n"), "{zsh}");
    assert!(
        zsh.contains("'--exit-zero[Exit 0 even when findings fail the run"),
        "{zsh}"
    );
    let (code, fish, _) = soclint(&["completions", "fish"]);
    assert_eq!(code, 0);
    assert!(
        fish.contains("complete -c soclint -n \"__fish_soclint_using_subcommand check\" -l sort"),
        "{fish}"
    );
    let (code, _, err) = soclint(&["completions", "tcsh"]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid value 'tcsh'"), "{err}");
}

/// `soclint man` and `soclint man check` are roff pages groff renders
/// without a warning (`-k`: UTF-8 input, as `man` reads it), carrying the
/// options.
#[test]
fn man_pages_render() {
    let (code, page, _) = soclint(&["man"]);
    assert_eq!(code, 0);
    assert!(page.contains(".TH soclint 1 "), "{page}");
    assert!(page.contains("soclint\\-check(1)"), "{page}");
    let (code, check, _) = soclint(&["man", "check"]);
    assert_eq!(code, 0);
    assert!(check.contains(".TH soclint-check 1 "), "{check}");
    assert!(check.contains("\\fB\\-\\-exit\\-zero\\fR"), "{check}");
    if Path::new("/usr/bin/groff").exists() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("soclint-check.1");
        std::fs::write(&file, &check).expect("write");
        let out = std::process::Command::new("groff")
            .args(["-k", "-man", "-Tutf8", "-ww"])
            .arg(&file)
            .output()
            .expect("groff runs");
        assert!(out.status.success());
        assert_eq!(String::from_utf8_lossy(&out.stderr), "");
        let text = String::from_utf8_lossy(&out.stdout);
        let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            words.contains("Exit 0 even when findings fail the run"),
            "{text}"
        );
    }
    let (code, _, err) = soclint(&["man", "chek"]);
    assert_eq!(code, 2);
    // miette wraps the list of subcommands: read it as words
    let words: Vec<&str> = err.split_whitespace().filter(|w| *w != "│").collect();
    assert!(words.join(" ").contains("did you mean `check`?"), "{err}");
}

/// `soclint check` in `dir`: exit code and standard error with miette's
/// wrapping undone (its continuation lines joined).
fn check_errors(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(dir)
        .arg("check")
        .args(args)
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr).replace("\n  │ ", " ");
    (out.status.code().unwrap_or(-1), err)
}

/// Every mistake in soclint.toml and in a rule file is named in one run,
/// each with the nearest key, operator or value, in the file's order.
#[test]
fn every_config_and_rule_file_error_in_one_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
    std::fs::write(
        dir.path().join("soclint.toml"),
        "fail-on = \"high\"\npolicy-path = [\"docs\"]\ncategorys = [\"availability\"]\n\n[[waiver]]\nrul = \"AWS-S3-001\"\npath = \"a.tf\"\nreason = \"r\"\nexpires = \"2027-01-01\"\n",
    )
    .expect("write");
    let (code, err) = check_errors(dir.path(), &[]);
    assert_eq!(code, 2);
    let headlines: Vec<&str> = err.lines().filter(|l| l.contains('×')).collect();
    assert_eq!(
        headlines,
        [
            "  × invalid config soclint.toml: unknown field `policy-path`; did you mean `policy-paths`?",
            "  × invalid config soclint.toml: unknown field `categorys`; did you mean `categories`?",
            "  × invalid config soclint.toml: unknown field `rul`; did you mean `rule`?",
        ],
        "{err}"
    );
    std::fs::remove_file(dir.path().join("soclint.toml")).expect("rm");
    std::fs::create_dir(dir.path().join("rules")).expect("mkdir");
    let rule = |id: &str, body: &str| {
        format!(
            "[[rule]]\nid = \"{id}\"\ntitle = \"t\"\nseverity = \"high\"\ncriteria = [\"CC6.1\"]\ntarget = \"terraform\"\nresources = [\"aws_s3_bucket\"]\nmessage = \"m\"\nrationale = \"r\"\nremediation = \"f\"\n{body}\n"
        )
    };
    std::fs::write(
        dir.path().join("rules/mine.toml"),
        [
            rule("MY-001", "assert = { path = \"acl\", equls = \"private\" }"),
            rule(
                "MY-002",
                "assert = { path = \"acl\", equals = \"private\" }",
            ),
            rule("MY-003", "asert = { path = \"acl\", equals = \"private\" }"),
        ]
        .concat(),
    )
    .expect("write");
    let (code, err) = check_errors(dir.path(), &["--rules", "rules"]);
    assert_eq!(code, 2);
    let headlines: Vec<&str> = err.lines().filter(|l| l.contains('×')).collect();
    assert_eq!(
        headlines,
        [
            "  × invalid rule file rules/mine.toml: unknown field `equls`; did you mean `equals`?",
            "  × invalid rule file rules/mine.toml: missing field `assert`",
            "  × invalid rule file rules/mine.toml: unknown field `asert`; did you mean `assert`?",
        ],
        "{err}"
    );
}

/// A resource type the target's extractor never makes (for the targets whose
/// types are a closed set) is an error naming the nearest type, with the
/// others of the file's mistakes in the same run.
#[test]
fn a_resource_type_no_extractor_makes_is_an_error_with_the_nearest() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
    std::fs::create_dir(dir.path().join("rules")).expect("mkdir");
    let rule = |id: &str, target: &str, ty: &str| {
        format!(
            "[[rule]]\nid = \"{id}\"\ntitle = \"t\"\nseverity = \"high\"\ncriteria = [\"CC6.1\"]\ntarget = \"{target}\"\nresources = [\"{ty}\"]\nmessage = \"m\"\nrationale = \"r\"\nremediation = \"f\"\nassert = {{ path = \"name\", exists = true }}\n"
        )
    };
    std::fs::write(
        dir.path().join("rules/mine.toml"),
        [
            rule("MY-001", "github-actions", "stpe"),
            rule("MY-002", "dockerfile", "instruction"),
            rule("MY-003", "docker-compose", "services"),
            // open sets: any Terraform type or Kubernetes kind is accepted
            rule("MY-004", "terraform", "acme_widget"),
            rule("MY-005", "kubernetes", "Widget"),
        ]
        .concat(),
    )
    .expect("write");
    let (code, err) = check_errors(dir.path(), &["--rules", "rules"]);
    assert_eq!(code, 2);
    let headlines: Vec<&str> = err.lines().filter(|l| l.contains('×')).collect();
    assert_eq!(
        headlines,
        [
            "  × invalid rule file rules/mine.toml: target `github-actions` has no resource type `stpe`; did you mean `step`? (its types: workflow, job, step, action)",
            "  × invalid rule file rules/mine.toml: target `docker-compose` has no resource type `services`; did you mean `service`? (its types: compose, service)",
        ],
        "{err}"
    );
}
