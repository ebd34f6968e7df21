//! IP network functions: `cidrhost`, `cidrnetmask`, `cidrsubnet`,
//! `cidrsubnets`, with Go's `net` and `go-cidr` semantics (a prefix written
//! with host bits set is taken as its network).
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

use super::{all_known, arity, integer, string};
use crate::document::{Node, Span};
use crate::terraform::value::{error, Fail, Outcome};

pub(super) fn call(name: &str, args: &[Node], span: Span) -> Option<Outcome> {
    if !matches!(
        name,
        "cidrhost" | "cidrnetmask" | "cidrsubnet" | "cidrsubnets"
    ) {
        return None;
    }
    let s = |v: String| Ok(Node::string(v, span));
    Some((|| {
        all_known(args)?;
        let prefix = parse(&string(super::arg(args, 0)?)?)?;
        match name {
            "cidrhost" => {
                arity(args, 2..=2)?;
                let host = integer(&args[1])?;
                let size = 1u128 << (prefix.bits - prefix.len).min(127);
                let full = prefix.bits - prefix.len >= 128;
                let offset = if host < 0 {
                    size.checked_sub(host.unsigned_abs() as u128)
                } else if full || (host as u128) < size {
                    Some(host as u128)
                } else {
                    None
                };
                match offset {
                    Some(o) => s(prefix.address(prefix.base.wrapping_add(o))),
                    None => error(format!(
                        "prefix of {} does not accommodate a host numbered {host}",
                        prefix.len
                    )),
                }
            }
            "cidrnetmask" => {
                arity(args, 1..=1)?;
                match prefix.net {
                    IpNet::V4(n) => s(n.netmask().to_string()),
                    IpNet::V6(_) => error("IPv6 addresses cannot have a netmask"),
                }
            }
            "cidrsubnet" => {
                arity(args, 3..=3)?;
                let (newbits, netnum) = (integer(&args[1])?, integer(&args[2])?);
                let len = extended(&prefix, newbits)?;
                if netnum < 0 || (newbits < 64 && netnum >= 1i64 << newbits) {
                    return error(format!(
                        "prefix extension of {newbits} does not accommodate a subnet numbered {netnum}"
                    ));
                }
                let base = prefix.base | ((netnum as u128) << (prefix.bits - len));
                s(format!("{}/{len}", prefix.address(base)))
            }
            _ => {
                let mut out = Vec::new();
                let lens = args[1..]
                    .iter()
                    .map(|a| extended(&prefix, integer(a)?))
                    .collect::<Result<Vec<u8>, Fail>>()?;
                let Some(&first) = lens.first() else {
                    return Ok(Node::list(Vec::new(), span));
                };
                // go-cidr: start just before the prefix, then take the next
                // subnet of each length in turn
                let mut current = mask(prefix.base.wrapping_sub(1), first, prefix.bits);
                let mut current_len = first;
                for len in lens {
                    let last = current | host_mask(current_len, prefix.bits);
                    let last = mask(last, len, prefix.bits) | host_mask(len, prefix.bits);
                    let next = mask(last.wrapping_add(1), len, prefix.bits) & all(prefix.bits);
                    if !prefix.contains(next) || next == 0 && prefix.base != 0 {
                        return error(format!(
                            "not enough remaining address space for a subnet with a prefix of {len} bits"
                        ));
                    }
                    current = next;
                    current_len = len;
                    out.push(Node::string(
                        format!("{}/{len}", prefix.address(next)),
                        span,
                    ));
                }
                Ok(Node::list(out, span))
            }
        }
    })())
}

/// A parsed prefix: the network address as a number, its length and the
/// address size (32 or 128 bits).
struct Prefix {
    net: IpNet,
    base: u128,
    len: u8,
    bits: u8,
}

impl Prefix {
    fn address(&self, n: u128) -> String {
        match self.net {
            IpNet::V4(_) => IpAddr::V4(Ipv4Addr::from(n as u32)).to_string(),
            IpNet::V6(_) => IpAddr::V6(Ipv6Addr::from(n)).to_string(),
        }
    }
    fn contains(&self, n: u128) -> bool {
        mask(n, self.len, self.bits) == self.base
    }
}

fn parse(s: &str) -> Result<Prefix, Fail> {
    let net: IpNet = s.parse().map_err(|_| {
        Fail::Error(format!(
            "invalid CIDR expression: invalid CIDR address: {s}"
        ))
    })?;
    let net = net.trunc();
    let (base, bits) = match net.network() {
        IpAddr::V4(a) => (u128::from(u32::from(a)), 32),
        IpAddr::V6(a) => (u128::from(a), 128),
    };
    Ok(Prefix {
        net,
        base,
        len: net.prefix_len(),
        bits,
    })
}

/// The prefix length after adding `newbits`.
fn extended(prefix: &Prefix, newbits: i64) -> Result<u8, Fail> {
    let len = i64::from(prefix.len) + newbits;
    if newbits < 0 || len > i64::from(prefix.bits) {
        let family = if prefix.bits == 32 { "IPv4" } else { "IPv6" };
        return error(format!(
            "would extend prefix to {len} bits, which is too long for an {family} address"
        ));
    }
    Ok(len as u8)
}

fn all(bits: u8) -> u128 {
    if bits >= 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    }
}

/// The host part's bits of a `len`-bit prefix.
fn host_mask(len: u8, bits: u8) -> u128 {
    all(bits - len)
}

fn mask(n: u128, len: u8, bits: u8) -> u128 {
    n & all(bits) & !host_mask(len, bits)
}
