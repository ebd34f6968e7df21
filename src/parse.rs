//! The parse stage: read a discovered file, decide its kind (by name, then by
//! content for YAML/JSON/Markdown) and convert it into the document model.
use std::sync::Arc;

use crate::discover::{classify_name, Discovered, FileKind, NameClass};
use crate::document::{self, Limits, Node, ParseError, Span};
use crate::unscanned::{Reason, Skipped};

/// What the parse stage needs to know: how much of one file it may read and
/// how far a document may expand.
#[derive(Debug, Clone)]
pub struct ParseOptions {
    pub max_file_size: u64,
    pub limits: Limits,
    /// Where the repository keeps its policy documents.
    pub policies: PolicyPlaces,
    /// Texts read instead of the files at their paths: a language server's
    /// open, unsaved buffers.
    pub overlay: Overlay,
}

/// Texts that stand in for files on disk, by the path discovery gives the
/// file (absolute when the root is). Empty outside the language server.
#[derive(Debug, Clone, Default)]
pub struct Overlay(Option<Arc<std::collections::HashMap<std::path::PathBuf, Arc<str>>>>);

impl Overlay {
    pub fn new(texts: std::collections::HashMap<std::path::PathBuf, Arc<str>>) -> Overlay {
        Overlay((!texts.is_empty()).then(|| Arc::new(texts)))
    }
    pub fn get(&self, path: &std::path::Path) -> Option<&Arc<str>> {
        self.0.as_ref()?.get(path)
    }

    /// The paths it holds a text for, in no order.
    pub fn paths(&self) -> impl Iterator<Item = &std::path::Path> {
        self.0.iter().flat_map(|m| m.keys().map(|p| p.as_path()))
    }

    /// Reads the file known to the overlay as `key`, and on disk at `disk`,
    /// with the size limit: the buffer when there is one (the same limit
    /// applies to it as to the file on disk), else the file.
    pub fn read_capped(
        &self,
        key: &std::path::Path,
        disk: &std::path::Path,
        cap: u64,
    ) -> std::io::Result<Capped> {
        match self.get(key) {
            Some(text) if text.len() as u64 > cap => Ok(Capped::TooLarge(text.len() as u64)),
            Some(text) => Ok(Capped::Read(text.as_bytes().to_vec())),
            None => read_capped(disk, cap),
        }
    }
}

impl ParseOptions {
    /// Reads `path` with the size limit, from the overlay when it holds the
    /// path (the same limit applies to an unsaved buffer).
    pub fn read(&self, path: &std::path::Path) -> std::io::Result<Capped> {
        self.overlay.read_capped(path, path, self.max_file_size)
    }
}

/// Where policy documents are: Markdown under these directories, and
/// nowhere else (an issue template or a `SKILL.md` with front matter is not a
/// policy).
#[derive(Debug, Clone)]
pub struct PolicyPlaces {
    /// Directories relative to the repository root, forward slashes.
    pub dirs: Vec<String>,
    /// The directories were named in soclint.toml (`policy-paths`): every
    /// Markdown file there is a policy. Otherwise (the default directories)
    /// only those with front matter are.
    pub declared: bool,
}

impl Default for PolicyPlaces {
    fn default() -> Self {
        PolicyPlaces {
            dirs: DEFAULT_POLICY_DIRS.iter().map(|d| d.to_string()).collect(),
            declared: false,
        }
    }
}

/// Where policies are looked for when soclint.toml does not say.
pub const DEFAULT_POLICY_DIRS: [&str; 3] = ["policies", "docs/policies", "compliance"];

impl PolicyPlaces {
    /// Whether the Markdown file `rel` may be a policy: under one of the
    /// directories, and not a directory's README or index page.
    pub fn holds(&self, rel: &str) -> bool {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let stem = name.split('.').next().unwrap_or(name);
        if ["readme", "index", "_index", "changelog", "license"]
            .iter()
            .any(|n| stem.eq_ignore_ascii_case(n))
        {
            return false;
        }
        self.dirs.iter().any(|d| {
            let d = d.trim_matches('/');
            d.is_empty()
                || rel
                    .strip_prefix(d)
                    .is_some_and(|after| after.starts_with('/'))
        })
    }
}

