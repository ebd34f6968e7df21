//! `soclint report`: scan, build the evidence model, keep history, render.
use std::path::{Component, Path, PathBuf};

use super::output::{stream_output, write_output};
use super::report_targets::{plan, Target};
use super::{fatal, Fatal, EXIT_OK};
use crate::cli::{ReportArgs, ReportFormat};
use crate::controls::ControlMatrix;
use crate::evidence::model::{self, Inputs};
use crate::evidence::population::{self, Populations};
use crate::evidence::time::parse_utc;
use crate::evidence::{git, html, json, manifest, markdown, org, org_html, oscal};
use crate::evidence::{history, period};
use crate::output_file::Guard;
use crate::project::{
    configured_controls, scan_directory, today, Prepared, RuleOverrides, ScanOverrides,
};

/// The scan time: `SOCLINT_NOW` (`YYYY-MM-DDTHH:MM:SSZ`) when set, else the clock.
fn now() -> Result<i64, Fatal> {
    if let Ok(s) = std::env::var("SOCLINT_NOW") {
        return parse_utc(&s).ok_or_else(|| {
            fatal(format!(
                "SOCLINT_NOW={s} is not a UTC time like 2026-11-25T09:00:00Z"
            ))
        });
    }
    Ok(std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0))
}

/// `soclint report`: scan one repository, build its evidence, keep or show
/// history, and write the report.
pub fn run(args: &ReportArgs) -> Result<u8, Fatal> {
    if !args.merge.is_empty() {
        return merge(args);
    }
    if !args.path.is_dir() {
        return Err(fatal(format!(
            "{} is not a directory; `soclint report` scans a repository",
            args.path.display()
        )));
    }
    let targets = plan(&args.format, args.output.as_deref())?;
    if args.manifest.is_some() && targets.iter().all(|t| t.file.is_none()) {
        return Err(fatal(
            "--manifest hashes the reports written to files: give one (--output FILE or --format FORMAT:FILE)",
        ));
    }
    let flags = ScanOverrides::from(&args.limits);
    let scan_time = now()?;
    let prepared = scan_directory(&args.path, &RuleOverrides::from(&args.rules), &flags, true)?;
    let result = &prepared.result;
    let (matrix, matrix_path) = control_matrix(args, &prepared)?.unzip();
    let evidence_inputs = Inputs {
        result,
        rules: &prepared.rules,
        categories: &prepared.config.categories,
        controls: matrix.as_ref(),
        framework: args.framework,
        git: git::read(&prepared.anchor.base),
        scan_time,
        today: today()?,
        scanned_path: crate::discover::normalise(&args.path),
        link_base: String::new(),
    };
    let mut ev = model::build(evidence_inputs);
    let entry = ev.history_entry(result);
    let guard = Guard::new([args.path.as_path()]);
    if let Some(path) = &args.append_history {
        history::append(path, &entry, &guard).map_err(|e| {
            let message = format!("cannot append to {}: {e}", path.display());
            fatal(crate::escape::terminal(&message))
        })?;
    }
    if let Some(path) = &args.history {
        let read = history::read(path).map_err(fatal)?;
        for problem in &read.problems {
            eprintln!(
                "note: {}: {problem}",
                crate::escape::terminal(&path.display().to_string())
            );
        }
        let mut entries = read.entries;
        // the history shows this run too, unless it was just appended to the same file
        if args.append_history.as_deref() != Some(path.as_path()) {
            entries.push(entry);
        }
        let ids: Vec<&str> = ev.criteria.iter().map(|c| c.id.as_str()).collect();
        if let Some(period) = &args.period {
            let (from, to) = period::parse_period(period).ok_or_else(|| {
                fatal(format!(
                    "--period {}: expected FROM..TO, two dates like 2026-01-01..2026-06-30",
                    crate::escape::terminal(period)
                ))
            })?;
            let criteria: Vec<String> = ev
                .criteria
                .iter()
                .filter(|c| c.in_scope)
                .map(|c| c.id.clone())
                .collect();
            ev.period = Some(period::view(
                &entries,
                from,
                to,
                &model::control_marks(&ev),
                &criteria,
            ));
        }
        ev.history = Some(history::view(&entries, &ids, read.problems));
    }
    let pop = Populations::new(result, &prepared.rules);
    // the complete populations first: the HTML page links to them
    let (full, summaries): (Vec<&Target>, Vec<&Target>) = targets
        .iter()
        .partition(|t| matches!(t.format, ReportFormat::Json | ReportFormat::Csv));
    for t in full.into_iter().chain(summaries) {
        let out = t.file.as_deref();
        ev.link_base = link_base(&args.path, out);
        match t.format {
            ReportFormat::Html => {
                ev.population_links = population_links(out, &targets);
                write_output(out, &html::render(&ev), &guard)?
            }
            ReportFormat::Markdown => write_output(out, &markdown::render(&ev), &guard)?,
            ReportFormat::Json => stream_output(out, &guard, |w| json::write(&ev, &pop, w))?,
            ReportFormat::Csv => {
                let criteria_of = |id: &str| {
                    ev.rule(id)
                        .map(|r| r.criteria.join(" "))
                        .unwrap_or_default()
                };
                stream_output(out, &guard, |w| {
                    population::write_csv(&pop, &criteria_of, w)
                })?
            }
            ReportFormat::OscalAr => stream_output(out, &guard, |w| oscal::write(&ev, &pop, w))?,
        }
    }
    let reports: Vec<&Path> = targets.iter().filter_map(|t| t.file.as_deref()).collect();
    if let Some(path) = &args.manifest {
        let m = super::verify_manifest::build(args, &prepared, matrix_path, &ev, &reports)?;
        let text = manifest::to_text(&m).map_err(fatal)?;
        write_output(Some(path), &text, &guard)?;
    }
    Ok(EXIT_OK)
}

