//! Embeds every `policies/**/*.toml` into the binary, so the built-in pack works
//! with no files on disk, with the list of its rule ids and each file already
//! parsed (see `digest`); and records the commit soclint is built from for
//! `soclint --version`.
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

fn main() {
    let root =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    embed_policies(&root);
    record_commit(&root);
    let target = std::env::var("TARGET").expect("cargo sets TARGET");
    println!("cargo:rustc-env=SOCLINT_TARGET={target}");
}

fn embed_policies(root: &Path) {
    let policies = root.join("policies");
    println!("cargo:rerun-if-changed=policies");
    let mut files = Vec::new();
    collect(&policies, &mut files);
    files.sort();
    let mut code = String::from("pub static FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f
            .strip_prefix(root)
            .expect("under the manifest dir")
            .to_string_lossy()
            .replace('\\', "/");
        code.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            f.display().to_string()
        ));
    }
    code.push_str("];\n");
    // the rule ids, read from the files' `id = "…"` lines here rather than on
    // every run (a scan of part of the pack checks selectors against them);
    // a unit test checks they are the ids the compiled pack has
    code.push_str("pub static IDS: &[&str] = &[\n");
    for f in &files {
        let text = fs::read_to_string(f).expect("read a policy file");
        for id in text
            .lines()
            .filter_map(|l| l.strip_prefix("id = \"")?.strip_suffix('"'))
        {
            code.push_str(&format!("    {id:?},\n"));
        }
    }
    code.push_str("];\n");
    let texts: Vec<String> = files
        .iter()
        .map(|f| fs::read_to_string(f).expect("read a policy file"))
        .collect();
    code.push_str(&digest(&files, &texts));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("builtin_rules.rs");
    fs::write(out, code).expect("write builtin_rules.rs");
}

/// Each built-in file parsed as TOML here, once, rather than on every run:
/// its values with their byte spans, as tables of `Copy` data without
/// pointers (indices into one string and three arrays), so loading it costs
/// no relocations and no parsing. `rules::digest` reads it back through
/// serde, into the same rule specs the TOML gives (a unit test checks that
/// the pack compiles to the same rules either way). A file that is not
/// valid TOML fails the build.
fn digest(files: &[PathBuf], texts: &[String]) -> String {
    let mut d = Digest::default();
    let roots: Vec<u32> = files
        .iter()
        .zip(texts)
        .map(|(f, text)| {
            let table = toml::de::DeTable::parse(text)
                .unwrap_or_else(|e| panic!("{}: not valid TOML: {e}", f.display()));
            let span = table.span();
            let value = toml::Spanned::new(span, toml::de::DeValue::Table(table.into_inner()));
            d.value(&value)
        })
        .collect();
    let mut code = String::from("use crate::rules::digest::{Node as N, Spanned as S};\n");
    code.push_str(&format!(
        "pub static ROOTS: [u32; {}] = {roots:?};\n",
        roots.len()
    ));
    code.push_str(&format!("pub static STRINGS: &str = {:?};\n", d.strings));
    code.push_str(&format!("pub static NODES: [S; {}] = [\n", d.nodes.len()));
    for n in &d.nodes {
        code.push_str(n);
        code.push_str(",\n");
    }
    code.push_str("];\n");
    code.push_str(&format!(
        "pub static ENTRIES: [(u32, u32, u32); {}] = {:?};\n",
        d.entries.len(),
        d.entries
    ));
    code
}

#[derive(Default)]
struct Digest {
    strings: String,
    seen: HashMap<String, (u32, u32)>,
    /// Each value as Rust: `S(N::Str(at, len), start, end)`.
    nodes: Vec<String>,
    /// A table's entries: (key at, key len, value node).
    entries: Vec<(u32, u32, u32)>,
}

impl Digest {
    fn string(&mut self, s: &str) -> (u32, u32) {
        if let Some(&at) = self.seen.get(s) {
            return at;
        }
        let at = (self.strings.len() as u32, s.len() as u32);
        self.strings.push_str(s);
        self.seen.insert(s.to_string(), at);
        at
    }

    /// Writes `v` (and, after it, what it holds) and returns its node.
    fn value(&mut self, v: &toml::Spanned<toml::de::DeValue<'_>>) -> u32 {
        let slot = self.nodes.len();
        self.nodes.push(String::new());
        self.fill(slot, v);
        slot as u32
    }

