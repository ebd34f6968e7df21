//! Values a rule needed but soclint cannot know statically, said rather than
//! counted: for `check -v`, each such value (where it is written, its
//! expression, why it is unknown) with the rule evaluations it skipped.
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::document::{Node, Value};
use crate::finding::{UnknownUse, UnknownValue};
use crate::rules::RuleSet;

/// The longest expression kept (a heredoc or a long `jsonencode` call is
/// shortened: the place in the file says the rest).
const MAX_EXPRESSION_CHARS: usize = 120;

/// The unknown value as written: the expression's text, or an intrinsic
/// function in short form (`Ref KeyArn`, `Fn::GetAtt Key.Arn`).
pub fn expression_of(node: &Node) -> String {
    let text = match &node.value {
        Value::Expr(e) => match (&e.function, &e.argument) {
            (Some(f), Some(arg)) if !e.text.contains(f.trim_start_matches("Fn::")) => {
                format!("{f} {}", plain(arg))
            }
            _ => e.text.clone(),
        },
        Value::Map(entries) => match entries.as_slice() {
            [only] => format!("{} {}", only.key, plain(&only.value)),
            _ => node.to_string(),
        },
        _ => node.to_string(),
    };
    // one line: a multi-line expression is shown with its whitespace runs collapsed
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut short: String = text.chars().take(MAX_EXPRESSION_CHARS).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

/// A scalar argument without quotes (`KeyArn`, not `"KeyArn"`).
fn plain(node: &Node) -> String {
    match &node.value {
        Value::String(s) => s.clone(),
        Value::List(items) => items.iter().map(plain).collect::<Vec<_>>().join("."),
        _ => node.to_string(),
    }
}

/// Why a value written as `expression` is not known statically, from the
/// expression's form (Terraform references and functions, CloudFormation
/// intrinsics, GitHub Actions and template expressions).
pub fn reason(expression: &str) -> String {
    let e = expression.trim();
    if e.starts_with("${{") {
        return "a GitHub Actions expression, evaluated when the workflow runs".into();
    }
    if let Some(f) = cfn_function(e) {
        return f;
    }
    if let Some(block) = e.strip_prefix("dynamic ") {
        return format!(
            "a `dynamic {}` block over a collection soclint does not know",
            block.trim()
        );
    }
    if e.starts_with("{{") || e.contains("{{ ") {
        return "a template expression soclint does not render".into();
    }
    let head: String = e
        .chars()
        .take_while(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '[' | ']' | '"' | '*')
        })
        .collect();
    let rest = &e[head.len()..];
    if rest.trim_start().starts_with('(') && !head.contains('.') {
        return format!(
            "the result of `{head}(…)` depends on a value soclint does not know (or the function is not evaluated statically)"
        );
    }
    let parts: Vec<&str> = head.split('.').collect();
    match parts.as_slice() {
        ["var", name, ..] => format!(
            "variable `{}` has no value here: no default, no tfvars or -var, no caller argument that soclint could evaluate",
            clean(name)
        ),
        ["local", name, ..] => format!(
            "local `{}` depends on a value soclint does not know",
            clean(name)
        ),
        ["data", ty, name, ..] => format!(
            "data source `data.{ty}.{}` is read from the provider at plan time",
            clean(name)
        ),
        ["module", name, ..] => format!(
            "an output of module `{}` that soclint could not evaluate (a remote module, or an unknown inside it)",
            clean(name)
        ),
        ["each", ..] | ["count", ..] => {
            "the instance's `each`/`count` value over a collection soclint does not know".into()
        }
        ["path", ..] | ["terraform", ..] => {
            "a path or workspace value known only when Terraform runs".into()
        }
        [ty, name, attr, ..] if ty.contains('_') => format!(
            "attribute `{}` of `{ty}.{}` is known only after apply",
            clean(attr),
            clean(name)
        ),
        _ if e.starts_with("${") || e.contains("${") => {
            "an interpolation of a value soclint does not know".into()
        }
        _ => "an expression soclint does not evaluate".into(),
    }
}

