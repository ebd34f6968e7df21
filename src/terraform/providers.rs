//! Which version of each provider a root module runs with, for rules whose
//! verdict depends on a provider default that changed (`provider_default`):
//! the exact version `terraform init` recorded in `.terraform.lock.hcl`,
//! else the lowest version the `required_providers` constraints admit
//! (`>= 2.0.0` → 2.0.0, `~> 4.0` → 4.0, `= 5.1.0` → 5.1.0). A provider with
//! neither, or only upper bounds, has no entry: its version is unknown.
//! The root module's versions apply to every module it calls, as in Terraform.
use crate::document::{Limits, Node, Value};
pub use crate::rules::version::ProviderVersions;
use crate::rules::version::{self, Version};
use crate::terraform::functions::Files;
use crate::terraform::ModuleDir;

const LOCK_FILE: &str = ".terraform.lock.hcl";

/// The versions for the root module `module`, whose directory `files` reads
/// (nothing outside the scanned root: [`Files`] refuses it).
pub fn read(files: Option<&Files>, module: &ModuleDir, limits: &Limits) -> ProviderVersions {
    let mut out = ProviderVersions::new();
    for f in &module.files {
        for (name, constraint) in required(f.doc) {
            if let Some(v) = lowest_admitted(&constraint) {
                out.insert(name, v);
            }
        }
    }
    // the lock file's exact versions win over the constraints' lower bounds
    let lock = files
        .and_then(|f| f.read(LOCK_FILE).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok());
    if let Some(doc) = lock.and_then(|t| crate::document::hcl::parse(&t, limits).ok()) {
        out.extend(locked(&doc));
    }
    out
}

/// `provider "registry.terraform.io/hashicorp/aws" { version = "5.31.0" }`
/// → ("aws", 5.31.0).
fn locked(doc: &Node) -> Vec<(String, Version)> {
    entries(doc, "provider")
        .flat_map(|providers| providers.as_map().unwrap_or(&[]).iter())
        .filter_map(|e| {
            let name = e.key.rsplit('/').next()?.to_string();
            let v = version::parse(e.value.get("version")?.as_str()?)?;
            Some((name, v))
        })
        .collect()
}

/// (local name, constraint) of every `required_providers` entry that names a
/// version, in the object form (`aws = { source = …, version = "…" }`) or the
/// legacy string form (`aws = "~> 3.0"`).
fn required(doc: &Node) -> Vec<(String, String)> {
    let mut out = Vec::new();
    // Terraform < 0.13's `provider "azurerm" { version = ">= 2.0.0" }`
    // (terragoat's), still read by later versions with a deprecation warning
    for providers in entries(doc, "provider") {
        for p in providers.as_map().unwrap_or(&[]) {
            for body in bodies(&p.value) {
                if let Some(c) = body.get("version").and_then(Node::as_str) {
                    out.push((p.key.clone(), c.to_string()));
                }
            }
        }
    }
    for tf in entries(doc, "terraform").flat_map(bodies) {
        for rp in tf.as_map().unwrap_or(&[]) {
            if rp.key != "required_providers" {
                continue;
            }
            for body in bodies(&rp.value) {
                for p in body.as_map().unwrap_or(&[]) {
                    let constraint = match &p.value.value {
                        Value::String(s) => Some(s.as_str()),
                        _ => p.value.get("version").and_then(Node::as_str),
                    };
                    if let Some(c) = constraint {
                        out.push((p.key.clone(), c.to_string()));
                    }
                }
            }
        }
    }
    out
}

fn entries<'a>(doc: &'a Node, key: &'a str) -> impl Iterator<Item = &'a Node> {
    doc.as_map()
        .unwrap_or(&[])
        .iter()
        .filter(move |e| e.key == key)
        .map(|e| &e.value)
}

/// `.tf.json` allows a list of bodies where HCL has one.
fn bodies(node: &Node) -> Vec<&Node> {
    match &node.value {
        Value::List(items) => items.iter().collect(),
        _ => vec![node],
    }
}

/// The lowest version a constraint (`">= 2.0.0, < 4.0"`) admits: the highest
/// of its lower bounds (`>=`, `>`, `~>`, `=` or a bare version); `None` when
/// it has none (`< 4.0`, `!= 3.1`) or a part does not parse.
pub fn lowest_admitted(constraint: &str) -> Option<Version> {
    let mut lowest: Option<Version> = None;
    for part in constraint.split(',') {
        let part = part.trim();
        let (op, v) = match part.find(|c: char| c.is_ascii_digit() || c == 'v') {
            Some(i) => (part[..i].trim(), &part[i..]),
            None => return None,
        };
        let v = version::parse(v)?;
        match op {
            ">=" | ">" | "~>" | "=" | "" => {
                if lowest.as_ref().is_none_or(|l| version::cmp(&v, l).is_gt()) {
                    lowest = Some(v);
                }
            }
            "<" | "<=" | "!=" => {}
            _ => return None,
        }
    }
    lowest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_bounds_of_constraints() {
        assert_eq!(lowest_admitted(">= 2.0.0"), Some(vec![2, 0, 0]));
        assert_eq!(lowest_admitted("~> 4.0"), Some(vec![4, 0]));
        assert_eq!(lowest_admitted("= 5.1.0"), Some(vec![5, 1, 0]));
        assert_eq!(lowest_admitted("5.1.0"), Some(vec![5, 1, 0]));
        assert_eq!(lowest_admitted(">= 3.0, < 4.0"), Some(vec![3, 0]));
        assert_eq!(lowest_admitted(">= 2.0, >= 3.1"), Some(vec![3, 1]));
        assert_eq!(lowest_admitted("< 4.0"), None);
        assert_eq!(lowest_admitted(""), None);
        assert_eq!(lowest_admitted("!= 3.1"), None);
        assert_eq!(lowest_admitted("latest"), None);
    }

    #[test]
    fn lock_file_and_required_providers() {
        let limits = Limits::default();
        let lock = crate::document::hcl::parse(
            "provider \"registry.terraform.io/hashicorp/aws\" {\n  version     = \"5.31.0\"\n  constraints = \">= 4.0.0\"\n}\n",
            &limits,
        )
        .expect("parses");
        assert_eq!(locked(&lock), vec![("aws".to_string(), vec![5, 31, 0])]);
        let tf = crate::document::hcl::parse(
            "terraform {\n  required_providers {\n    azurerm = {\n      source  = \"hashicorp/azurerm\"\n      version = \">= 2.0.0\"\n    }\n    google = \"~> 4.0\"\n  }\n}\n",
            &limits,
        )
        .expect("parses");
        let legacy = crate::document::hcl::parse(
            "provider \"azurerm\" {\n  version = \">= 2.0.0\"\n  features {}\n}\n",
            &limits,
        )
        .expect("parses");
        assert_eq!(
            required(&legacy),
            vec![("azurerm".to_string(), ">= 2.0.0".to_string())]
        );
        assert_eq!(
            required(&tf),
            vec![
                ("azurerm".to_string(), ">= 2.0.0".to_string()),
                ("google".to_string(), "~> 4.0".to_string())
            ]
        );
    }
}
