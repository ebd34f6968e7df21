//! Rule specs (TOML) → executable rules: paths parsed, regexes and globs built
//! once, criteria and severities validated, every error with its TOML span.
use std::ops::Range;
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::Regex;
use toml::Spanned;

use super::criteria;
use super::path::Path;
use super::schema::{CondSpec, DaysSpec, MaskSpec, RelationSpec, RuleSpec};
use super::{
    Cond, Days, LazyGlobs, LazyRegex, Lit, Ord2, Relation, RelationDir, Rule, RuleMeta, Scope,
    Settings, Severity, Target, Test,
};

/// A rule-file error with the byte range it is about.
#[derive(Debug, Clone)]
pub struct CompileError {
    pub message: String,
    pub span: Range<usize>,
}

/// How much of a rule file loading checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checks {
    /// Everything: a user's rule file, or the pack under test. A bad regex or
    /// glob is an error pointing at it before any file is scanned.
    All,
    /// The built-in pack as embedded: its regexes and globs passed every
    /// check when it was tested (`rules::builtin_checks_tests`), so loading
    /// does not parse them again; they are built on first use, as always.
    /// Everything else is checked as for a user's file.
    Builtin,
}

fn err<T>(message: impl Into<String>, span: Range<usize>) -> Result<T, CompileError> {
    Err(CompileError {
        message: message.into(),
        span,
    })
}

pub fn compile_rule(
    spec: Spanned<RuleSpec>,
    origin: &str,
    definition: String,
    checks: Checks,
) -> Result<Rule, CompileError> {
    let rule_span = spec.span();
    let spec = spec.into_inner();
    let id = spec.id.get_ref().trim().to_string();
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return err(
            "a rule id is letters, digits, `-` and `_` (e.g. `AWS-S3-001`)",
            spec.id.span(),
        );
    }
    let severity = severity_of(&spec.severity)?;
    let target = Target::parse(spec.target.get_ref()).ok_or_else(|| CompileError {
        message: format!(
            "unknown target `{}` (expected one of: {})",
            spec.target.get_ref(),
            Target::ALL
                .iter()
                .map(|t| t.name())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        span: spec.target.span(),
    })?;
    let criteria_span = spec.criteria.span();
    let mut criteria_ids = Vec::new();
    for c in spec.criteria.into_inner() {
        let text = c.get_ref().trim();
        match criteria::find(text) {
            Some(found) => criteria_ids.push(found.id),
            None => {
                return err(
                    format!("`{text}` is not a Trust Services Criterion (e.g. CC6.1, A1.2)"),
                    c.span(),
                )
            }
        }
    }
    if criteria_ids.is_empty() {
        return err("a rule maps to at least one criterion", criteria_span);
    }
    if let Some(known) = target.resource_types() {
        if let Some(r) = spec
            .resources
            .iter()
            .find(|r| !known.contains(&r.get_ref().as_str()))
        {
            return err(
                format!(
                    "target `{target}` has no resource type `{}`{} (its types: {})",
                    r.get_ref(),
                    crate::suggest::did_you_mean(r.get_ref(), known.iter().copied()),
                    known.join(", ")
                ),
                r.span(),
            );
        }
    }
    let resources = spec.resources.into_iter().map(|r| r.into_inner()).collect();
    let paths = if spec.paths.is_empty() {
        None
    } else {
        Some(lazy_globs(
            spec.paths.iter().map(|p| (p.get_ref().as_str(), p.span())),
            checks,
        )?)
    };
    let cond = |c: Box<Spanned<CondSpec>>| compile_cond(*c, checks);
    let where_ = spec.where_.map(cond).transpose()?;
    let for_each = match spec.for_each {
        Some(p) => Some(Path::parse_with(p.get_ref(), checks).or_else(|e| err(e, p.span()))?),
        None => None,
    };
    let for_each_where = spec.for_each_where.map(cond).transpose()?;
    if for_each.is_none() && for_each_where.is_some() {
        return err("`for_each_where` needs `for_each`", rule_span);
    }
    let mut assert = cond(spec.assert)?;
    let mut requires = Vec::new();
    for r in &spec.requires {
        match super::Requirement::parse(r.get_ref()) {
            Some(req) => requires.push(req),
            None => {
                return err(
                    format!(
                        "`{}` is not a setting a rule can require (expected one of: {})",
                        r.get_ref(),
                        super::Requirement::ALL.map(|r| r.name()).join(", ")
                    ),
                    r.span(),
                )
            }
        }
    }
    let mask = compile_masks(spec.mask, spec.secret, checks)?;
    let message = spec.message.get_ref().clone();
    check_placeholders(&message, spec.message.span())?;
    if let Some(label) = &spec.label {
        check_placeholders(label.get_ref(), label.span())?;
    }
    let fix = match spec.fix {
        Some(f) if for_each.is_some() => {
            return err(
                "`fix` is relative to the resource, so a rule with `for_each` has none",
                f.span(),
            )
        }
        f => f.map(|f| compile_fix(*f, checks)).transpose()?,
    };
    let meta = RuleMeta {
        id,
        title: spec.title,
        severity,
        criteria: criteria_ids,
        target,
        resources,
        message,
        label: spec.label.map(|l| l.into_inner()),
        secret: spec.secret,
        rationale: spec.rationale.trim().to_string(),
        remediation: spec.remediation.trim().to_string(),
        references: spec.references,
        checkov: spec.checkov,
        examples: spec.examples,
        requires,
        origin: origin.to_string(),
        definition,
        fix: fix.as_ref().map(|f: &super::Fix| super::FixNote {
            title: f.title(),
            suggestion: f.suggestion,
        }),
    };
    let provider_default = match spec.provider_default {
        Some(pd) => {
            let pd = compile_provider_default(*pd, &meta, target)?;
            if let Some((path, _)) = &pd.newer {
                attach_newer(&mut assert, path, &pd);
            }
            Some(pd)
        }
        None => None,
    };
    Ok(Rule {
        meta: Arc::new(meta),
        paths,
        where_values: where_.as_ref().and_then(super::WhereValues::of),
        where_,
        for_each,
        for_each_where,
        assert,
        mask,
        uses_scan: false,
        fix,
        provider_default,
    })
}

