//! `soclint verify-manifest FILE [--root DIR]`, and the manifest that
//! `soclint report --manifest FILE` writes beside its report
//! ([`crate::evidence::manifest`] holds the format and the checks).
use std::path::{Path, PathBuf};

use super::{fatal, Fatal, EXIT_FINDINGS, EXIT_OK};
use crate::cli::{ReportArgs, VerifyManifestArgs};
use crate::evidence::manifest::{self, BuiltinPack, Manifest, Problem, Ruleset};
use crate::evidence::Evidence;
use crate::project::Prepared;

/// The manifest of one `report` run: the files it discovered, the custom
/// rule files of its active rules, its config and control matrix, and the
/// report just written at `report`.
pub fn build(
    args: &ReportArgs,
    prepared: &Prepared,
    matrix: Option<PathBuf>,
    ev: &Evidence,
    reports: &[&Path],
) -> Result<Manifest, Fatal> {
    let failed =
        |e: String| fatal(crate::escape::terminal(&format!("--manifest: {e}")).into_owned());
    let root = args.path.as_path();
    // what this run writes is not its input, though an earlier run's copy
    // was discovered (and would no longer match once replaced)
    let outputs: Vec<String> = reports
        .iter()
        .copied()
        .chain(args.manifest.as_deref())
        .filter_map(|p| manifest::relative_inside(root, p))
        .collect();
    let discovered: Vec<String> = prepared
        .result
        .discovered
        .iter()
        .filter(|d| !outputs.contains(d))
        .cloned()
        .collect();
    let inputs = manifest::hash_inputs(root, &discovered).map_err(failed)?;
    let mut unverifiable = Vec::new();

    let mut rule_paths: Vec<&str> = prepared
        .rules
        .rules
        .iter()
        .map(|r| r.meta.origin.as_str())
        .filter(|o| !o.starts_with("builtin:"))
        .collect();
    rule_paths.sort_unstable();
    rule_paths.dedup();
    let mut rule_files = Vec::new();
    for p in rule_paths {
        manifest::record(
            root,
            Path::new(p),
            "rule-file",
            &mut rule_files,
            &mut unverifiable,
        )
        .map_err(failed)?;
    }
    let mut config = Vec::new();
    for p in prepared.config_path.iter().chain(matrix.as_ref()) {
        manifest::record(root, p, "config", &mut config, &mut unverifiable).map_err(failed)?;
    }
    let base = args
        .manifest
        .as_deref()
        .map(manifest::manifest_dir)
        .unwrap_or_else(|| PathBuf::from("."));
    let mut report_hashes = Vec::new();
    for report in reports {
        manifest::record(
            &base,
            report,
            "report",
            &mut report_hashes,
            &mut unverifiable,
        )
        .map_err(failed)?;
    }

    let builtin_used = prepared
        .rules
        .rules
        .iter()
        .any(|r| r.meta.origin.starts_with("builtin:"));
    Ok(Manifest {
        soclint_manifest: manifest::FORMAT,
        soclint_version: crate::version::VERSION.to_string(),
        created: ev.header.scan_time.clone(),
        scanned_path: ev.header.scanned_path.clone(),
        ruleset: Ruleset {
            active_sha256: ev.header.ruleset_hash.clone(),
            active_rules: ev.header.rules_active,
            builtin: builtin_used.then(|| BuiltinPack {
                version: crate::version::VERSION.to_string(),
                sha256: manifest::builtin_pack_hash(),
            }),
        },
        inputs,
        rule_files,
        config,
        reports: report_hashes,
        unverifiable,
    })
}

/// Verifies a manifest: exit 0 when every file matches, 1 naming each one
/// changed, missing or refused, 2 when the manifest cannot be read.
pub fn run(args: &VerifyManifestArgs) -> Result<u8, Fatal> {
    let shown = |p: &Path| crate::escape::terminal(&p.display().to_string()).into_owned();
    let m = manifest::read(&args.manifest).map_err(|e| {
        fatal(format!(
            "{} {}",
            shown(&args.manifest),
            crate::escape::terminal(&e)
        ))
    })?;
    if !args.root.is_dir() {
        return Err(fatal(format!(
            "--root {} is not a directory",
            shown(&args.root)
        )));
    }
    let v = manifest::verify(&m, &args.root, &manifest::manifest_dir(&args.manifest));
    let t = |s: &str| crate::escape::terminal(s).into_owned();
    for note in &v.notes {
        eprintln!("note: {}", t(note));
    }
    for p in &v.problems {
        match p {
            Problem::Changed { path } => println!("changed: {} (SHA-256 differs)", t(path)),
            Problem::Missing { path } => println!("missing: {}", t(path)),
            Problem::Refused { path, why } => println!("refused: {} {}", t(path), t(why)),
        }
    }
    if v.problems.is_empty() {
        println!(
            "verified: {} match the manifest",
            crate::wording::plural(v.checked, "file", "files")
        );
        Ok(EXIT_OK)
    } else {
        println!(
            "not verified: {} of {} do not match the manifest",
            v.problems.len(),
            crate::wording::plural(v.checked, "file", "files")
        );
        Ok(EXIT_FINDINGS)
    }
}
