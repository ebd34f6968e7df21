//! `soclint init`: adopt the gate on an existing repository in one command.
//! It looks at what the repository holds, writes a commented `soclint.toml`
//! at its root (never over an existing one) and, with `--baseline`, the
//! baseline of today's findings that file names. A second run finds the
//! same and writes the same bytes, so it changes nothing.
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use super::output::{print, write_output};
use super::{fatal, Fatal, EXIT_OK};
use crate::cli::InitArgs;
use crate::config::{self, Config};
use crate::discover::{Discovered, Root};
use crate::filter::{self, FilterOptions};
use crate::finding::ScanResult;
use crate::inspect::{self, Ci, SkipComment};
use crate::output_file::Guard;
use crate::project::{
    build_rules, config_display, configured_baseline, find_config, rules_for_listing,
    run_scan_found, scan_options, Anchor, ConfigChoice, RuleOverrides, ScanOverrides,
};
use crate::scan;
use crate::wording::plural;

/// `init --controls`: a starter control matrix from the built-in rules,
/// beside soclint.toml, unless one is there (it is the team's).
fn starter_controls(root: &Path, guard: &Guard, out: &mut String) -> Result<(), Fatal> {
    let path = root.join(crate::controls::FILE_NAME);
    if path.symlink_metadata().is_ok() {
        let _ = writeln!(out, "{} exists: left as it is", crate::controls::FILE_NAME);
        return Ok(());
    }
    let text = crate::controls::starter(&rules_for_listing(&RuleOverrides::default(), false)?);
    write_output(Some(&path), &text, guard)?;
    let _ = writeln!(
        out,
        "wrote {} (a starter: set owners and frequencies; name it in soclint.toml as controls = \"{}\")",
        crate::controls::FILE_NAME,
        crate::controls::FILE_NAME
    );
    Ok(())
}

/// The baseline `init --baseline` writes, beside soclint.toml.
const BASELINE: &str = ".soclint-baseline.json";

