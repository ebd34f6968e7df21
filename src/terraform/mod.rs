//! A static Terraform evaluator: what `terraform plan` would see, without
//! providers or state, and never a guess.
//!
//! * [`eval`]: expressions (hcl-edit's AST) → document [`Node`]s whose spans
//!   point at the source; unknown values stay [`Value::Expr`].
//! * [`functions`]: the pure built-in functions.
//! * [`types`]: type constraints, conversion and unification.
//! * [`value`]: helpers on values shared by all of the above.
//! * [`source`]: a module directory's parsed files.
//! * [`memo`]: parses and variable defaults made once per thread, shared
//!   by every instance of a module.
//! * [`module`]: a module instance — variables, locals, `count`/`for_each`,
//!   `dynamic` blocks, local module calls, outputs.
//! * [`policy`]: IAM policies written in Terraform → `policy_statement`s.
//! * [`plan`]: `terraform show -json` plans.
//! * [`downloaded`]: modules `terraform init` put under `.terraform/modules`.
//! * [`terragrunt`]: a `terragrunt.hcl`'s module source and inputs.
//!
//! [`Node`]: crate::document::Node
//! [`Value::Expr`]: crate::document::Value::Expr
pub mod downloaded;
pub mod eval;
pub mod functions;
mod memo;
pub mod module;
pub mod plan;
pub mod policy;
pub mod providers;
pub mod source;
pub mod terragrunt;
pub mod types;
pub mod value;
pub mod variables;

pub use module::{evaluate_root, local_calls, EvalResource, Output};
pub use source::{FileSrc, ModuleDir};

/// Variable values from the command line for every root module (the
/// Terraform stage's part of the scan options).
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// `--var-file`, in the order given.
    pub var_files: Vec<std::path::PathBuf>,
    /// `--var name=value`, in the order given (last wins).
    pub vars: Vec<(String, String)>,
}

/// A root module's variable values and where each was set, with the
/// variable files read (their shown path and text: findings may point into
/// them), lowest precedence first as Terraform applies them:
/// `terraform.tfvars`, `terraform.tfvars.json`, `*.auto.tfvars` (sorted), then
/// `--var-file` and `--var` in the order given. The files are taken from the
/// directory's discovered files (no second listing of the directory; a
/// git-ignored variable file is not read, as CI would not have it) and read
/// under `--max-file-size`; a file over it is not read, and a notice says so.
/// The variable files read get the file indices from `first_file` on; a
/// `--var-file` is one of them when `inside` gives it a path in the scan,
/// else its values are set "in --var-file PATH" with no place.
pub fn root_inputs(
    chunk: &[crate::discover::Discovered],
    inputs: &Inputs,
    parse: &crate::parse::ParseOptions,
    first_file: usize,
    inside: &dyn Fn(&std::path::Path) -> Option<String>,
) -> RootInputs {
    use crate::document::{FileSpan, SetBy};
    let mut out = RootInputs::default();
    let name =
        |d: &crate::discover::Discovered| d.rel.rsplit('/').next().unwrap_or(&d.rel).to_string();
    // (path to read, path to show, whether it is a file of the scan)
    let mut files: Vec<(std::path::PathBuf, String, bool)> = Vec::new();
    for wanted in ["terraform.tfvars", "terraform.tfvars.json"] {
        files.extend(
            chunk
                .iter()
                .filter(|d| name(d) == wanted)
                .map(|d| (d.path.clone(), d.rel.clone(), true)),
        );
    }
    let mut auto: Vec<(String, std::path::PathBuf, String)> = chunk
        .iter()
        .map(|d| (name(d), d.path.clone(), d.rel.clone()))
        .filter(|(n, _, _)| n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json"))
        .collect();
    auto.sort();
    files.extend(auto.into_iter().map(|(_, p, r)| (p, r, true)));
    files.extend(inputs.var_files.iter().map(|p| match inside(p) {
        Some(rel) => (p.clone(), rel, true),
        None => (p.clone(), p.display().to_string(), false),
    }));
    for (f, shown, in_scan) in files {
        let bytes = match parse.read(&f) {
            Ok(crate::parse::Capped::Read(bytes)) => bytes,
            Ok(crate::parse::Capped::TooLarge(size)) => {
                out.notices.push(crate::finding::Notice {
                    path: shown,
                    message: format!(
                        "variables file of {size} bytes is over --max-file-size ({} bytes); its values were not read",
                        parse.max_file_size
                    ),
                });
                continue;
            }
            Err(_) => continue,
        };
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        let json = f.to_string_lossy().ends_with(".json");
        let doc = if json {
            crate::document::json::parse(&text, &parse.limits)
        } else {
            crate::document::hcl::parse(&text, &parse.limits)
        };
        let Ok(doc) = doc else { continue };
        let file = in_scan.then(|| first_file + out.files.len());
        let file_name = shown.rsplit('/').next().unwrap_or(&shown).to_string();
        for (var, value, span) in module::tfvars(&doc, &text, json) {
            let set_by = match file {
                Some(i) => SetBy::new(
                    Some(FileSpan::new(i, span)),
                    format!("`{var}` in {file_name}"),
                ),
                None => SetBy::new(None, format!("`{var}` in --var-file {shown}")),
            };
            out.values.insert(var, (value, set_by));
        }
        if file.is_some() {
            out.files.push(VarFile {
                rel: shown,
                text: std::sync::Arc::from(text),
                doc,
                json,
            });
        }
    }
    for (k, v) in &inputs.vars {
        let set_by = SetBy::new(None, format!("--var {k}"));
        out.values.insert(k.clone(), (module::cli_value(v), set_by));
    }
    out
}

/// What [`root_inputs`] gives a root module.
#[derive(Default)]
pub struct RootInputs {
    pub values: module::RootInputs,
    /// The variable files read that are files of the scan.
    pub files: Vec<VarFile>,
    pub notices: Vec<crate::finding::Notice>,
}

/// A variables file of the scan that was read: findings whose values were
/// set there point into it, and its suppression comments count.
pub struct VarFile {
    pub rel: String,
    pub text: std::sync::Arc<str>,
    pub doc: crate::document::Node,
    pub json: bool,
}
