//! Rules: the TOML language (`schema`), its compiler (`compile`), the evaluator
//! (`eval`), key paths (`path`) and the Trust Services Criteria (`criteria`).
pub mod compile;
pub mod criteria;
mod digest;
pub mod eval;
pub mod path;
mod relation;
pub mod scan_scope;
pub mod schema;
pub mod selection;
pub mod version;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use globset::GlobSet;
use miette::{Diagnostic, NamedSource, SourceSpan};
use regex::Regex;

pub use crate::target::Target;
pub use path::Path;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s.to_ascii_lowercase().as_str() {
            "critical" => Severity::Critical,
            "high" => Severity::High,
            "medium" => Severity::Medium,
            "low" => Severity::Low,
            "info" => Severity::Info,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything about a rule that is not logic: one place, from which `explain`,
/// `rules`, docs and every output format are generated.
#[derive(Debug, Clone)]
pub struct RuleMeta {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub criteria: Vec<&'static str>,
    pub target: Target,
    pub resources: Vec<String>,
    pub message: String,
    pub label: Option<String>,
    /// Findings show the offending value masked (`AKIA****************`).
    pub secret: bool,
    pub rationale: String,
    pub remediation: String,
    pub references: Vec<String>,
    pub checkov: Vec<String>,
    pub examples: Vec<schema::ExampleSpec>,
    /// Settings the project must set before the rule runs.
    pub requires: Vec<Requirement>,
    /// The rule file it came from (`builtin:policies/…` for the embedded pack).
    pub origin: String,
    /// The rule's TOML table as written: what the evidence report's rule-set
    /// hash is computed over.
    pub definition: String,
    /// What the rule's fix does, for reports, `explain` and the rule docs.
    pub fix: Option<FixNote>,
}

/// A rule's fix as reports show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixNote {
    /// "set `publicly_accessible` to false".
    pub title: String,
    /// Shown, never applied (see [`Fix::suggestion`]).
    pub suggestion: bool,
}

impl FixNote {
    /// One line for `explain`, the rule reference and reports.
    pub fn sentence(&self) -> String {
        if self.suggestion {
            format!(
                "suggestion: {} (fill in the placeholder; `--fix` never applies it)",
                self.title
            )
        } else {
            format!(
                "fix: {} (`soclint check --fix` applies it where unambiguous)",
                self.title
            )
        }
    }
}

/// A setting of soclint.toml a rule needs before it applies: without it the
/// rule is left out of a scan, and the summary says how many were.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Requirement {
    /// `policy-paths`: the repository says where it keeps its policies (the
    /// required-policy rules would otherwise report every policy of a
    /// repository that keeps them elsewhere as missing).
    PolicyPaths,
}

impl Requirement {
    pub const ALL: [Requirement; 1] = [Requirement::PolicyPaths];
    pub fn name(self) -> &'static str {
        match self {
            Requirement::PolicyPaths => "policy-paths",
        }
    }
    pub fn parse(s: &str) -> Option<Requirement> {
        Requirement::ALL.into_iter().find(|r| r.name() == s)
    }
}

impl RuleMeta {
    /// Whether a `--select`/`--ignore` entry names this rule: its id, an id
    /// prefix, or one of its criteria (or their family, `CC6`).
    pub fn selected_by(&self, selector: &str) -> bool {
        self.id.starts_with(selector)
            || self.criteria.iter().any(|c| criteria::selects(selector, c))
    }
}

#[derive(Debug)]
pub struct Rule {
    pub meta: Arc<RuleMeta>,
    pub paths: Option<LazyGlobs>,
    pub where_: Option<Cond>,
    /// What `where` asks of one top-level attribute, when it compares it with
    /// strings (`{ path = "cmd", in = ["RUN", "ADD"] }`): a resource whose
    /// attribute is a string outside the list fails `where` without
    /// evaluating it (a Dockerfile's instructions meet ten such rules each).
    pub where_values: Option<WhereValues>,
    pub for_each: Option<Path>,
    pub for_each_where: Option<Cond>,
    pub assert: Cond,
    /// What else to mask when a secret rule fires (`mask` in the rule).
    pub mask: Vec<Mask>,
    /// Some condition is a relation whose scope is the whole scan: the rule's
    /// verdicts wait for every file (`evaluate::Deferred`).
    pub uses_scan: bool,
    /// What `check --fix` and the language server change to fix a finding.
    pub fix: Option<Fix>,
    /// A default that changed with the provider version (`provider_default`).
    pub provider_default: Option<Arc<ProviderDefault>>,
}

/// A rule's `provider_default`: a default that changed with a provider's
/// version (azurerm 3.0 made TLS 1.2 the minimum) or a service's (S3 encrypts
/// every new bucket since January 2023).
#[derive(Debug)]
pub struct ProviderDefault {
    /// The provider type (`aws`, `azurerm`).
    pub provider: String,
    pub since: version::Version,
    /// The attribute whose default changed and its value from `since` on.
    pub newer: Option<(Path, crate::document::Node)>,
    /// The rule's description with the lower severity, for findings that
    /// depend on the provider version.
    pub hardening: Arc<RuleMeta>,
    pub note: String,
}

/// What a provider's version says about a rule with a `provider_default`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderEra {
    /// Known and older than `since`: the old default, the rule as written.
    Before,
    /// Known and `since` or later.
    Since,
    /// Neither a lock file nor `required_providers` says.
    Unknown,
}

impl ProviderDefault {
    pub fn era(&self, versions: &crate::rules::version::ProviderVersions) -> ProviderEra {
        match versions.get(&self.provider) {
            None => ProviderEra::Unknown,
            Some(v) if version::cmp(v, &self.since).is_lt() => ProviderEra::Before,
            Some(_) => ProviderEra::Since,
        }
    }
}