/// Files larger than this are skipped unless `--max-file-size` says otherwise.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 5 * 1024 * 1024;

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            limits: Limits::default(),
            policies: PolicyPlaces::default(),
            overlay: Overlay::default(),
        }
    }
}

/// One file after parsing.
#[derive(Clone)]
pub struct Loaded {
    pub rel: String,
    pub root: usize,
    pub kind: FileKind,
    pub text: Option<Arc<str>>,
    pub docs: Vec<Node>,
    pub lines: usize,
    /// In bytes, as read (or as seen at discovery for a file not read).
    pub size: u64,
    pub error: Option<ParseError>,
    /// Why it was passed over (too large, templated, unreadable, …).
    pub skipped: Option<Skipped>,
}

impl Loaded {
    /// A file another stage reads (a Helm template, which its chart renders).
    pub fn placeholder(d: &Discovered, kind: FileKind) -> Loaded {
        Loaded {
            rel: d.rel.clone(),
            root: d.root,
            kind,
            text: None,
            docs: Vec::new(),
            lines: 0,
            size: d.size.unwrap_or(0),
            error: None,
            skipped: None,
        }
    }
}

pub fn load(d: &Discovered, opts: &ParseOptions) -> Loaded {
    load_class(d, classify_name(&d.rel), opts)
}

/// A file read as `kind` whatever its name says (a Terragrunt file that
/// another includes, `root.hcl`, is HCL like `terragrunt.hcl`).
pub fn load_as(d: &Discovered, kind: FileKind, opts: &ParseOptions) -> Loaded {
    load_class(d, NameClass::Known(kind), opts)
}

/// A file whose bytes the caller read (confined to the scanned tree), parsed
/// as `kind`: a module `terraform init` downloaded under a git-ignored
/// `.terraform/`, which discovery does not list.
pub fn load_bytes(
    rel: &str,
    root: usize,
    kind: FileKind,
    bytes: Vec<u8>,
    opts: &ParseOptions,
) -> Loaded {
    let mut out = Loaded {
        rel: rel.to_string(),
        root,
        kind: FileKind::Other,
        text: None,
        docs: Vec::new(),
        lines: 0,
        size: bytes.len() as u64,
        error: None,
        skipped: None,
    };
    parse_bytes(bytes, NameClass::Known(kind), opts, &mut out);
    out
}

fn load_class(d: &Discovered, class: NameClass, opts: &ParseOptions) -> Loaded {
    let mut out = Loaded {
        rel: d.rel.clone(),
        root: d.root,
        kind: FileKind::Other,
        text: None,
        docs: Vec::new(),
        lines: 0,
        size: d.size.unwrap_or(0),
        error: None,
        skipped: None,
    };
    let known = matches!(class, NameClass::Known(_));
    // Markdown outside the policy directories is not read at all
    let wanted = match class {
        NameClass::Other => false,
        NameClass::Markdown => opts.policies.holds(&d.rel),
        _ => true,
    };
    if wanted {
        let read = opts.read(&d.path);
        if read.is_err() {
            // unreadable (permission denied) may still have a size to report
            out.size = std::fs::metadata(&d.path).map_or(0, |m| m.len());
        }
        match read {
            Err(e) if known => {
                out.error = Some(ParseError::new(
                    Span::default(),
                    format!("cannot read: {e}"),
                ))
            }
            // a YAML or JSON file may not be infrastructure code at all: the
            // reason is still worth a word
            Err(e) => {
                out.skipped = Some(Skipped::new(
                    &d.rel,
                    Reason::Unreadable,
                    format!("cannot read: {e}"),
                ))
            }
            Ok(Capped::TooLarge(size)) => {
                out.size = size;
                // a kind soclint reads by name, or content that looks like one
                // (a data file over the limit is no gap)
                if known || sniff_file(&d.path, class, &opts.overlay) {
                    out.skipped = Some(Skipped::new(
                        &d.rel,
                        Reason::TooLarge,
                        format!("{size} bytes; the limit is {}", opts.max_file_size),
                    ));
                }
            }
            Ok(Capped::Read(bytes)) => {
                out.size = bytes.len() as u64;
                parse_bytes(bytes, class, opts, &mut out);
                if let Some(reason) = out.skipped.as_mut() {
                    // the parse stage knows the content, discovery the path
                    reason.path.clone_from(&d.rel);
                    if reason.reason == Reason::Templated {
                        helm_outside_chart(&d.path, reason);
                    }
                }
            }
        }
    }
    out
}

