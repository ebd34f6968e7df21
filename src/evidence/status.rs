//! A criterion's status in one run: what the report shows and what the
//! history compares run to run (so both the model and the history use it,
//! and neither imports the other for it).
use serde::Serialize;

/// A criterion's status in one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Passing,
    Failing,
    /// No rule evaluated anything for it in this repository.
    NotEvidenced,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Passing => "passing",
            Status::Failing => "failing",
            Status::NotEvidenced => "not evidenced by code",
        }
    }
}