/// A rule's fix (`fix` in the rule): what `check --fix`, `--diff` and the
/// language server change on a failing subject.
#[derive(Debug, Clone)]
pub struct Fix {
    pub action: FixAction,
    /// A suggestion is never applied by `--fix`: its value holds a
    /// placeholder (`<KMS key ARN>`, `<commit SHA>`) only a person can fill.
    pub suggestion: bool,
    /// A key `set` adds goes just before this sibling when the mapping has
    /// it (a workflow's `permissions` above its `jobs`), else after the last.
    pub before: Option<String>,
    /// No fix in a file whose text matches: the change would break
    /// something there the rule cannot see (a later step that pushes with
    /// the credentials the fix removes).
    pub unless_file_matches: Option<String>,
    /// The fix is offered only on a subject where this holds (`when`).
    pub when: Option<Arc<Cond>>,
    /// The rule's own words for the fix (`title`), else one is generated.
    pub title: Option<String>,
}

impl PartialEq for Fix {
    /// Conditions have no equality; two fixes with one are never equal.
    fn eq(&self, other: &Fix) -> bool {
        self.action == other.action
            && self.suggestion == other.suggestion
            && self.before == other.before
            && self.unless_file_matches == other.unless_file_matches
            && self.title == other.title
            && self.when.is_none()
            && other.when.is_none()
    }
}

/// What a fix does, relative to the rule's subject.
#[derive(Debug, Clone, PartialEq)]
pub enum FixAction {
    /// The key at `path` gets `value`: the literal is replaced where it is
    /// written, else the key is added (with any mapping above it missing).
    Set { path: Vec<String>, value: FixValue },
    /// The key at `path` is removed, with its value.
    Remove { path: Vec<String> },
    /// Each match of `pattern` in the offending literal becomes `with`
    /// (`$name` names a group of the pattern).
    Replace { pattern: String, with: String },
}

impl Fix {
    /// For a person: "set `publicly_accessible` to false".
    pub fn title(&self) -> String {
        if let Some(t) = &self.title {
            return t.clone();
        }
        match &self.action {
            FixAction::Set { path, value } => {
                format!("set `{}` to {}", path.join("."), value.display())
            }
            FixAction::Remove { path } => format!("remove `{}`", path.join(".")),
            FixAction::Replace { with, .. } => format!("rewrite the value as `{with}`"),
        }
    }
}

/// A value a fix writes: a literal every format spells alike, or a mapping
/// of them (a block, a YAML mapping, a JSON object).
#[derive(Debug, Clone, PartialEq)]
pub enum FixValue {
    Bool(bool),
    Int(i64),
    /// Letters, digits and `-_.:/@` only (and `<>` and spaces in a
    /// suggestion's placeholder), so no format needs escapes.
    Str(String),
    Map(Vec<(String, FixValue)>),
    /// The plain name found at this path of the subject (`from`): a user
    /// the Dockerfile stage creates.
    From(Vec<String>),
}

