//! `soclint.toml` and the rule files and baseline it names, in a repository
//! the input lays out (files, directories, links, hard links, FIFOs; see
//! `common/config_input.rs`): loading never panics, never loads a rule from
//! outside the repository, never puts a baseline outside it, and no error
//! shows the content of a file outside it.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

#[path = "../common/config_input.rs"]
mod config_input;

fuzz_target!(|data: &[u8]| {
    static BASE: OnceLock<tempfile::TempDir> = OnceLock::new();
    let base = BASE.get_or_init(|| tempfile::tempdir().expect("tempdir"));
    let dir = base.path().join("case");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir(&dir).expect("case dir");
    config_input::check(&dir, data);
});
