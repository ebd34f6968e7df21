//! SARIF 2.1.0 for GitHub code scanning and other viewers: one run; a rule
//! entry per rule that produced a result (active or suppressed), with its
//! Trust Services Criteria as tags, `criteria` and relationships to the TSC
//! taxonomy; results with relative `%SRCROOT%` locations, 1-based regions,
//! fingerprints that do not depend on line numbers and, for accepted
//! exceptions, `suppressions`. Parse errors and skipped files are tool
//! execution notifications. No timings: the output is byte-identical per input.
use std::collections::BTreeMap;
use std::sync::Arc;

use std::io::Write;

use serde_json::{json, Value};

use super::{level, pretty};
use crate::escape;
use crate::finding::{Finding, Location, Role, ScanResult, SuppressionKind};
use crate::frameworks::{self, Framework};
use crate::rules::criteria::CRITERIA;
use crate::rules::{RuleMeta, Severity};
use crate::unscanned::Status;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://example.invalid/soclint";
const TSC_NAME: &str = "TSC";
const TSC_GUID: &str = "5b8f2d7e-3c41-4a96-9e0b-7d2f6a1c4e83";
/// The key of soclint's fingerprint in `partialFingerprints`: v2 since
/// fingerprints are SHA-256 (v1 held FNV-1a ones; a new key, so a viewer
/// never takes one kind for the other).
pub const FINGERPRINT_KEY: &str = "soclintFingerprint/v2";

/// GitHub's scale: critical ≥ 9.0, high 7.0–8.9, medium 4.0–6.9, low < 4.0.
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// A coverage gap's notification level: `error` when it fails the run,
/// `warning` when it warns, `note` when it is accepted or ignored.
fn gap_level(status: &Status) -> &'static str {
    match status {
        Status::Error => "error",
        Status::Warning => "warning",
        _ => "note",
    }
}

/// Text as a sentence (SARIF viewers expect messages to end with a period).
fn sentence(s: &str) -> String {
    let t = s.trim();
    if t.ends_with(['.', '!', '?']) {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

/// A path relative to the scanned root as a relative URI reference
/// ([`crate::escape::uri_path`]).
pub fn uri(path: &str) -> String {
    crate::escape::uri_path(path).into_owned()
}

/// `AWS-S3-001` titled "S3 bucket ACL does not grant public access" →
/// `S3BucketAclDoesNotGrantPublicAccess`.
fn rule_name(title: &str) -> String {
    title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|c| c.to_ascii_uppercase().to_string() + &cs.as_str().to_ascii_lowercase())
                .unwrap_or_default()
        })
        .collect()
}

fn region(l: &Location) -> Value {
    let start_line = l.start_line.max(1);
    let start_column = l.start_column.max(1);
    let end_line = l.end_line.max(start_line);
    let end_column = if end_line == start_line {
        l.end_column.max(start_column)
    } else {
        l.end_column.max(1)
    };
    json!({
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
    })
}

fn physical(path: &str, l: &Location) -> Value {
    json!({
        "artifactLocation": { "uri": uri(path), "uriBaseId": "%SRCROOT%" },
        "region": region(l),
    })
}

/// Whether a rule's reference can be a link: an http(s) URL with nothing that
/// would end an autolink (`<…>`) early.
fn web_link(r: &str) -> bool {
    (r.starts_with("https://") || r.starts_with("http://"))
        && !r
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>'))
}

