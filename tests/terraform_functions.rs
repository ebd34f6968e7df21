//! soclint's Terraform evaluator against `terraform console`: every
//! expression of `tests/data/terraform_functions/expressions.hcl`, with the
//! answers Terraform gave recorded in `answers.json` (regenerate with
//! `bash tests/data/terraform_functions/regenerate.sh`; CI does not need
//! terraform). A value must equal Terraform's after both are encoded as
//! JSON (lists, sets and tuples alike; numbers compared as numbers); an
//! error must be an error; Terraform's "(known after apply)" must be unknown.
use std::path::Path;

use serde_json::Value as J;
use soclint::terraform::eval::evaluate_standalone;
use soclint::terraform::functions::{to_json, Files};
use soclint::terraform::value::Fail;

/// Expressions where soclint knowingly answers otherwise, and why. The test
/// fails if one of them starts to agree (then it leaves this list).
const DIVERGENCES: &[(&str, &str)] = &[
    (
        r#"tolist(["a"]) == ["a"]"#,
        "values carry no type: a list and a tuple of the same elements are equal",
    ),
    (
        r#"base64gzip("hello")"#,
        "the compressed bytes are Go's compressor's own: unknown",
    ),
    (
        r#"textencodebase64("x", "nope")"#,
        "encodings soclint does not know are unknown, not an error (Terraform knows more of them)",
    ),
    (
        r#"provider::terraform::encode_tfvars({a = 1, b = "x", c = [true]})"#,
        "provider functions stay unknown (the console has no required_providers to declare them)",
    ),
    (
        r#"provider::terraform::decode_tfvars("a = 1\nb = \"x\"\n")"#,
        "provider functions stay unknown",
    ),
    (
        r#"provider::terraform::encode_expr({a = [1, "x"]})"#,
        "provider functions stay unknown",
    ),
    (
        r#"provider::terraform::encode_expr("x")"#,
        "provider functions stay unknown",
    ),
    (
        r#"sensitive("x")"#,
        "nothing is sensitive to a static reader: the value itself",
    ),
];

fn same(a: &J, b: &J) -> bool {
    match (a, b) {
        (J::Number(x), J::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs())
        }
        (J::Array(x), J::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (J::Object(x), J::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Compares each recorded answer of `dir/answers.json` with `eval`'s; the
/// differences, and the listed divergences that now agree.
fn compare(
    dir: &Path,
    eval: &dyn Fn(&str) -> Result<soclint::document::Node, Fail>,
) -> (usize, Vec<String>, Vec<String>) {
    let answers: Vec<J> = serde_json::from_str(
        &std::fs::read_to_string(dir.join("answers.json")).expect("answers.json"),
    )
    .expect("json");
    let mut wrong = Vec::new();
    let mut diverged = Vec::new();
    for a in &answers {
        let expr = a["expr"].as_str().expect("expr");
        let got = eval(expr);
        let got_text = match &got {
            Ok(v) => serde_json::to_string(&to_json(v)).unwrap_or_default(),
            Err(Fail::Unknown) => "unknown".into(),
            Err(Fail::Error(e)) => format!("error ({e})"),
            Err(Fail::Limit(l)) => format!("limit ({l})"),
        };
        let ok = match (a.get("json"), a.get("error"), a.get("console"), &got) {
            (Some(want), _, _, Ok(v)) => same(want, &to_json(v)),
            (_, Some(_), _, Err(Fail::Error(_))) => true,
            (_, _, Some(c), Err(Fail::Unknown)) => c == "(known after apply)",
            _ => false,
        };
        let listed = DIVERGENCES.iter().any(|(e, _)| *e == expr);
        match (ok, listed) {
            (false, false) => wrong.push(format!(
                "{expr}\n    terraform: {}\n    soclint:   {got_text}",
                a.get("json")
                    .map(|j| j.to_string())
                    .or_else(|| a.get("error").map(|e| format!("error ({e})")))
                    .or_else(|| a.get("console").map(|c| c.to_string()))
                    .unwrap_or_default()
            )),
            (true, true) => diverged.push(expr.to_string()),
            _ => {}
        }
    }
    (answers.len(), wrong, diverged)
}

#[test]
fn terraform_console_answers() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/terraform_functions");
    let files = Files::new(&dir.canonicalize().expect("canonical"), "", 1 << 20);
    let (count, wrong, diverged) = compare(&dir, &|e| evaluate_standalone(e, Some(&files)));
    assert!(count >= 400, "the table lost expressions: {count}");
    assert!(
        diverged.is_empty(),
        "listed as divergences but now agree with Terraform: {diverged:?}"
    );
    assert!(
        wrong.is_empty(),
        "{} of {count} expressions differ from terraform console:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// Variables converted to their `type` (optional() defaults, nullable,
/// tuples, sets, maps of objects) and locals over them, in a module
/// directory with a terraform.tfvars, as the console reads them there.
#[test]
fn terraform_console_answers_for_variables() {
    use soclint::terraform::{module, FileSrc, ModuleDir};
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/terraform_functions/variables");
    let limits = soclint::document::Limits::default();
    let text = std::fs::read_to_string(dir.join("variables.tf")).expect("variables.tf");
    let doc = soclint::document::hcl::parse(&text, &limits).expect("parses");
    let tfvars = std::fs::read_to_string(dir.join("terraform.tfvars")).expect("tfvars");
    let tfvars_doc = soclint::document::hcl::parse(&tfvars, &limits).expect("parses");
    let root = ModuleDir {
        dir: String::new(),
        files: vec![FileSrc {
            idx: 0,
            doc: &doc,
            text: &text,
            json: false,
        }],
    };
    let (count, wrong, _) = compare(&dir, &|e| {
        let inputs = module::tfvars(&tfvars_doc, &tfvars, false)
            .into_iter()
            .map(|(name, value, _)| (name, value))
            .collect();
        module::console(&root, inputs, None, e)
    });
    assert!(count >= 20, "the table lost expressions: {count}");
    assert!(
        wrong.is_empty(),
        "{} of {count} expressions differ from terraform console:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
