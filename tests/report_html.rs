//! The HTML evidence report in headless Chromium: it renders to PNG (at
//! 1280 px) and to PDF without errors, and is self-contained (no scripts, no
//! external fetches). Chromium is the Debian package `chromium`; `.ci/run`
//! installs it and sets SOCLINT_REQUIRE_CHROMIUM=1, so there a missing
//! browser fails the test instead of skipping it.
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Runs Chromium headless with a deadline; returns whether it exited cleanly.
fn run_chromium(bin: &Path, profile: &Path, extra: &[String], url: &str) -> bool {
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status.success();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let (tmp, root) = common::demo_repo();
    let history = tmp.path().join("history.jsonl");
    let history = history.to_str().expect("utf-8").to_string();
    common::three_runs(&root, &history);
    std::fs::write(
        root.join("controls.toml"),
        "[[control]]\nid = \"NET-01\"\ntitle = \"Instances are not reachable from the internet\"\n\
         owner = \"platform@acme.example\"\nfrequency = \"continuous\"\ncriteria = [\"CC6.6\"]\n\
         rules = [\"AWS-EC2-\", \"AWS-VPC-\"]\nevidence = [{ name = \"quarterly firewall review\" }]\n",
    )
    .expect("write");
    let html_path = tmp.path().join("evidence.html");
    let out = assert_cmd::Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(tmp.path())
        .env("SOCLINT_TODAY", "2026-11-25")
        .env("SOCLINT_NOW", "2026-11-25T09:30:00Z")
        .args([
            "report",
            "acme-infra",
            "--format",
            "html:evidence.html",
            "--format",
            "csv:population.csv",
            "--history",
            &history,
            "--controls",
            "acme-infra/controls.toml",
        ])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&html_path).expect("html");

    // self-contained: nothing to fetch, nothing to run
    let lower = html.to_lowercase();
    for needle in [
        "<script", "<link", "<img", "<iframe", "src=", "url(", "@import",
    ] {
        assert!(!lower.contains(needle), "HTML contains `{needle}`");
    }
    // links go to the scanned files, relative to the report, never to the web
    assert!(!lower.contains("href=\"http"), "HTML links to the web");
    assert!(html.contains("<svg class=\"chart\""));
    assert!(html.contains("<svg class=\"timeline\""));
    assert!(html.contains("@media print"));
    assert!(html.contains("href=\"./acme-infra/infra/terraform/storage.tf#L"));
    // the control matrix, the status definitions, and each rule's population
    // collapsed (a <details> the browser's find opens)
    assert!(html.contains("<h2 id=\"controls\">Control matrix</h2>"));
    assert!(html.contains("<li>quarterly firewall review</li>"));
    assert!(html.contains("<h2 id=\"statuses\">How to read the statuses</h2>"));
    assert!(html.contains("<details class=\"pop\" id=\"pop-AWS-EC2-002\">"));
    assert!(!html.contains("<details open"));
    assert!(!lower.contains(">passing<"));
    // the complete population written beside it, linked
    assert!(html.contains("<a href=\"./population.csv\">population.csv</a> (CSV)"));
    assert!(tmp.path().join("population.csv").is_file());

    render_in_chromium(&html_path, "evidence", tmp.path(), 3);
}

