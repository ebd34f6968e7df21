//! What `soclint --version` says: the version, and the commit and target it
//! was built from (recorded by `build.rs`; "unknown" when built outside git
//! with no `.cargo_vcs_info.json`, e.g. from a source archive).

/// The package version, as in Cargo.toml.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `-V`: `0.2.0 (3fdab6a1e2 2026-12-05)`, or just the version when the commit
/// is unknown.
pub const SHORT: &str = concat!(env!("CARGO_PKG_VERSION"), env!("SOCLINT_VERSION_SUFFIX"));

/// `--version`: the short form, then one `key: value` line each, as
/// `rustc -vV` prints them.
pub const LONG: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    env!("SOCLINT_VERSION_SUFFIX"),
    "\ncommit-hash: ",
    env!("SOCLINT_COMMIT_HASH"),
    "\ncommit-date: ",
    env!("SOCLINT_COMMIT_DATE"),
    "\ntarget: ",
    env!("SOCLINT_TARGET"),
);
