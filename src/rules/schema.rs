//! The TOML shape of rule files (serde only; meaning lives in `compile.rs`).
//!
//! Fields that can be invalid beyond their type keep their spans so errors point
//! into the TOML. Conditions, fixes and relations are boxed where they are
//! optional or nested: a `CondSpec` is ~2 KB inline (one slot per operator),
//! and serde moves each value through several layers as it reads it, so
//! inline they made a rule ~9 KB and copying them a quarter of loading.
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    #[serde(default)]
    pub rule: Vec<Spanned<RuleSpec>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: Spanned<String>,
    pub title: String,
    pub severity: Spanned<String>,
    pub criteria: Spanned<Vec<Spanned<String>>>,
    pub target: Spanned<String>,
    /// Resource types the rule applies to; empty means every resource of the target.
    #[serde(default)]
    pub resources: Vec<Spanned<String>>,
    /// Globs on the file path; empty means every file.
    #[serde(default)]
    pub paths: Vec<Spanned<String>>,
    #[serde(rename = "where")]
    pub where_: Option<Box<Spanned<CondSpec>>>,
    pub for_each: Option<Spanned<String>>,
    pub for_each_where: Option<Box<Spanned<CondSpec>>>,
    pub assert: Box<Spanned<CondSpec>>,
    pub message: Spanned<String>,
    pub label: Option<Spanned<String>>,
    /// The rule finds hard-coded secrets: the offending value is masked in
    /// every output (messages, snippets).
    #[serde(default)]
    pub secret: bool,
    /// With `secret`: more values to mask when the rule fires (each value a
    /// path reaches from the subject, or each match of a pattern in them).
    #[serde(default)]
    pub mask: Vec<Spanned<MaskSpec>>,
    pub rationale: String,
    pub remediation: String,
    #[serde(default)]
    pub references: Vec<String>,
    #[serde(default)]
    pub checkov: Vec<String>,
    #[serde(default)]
    pub examples: Vec<ExampleSpec>,
    /// Settings soclint.toml must set before the rule runs
    /// (`requires = ["policy-paths"]`: the repository says it keeps policies).
    #[serde(default)]
    pub requires: Vec<Spanned<String>>,
    /// A fix `check --fix` and the language server may apply:
    /// `fix = { set = "publicly_accessible", value = false }`.
    pub fix: Option<Box<Spanned<FixSpec>>>,
    /// A default that changed with a provider (or a service) version:
    /// `provider_default = { provider = "azurerm", since = "3.0.0", path =
    /// "minimum_tls_version", value = "1.2", note = "…" }`.
    pub provider_default: Option<Box<Spanned<ProviderDefaultSpec>>>,
}

/// What a rule's verdict owes to a provider version (see
/// [`super::ProviderDefault`]). With `path` and `value`: from `since` on, an
/// unset `path` takes `value` (the assert's `default`, if any, is the value
/// before). Without them the failure itself is what changed (a service
/// default the configuration cannot show): from `since` on, and when the
/// version is unknown, it is reported at `severity`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderDefaultSpec {
    pub provider: String,
    pub since: Spanned<String>,
    pub path: Option<Spanned<String>>,
    pub value: Option<toml::Value>,
    /// The severity of a finding that depends on the provider version.
    #[serde(default = "hardening_severity")]
    pub severity: Spanned<String>,
    /// Why the finding depends on the version (appended to its message).
    pub note: String,
}

fn hardening_severity() -> Spanned<String> {
    Spanned::new(0..0, "low".to_string())
}

/// What a fix does (one of `set`, `remove`, `replace`), relative to what
/// the rule tests (the resource, or the `for_each` item):
/// - `set = "a.b", value = …`: the offending literal is replaced where it is
///   written, else the key is added (missing mappings above it too); `value`
///   may be a table (a block, a mapping, an object);
/// - `remove = "a.b"`: the key and its value go;
/// - `replace = "regex", with = "text"`: each match in the offending literal
///   is rewritten (`$name` for a group).
///
/// `suggestion = true` marks a fix that is shown but never applied: its value
/// holds a placeholder in `<…>` a person must fill in. `before = "key"` puts
/// an added key before that sibling when it is there. `unless_file_matches =
/// "regex"` offers no fix in a file whose text matches (a workflow that
/// pushes with the token `persist-credentials: false` would take away).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixSpec {
    pub set: Option<String>,
    pub value: Option<toml::Value>,
    /// Instead of `value`: the value found at this path of the subject
    /// (the last when it reaches several), when it is a plain name.
    pub from: Option<String>,
    pub remove: Option<String>,
    pub replace: Option<String>,
    pub with: Option<String>,
    #[serde(default)]
    pub suggestion: bool,
    pub before: Option<String>,
    pub unless_file_matches: Option<String>,
    /// A condition on the rule's subject, as `where` is written: the fix is
    /// offered only where it holds (the workflow uses only actions that
    /// need no write scope).
    pub when: Option<Spanned<CondSpec>>,
    /// What the fix does in a person's words, when the generated one
    /// ("rewrite the value as …") would not say it well.
    pub title: Option<String>,
}

