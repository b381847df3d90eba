//! Operations, paths and parameters: unique operation ids, well-formed path templates that
//! match the path parameters, no parameter declared twice, known security schemes.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::diagnostic::Diagnostic;
use crate::spec::known_keys as keys;
use crate::spec::line_index::LineIndex;
use crate::spec::pointer;

/// A parameter as declared (or referenced) in one list, with its `$ref` already followed.
struct ParamInfo<'a> {
    /// Pointer of the list entry, where the reader declared or referenced it.
    pointer: String,
    name: &'a str,
    location: &'a str,
    required: bool,
}

/// Where an operationId was first used.
struct FirstUse {
    label: String,
    pointer: String,
}

pub(super) fn check_operations(raw: &Value, lines: &LineIndex) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let schemes = raw.pointer("/components/securitySchemes").and_then(Value::as_object);
    diagnostics.extend(check_security(raw.get("security"), "#/security", schemes));
    let Some(paths) = raw.get("paths").and_then(Value::as_object) else {
        return diagnostics;
    };
    let mut operation_ids: HashMap<String, FirstUse> = HashMap::new();
    for (path, item) in paths.iter().filter(|(path, _)| path.starts_with('/')) {
        let item_pointer = pointer::join("#/paths", path);
        // A `$ref`'d path item is checked where it is defined, if that is under `paths`.
        let Some(item) = item.as_object().filter(|item| !item.contains_key("$ref")) else {
            continue;
        };
        if path.contains('?') {
            diagnostics.push(Diagnostic::unless_lenient(
                &item_pointer,
                format!("path `{path}` has a query string, which OpenAPI paths cannot have"),
                "the part from `?` on is dropped, and query parameters are sent as declared",
            ));
        }
        let (path, query) = split_query(path);
        let template = match template_names(path) {
            Ok(names) => Some(names),
            Err(message) => {
                diagnostics.push(Diagnostic::error(&item_pointer, message));
                None
            }
        };
        let shared = parameters_of(raw, item.get("parameters"), &pointer::join(&item_pointer, "parameters"));
        diagnostics.extend(duplicate_parameters(&shared));
        // Document order, so a duplicate operationId is reported where a reader meets it second.
        let operations = item
            .iter()
            .filter(|(key, _)| keys::HTTP_METHODS.contains(&key.as_str()));
        for (method, operation) in operations {
            let Some(operation) = operation.as_object() else {
                continue;
            };
            let operation_pointer = pointer::join(&item_pointer, method);
            let label = format!("{} {path}", method.to_ascii_uppercase());
            let first_use = FirstUse {
                label,
                pointer: operation_pointer.clone(),
            };
            diagnostics.extend(check_operation_id(operation, first_use, &mut operation_ids, lines));
            let own = parameters_of(
                raw,
                operation.get("parameters"),
                &pointer::join(&operation_pointer, "parameters"),
            );
            diagnostics.extend(duplicate_parameters(&own));
            if let Some(template) = &template {
                let declared = Declared {
                    shared: &shared,
                    own: &own,
                };
                diagnostics.extend(check_path_parameters(
                    path,
                    query,
                    template,
                    &operation_pointer,
                    declared,
                ));
            }
            let security_pointer = pointer::join(&operation_pointer, "security");
            diagnostics.extend(check_security(operation.get("security"), &security_pointer, schemes));
        }
    }
    diagnostics
}

/// The generator names client methods after operationIds, so each must exist and be unique.
fn check_operation_id(
    operation: &Map<String, Value>,
    this: FirstUse,
    seen: &mut HashMap<String, FirstUse>,
    lines: &LineIndex,
) -> Option<Diagnostic> {
    let id_pointer = pointer::join(&this.pointer, "operationId");
    let id = match operation.get("operationId") {
        None => {
            let message = format!(
                "operation `{}` has no operationId; its Rust name is made from the method and path, which changes when the path does: add an operationId for a stable name",
                this.label
            );
            return Some(Diagnostic::warning(&this.pointer, message));
        }
        Some(Value::String(id)) if id.trim().is_empty() => {
            return Some(Diagnostic::unless_lenient(
                id_pointer,
                "operationId is empty",
                "the Rust name is made from the method and path",
            ));
        }
        Some(Value::String(id)) => id,
        Some(_) => return None, // The structure walk reports the wrong type.
    };
    let Some(first) = seen.get(id) else {
        seen.insert(id.clone(), this);
        return None;
    };
    let first_line = lines.line_of(&pointer::join(&first.pointer, "operationId"));
    let at_line = first_line.map(|line| format!(", line {line}")).unwrap_or_default();
    let message = format!(
        "duplicate operationId `{id}`: already used by `{}` ({}{at_line})",
        first.label, first.pointer
    );
    Some(Diagnostic::error(id_pointer, message))
}