/// A file read with a size limit.
#[derive(Debug, PartialEq)]
pub enum Capped {
    Read(Vec<u8>),
    /// Over the limit when opened: not read.
    TooLarge(u64),
}

/// Reads a file of at most `cap` bytes: its size is taken from the open file
/// and exactly that many bytes are read (what it held when opened, were it
/// still growing), so a small file costs one read and no probe for its end.
pub(crate) fn read_capped(path: &std::path::Path, cap: u64) -> std::io::Result<Capped> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size > cap {
        return Ok(Capped::TooLarge(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(size).read_to_end(&mut bytes)?;
    Ok(Capped::Read(bytes))
}

fn parse_bytes(bytes: Vec<u8>, class: NameClass, opts: &ParseOptions, out: &mut Loaded) {
    let known = match class {
        NameClass::Known(k) => Some(k),
        _ => None,
    };
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        if let Some(k) = known {
            out.kind = k;
            out.error = Some(ParseError::new(
                Span::default(),
                "binary file (contains NUL bytes); not scanned",
            ));
        }
        return;
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            if let Some(k) = known {
                let at = e.utf8_error().valid_up_to();
                out.kind = k;
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                out.text = Some(Arc::from(&lossy[..at.min(lossy.len())]));
                out.error = Some(ParseError::new(
                    Span::new(at, at),
                    "invalid UTF-8; not scanned",
                ));
            }
            return;
        }
    };
    // a byte-order mark is not content; blank it so spans stay file offsets
    let text: Arc<str> = Arc::from(text);
    let body: &str = text
        .strip_prefix('\u{feff}')
        .map(|_| &text[3..])
        .unwrap_or(&text);
    let offset = text.len() - body.len();
    out.lines = text.bytes().filter(|&b| b == b'\n').count()
        + usize::from(!text.is_empty() && !text.ends_with('\n'));
    let limits = &opts.limits;
    let class = match class {
        NameClass::Template => template_syntax(body),
        c => c,
    };
    let parsed: Option<(FileKind, Result<Vec<Node>, ParseError>)> = match class {
        NameClass::Known(k) => Some((k, parse_as(k, body, limits))),
        NameClass::Yaml => match sniff_yaml(body) {
            Sniffed::Kind(k) => Some((k, document::yaml::parse(body, limits))),
            Sniffed::Templated => match markup_in_strings_only(body, limits) {
                Some(docs) => Some((FileKind::Kubernetes, Ok(docs))),
                None => {
                    out.skipped = Some(Skipped::new(
                    "",
                    Reason::Templated,
                    "a Kubernetes manifest with template markup ({{ … }}): not parsed as it is written, and soclint renders no templates yet",
                ));
                    None
                }
            },
            Sniffed::Nothing => None,
        },
        NameClass::Json => match sniff_json(body) {
            Sniffed::Kind(FileKind::Arm) => {
                Some((FileKind::Arm, parse_as(FileKind::Arm, body, limits)))
            }
            Sniffed::Kind(k) => Some((k, document::json::parse(body, limits).map(|n| vec![n]))),
            Sniffed::Templated | Sniffed::Nothing => None,
        },
        NameClass::Markdown => {
            let parsed = document::markdown::parse_policy(body, limits);
            // outside declared directories, only a file with front matter is a policy
            let policy = opts.policies.declared
                || parsed
                    .as_ref()
                    .map_or(true, |doc| doc.get("front_matter").is_some());
            policy.then(|| (FileKind::PolicyDocument, parsed.map(|n| vec![n])))
        }
        NameClass::Other | NameClass::Template => None,
    };
    let Some((kind, result)) = parsed else { return };
    out.text = Some(text.clone());
    match result {
        Err(mut e) => {
            out.kind = kind;
            // an error at the very end points at the last character, so it can be shown
            let start = (e.span.start + offset).min(text.len().saturating_sub(1));
            let end = (e.span.end + offset).clamp(start, text.len());
            e.span = Span::new(start, end.max((start + 1).min(text.len())));
            while !text.is_char_boundary(e.span.start) {
                e.span.start -= 1;
            }
            while !text.is_char_boundary(e.span.end) {
                e.span.end += 1;
            }
            out.error = Some(e);
        }
        Ok(mut docs) => {
            if offset > 0 {
                docs.iter_mut().for_each(|d| d.shift(offset));
            }
            out.kind = match kind {
                FileKind::Kubernetes | FileKind::Cloudformation | FileKind::Iam => {
                    refine(kind, &mut docs)
                }
                FileKind::Arm => {
                    docs.retain(is_arm_template);
                    if docs.is_empty() {
                        FileKind::Other
                    } else {
                        FileKind::Arm
                    }
                }
                k => k,
            };
            out.docs = docs;
        }
    }
}