/// `"data.*"` (every value the path reaches) or `{ path = "user_data",
/// matches = "password=(?P<secret>\\S+)" }` (each match in those values; only
/// its `secret` group when it has one).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum MaskSpec {
    Path(String),
    Within { path: String, matches: String },
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct ExampleSpec {
    pub fail: Option<String>,
    pub pass: Option<String>,
}

/// One condition. Exactly one of: a combinator (`all`, `any`, `not`), a
/// relation (`referenced_by`, `references`, `selected_by`, `any_resource`), a file test (`file_exists`,
/// `file_absent`), or a test on `path` (one operator key).
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CondSpec {
    pub all: Option<Vec<Spanned<CondSpec>>>,
    pub any: Option<Vec<Spanned<CondSpec>>>,
    pub not: Option<Box<Spanned<CondSpec>>>,

    pub path: Option<Spanned<String>>,
    pub default: Option<toml::Value>,

    pub exists: Option<Spanned<bool>>,
    pub absent: Option<Spanned<bool>>,
    pub equals: Option<Spanned<toml::Value>>,
    pub not_equals: Option<Spanned<toml::Value>>,
    #[serde(rename = "in")]
    pub in_: Option<Spanned<Vec<toml::Value>>>,
    pub not_in: Option<Spanned<Vec<toml::Value>>>,
    pub matches: Option<Spanned<String>>,
    pub not_matches: Option<Spanned<String>>,
    pub lt: Option<Spanned<f64>>,
    pub le: Option<Spanned<f64>>,
    pub gt: Option<Spanned<f64>>,
    pub ge: Option<Spanned<f64>>,
    pub contains: Option<Spanned<toml::Value>>,
    pub not_contains: Option<Spanned<toml::Value>>,
    pub starts_with: Option<Spanned<String>>,
    pub ends_with: Option<Spanned<String>>,
    pub is_true: Option<Spanned<bool>>,
    pub is_false: Option<Spanned<bool>>,
    pub length_eq: Option<Spanned<usize>>,
    pub length_lt: Option<Spanned<usize>>,
    pub length_le: Option<Spanned<usize>>,
    pub length_gt: Option<Spanned<usize>>,
    pub length_ge: Option<Spanned<usize>>,
    pub version_lt: Option<Spanned<String>>,
    pub version_le: Option<Spanned<String>>,
    pub version_gt: Option<Spanned<String>>,
    pub version_ge: Option<Spanned<String>>,
    pub some: Option<Box<Spanned<CondSpec>>>,
    pub every: Option<Box<Spanned<CondSpec>>>,
    pub none: Option<Box<Spanned<CondSpec>>>,
    pub younger_than_days: Option<Spanned<DaysSpec>>,
    pub is_date: Option<Spanned<bool>>,

    pub referenced_by: Option<Box<Spanned<RelationSpec>>>,
    pub references: Option<Box<Spanned<RelationSpec>>>,
    pub selected_by: Option<Box<Spanned<RelationSpec>>>,

    pub any_resource: Option<Box<Spanned<AnyResourceSpec>>>,

    pub file_exists: Option<Spanned<Vec<String>>>,
    pub file_absent: Option<Spanned<Vec<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelationSpec {
    /// Resource types on the other end.
    #[serde(rename = "type")]
    pub types: Spanned<OneOrMany>,
    /// The attribute (on the referencing resource) that holds the reference
    /// (for `selected_by`, the other resource's label selector).
    pub via: Spanned<String>,
    #[serde(rename = "where")]
    pub where_: Option<Box<Spanned<CondSpec>>>,
    /// `referenced_by` only: the value of this attribute of the subject is
    /// what the other resource must name (instead of the subject's own name).
    pub key: Option<Spanned<String>>,
    /// `"local"` (default: a Terraform module directory, otherwise one file)
    /// or `"scan"` (every file of the scan).
    pub scope: Option<Spanned<String>>,
}

/// Some resource of the given types in the same scope (satisfying `where`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnyResourceSpec {
    #[serde(rename = "type")]
    pub types: Spanned<OneOrMany>,
    #[serde(rename = "where")]
    pub where_: Option<Box<Spanned<CondSpec>>>,
    /// As for relations: `"local"` (default) or `"scan"`.
    pub scope: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// `younger_than_days = 365` or `younger_than_days = "policy-max-age-days"`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum DaysSpec {
    Days(u32),
    Setting(String),
}
