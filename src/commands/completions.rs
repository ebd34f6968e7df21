//! `soclint completions SHELL` and `soclint man [SUBCOMMAND]`: generated
//! from the clap definitions in [`crate::cli`], so they never lag a flag.
use clap::CommandFactory;

use super::output::print;
use super::{fatal, Fatal, EXIT_OK};
use crate::cli::Cli;

/// The completion script for `shell` on standard output.
pub fn completions(shell: clap_complete::Shell) -> Result<u8, Fatal> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "soclint", &mut script);
    print(&String::from_utf8_lossy(&script));
    Ok(EXIT_OK)
}

/// The man page of soclint (`soclint.1`), or of one of its subcommands
/// (`soclint-check.1`), as roff on standard output.
pub fn man(subcommand: Option<&str>) -> Result<u8, Fatal> {
    let cmd = Cli::command();
    let page = match subcommand {
        None => cmd,
        Some(name) => {
            let names: Vec<String> = cmd
                .get_subcommands()
                .map(|c| c.get_name().to_string())
                .collect();
            let Some(sub) = cmd.find_subcommand(name).cloned() else {
                return Err(fatal(format!(
                    "no subcommand `{name}` (one of {}){}",
                    names.join(", "),
                    crate::suggest::did_you_mean(name, names.iter().map(String::as_str))
                )));
            };
            // named like the page a package installs: soclint-check(1)
            let sub_name = sub.get_name().to_string();
            sub.version(crate::version::SHORT)
                .display_name(format!("soclint-{sub_name}"))
                .bin_name(format!("soclint {sub_name}"))
        }
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut roff)
        .map_err(|e| fatal(format!("cannot render the man page: {e}")))?;
    print(&String::from_utf8_lossy(&roff));
    Ok(EXIT_OK)
}
