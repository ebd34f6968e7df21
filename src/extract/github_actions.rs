//! GitHub Actions: the workflow, each job (`jobs.<id>`) and each step
//! (`jobs.<id>.steps[n]`); composite actions (`action.yml`) and their steps.
use super::Push;
use crate::document::Node;
use crate::target::Target;

pub fn extract_workflow<'a>(doc: &'a Node, push: &mut Push<'_, 'a>) {
    let header = doc
        .entry("on")
        .or_else(|| doc.entry("name"))
        .map(|e| e.key_span)
        .unwrap_or_else(|| doc.header_span());
    push(
        Target::GithubActions,
        "workflow",
        "workflow".into(),
        doc,
        header,
    );
    for job in doc.get("jobs").and_then(Node::as_map).unwrap_or(&[]) {
        let address = format!("jobs.{}", job.key);
        push(
            Target::GithubActions,
            "job",
            address.clone(),
            &job.value,
            job.key_span,
        );
        steps(&job.value, &address, push);
    }
}

pub fn extract_action<'a>(doc: &'a Node, push: &mut Push<'_, 'a>) {
    push(
        Target::GithubActions,
        "action",
        "action".into(),
        doc,
        doc.header_span(),
    );
    if let Some(runs) = doc.get("runs") {
        steps(runs, "runs", push);
    }
}

fn steps<'a>(holder: &'a Node, address: &str, push: &mut Push<'_, 'a>) {
    for (i, step) in holder
        .get("steps")
        .and_then(Node::as_list)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let header = ["uses", "run", "name"]
            .iter()
            .find_map(|k| super::entry_header(step, k))
            .unwrap_or_else(|| step.header_span());
        push(
            Target::GithubActions,
            "step",
            format!("{address}.steps[{i}]"),
            step,
            header,
        );
    }
}