impl FixValue {
    /// As a person reads it: `false`, `"private"`, `{ contents = "read" }`.
    pub fn display(&self) -> String {
        match self {
            FixValue::Bool(b) => b.to_string(),
            FixValue::Int(i) => i.to_string(),
            FixValue::Str(s) => format!("\"{s}\""),
            FixValue::From(p) => format!("the name at `{}`", p.join(".")),
            FixValue::Map(m) => format!(
                "{{ {} }}",
                m.iter()
                    .map(|(k, v)| format!("{k} = {}", v.display()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// Values masked, wherever a file's text is shown, when a secret rule fails
/// on a subject: beyond the value the finding points at, every value `path`
/// reaches from the subject, or only each match of `within` in them (its
/// `secret` group when it has one). Computed before suppressions and the
/// baseline apply, so an accepted secret stays masked too.
#[derive(Debug)]
pub struct Mask {
    pub path: Path,
    pub within: Option<LazyRegex>,
}

/// The strings a top-level attribute must equal for a rule's `where` to hold.
#[derive(Debug)]
pub struct WhereValues {
    pub key: String,
    pub values: Vec<String>,
}

impl WhereValues {
    /// Read from `where`: a test `equals`/`in` of strings on a one-key path,
    /// alone or as an item of `all` (whose failure fails the whole).
    pub fn of(cond: &Cond) -> Option<WhereValues> {
        match cond {
            Cond::All(items) => items.iter().find_map(WhereValues::of),
            Cond::Test { path, test, .. } => {
                let [path::Segment::Key(key)] = path.segments.as_slice() else {
                    return None;
                };
                let lits: &[Lit] = match test {
                    Test::Equals(lit) => std::slice::from_ref(lit),
                    Test::In(lits) => lits,
                    _ => return None,
                };
                let values = lits
                    .iter()
                    .map(|l| match l {
                        Lit::Str(s) => Some(s.clone()),
                        _ => None,
                    })
                    .collect::<Option<Vec<String>>>()?;
                Some(WhereValues {
                    key: key.clone(),
                    values,
                })
            }
            _ => None,
        }
    }

    /// Whether `body` certainly fails the test: the attribute (its last
    /// entry, as lookups take it) is a string that is none of the values.
    /// Anything else (absent, unknown, a number) is left to `where`.
    pub fn excludes(&self, body: &crate::document::Node) -> bool {
        match body.get(&self.key).map(|n| &n.value) {
            Some(crate::document::Value::String(v)) => !self.values.iter().any(|x| x == v),
            _ => false,
        }
    }
}

/// A literal in a rule (right-hand side of a comparison).
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Str(String),
    Num(f64),
    Bool(bool),
    List(Vec<Lit>),
}

/// A regex checked when the rule loads (so errors point into the TOML) but
/// built on first use: most rules never meet a value to match, and building
/// every automaton up front would dominate start-up. Rules with the same
/// pattern share one automaton (the pack writes `^[^$]` in 36 rules and its
/// secret patterns in 5; each build costs as much as loading a dozen rules).
pub struct LazyRegex {
    pattern: String,
    built: Arc<std::sync::OnceLock<Regex>>,
}

impl LazyRegex {
    /// Checks the pattern as the regex crate will read it, without building
    /// the matcher: the syntax, and its translation (a Unicode class that
    /// does not exist, `(?-u:\xFF)` matching invalid UTF-8), which the
    /// syntax tree alone let through to match nothing at the first use.
    /// (The built-in pack, the cost that mattered, skips this: see
    /// [`LazyRegex::prechecked`].)
    pub fn new(pattern: &str) -> Result<Self, String> {
        // the regex crate's own syntax settings are regex-syntax's defaults
        regex_syntax::Parser::new()
            .parse(pattern)
            .map_err(|e| e.to_string())?;
        Ok(LazyRegex::prechecked(pattern))
    }

    /// A pattern already checked, without checking it again: the built-in
    /// pack's (see [`compile::Checks::Builtin`]). One that fails to build
    /// anyway matches nothing, as one whose automaton is too large does.
    pub fn prechecked(pattern: &str) -> Self {
        LazyRegex {
            pattern: pattern.to_string(),
            built: shared_cell(pattern),
        }
    }

    pub fn get(&self) -> &Regex {
        self.built.get_or_init(|| {
            regex::RegexBuilder::new(&self.pattern)
                .size_limit(1 << 22)
                .build()
                // the syntax was checked at load; an automaton too large to build
                // matches nothing rather than failing the scan
                .unwrap_or_else(|_| {
                    Regex::new("[^\\s\\S]").unwrap_or_else(|_| unreachable!("valid regex"))
                })
        })
    }

    pub fn as_str(&self) -> &str {
        &self.pattern
    }
}

impl fmt::Debug for LazyRegex {
    /// The pattern only: whether (another rule's use) built it is no part of
    /// the rule.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LazyRegex").field(&self.pattern).finish()
    }
}

/// The cell holding the automaton of `pattern`, shared by every rule loaded
/// with it while any of them lives (the map keeps only weak references, so
/// the language server reloading rules does not keep old ones' automata).
fn shared_cell(pattern: &str) -> Arc<std::sync::OnceLock<Regex>> {
    type Cells = std::collections::BTreeMap<String, std::sync::Weak<std::sync::OnceLock<Regex>>>;
    static CELLS: std::sync::Mutex<Cells> = std::sync::Mutex::new(Cells::new());
    // a panic elsewhere while holding the lock leaves the map usable
    let mut cells = CELLS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(cell) = cells.get(pattern).and_then(std::sync::Weak::upgrade) {
        return cell;
    }
    let cell = Arc::new(std::sync::OnceLock::new());
    cells.insert(pattern.to_string(), Arc::downgrade(&cell));
    cell
}

/// A glob set whose globs were checked at load and which is built on first
/// use: building compiles a regex per set, and most rules' globs are never
/// consulted in a given scan (start-up was dominated by building them).
#[derive(Debug)]
pub struct LazyGlobs {
    patterns: Vec<String>,
    /// The literal text each pattern's matches start with, when every pattern
    /// has one: most paths fail that test without the glob set's regex (the
    /// repository rules test every file of the scan).
    prefixes: Option<Vec<String>>,
    built: std::sync::OnceLock<GlobSet>,
}

impl LazyGlobs {
    /// `patterns` must each have passed [`compile::check_glob`].
    pub fn new(patterns: Vec<String>) -> Self {
        LazyGlobs {
            prefixes: literal_prefixes(&patterns),
            patterns,
            built: std::sync::OnceLock::new(),
        }
    }

    pub fn get(&self) -> &GlobSet {
        self.built.get_or_init(|| {
            compile::build_globs(self.patterns.iter().map(|p| (p.as_str(), 0..0)))
                // every glob parsed at load; a set that still fails matches nothing
                .unwrap_or_else(|_| GlobSet::empty())
        })
    }

    /// The first of `files` (sorted) that matches: with literal prefixes, only
    /// the run of files under each prefix is tested (found by binary search).
    pub fn first_in_sorted<'f>(&self, files: &'f [String]) -> Option<&'f String> {
        match &self.prefixes {
            Some(prefixes) => prefixes
                .iter()
                .filter_map(|p| {
                    let start = files.partition_point(|f| f.as_str() < p.as_str());
                    files[start..]
                        .iter()
                        .take_while(|f| f.starts_with(p.as_str()))
                        .find(|f| self.get().is_match(f.as_str()))
                })
                .min(),
            None => files.iter().find(|f| self.get().is_match(f.as_str())),
        }
    }

    pub fn is_match(&self, path: &str) -> bool {
        if let Some(prefixes) = &self.prefixes {
            if !prefixes.iter().any(|p| path.starts_with(p.as_str())) {
                return false;
            }
        }
        self.get().is_match(path)
    }
}

/// What every match of each pattern starts with (`policies/` for
/// `policies/**/*.md`): the text before the first glob syntax. `None` when a
/// pattern can match anywhere: one starting with syntax, or without `/`
/// (which [`compile::build_globs`] also matches at any depth).
fn literal_prefixes(patterns: &[String]) -> Option<Vec<String>> {
    patterns
        .iter()
        .map(|p| {
            let end = p.find(['*', '?', '[', '{', '\\']).unwrap_or(p.len());
            (p.contains('/') && end > 0).then(|| p[..end].to_string())
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ord2 {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Ord2 {
    pub fn holds<T: PartialOrd>(self, a: T, b: T) -> bool {
        match self {
            Ord2::Eq => a == b,
            Ord2::Lt => a < b,
            Ord2::Le => a <= b,
            Ord2::Gt => a > b,
            Ord2::Ge => a >= b,
        }
    }
}

#[derive(Debug)]
pub enum Cond {
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
    Test {
        path: Path,
        test: Test,
        /// The value an absent attribute has (a provider default).
        default: Option<crate::document::Node>,
        /// The rule's `provider_default` when it is about this path: from its
        /// version on, an absent attribute has its value instead.
        newer: Option<Arc<ProviderDefault>>,
    },
    /// A relation to other resources (`referenced_by`, `references`,
    /// `selected_by`, `any_resource`); shared so the rule set can list the
    /// ones whose scope is the whole scan.
    Relation(Arc<Relation>),
    FileExists(LazyGlobs, Vec<String>),
    FileAbsent(LazyGlobs, Vec<String>),
}

#[derive(Debug)]
pub enum Test {
    Exists,
    Absent,
    Equals(Lit),
    NotEquals(Lit),
    In(Vec<Lit>),
    NotIn(Vec<Lit>),
    Matches(LazyRegex),
    NotMatches(LazyRegex),
    Compare(Ord2, f64),
    Contains(Lit),
    NotContains(Lit),
    StartsWith(String),
    EndsWith(String),
    IsTrue,
    IsFalse,
    IsDate,
    Length(Ord2, usize),
    /// The value's version (see `version`) compared with this one.
    Version(Ord2, version::Version),
    YoungerThanDays(Days),
    Some(Box<Cond>),
    Every(Box<Cond>),
    None(Box<Cond>),
}

impl Test {
    /// Negative tests hold for an absent value ("not privileged" when unset).
    pub fn holds_when_absent(&self) -> bool {
        matches!(
            self,
            Test::Absent
                | Test::NotEquals(_)
                | Test::NotIn(_)
                | Test::NotMatches(_)
                | Test::NotContains(_)
                | Test::Every(_)
                | Test::None(_)
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationDir {
    /// Some resource of the given types points at this one through `via`
    /// (or at the value of this one's `key`).
    ReferencedBy,
    /// This resource's `via` points at a resource of the given types.
    References,
    /// The label selector at `via` of some resource of the given types
    /// selects this one's labels (Kubernetes), in its namespace.
    SelectedBy,
    /// Some resource of the given types exists (`any_resource`); `via` is empty.
    AnyResource,
}

/// Which resources a relation sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A Terraform module directory, otherwise one file.
    Local,
    /// Every file of the scan: answered once every file has been read
    /// (`scan_scope`).
    Scan,
}

#[derive(Debug)]
pub struct Relation {
    pub dir: RelationDir,
    pub types: Vec<String>,
    pub via: Path,
    pub where_: Option<Box<Cond>>,
    /// `referenced_by` only: the subject's attribute whose value the other
    /// resource must name, instead of the subject's own name.
    pub key: Option<Path>,
    pub scope: Scope,
    /// For a scan-scope relation: its index in [`RuleSet::scan_relations`].
    pub slot: usize,
}

/// An invalid rule file, pointing into the TOML.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("invalid rule file {name}: {message}")]
#[diagnostic(code(soclint::rule_file))]
pub struct RuleFileError {
    pub name: String,
    pub message: String,
    #[source_code]
    pub source_code: NamedSource<String>,
    #[label("{message}")]
    pub span: Option<SourceSpan>,
    /// The file's other errors, found in the same reading.
    #[related]
    pub others: Vec<RuleFileError>,
}

/// The first error of a file carrying the others (`errors` is never
/// empty: a failed reading names at least one problem).
#[allow(clippy::vec_box)] // the errors arrive boxed, as every caller returns them
fn one_error(errors: Vec<Box<RuleFileError>>) -> Box<RuleFileError> {
    let mut all = errors.into_iter();
    let mut first = all.next().unwrap_or_else(|| {
        Box::new(RuleFileError {
            name: String::new(),
            message: "invalid rule file".into(),
            source_code: NamedSource::new("", String::new()),
            span: None,
            others: Vec::new(),
        })
    });
    first.others = all.map(|e| *e).collect();
    first
}

/// A number of days in a `younger_than_days` test: fixed, or a setting of `soclint.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Days {
    Fixed(u32),
    /// `younger_than_days = "policy-max-age-days"`.
    PolicyMaxAge,
}

/// The placeholder in `file_exists`/`file_absent` globs that stands for each of
/// the configured policy directories.
pub const POLICY_PATHS: &str = "{policy_paths}";

/// Project settings that rules may refer to (`{policy_paths}`, `"policy-max-age-days"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Directories where organisational policies are kept, relative to the root.
    pub policy_paths: Vec<String>,
    /// How old a policy's `last_reviewed` date may be.
    pub policy_max_age_days: u32,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            policy_paths: crate::parse::DEFAULT_POLICY_DIRS
                .iter()
                .map(|d| d.to_string())
                .collect(),
            policy_max_age_days: 365,
        }
    }
}

impl Settings {
    /// Expands `{policy_paths}` in each pattern to one pattern per policy
    /// directory (in the configured order); other patterns are kept as they are.
    pub fn expand(&self, patterns: &[String]) -> Vec<String> {
        let mut out = Vec::new();
        for p in patterns {
            if p.contains(POLICY_PATHS) {
                for dir in &self.policy_paths {
                    let dir = dir.trim_matches('/');
                    let e = p.replace(POLICY_PATHS, dir);
                    out.push(e.trim_start_matches('/').replace("//", "/"));
                }
            } else {
                out.push(p.clone());
            }
        }
        out
    }

    pub fn days(&self, d: Days) -> u32 {
        match d {
            Days::Fixed(n) => n,
            Days::PolicyMaxAge => self.policy_max_age_days,
        }
    }
}

/// The compiled, selected rules, indexed by target and resource type.
#[derive(Debug, Default)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    /// Settings from `soclint.toml` that rules refer to.
    pub settings: Settings,
    /// What the configuration left out, and which rules run where.
    pub selection: selection::Selection,
    /// (target, resource type) → rule indices; rules with no resource list are under "".
    /// (By target first, so a lookup borrows the type instead of building a key.)
    /// Hashed with foldhash: the keys come from rules, not from scanned files
    /// (which only look up), and SipHash was 2% of a scan. (So are the next
    /// three: each is looked up once or twice per resource.)
    index: ByTarget<ByType<Vec<usize>>>,
    /// Resource types some `referenced_by` looks for (computed once).
    referrers: std::collections::HashSet<String, foldhash::fast::RandomState>,
    /// The relations whose scope is the whole scan, by slot.
    scan_relations: Vec<Arc<Relation>>,
    /// (target, resource type) → slots of the scan relations whose other end
    /// is that type: the resources every chunk describes for them.
    scan_types: ByTarget<ByType<Vec<usize>>>,
}

/// Maps keyed by what rules name, hashed with foldhash (see `RuleSet::index`).
type ByTarget<V> = HashMap<Target, V, foldhash::fast::RandomState>;
type ByType<V> = HashMap<String, V, foldhash::fast::RandomState>;

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));
}

