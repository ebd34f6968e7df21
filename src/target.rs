//! What kind of file a rule looks at: the vocabulary discovery, extraction
//! and the rules share, kept in a leaf module so none of them imports another
//! for it.
use std::fmt;

/// What kind of file a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    Terraform,
    Cloudformation,
    /// Azure Resource Manager JSON templates.
    Arm,
    Kubernetes,
    GithubActions,
    GitlabCi,
    DockerCompose,
    Dockerfile,
    Iam,
    PolicyDocument,
    Repository,
}

impl Target {
    pub const ALL: [Target; 11] = [
        Target::Terraform,
        Target::Cloudformation,
        Target::Arm,
        Target::Kubernetes,
        Target::GithubActions,
        Target::GitlabCi,
        Target::DockerCompose,
        Target::Dockerfile,
        Target::Iam,
        Target::PolicyDocument,
        Target::Repository,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Target::Terraform => "terraform",
            Target::Cloudformation => "cloudformation",
            Target::Arm => "arm",
            Target::Kubernetes => "kubernetes",
            Target::GithubActions => "github-actions",
            Target::GitlabCi => "gitlab-ci",
            Target::DockerCompose => "docker-compose",
            Target::Dockerfile => "dockerfile",
            Target::Iam => "iam",
            Target::PolicyDocument => "policy-document",
            Target::Repository => "repository",
        }
    }
    pub fn parse(s: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == s)
    }
    /// The resource types this target's extractor makes (src/extract) when
    /// they are a closed set, so a rule naming another is an error; `None`
    /// for the open ones (Terraform, CloudFormation and ARM resource types,
    /// Kubernetes kinds, which any provider or CRD extends).
    pub fn resource_types(self) -> Option<&'static [&'static str]> {
        match self {
            Target::GithubActions => Some(&["workflow", "job", "step", "action"]),
            Target::GitlabCi => Some(&["pipeline", "job", "template", "image", "include"]),
            Target::DockerCompose => Some(&["compose", "service"]),
            Target::Dockerfile => Some(&["dockerfile", "stage", "instruction"]),
            Target::Iam => Some(&["policy_document", "policy_statement"]),
            Target::PolicyDocument => Some(&["policy"]),
            Target::Repository => Some(&["repository", "file"]),
            Target::Terraform | Target::Cloudformation | Target::Arm | Target::Kubernetes => None,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
