//! `soclint::document::dockerfile::parse` on arbitrary UTF-8 text: never panics,
//! never hangs, returns a bounded tree whose spans lie inside the text, or a
//! `ParseError` pointing inside the text.
#![no_main]
use libfuzzer_sys::fuzz_target;
use soclint::document::{dockerfile, Limits};

#[path = "../common/check.rs"]
mod check;

fuzz_target!(|data: &[u8]| {
    // The scanner only hands valid UTF-8 to the parsers (invalid UTF-8 is
    // reported before parsing), so other inputs are out of scope here.
    if let Ok(text) = std::str::from_utf8(data) {
        let limits = Limits::default();
        let r = dockerfile::parse(text, &limits);
        check::check_result(text, r.as_ref().map(std::iter::once), &limits);
    }
});