fn rule_entry(m: &RuleMeta, taxon_index: &BTreeMap<&str, usize>) -> Value {
    let mut tags: Vec<String> = vec!["security".into(), "soc2".into()];
    tags.extend(m.criteria.iter().map(|c| c.to_string()));
    tags.push(m.target.name().to_string());
    // a repository's own rule files are as untrusted as its other files:
    // their text is escaped in the Markdown that code scanning renders, and
    // only an http(s) reference becomes a link
    let builtin = m.origin.starts_with("builtin:");
    let own = |t: &str| -> String {
        if builtin {
            t.to_string()
        } else {
            escape::markdown(t).into_owned()
        }
    };
    let mut markdown = format!(
        "**{}** ({}; Trust Services Criteria {})\n\n{}\n\n**Remediation:** {}",
        own(&m.title),
        m.severity,
        m.criteria.join(", "),
        own(&sentence(&m.rationale)),
        own(&sentence(&m.remediation))
    );
    if !m.references.is_empty() {
        markdown.push_str("\n\n**References:**\n");
        for r in &m.references {
            if web_link(r) {
                markdown.push_str(&format!("\n- <{r}>"));
            } else {
                markdown.push_str(&format!("\n- {}", escape::markdown(r)));
            }
        }
    }
    let relationships: Vec<Value> = m
        .criteria
        .iter()
        .filter_map(|c| {
            let index = taxon_index.get(c)?;
            Some(json!({
                "target": {
                    "id": c,
                    "index": index,
                    "toolComponent": { "name": TSC_NAME, "guid": TSC_GUID },
                },
                "kinds": ["relevant"],
            }))
        })
        .collect();
    json!({
        "id": m.id,
        "name": rule_name(&m.title),
        "shortDescription": { "text": sentence(&m.title) },
        "fullDescription": { "text": sentence(&m.rationale) },
        "help": { "text": sentence(&m.remediation), "markdown": markdown },
        "helpUri": m.references.first().map(String::as_str).filter(|r| web_link(r)).unwrap_or(INFORMATION_URI),
        "defaultConfiguration": { "level": level(m.severity) },
        "properties": {
            "tags": tags,
            "security-severity": security_severity(m.severity),
            "criteria": m.criteria,
            "precision": "high",
        },
        "relationships": relationships,
    })
}

/// Text with the characters of SARIF's embedded links (`[text](id)`)
/// escaped, so only the links soclint writes are links.
fn link_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The finding's other places as `relatedLocations` (ids from 1), and its
/// message with a link to each (code scanning shows a related location only
/// when the message links to it); `None` when it has none.
fn related_locations(f: &Finding) -> Option<(String, Vec<Value>)> {
    let shown: Vec<_> = f
        .related
        .iter()
        .filter(|s| s.role != Role::Hidden)
        .collect();
    if shown.is_empty() {
        return None;
    }
    let mut text = link_safe(f.message().trim().trim_end_matches('.'));
    let mut locations = Vec::new();
    for (i, s) in shown.iter().enumerate() {
        let id = i + 1;
        let mut loc = json!({
            "id": id,
            "message": { "text": sentence(&s.note) },
            "properties": { "role": s.role.name() },
        });
        text.push_str(if i == 0 { " (" } else { "; " });
        if s.path.is_empty() {
            text.push_str(&link_safe(&s.note));
        } else {
            loc["physicalLocation"] = physical(&s.path, &s.location);
            let what = match s.role {
                Role::Landing => "value used at",
                Role::ModuleCall => "in a module called at",
                Role::Rendered => "rendered at",
                Role::SetAt | Role::Hidden => "see",
            };
            text.push_str(&format!(
                "{what} [{}:{}]({id})",
                link_safe(&s.path),
                s.location.start_line
            ));
        }
        locations.push(loc);
    }
    text.push_str(").");
    Some((text, locations))
}

fn result_entry(f: &Finding, rule_index: usize) -> Value {
    let related = related_locations(f);
    let message = match &related {
        Some((text, _)) => text.clone(),
        None => sentence(&f.message()),
    };
    let mut r = json!({
        "ruleId": f.rule.id,
        "ruleIndex": rule_index,
        "level": level(f.rule.severity),
        "message": { "text": message },
        "locations": [{ "physicalLocation": physical(&f.path, &f.location) }],
        "partialFingerprints": { FINGERPRINT_KEY: f.fingerprint },
    });
    if !f.resource.is_empty() {
        r["locations"][0]["logicalLocations"] =
            json!([{ "fullyQualifiedName": &*f.resource, "kind": "resource" }]);
    }
    if let Some((_, locations)) = related {
        r["relatedLocations"] = Value::Array(locations);
    }
    if let Some(s) = &f.suppression {
        let mut sup = json!({
            "kind": match s.kind {
                SuppressionKind::InSource => "inSource",
                SuppressionKind::External => "external",
            },
            "status": "accepted",
            "justification": s.justification,
        });
        let mut props = serde_json::Map::new();
        props.insert("location".into(), json!(s.location));
        for (k, v) in [
            ("expires", &s.expires),
            ("owner", &s.owner),
            ("ticket", &s.ticket),
        ] {
            if let Some(v) = v {
                props.insert(k.into(), json!(v));
            }
        }
        sup["properties"] = Value::Object(props);
        r["suppressions"] = json!([sup]);
    }
    r
}