/// The CSV and JSON files of this run, as (format, link relative to the
/// page at `page`): where the HTML page's "and N more" lead.
fn population_links(page: Option<&Path>, targets: &[Target]) -> Vec<(String, String)> {
    targets
        .iter()
        .filter_map(|t| {
            let label = match t.format {
                ReportFormat::Csv => "CSV",
                ReportFormat::Json => "JSON",
                _ => return None,
            };
            Some((label.to_string(), link_to(page, t.file.as_deref()?)?))
        })
        .collect()
}

/// `file` as a link relative to the page at `page` (standard output: the
/// working directory).
fn link_to(page: Option<&Path>, file: &Path) -> Option<String> {
    let from = absolute(page.and_then(parent_dir).unwrap_or(Path::new(".")));
    let dir = absolute(parent_dir(file).unwrap_or(Path::new(".")));
    let name = file.file_name()?.to_string_lossy();
    let rel = relative(&from, &dir);
    Some(if rel.is_empty() {
        name.into_owned()
    } else {
        format!("{rel}/{name}")
    })
}

fn parent_dir(p: &Path) -> Option<&Path> {
    p.parent().filter(|d| !d.as_os_str().is_empty())
}

/// `report --merge`: the organisation report from many JSON reports.
fn merge(args: &ReportArgs) -> Result<u8, Fatal> {
    let targets = plan(&args.format, args.output.as_deref())?;
    if targets
        .iter()
        .any(|t| matches!(t.format, ReportFormat::Csv | ReportFormat::OscalAr))
    {
        return Err(fatal(
            "--merge writes the organisation report as --format html, json or markdown",
        ));
    }
    let files = org::report_files(&args.merge)
        .map_err(|e| fatal(format!("cannot list the reports to merge: {e}")))?;
    // each report read and reduced to its evidence in parallel, in the order given
    let threads = args
        .limits
        .threads
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let read = crate::parallel::in_pool(threads, Some(files.len()), || {
        crate::parallel::map(&files, |f| {
            org::read(f).map(|ev| org::summarise(f.display().to_string(), ev))
        })
    })
    .map_err(fatal)?;
    let reports = read
        .into_iter()
        .collect::<Result<Vec<_>, String>>()
        .map_err(|e| fatal(crate::escape::terminal(&e).into_owned()))?;
    let merged = org::merge(reports);
    let guard = Guard::new(args.merge.iter().map(PathBuf::as_path));
    for t in &targets {
        let text = match t.format {
            ReportFormat::Markdown => org::render_markdown(&merged),
            ReportFormat::Html => {
                let page = t.file.as_deref();
                org_html::render(&merged, &|r| link_to(page, Path::new(&r.file)))
            }
            _ => org::render_json(&merged),
        };
        write_output(t.file.as_deref(), &text, &guard)?;
    }
    Ok(EXIT_OK)
}

/// The control matrix: `--controls FILE`, else the one soclint.toml names
/// (inside the repository when the config is the repository's own).
fn control_matrix(
    args: &ReportArgs,
    prepared: &Prepared,
) -> Result<Option<(ControlMatrix, PathBuf)>, Fatal> {
    let path = match &args.controls {
        Some(p) => Some(p.clone()),
        None => configured_controls(
            &prepared.config,
            prepared.config_path.as_deref(),
            args.rules.config.is_none(),
        )?,
    };
    let Some(path) = path else {
        return Ok(None);
    };
    let shown = crate::discover::normalise(&path);
    Ok(Some((crate::controls::load(&path, &shown)?, path)))
}

/// The prefix that makes a scanned file's path (relative to `root`) a link
/// relative to the report: the way from the report's directory to `root`.
/// On standard output, relative to the working directory.
pub fn link_base(root: &Path, output: Option<&Path>) -> String {
    let from: PathBuf = match output {
        Some(o) => {
            let parent = o.parent().filter(|p| !p.as_os_str().is_empty());
            absolute(parent.unwrap_or(Path::new(".")))
        }
        None => absolute(Path::new(".")),
    };
    let to = absolute(root);
    let rel = relative(&from, &to);
    if rel.is_empty() {
        String::new()
    } else {
        format!("{rel}/")
    }
}

fn absolute(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    })
}

/// `from` → `to` as a relative path with forward slashes (`""` when equal).
pub fn relative(from: &Path, to: &Path) -> String {
    let a: Vec<Component> = from.components().collect();
    let b: Vec<Component> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".to_string(); a.len() - common];
    parts.extend(
        b[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::relative;
    use std::path::Path;

    #[test]
    fn relative_paths() {
        assert_eq!(relative(Path::new("/a/b"), Path::new("/a/b")), "");
        assert_eq!(relative(Path::new("/a/b"), Path::new("/a/b/c/d")), "c/d");
        assert_eq!(
            relative(Path::new("/a/b/out"), Path::new("/a/repo")),
            "../../repo"
        );
    }
}
