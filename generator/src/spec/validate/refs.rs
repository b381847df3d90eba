//! References: local `$ref`s resolve, point at the right kind of component, and do not loop.

use std::collections::HashSet;

use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::spec::known_keys::{self as keys, object_spec};
use crate::spec::pointer;

use super::structure::RefSite;

pub(super) fn check_refs(raw: &Value, refs: &[RefSite]) -> Vec<Diagnostic> {
    let mut diagnostics: Vec<Diagnostic> = refs.iter().filter_map(|site| check_ref_target(raw, site)).collect();
    diagnostics.extend(ref_cycles(raw, refs));
    diagnostics
}

fn check_ref_target(raw: &Value, site: &RefSite) -> Option<Diagnostic> {
    let target = site.target.as_str();
    if !target.starts_with('#') {
        let message = format!(
            "external $ref `{target}` not supported: bring the definition into this document (under #/components)"
        );
        return Some(Diagnostic::error(&site.pointer, message));
    }
    let Some(tokens) = pointer::reference_tokens(target) else {
        return Some(Diagnostic::error(
            &site.pointer,
            format!("`$ref` `{target}` is not a JSON pointer (`#/...`)"),
        ));
    };
    if pointer::resolve(raw, target).is_none() {
        return Some(Diagnostic::error(&site.pointer, dangling_ref_message(raw, target)));
    }
    let section = match tokens.as_slice() {
        [components, section, _name] if components == "components" => keys::component_section(section)?,
        _ => return None,
    };
    if section == site.expected {
        return None;
    }
    let message = format!(
        "`$ref` `{target}` points at a {} where a {} is expected",
        object_spec(section).name,
        object_spec(site.expected).name
    );
    Some(Diagnostic::error(&site.pointer, message))
}

/// "does not exist", with the closest existing sibling when one is near (a misspelt schema name).
fn dangling_ref_message(raw: &Value, target: &str) -> String {
    let mut message = format!("`$ref` target `{target}` does not exist");
    let Some((parent, last)) = target.rsplit_once('/') else {
        return message;
    };
    let siblings = pointer::resolve(raw, parent).and_then(Value::as_object);
    let last = pointer::unescape_token(last);
    if let Some(suggestion) = siblings.and_then(|map| keys::suggest(&last, map.keys().map(String::as_str))) {
        message.push_str(&format!("; did you mean `{}`?", pointer::join(parent, suggestion)));
    }
    message
}

/// Finds loops made of `$ref`s alone (A → B → A), which describe no value at all. A loop through a
/// schema (a property that refers back to its object) is an ordinary recursive type and is fine.
fn ref_cycles(raw: &Value, refs: &[RefSite]) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let mut reported: HashSet<Vec<&str>> = HashSet::new();
    for site in refs {
        let mut chain: Vec<&str> = vec![site.target.as_str()];
        let mut current = site.target.as_str();
        while let Some(next) = pointer::resolve(raw, current).and_then(ref_of) {
            let Some(start) = chain.iter().position(|seen| *seen == next) else {
                chain.push(next);
                current = next;
                continue;
            };
            let cycle: Vec<&str> = chain.get(start..).unwrap_or_default().to_vec();
            let mut members = cycle.clone();
            members.sort_unstable();
            if reported.insert(members) {
                let first = cycle.first().copied().unwrap_or(next);
                let message = format!("`$ref` cycle with no schema in between: {} → {next}", cycle.join(" → "));
                diagnostics.push(Diagnostic::error(pointer::join(first, "$ref"), message));
            }
            break;
        }
    }
    diagnostics
}

/// The local `$ref` of a Reference Object, if `value` is one.
fn ref_of(value: &Value) -> Option<&str> {
    value
        .get("$ref")
        .and_then(Value::as_str)
        .filter(|target| target.starts_with('#'))
}