pub fn run(args: &InitArgs) -> Result<u8, Fatal> {
    if !args.path.is_dir() {
        return Err(fatal(format!("{} is not a directory", args.path.display())));
    }
    let anchor = Anchor::of(std::slice::from_ref(&args.path));
    let root = anchor.base.clone();
    let config_file = root.join(config::FILE_NAME);
    let flags = ScanOverrides {
        threads: args.threads,
        ..ScanOverrides::default()
    };
    let guard = Guard::new([root.as_path()]);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "soclint init: {} ({})",
        root.display(),
        if anchor.in_repository {
            "a repository"
        } else {
            "no .git found: taken as the repository root"
        }
    );

    // an existing soclint.toml is the team's: it is read, never rewritten
    let existing = config_file.symlink_metadata().is_ok();
    let (config, config_path, files, policy_dir) = if existing {
        let root_anchor = Anchor::of(std::slice::from_ref(&root));
        let (config, path) = find_config(ConfigChoice::default(), &root_anchor)?;
        let files = discover(&root, &config, &flags)?;
        let dir = config
            .policy_paths
            .as_ref()
            .and_then(|p| p.first().cloned());
        (config, path, files, dir)
    } else {
        let files = discover(&root, &Config::default(), &flags)?;
        let dir = inspect::policy_directory(&files, crate::parse::DEFAULT_MAX_FILE_SIZE);
        // the settings init writes, to scan with them
        let proposed = Config {
            policy_paths: dir.clone().map(|d| vec![d]),
            baseline: args.baseline.then(|| BASELINE.to_string()),
            ..Config::default()
        };
        (proposed, None, files, dir)
    };
    let (result, rules_total) = scan_root(&root, &config, config_path.as_deref(), &flags)?;
    let ci = inspect::ci_systems(&files);
    let all_rules = rules_for_listing(&RuleOverrides::default(), false)?;
    let skips = inspect::skip_comments(&files, &all_rules, crate::parse::DEFAULT_MAX_FILE_SIZE);

    let _ = writeln!(out, "  holds: {}", holdings(&result.kinds));
    let _ = writeln!(
        out,
        "  CI: {}",
        if ci.is_empty() {
            "none found".to_string()
        } else {
            ci.iter()
                .map(|c| format!("{} ({})", c.name, c.file))
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    let _ = writeln!(
        out,
        "  policies: {}",
        match &policy_dir {
            Some(d) => format!("{d}/ (the policy rules run)"),
            None => "no policy directory found (the policy rules stay off)".to_string(),
        }
    );
    let _ = writeln!(
        out,
        "  skip comments of other scanners: {}",
        match skips.len() {
            0 => "none".to_string(),
            n => format!("{n} (listed in soclint.toml)"),
        }
    );

    if !existing {
        let written = config_text(
            &result.kinds,
            &ci,
            policy_dir.as_deref(),
            &skips,
            args.baseline,
        );
        // what init writes must read back as the config it scanned with
        config::parse(config::FILE_NAME, &written).map_err(|e| {
            fatal(format!(
                "soclint init wrote an invalid config: {}",
                e.message
            ))
        })?;
        write_output(Some(&config_file), &written, &guard)?;
        let _ = writeln!(out, "wrote {}", config::FILE_NAME);
    } else {
        let _ = writeln!(
            out,
            "{} exists: left as it is (init never rewrites it)",
            config_display(config_path.as_deref(), &root)
        );
    }

    if args.baseline {
        let named = if existing {
            configured_baseline(&config, config_path.as_deref(), true)?
        } else {
            Some(root.join(BASELINE))
        };
        let target = match named {
            Some(t) => t,
            None => {
                // the team's file gets the one key, before its first table
                let path = config_path.clone().unwrap_or_else(|| config_file.clone());
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| fatal(format!("cannot read {}: {e}", path.display())))?;
                let with = with_baseline_key(&text);
                config::parse(config::FILE_NAME, &with).map_err(|e| {
                    fatal(format!(
                        "cannot add `baseline` to {}: {}",
                        path.display(),
                        e.message
                    ))
                })?;
                write_output(Some(&path), &with, &guard)?;
                let _ = writeln!(
                    out,
                    "added `baseline = \"{BASELINE}\"` to {}",
                    config_display(Some(&path), &root)
                );
                root.join(BASELINE)
            }
        };
        let rendered = filter::baseline::render(&result.findings, filter::baseline::gaps(&result));
        let same = std::fs::read_to_string(&target).is_ok_and(|t| t == rendered);
        if same {
            let _ = writeln!(
                out,
                "{} is up to date ({} findings)",
                shown(&target, &root),
                result.findings.len()
            );
        } else {
            write_output(Some(&target), &rendered, &guard)?;
            let _ = writeln!(
                out,
                "wrote {} ({} accepted; `check` reports only findings not in it)",
                shown(&target, &root),
                plural(result.findings.len(), "finding", "findings")
            );
        }
    } else if !result.findings.is_empty() {
        let _ = writeln!(
            out,
            "{} today with {} rules; `soclint init --baseline` accepts them so only new ones fail the gate",
            plural(result.findings.len(), "finding", "findings"),
            rules_total
        );
    }
    let _ = writeln!(out, "next: soclint check");
    if args.controls {
        starter_controls(&root, &guard, &mut out)?;
    }
    print(&out);
    Ok(EXIT_OK)
}

/// The files under `root` as a scan would find them with `config`.
fn discover(root: &Path, config: &Config, flags: &ScanOverrides) -> Result<Vec<Discovered>, Fatal> {
    let opts = scan_options(vec![root_of(root)], true, config, flags, false, false)?;
    Ok(scan::discover(&opts).files)
}

fn root_of(root: &Path) -> Root {
    Root {
        path: root.to_path_buf(),
        is_dir: true,
        display_prefix: String::new(),
    }
}