pub fn render(result: &ScanResult) -> String {
    let mut out = Vec::new();
    // writing into memory cannot fail, and serde_json emits UTF-8
    let _ = write(result, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Streams the SARIF log into `w`.
pub fn write(result: &ScanResult, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    write_with(result, &[], w)
}

/// The taxonomy of one framework beside the TSC: the controls the rules of
/// this log map to (a SARIF taxonomy need not be comprehensive), and each
/// rule's relationships to them.
struct FrameworkTaxonomy {
    framework: Framework,
    taxa: Vec<&'static str>,
}

impl FrameworkTaxonomy {
    fn of(framework: Framework, rules: &BTreeMap<&str, &Arc<RuleMeta>>) -> Self {
        let mut taxa: Vec<&'static str> = rules
            .values()
            .flat_map(|m| frameworks::controls(&m.id, &m.criteria, framework))
            .collect();
        taxa.sort_by_key(|c| frameworks::natural_key(c));
        taxa.dedup();
        FrameworkTaxonomy { framework, taxa }
    }

    fn relationships(&self, m: &RuleMeta) -> Vec<Value> {
        frameworks::controls(&m.id, &m.criteria, self.framework)
            .into_iter()
            .filter_map(|c| {
                let index = self.taxa.iter().position(|t| *t == c)?;
                Some(json!({
                    "target": {
                        "id": c,
                        "index": index,
                        "toolComponent": { "name": self.framework.short(), "guid": self.framework.guid() },
                    },
                    "kinds": ["relevant"],
                }))
            })
            .collect()
    }

    fn taxonomy(&self) -> Value {
        let fw = self.framework;
        let taxa: Vec<Value> = self
            .taxa
            .iter()
            .map(|c| {
                let title = frameworks::title(fw, c);
                let mut t = json!({ "id": c, "name": c });
                if !title.is_empty() {
                    t["shortDescription"] = json!({ "text": sentence(title) });
                }
                t
            })
            .collect();
        json!({
            "name": fw.short(),
            "guid": fw.guid(),
            "organization": fw.organization(),
            "fullName": fw.name(),
            "shortDescription": { "text": sentence(&format!("{}: the controls this log's rules map to, each mapping from a cited source (soclint explain RULE-ID)", fw.name())) },
            "isComprehensive": false,
            "taxa": taxa,
        })
    }
}

/// Streams the SARIF log into `w`, with a taxonomy for each framework in
/// `extra` beside the TSC.
pub fn write_with(
    result: &ScanResult,
    extra: &[Framework],
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let taxon_index: BTreeMap<&str, usize> = CRITERIA
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, i))
        .collect();
    let mut rules: BTreeMap<&str, &Arc<RuleMeta>> = BTreeMap::new();
    for f in result.findings.iter().chain(&result.suppressed) {
        rules.insert(&f.rule.id, &f.rule);
    }
    let rule_index: BTreeMap<&str, usize> =
        rules.keys().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut wanted: Vec<Framework> = extra
        .iter()
        .copied()
        .filter(|f| *f != Framework::Tsc)
        .collect();
    wanted.sort();
    wanted.dedup();
    let others: Vec<FrameworkTaxonomy> = wanted
        .into_iter()
        .map(|f| FrameworkTaxonomy::of(f, &rules))
        .collect();
    let mut all: Vec<&Finding> = result.findings.iter().chain(&result.suppressed).collect();
    all.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));

    let mut notifications: Vec<Value> = result
        .errors
        .iter()
        .map(|e| {
            let l = Location::new(e.line, e.column, e.line, e.column);
            json!({
                "level": gap_level(&e.status),
                "message": { "text": sentence(&format!("{} could not be parsed: {}", e.path, e.message)) },
                "descriptor": { "id": "parse-error" },
                "locations": [{ "physicalLocation": physical(&e.path, &l) }],
                "properties": { "status": e.status.name() },
            })
        })
        .collect();
    notifications.extend(result.skipped.iter().map(|s| {
        json!({
            "level": gap_level(&s.status),
            "message": { "text": sentence(&format!("{} was not scanned ({}): {}", s.path, s.reason.what(), s.detail)) },
            "descriptor": { "id": "skipped-file" },
            "locations": [{ "physicalLocation": {
                "artifactLocation": { "uri": uri(&s.path), "uriBaseId": "%SRCROOT%" },
            } }],
            "properties": { "reason": s.reason.id(), "status": s.status.name() },
        })
    }));
    notifications.extend(result.notices.iter().map(|n| {
        let mut v = json!({
            "level": "note",
            "message": { "text": sentence(&format!("{}: {}", if n.path.is_empty() { "soclint" } else { &n.path }, n.message)) },
            "descriptor": { "id": "notice" },
        });
        if !n.path.is_empty() {
            v["locations"] = json!([{ "physicalLocation": {
                "artifactLocation": { "uri": uri(&n.path), "uriBaseId": "%SRCROOT%" },
            } }]);
        }
        v
    }));

    notifications.extend(result.scope.sentences().into_iter().map(|line| {
        json!({
            "level": "note",
            "message": { "text": sentence(&line) },
            "descriptor": { "id": "scope" },
        })
    }));

    let taxa: Vec<Value> = CRITERIA
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "name": c.id,
                "shortDescription": { "text": sentence(c.title) },
                "properties": { "area": c.area, "category": c.category() },
            })
        })
        .collect();
    let mut supported = vec![json!({ "name": TSC_NAME, "guid": TSC_GUID })];
    supported.extend(
        others
            .iter()
            .map(|t| json!({ "name": t.framework.short(), "guid": t.framework.guid() })),
    );
    let tool = json!({
        "driver": {
            "name": "soclint",
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "informationUri": INFORMATION_URI,
            "rules": rules.values().map(|m| {
                let mut entry = rule_entry(m, &taxon_index);
                if let Some(list) = entry["relationships"].as_array_mut() {
                    for t in &others {
                        list.extend(t.relationships(m));
                    }
                }
                entry
            }).collect::<Vec<_>>(),
            "supportedTaxonomies": supported,
        }
    });
    let mut taxonomies = json!([{
        "name": TSC_NAME,
        "guid": TSC_GUID,
        "version": "2017 (points of focus revised 2022)",
        "organization": "AICPA",
        "fullName": "AICPA Trust Services Criteria for Security, Availability, Processing Integrity, Confidentiality, and Privacy",
        "shortDescription": { "text": "The AICPA Trust Services Criteria that SOC 2 reports on." },
        "informationUri": "https://www.aicpa-cima.com/resources/download/2017-trust-services-criteria-with-revised-points-of-focus-2022",
        "isComprehensive": true,
        "taxa": taxa,
    }]);
    if let Some(list) = taxonomies.as_array_mut() {
        list.extend(others.iter().map(FrameworkTaxonomy::taxonomy));
    }
    let invocations = json!([{
        "executionSuccessful": true,
        "toolExecutionNotifications": notifications,
    }]);
    let uri_base_ids = json!({
        "%SRCROOT%": { "description": { "text": "The scanned directory (the repository root in CI)." } },
    });
    // buffered here, where the writer's type is known: serde_json makes many
    // small writes, and each through `dyn Write` cost more than the buffer
    let mut out = std::io::BufWriter::with_capacity(1 << 16, w);
    // keys in the order `json!` gave them (sorted) when the log was one
    // value, so the bytes did not change when it began to be written in
    // pieces; each result is built, written and dropped in turn (as one
    // `Value` tree, 100,000 results took over a gigabyte), in parallel batches
    let mut log = pretty::Object::begin(&mut out, 0)?;
    log.field("$schema", &SCHEMA)?;
    log.one_element_array("runs", |w| {
        let mut run = pretty::Object::begin(w, 2)?;
        run.field("columnKind", &"unicodeCodePoints")?;
        run.field("invocations", &invocations)?;
        run.field("originalUriBaseIds", &uri_base_ids)?;
        run.array("results", &all, |f| {
            result_entry(f, rule_index.get(f.rule.id.as_str()).copied().unwrap_or(0))
        })?;
        run.field("taxonomies", &taxonomies)?;
        run.field("tool", &tool)?;
        run.end()
    })?;
    log.field("version", &"2.1.0")?;
    log.end()?;
    out.write_all(b"\n")?;
    out.flush()
}

#[cfg(test)]
mod tests {
    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(super::uri("infra/my dir/a#b.tf"), "infra/my%20dir/a%23b.tf");
        assert_eq!(super::uri("ü.tf"), "%C3%BC.tf");
    }
}
