//! Secrets stay masked everywhere the terminal report shows a file's text
//! (`../shared/security/FINDINGS.md` M9, M10, 7.4): every secret of a
//! resource, suppressed and baselined ones, the snippet of a file that could
//! not be parsed; and the rule language's `mask` and `[~"regex"]` paths that
//! express it.
use std::path::Path;

use assert_cmd::Command;

fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(dir)
        .env("SOCLINT_TODAY", "2026-11-25")
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// The snippet lines (`N │ …`) of a human report.
fn snippet_lines(out: &str) -> Vec<&str> {
    out.lines().filter(|l| l.contains(" │ ")).collect()
}

#[test]
fn v13_every_secret_of_a_resource_is_masked_m9() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  username: admin\n  password: FirstSecretValue111\n",
    );
    write(
        dir.path(),
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:16.4\n    environment:\n      TZ: UTC\n      POSTGRES_PASSWORD: SuperSecretPg2026\n      AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE\n",
    );
    write(
        dir.path(),
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  key.pem: |\n    -----BEGIN RSA PRIVATE KEY-----\n    MIIEowIBAAKCAQEAexamplekeymaterial\n    -----END RSA PRIVATE KEY-----\n  url: https://app:hunter2hunter2@db.internal/x\n  level: info\n",
    );
    let (_, out) = run(
        dir.path(),
        &[
            "check",
            ".",
            "--select",
            "K8S-SEC,COMPOSE-ENV-001",
            "--fail-on",
            "never",
        ],
    );
    for leak in [
        "admin",
        "FirstSecretValue111",
        "SuperSecretPg2026",
        "AKIAIOSFODNN7EXAMPLE",
        "examplekeymaterial",
        "hunter2hunter2",
    ] {
        assert!(!out.contains(leak), "{leak} shown:\n{out}");
    }
    // the key block, the compose password above the access key the finding
    // points at, the Secret's password below the username
    assert_eq!(
        snippet_lines(&out),
        [
            " 6 │   key.pem: |",
            " 7 │     ----***************************",
            " 8 │ **************************************",
            " 6 │       POSTGRES_PASSWORD: Supe*************",
            " 7 │       AWS_ACCESS_KEY_ID: AKIA****************",
            " 5 │ stringData:",
            " 6 │   username: *****",
            " 7 │   password: Firs***************",
        ]
    );
}

const SUPPRESSED: &str = "FROM nginx:1.27.2\n# soclint:ignore DKR-SEC-001 reason=\"fixture\" until=2099-01-01\nENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/SUPPRESSEDLEAK01\nUSER root\n";

#[test]
fn v13_a_suppressed_secret_stays_masked_m10() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "Dockerfile", SUPPRESSED);
    let (_, out) = run(dir.path(), &["check", "Dockerfile", "--fail-on", "never"]);
    assert!(!out.contains("SUPPRESSEDLEAK01"), "{out}");
    assert!(
        out.contains(" 3 │ ENV AWS_********************************************************\n"),
        "{out}"
    );
}

#[test]
fn a_baselined_secret_stays_masked_m10() {
    let dir = tempfile::tempdir().expect("tempdir");
    let unsuppressed = SUPPRESSED.replace(
        "# soclint:ignore DKR-SEC-001 reason=\"fixture\" until=2099-01-01\n",
        "LABEL team=web\n",
    );
    // the secret is accepted into the baseline; then a root user is added
    write(
        dir.path(),
        "Dockerfile",
        &unsuppressed.replace("USER root\n", "USER app\n"),
    );
    let (code, _) = run(dir.path(), &["baseline", ".", "-o", "b.json"]);
    assert_eq!(code, 0);
    write(dir.path(), "Dockerfile", &unsuppressed);
    let (_, out) = run(
        dir.path(),
        &[
            "check",
            "Dockerfile",
            "--baseline",
            "b.json",
            "--fail-on",
            "never",
        ],
    );
    assert!(
        out.contains("Not reported: 0 suppressed, 2 in the baseline;"),
        "{out}"
    );
    assert!(!out.contains("SUPPRESSEDLEAK01"), "{out}");
    assert!(
        out.contains(" 3 │ ENV AWS_********************************************************\n"),
        "{out}"
    );
}

#[test]
fn the_snippet_of_an_unparsable_file_masks_what_looks_like_a_credential() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "broken.tf",
        "locals {\n  db_password = \"Tr0ub4dor&3\"\n  x = \n}\n",
    );
    let (code, out) = run(dir.path(), &["check", "broken.tf"]);
    assert_eq!(code, 1);
    assert!(!out.contains("Tr0ub4dor"), "{out}");
    assert!(
        out.contains(" 2 │   db_password = \"***********\"\n 3 │   x = \n"),
        "{out}"
    );
}