/// A rule's severity word, or an error at it.
fn severity_of(word: &Spanned<String>) -> Result<Severity, CompileError> {
    Severity::parse(word.get_ref()).ok_or_else(|| CompileError {
        message: format!(
            "unknown severity `{}` (expected critical, high, medium, low or info)",
            word.get_ref()
        ),
        span: word.span(),
    })
}

/// A rule's `provider_default`: a Terraform rule's, with a version `since`,
/// `path` and `value` together, a severity below the rule's.
fn compile_provider_default(
    spec: Spanned<super::schema::ProviderDefaultSpec>,
    meta: &RuleMeta,
    target: Target,
) -> Result<Arc<super::ProviderDefault>, CompileError> {
    let span = spec.span();
    let spec = spec.into_inner();
    if target != Target::Terraform {
        return err("`provider_default` is for Terraform rules", span);
    }
    let since = super::version::parse(spec.since.get_ref()).ok_or_else(|| CompileError {
        message: format!("`{}` is not a version (e.g. 3.0.0)", spec.since.get_ref()),
        span: spec.since.span(),
    })?;
    let newer = match (&spec.path, &spec.value) {
        (Some(p), Some(v)) => Some((
            Path::parse(p.get_ref()).or_else(|e| err(format!("invalid path: {e}"), p.span()))?,
            super::eval::lit_node(&lit(v, span.clone())?),
        )),
        (None, None) => None,
        _ => return err("`path` and `value` go together in `provider_default`", span),
    };
    let severity = severity_of(&spec.severity)?;
    if severity >= meta.severity {
        return err(
            "the severity of a finding that depends on the provider version is below the rule's",
            spec.severity.span(),
        );
    }
    let mut hardening = meta.clone();
    hardening.severity = severity;
    Ok(Arc::new(super::ProviderDefault {
        provider: spec.provider,
        since,
        newer,
        hardening: Arc::new(hardening),
        note: spec.note.trim().to_string(),
    }))
}