fn parse_as(kind: FileKind, text: &str, limits: &Limits) -> Result<Vec<Node>, ParseError> {
    match kind {
        FileKind::Terraform | FileKind::Terragrunt => {
            document::hcl::parse(text, limits).map(|n| vec![n])
        }
        FileKind::TerraformJson | FileKind::Iam => {
            document::json::parse(text, limits).map(|n| vec![n])
        }
        FileKind::Arm => document::json::parse_with_comments(text, limits).map(|n| vec![n]),
        FileKind::Dockerfile => document::dockerfile::parse(text, limits).map(|n| vec![n]),
        FileKind::PolicyDocument => document::markdown::parse_policy(text, limits).map(|n| vec![n]),
        _ => document::yaml::parse(text, limits),
    }
}

/// Whether a `.template` file is JSON or YAML: CloudFormation takes both
/// under that name, and JSON's first character (after blanks and a
/// byte-order mark) is `{` (or `[`), which starts no YAML template.
fn template_syntax(body: &str) -> NameClass {
    match body.trim_start().as_bytes().first() {
        Some(b'{' | b'[') => NameClass::Json,
        _ => NameClass::Yaml,
    }
}

/// What a YAML or JSON file's words say it is.
#[derive(Debug, PartialEq, Eq)]
enum Sniffed {
    Kind(FileKind),
    /// A Kubernetes manifest with template markup.
    Templated,
    Nothing,
}

/// A YAML file worth parsing: CloudFormation or Kubernetes by its words.
fn sniff_yaml(text: &str) -> Sniffed {
    if text.contains("AWSTemplateFormatVersion")
        || (text.contains("Resources") && text.contains("AWS::"))
    {
        Sniffed::Kind(FileKind::Cloudformation)
    } else if text.contains("apiVersion") && text.contains("kind") {
        if text.contains("{{") {
            Sniffed::Templated
        } else {
            Sniffed::Kind(FileKind::Kubernetes)
        }
    } else {
        Sniffed::Nothing
    }
}

fn sniff_json(text: &str) -> Sniffed {
    if text.contains("AWSTemplateFormatVersion")
        || (text.contains("\"Resources\"") && text.contains("AWS::"))
    {
        Sniffed::Kind(FileKind::Cloudformation)
    } else if text.contains("\"Statement\"") && text.contains("\"Version\"") {
        Sniffed::Kind(FileKind::Iam)
    } else if text.contains("schema.management.azure.com/schemas/")
        && text.contains("eploymentTemplate.json")
    {
        Sniffed::Kind(FileKind::Arm)
    } else if text.contains("\"apiVersion\"") && text.contains("\"kind\"") {
        // a Kubernetes manifest (or list) written as JSON; a document
        // without both at its top level is not one (see `refine`)
        Sniffed::Kind(FileKind::Kubernetes)
    } else {
        Sniffed::Nothing
    }
}

