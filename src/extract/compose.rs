//! docker-compose: the file (`compose`) and each service (`service`).
use super::Push;
use crate::document::Node;
use crate::target::Target;

pub fn extract<'a>(doc: &'a Node, push: &mut Push<'_, 'a>) {
    push(
        Target::DockerCompose,
        "compose",
        "compose".into(),
        doc,
        doc.header_span(),
    );
    for svc in doc.get("services").and_then(Node::as_map).unwrap_or(&[]) {
        push(
            Target::DockerCompose,
            "service",
            format!("services.{}", svc.key),
            &svc.value,
            svc.key_span,
        );
    }
}
