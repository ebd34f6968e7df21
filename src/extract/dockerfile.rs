//! Dockerfile: the file (`dockerfile`), each build stage (`stage`) and each
//! instruction (`instruction`).
use super::Push;
use crate::document::Node;
use crate::target::Target;

pub fn extract<'a>(doc: &'a Node, push: &mut Push<'_, 'a>) {
    let first = doc
        .get("instructions")
        .and_then(Node::as_list)
        .and_then(|l| l.first())
        .map(|i| i.span)
        .unwrap_or(doc.span);
    push(
        Target::Dockerfile,
        "dockerfile",
        "dockerfile".into(),
        doc,
        first,
    );
    for (i, stage) in doc
        .get("stages")
        .and_then(Node::as_list)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        // a stage without `AS name` goes by its index: "stage 0" in messages
        let name = stage
            .get("name")
            .and_then(Node::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| i.to_string());
        let header = stage.get("from").map(|f| f.span).unwrap_or(stage.span);
        push(Target::Dockerfile, "stage", name, stage, header);
    }
    for inst in doc
        .get("instructions")
        .and_then(Node::as_list)
        .unwrap_or(&[])
    {
        let cmd = inst.get("cmd").and_then(Node::as_str).unwrap_or("?");
        push(
            Target::Dockerfile,
            "instruction",
            cmd.to_string(),
            inst,
            inst.span,
        );
    }
}
