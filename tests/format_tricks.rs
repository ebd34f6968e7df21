//! What a format's own syntax cannot do to the gate: YAML tags, anchors and
//! merge keys, a Dockerfile's `escape` directive and Terraform override files
//! cannot hide a finding; Kustomize and Helm, built in-process, read nothing
//! outside the scanned tree (absolute paths, `..`, `/proc/self/environ`,
//! `.Files.Get`, a `file://` dependency) and say what they left out. Attacks
//! of the classes of `../shared/security/FINDINGS.md` (3.x: reading outside
//! the tree; 9.x: hiding code from the gate) on the formats added since;
//! outputs are compared byte for byte.
use std::path::Path;

use assert_cmd::Command;

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// `soclint check . --format FORMAT ARGS` in `dir`; (exit code, stdout).
fn check(dir: &Path, format: &str, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(dir)
        .env("SOCLINT_TODAY", "2026-11-25")
        .args(["check", ".", "--format", format])
        .args(args)
        .output()
        .expect("runs");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

const CONTAINER: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: NAME
spec:
  template:
    spec:
      containers:
        - name: c
          image: nginx:1.25
          securityContext:
";

/// A `!!str` tag on `kind`, a `!!bool` tag on the value, and a merge key
/// that brings `privileged: true` from an anchor elsewhere in the file: the
/// API server takes all three as a privileged Deployment, and so does the
/// gate (a reader that dropped tagged scalars or skipped `<<` would see
/// nothing).
#[test]
fn yaml_tags_and_merge_keys_hide_no_privileged_container() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let tagged = CONTAINER
        .replace("kind: Deployment", "kind: !!str Deployment")
        .replace("NAME", "tagged");
    write(
        d,
        "tagged.yaml",
        &format!("{tagged}            privileged: true\n"),
    );
    let value = CONTAINER.replace("NAME", "value");
    write(
        d,
        "value.yaml",
        &format!("{value}            privileged: !!bool true\n"),
    );
    let merged = CONTAINER.replace("NAME", "merged");
    write(
        d,
        "merged.yaml",
        &format!("x-defaults: &priv\n  privileged: true\n{merged}            <<: *priv\n"),
    );
    let (code, out) = check(d, "compact", &["--select", "K8S-CTR-001"]);
    assert_eq!(
        (code, out.as_str()),
        (
            1,
            "merged.yaml:2:15: HIGH K8S-CTR-001 [CC6.1,CC6.8] container `Deployment/merged/c` runs privileged\n\
             tagged.yaml:12:25: HIGH K8S-CTR-001 [CC6.1,CC6.8] container `Deployment/tagged/c` runs privileged\n\
             value.yaml:12:32: HIGH K8S-CTR-001 [CC6.1,CC6.8] container `Deployment/value/c` runs privileged\n"
        )
    );
}

/// `# escape=`` ` makes the backtick the line continuation: a `\` at a line's
/// end no longer continues it, so `USER root` on the next line is an
/// instruction of its own for `docker build`. A reader that ignored the
/// directive would fold it into the `RUN` and see no `USER`.
#[test]
fn a_dockerfile_escape_directive_hides_no_instruction() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    write(
        d,
        "Dockerfile",
        "# escape=`\nFROM alpine:3.19\nRUN echo hi \\\nUSER root\nRUN echo x\n",
    );
    let (code, out) = check(d, "compact", &["--select", "DKR-USER-001"]);
    assert_eq!(
        (code, out.as_str()),
        (
            1,
            "Dockerfile:4:6: HIGH DKR-USER-001 [CC6.1,CC6.8] the image from stage 0 runs as root (USER: root)\n"
        )
    );
}

/// Terraform merges `override.tf` and `*_override.tf` into the resource of
/// the same address: a public ACL set only there is checked.
#[test]
fn terraform_override_files_are_checked() {
    for name in ["override.tf", "main_override.tf"] {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        write(
            d,
            "main.tf",
            "resource \"aws_s3_bucket_acl\" \"b\" {\n  bucket = \"x\"\n  acl    = \"private\"\n}\n",
        );
        write(
            d,
            name,
            "resource \"aws_s3_bucket_acl\" \"b\" {\n  acl = \"public-read\"\n}\n",
        );
        let (code, out) = check(d, "compact", &["--select", "AWS-S3-001"]);
        assert_eq!(
            (code, out),
            (
                1,
                format!("{name}:2:9: CRITICAL AWS-S3-001 [CC6.1,CC6.6] bucket ACL `public-read` makes `aws_s3_bucket_acl.b` readable by anyone\n")
            )
        );
    }
}

