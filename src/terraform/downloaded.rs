//! Modules `terraform init` downloaded: `.terraform/modules/modules.json` in
//! a root module's directory maps each module call (`vpc`, `vpc.subnets`) to
//! the directory it was put in. Those directories are usually git-ignored, so
//! discovery does not list them: they are read here, through the same
//! confinement as the file functions (never outside the scanned tree, never
//! through a link that leads out of it).
use std::collections::HashMap;

use super::functions::Files;
use crate::discover::{classify_name, FileKind, NameClass};
use crate::parse::{load_bytes, Loaded, ParseOptions};

const MANIFEST: &str = ".terraform/modules/modules.json";

/// The downloaded modules of one root module.
#[derive(Default)]
pub struct Downloaded {
    /// Module key → directory of the scan (as findings name paths).
    pub keys: HashMap<String, String>,
    /// Each downloaded directory and its Terraform files, parsed.
    pub dirs: Vec<(String, Vec<Loaded>)>,
    /// What could not be read.
    pub notices: Vec<String>,
}

#[derive(serde::Deserialize)]
struct Manifest {
    #[serde(rename = "Modules", default)]
    modules: Vec<Entry>,
}

#[derive(serde::Deserialize)]
struct Entry {
    #[serde(rename = "Key", default)]
    key: String,
    #[serde(rename = "Dir", default)]
    dir: String,
}

/// Reads the manifest of the root module at `dir` (as findings name it),
/// whose files `files` reads; nothing when there is none.
pub fn read(files: &Files, dir: &str, root: usize, parse: &ParseOptions) -> Downloaded {
    let mut out = Downloaded::default();
    let Ok(bytes) = files.read(MANIFEST) else {
        return out;
    };
    let manifest: Manifest = match serde_json::from_slice(&bytes) {
        Ok(m) => m,
        Err(e) => {
            out.notices.push(format!(
                "{MANIFEST} is not a module manifest ({e}); downloaded modules not evaluated"
            ));
            return out;
        }
    };
    let shown = |p: &str| {
        if dir.is_empty() {
            p.to_string()
        } else {
            format!("{dir}/{p}")
        }
    };
    for m in manifest.modules {
        let inner = m.dir.trim_start_matches("./").trim_end_matches('/');
        // the root module itself, and local modules discovery already lists
        if m.key.is_empty() || !inner.starts_with(".terraform/modules/") {
            continue;
        }
        let Some(norm) = super::module::join_dir("", &format!("./{inner}")) else {
            continue;
        };
        let target = shown(&norm);
        out.keys.insert(m.key.clone(), target.clone());
        if out.dirs.iter().any(|(d, _)| *d == target) {
            continue;
        }
        let names = match files.set(&norm, "*") {
            Ok(n) => n,
            Err(_) => {
                out.notices.push(format!(
                    "module.{} was downloaded to {norm}, which cannot be read; not evaluated",
                    m.key
                ));
                continue;
            }
        };
        let mut loaded = Vec::new();
        for name in names {
            let NameClass::Known(kind @ (FileKind::Terraform | FileKind::TerraformJson)) =
                classify_name(&name)
            else {
                continue;
            };
            if let Ok(bytes) = files.read(&format!("{norm}/{name}")) {
                loaded.push(load_bytes(
                    &format!("{target}/{name}"),
                    root,
                    kind,
                    bytes,
                    parse,
                ));
            }
        }
        out.dirs.push((target, loaded));
    }
    out
}
