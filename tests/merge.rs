//! `soclint report --merge`: the JSON evidence of several repositories
//! joined into one organisation report, the same bytes whatever the order
//! of the inputs; a criterion's status is the worst any repository gave.
mod common;

use common::{demo_repo, soclint, NOW};
use serde_json::Value;

#[test]
fn three_repositories_merge_the_same_in_any_order() {
    let (tmp, root) = demo_repo();
    let reports = tmp.path().join("reports");
    std::fs::create_dir(&reports).expect("mkdir");
    let write = |name: &str| {
        let out = reports.join(name);
        let (code, _) = soclint(
            &root,
            NOW,
            &[
                "report",
                ".",
                "--format",
                "json",
                "--output",
                out.to_str().expect("utf-8"),
            ],
        );
        assert_eq!(code, 0);
        out
    };
    // three states of one tree stand for three repositories
    let a = write("a.json");
    std::fs::write(
        root.join("SECURITY.md"),
        "# Security\nReport to security@example.com.\n",
    )
    .expect("write");
    let b = write("b.json");
    std::fs::remove_dir_all(root.join("infra")).expect("rm");
    let c = write("c.json");
    let paths = [&a, &b, &c].map(|p| p.to_str().expect("utf-8").to_string());

    let merged = |order: [usize; 3], format: &str| {
        let mut args = vec!["report", "--format", format, "--merge"];
        args.extend(order.iter().map(|&i| paths[i].as_str()));
        let (code, out) = soclint(tmp.path(), NOW, &args);
        assert_eq!(code, 0);
        out
    };
    let first = merged([0, 1, 2], "json");
    for order in [[2, 1, 0], [1, 0, 2], [2, 0, 1]] {
        assert_eq!(merged(order, "json"), first, "{order:?}");
    }
    assert_eq!(merged([1, 2, 0], "markdown"), merged([0, 1, 2], "markdown"));
    // a directory of reports is the same set
    let (code, dir) = soclint(
        tmp.path(),
        NOW,
        &[
            "report",
            "--format",
            "json",
            "--merge",
            reports.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&first).expect("json");
    let w: Value = serde_json::from_str(&dir).expect("json");
    assert_eq!(v["criteria"], w["criteria"]);
    assert_eq!(v["repositories"].as_array().expect("repos").len(), 3);

    // CC2.3 (SECURITY.md) has exceptions only in the first state: still
    // exceptions found across the organisation
    let cc23 = v["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .find(|c| c["id"] == "CC2.3")
        .expect("CC2.3");
    assert_eq!(cc23["status"], "exceptions-found");
    assert_eq!(cc23["repositories_by_status"]["exceptions-found"], 1);
    assert_eq!(cc23["repositories_by_status"]["no-exceptions-partial"], 2);
    // per-criterion sums are the repositories' own
    let sum = |key: &str, id: &str| -> u64 {
        [&a, &b, &c]
            .iter()
            .map(|p| {
                let r: Value =
                    serde_json::from_str(&std::fs::read_to_string(p).expect("read")).expect("json");
                r["criteria"]
                    .as_array()
                    .expect("criteria")
                    .iter()
                    .find(|x| x["id"] == id)
                    .expect("criterion")[key]
                    .as_u64()
                    .expect("count")
            })
            .sum()
    };
    let cc61 = v["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .find(|c| c["id"] == "CC6.1")
        .expect("CC6.1");
    assert_eq!(cc61["failed"].as_u64(), Some(sum("failed", "CC6.1")));
    assert_eq!(cc61["passed"].as_u64(), Some(sum("passed", "CC6.1")));

    // not a report: a usage error naming the file
    std::fs::write(tmp.path().join("bad.json"), "{}").expect("write");
    let out = assert_cmd::Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(tmp.path())
        .args(["report", "--format", "json", "--merge", "bad.json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("bad.json is not a soclint JSON evidence report"));
}

/// The organisation page (`--format html`): the same bytes in any order,
/// names and titles from the reports escaped, links only to its own anchors
/// and to the report files, relative to the page.
#[test]
fn organisation_page_is_the_same_in_any_order_and_escaped() {
    let (tmp, root) = demo_repo();
    let reports = tmp.path().join("reports");
    std::fs::create_dir(&reports).expect("mkdir");
    let write = |name: &str| {
        let out = reports.join(name);
        let (code, _) = soclint(
            &root,
            NOW,
            &[
                "report",
                ".",
                "--format",
                &format!("json:{}", out.to_str().expect("utf-8")),
            ],
        );
        assert_eq!(code, 0);
        out
    };
    write("a.json");
    std::fs::write(
        root.join("SECURITY.md"),
        "# Security\nReport to security@example.com.\n",
    )
    .expect("write");
    write("b.json");
    std::fs::remove_dir_all(root.join("infra")).expect("rm");
    let c = write("c.json");
    // a report is input like any other: its names and titles carry markup
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(&c).expect("read")).expect("json");
    v["header"]["repository"] = "<script>alert(1)</script><img src=x onerror=alert(2)>".into();
    v["criteria"][0]["title"] = "<b>bold</b> javascript:alert(3)".into();
    std::fs::write(&c, serde_json::to_string(&v).expect("json")).expect("write");

    std::fs::create_dir(tmp.path().join("org")).expect("mkdir");
    let page = |order: [&str; 3]| {
        let mut args = vec!["report", "--format", "html:org/org.html", "--merge"];
        args.extend(order);
        let (code, out) = soclint(tmp.path(), NOW, &args);
        assert_eq!(code, 0);
        assert_eq!(out, "");
        std::fs::read(tmp.path().join("org/org.html")).expect("page")
    };
    let (a, b, c) = ("reports/a.json", "reports/b.json", "reports/c.json");
    let first = page([a, b, c]);
    assert_eq!(page([c, a, b]), first);
    assert_eq!(page([b, c, a]), first);
    let html = String::from_utf8(first).expect("utf-8");

    assert!(html.contains("<h1>SOC 2 evidence across the organisation</h1>"));
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;")
    );
    assert!(html.contains("&lt;b&gt;bold&lt;/b&gt; javascript:alert(3)"));
    let lower = html.to_lowercase();
    for needle in ["<script", "<img", "<b>", "<link", "<iframe"] {
        assert!(!lower.contains(needle), "{needle}");
    }
    for href in html.split("href=\"").skip(1) {
        let href = &href[..href.find('"').expect("end")];
        assert!(
            href.starts_with('#') || href.starts_with("../reports/"),
            "{href}"
        );
    }
    // per repository: its report, linked relative to the page, and its drill-down
    assert!(html.contains("<a href=\"../reports/a.json\">reports/a.json</a>"));
    assert!(html.contains("<details class=\"pop\" id=\"repo-3\">"));
    assert!(html.contains("<h2 id=\"criteria\">Criteria across the repositories</h2>"));
    // the worst status wins: CC2.3 had exceptions in the first state only
    let cc23 = &html[html.find("<td class=\"id\">CC2.3</td>").expect("CC2.3")..];
    let cc23 = &cc23[..cc23.find("</tr>").expect("row")];
    assert!(
        cc23.contains("<span class=\"pill exceptions-found\">"),
        "{cc23}"
    );
    // one repository with exceptions, two without, none manual only
    assert!(
        cc23.contains("<td class=\"n\">1</td><td class=\"n\">2</td><td class=\"n\">0</td>"),
        "{cc23}"
    );
}

/// A report of another layout (compact, the population not last) is read
/// whole and merges to the same organisation report as soclint's own.
#[test]
fn a_report_in_another_layout_merges_the_same() {
    let (tmp, root) = demo_repo();
    let ours = tmp.path().join("ours.json");
    let (code, _) = soclint(
        &root,
        NOW,
        &[
            "report",
            ".",
            "--format",
            &format!("json:{}", ours.display()),
        ],
    );
    assert_eq!(code, 0);
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(&ours).expect("read")).expect("json");
    // the population first, then the model, on one line
    let population = v.as_object_mut().expect("object").remove("population");
    let mut other = serde_json::Map::new();
    other.insert("population".into(), population.expect("population"));
    other.extend(v.as_object().expect("object").clone());
    let theirs = tmp.path().join("theirs.json");
    std::fs::write(&theirs, serde_json::to_string(&other).expect("json")).expect("write");
    let merged = |file: &std::path::Path| {
        let (code, out) = soclint(
            tmp.path(),
            NOW,
            &[
                "report",
                "--format",
                "json",
                "--merge",
                file.to_str().expect("utf-8"),
            ],
        );
        assert_eq!(code, 0);
        let mut v: Value = serde_json::from_str(&out).expect("json");
        v["repositories"][0]["file"] = Value::Null;
        v
    };
    assert_eq!(merged(&ours), merged(&theirs));
}