/// A CloudFormation intrinsic's reason, when `e` is one (`Ref X`, `!GetAtt X.Y`).
fn cfn_function(e: &str) -> Option<String> {
    let e = e.strip_prefix('!').unwrap_or(e);
    let (name, arg) = e.split_once(char::is_whitespace).unwrap_or((e, ""));
    let arg = arg.trim();
    let name = name.trim_start_matches("Fn::");
    Some(match name {
        "Ref" if arg.trim_matches(['"', '\'']).starts_with("AWS::") => format!(
            "`Ref {arg}`: a pseudo parameter, known when the stack is deployed"
        ),
        "Ref" => format!(
            "`Ref {arg}`: a parameter without a default (or overridden at deploy), or a resource's physical id known only after deployment"
        ),
        "GetAtt" => format!("`GetAtt {arg}`: a resource attribute known only after deployment"),
        "ImportValue" => "a value exported by another stack".into(),
        "If" => "a condition soclint could not decide".into(),
        "Sub" | "Join" | "Select" | "Split" | "FindInMap" | "Base64" | "Cidr" | "GetAZs"
        | "Transform" | "Length" | "ToJsonString" => {
            format!("`Fn::{name}` over a value soclint does not know")
        }
        _ => return None,
    })
}

/// A name without index or quotes (`this[0]` → `this`).
fn clean(name: &str) -> &str {
    name.split('[').next().unwrap_or(name)
}

/// One entry per place and expression, with the evaluations each rule
/// skipped there, in path, line, column and expression order.
pub fn summarise(uses: Vec<UnknownUse>, rules: &RuleSet) -> Vec<UnknownValue> {
    /// Where and what: (path, line, column, expression).
    type Place = (Arc<str>, u32, u32, String);
    /// The resources that met it, and per rule id the evaluations skipped.
    type Met = (BTreeSet<Arc<str>>, BTreeMap<String, usize>);
    let mut by_place: BTreeMap<Place, Met> = BTreeMap::new();
    for u in uses {
        let Some(rule) = rules.rules.get(u.rule as usize) else {
            continue;
        };
        let entry = by_place
            .entry((u.path, u.line, u.column, u.expression))
            .or_default();
        entry.0.insert(u.resource);
        *entry.1.entry(rule.meta.id.clone()).or_insert(0) += 1;
    }
    by_place
        .into_iter()
        .map(
            |((path, line, column, expression), (resources, skipped))| UnknownValue {
                path: path.to_string(),
                line,
                column,
                reason: reason(&expression),
                expression,
                resources: resources.len(),
                skipped,
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::reason;

    #[test]
    fn reasons_name_the_variable_reference_or_function() {
        assert_eq!(
            reason("var.kms_key_id"),
            "variable `kms_key_id` has no value here: no default, no tfvars or -var, no caller argument that soclint could evaluate"
        );
        assert_eq!(
            reason("aws_kms_key.this[0].arn"),
            "attribute `arn` of `aws_kms_key.this` is known only after apply"
        );
        assert_eq!(
            reason("data.aws_iam_policy_document.this.json"),
            "data source `data.aws_iam_policy_document.this` is read from the provider at plan time"
        );
        assert_eq!(
            reason("module.kms.key_arn"),
            "an output of module `kms` that soclint could not evaluate (a remote module, or an unknown inside it)"
        );
        assert_eq!(
            reason("lookup(var.settings, \"acl\")"),
            "the result of `lookup(…)` depends on a value soclint does not know (or the function is not evaluated statically)"
        );
        assert_eq!(
            reason("Ref KeyArn"),
            "`Ref KeyArn`: a parameter without a default (or overridden at deploy), or a resource's physical id known only after deployment"
        );
        assert_eq!(
            reason("Fn::ImportValue SharedVpc"),
            "a value exported by another stack"
        );
        assert_eq!(
            reason("${{ inputs.ref }}"),
            "a GitHub Actions expression, evaluated when the workflow runs"
        );
        assert_eq!(
            reason("Ref \"AWS::StackName\""),
            "`Ref \"AWS::StackName\"`: a pseudo parameter, known when the stack is deployed"
        );
        assert_eq!(
            reason("dynamic \"network_interfaces\""),
            "a `dynamic \"network_interfaces\"` block over a collection soclint does not know"
        );
        assert_eq!(
            reason("local.bucket_acl"),
            "local `bucket_acl` depends on a value soclint does not know"
        );
    }
}