/// Gives every test of `path` the provider default's newer value.
fn attach_newer(cond: &mut Cond, path: &Path, pd: &Arc<super::ProviderDefault>) {
    match cond {
        Cond::All(items) | Cond::Any(items) => {
            items.iter_mut().for_each(|c| attach_newer(c, path, pd))
        }
        Cond::Not(inner) => attach_newer(inner, path, pd),
        Cond::Test { path: p, newer, .. } if p == path => *newer = Some(Arc::clone(pd)),
        _ => {}
    }
}

/// A rule's `fix`: exactly one of `set` (with `value`), `remove` and
/// `replace` (with `with`); plain dotted key paths; values no format needs
/// to escape; a placeholder (`<…>`) only in a suggestion.
fn compile_fix(
    spec: Spanned<super::schema::FixSpec>,
    checks: Checks,
) -> Result<super::Fix, CompileError> {
    use super::FixAction;
    let span = spec.span();
    let spec = spec.into_inner();
    let path = |p: &str| -> Result<Vec<String>, CompileError> {
        let keys: Vec<String> = p.split('.').map(str::to_string).collect();
        if keys.iter().all(|k| plain_key(k)) {
            Ok(keys)
        } else {
            err(
                "`fix.set` and `fix.remove` are dotted paths of plain keys (letters, digits, `_`, `-`), e.g. `securityContext.privileged`",
                span.clone(),
            )
        }
    };
    let action = match (&spec.set, &spec.remove, &spec.replace) {
        (Some(set), None, None) if spec.with.is_none() => {
            let value = match (spec.value, &spec.from) {
                (Some(v), None) => fix_value(v, spec.suggestion, &span)?,
                (None, Some(from)) => super::FixValue::From(path(from)?),
                _ => return err("`fix.set` needs a `value` or a `from`", span),
            };
            FixAction::Set {
                path: path(set)?,
                value,
            }
        }
        (None, Some(remove), None)
            if spec.value.is_none() && spec.with.is_none() && spec.from.is_none() =>
        {
            FixAction::Remove {
                path: path(remove)?,
            }
        }
        (None, None, Some(pattern)) if spec.value.is_none() && spec.from.is_none() => {
            if checks == Checks::All {
                regex::Regex::new(pattern)
                    .or_else(|e| err(format!("`fix.replace` pattern: {e}"), span.clone()))?;
            }
            let Some(with) = spec.with else {
                return err("`fix.replace` needs `with`", span);
            };
            if !plain_text(&with, spec.suggestion) {
                return err(
                    "`fix.with` is plain text (letters, digits, `-_.:/@$`; a placeholder in `<…>` only with `suggestion = true`)",
                    span,
                );
            }
            FixAction::Replace {
                pattern: pattern.clone(),
                with,
            }
        }
        _ => {
            return err(
                "`fix` is one of `{ set = \"a.b\", value = … }`, `{ remove = \"a.b\" }` or `{ replace = \"regex\", with = \"text\" }`",
                span,
            )
        }
    };
    if let Some(b) = &spec.before {
        if !plain_key(b) || !matches!(action, FixAction::Set { .. }) {
            return err("`fix.before` is a plain key, for a `set` fix", span);
        }
    }
    if let Some(p) = spec
        .unless_file_matches
        .as_ref()
        .filter(|_| checks == Checks::All)
    {
        regex::Regex::new(p).or_else(|e| {
            err(
                format!("`fix.unless_file_matches` pattern: {e}"),
                span.clone(),
            )
        })?;
    }
    Ok(super::Fix {
        action,
        suggestion: spec.suggestion,
        before: spec.before,
        unless_file_matches: spec.unless_file_matches,
        when: spec
            .when
            .map(|c| compile_cond(c, checks))
            .transpose()?
            .map(Arc::new),
        title: spec.title,
    })
}

fn plain_key(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Text every format writes as it is: letters, digits and `-_.:/@`, plus
/// `$` (a group in `with`); `<`, `>` and spaces only in a suggestion, whose
/// placeholder a person replaces anyway.
fn plain_text(s: &str, suggestion: bool) -> bool {
    !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric() || "-_.:/@$".contains(c) || (suggestion && "<> ".contains(c))
        })
        && (suggestion || !s.contains(['<', '>']))
}