    /// Writes `v` into `slot`; an array's items take consecutive nodes, a
    /// table's entries consecutive entries.
    fn fill(&mut self, slot: usize, v: &toml::Spanned<toml::de::DeValue<'_>>) {
        use toml::de::DeValue;
        let node = match v.get_ref() {
            DeValue::String(s) => {
                let (at, len) = self.string(s);
                format!("N::Str({at}, {len})")
            }
            DeValue::Integer(i) => {
                let n = i64::from_str_radix(i.as_str(), i.radix()).expect("a 64-bit integer");
                format!("N::Int({n})")
            }
            DeValue::Float(f) => {
                let x: f64 = f.as_str().parse().expect("a float");
                assert!(x.is_finite(), "the pack has no infinite float");
                format!("N::Float({x:?})")
            }
            DeValue::Boolean(b) => format!("N::Bool({b})"),
            DeValue::Datetime(_) => panic!("the pack has no TOML datetime"),
            DeValue::Array(items) => {
                let first = self.nodes.len();
                self.nodes
                    .extend(std::iter::repeat_n(String::new(), items.len()));
                for (i, item) in items.iter().enumerate() {
                    self.fill(first + i, item);
                }
                format!("N::Array({first}, {})", items.len())
            }
            DeValue::Table(table) => {
                let first = self.entries.len();
                self.entries
                    .extend(std::iter::repeat_n((0, 0, 0), table.len()));
                for (i, (key, value)) in table.iter().enumerate() {
                    let (at, len) = self.string(key.get_ref());
                    let node = self.value(value);
                    self.entries[first + i] = (at, len, node);
                }
                format!("N::Table({first}, {})", table.len())
            }
        };
        let span = v.span();
        self.nodes[slot] = format!("S({node}, {}, {})", span.start, span.end);
    }
}

/// The commit, from the first source that knows it: `SOCLINT_BUILD_COMMIT`
/// when set and not empty (for builds without `.git`, such as the container
/// image), the
/// `.cargo_vcs_info.json` that `cargo package` writes into a published crate,
/// then `git` when the manifest directory is the top of its own checkout (a
/// crate unpacked inside someone else's repository must not report their
/// commit). Otherwise the version says the commit is unknown.
fn record_commit(root: &Path) {
    println!("cargo:rerun-if-env-changed=SOCLINT_BUILD_COMMIT");
    let given = std::env::var("SOCLINT_BUILD_COMMIT").unwrap_or_default();
    let (hash, date) = if !given.is_empty() {
        assert!(
            is_commit_hash(&given),
            "SOCLINT_BUILD_COMMIT must be a 40-digit hexadecimal commit id, not {given:?}"
        );
        (Some(given), None)
    } else if let Ok(info) = fs::read_to_string(root.join(".cargo_vcs_info.json")) {
        (vcs_info_sha1(&info), None)
    } else {
        from_git(root).map_or((None, None), |(h, d)| (Some(h), Some(d)))
    };
    let short = hash.as_deref().map(|h| &h[..10]);
    let suffix = match (short, &date) {
        (Some(h), Some(d)) => format!(" ({h} {d})"),
        (Some(h), None) => format!(" ({h})"),
        _ => String::new(),
    };
    println!("cargo:rustc-env=SOCLINT_VERSION_SUFFIX={suffix}");
    println!(
        "cargo:rustc-env=SOCLINT_COMMIT_HASH={}",
        hash.as_deref().unwrap_or("unknown")
    );
    println!(
        "cargo:rustc-env=SOCLINT_COMMIT_DATE={}",
        date.as_deref().unwrap_or("unknown")
    );
}

fn is_commit_hash(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `{"git": {"sha1": "…"}, "path_in_vcs": ""}`, as cargo writes it.
fn vcs_info_sha1(info: &str) -> Option<String> {
    let start = info.find("\"sha1\"")? + "\"sha1\"".len();
    let rest = info[start..].trim_start().strip_prefix(':')?.trim_start();
    let hash = rest.strip_prefix('"')?.get(..40)?;
    is_commit_hash(hash).then(|| hash.to_ascii_lowercase())
}

fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn from_git(root: &Path) -> Option<(String, String)> {
    let top = git(root, &["rev-parse", "--show-toplevel"])?;
    if fs::canonicalize(&top).ok()? != fs::canonicalize(root).ok()? {
        return None;
    }
    // rebuild when HEAD moves: HEAD itself, the branch it names, packed refs
    let git_dir = PathBuf::from(git(root, &["rev-parse", "--absolute-git-dir"])?);
    let common = git(root, &["rev-parse", "--git-common-dir"]).map(|c| root.join(c));
    let mut watch = vec![git_dir.join("HEAD")];
    if let Some(common) = common {
        watch.push(common.join("packed-refs"));
        if let Some(branch) = git(root, &["symbolic-ref", "-q", "HEAD"]) {
            watch.push(common.join(branch));
        }
    }
    for path in watch.iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    let line = git(root, &["log", "-1", "--date=short", "--format=%H %cd"])?;
    let (hash, date) = line.split_once(' ')?;
    is_commit_hash(hash).then(|| (hash.to_string(), date.to_string()))
}
