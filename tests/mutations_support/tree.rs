//! Addressing nodes of a `serde_json::Value` document: paths, JSON pointers and searches.

use serde_json::Value;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

pub type Path = Vec<Seg>;

/// `#/paths/~1items/get`, the way diagnostics spell pointers.
pub fn pointer(path: &[Seg]) -> String {
    let mut out = "#".to_string();
    for seg in path {
        out.push('/');
        match seg {
            Seg::Key(key) => out.push_str(&key.replace('~', "~0").replace('/', "~1")),
            Seg::Index(index) => out.push_str(&index.to_string()),
        }
    }
    out
}

/// One token of a `$ref`: RFC 6901 escaping, and `%` escaped too because a `$ref` is a URI fragment.
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1").replace('%', "%25")
}

pub fn get<'a>(root: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    path.iter().try_fold(root, |node, seg| match (node, seg) {
        (Value::Object(map), Seg::Key(key)) => map.get(key),
        (Value::Array(items), Seg::Index(index)) => items.get(*index),
        _ => None,
    })
}

pub fn get_mut<'a>(root: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    path.iter().try_fold(root, |node, seg| match (node, seg) {
        (Value::Object(map), Seg::Key(key)) => map.get_mut(key),
        (Value::Array(items), Seg::Index(index)) => items.get_mut(*index),
        _ => None,
    })
}

/// Paths of every node (the root excluded) for which `wanted(path, node)` holds, in document order.
pub fn find(root: &Value, wanted: &dyn Fn(&[Seg], &Value) -> bool) -> Vec<Path> {
    let mut found = Vec::new();
    let mut path = Vec::new();
    walk(root, &mut path, wanted, &mut found);
    found
}

fn walk(node: &Value, path: &mut Path, wanted: &dyn Fn(&[Seg], &Value) -> bool, found: &mut Vec<Path>) {
    if !path.is_empty() && wanted(path, node) {
        found.push(path.clone());
    }
    match node {
        Value::Object(map) => {
            for (key, child) in map {
                path.push(Seg::Key(key.clone()));
                walk(child, path, wanted, found);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                path.push(Seg::Index(index));
                walk(child, path, wanted, found);
                path.pop();
            }
        }
        _ => {}
    }
}

/// The key of the last segment, if it is a key.
pub fn last_key(path: &[Seg]) -> Option<&str> {
    match path.last() {
        Some(Seg::Key(key)) => Some(key),
        _ => None,
    }
}

/// Renames `old` to `new` in the mapping at `path`, keeping the entry's position.
pub fn rename_key(root: &mut Value, path: &[Seg], old: &str, new: &str) -> bool {
    let Some(Value::Object(map)) = get_mut(root, path) else {
        return false;
    };
    if !map.contains_key(old) {
        return false;
    }
    let entries = std::mem::take(map);
    *map = entries
        .into_iter()
        .map(|(key, value)| {
            if key == old {
                (new.to_string(), value)
            } else {
                (key, value)
            }
        })
        .collect();
    true
}

/// Every string in the document equal to `from` (as a whole, or as a prefix followed by `/`) under a
/// `$ref` key is rewritten to start with `to` instead.
pub fn rewrite_refs(node: &mut Value, from: &str, to: &str) {
    match node {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key == "$ref" {
                    if let Value::String(target) = child {
                        if target == from || target.starts_with(&format!("{from}/")) {
                            *target = format!("{to}{}", &target[from.len()..]);
                        }
                    }
                } else {
                    rewrite_refs(child, from, to);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|child| rewrite_refs(child, from, to)),
        _ => {}
    }
}