/// A path key split into the path template and its query string (empty when it has none).
/// OpenAPI does not allow one, but some specs write `/search?q={q}`: the path is read without it,
/// its query parameters are sent as declared, and a path parameter named there is sent in the
/// query (validation says so).
pub(crate) fn split_query(path_key: &str) -> (&str, &str) {
    path_key.split_once('?').unwrap_or((path_key, ""))
}

/// The `{name}`s of a path template, or why the template is malformed.
fn template_names(path: &str) -> Result<Vec<&str>, String> {
    if path.chars().any(char::is_control) {
        return Err(format!("path `{}` contains a control character", path.escape_debug()));
    }
    let mut names: Vec<&str> = Vec::new();
    let mut rest = path;
    while let Some((before, after_open)) = rest.split_once('{') {
        if before.contains('}') {
            return Err(format!(
                "unbalanced braces in path `{path}`: `}}` without a matching `{{`"
            ));
        }
        let Some((name, after_close)) = after_open.split_once('}') else {
            return Err(format!("unbalanced braces in path `{path}`: `{{` is never closed"));
        };
        if name.contains('{') {
            return Err(format!("unbalanced braces in path `{path}`: `{{` inside `{{...}}`"));
        }
        if name.is_empty() {
            return Err(format!("empty parameter name `{{}}` in path `{path}`"));
        }
        if names.contains(&name) {
            return Err(format!("path `{path}` uses `{{{name}}}` twice"));
        }
        names.push(name);
        rest = after_close;
    }
    if rest.contains('}') {
        return Err(format!(
            "unbalanced braces in path `{path}`: `}}` without a matching `{{`"
        ));
    }
    Ok(names)
}

/// Reads a parameter list, following `$ref`s. Entries that do not resolve or lack `name`/`in` are
/// skipped: the reference and structure checks report them.
fn parameters_of<'a>(raw: &'a Value, list: Option<&'a Value>, list_pointer: &str) -> Vec<ParamInfo<'a>> {
    let Some(entries) = list.and_then(Value::as_array) else {
        return Vec::new();
    };
    let mut parameters = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let Some(parameter) = follow_refs(raw, entry) else {
            continue;
        };
        let name = parameter.get("name").and_then(Value::as_str);
        let location = parameter.get("in").and_then(Value::as_str);
        let (Some(name), Some(location)) = (name, location) else {
            continue;
        };
        let required = parameter.get("required") == Some(&Value::Bool(true));
        let pointer = pointer::join(list_pointer, &index.to_string());
        parameters.push(ParamInfo {
            pointer,
            name,
            location,
            required,
        });
    }
    parameters
}

/// Follows a chain of local `$ref`s to the object it ends at; `None` if it dangles or loops.
fn follow_refs<'a>(raw: &'a Value, value: &'a Value) -> Option<&'a Value> {
    let mut current = value;
    // A chain longer than this is a loop (reported by the cycle check); stop rather than spin.
    for _ in 0..64 {
        let Some(target) = current.get("$ref") else {
            return Some(current);
        };
        current = pointer::resolve(raw, target.as_str()?)?;
    }
    None
}

/// (name, in) must be unique in one list; header names compare case-insensitively, as HTTP does.
fn duplicate_parameters(parameters: &[ParamInfo]) -> Vec<Diagnostic> {
    let mut first_by_key: HashMap<(String, &str), &ParamInfo> = HashMap::new();
    let mut diagnostics = Vec::new();
    for parameter in parameters {
        let name = if parameter.location == "header" {
            parameter.name.to_ascii_lowercase()
        } else {
            parameter.name.to_string()
        };
        match first_by_key.get(&(name.clone(), parameter.location)) {
            Some(first) => {
                let message = format!(
                    "duplicate parameter `{}` (in: {}); first declared at {}",
                    parameter.name, parameter.location, first.pointer
                );
                diagnostics.push(Diagnostic::error(&parameter.pointer, message));
            }
            None => {
                first_by_key.insert((name, parameter.location), parameter);
            }
        }
    }
    diagnostics
}

