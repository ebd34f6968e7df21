//! Patches as kustomize applies them: strategic merge (maps merge, the lists
//! Kubernetes merges by a key merge item by item, `$patch: delete|replace`,
//! `null` deletes) and JSON 6902 operations. A value a patch sets keeps the
//! patch's span, so a finding on it points at the patch line.
use crate::document::{Entry, Node, Value};

use super::tree::{get_mut, remove};

/// The key a list of this field merges by (Kubernetes' `patchMergeKey`s for
/// the kinds soclint checks); `None`: the patch's list replaces the list.
fn merge_key(field: &str, items: &[Node]) -> Option<&'static str> {
    let has = |k: &str| items.iter().any(|i| i.get(k).is_some());
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "volumes"
        | "env"
        | "imagePullSecrets" => "name",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "ports" if has("containerPort") => "containerPort",
        "ports" => "port",
        "hostAliases" => "ip",
        "topologySpreadConstraints" => "topologyKey",
        _ => return None,
    })
}

fn directive(n: &Node) -> Option<&str> {
    n.get("$patch").and_then(Node::as_str)
}

/// Strategic merge of `patch` into `dst`.
pub fn strategic_merge(dst: &mut Node, patch: &Node) {
    if directive(patch) == Some("replace") {
        let mut p = patch.clone();
        strip(&mut p);
        *dst = p;
        return;
    }
    let (Value::Map(_), Value::Map(entries)) = (&dst.value, &patch.value) else {
        *dst = clean(patch);
        return;
    };
    for e in entries {
        if e.key.starts_with('$') {
            continue;
        }
        if matches!(e.value.value, Value::Null) {
            remove(dst, &e.key);
            continue;
        }
        if directive(&e.value) == Some("delete") {
            remove(dst, &e.key);
            continue;
        }
        let Some(target) = get_mut(dst, &e.key) else {
            if let Value::Map(d) = &mut dst.value {
                d.push(Entry {
                    key: e.key.clone(),
                    key_span: e.key_span,
                    value: clean(&e.value),
                });
            }
            continue;
        };
        match (&mut target.value, &e.value.value) {
            (Value::Map(_), Value::Map(_)) => strategic_merge(target, &e.value),
            (Value::List(items), Value::List(patch_items)) => {
                match merge_key(&e.key, patch_items) {
                    Some(k) if patch_items.iter().all(|i| i.as_map().is_some()) => {
                        merge_list(items, patch_items, k)
                    }
                    _ => *target = clean(&e.value),
                }
            }
            // the same scalar again (a merge key): the base's line stays
            (a, b) if !matches!(b, Value::Map(_) | Value::List(_)) && *a == *b => {}
            _ => *target = clean(&e.value),
        }
    }
}

fn merge_list(items: &mut Vec<Node>, patch: &[Node], key: &str) {
    let key_of = |n: &Node| n.get(key).map(|k| k.to_string());
    for p in patch {
        let k = key_of(p);
        let found = k
            .as_ref()
            .and_then(|k| items.iter().position(|i| key_of(i).as_ref() == Some(k)));
        match (found, directive(p)) {
            (Some(i), Some("delete")) => {
                items.remove(i);
            }
            (None, Some("delete")) => {}
            (Some(i), _) => strategic_merge(&mut items[i], p),
            (None, _) => items.push(clean(p)),
        }
    }
}

/// A patch value with its directives dropped.
fn clean(n: &Node) -> Node {
    let mut n = n.clone();
    strip(&mut n);
    n
}

fn strip(n: &mut Node) {
    match &mut n.value {
        Value::Map(entries) => {
            entries.retain(|e| !e.key.starts_with('$'));
            entries.iter_mut().for_each(|e| strip(&mut e.value));
        }
        Value::List(items) => items.iter_mut().for_each(strip),
        _ => {}
    }
}

