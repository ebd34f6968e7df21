//! `soclint lsp`: a language server on the synchronous `lsp-server` crate.
//!
//! Each open, change or save of a document scans its workspace folder again
//! with the same config, rules, scanner and filter as `soclint check`, the
//! open buffers read instead of the files on disk; only the chunks that read
//! a changed file are scanned again (see [`workspace`]). Then the changed
//! documents, and every other open document of the folder whose diagnostics
//! differ from those last published, get their diagnostics (an empty list
//! included, so stale ones clear). Messages that arrive while a scan runs
//! are all handled before the next scan, so a burst of keystrokes costs one
//! scan. A document that was not checked says so with an informational
//! diagnostic.
pub mod convert;
pub mod documents;
pub mod hover;
pub mod uri;
pub mod workspace;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use lsp_server::{Connection, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, Diagnostic,
    DiagnosticSeverity, HoverProviderCapability, InitializeParams, NumberOrString,
    PositionEncodingKind, PublishDiagnosticsParams, Range, SaveOptions, ServerCapabilities,
    ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Uri,
};

use convert::Encoding;
use workspace::{Scanned, Workspace};

/// The code action kind of "apply every safe fix of this file".
pub const FIX_ALL_KIND: &str = "source.fixAll.soclint";

/// An open document.
struct Doc {
    uri: Uri,
    version: i32,
    text: Arc<str>,
}

struct Server {
    folders: Vec<Workspace>,
    /// The client named no folder: each document's repository root (or
    /// directory) becomes one.
    folders_from_documents: bool,
    /// Open local documents by absolute path.
    docs: HashMap<PathBuf, Doc>,
    /// Folders (by index) whose documents changed since their last scan.
    dirty: BTreeSet<usize>,
    /// Open documents that are not local files: told once they are not checked.
    elsewhere: Vec<Uri>,
    /// The last scan of each folder.
    scans: HashMap<usize, Scanned>,
    /// What `character` in a position counts.
    encoding: Encoding,
    /// Open documents changed since their diagnostics were last published
    /// (they are published even when the diagnostics are the same: the
    /// version moved).
    touched: HashSet<PathBuf>,
    /// What was last published for each open document.
    published: HashMap<PathBuf, Vec<Diagnostic>>,
    /// The client applies workspace edits that create files (a soclint.toml
    /// for a waiver, where the folder has none).
    creates_files: bool,
}

/// Serves `conn` until the client shuts the server down.
pub fn run(conn: &Connection) -> Result<(), String> {
    let (id, params) = conn.initialize_start().map_err(|e| e.to_string())?;
    let params: InitializeParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
    // UTF-8 when the client offers it (no conversion of columns), else
    // UTF-16, which every client must support
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    let encoding = if offered.is_some_and(|e| e.contains(&PositionEncodingKind::UTF8)) {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    };
    let caps = ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::SOURCE_FIX_ALL,
                CodeActionKind::from(FIX_ALL_KIND),
            ]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    };
    let result = serde_json::json!({
        "capabilities": caps,
        "serverInfo": ServerInfo {
            name: "soclint".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        },
    });
    conn.initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    let mut server = Server {
        folders: folders_of(&params)
            .into_iter()
            .map(Workspace::new)
            .collect(),
        folders_from_documents: false,
        docs: HashMap::new(),
        dirty: BTreeSet::new(),
        elsewhere: Vec::new(),
        scans: HashMap::new(),
        encoding,
        touched: HashSet::new(),
        published: HashMap::new(),
        creates_files: params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.workspace_edit.as_ref())
            .is_some_and(|e| {
                e.document_changes == Some(true)
                    && e.resource_operations
                        .as_ref()
                        .is_some_and(|ops| ops.contains(&lsp_types::ResourceOperationKind::Create))
            }),
    };
    server.folders_from_documents = server.folders.is_empty();
    // files changed on disk (a checkout, a formatter, another editor): when
    // the client can watch them for the server
    let watch = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);
    if watch {
        send(conn, Message::Request(watch_request()))?;
    }
    loop {
        let Ok(first) = conn.receiver.recv() else {
            return Ok(());
        };
        let mut next = Some(first);
        // everything already waiting is handled before one scan
        while let Some(msg) = next {
            if server.handle(conn, msg)? {
                return Ok(());
            }
            next = conn.receiver.try_recv().ok();
        }
        server.rescan(conn)?;
    }
}

