//! The whole file-to-findings path: the first byte picks a file name, the rest
//! is the file; `soclint::scan::scan` with every built-in rule, then every
//! report format. See `common/scan_input.rs`.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

#[path = "../common/scan_input.rs"]
mod scan_input;

fuzz_target!(|data: &[u8]| {
    static BASE: OnceLock<tempfile::TempDir> = OnceLock::new();
    static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();
    let base = BASE.get_or_init(|| tempfile::tempdir().expect("tempdir"));
    // one worker thread: the fuzzer runs single-threaded and reproducibly
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("pool")
    });
    if let Some((name, content)) = scan_input::split(data) {
        pool.install(|| {
            let _ = scan_input::scan_one(base.path(), name, content);
        });
    }
});
