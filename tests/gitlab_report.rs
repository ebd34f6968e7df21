//! `check --format gitlab`: GitLab's code quality report, byte for byte. The
//! fields are those GitLab documents for `artifacts:reports:codequality`
//! (description, check_name, fingerprint, severity, location.path,
//! location.lines.begin); what soclint did not check (a file that could not
//! be parsed, a file over the size limit) is an issue too.
use std::fs;

use assert_cmd::Command;

mod common;

fn soclint(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::cargo_bin("soclint")
        .expect("binary built")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code(),
        String::from_utf8(out.stdout).expect("utf-8"),
    )
}

#[test]
fn findings_parse_errors_and_skipped_files_are_issues() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    fs::create_dir_all(root.join("infra")).expect("mkdir");
    fs::create_dir_all(root.join(".github/workflows")).expect("mkdir");
    fs::write(
        root.join("infra/main.tf"),
        "resource \"aws_s3_bucket_acl\" \"site\" {\n  bucket = \"site\"\n  acl    = \"public-read\"\n}\n",
    )
    .expect("write");
    fs::write(
        root.join("infra/broken.tf"),
        "resource \"aws_s3_bucket\" \"x\" {\n  bucket = \n",
    )
    .expect("write");
    fs::write(root.join("infra/big.tf"), "#".repeat(400)).expect("write");
    // the same download twice: two findings, two fingerprints
    fs::write(
        root.join("Dockerfile"),
        "FROM alpine:3.20\nADD https://example.com/tool /usr/bin/tool\nADD https://example.com/tool /usr/bin/tool\n",
    )
    .expect("write");
    fs::write(
        root.join(".github/workflows/pr.yml"),
        "on: pull_request_target\npermissions: {}\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          echo \"${{ github.event.pull_request.title }}\"\n          echo done\n",
    )
    .expect("write");
    let (code, out) = soclint(
        root,
        &[
            "check",
            "--max-file-size",
            "350",
            "--select",
            "AWS-S3-001,DKR-ADD-001,GHA-INJECT-001",
            "--format",
            "gitlab",
            "--",
            "infra",
            "Dockerfile",
            ".github/workflows/pr.yml",
        ],
    );
    assert_eq!(code, Some(1));
    assert_eq!(
        out,
        r#"[
  {
    "description": "GHA-INJECT-001 [CC6.8, CC7.1, CC8.1] step `jobs.t.steps[echo \"${{ github.event.pull_request.titl…]` expands attacker-controlled event data directly into its shell script",
    "check_name": "GHA-INJECT-001",
    "fingerprint": "f4740b7abb5835b12df33707c934f07b",
    "severity": "critical",
    "location": {
      "path": ".github/workflows/pr.yml",
      "lines": {
        "begin": 8
      }
    }
  },
  {
    "description": "DKR-ADD-001 [CC6.8, CC8.1] ADD downloads `https://example.com/tool` without verifying it",
    "check_name": "DKR-ADD-001",
    "fingerprint": "b30d45958a5294e47f275f6d44705cee",
    "severity": "major",
    "location": {
      "path": "Dockerfile",
      "lines": {
        "begin": 2
      }
    }
  },
  {
    "description": "DKR-ADD-001 [CC6.8, CC8.1] ADD downloads `https://example.com/tool` without verifying it",
    "check_name": "DKR-ADD-001",
    "fingerprint": "b30d45958a5294e47f275f6d44705cee-2",
    "severity": "major",
    "location": {
      "path": "Dockerfile",
      "lines": {
        "begin": 3
      }
    }
  },
  {
    "description": "AWS-S3-001 [CC6.1, CC6.6] bucket ACL `public-read` makes `aws_s3_bucket_acl.site` readable by anyone",
    "check_name": "AWS-S3-001",
    "fingerprint": "8905a16fa53e7810aa2c4ccf6e07def6",
    "severity": "blocker",
    "location": {
      "path": "infra/main.tf",
      "lines": {
        "begin": 3
      }
    }
  },
  {
    "description": "file could not be parsed: invalid expression; expected `\"`, `[`, `{`, `-`, `!`, `(`, `_`, `<`, letter or digit",
    "check_name": "parse-error",
    "fingerprint": "a4649fbb53b824319552097d4cec2445",
    "severity": "major",
    "location": {
      "path": "infra/broken.tf",
      "lines": {
        "begin": 2
      }
    }
  },
  {
    "description": "not scanned (over the size limit): 400 bytes; the limit is 350",
    "check_name": "not-scanned",
    "fingerprint": "70562935633a2c0b49dbf9fb66f53807",
    "severity": "major",
    "location": {
      "path": "infra/big.tf",
      "lines": {
        "begin": 1
      }
    }
  }
]
"#
    );
}

#[test]
fn a_finding_over_several_lines_gives_its_last_line() {
    // the demo as a repository of its own, so paths are named from it
    let tmp = tempfile::tempdir().expect("tempdir");
    let from = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
    common::copy_dir(&from, tmp.path());
    std::fs::create_dir(tmp.path().join(".git")).expect("mkdir .git");
    let demo = tmp.path();
    let (code, out) = soclint(
        demo,
        &["check", "--select", "DOC-IR-001", "--format", "gitlab"],
    );
    assert_eq!(code, Some(1));
    assert_eq!(
        out,
        r#"[
  {
    "description": "DOC-IR-001 [CC7.3, CC7.4, CC7.5] incident response policy `Incident Response Policy` does not cover roles and responsibilities, detection, containment, notification and post-incident review: each needs a section (a heading or a list item led by it) or a statement",
    "check_name": "DOC-IR-001",
    "fingerprint": "6e59012711feb51a8aa057fa97d19c2d",
    "severity": "major",
    "location": {
      "path": "docs/policies/incident-response.md",
      "lines": {
        "begin": 11,
        "end": 42
      }
    }
  }
]
"#
    );
}

#[test]
fn no_findings_is_an_empty_array() {
    let tmp = tempfile::tempdir().expect("tempdir");
    fs::write(tmp.path().join("main.tf"), "locals {\n  a = 1\n}\n").expect("write");
    let (code, out) = soclint(tmp.path(), &["check", "main.tf", "--format", "gitlab"]);
    assert_eq!((code, out.as_str()), (Some(0), "[]\n"));
}