/// The new secret rules of each format, and the value of each shown masked
/// (each reports every credential: one finding per offending value).
#[test]
fn secret_rules_for_terraform_cloudformation_and_workflows() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "main.tf",
        "provider \"aws\" {\n  access_key = \"AKIAIOSFODNN7EXAMPLE\"\n  secret_key = \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"\n}\n\nvariable \"db_password\" {\n  default = \"Tr0ub4dor&3\"\n}\n",
    );
    write(
        dir.path(),
        "stack.yaml",
        "AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n  DatabasePassword:\n    Type: String\n    Default: Tr0ub4dor&3\nResources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Environment:\n        Variables:\n          API_TOKEN: tok_live_0123456789\n",
    );
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    env:\n      NPM_TOKEN: npm_8a7Gf0dM2kQpZ4rT1xVbN6sLcYwE3hJ9uO5i\n    steps:\n      - run: make\n",
    );
    let (code, out) = run(
        dir.path(),
        &[
            "check",
            ".",
            "--select",
            "TF-SEC,CFN-SEC,GHA-SECRET-003",
            "--format",
            "compact",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(
        out,
        ".github/workflows/ci.yml:6:18: CRITICAL GHA-SECRET-003 [CC6.1,C1.1] `jobs.build` sets a credential as a literal `env` value\n\
         main.tf:2:16: CRITICAL TF-SEC-001 [CC6.1,C1.1] a provider block in `main.tf` has a credential written into it\n\
         main.tf:3:16: CRITICAL TF-SEC-001 [CC6.1,C1.1] a provider block in `main.tf` has a credential written into it\n\
         main.tf:7:13: HIGH TF-SEC-002 [CC6.1,C1.1] a variable in `main.tf` that holds a secret has it as its default (`***********`)\n\
         stack.yaml:5:14: HIGH CFN-SEC-002 [CC6.1,C1.1] a parameter of `stack.yaml` that holds a secret has it as its default (`***********`)\n\
         stack.yaml:12:22: CRITICAL CFN-SEC-001 [CC6.1,C1.1] Lambda function `Fn` has a credential written into its environment\n"
    );
}

/// A repository's own rule can say which values to mask, and reach map
/// values by a pattern on their keys (the rule language, widened for
/// everyone).
#[test]
fn own_rules_mask_with_key_patterns() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "rules/own.toml",
        r#"[[rule]]
id = "OWN-SEC-001"
title = "Settings hold no literal tokens"
severity = "high"
secret = true
criteria = ["CC6.1"]
target = "kubernetes"
resources = ["ConfigMap"]
assert = { path = 'data[~"(?i)token$"]', not_matches = '\S' }
mask = ['data[~"(?i)token$"]', { path = "data.dsn", matches = ':(?P<secret>[^:@/]+)@' }]
message = "ConfigMap `{resource}` holds a token"
rationale = "r"
remediation = "x"
"#,
    );
    write(dir.path(), "soclint.toml", "rules = [\"rules\"]\n");
    write(
        dir.path(),
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  dsn: postgres://app:pw-in-dsn@db/app\n  api_token: t0k3n-first\n  deploy_TOKEN: t0k3n-second\n  level: info\n",
    );
    let (code, out) = run(dir.path(), &["check", "cm.yaml", "--select", "OWN"]);
    assert_eq!(code, 1);
    assert_eq!(
        snippet_lines(&out),
        [
            " 6 │   dsn: postgres://app:*********@db/app",
            " 7 │   api_token: ***********",
            " 8 │   deploy_TOKEN: ************",
        ]
    );
    assert!(
        !out.contains("t0k3n") && !out.contains("pw-in-dsn"),
        "{out}"
    );
    // a mask needs a secret rule, and a key pattern a valid regex
    write(
        dir.path(),
        "rules/own.toml",
        "[[rule]]\nid = \"OWN-2\"\ntitle = \"t\"\nseverity = \"low\"\ncriteria = [\"CC6.1\"]\ntarget = \"kubernetes\"\nresources = [\"ConfigMap\"]\nassert = { path = 'data[~\"token$\"]', exists = true }\nmask = [\"data.*\"]\nmessage = \"m\"\nrationale = \"r\"\nremediation = \"x\"\n",
    );
    let (code, out) = run(dir.path(), &["check", "cm.yaml"]);
    assert_eq!(code, 2);
    assert!(
        out.contains("`mask` is for rules with `secret = true`"),
        "{out}"
    );
}
