//! The words the report uses for a criterion's or a control's state, and the
//! simpler result of one run that the history compares run to run (so the
//! model, the history and the organisation report share them without
//! importing each other).
//!
//! Static checks never show that a criterion is met: they test the settings a
//! repository can show, on the resources it holds. So no status says
//! "passing"; the best one says that the automated checks found no exception,
//! and the report always lists what still needs other evidence.
use serde::{Deserialize, Serialize};

/// A criterion's or a control's state in one report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// At least one automated check failed and no accepted exception covers it.
    ExceptionsFound,
    /// Checks ran and found no exception, and they reach every point of focus
    /// (for a control: every rule it names gave a verdict and it asks for no
    /// manual evidence).
    NoExceptions,
    /// Checks ran and found no exception, but they reach only some of the
    /// points of focus: the others need evidence from outside the repository.
    NoExceptionsPartial,
    /// No automated check gave a verdict: only other evidence can speak to it.
    ManualEvidenceRequired,
    /// Outside the SOC 2 categories (or, for a control, the criteria) in scope.
    NotInScope,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::ExceptionsFound,
        Status::NoExceptions,
        Status::NoExceptionsPartial,
        Status::ManualEvidenceRequired,
        Status::NotInScope,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Status::ExceptionsFound => "exceptions found",
            Status::NoExceptions => "no exceptions in automated checks",
            Status::NoExceptionsPartial => "no exceptions in automated checks (partial coverage)",
            Status::ManualEvidenceRequired => "manual evidence required",
            Status::NotInScope => "not in scope",
        }
    }

    /// The CSS class and the id used in JSON.
    pub fn id(self) -> &'static str {
        match self {
            Status::ExceptionsFound => "exceptions-found",
            Status::NoExceptions => "no-exceptions",
            Status::NoExceptionsPartial => "no-exceptions-partial",
            Status::ManualEvidenceRequired => "manual-evidence-required",
            Status::NotInScope => "not-in-scope",
        }
    }

    /// What the status means, as the report defines it.
    pub fn meaning(self) -> &'static str {
        match self {
            Status::ExceptionsFound => {
                "At least one automated check failed on a resource in scope and no accepted \
                 exception covers it. Each exception is listed with its location; the rule's \
                 population shows what else was examined."
            }
            Status::NoExceptions => {
                "The automated checks gave verdicts, none failed, and they reach every point of \
                 focus of a criterion whose evidence is technical settings in files (for a \
                 control: every rule it names gave a verdict and it lists no manual evidence). Still not a conclusion that it is met: operating \
                 effectiveness over the period needs evidence from outside the repository."
            }
            Status::NoExceptionsPartial => {
                "The automated checks gave verdicts and none failed, but they reach only some of \
                 the points of focus (the report lists which, and which were not tested here for \
                 want of resources of that kind); the others need evidence from outside the \
                 repository. Accepted exceptions are listed in the register."
            }
            Status::ManualEvidenceRequired => {
                "No automated check gave a verdict (no rule applies, the repository holds nothing \
                 it examines, or every value was unknown statically): the evidence must come from \
                 elsewhere: records, tickets, configuration exports, interviews."
            }
            Status::NotInScope => {
                "Outside the SOC 2 categories the audit covers (soclint.toml `categories`); shown \
                 for completeness, not assessed."
            }
        }
    }
}

/// One run's result for a criterion or control, from its counts: what the
/// history timeline and the review period compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunResult {
    /// Some evaluation failed.
    Exceptions,
    /// Evaluations passed and none failed.
    NoExceptions,
    /// Nothing was evaluated.
    NothingTested,
}

impl RunResult {
    pub fn of(passed: usize, failed: usize) -> RunResult {
        if failed > 0 {
            RunResult::Exceptions
        } else if passed > 0 {
            RunResult::NoExceptions
        } else {
            RunResult::NothingTested
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RunResult::Exceptions => "exceptions found",
            RunResult::NoExceptions => "no exceptions",
            RunResult::NothingTested => "nothing tested",
        }
    }
}