/// The built-in rule files: (path under the repository, TOML text).
pub fn builtin_files() -> &'static [(&'static str, &'static str)] {
    builtin::FILES
}

/// The whole built-in pack compiled, for unit tests that check other data
/// (control matrices, points of focus) against it.
#[cfg(test)]
pub(crate) fn builtin_set() -> RuleSet {
    RuleSet::new(
        builtin::FILES
            .iter()
            .flat_map(|(name, text)| load_file(&format!("builtin:{name}"), text).expect("pack"))
            .collect(),
    )
    .expect("rule set")
}

/// The ids of the built-in rules, in file order, read from the `id = "…"`
/// lines of the embedded files by build.rs (a test checks they are the ids
/// the loaded pack has): what a selector can name when only part of the pack
/// was loaded for a scan, without compiling (or even scanning) the rest.
pub fn builtin_ids() -> &'static [&'static str] {
    builtin::IDS
}

/// The target of a built-in rule file: its directory under `policies/`, named
/// like the target (a test checks every rule in the file agrees), so a scan
/// can leave out the files of targets it has no files for.
pub fn builtin_target(path: &str) -> Option<Target> {
    let mut parts = path.split('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("policies"), Some(dir), Some(_)) => Target::parse(dir),
        _ => None,
    }
}

/// Parses and compiles one rule file.
pub fn load_file(name: &str, text: &str) -> Result<Vec<Rule>, Box<RuleFileError>> {
    load_file_with(name, text, compile::Checks::All)
}