/// The workspace folders the client named, absolute, innermost last.
fn folders_of(params: &InitializeParams) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = match &params.workspace_folders {
        Some(f) if !f.is_empty() => f.iter().filter_map(|w| uri::to_path(&w.uri)).collect(),
        _ => {
            #[allow(deprecated)]
            let root = params.root_uri.as_ref().and_then(uri::to_path);
            root.into_iter().collect()
        }
    };
    out.sort();
    out.dedup();
    out
}

fn send(conn: &Connection, msg: Message) -> Result<(), String> {
    conn.sender.send(msg).map_err(|e| e.to_string())
}

impl Server {
    /// Handles one message; `true` once the client has shut the server down.
    fn handle(&mut self, conn: &Connection, msg: Message) -> Result<bool, String> {
        match msg {
            Message::Request(req) => {
                // a request sees every change sent before it (and a client
                // that shuts down right after a change still gets its
                // diagnostics)
                self.rescan(conn)?;
                if conn.handle_shutdown(&req).map_err(|e| e.to_string())? {
                    return Ok(true);
                }
                self.request(conn, req)?;
            }
            Message::Notification(n) => self.notification(conn, n)?,
            Message::Response(_) => {}
        }
        Ok(false)
    }

    fn request(&mut self, conn: &Connection, req: Request) -> Result<(), String> {
        if req.method
            == <lsp_types::request::CodeActionRequest as lsp_types::request::Request>::METHOD
        {
            let actions = serde_json::from_value::<lsp_types::CodeActionParams>(req.params)
                .map(|p| self.code_actions(&p))
                .unwrap_or_default();
            return send(conn, Message::Response(Response::new_ok(req.id, actions)));
        }
        if req.method == <lsp_types::request::HoverRequest as lsp_types::request::Request>::METHOD {
            let hover = serde_json::from_value::<lsp_types::HoverParams>(req.params)
                .ok()
                .and_then(|p| self.hover(&p));
            return send(conn, Message::Response(Response::new_ok(req.id, hover)));
        }
        let resp = Response::new_err(
            req.id,
            lsp_server::ErrorCode::MethodNotFound as i32,
            format!("soclint does not answer {}", req.method),
        );
        send(conn, Message::Response(resp))
    }