/// What only files outside the repository hold.
const MARKER: &str = "OUTSIDE_SECRET_51c2";

/// A repository in `base/repo` and, beside it, `base/outside` with files
/// holding [`MARKER`]; returns the repository.
fn repo_beside_secrets(base: &Path) -> std::path::PathBuf {
    write(base, "outside/secret.txt", &format!("{MARKER}\n"));
    write(base, "outside/app.env", &format!("TOKEN={MARKER}\n"));
    write(
        base,
        "outside/chart/Chart.yaml",
        &format!("apiVersion: v2\nname: {MARKER}\nversion: 0.1.0\n"),
    );
    let repo = base.join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    repo
}

/// A Kustomization in the pull request names files outside the tree as
/// resources and generator inputs (`..` out of the repository, an absolute
/// path, the process environment): kustomize itself would read them
/// (`--load-restrictor=LoadRestrictionsNone`), soclint's in-process build
/// reads only files of the scanned tree, never shows their content, and
/// reports the overlay as built without them.
#[test]
fn a_kustomization_reads_nothing_outside_the_tree() {
    let base = tempfile::tempdir().expect("tempdir");
    let repo = repo_beside_secrets(base.path());
    write(
        &repo,
        "app/kustomization.yaml",
        "resources:\n  - ../../outside\nconfigMapGenerator:\n  - name: leak\n    files:\n      - ../../outside/secret.txt\n      - /proc/self/environ\n    envs:\n      - ../../outside/app.env\n",
    );
    for format in ["json", "sarif", "human", "markdown"] {
        let (code, out) = check(&repo, format, &[]);
        assert_eq!(code, 0, "{format}");
        assert!(!out.contains(MARKER), "{format}:\n{out}");
    }
    let (code, out) = check(&repo, "compact", &[]);
    assert_eq!(
        (code, out.as_str()),
        (
            0,
            "app/kustomization.yaml:1:1: WARNING not-scanned unrendered: Kustomize overlay built without part of it: \
             resource `../../outside` is outside the scanned tree; not included; \
             generator input `../../outside/secret.txt` is outside the scanned tree; left out; \
             generator input `/proc/self/environ`: app/proc/self/environ: not found among the scanned files; left out; \
             generator input `../../outside/app.env` is outside the scanned tree; left out\n"
        )
    );
}

/// A Helm chart in the pull request asks for files outside it: `.Files.Get`
/// with `..` and an absolute path, `.Files.Glob` up the tree, and a
/// dependency at `file://` beside the repository. Nothing outside the tree
/// is read or shown; the missing dependency is reported.
#[test]
fn a_helm_chart_reads_nothing_outside_the_tree() {
    let base = tempfile::tempdir().expect("tempdir");
    let repo = repo_beside_secrets(base.path());
    write(
        &repo,
        "chart/Chart.yaml",
        "apiVersion: v2\nname: c\nversion: 0.1.0\ndependencies:\n  - name: dep\n    version: 0.1.0\n    repository: file://../../outside/chart\n",
    );
    write(&repo, "chart/values.yaml", "x: 1\n");
    let secret = base.path().join("outside/secret.txt");
    write(
        &repo,
        "chart/templates/cm.yaml",
        &format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\ndata:\n  a: {{{{ .Files.Get \"../../outside/secret.txt\" | quote }}}}\n  b: {{{{ .Files.Get \"{}\" | quote }}}}\n  c: {{{{ (.Files.Glob \"../../outside/*\").AsConfig | quote }}}}\n",
            secret.display()
        ),
    );
    for format in ["json", "sarif", "human", "markdown", "compact"] {
        let (_, out) = check(&repo, format, &[]);
        assert!(!out.contains(MARKER), "{format}:\n{out}");
    }
    let (code, out) = check(&repo, "compact", &["--select", "K8S-SEC-001"]);
    assert_eq!(
        (code, out.as_str()),
        (
            0,
            "chart/Chart.yaml:1:1: WARNING not-scanned unrendered: rendered without a dependency: chart: \
             dependency `dep` (repository file://../../outside/chart) is neither under charts/ nor a chart \
             beside this one (run `helm dependency build`, or keep it as a sibling directory)\n"
        )
    );
}
