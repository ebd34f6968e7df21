//! IAM policy documents (JSON with `Version` and `Statement`): the document and
//! each statement.
use super::{entry_header, Push};
use crate::document::{Node, Value};
use crate::target::Target;

pub fn extract<'a>(doc: &'a Node, push: &mut Push<'_, 'a>) {
    let header = entry_header(doc, "Version").unwrap_or_else(|| doc.header_span());
    push(Target::Iam, "policy_document", "policy".into(), doc, header);
    statements(doc, "policy", STATEMENT, push);
}

/// The type of a statement of an identity or resource policy: what the IAM
/// rules judge.
pub const STATEMENT: &str = "policy_statement";

/// The type of a statement of a VPC endpoint policy. Such a policy only
/// narrows what may pass through the endpoint (its `Principal` is always
/// `*`, and AWS's default allows everything), so it is neither an identity
/// policy nor a public resource policy, and the IAM rules leave it alone.
pub const ENDPOINT_STATEMENT: &str = "endpoint_policy_statement";

/// The statement type for the policies of a resource of type `owner_type`
/// (a CloudFormation or Terraform type).
pub fn statement_type(owner_type: &str) -> &'static str {
    match owner_type {
        "AWS::EC2::VPCEndpoint" | "aws_vpc_endpoint" | "aws_vpc_endpoint_policy" => {
            ENDPOINT_STATEMENT
        }
        _ => STATEMENT,
    }
}

fn statements<'a>(doc: &'a Node, prefix: &str, ty: &str, push: &mut Push<'_, 'a>) {
    let Some(stmt) = doc.get("Statement") else {
        return;
    };
    let list: Vec<&Node> = match &stmt.value {
        Value::List(items) => items.iter().collect(),
        Value::Map(_) => vec![stmt],
        _ => return,
    };
    for (i, s) in list.into_iter().enumerate() {
        let name = s
            .get("Sid")
            .and_then(Node::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("Statement[{i}]"));
        let header = entry_header(s, "Sid")
            .or_else(|| entry_header(s, "Effect"))
            .unwrap_or_else(|| s.header_span());
        push(Target::Iam, ty, format!("{prefix}.{name}"), s, header);
    }
}

/// Statements of policy documents embedded in another format (a
/// CloudFormation `PolicyDocument`, `AssumeRolePolicyDocument`, …), of type
/// `ty` ([`statement_type`] of the owner).
pub fn statements_within<'a>(node: &'a Node, owner: &str, ty: &str, push: &mut Push<'_, 'a>) {
    match &node.value {
        Value::Map(entries) => {
            for e in entries {
                if e.key.ends_with("PolicyDocument") && e.value.get("Statement").is_some() {
                    statements(&e.value, &format!("{owner}.{}", e.key), ty, push);
                } else {
                    statements_within(&e.value, owner, ty, push);
                }
            }
        }
        Value::List(items) => items
            .iter()
            .for_each(|i| statements_within(i, owner, ty, push)),
        _ => {}
    }
}
