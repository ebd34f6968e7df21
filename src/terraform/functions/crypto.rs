//! Hash functions and name-based UUIDs (`uuid` and `bcrypt` are random,
//! so unknown).
use base64::Engine as _;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use super::{all_known, arity, string};
use crate::document::{Node, Span};
use crate::terraform::value::{error, Outcome};

pub(super) fn call(name: &str, args: &[Node], span: Span) -> Option<Outcome> {
    if !matches!(
        name,
        "md5" | "sha1" | "sha256" | "sha512" | "base64sha256" | "base64sha512" | "uuidv5"
    ) {
        return None;
    }
    Some((|| {
        all_known(args)?;
        if name == "uuidv5" {
            arity(args, 2..=2)?;
            let (ns, n) = (string(&args[0])?, string(&args[1])?);
            let namespace = match ns.as_str() {
                "dns" => uuid::Uuid::NAMESPACE_DNS,
                "url" => uuid::Uuid::NAMESPACE_URL,
                "oid" => uuid::Uuid::NAMESPACE_OID,
                "x500" => uuid::Uuid::NAMESPACE_X500,
                other => uuid::Uuid::parse_str(other)
                    .or_else(|_| error(format!("uuidv5() doesn't support namespace {other}")))?,
            };
            return Ok(Node::string(
                uuid::Uuid::new_v5(&namespace, n.as_bytes()).to_string(),
                span,
            ));
        }
        arity(args, 1..=1)?;
        Ok(Node::string(
            digest(name, string(&args[0])?.as_bytes()),
            span,
        ))
    })())
}

/// `md5`, `sha1`, `sha256`, `sha512` (hex) and `base64sha256`,
/// `base64sha512` of some bytes (the `file*` variants read a file first).
pub(super) fn digest(name: &str, bytes: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let hex = |d: &[u8]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
    match name {
        "md5" => hex(&Md5::digest(bytes)),
        "sha1" => hex(&Sha1::digest(bytes)),
        "sha256" => hex(&Sha256::digest(bytes)),
        "sha512" => hex(&Sha512::digest(bytes)),
        "base64sha256" => b64.encode(Sha256::digest(bytes)),
        _ => b64.encode(Sha512::digest(bytes)),
    }
}