/// Today's findings of the repository with `config` (suppressions and
/// waivers applied, no baseline), and how many rules ran.
fn scan_root(
    root: &Path,
    config: &Config,
    config_path: Option<&Path>,
    flags: &ScanOverrides,
) -> Result<(ScanResult, usize), Fatal> {
    let overrides = RuleOverrides::default();
    let rules = build_rules(&overrides, config, config_path, true)?;
    let opts = scan_options(vec![root_of(root)], true, config, flags, false, false)?;
    let mut result = crate::parallel::in_pool(opts.threads, None, || {
        run_scan_found(&opts, &rules, None, None)
    })
    .map_err(fatal)??;
    filter::apply(
        &mut result,
        &FilterOptions {
            today: opts.eval.today,
            waivers: &config.waiver,
            suppressions: config.suppressions,
            config_path: config_display(config_path, root),
            selection: Some(&rules.selection),
            ..FilterOptions::default()
        },
    );
    Ok((result, rules.rules.len()))
}

/// "12 Terraform files, 3 Dockerfiles", from the files scanned by kind.
fn holdings(kinds: &BTreeMap<&'static str, usize>) -> String {
    if kinds.is_empty() {
        return "no file soclint reads".to_string();
    }
    kinds
        .iter()
        .map(|(kind, n)| {
            let (one, many) = match *kind {
                "terraform" => ("Terraform file", "Terraform files"),
                "terraform-json" => ("Terraform JSON file", "Terraform JSON files"),
                "cloudformation" => ("CloudFormation template", "CloudFormation templates"),
                "kubernetes" => ("Kubernetes manifest", "Kubernetes manifests"),
                "github-workflow" => ("GitHub Actions workflow", "GitHub Actions workflows"),
                "github-action" => ("GitHub action", "GitHub actions"),
                "docker-compose" => ("Compose file", "Compose files"),
                "dockerfile" => ("Dockerfile", "Dockerfiles"),
                "iam-policy" => ("IAM policy", "IAM policies"),
                "policy-document" => ("policy document", "policy documents"),
                other => (other, other),
            };
            plural(*n, one, many)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn shown(path: &Path, root: &Path) -> String {
    crate::discover::relative_to(path, root)
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| path.display().to_string())
}

/// The soclint.toml init writes: every setting it decided, with why, and
/// the ones a team usually decides next, commented out.
fn config_text(
    kinds: &BTreeMap<&'static str, usize>,
    ci: &[Ci],
    policy_dir: Option<&str>,
    skips: &[SkipComment],
    baseline: bool,
) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# soclint.toml, written by `soclint init`: the settings of the SOC 2 gate for this\n\
         # repository (README: Configuration). Commit it; `soclint check` reads it from here.\n#\n\
         # What init found: {}.",
        holdings(kinds)
    );
    if !ci.is_empty() {
        let names: Vec<String> = ci
            .iter()
            .map(|c| format!("{} ({})", c.name, c.file))
            .collect();
        let _ = writeln!(
            s,
            "# CI: {}. The README's \"CI and pre-commit\" section shows the steps.",
            names.join(", ")
        );
    }
    s.push('\n');
    s.push_str(
        "# The SOC 2 categories in the audit's scope; security (the common criteria) is\n\
         # always in. Rules whose criteria are all elsewhere do not run (check says how many).\n\
         # categories = [\"availability\", \"confidentiality\", \"processing-integrity\", \"privacy\"]\n\n",
    );
    match policy_dir {
        Some(dir) => {
            let _ = writeln!(
                s,
                "# Where the repository keeps its policies: the documents there are checked\n\
                 # (owner, approval, review date, required sections) and the required set\n\
                 # must be present (DOC-REQ-*). Found by init.\n\
                 policy-paths = [{}]\n",
                toml_string(dir)
            );
        }
        None => s.push_str(
            "# Where the repository keeps its policies. While it is unset the policy rules\n\
             # stay off (this repository holds no policy documents init could find);\n\
             # set it when the policies live here.\n\
             # policy-paths = [\"policies\"]\n\n",
        ),
    }
    s.push_str(
        "# The lowest severity that fails the run: critical, high, medium, low or never.\n\
         fail-on = \"low\"\n\n",
    );
    if baseline {
        let _ = writeln!(
            s,
            "# Findings accepted when the gate was adopted (`soclint init --baseline`):\n\
             # `check` reports only findings not in it. `soclint baseline` rewrites it.\n\
             baseline = {}\n",
            toml_string(BASELINE)
        );
    } else {
        s.push_str(
            "# To accept today's findings and fail only on new ones: `soclint init --baseline`\n\
             # (or `soclint baseline`, then set this).\n\
             # baseline = \".soclint-baseline.json\"\n\n",
        );
    }
    s.push_str(
        "# Paths not to scan (globs relative to this file), e.g. vendored code.\n\
         # exclude = [\"vendor/**\"]\n",
    );
    if !skips.is_empty() {
        s.push_str(
            "\n# Skip comments of other scanners in this repository. soclint does not read\n\
             # them; each accepted exception needs its own `soclint:ignore RULE reason=\"...\"`\n\
             # comment on the line, or a waiver such as the ones below (uncomment to use).\n",
        );
        for skip in skips {
            let covered = if skip.rules.is_empty() {
                "no soclint rule maps to it".to_string()
            } else {
                format!("soclint {}", skip.rules.join(", "))
            };
            let _ = writeln!(
                s,
                "#   {}:{} {} {} ({covered})",
                one_line(&skip.path),
                skip.line,
                skip.tool,
                one_line(&skip.check)
            );
        }
        for skip in skips.iter().filter(|s| !s.rules.is_empty()) {
            for rule in &skip.rules {
                let reason = match &skip.reason {
                    Some(r) => format!("accepted in {} ({}): {}", skip.tool, skip.check, r),
                    None => format!("accepted in {} ({})", skip.tool, skip.check),
                };
                let _ = writeln!(
                    s,
                    "# [[waiver]]\n# rule = {}\n# path = {}\n# reason = {}",
                    toml_string(rule),
                    toml_string(&skip.path),
                    toml_string(&reason)
                );
            }
        }
    }
    s
}