/// Renders the page in headless Chromium at 1280 px (PNG) and on A4 (PDF),
/// kept under target/tmp/NAME-report for a person to look at; skipped when
/// there is no Chromium (outside CI).
fn render_in_chromium(html_path: &Path, name: &str, work: &Path, min_pages: usize) {
    let Some(bin) = chromium() else {
        if std::env::var_os("SOCLINT_REQUIRE_CHROMIUM").is_some() {
            panic!("SOCLINT_REQUIRE_CHROMIUM is set but no chromium is on PATH");
        }
        eprintln!(
            "SKIPPED rendering {name} in headless chromium: no chromium on PATH \
             (install the Debian package `chromium`; .ci/run does)"
        );
        return;
    };
    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-report"));
    std::fs::create_dir_all(&out_dir).expect("mkdir");
    std::fs::copy(html_path, out_dir.join(format!("{name}.html"))).expect("copy");
    let png = out_dir.join(format!("{name}-1280.png"));
    let pdf = out_dir.join(format!("{name}.pdf"));
    let _ = std::fs::remove_file(&png);
    let _ = std::fs::remove_file(&pdf);
    let url = format!("file://{}", html_path.display());
    let profile = work.join(format!("chromium-profile-{name}"));

    assert!(
        run_chromium(
            &bin,
            &profile,
            &[
                format!("--screenshot={}", png.display()),
                "--window-size=1280,2400".into()
            ],
            &url
        ),
        "chromium --screenshot failed"
    );
    let png_bytes = std::fs::read(&png).expect("png written");
    assert!(png_bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let width = u32::from_be_bytes([png_bytes[16], png_bytes[17], png_bytes[18], png_bytes[19]]);
    assert_eq!(width, 1280);
    assert!(png_bytes.len() > 50_000, "suspiciously small screenshot");

    assert!(
        run_chromium(
            &bin,
            &profile,
            &[
                format!("--print-to-pdf={}", pdf.display()),
                "--no-pdf-header-footer".into()
            ],
            &url
        ),
        "chromium --print-to-pdf failed"
    );
    let pdf_bytes = std::fs::read(&pdf).expect("pdf written");
    assert!(pdf_bytes.starts_with(b"%PDF-"), "not a PDF");
    let pages = pdf_bytes
        .windows(b"/Type /Page\n".len() - 1)
        .filter(|w| w == b"/Type /Page" || w == b"/Type/Page")
        .count();
    assert!(
        pages >= min_pages,
        "expected at least {min_pages} pages, got {pages} page objects"
    );
    eprintln!("screenshot: {}\npdf: {}", png.display(), pdf.display());
}

/// The organisation page: three repositories with a control matrix merged
/// (`report --merge --format html`), rendered like the repository's page.
#[test]
fn organisation_page_renders_in_headless_chromium() {
    let (tmp, root) = common::demo_repo();
    std::fs::write(
        root.join("controls.toml"),
        "[[control]]\nid = \"NET-01\"\ntitle = \"Instances are not reachable from the internet\"\n\
         owner = \"platform@acme.example\"\nfrequency = \"continuous\"\ncriteria = [\"CC6.6\"]\n\
         rules = [\"AWS-EC2-\", \"AWS-VPC-\"]\n\n\
         [[control]]\nid = \"SEC-01\"\ntitle = \"Vulnerabilities can be reported\"\n\
         owner = \"security@acme.example\"\nfrequency = \"continuous\"\ncriteria = [\"CC2.3\"]\n\
         rules = [\"CC2.3\"]\n",
    )
    .expect("write");
    let reports = tmp.path().join("reports");
    std::fs::create_dir(&reports).expect("mkdir");
    let report = |name: &str| {
        let out = assert_cmd::Command::cargo_bin("soclint")
            .expect("binary")
            .current_dir(&root)
            .env("SOCLINT_NOW", "2026-11-25T09:30:00Z")
            .args([
                "report",
                ".",
                "--controls",
                "controls.toml",
                "--format",
                &format!("json:{}", reports.join(name).display()),
            ])
            .output()
            .expect("runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    report("payments.json");
    std::fs::write(
        root.join("SECURITY.md"),
        "# Security\nReport vulnerabilities to security@example.com.\n",
    )
    .expect("write");
    report("web.json");
    std::fs::remove_dir_all(root.join("infra")).expect("rm");
    report("docs.json");
    // three repositories: each report names its own
    for (file, name) in [
        ("payments", "acme/payments"),
        ("web", "acme/web"),
        ("docs", "acme/docs"),
    ] {
        let path = reports.join(format!("{file}.json"));
        let mut v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        v["header"]["repository"] = format!("https://git.example/{name}.git").into();
        std::fs::write(&path, serde_json::to_string(&v).expect("json")).expect("write");
    }
    let out = assert_cmd::Command::cargo_bin("soclint")
        .expect("binary")
        .current_dir(tmp.path())
        .args(["report", "--merge", "reports", "--format", "html:org.html"])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html_path = tmp.path().join("org.html");
    let html = std::fs::read_to_string(&html_path).expect("html");
    assert!(html.contains("<h2 id=\"controls\">Controls across the repositories</h2>"));
    assert!(html.contains("<td class=\"id\">NET-01</td>"));
    assert!(html.contains("<a href=\"./reports/web.json\">reports/web.json</a>"));
    render_in_chromium(&html_path, "organisation", tmp.path(), 2);
}