    fn notification(&mut self, conn: &Connection, n: Notification) -> Result<(), String> {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(p) =
                    serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(n.params)
                else {
                    return Ok(());
                };
                let d = p.text_document;
                self.set_text(conn, d.uri, d.version, Arc::from(d.text))?;
            }
            DidChangeTextDocument::METHOD => {
                let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(n.params)
                else {
                    return Ok(());
                };
                // incremental synchronisation: ranges in the text as it is
                let d = p.text_document;
                let open = uri::to_path(&d.uri)
                    .map(|p| crate::discover::absolute(&p))
                    .and_then(|p| self.docs.get(&p));
                let text = match open {
                    Some(doc) => documents::apply(&doc.text, p.content_changes, self.encoding),
                    // not open (or not a local file): only a whole text helps
                    None => match p
                        .content_changes
                        .into_iter()
                        .rev()
                        .find(|c| c.range.is_none())
                    {
                        Some(c) => c.text,
                        None => return Ok(()),
                    },
                };
                self.set_text(conn, d.uri, d.version, Arc::from(text))?;
            }
            DidSaveTextDocument::METHOD => {
                let Ok(p) =
                    serde_json::from_value::<lsp_types::DidSaveTextDocumentParams>(n.params)
                else {
                    return Ok(());
                };
                if let Some(path) = uri::to_path(&p.text_document.uri) {
                    // what reads the file from disk (a chart's render, a
                    // Terraform `file()`) sees the saved text now
                    self.file_changed(&crate::discover::absolute(&path), false);
                }
            }
            DidChangeWatchedFiles::METHOD => {
                let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeWatchedFilesParams>(n.params)
                else {
                    return Ok(());
                };
                for c in p.changes {
                    if let Some(path) = uri::to_path(&c.uri) {
                        let created_or_deleted = c.typ != lsp_types::FileChangeType::CHANGED;
                        self.file_changed(&crate::discover::absolute(&path), created_or_deleted);
                    }
                }
            }
            DidCloseTextDocument::METHOD => {
                let Ok(p) =
                    serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(n.params)
                else {
                    return Ok(());
                };
                let u = p.text_document.uri;
                self.elsewhere.retain(|e| *e != u);
                if let Some(path) = uri::to_path(&u).map(|p| crate::discover::absolute(&p)) {
                    self.published.remove(&path);
                    self.touched.remove(&path);
                    if let Some(d) = self.docs.remove(&path) {
                        // the file on disk is read again in place of the buffer
                        if !same_as_disk(&path, &d.text) {
                            self.changed_in_folders(&path, false);
                            if let Some(i) = self.folder_of(&path) {
                                self.dirty.insert(i);
                            }
                        }
                    }
                }
                publish(conn, u, None, Vec::new())?;
            }
            _ => {}
        }
        Ok(())
    }

    /// A file changed on disk (saved, or reported by the client's watcher):
    /// the folders holding it scan what read it again; a TOML file may be
    /// soclint.toml or a rule file, so config and rules are read again; a
    /// file created or deleted changes the units of the scan.
    fn file_changed(&mut self, path: &std::path::Path, created_or_deleted: bool) {
        let toml = path.extension().is_some_and(|e| e == "toml");
        for (i, f) in self.folders.iter_mut().enumerate() {
            if f.holds(path) {
                if toml {
                    f.forget_rules();
                } else if created_or_deleted {
                    f.forget_results();
                } else {
                    f.changed(path);
                }
                self.dirty.insert(i);
            }
        }
    }

    /// A buffer changed: every folder holding it (an outer folder scans it
    /// too) scans what read it again. `opened`: a document opened, which
    /// may be a file created on disk since the folder was walked.
    fn changed_in_folders(&mut self, path: &std::path::Path, opened: bool) {
        for f in self.folders.iter_mut().filter(|f| f.holds(path)) {
            if opened {
                f.changed(path);
            } else {
                f.edited(path);
            }
        }
    }

    /// The innermost folder holding `path`.
    fn folder_of(&self, path: &std::path::Path) -> Option<usize> {
        self.folders
            .iter()
            .enumerate()
            .filter(|(_, f)| f.holds(path))
            .max_by_key(|(_, f)| f.root.as_os_str().len())
            .map(|(i, _)| i)
    }

    fn set_text(
        &mut self,
        conn: &Connection,
        u: Uri,
        version: i32,
        text: Arc<str>,
    ) -> Result<(), String> {
        let Some(path) = uri::to_path(&u) else {
            if !self.elsewhere.contains(&u) {
                self.elsewhere.push(u.clone());
                let d = note(
                    "soclint checks only local files (file: URIs); this document was not checked",
                );
                publish(conn, u, Some(version), vec![d])?;
            }
            return Ok(());
        };
        let path = crate::discover::absolute(&path);
        if self.folder_of(&path).is_none() && self.folders_from_documents {
            let dir = path.parent().map(PathBuf::from).unwrap_or_default();
            let root = crate::project::Anchor::of(&[dir]).base;
            self.folders.push(Workspace::new(root));
        }
        // a document opened is read again even when it is as on disk: the
        // file may have changed since it was scanned, unseen by a client
        // that does not watch files
        match self.docs.get(&path) {
            None => self.changed_in_folders(&path, true),
            Some(d) if d.text != text => self.changed_in_folders(&path, false),
            Some(_) => {}
        }
        match self.folder_of(&path) {
            Some(i) => {
                self.dirty.insert(i);
            }
            None => {
                let d =
                    note("soclint did not check this file: it is outside the workspace folders");
                publish(conn, u.clone(), Some(version), vec![d])?;
            }
        }
        self.touched.insert(path.clone());
        self.docs.insert(
            path,
            Doc {
                uri: u,
                version,
                text,
            },
        );
        Ok(())
    }

    /// Scans every folder whose documents changed, and publishes.
    fn rescan(&mut self, conn: &Connection) -> Result<(), String> {
        let dirty = std::mem::take(&mut self.dirty);
        for i in dirty {
            let open: HashMap<PathBuf, Arc<str>> = self
                .docs
                .iter()
                .map(|(p, d)| (p.clone(), d.text.clone()))
                .collect();
            let folder = &mut self.folders[i];
            let scanned = match folder.scan(&open) {
                Ok(s) => s,
                Err(e) => {
                    let why = format!("soclint could not scan this folder: {e}");
                    let mut out = Vec::new();
                    for p in self.docs.keys() {
                        if self.folders[i].holds(p) {
                            let mut diag = note(&why);
                            diag.severity = Some(DiagnosticSeverity::ERROR);
                            out.push((p.clone(), vec![diag]));
                        }
                    }
                    for (p, diags) in out {
                        self.publish_if_new(conn, p, diags)?;
                    }
                    self.scans.remove(&i);
                    continue;
                }
            };
            let mut out = Vec::new();
            for (path, d) in &self.docs {
                if self.folder_of(path) != Some(i) {
                    continue;
                }
                out.push((path.clone(), self.diagnostics(i, &scanned, path, d)));
            }
            for (path, diags) in out {
                self.publish_if_new(conn, path, diags)?;
            }
            self.scans.insert(i, scanned);
        }
        Ok(())
    }

    /// Publishes the diagnostics of an open document when it changed since
    /// they were last published or they differ from what was.
    fn publish_if_new(
        &mut self,
        conn: &Connection,
        path: PathBuf,
        diags: Vec<Diagnostic>,
    ) -> Result<(), String> {
        let Some(d) = self.docs.get(&path) else {
            return Ok(());
        };
        let touched = self.touched.remove(&path);
        if !touched && self.published.get(&path) == Some(&diags) {
            return Ok(());
        }
        publish(conn, d.uri.clone(), Some(d.version), diags.clone())?;
        self.published.insert(path, diags);
        Ok(())
    }

    /// The code actions for the document: the quick fixes for the findings
    /// the range touches (the rules' fixes, built on the text the last scan
    /// read, and a suppression comment to fill in), and every safe fix of
    /// the document in one action (`source.fixAll.soclint`), as the client's
    /// `only` asks.
    // `WorkspaceEdit::changes` is lsp-types' map keyed by `Uri`, whose
    // hash does not change once built
    #[allow(clippy::mutable_key_type)]
    fn code_actions(&mut self, p: &lsp_types::CodeActionParams) -> Vec<lsp_types::CodeAction> {
        let Some(path) = uri::to_path(&p.text_document.uri).map(|p| crate::discover::absolute(&p))
        else {
            return Vec::new();
        };
        let (Some(doc), Some(folder)) = (self.docs.get(&path), self.folder_of(&path)) else {
            return Vec::new();
        };
        let Some(scanned) = self.scans.get(&folder) else {
            return Vec::new();
        };
        // a kind is asked for when `only` names it or a kind above it
        // (`source` covers `source.fixAll.soclint`)
        let asked = |kind: &str| {
            p.context.only.as_ref().is_none_or(|only| {
                only.iter().any(|o| {
                    kind == o.as_str()
                        || kind
                            .strip_prefix(o.as_str())
                            .is_some_and(|rest| rest.starts_with('.'))
                })
            })
        };
        let ws = &self.folders[folder];
        let rel = ws.reported(&path);
        let lines = convert::Lines::with(&doc.text, self.encoding);
        let edit_of = |edits: Vec<lsp_types::TextEdit>| {
            let mut changes = HashMap::new();
            changes.insert(doc.uri.clone(), edits);
            lsp_types::WorkspaceEdit {
                changes: Some(changes),
                ..lsp_types::WorkspaceEdit::default()
            }
        };
        let text_edits = |fx: &crate::fix::Fix| -> Vec<lsp_types::TextEdit> {
            fx.edits
                .iter()
                .map(|e| lsp_types::TextEdit {
                    range: lines.range(e.span),
                    new_text: e.text.clone(),
                })
                .collect()
        };
        // by line: a cursor anywhere on a finding's line asks for its fixes
        let touches =
            |r: &Range| r.start.line <= p.range.end.line && p.range.start.line <= r.end.line;
        // a suppression lasts 90 days unless the person changes it
        let until = crate::fix::date_of(scanned.opts.eval.today + 90);
        let mut out = Vec::new();
        let mut fixable = false;
        for f in scanned.result.findings.iter().filter(|f| *f.path == *rel) {
            let fix = ws
                .rule_fix(&f.rule.id)
                .and_then(|spec| crate::fix::for_finding(f, &spec, &doc.text));
            // a suggestion holds a placeholder for a person to fill in
            fixable |= fix.as_ref().is_some_and(|fx| !fx.suggestion);
            let range = convert::range_of(f.span(), &f.location, Some(&doc.text), self.encoding);
            if !touches(&range) || !asked(CodeActionKind::QUICKFIX.as_str()) {
                continue;
            }
            let suppress = crate::fix::suppression(f, &doc.text, &until);
            if suppress.is_none() {
                out.extend(self.waiver_action(ws, &path, f, &until).map(|mut a| {
                    a.diagnostics = Some(vec![convert::diagnostic(f, range, Vec::new())]);
                    a
                }));
            }
            for (fx, preferred) in fix
                .map(|x| (x, true))
                .into_iter()
                .chain(suppress.map(|x| (x, false)))
            {
                out.push(lsp_types::CodeAction {
                    title: format!("{}: {}", f.rule.id, fx.title),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![convert::diagnostic(f, range, Vec::new())]),
                    edit: Some(edit_of(text_edits(&fx))),
                    is_preferred: (preferred && !fx.suggestion).then_some(true),
                    ..lsp_types::CodeAction::default()
                });
            }
        }
        if asked(FIX_ALL_KIND) && fixable {
            let old = doc.text.clone();
            let uri = doc.uri.clone();
            if let Some((new, n)) = self.fix_all(folder, &path) {
                let lines = convert::Lines::with(&old, self.encoding);
                let edits = line_edits(&old, &new, &lines);
                if !edits.is_empty() {
                    let mut changes = HashMap::new();
                    changes.insert(uri, edits);
                    out.push(lsp_types::CodeAction {
                        title: format!(
                            "soclint: apply {n} safe fix{} to this file",
                            if n == 1 { "" } else { "es" }
                        ),
                        kind: Some(CodeActionKind::from(FIX_ALL_KIND)),
                        edit: Some(lsp_types::WorkspaceEdit {
                            changes: Some(changes),
                            ..lsp_types::WorkspaceEdit::default()
                        }),
                        ..lsp_types::CodeAction::default()
                    });
                }
            }
        }
        out
    }

    /// Where no comment can suppress finding `f` of the file at `path` (a
    /// JSON file, a Markdown policy's first line): a `[[waiver]]` appended
    /// to the folder's soclint.toml (as open, else as on disk), its path
    /// relative to the config's directory; without one, a new soclint.toml
    /// at the folder's anchor holding it, when the client creates files.
    /// None for a file outside the config's directory.
    // `WorkspaceEdit::changes` is keyed by `Uri`, whose hash does not change once built
    #[allow(clippy::mutable_key_type)]
    fn waiver_action(
        &self,
        ws: &workspace::Workspace,
        path: &std::path::Path,
        f: &crate::finding::Finding,
        until: &str,
    ) -> Option<lsp_types::CodeAction> {
        let existing = ws.config_file();
        let config = match &existing {
            Some(c) => c.clone(),
            // none yet: one at the folder's anchor, where soclint looks last
            None if self.creates_files => ws.anchor.base.join(crate::config::FILE_NAME),
            None => return None,
        };
        let rel = path.strip_prefix(config.parent()?).ok()?;
        let rel: Vec<&str> = rel
            .components()
            .map(|c| c.as_os_str().to_str())
            .collect::<Option<_>>()?;
        let block = crate::fix::waiver(f, &rel.join("/"), until);
        let config_uri = uri::from_path(&config)?;
        let title = format!(
            "{}: accept with a waiver in {} (give the reason)",
            f.rule.id,
            config.file_name()?.to_string_lossy()
        );
        let edit = if existing.is_some() {
            let text = match self.docs.get(&config) {
                Some(d) => d.text.to_string(),
                None => std::fs::read_to_string(&config).ok()?,
            };
            let mut block = block;
            if !text.is_empty() && !text.ends_with('\n') {
                block.insert(0, '\n');
            }
            let end = convert::Lines::with(&text, self.encoding).position(text.len());
            let mut changes = HashMap::new();
            changes.insert(
                config_uri,
                vec![lsp_types::TextEdit {
                    range: Range::new(end, end),
                    new_text: block,
                }],
            );
            lsp_types::WorkspaceEdit {
                changes: Some(changes),
                ..lsp_types::WorkspaceEdit::default()
            }
        } else {
            // created (never over a file that appeared meanwhile), then filled
            use lsp_types::{
                CreateFile, CreateFileOptions, DocumentChangeOperation, DocumentChanges,
                OptionalVersionedTextDocumentIdentifier, ResourceOp, TextDocumentEdit,
            };
            let start = lsp_types::Position::new(0, 0);
            lsp_types::WorkspaceEdit {
                document_changes: Some(DocumentChanges::Operations(vec![
                    DocumentChangeOperation::Op(ResourceOp::Create(CreateFile {
                        uri: config_uri.clone(),
                        options: Some(CreateFileOptions {
                            overwrite: Some(false),
                            ignore_if_exists: Some(false),
                        }),
                        annotation_id: None,
                    })),
                    DocumentChangeOperation::Edit(TextDocumentEdit {
                        text_document: OptionalVersionedTextDocumentIdentifier {
                            uri: config_uri,
                            version: None,
                        },
                        edits: vec![lsp_types::OneOf::Left(lsp_types::TextEdit {
                            range: Range::new(start, start),
                            new_text: block.trim_start().to_string(),
                        })],
                    }),
                ])),
                ..lsp_types::WorkspaceEdit::default()
            }
        };
        Some(lsp_types::CodeAction {
            title,
            kind: Some(CodeActionKind::QUICKFIX),
            edit: Some(edit),
            ..lsp_types::CodeAction::default()
        })
    }

    /// Every safe fix of the open document at `path`, as `check --fix`
    /// applies them, in passes: each pass applies the fixes that do not
    /// clash, and is kept only when the file still parses and the findings
    /// it fixed are gone (scanned with the fixed text in place of the
    /// buffer, with the folder's kept results); the next pass takes the
    /// fixes of what is left. The fixed text and the number of fixes, or
    /// `None` when none applies.
    fn fix_all(&mut self, folder: usize, path: &std::path::Path) -> Option<(String, usize)> {
        /// Passes at most (ruff stops at 100; a fix that keeps making room
        /// for another is a bug in a rule's fix data).
        const MAX_PASSES: usize = 10;
        let rel = self.folders[folder].reported(path);
        let mut text = self.docs.get(path)?.text.to_string();
        let mut findings: Vec<crate::finding::Finding> = self
            .scans
            .get(&folder)?
            .result
            .findings
            .iter()
            .filter(|f| *f.path == *rel)
            .cloned()
            .collect();
        let mut open: HashMap<PathBuf, Arc<str>> = self
            .docs
            .iter()
            .map(|(p, d)| (p.clone(), d.text.clone()))
            .collect();
        let mut count = 0;
        for _ in 0..MAX_PASSES {
            let ws = &mut self.folders[folder];
            let mut fixes = Vec::new();
            let mut keys = Vec::new();
            for f in &findings {
                let fx = ws
                    .rule_fix(&f.rule.id)
                    .and_then(|spec| crate::fix::for_finding(f, &spec, &text))
                    .filter(|fx| !fx.suggestion);
                if let Some(fx) = fx {
                    fixes.push(fx);
                    keys.push((f.rule.id.clone(), f.resource.clone()));
                }
            }
            let applied = crate::fix::apply(&text, &fixes);
            if applied.applied.is_empty() {
                break;
            }
            open.insert(path.to_path_buf(), Arc::from(applied.text.as_str()));
            ws.edited(path);
            let Ok(after) = ws.scan(&open) else {
                break;
            };
            let parses = !after.result.errors.iter().any(|e| e.path == rel);
            let gone = applied.applied.iter().all(|&i| {
                let (id, res) = &keys[i];
                !after
                    .result
                    .findings
                    .iter()
                    .any(|f| *f.path == *rel && f.rule.id == *id && *f.resource == **res)
            });
            if !(parses && gone) {
                break;
            }
            count += applied.applied.len();
            text = applied.text;
            findings = after
                .result
                .findings
                .into_iter()
                .filter(|f| *f.path == *rel)
                .collect();
        }
        // the next scan reads the buffer again, not the fixed text
        self.folders[folder].edited(path);
        (count > 0).then_some((text, count))
    }

    /// The explanation of the findings under the cursor, from the last scan.
    fn hover(&self, p: &lsp_types::HoverParams) -> Option<lsp_types::Hover> {
        let at = &p.text_document_position_params;
        let path = crate::discover::absolute(&uri::to_path(&at.text_document.uri)?);
        let (doc, folder) = (self.docs.get(&path)?, self.folder_of(&path)?);
        let scanned = self.scans.get(&folder)?;
        let rel = self.folders[folder].reported(&path);
        let here: Vec<(&crate::finding::Finding, Range)> = scanned
            .result
            .findings
            .iter()
            .filter(|f| *f.path == *rel)
            .map(|f| {
                (
                    f,
                    convert::range_of(f.span(), &f.location, Some(&doc.text), self.encoding),
                )
            })
            .collect();
        hover::hover(&here, at.position)
    }

    /// The diagnostics of one open document after a scan of its folder.
    fn diagnostics(
        &self,
        folder: usize,
        scanned: &Scanned,
        path: &std::path::Path,
        doc: &Doc,
    ) -> Vec<Diagnostic> {
        let ws = &self.folders[folder];
        let rel = ws.reported(path);
        let text_of = |reported: &str| -> Option<Arc<str>> {
            let abs = crate::discover::absolute(&ws.absolute(reported));
            match self.docs.get(&abs) {
                Some(d) => Some(d.text.clone()),
                None => scanned.result.texts.get(reported).cloned(),
            }
        };
        let uri_of = |reported: &str| {
            let abs = crate::discover::absolute(&ws.absolute(reported));
            match self.docs.get(&abs) {
                Some(d) => Some(d.uri.clone()),
                None => uri::from_path(&abs),
            }
        };
        let mut out = Vec::new();
        let this = Some(doc.text.clone());
        for f in &scanned.result.findings {
            let here = *f.path == *rel;
            let sites_here: Vec<&crate::finding::Site> = convert::shown_sites(f)
                .filter(|s| *s.path == *rel && !here)
                .collect();
            if !here && sites_here.is_empty() {
                continue;
            }
            let primary_text = if here { this.clone() } else { text_of(&f.path) };
            let primary = convert::range_of(
                f.span(),
                &f.location,
                primary_text.as_deref(),
                self.encoding,
            );
            if here {
                let related = convert::shown_sites(f)
                    .filter_map(|s| {
                        let t = if *s.path == *rel {
                            this.clone()
                        } else {
                            text_of(&s.path)
                        };
                        let r = convert::range_of(s.span, &s.location, t.as_deref(), self.encoding);
                        Some(convert::related(
                            uri_of(&s.path)?,
                            r,
                            convert::site_message(s),
                        ))
                    })
                    .collect();
                out.push(convert::diagnostic(f, primary, related));
            }
            // a finding reported in another file, shown where it lands here too
            for s in sites_here {
                let r = convert::range_of(s.span, &s.location, this.as_deref(), self.encoding);
                let related = uri_of(&f.path)
                    .map(|u| {
                        vec![convert::related(
                            u,
                            primary,
                            format!("{} is reported here", f.rule.id),
                        )]
                    })
                    .unwrap_or_default();
                let mut d = convert::diagnostic(f, r, related);
                d.severity = Some(DiagnosticSeverity::INFORMATION);
                d.message = format!(
                    "{} ({}; reported in {}:{})",
                    d.message,
                    convert::site_message(s),
                    f.path,
                    f.location.start_line
                );
                out.push(d);
            }
        }
        for e in scanned.result.errors.iter().filter(|e| e.path == rel) {
            let loc = crate::finding::Location::new(e.line, e.column, e.line, e.column);
            out.push(Diagnostic {
                range: convert::range_of(e.span, &loc, this.as_deref(), self.encoding),
                severity: Some(DiagnosticSeverity::ERROR),
                code: Some(NumberOrString::String("parse-error".into())),
                source: Some("soclint".into()),
                message: format!("soclint could not check this file: {}", e.message),
                ..Diagnostic::default()
            });
        }
        if out.is_empty() {
            if let Some(why) = ws.unchecked_reason(scanned, path, &doc.text) {
                out.push(note(&why));
            }
        }
        out
    }
}

