//! Helm charts rendered in-process: Go's `text/template` (lexer, parser,
//! executor), the Sprig and Helm functions, the chart model (values,
//! dependencies, `.Release`/`.Chart`/`.Capabilities`/`.Files`), and the
//! provenance of every rendered byte (template line or values line).
pub mod exec;
pub mod funcs;
pub mod lex;
pub mod parse;
pub mod source;
pub mod value;
pub mod yaml;

use std::collections::BTreeMap;

use source::{Origin, Str};
use value::{MapEntry, Val};

/// Renders one template text with `helpers` (defines) and a values YAML, as
/// Helm renders a template file (the oracle tests compare this with Go's
/// text/template and Sprig). The dot has `Values` and a fixed `Release`.
pub fn render_text(template: &str, helpers: &str, values: &str) -> Result<String, String> {
    let mut eng = exec::Engine::new(10_000_000, 16 << 20);
    eng.add("_helpers.tpl", Str::new(helpers, Origin::exact(1, 0)))
        .map_err(|(at, m)| format!("helpers:{at}: {m}"))?;
    let main = eng
        .add("main", Str::new(template, Origin::exact(0, 0)))
        .map_err(|(at, m)| format!("template:{at}: {m}"))?;
    let vals = match yaml::parse_first(&Str::new(values, Origin::exact(2, 0)))? {
        Some(v @ Val::Map(_)) => v,
        _ => Val::empty_map(),
    };
    let entry = |v: Val| MapEntry {
        key_origin: Origin::NONE,
        val: v,
    };
    let release: BTreeMap<String, MapEntry> = [
        ("Name", Val::str("rel", Origin::NONE)),
        ("Namespace", Val::str("ns", Origin::NONE)),
        ("Service", Val::str("Helm", Origin::NONE)),
        ("IsInstall", Val::bool(true)),
        ("IsUpgrade", Val::bool(false)),
        ("Revision", Val::int(1)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), entry(v)))
    .collect();
    let dot: BTreeMap<String, MapEntry> = [
        ("Values".to_string(), entry(vals)),
        ("Release".to_string(), entry(Val::map(release))),
    ]
    .into_iter()
    .collect();
    let out = eng.execute(&main, Val::map(dot)).map_err(|e| e.message)?;
    Ok(exec::strip_no_value(&out).as_str().to_string())
}