fn fix_value(
    v: toml::Value,
    suggestion: bool,
    span: &std::ops::Range<usize>,
) -> Result<super::FixValue, CompileError> {
    use super::FixValue;
    Ok(match v {
        toml::Value::Boolean(b) => FixValue::Bool(b),
        toml::Value::Integer(i) => FixValue::Int(i),
        toml::Value::String(s) if plain_text(&s, suggestion) && !s.contains('$') => {
            FixValue::Str(s)
        }
        toml::Value::Table(t) if !t.is_empty() => {
            let mut out = Vec::new();
            for (k, v) in t {
                if !plain_key(&k) {
                    return err("`fix.value` keys are plain keys", span.clone());
                }
                out.push((k, fix_value(v, suggestion, span)?));
            }
            FixValue::Map(out)
        }
        _ => return err(
            "`fix.value` is a boolean, an integer, a plain string (letters, digits, `-_.:/@`; a placeholder in `<…>` only with `suggestion = true`) or a table of them",
            span.clone(),
        ),
    })
}

fn compile_masks(
    specs: Vec<Spanned<MaskSpec>>,
    secret: bool,
    checks: Checks,
) -> Result<Vec<super::Mask>, CompileError> {
    let mut out = Vec::with_capacity(specs.len());
    for spec in specs {
        let span = spec.span();
        if !secret {
            return err("`mask` is for rules with `secret = true`", span);
        }
        let (path, within) = match spec.into_inner() {
            MaskSpec::Path(p) => (p, None),
            MaskSpec::Within { path, matches } => (path, Some(matches)),
        };
        let path = Path::parse_with(&path, checks).or_else(|e| err(e, span.clone()))?;
        let within = match within {
            Some(re) if checks == Checks::Builtin => Some(LazyRegex::prechecked(&re)),
            Some(re) => Some(
                LazyRegex::new(&re)
                    .or_else(|e| err(format!("`mask` pattern: {e}"), span.clone()))?,
            ),
            None => None,
        };
        out.push(super::Mask { path, within });
    }
    Ok(out)
}

/// `{name}` with an identifier inside must be a known placeholder; other
/// braces (`${{ }}` in a workflow message) are text.
fn check_placeholders(message: &str, span: Range<usize>) -> Result<(), CompileError> {
    let re = placeholder_regex();
    for cap in re.captures_iter(message) {
        let name = &cap[1];
        if !matches!(name, "resource" | "value" | "type" | "file" | "path") {
            return err(
                format!(
                    "unknown placeholder `{{{name}}}` (use resource, value, type, file or path)"
                ),
                span,
            );
        }
    }
    Ok(())
}

fn placeholder_regex() -> &'static Regex {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\{([A-Za-z_][A-Za-z0-9_]*)\}").unwrap_or_else(|_| unreachable!("valid regex"))
    })
}

/// The globs of `file_exists`/`file_absent`, with `{policy_paths}` expanded to
/// the default policy directories (the evaluator re-expands them when the
/// configured directories differ).
fn file_globs(globs: &Spanned<Vec<String>>, checks: Checks) -> Result<LazyGlobs, CompileError> {
    let expanded = Settings::default().expand(globs.get_ref());
    lazy_globs(expanded.iter().map(|g| (g.as_str(), globs.span())), checks)
}

/// Globs checked now (an error points at the pattern; the built-in pack's
/// were checked when it was tested) and built on first use.
fn lazy_globs<'a>(
    patterns: impl Iterator<Item = (&'a str, Range<usize>)>,
    checks: Checks,
) -> Result<LazyGlobs, CompileError> {
    let mut checked = Vec::new();
    for (pattern, span) in patterns {
        if checks == Checks::All {
            check_glob(pattern, span)?;
        }
        checked.push(pattern.to_string());
    }
    Ok(LazyGlobs::new(checked))
}