/// The edits that turn `old` into `new`, one per run of changed lines (a
/// line diff, as `check --diff` shows it): what an editor previews is what
/// changes, and untouched lines between two fixes are not rewritten.
fn line_edits(old: &str, new: &str, lines: &convert::Lines) -> Vec<lsp_types::TextEdit> {
    let starts = |t: &str| -> Vec<usize> {
        let mut s = vec![0];
        s.extend(t.match_indices('\n').map(|(i, _)| i + 1));
        s
    };
    let (old_starts, new_starts) = (starts(old), starts(new));
    // the byte offset where line `i` starts (the end for the line after the last)
    let at = |s: &[usize], t: &str, i: usize| s.get(i).copied().unwrap_or(t.len()).min(t.len());
    similar::TextDiff::from_lines(old, new)
        .ops()
        .iter()
        .filter(|op| op.tag() != similar::DiffTag::Equal)
        .map(|op| {
            let (o, n) = (op.old_range(), op.new_range());
            let span = crate::document::Span::new(
                at(&old_starts, old, o.start),
                at(&old_starts, old, o.end),
            );
            lsp_types::TextEdit {
                range: lines.range(span),
                new_text: new[at(&new_starts, new, n.start)..at(&new_starts, new, n.end)]
                    .to_string(),
            }
        })
        .collect()
}

