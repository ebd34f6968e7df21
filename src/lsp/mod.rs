//! `soclint lsp`: a language server on the synchronous `lsp-server` crate.
//!
//! Each open, change or save of a document rescans its workspace folder
//! with the same config, rules, scanner and filter as `soclint check`, the
//! open buffers read instead of the files on disk; then every open document
//! of the folder gets its diagnostics (an empty list included, so stale ones
//! clear). Messages that arrive while a scan runs are all handled before the
//! next scan, so a burst of keystrokes costs one scan. A document that was
//! not checked says so with an informational diagnostic.
pub mod convert;
pub mod hover;
pub mod uri;
pub mod workspace;

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use lsp_server::{Connection, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, Diagnostic,
    DiagnosticSeverity, HoverProviderCapability, InitializeParams, NumberOrString,
    PositionEncodingKind, PublishDiagnosticsParams, Range, SaveOptions, ServerCapabilities,
    ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Uri,
};

use workspace::{Scanned, Workspace};

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
}

/// Serves `conn` until the client shuts the server down.
pub fn run(conn: &Connection) -> Result<(), String> {
    let caps = ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    };
    let (id, params) = conn.initialize_start().map_err(|e| e.to_string())?;
    let params: InitializeParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
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
    };
    server.folders_from_documents = server.folders.is_empty();
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
                // full synchronisation: the last change is the whole text
                if let Some(c) = p.content_changes.into_iter().last() {
                    let d = p.text_document;
                    self.set_text(conn, d.uri, d.version, Arc::from(c.text))?;
                }
            }
            DidSaveTextDocument::METHOD => {
                let Ok(p) =
                    serde_json::from_value::<lsp_types::DidSaveTextDocumentParams>(n.params)
                else {
                    return Ok(());
                };
                if let Some(path) = uri::to_path(&p.text_document.uri) {
                    let toml = path.extension().is_some_and(|e| e == "toml");
                    for (i, f) in self.folders.iter_mut().enumerate() {
                        if f.holds(&path) {
                            // soclint.toml or a rule file may have changed
                            if toml {
                                f.forget_rules();
                            }
                            self.dirty.insert(i);
                        }
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
                if let Some(path) = uri::to_path(&u) {
                    if self.docs.remove(&path).is_some() {
                        if let Some(i) = self.folder_of(&path) {
                            self.dirty.insert(i);
                        }
                    }
                }
                publish(conn, u, None, Vec::new())?;
            }
            _ => {}
        }
        Ok(())
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
                    for (p, d) in &self.docs {
                        if self.folders[i].holds(p) {
                            let mut diag = note(&why);
                            diag.severity = Some(DiagnosticSeverity::ERROR);
                            publish(conn, d.uri.clone(), Some(d.version), vec![diag])?;
                        }
                    }
                    self.scans.remove(&i);
                    continue;
                }
            };
            for (path, d) in &self.docs {
                if self.folder_of(path) != Some(i) {
                    continue;
                }
                let diags = self.diagnostics(i, &scanned, path, d);
                publish(conn, d.uri.clone(), Some(d.version), diags)?;
            }
            self.scans.insert(i, scanned);
        }
        Ok(())
    }

    /// The quick fixes for the findings of the document that the range
    /// touches: the rules' fixes, built on the text the last scan read, and
    /// a suppression comment to fill in.
    // `WorkspaceEdit::changes` is lsp-types' map keyed by `Uri`, whose
    // hash does not change once built
    #[allow(clippy::mutable_key_type)]
    fn code_actions(&self, p: &lsp_types::CodeActionParams) -> Vec<lsp_types::CodeAction> {
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
        let ws = &self.folders[folder];
        let rel = ws.reported(&path);
        let lines = convert::Lines::new(&doc.text);
        // by line: a cursor anywhere on a finding's line asks for its fixes
        let touches =
            |r: &Range| r.start.line <= p.range.end.line && p.range.start.line <= r.end.line;
        // a suppression lasts 90 days unless the person changes it
        let until = crate::fix::date_of(scanned.opts.eval.today + 90);
        let mut out = Vec::new();
        for f in scanned.result.findings.iter().filter(|f| f.path == rel) {
            let range = convert::range_of(f.span, &f.location, Some(&doc.text));
            if !touches(&range) {
                continue;
            }
            let fix = ws
                .rule_fix(&f.rule.id)
                .and_then(|spec| crate::fix::for_finding(f, &spec, &doc.text));
            let suppress = crate::fix::suppression(f, &doc.text, &until);
            for (fx, preferred) in fix
                .map(|x| (x, true))
                .into_iter()
                .chain(suppress.map(|x| (x, false)))
            {
                let edits = fx
                    .edits
                    .iter()
                    .map(|e| lsp_types::TextEdit {
                        range: lines.range(e.span),
                        new_text: e.text.clone(),
                    })
                    .collect();
                let mut changes = HashMap::new();
                changes.insert(doc.uri.clone(), edits);
                out.push(lsp_types::CodeAction {
                    title: format!("{}: {}", f.rule.id, fx.title),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![convert::diagnostic(f, range, Vec::new())]),
                    edit: Some(lsp_types::WorkspaceEdit {
                        changes: Some(changes),
                        ..lsp_types::WorkspaceEdit::default()
                    }),
                    is_preferred: (preferred && !fx.suggestion).then_some(true),
                    ..lsp_types::CodeAction::default()
                });
            }
        }
        out
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
            .filter(|f| f.path == rel)
            .map(|f| (f, convert::range_of(f.span, &f.location, Some(&doc.text))))
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
            let here = f.path == rel;
            let sites_here: Vec<&crate::finding::Site> = convert::shown_sites(f)
                .filter(|s| s.path == rel && !here)
                .collect();
            if !here && sites_here.is_empty() {
                continue;
            }
            let primary_text = if here { this.clone() } else { text_of(&f.path) };
            let primary = convert::range_of(f.span, &f.location, primary_text.as_deref());
            if here {
                let related = convert::shown_sites(f)
                    .filter_map(|s| {
                        let t = if s.path == rel {
                            this.clone()
                        } else {
                            text_of(&s.path)
                        };
                        let r = convert::range_of(s.span, &s.location, t.as_deref());
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
                let r = convert::range_of(s.span, &s.location, this.as_deref());
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
            let loc = crate::finding::Location {
                start_line: e.line,
                start_column: e.column,
                end_line: e.line,
                end_column: e.column,
            };
            out.push(Diagnostic {
                range: convert::range_of(e.span, &loc, this.as_deref()),
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
