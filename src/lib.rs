//! soclint: SOC 2 controls for infrastructure-as-code and policy documents.
//!
//! Data flows one way: discover → parse → extract → evaluate → filter → report.
pub mod document;
