//! Extraction: a parsed document → the resources rules look at.
//!
//! Each target has its own small module; all of them produce [`Resource`]s that
//! borrow their body from the document, so nothing is copied.
mod arm;
pub mod arm_values;
pub mod cfn_values;
mod cloudformation;
mod compose;
mod dockerfile;
mod github_actions;
pub mod gitlab_ci;
mod iam;
mod kubernetes;
mod policy_docs;
mod references;
mod repository;
pub mod sam;
pub mod terraform;

pub use references::ReferenceIndex;

use crate::discover::FileKind;
use crate::document::{Node, Span};
use crate::target::Target;

pub use iam::statement_type;
pub use policy_docs::title as policy_title;
pub use repository::{file_facts, policy_facts, repository_facts};

#[derive(Debug, Clone)]
pub struct Resource<'a> {
    pub target: Target,
    /// `aws_s3_bucket`, `AWS::S3::Bucket`, `Deployment`, `container`, `step`…
    pub ty: String,
    /// A name a human recognises: `aws_s3_bucket.logs`, `jobs.build.steps[checkout]`.
    pub address: String,
    /// Index of the file in the scan (`None` for the repository as a whole).
    pub file: Option<usize>,
    pub body: &'a Node,
    /// Where a finding about the resource as a whole points.
    pub header: Span,
    /// Resources see each other (relations, variables) within one scope: a
    /// Terraform module directory, otherwise one file.
    pub scope: usize,
    /// Related places (file, span): for a resource inside a local module, the
    /// `module` blocks that called it, outermost first.
    pub related: Vec<(usize, Span)>,
    /// The namespace it says it lives in (Kubernetes `metadata.namespace`;
    /// a pod spec and its containers have their object's).
    pub namespace: Option<&'a str>,
    /// The labels label selectors match (Kubernetes `metadata.labels`; for a
    /// pod spec and its containers, the pod template's).
    pub labels: Option<&'a Node>,
    /// Where values the resource uses were set, when elsewhere (variables,
    /// locals, module arguments, parameters), sorted by where they land
    /// ([`crate::document::origin`]).
    pub origins: &'a [crate::document::Origin],
}

impl Resource<'_> {
    /// The name findings give the resource: its address, but for a
    /// CloudFormation resource the AWS CDK synthesised (`cdk.out/*.template.json`)
    /// its construct path (`Metadata: aws:cdk:path`, `Api/Sessions/Resource`),
    /// which a CDK user finds in their code; the logical id is a name the CDK
    /// made up (`SessionsA1B2C3D4`) and stays the address relations use.
    pub fn name(&self) -> &str {
        let cdk_path = || {
            self.body
                .get("Metadata")?
                .get("aws:cdk:path")?
                .as_str()
                .filter(|p| !p.trim().is_empty())
        };
        match self.target {
            Target::Cloudformation => cdk_path().unwrap_or(&self.address),
            _ => &self.address,
        }
    }
}

/// Collects the resources of one parsed file.
pub fn extract<'a>(
    kind: FileKind,
    docs: &'a [Node],
    file: usize,
    scope: usize,
    out: &mut Vec<Resource<'a>>,
) {
    if kind == FileKind::Kubernetes {
        // Kubernetes objects also say their namespace and labels (what label
        // selectors and namespaced relations look at)
        for doc in docs {
            kubernetes::extract(doc, &mut |o: kubernetes::Object<'a>| {
                out.push(Resource {
                    namespace: o.namespace,
                    labels: o.labels,
                    ..resource(
                        file,
                        scope,
                        Target::Kubernetes,
                        &o.ty,
                        o.address,
                        o.body,
                        o.header,
                    )
                })
            });
        }
        return;
    }
    pushing(file, scope, out, |push| {
        for doc in docs {
            match kind {
                FileKind::Terraform | FileKind::TerraformJson => terraform::extract(doc, push),
                FileKind::Cloudformation => cloudformation::extract(doc, push),
                FileKind::Arm => arm::extract(doc, push),
                FileKind::GithubWorkflow => github_actions::extract_workflow(doc, push),
                FileKind::GithubAction => github_actions::extract_action(doc, push),
                FileKind::GitlabCi => gitlab_ci::extract(doc, push),
                FileKind::Compose => compose::extract(doc, push),
                FileKind::Dockerfile => dockerfile::extract(doc, push),
                FileKind::Iam => iam::extract(doc, push),
                FileKind::PolicyDocument => policy_docs::extract(doc, push),
                FileKind::Kubernetes
                | FileKind::HelmTemplate
                | FileKind::KustomizeInput
                | FileKind::Terragrunt
                | FileKind::Other => {}
            }
        }
    })
}

/// The `file` resource of each document of a Terraform file (the file as
/// written; its `resource` blocks are evaluated by `terraform` instead).
pub fn terraform_files<'a>(
    docs: &'a [Node],
    file: usize,
    scope: usize,
    out: &mut Vec<Resource<'a>>,
) {
    pushing(file, scope, out, |push| {
        docs.iter().for_each(|doc| terraform::file(doc, push))
    })
}

/// A resource of file `file` in scope `scope`, with no namespace or labels.
fn resource<'a>(
    file: usize,
    scope: usize,
    target: Target,
    ty: &str,
    address: String,
    body: &'a Node,
    header: Span,
) -> Resource<'a> {
    Resource {
        target,
        ty: ty.to_string(),
        address,
        file: Some(file),
        body,
        header,
        scope,
        related: Vec::new(),
        namespace: None,
        labels: None,
        origins: &[],
    }
}

/// Runs `extract` with a [`Push`] that adds to `out` the resources of file
/// `file` in scope `scope`.
fn pushing<'a>(
    file: usize,
    scope: usize,
    out: &mut Vec<Resource<'a>>,
    extract: impl FnOnce(&mut Push<'_, 'a>),
) {
    let mut push = |target: Target, ty: &str, address: String, body: &'a Node, header: Span| {
        out.push(resource(file, scope, target, ty, address, body, header))
    };
    extract(&mut push)
}

/// Whether a resource is a whole file seen as one (Terraform's `file`,
/// CloudFormation's `template`) rather than a resource of the
/// infrastructure: not counted among the scan's resources.
pub fn is_file_view(r: &Resource) -> bool {
    matches!(
        (r.target, r.ty.as_str()),
        (Target::Terraform, "file") | (Target::Cloudformation, "template")
    )
}

/// The callback every extractor pushes through.
pub type Push<'p, 'a> = dyn FnMut(Target, &str, String, &'a Node, Span) + 'p;

/// The key span joined with a scalar value's span (`kind: Deployment`).
pub(crate) fn entry_header(node: &Node, key: &str) -> Option<Span> {
    let e = node.entry(key)?;
    Some(match &e.value.value {
        crate::document::Value::Map(_) | crate::document::Value::List(_) => e.key_span,
        _ => e.key_span.join(e.value.span),
    })
}