/// `text` (a soclint.toml without `baseline`) with the key added before its
/// first table (a key after `[[waiver]]` would belong to the waiver).
fn with_baseline_key(text: &str) -> String {
    let key = format!(
        "# Findings accepted when the gate was adopted (`soclint init --baseline`).\nbaseline = {}\n",
        toml_string(BASELINE)
    );
    let mut at = text.len();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with('[') {
            at = offset;
            break;
        }
        offset += line.len();
    }
    let (head, tail) = text.split_at(at);
    let sep = if head.is_empty() || head.ends_with("\n\n") {
        ""
    } else if head.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    let after = if tail.is_empty() { "" } else { "\n" };
    format!("{head}{sep}{key}{after}{tail}")
}

/// A TOML basic string (what a repository names may hold any character).
fn toml_string(s: &str) -> String {
    toml::Value::String(one_line(s)).to_string()
}

/// Text from the repository on one comment line: control characters (a
/// line break would end the comment) shown as `\u{..}`.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::with_baseline_key;

    /// The key goes before the first table, never into a `[[waiver]]`.
    #[test]
    fn the_baseline_key_goes_before_the_first_table() {
        let key = "# Findings accepted when the gate was adopted (`soclint init --baseline`).\nbaseline = \".soclint-baseline.json\"\n";
        assert_eq!(with_baseline_key(""), key);
        assert_eq!(
            with_baseline_key("fail-on = \"high\""),
            format!("fail-on = \"high\"\n\n{key}")
        );
        assert_eq!(
            with_baseline_key("fail-on = \"high\"\n\n[[waiver]]\nrule = \"X\"\n"),
            format!("fail-on = \"high\"\n\n{key}\n[[waiver]]\nrule = \"X\"\n")
        );
        let c = crate::config::parse(
            "soclint.toml",
            &with_baseline_key("[[waiver]]\nrule = \"X\"\npath = \"a\"\n"),
        )
        .expect("valid");
        assert_eq!(c.baseline.as_deref(), Some(".soclint-baseline.json"));
        assert_eq!(c.waiver.len(), 1);
    }
}
