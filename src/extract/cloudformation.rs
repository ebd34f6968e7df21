//! CloudFormation: each entry of `Resources` (body = the whole resource, so
//! rules see `Properties`, `DeletionPolicy`, `UpdateReplacePolicy`), plus the
//! IAM statements of every `PolicyDocument` inside them.
use super::Push;
use crate::document::Node;
use crate::target::Target;

pub fn extract<'a>(doc: &'a Node, push: &mut Push<'_, 'a>) {
    let Some(resources) = doc.get("Resources").and_then(Node::as_map) else {
        return;
    };
    // the template as a whole (type `template`): its `Parameters`, `Outputs`…
    let header = doc
        .entry("AWSTemplateFormatVersion")
        .or_else(|| doc.entry("Resources"))
        .map_or(doc.span, |e| e.key_span);
    push(
        Target::Cloudformation,
        "template",
        "template".into(),
        doc,
        header,
    );
    for r in resources {
        let Some(ty) = r.value.get("Type").and_then(Node::as_str) else {
            continue;
        };
        push(
            Target::Cloudformation,
            ty,
            r.key.clone(),
            &r.value,
            r.key_span,
        );
        if let Some(props) = r.value.get("Properties") {
            super::iam::statements_within(props, &r.key, super::iam::statement_type(ty), push);
        }
    }
}
