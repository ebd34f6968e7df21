//! `soclint::rules::load_file` (TOML rule file → compiled rules) on arbitrary
//! UTF-8 text: never panics, always `Ok(rules)` or a `RuleFileError`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = soclint::rules::load_file("fuzz.toml", text);
    }
});
