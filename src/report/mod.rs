//! Reporters: each is a pure function of the (sorted) scan result.
pub mod compact;
pub mod human;
pub mod json;

/// Plain text for one criterion list: `CC6.1 · CC6.7`.
pub fn criteria_list(criteria: &[&str]) -> String {
    criteria.join(" · ")
}