/// Whether every `{{` of a manifest lies inside a string value (a
/// Prometheus alert's `summary: "{{ $labels.instance }} is down"`, an Argo
/// parameter): then it is YAML as written, whatever fills the braces later.
/// Those strings become unknown values (rules skip them, never read the
/// markup as the value). Markup anywhere else (a key, a `{{ .Values.x }}`
/// that YAML reads as a mapping, a comment) leaves the file a template.
fn markup_in_strings_only(text: &str, limits: &Limits) -> Option<Vec<Node>> {
    fn strings(node: &Node, out: &mut Vec<Span>) {
        match &node.value {
            document::Value::String(_) => out.push(node.span),
            document::Value::List(items) => items.iter().for_each(|n| strings(n, out)),
            document::Value::Map(entries) => entries.iter().for_each(|e| strings(&e.value, out)),
            _ => {}
        }
    }
    fn unknown(node: &mut Node) {
        match &mut node.value {
            document::Value::String(s) if s.contains("{{") => {
                node.value = document::Value::Expr(document::Expr {
                    text: std::mem::take(s),
                    function: None,
                    argument: None,
                })
            }
            document::Value::List(items) => items.iter_mut().for_each(unknown),
            document::Value::Map(entries) => entries.iter_mut().for_each(|e| unknown(&mut e.value)),
            _ => {}
        }
    }
    let mut docs = document::yaml::parse(text, limits).ok()?;
    let mut spans = Vec::new();
    docs.iter().for_each(|d| strings(d, &mut spans));
    spans.sort_unstable();
    let inside = |at: usize| {
        let i = spans.partition_point(|s| s.start <= at);
        // spans of strings never overlap: the last one starting at or before
        i > 0 && at + 2 <= spans[i - 1].end
    };
    if !memchr::memmem::find_iter(text.as_bytes(), b"{{").all(inside) {
        return None;
    }
    docs.iter_mut().for_each(unknown);
    Some(docs)
}

/// A templated manifest under a `templates/` directory with no `Chart.yaml`
/// beside it cannot be a chart template: no renderer would take it.
fn helm_outside_chart(path: &std::path::Path, skipped: &mut Skipped) {
    let Some(templates) = path
        .ancestors()
        .skip(1)
        .find(|a| a.file_name().is_some_and(|n| n == "templates"))
    else {
        return;
    };
    let chart = templates.parent().map(|p| p.join("Chart.yaml"));
    if chart.is_some_and(|c| c.is_file()) {
        skipped.detail =
            "a Helm chart template: charts are rendered in a scan of the chart's directory, not file by file".into();
    } else {
        skipped.reason = Reason::Unsupported;
        skipped.detail =
            "a Helm-style template outside a chart (no Chart.yaml beside its templates/ directory): nothing renders it".into();
    }
}

/// Whether a file over the size limit looks like a kind soclint reads:
/// the same words as [`sniff_yaml`] and [`sniff_json`], searched through the
/// whole file in fixed-size blocks (padding cannot push them out of reach),
/// or front matter for Markdown. An open buffer (over the limit too) is
/// searched, not the file on disk.
fn sniff_file(path: &std::path::Path, class: NameClass, overlay: &Overlay) -> bool {
    use std::io::Read;
    let open = || -> std::io::Result<Box<dyn Read + '_>> {
        Ok(match overlay.get(path) {
            Some(text) => Box::new(text.as_bytes()),
            None => Box::new(std::fs::File::open(path)?),
        })
    };
    let needles: &[&[u8]] = match class {
        NameClass::Yaml | NameClass::Template => &[
            b"AWSTemplateFormatVersion",
            b"Resources",
            b"AWS::",
            b"apiVersion",
            b"kind",
        ],
        NameClass::Json => &[
            b"AWSTemplateFormatVersion",
            b"\"Resources\"",
            b"AWS::",
            b"\"Statement\"",
            b"\"Version\"",
            b"\"apiVersion\"",
            b"\"kind\"",
        ],
        NameClass::Markdown => {
            let mut head = [0u8; 3];
            return open()
                .and_then(|mut f| f.read_exact(&mut head))
                .is_ok_and(|()| &head == b"---");
        }
        _ => return false,
    };
    // found[i]: needles[i] seen; the verdict: the same combinations as the sniffers
    let verdict = |found: &[bool]| {
        found[0]
            || (found[1] && found[2])
            || (found[3] && found[4])
            || (found.len() > 6 && found[5] && found[6])
    };
    let Ok(mut file) = open() else {
        return false;
    };
    let finders: Vec<memchr::memmem::Finder> =
        needles.iter().map(memchr::memmem::Finder::new).collect();
    let overlap = needles.iter().map(|n| n.len()).max().unwrap_or(0) - 1;
    let mut found = vec![false; needles.len()];
    let mut buf = vec![0u8; 1 << 16];
    let mut kept = 0;
    loop {
        let n = match file.read(&mut buf[kept..]) {
            Ok(0) | Err(_) => return verdict(&found),
            Ok(n) => n,
        };
        let filled = kept + n;
        for (f, seen) in finders.iter().zip(found.iter_mut()) {
            *seen = *seen || f.find(&buf[..filled]).is_some();
        }
        if verdict(&found) {
            return true;
        }
        // keep the tail, so a word cut by the block edge is found whole
        kept = overlap.min(filled);
        buf.copy_within(filled - kept..filled, 0);
    }
}