/// Whether the file at `path` holds `text` (a file too large to be worth
/// reading for this, or unreadable, does not).
fn same_as_disk(path: &std::path::Path, text: &str) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == text.len() as u64)
        && std::fs::read(path).is_ok_and(|b| b == text.as_bytes())
}

/// An informational diagnostic at the start of the file.
fn note(message: &str) -> Diagnostic {
    Diagnostic {
        range: Range::default(),
        severity: Some(DiagnosticSeverity::INFORMATION),
        code: Some(NumberOrString::String("not-checked".into())),
        source: Some("soclint".into()),
        message: message.into(),
        ..Diagnostic::default()
    }
}

/// The request that asks the client to report every file of the workspace
/// changed, created or deleted on disk (`workspace/didChangeWatchedFiles`).
fn watch_request() -> Request {
    let options = lsp_types::DidChangeWatchedFilesRegistrationOptions {
        watchers: vec![lsp_types::FileSystemWatcher {
            glob_pattern: lsp_types::GlobPattern::String("**/*".into()),
            kind: None,
        }],
    };
    let params = lsp_types::RegistrationParams {
        registrations: vec![lsp_types::Registration {
            id: "soclint-watch".into(),
            method: DidChangeWatchedFiles::METHOD.into(),
            register_options: serde_json::to_value(options).ok(),
        }],
    };
    Request::new(
        lsp_server::RequestId::from("soclint-watch".to_string()),
        <lsp_types::request::RegisterCapability as lsp_types::request::Request>::METHOD.into(),
        params,
    )
}

