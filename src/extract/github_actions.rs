//! GitHub Actions: the workflow, each job (`jobs.<id>`) and each step
//! (`jobs.<id>.steps[<key>]`, see [`step_key`]); composite actions
//! (`action.yml`) and their steps.
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
            format!("{address}.steps[{}]", step_key(step, i)),
            step,
            header,
        );
    }
}

/// How a step is known in its address (and so in its findings' fingerprints):
/// its `id`, else its `name`, else the action it `uses`, else the first line
/// of its `run` script (at most 40 characters), and only else its position.
/// Not the position first: inserting one step would rename every step after
/// it, and a baseline would see their findings as new.
fn step_key(step: &Node, index: usize) -> String {
    let text = |k: &str| {
        step.get(k)
            .and_then(Node::as_str)
            .map(|s| {
                s.lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty())
                    .unwrap_or("")
            })
            .filter(|s| !s.is_empty())
    };
    match ["id", "name", "uses"].iter().find_map(|k| text(k)) {
        Some(key) => key.to_string(),
        None => match text("run") {
            Some(line) if line.chars().count() > 40 => {
                format!("{}…", line.chars().take(40).collect::<String>())
            }
            Some(line) => line.to_string(),
            None => index.to_string(),
        },
    }
}