/// Parses and compiles one file of the built-in pack (`builtin_files`),
/// without checking again what its tests checked (see
/// [`compile::Checks::Builtin`]); with `lenient`, as [`load_file_lenient`].
pub fn load_builtin_file(
    name: &str,
    text: &str,
    lenient: bool,
) -> Result<(Vec<Rule>, Vec<BrokenRule>), Box<RuleFileError>> {
    if lenient {
        load_lenient_with(name, text, compile::Checks::Builtin)
    } else {
        load_file_with(name, text, compile::Checks::Builtin).map(|ok| (ok, Vec::new()))
    }
}

/// A rule file's specs: for the built-in pack's own text, from the digest
/// build.rs made of it (no TOML parsing); otherwise, or should the digest
/// not read, from the TOML, with every problem found.
fn read_rule_file(
    text: &str,
    checks: compile::Checks,
) -> Result<schema::RuleFile, Vec<crate::toml_check::Problem>> {
    if checks == compile::Checks::Builtin {
        // the embedded text itself (its address), not a copy
        let embedded = builtin::FILES
            .iter()
            .position(|(_, t)| std::ptr::eq(*t, text));
        if let Some(file) = embedded.and_then(|i| digest::read(i).ok()) {
            return Ok(file);
        }
    }
    crate::toml_check::from_str(text)
}

fn load_file_with(
    name: &str,
    text: &str,
    checks: compile::Checks,
) -> Result<Vec<Rule>, Box<RuleFileError>> {
    let make_err = |message: String, span: Option<std::ops::Range<usize>>| {
        Box::new(RuleFileError {
            name: name.to_string(),
            message,
            source_code: NamedSource::new(name, text.to_string()),
            span: span.map(|r| SourceSpan::from(r.start..r.end.max(r.start))),
            others: Vec::new(),
        })
    };
    let file = read_rule_file(text, checks).map_err(|problems| {
        one_error(
            problems
                .into_iter()
                .map(|p| make_err(p.message, p.span))
                .collect(),
        )
    })?;
    // every rule's error in one reading, not one per run
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    for spec in file.rule {
        let definition = definition(text, &spec);
        match compile::compile_rule(spec, name, definition, checks) {
            Ok(rule) => rules.push(rule),
            Err(e) => errors.push(make_err(e.message, Some(e.span))),
        }
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(one_error(errors))
    }
}