/// Parses one glob as [`build_globs`] will (parsing is cheap; compiling the
/// set's matcher is what waits for first use).
pub fn check_glob(pattern: &str, span: Range<usize>) -> Result<Glob, CompileError> {
    globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .or_else(|e| err(format!("invalid glob `{pattern}`: {e}"), span))
}

pub fn build_globs<'a>(
    patterns: impl Iterator<Item = (&'a str, Range<usize>)>,
) -> Result<GlobSet, CompileError> {
    let mut builder = GlobSetBuilder::new();
    for (pattern, span) in patterns {
        builder.add(check_glob(pattern, span)?);
        // `dir/**` also matches the directory's files when written as `dir/`
        if !pattern.contains('/') {
            if let Ok(g) = Glob::new(&format!("**/{pattern}")) {
                builder.add(g);
            }
        }
    }
    builder.build().or_else(|e| err(e.to_string(), 0..0))
}

fn lit(value: &toml::Value, span: Range<usize>) -> Result<Lit, CompileError> {
    Ok(match value {
        toml::Value::String(s) => Lit::Str(s.clone()),
        toml::Value::Integer(i) => Lit::Num(*i as f64),
        toml::Value::Float(f) => Lit::Num(*f),
        toml::Value::Boolean(b) => Lit::Bool(*b),
        toml::Value::Array(items) => Lit::List(
            items
                .iter()
                .map(|v| lit(v, span.clone()))
                .collect::<Result<_, _>>()?,
        ),
        _ => return err("expected a string, number, boolean or list", span),
    })
}

fn regex(pattern: &Spanned<String>, checks: Checks) -> Result<LazyRegex, CompileError> {
    match checks {
        Checks::All => LazyRegex::new(pattern.get_ref())
            .or_else(|e| err(format!("invalid regex: {e}"), pattern.span())),
        Checks::Builtin => Ok(LazyRegex::prechecked(pattern.get_ref())),
    }
}

fn boxed(spec: Box<Spanned<CondSpec>>, checks: Checks) -> Result<Box<Cond>, CompileError> {
    compile_cond(*spec, checks).map(Box::new)
}

