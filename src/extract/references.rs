//! Who may refer to whom, indexed once per scan so relations cost what the
//! references cost, not (resources of one type) × (resources of another).
use std::collections::HashMap;

use super::Resource;
use crate::document::{Node, Value};

/// (scope, key) → resources whose body mentions `key`: a Terraform address
/// (`aws_s3_bucket.logs`), a CloudFormation logical id (`!Ref Logs`), or a short
/// literal (a bucket name). Resources that hold references we cannot follow
/// (`var.`, `local.`, `module.`, `data.` expressions) are also listed under the
/// empty key, since they might point anywhere.
#[derive(Default)]
pub struct ReferenceIndex {
    by_key: HashMap<(usize, String), Vec<usize>>,
}

impl ReferenceIndex {
    /// Indexes the resources whose type some rule follows back (`referrer_types`).
    pub fn build(
        resources: &[Resource],
        referrer_types: &std::collections::HashSet<String, foldhash::fast::RandomState>,
    ) -> Self {
        let mut by_key: HashMap<(usize, String), Vec<usize>> = HashMap::new();
        for (i, r) in resources.iter().enumerate() {
            if !referrer_types.contains(&r.ty) {
                continue;
            }
            let mut keys = Vec::new();
            collect(r.body, &mut keys);
            keys.sort();
            keys.dedup();
            for k in keys {
                by_key.entry((r.scope, k)).or_default().push(i);
            }
        }
        ReferenceIndex { by_key }
    }

    /// Resources of `scope` that may refer to something known by one of `keys`.
    pub fn candidates(&self, scope: usize, keys: &[&str]) -> Vec<usize> {
        let mut out: Vec<usize> = keys
            .iter()
            .chain(std::iter::once(&""))
            .filter_map(|k| self.by_key.get(&(scope, k.to_string())))
            .flatten()
            .copied()
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

fn collect(node: &Node, keys: &mut Vec<String>) {
    match &node.value {
        Value::Expr(e) => {
            if let Some(arg) = &e.argument {
                intrinsic_target(arg, keys);
            }
            if e.function.is_none() {
                addresses(&e.text, keys);
            }
        }
        Value::String(s) if s.len() <= 256 => {
            if s.contains("${") {
                addresses(s, keys);
            }
            keys.push(s.clone());
        }
        Value::Map(entries) => {
            if let [only] = entries.as_slice() {
                if only.key == "Ref" || only.key.starts_with("Fn::") {
                    intrinsic_target(&only.value, keys);
                }
            }
            for e in entries {
                collect(&e.value, keys);
            }
        }
        Value::List(items) => items.iter().for_each(|n| collect(n, keys)),
        _ => {}
    }
}

fn intrinsic_target(arg: &Node, keys: &mut Vec<String>) {
    match &arg.value {
        Value::String(s) => keys.push(s.split('.').next().unwrap_or(s).to_string()),
        Value::List(items) => {
            if let Some(first) = items.first().and_then(Node::as_str) {
                keys.push(first.to_string());
            }
            items.iter().for_each(|n| intrinsic_target(n, keys));
        }
        _ => {}
    }
}

/// `type.name` pairs in a Terraform expression (and `data.type.name`).
fn addresses(text: &str, keys: &mut Vec<String>) {
    let bytes = text.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    let mut words: Vec<&str> = Vec::new();
    let mut i = 0;
    // split into dotted chains of identifiers
    while i < bytes.len() {
        if is_ident(bytes[i]) && (i == 0 || !is_ident(bytes[i - 1]) && bytes[i - 1] != b'.') {
            let start = i;
            while i < bytes.len() && (is_ident(bytes[i]) || bytes[i] == b'.') {
                i += 1;
            }
            words.push(&text[start..i]);
        } else {
            i += 1;
        }
    }
    for w in words {
        let mut parts = w.split('.');
        let (Some(a), Some(b)) = (parts.next(), parts.next()) else {
            continue;
        };
        match a {
            "var" | "local" | "module" | "each" | "count" | "path" | "terraform" | "self" => {
                keys.push(String::new())
            }
            "data" => {
                keys.push(String::new());
                if let Some(c) = parts.next() {
                    keys.push(format!("data.{b}.{c}"));
                }
            }
            _ => keys.push(format!("{a}.{b}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_addresses_in_expressions() {
        let mut keys = Vec::new();
        addresses("aws_s3_bucket.logs.id", &mut keys);
        addresses("\"${aws_kms_key.k.arn}/x\"", &mut keys);
        addresses("var.bucket", &mut keys);
        addresses("data.aws_iam_policy_document.p.json", &mut keys);
        assert_eq!(
            keys,
            [
                "aws_s3_bucket.logs",
                "aws_kms_key.k",
                "",
                "",
                "data.aws_iam_policy_document.p"
            ]
        );
    }
}