/// A rule's definition as written (its table in the file): what the rule-set
/// hash is computed over. Taken from the span, so loading parses the TOML once.
fn definition(text: &str, spec: &toml::Spanned<schema::RuleSpec>) -> String {
    text.get(spec.span()).unwrap_or_default().trim().to_string()
}

/// A rule that could not be compiled: its id (or `file#N` when it has none) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenRule {
    pub id: String,
    pub reason: String,
}

/// Like [`load_file`], but a rule whose metadata or logic is invalid is returned
/// as a [`BrokenRule`] (with the reason and its line:column) instead of failing
/// the whole file; only a file that is not valid TOML is an error.
pub fn load_file_lenient(
    name: &str,
    text: &str,
) -> Result<(Vec<Rule>, Vec<BrokenRule>), Box<RuleFileError>> {
    load_lenient_with(name, text, compile::Checks::All)
}

fn load_lenient_with(
    name: &str,
    text: &str,
    checks: compile::Checks,
) -> Result<(Vec<Rule>, Vec<BrokenRule>), Box<RuleFileError>> {
    let file = read_rule_file(text, checks).map_err(|problems| {
        one_error(
            problems
                .into_iter()
                .map(|p| {
                    Box::new(RuleFileError {
                        name: name.to_string(),
                        message: p.message,
                        source_code: NamedSource::new(name, text.to_string()),
                        span: p
                            .span
                            .map(|r| SourceSpan::from(r.start..r.end.max(r.start))),
                        others: Vec::new(),
                    })
                })
                .collect(),
        )
    })?;
    let (mut ok, mut broken) = (Vec::new(), Vec::new());
    for (i, spec) in file.rule.into_iter().enumerate() {
        let id = spec.get_ref().id.get_ref().trim().to_string();
        let definition = definition(text, &spec);
        match compile::compile_rule(spec, name, definition, checks) {
            Ok(rule) => ok.push(rule),
            Err(e) => {
                let before = &text[..e.span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                broken.push(BrokenRule {
                    id: if id.is_empty() {
                        format!("{name}#{}", i + 1)
                    } else {
                        id
                    },
                    reason: format!(
                        "{} ({name}:{line}:{col})",
                        e.message.split_whitespace().collect::<Vec<_>>().join(" ")
                    ),
                });
            }
        }
    }
    Ok((ok, broken))
}

/// Drops every rule whose id was already seen, reporting it as broken.
pub fn dedupe(rules: &mut Vec<Rule>) -> Vec<BrokenRule> {
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut broken = Vec::new();
    rules.retain(|r| match seen.get(&r.meta.id) {
        Some(first) => {
            broken.push(BrokenRule {
                id: r.meta.id.clone(),
                reason: format!(
                    "rule id {} is defined twice: in {first} and in {}",
                    r.meta.id, r.meta.origin
                ),
            });
            false
        }
        None => {
            seen.insert(r.meta.id.clone(), r.meta.origin.clone());
            true
        }
    });
    broken
}

/// Gives each scan-scope relation under `cond` its slot (`first_slot` plus
/// the number found before it) and collects it. Such a relation is never nested in another
/// relation's `where` (the compiler refuses it), so only the combinators and
/// quantifiers are walked.
fn number_scan_relations(cond: &mut Cond, first_slot: usize, found: &mut Vec<Arc<Relation>>) {
    match cond {
        Cond::All(items) | Cond::Any(items) => {
            for c in items {
                number_scan_relations(c, first_slot, found);
            }
        }
        Cond::Not(inner) => number_scan_relations(inner, first_slot, found),
        Cond::Test {
            test: Test::Some(inner) | Test::Every(inner) | Test::None(inner),
            ..
        } => number_scan_relations(inner, first_slot, found),
        Cond::Relation(rel) if rel.scope == Scope::Scan => {
            // just compiled, so not shared yet
            if let Some(r) = Arc::get_mut(rel) {
                r.slot = first_slot + found.len();
            }
            found.push(Arc::clone(rel));
        }
        _ => {}
    }
}

impl RuleSet {
    /// Builds the set from rules in load order; a repeated id is an error
    /// (a user's rule cannot silently shadow a built-in one).
    pub fn new(rules: Vec<Rule>) -> Result<RuleSet, String> {
        let mut seen: HashMap<&str, &str> = HashMap::new();
        for r in &rules {
            if let Some(first) = seen.insert(&r.meta.id, &r.meta.origin) {
                return Err(format!(
                    "rule id {} is defined twice: in {} and in {}",
                    r.meta.id, first, r.meta.origin
                ));
            }
        }
        let mut set = RuleSet {
            rules,
            index: Default::default(),
            referrers: Default::default(),
            settings: Settings::default(),
            selection: selection::Selection::default(),
            scan_relations: Vec::new(),
            scan_types: Default::default(),
        };
        set.rules.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
        // number the scan-scope relations (in rule order, so slots are stable)
        for r in &mut set.rules {
            let target = r.meta.target;
            let mut found = Vec::new();
            let first_slot = set.scan_relations.len();
            for c in [
                r.where_.as_mut(),
                r.for_each_where.as_mut(),
                Some(&mut r.assert),
            ]
            .into_iter()
            .flatten()
            {
                number_scan_relations(c, first_slot, &mut found);
            }
            r.uses_scan = !found.is_empty();
            for rel in found {
                let slot = set.scan_relations.len();
                for ty in &rel.types {
                    set.scan_types
                        .entry(target)
                        .or_default()
                        .entry(ty.clone())
                        .or_default()
                        .push(slot);
                }
                set.scan_relations.push(rel);
            }
        }
        for (i, r) in set.rules.iter().enumerate() {
            let by_type = set.index.entry(r.meta.target).or_default();
            if r.meta.resources.is_empty() {
                by_type.entry(String::new()).or_default().push(i);
            }
            for ty in &r.meta.resources {
                by_type.entry(ty.clone()).or_default().push(i);
            }
        }
        set.referrers = set
            .collect_referrer_types()
            .into_iter()
            .map(str::to_string)
            .collect();
        Ok(set)
    }

    /// Resource types that `referenced_by` relations look for.
    pub fn referrer_types(
        &self,
    ) -> &std::collections::HashSet<String, foldhash::fast::RandomState> {
        &self.referrers
    }

    /// The relations whose scope is the whole scan, by slot.
    pub fn scan_relations(&self) -> &[Arc<Relation>] {
        &self.scan_relations
    }

    /// Slots of the scan relations that look for resources of this target and type.
    pub fn scan_slots(&self, target: Target, ty: &str) -> &[usize] {
        self.scan_types
            .get(&target)
            .and_then(|m| m.get(ty))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Rules that apply to a resource of this target and type.
    /// Rules that apply to a resource of this target and type, with their index.
    pub fn for_resource(&self, target: Target, ty: &str) -> impl Iterator<Item = (usize, &Rule)> {
        let by_type = self.index.get(&target);
        let rules_of = |ty: &str| {
            by_type
                .and_then(|m| m.get(ty))
                .map(Vec::as_slice)
                .unwrap_or(&[])
        };
        let (typed, any) = (rules_of(ty), rules_of(""));
        typed.iter().chain(any).map(move |&i| (i, &self.rules[i]))
    }

    fn collect_referrer_types(&self) -> std::collections::HashSet<&str> {
        fn walk<'c>(c: &'c Cond, out: &mut std::collections::HashSet<&'c str>) {
            match c {
                Cond::All(items) | Cond::Any(items) => items.iter().for_each(|i| walk(i, out)),
                Cond::Not(inner) => walk(inner, out),
                Cond::Test {
                    test: Test::Some(inner) | Test::Every(inner) | Test::None(inner),
                    ..
                } => walk(inner, out),
                Cond::Relation(rel) => {
                    if rel.dir == RelationDir::ReferencedBy && rel.scope == Scope::Local {
                        out.extend(rel.types.iter().map(String::as_str));
                    }
                    if let Some(w) = &rel.where_ {
                        walk(w, out);
                    }
                }
                _ => {}
            }
        }
        let mut out = std::collections::HashSet::new();
        for r in &self.rules {
            for c in [
                r.where_.as_ref(),
                r.for_each_where.as_ref(),
                Some(&r.assert),
            ]
            .into_iter()
            .flatten()
            {
                walk(c, &mut out);
            }
        }
        out
    }

    pub fn find(&self, id: &str) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.meta.id.eq_ignore_ascii_case(id))
    }
}

