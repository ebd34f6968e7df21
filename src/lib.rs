//! soclint: SOC 2 controls for infrastructure-as-code and policy documents.
//!
//! Data flows one way: discover → parse → extract → evaluate → filter → report.
#![deny(clippy::unwrap_used)]
pub mod discover;
pub mod document;
pub mod extract;
pub mod finding;
pub mod rules;
pub mod scan;