pub fn compile_cond(spec: Spanned<CondSpec>, checks: Checks) -> Result<Cond, CompileError> {
    let span = spec.span();
    let s = spec.into_inner();
    let mut found: Vec<Cond> = Vec::new();

    if let Some(items) = s.all {
        found.push(Cond::All(
            items
                .into_iter()
                .map(|c| compile_cond(c, checks))
                .collect::<Result<_, _>>()?,
        ));
    }
    if let Some(items) = s.any {
        found.push(Cond::Any(
            items
                .into_iter()
                .map(|c| compile_cond(c, checks))
                .collect::<Result<_, _>>()?,
        ));
    }
    if let Some(inner) = s.not {
        found.push(Cond::Not(boxed(inner, checks)?));
    }
    if let Some(rel) = s.referenced_by {
        found.push(relation(*rel, RelationDir::ReferencedBy, checks)?);
    }
    if let Some(rel) = s.references {
        found.push(relation(*rel, RelationDir::References, checks)?);
    }
    if let Some(rel) = s.selected_by {
        found.push(relation(*rel, RelationDir::SelectedBy, checks)?);
    }
    if let Some(spec) = s.any_resource {
        let spec = spec.into_inner();
        let where_ = spec.where_.map(|w| boxed(w, checks)).transpose()?;
        found.push(Cond::Relation(Arc::new(Relation {
            dir: RelationDir::AnyResource,
            types: spec.types.into_inner().into_vec(),
            via: Path::default(),
            scope: scope(spec.scope.as_ref(), where_.as_deref())?,
            where_,
            key: None,
            slot: usize::MAX,
        })));
    }
    if let Some(globs) = s.file_exists {
        let gs = file_globs(&globs, checks)?;
        found.push(Cond::FileExists(gs, globs.into_inner()));
    }
    if let Some(globs) = s.file_absent {
        let gs = file_globs(&globs, checks)?;
        found.push(Cond::FileAbsent(gs, globs.into_inner()));
    }

    let mut tests: Vec<Test> = Vec::new();
    macro_rules! flag {
        ($field:expr, $test:expr, $name:literal) => {
            if let Some(v) = $field {
                if !*v.get_ref() {
                    return err(
                        concat!(
                            "`",
                            $name,
                            " = false` is not allowed; use the opposite operator"
                        ),
                        v.span(),
                    );
                }
                tests.push($test);
            }
        };
    }
    flag!(s.exists, Test::Exists, "exists");
    flag!(s.absent, Test::Absent, "absent");
    flag!(s.is_true, Test::IsTrue, "is_true");
    flag!(s.is_false, Test::IsFalse, "is_false");
    flag!(s.is_date, Test::IsDate, "is_date");
    if let Some(v) = s.equals {
        tests.push(Test::Equals(lit(v.get_ref(), v.span())?));
    }
    if let Some(v) = s.not_equals {
        tests.push(Test::NotEquals(lit(v.get_ref(), v.span())?));
    }
    if let Some(v) = s.in_ {
        let items = v
            .get_ref()
            .iter()
            .map(|x| lit(x, v.span()))
            .collect::<Result<_, _>>()?;
        tests.push(Test::In(items));
    }
    if let Some(v) = s.not_in {
        let items = v
            .get_ref()
            .iter()
            .map(|x| lit(x, v.span()))
            .collect::<Result<_, _>>()?;
        tests.push(Test::NotIn(items));
    }
    if let Some(v) = s.matches {
        tests.push(Test::Matches(regex(&v, checks)?));
    }
    if let Some(v) = s.not_matches {
        tests.push(Test::NotMatches(regex(&v, checks)?));
    }
    for (v, op) in [
        (s.lt, Ord2::Lt),
        (s.le, Ord2::Le),
        (s.gt, Ord2::Gt),
        (s.ge, Ord2::Ge),
    ] {
        if let Some(v) = v {
            tests.push(Test::Compare(op, *v.get_ref()));
        }
    }
    for (v, op) in [
        (s.length_eq, Ord2::Eq),
        (s.length_lt, Ord2::Lt),
        (s.length_le, Ord2::Le),
        (s.length_gt, Ord2::Gt),
        (s.length_ge, Ord2::Ge),
    ] {
        if let Some(v) = v {
            tests.push(Test::Length(op, *v.get_ref()));
        }
    }
    for (v, op) in [
        (s.version_lt, Ord2::Lt),
        (s.version_le, Ord2::Le),
        (s.version_gt, Ord2::Gt),
        (s.version_ge, Ord2::Ge),
    ] {
        if let Some(v) = v {
            match super::version::parse(v.get_ref()) {
                Some(version) => tests.push(Test::Version(op, version)),
                None => {
                    return err(
                        format!(
                            "`{}` is not a version (e.g. \"v6\", \"1.27.2\")",
                            v.get_ref()
                        ),
                        v.span(),
                    )
                }
            }
        }
    }
    if let Some(v) = s.contains {
        tests.push(Test::Contains(lit(v.get_ref(), v.span())?));
    }
    if let Some(v) = s.not_contains {
        tests.push(Test::NotContains(lit(v.get_ref(), v.span())?));
    }
    if let Some(v) = s.starts_with {
        tests.push(Test::StartsWith(v.into_inner()));
    }
    if let Some(v) = s.ends_with {
        tests.push(Test::EndsWith(v.into_inner()));
    }
    if let Some(v) = s.younger_than_days {
        let days = match v.get_ref() {
            DaysSpec::Days(n) => Days::Fixed(*n),
            DaysSpec::Setting(name) if name == "policy-max-age-days" => Days::PolicyMaxAge,
            DaysSpec::Setting(name) => {
                return err(
                    format!("`{name}` is not a setting; expected a number of days or \"policy-max-age-days\""),
                    v.span(),
                )
            }
        };
        tests.push(Test::YoungerThanDays(days));
    }
    if let Some(v) = s.some {
        tests.push(Test::Some(boxed(v, checks)?));
    }
    if let Some(v) = s.every {
        tests.push(Test::Every(boxed(v, checks)?));
    }
    if let Some(v) = s.none {
        tests.push(Test::None(boxed(v, checks)?));
    }

    let path = match &s.path {
        Some(p) => Path::parse_with(p.get_ref(), checks)
            .or_else(|e| err(format!("invalid path: {e}"), p.span()))?,
        None => Path::default(),
    };
    let default = match &s.default {
        Some(v) => Some(super::eval::lit_node(&lit(v, span.clone())?)),
        None => None,
    };
    match tests.len() {
        0 => {
            if s.path.is_some() {
                return err(
                    "a condition with `path` needs one operator (exists, equals, in, matches, some, …)",
                    span,
                );
            }
            if default.is_some() {
                return err("`default` goes with a test on a path", span);
            }
        }
        1 => found.push(Cond::Test {
            path,
            test: tests.pop().ok_or_else(|| CompileError {
                message: String::new(),
                span: span.clone(),
            })?,
            default,
            newer: None,
        }),
        _ => {
            return err(
                "one operator per condition; combine several with `all = [...]` or `any = [...]`",
                span,
            )
        }
    }
    if found.len() != 1 {
        return err(
            if found.is_empty() {
                "empty condition: expected a test (`path` + operator), `all`, `any`, `not`, a relation or a file test"
            } else {
                "a condition holds one thing: a test, `all`, `any`, `not`, a relation or a file test; nest them instead"
            },
            span,
        );
    }
    Ok(found.remove(0))
}