fn publish(
    conn: &Connection,
    uri: Uri,
    version: Option<i32>,
    diagnostics: Vec<Diagnostic>,
) -> Result<(), String> {
    let params = PublishDiagnosticsParams {
        uri,
        diagnostics,
        version,
    };
    send(
        conn,
        Message::Notification(Notification::new(PublishDiagnostics::METHOD.into(), params)),
    )
}

#[cfg(test)]
mod tests {
    use lsp_types::{Position, Range};

    use super::*;

    /// Two fixes with untouched lines between them are two edits; an
    /// insertion is an empty range; a text without a final line break.
    #[test]
    fn fix_all_edits_are_the_changed_lines() {
        let old = "a = 1\nb = true\nc = 3\nd = 4\ne = 5";
        let new = "a = 1\nb = false\nc = 3\nd = 4\nx = 0\ne = 5";
        let lines = convert::Lines::new(old);
        let edits = line_edits(old, new, &lines);
        let got: Vec<(Range, &str)> = edits
            .iter()
            .map(|e| (e.range, e.new_text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    Range::new(Position::new(1, 0), Position::new(2, 0)),
                    "b = false\n"
                ),
                (
                    Range::new(Position::new(4, 0), Position::new(4, 0)),
                    "x = 0\n"
                ),
            ]
        );
        assert!(line_edits(old, old, &lines).is_empty());
    }
}
