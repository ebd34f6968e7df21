//! soclint: SOC 2 controls for infrastructure-as-code and policy documents.
//!
//! Data flows one way: discover → parse → extract → evaluate → filter → report,
//! with `project` (config, rules, the shared scan steps) and `commands` on
//! top. `tests/layers.rs` lists the module layers and fails on an import that
//! points up them.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
pub mod cli;
pub mod commands;
pub mod config;
pub mod controls;
pub mod discover;
pub mod docs;
pub mod document;
pub mod escape;
pub mod evaluate;
pub mod evidence;
pub mod extract;
pub mod filter;
pub mod finding;
pub mod fix;
pub mod fixture;
pub mod frameworks;
pub mod git;
pub mod inspect;
pub mod lsp;
pub mod output_file;
pub mod parallel;
pub mod parse;
pub mod project;
pub mod render;
pub mod repo_path;
pub mod report;
pub mod rules;
pub mod scan;
pub mod suggest;
pub mod target;
pub mod terraform;
pub mod toml_check;
pub mod unit_scan;
pub mod unknowns;
pub mod unscanned;
pub mod version;
pub mod wording;