fn relation(
    spec: Spanned<RelationSpec>,
    dir: RelationDir,
    checks: Checks,
) -> Result<Cond, CompileError> {
    let span = spec.span();
    let spec = spec.into_inner();
    let types = spec.types.into_inner().into_vec();
    let via = Path::parse_with(spec.via.get_ref(), checks)
        .or_else(|e| err(format!("invalid path: {e}"), spec.via.span()))?;
    let where_ = spec.where_.map(|w| boxed(w, checks)).transpose()?;
    let key = match spec.key {
        Some(k) if dir == RelationDir::ReferencedBy => Some(
            Path::parse_with(k.get_ref(), checks)
                .or_else(|e| err(format!("invalid path: {e}"), k.span()))?,
        ),
        Some(k) => return err("`key` goes with `referenced_by` only", k.span()),
        None => None,
    };
    if dir == RelationDir::SelectedBy && via.segments.is_empty() {
        return err(
            "`selected_by` needs `via`: the path of the label selector",
            span,
        );
    }
    Ok(Cond::Relation(Arc::new(Relation {
        dir,
        types,
        via,
        scope: scope(spec.scope.as_ref(), where_.as_deref())?,
        where_,
        key,
        slot: usize::MAX,
    })))
}

/// A relation's `scope`: `"local"` (the default) or `"scan"`. A scan-scope
/// relation is answered once every file is read, from what each file said
/// about its resources; the other resource's `where` is part of that, so it
/// cannot itself wait for the whole scan.
fn scope(spec: Option<&Spanned<String>>, where_: Option<&Cond>) -> Result<Scope, CompileError> {
    let Some(s) = spec else {
        return Ok(Scope::Local);
    };
    match s.get_ref().as_str() {
        "local" => Ok(Scope::Local),
        "scan" if where_.is_some_and(has_scan_relation) => err(
            "a relation with `scope = \"scan\"` cannot have another scan-scope relation in its `where`",
            s.span(),
        ),
        "scan" => Ok(Scope::Scan),
        other => err(
            format!("unknown scope `{other}` (expected \"local\" or \"scan\")"),
            s.span(),
        ),
    }
}

fn has_scan_relation(cond: &Cond) -> bool {
    match cond {
        Cond::All(items) | Cond::Any(items) => items.iter().any(has_scan_relation),
        Cond::Not(inner) => has_scan_relation(inner),
        Cond::Test {
            test: Test::Some(inner) | Test::Every(inner) | Test::None(inner),
            ..
        } => has_scan_relation(inner),
        Cond::Relation(rel) => {
            rel.scope == Scope::Scan || rel.where_.as_deref().is_some_and(has_scan_relation)
        }
        _ => false,
    }
}