#[cfg(test)]
mod where_values_tests {
    use super::path::Path;
    use super::{Cond, Lit, Test, WhereValues};
    use crate::document::{Entry, Node, Span, Value};

    fn test(path: &str, test: Test) -> Cond {
        Cond::Test {
            path: Path::parse(path).expect("path"),
            test,
            default: None,
            newer: None,
        }
    }

    fn body(cmd: Value) -> Node {
        Node::map(
            vec![Entry {
                key: "cmd".into(),
                key_span: Span::default(),
                value: Node::new(cmd, Span::default()),
            }],
            Span::default(),
        )
    }

    #[test]
    fn only_string_comparisons_on_one_key_prefilter() {
        let run_or_add = test(
            "cmd",
            Test::In(vec![Lit::Str("RUN".into()), Lit::Str("ADD".into())]),
        );
        let v = WhereValues::of(&run_or_add).expect("prefilter");
        assert_eq!((v.key.as_str(), v.values.len()), ("cmd", 2));
        assert!(v.excludes(&body(Value::String("COPY".into()))));
        assert!(!v.excludes(&body(Value::String("ADD".into()))));
        // not a string, or absent: left to `where` (its coercions decide)
        assert!(!v.excludes(&body(Value::Number(1.0))));
        assert!(!v.excludes(&Node::map(Vec::new(), Span::default())));
        // an item of `all` serves; `any`, other tests, deeper paths and
        // non-string literals do not
        let all = Cond::All(vec![test("final", Test::IsTrue), run_or_add]);
        assert_eq!(WhereValues::of(&all).map(|v| v.key), Some("cmd".into()));
        assert!(WhereValues::of(&Cond::Any(vec![test(
            "cmd",
            Test::Equals(Lit::Str("RUN".into()))
        )]))
        .is_none());
        assert!(WhereValues::of(&test("cmd", Test::NotEquals(Lit::Str("RUN".into())))).is_none());
        assert!(WhereValues::of(&test("a.cmd", Test::Equals(Lit::Str("RUN".into())))).is_none());
        assert!(WhereValues::of(&test(
            "port",
            Test::In(vec![Lit::Num(80.0), Lit::Str("x".into())])
        ))
        .is_none());
    }
}

#[cfg(test)]
mod builtin_ids_tests {
    /// The ids read from the embedded files' lines are the ids the compiled
    /// pack has, in file order: none missed, none invented.
    #[test]
    fn the_ids_read_from_lines_are_the_compiled_ones() {
        let compiled: Vec<String> = super::builtin_files()
            .iter()
            .flat_map(|(name, text)| super::load_file(name, text).expect("built-in pack loads"))
            .map(|r| r.meta.id.clone())
            .collect();
        assert_eq!(super::builtin_ids(), compiled);
    }
}

