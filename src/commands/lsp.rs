//! `soclint lsp`: the language server ([`crate::lsp`]) on standard input and
//! output.
use super::{fatal, Fatal, EXIT_OK};

pub fn run() -> Result<u8, Fatal> {
    let (conn, io) = lsp_server::Connection::stdio();
    crate::lsp::run(&conn).map_err(fatal)?;
    drop(conn);
    io.join().map_err(|e| fatal(e.to_string()))?;
    Ok(EXIT_OK)
}
