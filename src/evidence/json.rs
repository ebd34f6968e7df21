//! The evidence report as JSON: the model itself, pretty-printed.
use super::model::Evidence;

pub fn render(ev: &Evidence) -> String {
    let mut s =
        serde_json::to_string_pretty(ev).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
