//! The HTML evidence report at any repository size (issue 17 item 9): each
//! rule shows its first findings and a sample of its population with the
//! rest counted and linked to the complete CSV/JSON written in the same run;
//! long lists show their first rows; the page never exceeds its size limit,
//! and whatever is left out is counted. Statuses are those of the JSON.
mod common;

use std::path::Path;

use common::{soclint, NOW};
use serde_json::Value;
use soclint::evidence::page::{Page, MAX_BYTES};

/// A repository of `n` S3 buckets without encryption, versioning or
/// logging: several rules fail once per bucket.
fn buckets(root: &Path, n: usize) {
    std::fs::create_dir_all(root).expect("mkdir");
    let mut tf = String::new();
    for i in 0..n {
        tf.push_str(&format!(
            "resource \"aws_s3_bucket\" \"b{i:02}\" {{\n  bucket = \"acme-b{i:02}\"\n}}\n\n"
        ));
    }
    std::fs::write(root.join("main.tf"), tf).expect("write");
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json")
}

/// The matrix row of criterion `id` (from its id cell to the row's end).
fn matrix_row<'a>(html: &'a str, id: &str) -> &'a str {
    let matrix = &html[html.find("<h2 id=\"matrix\">").expect("matrix")..];
    let cell = [
        format!(
            "<td class=\"id\"><a href=\"#c-{}\">{id}</a></td>",
            id.replace('.', "-")
        ),
        format!("<td class=\"id\">{id}</td>"),
    ]
    .into_iter()
    .find_map(|c| matrix.find(&c))
    .unwrap_or_else(|| panic!("no matrix row for {id}"));
    let row = &matrix[cell..];
    &row[..row.find("</tr>").expect("row end")]
}

#[test]
fn each_rule_shows_its_first_findings_and_links_to_the_complete_population() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    buckets(&repo, 40);
    std::fs::create_dir(tmp.path().join("out")).expect("mkdir");
    let (code, out) = soclint(
        tmp.path(),
        NOW,
        &[
            "report",
            "repo",
            "--format",
            "html:out/evidence.html",
            "--format",
            "csv:out/population.csv",
            "--format",
            "json:out/evidence.json",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(out, "", "every report went to its file");
    let html = std::fs::read_to_string(tmp.path().join("out/evidence.html")).expect("html");
    let ev = json(&tmp.path().join("out/evidence.json"));
    let csv = std::fs::read_to_string(tmp.path().join("out/population.csv")).expect("csv");
    let files = "<a href=\"./population.csv\">population.csv</a> (CSV), \
                 <a href=\"./evidence.json\">evidence.json</a> (JSON)";
    assert!(html.contains(&format!(
        "At most 25 rows per rule are shown here. Every evaluation of every rule, with its verdict: {files}.</p>"
    )));
    assert!(!html.contains("id=\"size-limit\""), "a small page is whole");

    let mut checked = 0;
    for rule in ev["rules"].as_array().expect("rules") {
        let id = rule["id"].as_str().expect("id");
        let count = |k: &str| rule[k].as_u64().expect("count") as usize;
        let (failed, evaluated) = (
            count("failed"),
            count("passed") + count("failed") + count("skipped") + count("suppressed"),
        );
        // the CSV holds the rule's whole population
        let rows = csv
            .lines()
            .filter(|l| l.starts_with(&format!("{id},")))
            .count();
        assert_eq!(rows, evaluated, "{id}");
        if evaluated == 0 {
            continue;
        }
        let more_pop = format!(
            "<tr class=\"more\"><td colspan=\"4\">and {} more in the complete population; every one in {files}</td></tr>",
            evaluated.saturating_sub(25)
        );
        assert_eq!(html.contains(&more_pop), evaluated > 25, "{id}");
        if failed > 10 {
            // 40 buckets: each rule that fails on every one shows ten, counts thirty
            assert_eq!(failed, 40, "{id}");
            let more = format!(
                "<td class=\"mono rule\">{id}</td><td colspan=\"2\">and 30 more failing (40 in all): \
                 <a href=\"#pop-{id}\">its population</a>; every one in {files}</td></tr>"
            );
            assert!(html.contains(&more), "{id}: {more}");
            checked += 1;
        }
    }
    assert!(checked >= 3, "rules failing on every bucket: {checked}");

    // statuses: the page shows each criterion's status as the JSON gives it
    for c in ev["criteria"].as_array().expect("criteria") {
        let id = c["id"].as_str().expect("id");
        let status = c["status"].as_str().expect("status");
        assert!(
            matrix_row(&html, id).contains(&format!("<span class=\"pill {status}\">")),
            "{id}: {status}"
        );
    }
}

#[test]
fn long_lists_show_their_first_rows_and_count_the_rest() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    for i in 0..520 {
        std::fs::write(
            repo.join(format!("broken{i:03}.tf")),
            "resource \"x\" \"y\" {\n",
        )
        .expect("write");
    }
    let out = assert_cmd::Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(tmp.path())
        .env("SOCLINT_NOW", NOW)
        .args(["report", "repo"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let html = String::from_utf8(out.stdout).expect("utf-8");
    assert!(html.contains("<h3>Files not scanned (520)</h3>"));
    assert_eq!(html.matches("<tr><td><code>broken").count(), 500);
    assert!(html.contains("<td><code>broken499.tf</code></td>"));
    assert!(!html.contains("<td><code>broken500.tf</code></td>"));
    assert!(html.contains(
        "<tr class=\"more\"><td colspan=\"4\">and 20 more files: the first 500 are shown; all are in \
         the JSON evidence (<code>--format json:evidence.json</code>)</td></tr>"
    ));
}

/// The page's own counts of what it left out (`>12 more controls not
/// shown: the page is at its size limit`), summed.
fn counted(html: &str) -> usize {
    html.match_indices(" not shown: the page is at its size limit")
        .map(|(i, _)| {
            let before = &html[..i];
            let text = &before[before.rfind('>').expect("tag") + 1..];
            text.split(' ')
                .next()
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or_else(|| panic!("no count in {text:?}"))
        })
        .sum()
}

#[test]
fn the_page_stays_within_its_limit_and_counts_what_it_leaves_out() {
    let (tmp, root) = common::demo_repo();
    let out = tmp.path().join("evidence.json");
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
    let ev: soclint::evidence::Evidence =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("read")).expect("evidence");

    let whole = soclint::evidence::html::render(&ev);
    assert!(whole.len() < MAX_BYTES);
    assert!(!whole.contains("id=\"size-limit\""));

    for limit in [30_000, 60_000, 120_000] {
        let html = soclint::evidence::html::render_within(&ev, Page::with_limit(limit));
        // rows stop at the limit; the rest of the page is headings, notes and the end
        assert!(html.len() < limit + 20_000, "{limit}: {}", html.len());
        assert!(html.ends_with("</main>\n</body>\n</html>\n"));
        let notice = html
            .split("<p class=\"warn\" id=\"size-limit\">This page holds at most 3 MB so that a browser opens it: ")
            .nth(1)
            .expect("the notice");
        let total: usize = notice
            .split(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .expect("a count");
        assert_eq!(total, counted(&html), "{limit}");
        assert!(total > 0);
    }
}