#[cfg(test)]
mod builtin_checks_tests {
    use super::{builtin_files, load_builtin_file, load_file, LazyRegex};

    /// The built-in pack passes every check a user's file gets (so loading
    /// it without the regex and glob checks leaves nothing unchecked), and
    /// it compiles to the same rules either way.
    #[test]
    fn the_pack_passes_every_check_and_loads_alike_without_them() {
        for (name, text) in builtin_files() {
            let checked = load_file(name, text).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            let (unchecked, broken) =
                load_builtin_file(name, text, true).unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert!(broken.is_empty(), "{name}: {broken:?}");
            assert_eq!(format!("{checked:?}"), format!("{unchecked:?}"), "{name}");
            let (strict, _) = load_builtin_file(name, text, false).expect("loads");
            assert_eq!(format!("{strict:?}"), format!("{checked:?}"), "{name}");
        }
    }

    fn rule(assert: &str) -> String {
        format!(
            "[[rule]]\nid = \"MY-001\"\ntitle = \"t\"\nseverity = \"high\"\ncriteria = [\"CC6.1\"]\n\
             target = \"terraform\"\nmessage = \"m\"\nrationale = \"r\"\nremediation = \"x\"\n\
             assert = {assert}\n"
        )
    }

    /// A user's bad pattern is still an error at load, at the pattern, with
    /// the parser's message, even when the same process has loaded the
    /// built-in pack without checks and shares automata between rules.
    #[test]
    fn a_bad_regex_in_a_users_rule_fails_at_load_with_the_same_message() {
        for (name, text) in builtin_files() {
            load_builtin_file(name, text, false).expect("pack loads");
        }
        let text = rule("{ path = \"a\", matches = \"x(\" }");
        let e = load_file("mine.toml", &text).expect_err("bad pattern");
        assert_eq!(
            e.message,
            "invalid regex: regex parse error:\n    x(\n     ^\nerror: unclosed group"
        );
        let at = text.find("\"x(\"").expect("pattern");
        assert_eq!(e.span, Some((at..at + 4).into()));
        // the lenient reading (`soclint test`, `rules`) reports it as broken
        let (ok, broken) = super::load_file_lenient("mine.toml", &text).expect("toml");
        assert!(ok.is_empty());
        assert_eq!(broken.len(), 1);
        assert!(
            broken[0].reason.starts_with(
                "invalid regex: regex parse error: x( ^ error: unclosed group (mine.toml:10:"
            ),
            "{}",
            broken[0].reason
        );
        // a bad `mask` pattern and a bad glob, likewise
        let masked = text.replace(
            "assert = { path = \"a\", matches = \"x(\" }",
            "secret = true\nmask = [{ path = \"a\", matches = \"[\" }]\nassert = { path = \"a\", exists = true }",
        );
        let e = load_file("mine.toml", &masked).expect_err("bad mask pattern");
        assert!(
            e.message.starts_with("`mask` pattern: regex parse error:"),
            "{}",
            e.message
        );
        let key_pattern = rule("{ path = 'env[~\"(\"]', exists = true }");
        let e = load_file("mine.toml", &key_pattern).expect_err("bad key pattern");
        assert!(
            e.message
                .starts_with("invalid path: `[~\"(\"]`: regex parse error:"),
            "{}",
            e.message
        );
        // a pattern whose syntax parses but which the regex crate refuses
        // (an unknown Unicode class) is an error too, not a matcher that
        // matches nothing at the first use
        for bad in ["\\\\p{Bogus}", "(?-u:\\\\xFF)"] {
            let text = rule(&format!("{{ path = \"a\", matches = \"{bad}\" }}"));
            let e = load_file("mine.toml", &text).expect_err(bad);
            assert!(
                e.message.starts_with("invalid regex: regex parse error:"),
                "{}",
                e.message
            );
        }
        let glob = rule("{ file_exists = [\"a/[\"] }");
        let e = load_file("mine.toml", &glob).expect_err("bad glob");
        assert!(e.message.starts_with("invalid glob `a/[`"), "{}", e.message);
    }

    /// Rules with one pattern share its automaton, checked or not, and it
    /// matches as the pattern compiled on its own does; other patterns have
    /// their own, and once no rule holds a pattern its automaton goes.
    #[test]
    fn rules_with_one_pattern_share_its_automaton_and_match_alike() {
        let pattern = "(?i)^(tcp|6)$ shared-automaton-test";
        let a = LazyRegex::new(pattern).expect("valid");
        let b = LazyRegex::prechecked(pattern);
        assert!(std::sync::Arc::ptr_eq(&a.built, &b.built));
        assert!(a.built.get().is_none(), "built on first use only");
        assert!(std::ptr::eq(a.get(), b.get()));
        let alone = regex::Regex::new(pattern).expect("valid");
        for s in [
            "TCP shared-automaton-test",
            "6 shared-automaton-test",
            "udp",
            "",
        ] {
            assert_eq!(b.get().is_match(s), alone.is_match(s), "{s}");
        }
        let other = LazyRegex::new("(?i)^(udp|17)$ shared-automaton-test").expect("valid");
        assert!(!std::sync::Arc::ptr_eq(&a.built, &other.built));
        drop((a, b));
        let again = LazyRegex::new(pattern).expect("valid");
        assert!(
            again.built.get().is_none(),
            "a fresh cell once none held it"
        );
        assert_eq!(format!("{again:?}"), format!("LazyRegex({pattern:?})"));
    }
}