/// A JSON pointer's tokens (`~1` is `/`, `~0` is `~`).
fn pointer(path: &str) -> Result<Vec<String>, String> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let rest = path
        .strip_prefix('/')
        .ok_or_else(|| format!("path `{path}` does not start with /"))?;
    Ok(rest
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn child<'a>(n: &'a mut Node, token: &str) -> Option<&'a mut Node> {
    match &mut n.value {
        Value::Map(entries) => entries
            .iter_mut()
            .rev()
            .find(|e| e.key == token)
            .map(|e| &mut e.value),
        Value::List(items) => items.get_mut(token.parse::<usize>().ok()?),
        _ => None,
    }
}

fn walk<'a>(n: &'a mut Node, tokens: &[String]) -> Option<&'a mut Node> {
    tokens.iter().try_fold(n, |cur, t| child(cur, t))
}

/// Applies one JSON 6902 operation (`test` is not checked: a build here
/// never fails a test that kustomize would pass).
pub fn json6902(doc: &mut Node, op: &Node) -> Result<(), String> {
    let name = op
        .get("op")
        .and_then(Node::as_str)
        .ok_or("an operation without `op`")?;
    let path = op
        .get("path")
        .and_then(Node::as_str)
        .ok_or_else(|| format!("`{name}` without `path`"))?;
    let tokens = pointer(path)?;
    match name {
        "test" => Ok(()),
        "remove" => take(doc, &tokens, path).map(|_| ()),
        "add" | "replace" => {
            let value = op
                .get("value")
                .cloned()
                .ok_or_else(|| format!("`{name} {path}` without `value`"))?;
            put(doc, &tokens, value, name == "add", path)
        }
        "move" | "copy" => {
            let from = op
                .get("from")
                .and_then(Node::as_str)
                .ok_or_else(|| format!("`{name} {path}` without `from`"))?;
            let from_tokens = pointer(from)?;
            let value = if name == "move" {
                take(doc, &from_tokens, from)?
            } else {
                walk(doc, &from_tokens)
                    .map(|n| n.clone())
                    .ok_or_else(|| format!("`{from}` not found"))?
            };
            put(doc, &tokens, value, true, path)
        }
        other => Err(format!("unknown operation `{other}`")),
    }
}

fn take(doc: &mut Node, tokens: &[String], path: &str) -> Result<Node, String> {
    let (last, parent) = tokens
        .split_last()
        .ok_or("cannot remove the whole document")?;
    let parent = walk(doc, parent).ok_or_else(|| format!("`{path}` not found"))?;
    match &mut parent.value {
        Value::Map(_) => remove(parent, last).ok_or_else(|| format!("`{path}` not found")),
        Value::List(items) => {
            let i = last.parse::<usize>().ok().filter(|&i| i < items.len());
            i.map(|i| items.remove(i))
                .ok_or_else(|| format!("`{path}` not found"))
        }
        _ => Err(format!("`{path}` not found")),
    }
}

fn put(
    doc: &mut Node,
    tokens: &[String],
    value: Node,
    add: bool,
    path: &str,
) -> Result<(), String> {
    let Some((last, parent)) = tokens.split_last() else {
        *doc = value;
        return Ok(());
    };
    let parent = walk(doc, parent).ok_or_else(|| format!("`{path}`: its parent is not found"))?;
    match &mut parent.value {
        Value::Map(entries) => {
            match entries.iter_mut().rev().find(|e| e.key == *last) {
                Some(e) => e.value = value,
                None if add => entries.push(Entry {
                    key: last.clone(),
                    key_span: value.span,
                    value,
                }),
                None => return Err(format!("`{path}` not found")),
            }
            Ok(())
        }
        Value::List(items) => {
            if add && last == "-" {
                items.push(value);
                return Ok(());
            }
            let i = last
                .parse::<usize>()
                .ok()
                .filter(|&i| i < items.len() + usize::from(add))
                .ok_or_else(|| format!("`{path}`: no such index"))?;
            if add {
                items.insert(i, value);
            } else {
                items[i] = value;
            }
            Ok(())
        }
        _ => Err(format!("`{path}`: its parent is not a map or list")),
    }
}