/// An operation's parameters: its path item's and its own.
struct Declared<'p, 'a> {
    shared: &'p [ParamInfo<'a>],
    own: &'p [ParamInfo<'a>],
}

/// Every `{name}` needs an `in: path` parameter (from the operation, or inherited from the path item
/// unless the operation overrides it), every path parameter needs a `{name}`, and all are required.
/// `query` is the query string of the path key (see [`split_query`]).
fn check_path_parameters(
    path: &str,
    query: &str,
    template: &[&str],
    operation_pointer: &str,
    Declared { shared, own }: Declared<'_, '_>,
) -> Vec<Diagnostic> {
    let overridden = |inherited: &&ParamInfo| {
        own.iter()
            .any(|mine| mine.name == inherited.name && mine.location == inherited.location)
    };
    let effective: Vec<&ParamInfo> = own.iter().chain(shared.iter().filter(|p| !overridden(p))).collect();
    let mut diagnostics = Vec::new();
    for parameter in effective.iter().filter(|p| p.location == "path") {
        if template.contains(&parameter.name) {
            // In the path, as it should be.
        } else if query.contains(&format!("{{{}}}", parameter.name)) {
            diagnostics.push(Diagnostic::unless_lenient(
                &parameter.pointer,
                format!("path parameter `{}` is in the query string of the path", parameter.name),
                "it is sent as a query parameter",
            ));
        } else {
            let mut message = format!(
                "path parameter `{}` does not appear in the path `{path}`",
                parameter.name
            );
            if let Some(suggestion) = keys::suggest(parameter.name, template.iter().copied()) {
                message.push_str(&format!("; did you mean `{suggestion}`?"));
            }
            diagnostics.push(Diagnostic::error(&parameter.pointer, message));
        }
        if !parameter.required {
            let message = format!("path parameter `{}` must have `required: true`", parameter.name);
            diagnostics.push(Diagnostic::error(&parameter.pointer, message));
        }
    }
    for name in template {
        if effective.iter().any(|p| p.location == "path" && p.name == *name) {
            continue;
        }
        let mut message = format!("`{{{name}}}` in path `{path}` has no `in: path` parameter named `{name}`");
        if let Some(elsewhere) = effective.iter().find(|p| p.name == *name) {
            message.push_str(&format!(
                " (there is one `in: {}` at {})",
                elsewhere.location, elsewhere.pointer
            ));
        }
        diagnostics.push(Diagnostic::error(operation_pointer, message));
    }
    diagnostics
}

/// Security requirements must name schemes defined under `#/components/securitySchemes`.
fn check_security(list: Option<&Value>, pointer: &str, schemes: Option<&Map<String, Value>>) -> Vec<Diagnostic> {
    let Some(requirements) = list.and_then(Value::as_array) else {
        return Vec::new();
    };
    let mut diagnostics = Vec::new();
    for (index, requirement) in requirements.iter().enumerate() {
        let Some(requirement) = requirement.as_object() else {
            continue;
        };
        let requirement_pointer = pointer::join(pointer, &index.to_string());
        for name in requirement
            .keys()
            .filter(|name| !schemes.is_some_and(|s| s.contains_key(*name)))
        {
            let mut message = format!("security scheme `{name}` is not defined under #/components/securitySchemes");
            let suggestion = schemes.and_then(|s| keys::suggest(name, s.keys().map(String::as_str)));
            if let Some(suggestion) = suggestion {
                message.push_str(&format!("; did you mean `{suggestion}`?"));
            }
            diagnostics.push(Diagnostic::error(pointer::join(&requirement_pointer, name), message));
        }
    }
    diagnostics
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_templates() {
        assert_eq!(
            template_names("/v5/items/{item_id}/runs/{run_id}"),
            Ok(vec!["item_id", "run_id"])
        );
        assert_eq!(template_names("/plain"), Ok(vec![]));
        for bad in [
            "/a/{id",
            "/a/id}",
            "/a/{{id}}",
            "/a/{}",
            "/a/{x}/{x}",
            "/a/}{",
            "/a\rb",
            "/a/{x\n}",
        ] {
            assert!(template_names(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn follow_refs_stops_on_loops() {
        let raw =
            serde_json::json!({"a": {"$ref": "#/b"}, "b": {"$ref": "#/a"}, "c": {"$ref": "#/d"}, "d": {"name": "x"}});
        assert_eq!(follow_refs(&raw, &raw["a"]), None);
        assert_eq!(follow_refs(&raw, &raw["c"]), Some(&raw["d"]));
    }
}
