//! Setting a Dockerfile stage's `USER`: the value of its own last `USER`
//! replaced, or a `USER` line added after the stage's last build step
//! (`RUN`, `COPY`, `ADD`, `WORKDIR`, `SHELL`), so every step still runs as
//! it did and only the image's process changes user. A stage with a heredoc
//! gets no edit (its lines are not instructions).
use super::text::{after_line, line_ending, line_start};
use super::Edit;
use crate::document::{Node, Span};

/// The edit making `stage` (a node of the document's `stages`) run as `name`.
pub fn set_user(text: &str, stage: &Node, name: &str) -> Option<Edit> {
    let instructions = stage.get("instructions")?.as_list()?;
    if instructions.iter().any(|i| i.get("heredocs").is_some()) {
        return None;
    }
    let within = |s: Span| stage.span.start <= s.start && s.end <= stage.span.end;
    // the stage's own USER (not one inherited from the stage it builds on)
    if let Some(user) = stage.get("user").filter(|u| within(u.span)) {
        let before = text.get(line_start(text, user.span.start)..user.span.start)?;
        return before.trim().eq_ignore_ascii_case("user").then(|| Edit {
            span: user.span,
            text: name.to_string(),
        });
    }
    let cmd = |i: &Node| i.get("cmd").and_then(Node::as_str).map(str::to_string);
    let last_step = instructions.iter().rev().find(|i| {
        matches!(
            cmd(i).as_deref(),
            Some("RUN" | "COPY" | "ADD" | "WORKDIR" | "SHELL")
        )
    })?;
    let at = after_line(text, last_step.span.end)?;
    // the keyword in the case the file writes its FROM
    let from = text.get(stage.span.start..)?;
    let keyword = if from.starts_with("from") {
        "user"
    } else {
        "USER"
    };
    Some(Edit {
        span: Span::new(at, at),
        text: format!("{keyword} {name}{}", line_ending(text)),
    })
}
