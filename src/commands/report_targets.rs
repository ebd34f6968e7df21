//! Where `soclint report` writes each format: `--format FORMAT[:FILE]`
//! (repeatable) and `--output FILE`, as `check` reads them, so one scan can
//! write the HTML summary and the complete population beside it.
use std::path::{Path, PathBuf};

use super::{fatal, Fatal};
use crate::cli::ReportFormat;

/// One report to write: its format and file (`None`: standard output).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub format: ReportFormat,
    pub file: Option<PathBuf>,
}

/// `--format FORMAT[:FILE]` (default `html`) and `--output FILE` → the
/// reports to write, in the order given. At most one goes to standard output.
pub fn plan(formats: &[String], output: Option<&Path>) -> Result<Vec<Target>, Fatal> {
    let parse = |s: &str| <ReportFormat as clap::ValueEnum>::from_str(s, true).ok();
    let mut plan = Vec::new();
    for spec in formats {
        let target = match spec.split_once(':') {
            Some((f, file)) if !file.is_empty() && parse(f).is_some() => Target {
                format: parse(f).unwrap_or(ReportFormat::Html),
                file: Some(PathBuf::from(file)),
            },
            _ => Target {
                format: parse(spec).ok_or_else(|| {
                    fatal(format!(
                        "unknown report format `{}` (expected html, markdown, json, csv or oscal-ar, optionally FORMAT:FILE)",
                        crate::escape::terminal(spec)
                    ))
                })?,
                file: None,
            },
        };
        plan.push(target);
    }
    if plan.is_empty() {
        plan.push(Target {
            format: ReportFormat::Html,
            file: None,
        });
    }
    if let Some(out) = output {
        match plan.iter_mut().find(|t| t.file.is_none()) {
            Some(t) => t.file = Some(out.to_path_buf()),
            None => {
                return Err(fatal(
                    "--output: every --format already names its file (FORMAT:FILE)",
                ))
            }
        }
    }
    if plan.iter().filter(|t| t.file.is_none()).count() > 1 {
        return Err(fatal(
            "only one report can go to standard output; give the others a file \
             (--format csv:population.csv)",
        ));
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn formats_and_files() {
        let p = plan(&[], None).ok().expect("plan");
        assert_eq!(
            p,
            [Target {
                format: ReportFormat::Html,
                file: None
            }]
        );
        let p = plan(
            &specs(&["html", "csv:out/pop.csv"]),
            Some(Path::new("e.html")),
        )
        .ok()
        .expect("plan");
        assert_eq!(
            p,
            [
                Target {
                    format: ReportFormat::Html,
                    file: Some("e.html".into())
                },
                Target {
                    format: ReportFormat::Csv,
                    file: Some("out/pop.csv".into())
                }
            ]
        );
        // a Windows-like path after the format keeps its colon
        let p = plan(&specs(&["json:C:/r.json"]), None).ok().expect("plan");
        assert_eq!(p[0].file.as_deref(), Some(Path::new("C:/r.json")));
        assert!(plan(&specs(&["html", "csv"]), None).is_err());
        assert!(plan(&specs(&["pdf"]), None).is_err());
        assert!(plan(&specs(&["html:a.html"]), Some(Path::new("b"))).is_err());
    }
}