/// An ARM deployment template: its `$schema` names one (subscription,
/// management-group and tenant templates too), and it has `resources`.
fn is_arm_template(doc: &Node) -> bool {
    let schema = doc.get("$schema").and_then(Node::as_str).unwrap_or("");
    schema.contains("schema.management.azure.com/schemas/")
        && schema
            .to_ascii_lowercase()
            .contains("deploymenttemplate.json")
        && doc.get("resources").is_some()
}

fn is_cloudformation(doc: &Node) -> bool {
    doc.get("AWSTemplateFormatVersion").is_some()
        || doc
            .get("Resources")
            .and_then(Node::as_map)
            .is_some_and(|rs| {
                rs.iter().any(|r| {
                    r.value
                        .get("Type")
                        .and_then(Node::as_str)
                        .is_some_and(|t| t.starts_with("AWS::"))
                })
            })
}

/// Decides the kind from parsed content; keeps only documents of that kind.
fn refine(sniffed: FileKind, docs: &mut Vec<Node>) -> FileKind {
    if docs.iter().any(is_cloudformation) {
        docs.retain(is_cloudformation);
        return FileKind::Cloudformation;
    }
    if sniffed == FileKind::Iam || sniffed == FileKind::Cloudformation {
        let is_policy = |d: &Node| d.get("Statement").is_some() && d.get("Version").is_some();
        if docs.iter().any(is_policy) {
            docs.retain(is_policy);
            return FileKind::Iam;
        }
    }
    docs.retain(|d| d.get("apiVersion").is_some() && d.get("kind").is_some());
    if docs.is_empty() {
        FileKind::Other
    } else {
        FileKind::Kubernetes
    }
}

#[cfg(test)]
mod tests {
    use super::{read_capped, Capped};

    #[test]
    fn reads_are_capped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f.tf");
        std::fs::write(&path, b"0123456789").expect("write");
        let read = |cap| read_capped(&path, cap).expect("readable");
        assert_eq!(read(10), Capped::Read(b"0123456789".to_vec()));
        assert_eq!(read(100), Capped::Read(b"0123456789".to_vec()));
        // over the limit: its size, and nothing read
        assert_eq!(read(9), Capped::TooLarge(10));
        assert!(read_capped(&dir.path().join("gone"), 10).is_err());
    }

    /// An open buffer over the limit is not read either, and what it
    /// looks like is told from its text, not from the file on disk.
    #[test]
    fn buffers_over_the_limit_are_sniffed_from_the_buffer() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("big.yaml");
        std::fs::write(&path, "a: 1\n").expect("write");
        let text = format!("apiVersion: v1\nkind: Pod\n#{}\n", "x".repeat(64));
        let mut texts = std::collections::HashMap::new();
        texts.insert(path.clone(), std::sync::Arc::<str>::from(text.as_str()));
        let opts = super::ParseOptions {
            max_file_size: 32,
            overlay: super::Overlay::new(texts),
            ..super::ParseOptions::default()
        };
        let d = crate::discover::Discovered {
            path,
            rel: "big.yaml".into(),
            size: None,
            root: 0,
        };
        let l = super::load(&d, &opts);
        let skipped = l.skipped.expect("skipped");
        assert_eq!(skipped.reason, crate::unscanned::Reason::TooLarge);
        assert_eq!(
            skipped.detail,
            format!("{} bytes; the limit is 32", text.len())
        );
        assert_eq!(l.size, text.len() as u64);
    }
}
