//! Lowers paths and operations to resources of the model.

use std::collections::BTreeMap;

use openapiv3::{OpenAPI, Operation as SpecOperation, Parameter, PathItem, ReferenceOr};
use serde_json::Value;

use super::bodies::{lower_body, lower_response};
use super::params::lower_params;
use crate::diagnostic::Diagnostic;
use crate::lower::types::TypeSpace;
use crate::model::{
    Cursor, Field, HttpMethod, Operation, Pagination, Param, ParamLocation, Resource, Response, TypeRef,
};
use crate::naming;
use crate::spec::pointer;
use crate::spec::validate::split_query;

/// Groups operations by their first tag (or `default`) into resources, in first-seen order.
pub fn lower_resources(
    openapi: &OpenAPI,
    space: &mut TypeSpace<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Resource> {
    let mut resources: Vec<Resource> = Vec::new();
    for (path, item) in openapi.paths.iter() {
        let path_pointer = pointer::join("#/paths", path);
        let Some(item) = resolve_path_item(openapi, item) else {
            diagnostics.push(Diagnostic::error(
                pointer::join(&path_pointer, "$ref"),
                "a path item `$ref` must point to another path in this document (`#/paths/...`)",
            ));
            continue;
        };
        for (method, operation) in item.iter() {
            let pointer = pointer::join(&path_pointer, method);
            let Ok(http_method) = method.parse::<HttpMethod>() else {
                diagnostics.push(Diagnostic::warning(
                    pointer,
                    format!("`{method}` operations are not generated"),
                ));
                continue;
            };
            // Untagged operations go to a resource named `api`: `default` would shadow the
            // `Default` trait in the generated module.
            let tag = operation.tags.first().cloned().unwrap_or_else(|| "api".to_owned());
            let module = resource_module_name(&tag);
            let index = match resources.iter().position(|r| r.module == module) {
                Some(index) => index,
                None => {
                    resources.push(Resource {
                        type_name: naming::type_name(&tag),
                        doc: tag_description(openapi, &tag),
                        module,
                        operations: Vec::new(),
                    });
                    resources.len() - 1
                }
            };
            let inherited = &item.parameters;
            let (path, query) = split_query(path);
            let lowered = lower_operation(
                openapi,
                space,
                diagnostics,
                OperationSource {
                    path,
                    query,
                    pointer: &pointer,
                    http_method,
                    operation,
                    inherited,
                    resource_module: &resources[index].module,
                },
            );
            if let Some(lowered) = lowered {
                diagnostics.extend(name_clash(&resources[index], &lowered, &pointer));
                resources[index].operations.push(lowered);
            }
        }
    }
    for resource in &mut resources {
        dedupe_method_names(resource, diagnostics);
    }
    resources
}

/// Two operationIds that differ only in case or separators (`getFile`, `get_file`, `getFile_`) would give
/// one resource two builders, and two operation constants, of the same name.
fn name_clash(resource: &Resource, operation: &Operation, operation_pointer: &str) -> Option<Diagnostic> {
    let name = naming::type_name(&operation.id);
    let other = resource
        .operations
        .iter()
        .find(|other| other.id != operation.id && naming::type_name(&other.id) == name)?;
    Some(Diagnostic::error(
        pointer::join(operation_pointer, "operationId"),
        format!(
            "operationIds `{}` and `{}` (same resource) both become `{name}` in Rust; rename one",
            operation.id, other.id
        ),
    ))
}

/// Module names the generated crate uses itself, and the names of `Client`'s own methods (each module
/// also gets an accessor method on `Client`); a tag with such a name gets a suffix.
const RESERVED_MODULES: &[&str] = &[
    "client",
    "types",
    "runtime",
    "generated",
    "builder",
    "from_env",
    "base_url",
];

fn resource_module_name(tag: &str) -> String {
    let module = naming::module_name(tag);
    if RESERVED_MODULES.contains(&module.as_str()) {
        format!("{module}_api")
    } else {
        module
    }
}

struct OperationSource<'s> {
    /// The path template, without the query string some path keys have.
    path: &'s str,
    /// That query string (see [`split_query`]), usually empty.
    query: &'s str,
    pointer: &'s str,
    http_method: HttpMethod,
    operation: &'s SpecOperation,
    inherited: &'s [ReferenceOr<Parameter>],
    resource_module: &'s str,
}

fn lower_operation(
    openapi: &OpenAPI,
    space: &mut TypeSpace<'_>,
    diagnostics: &mut Vec<Diagnostic>,
    source: OperationSource<'_>,
) -> Option<Operation> {
    let operation = source.operation;
    // Validation warns about a missing or empty operationId; the name then comes from method and path.
    let id = match &operation.operation_id {
        Some(id) if !id.trim().is_empty() => id.clone(),
        _ => naming::operation_id_from(&source.http_method.as_str().to_ascii_lowercase(), source.path),
    };
    let type_prefix = naming::type_name(&id);
    let method_name = match operation.extensions.get("x-rust-method").and_then(Value::as_str) {
        Some(explicit) => naming::field_name(explicit),
        None => method_name_for(&id, source.resource_module),
    };
    let mut params = lower_params(
        openapi,
        space,
        diagnostics,
        source.inherited,
        &operation.parameters,
        source.pointer,
        &type_prefix,
    );
    // A path parameter named in the query string of the path key (`/search?q={q}`, `q` declared
    // `in: path`) is the query parameter it looks like; validation says so.
    for param in params.iter_mut().filter(|p| p.location == ParamLocation::Path) {
        if source.query.contains(&format!("{{{}}}", param.wire_name)) {
            param.location = ParamLocation::Query;
        }
    }
    let body = operation
        .request_body
        .as_ref()
        .and_then(|b| lower_body(openapi, space, diagnostics, b, &type_prefix, source.pointer));
    let response = lower_response(openapi, space, diagnostics, operation, &type_prefix, source.pointer);
    let pagination = operation.extensions.get("x-pagination").and_then(|scheme| {
        let pointer = pointer::join(source.pointer, "x-pagination");
        lower_pagination(openapi, space, &params, &response, scheme)
            .map_err(|message| diagnostics.push(Diagnostic::error(pointer, message)))
            .ok()
    });
    Some(Operation {
        builder_name: format!("{type_prefix}Builder"),
        id,
        method_name,
        http_method: source.http_method,
        path: source.path.to_owned(),
        summary: operation.summary.clone(),
        doc: operation.description.clone(),
        params,
        body,
        response,
        pagination,
        deprecated: crate::lower::deprecation::deprecation(operation.deprecated, &operation.extensions),
        security: operation.security.as_ref().map(|list| {
            let pointer = pointer::join(source.pointer, "security");
            crate::lower::settings::lower_security(openapi, list, &pointer, diagnostics)
        }),
        mock: crate::lower::mock_facts::lower_mock_facts(openapi, space, operation, source.pointer),
    })
}

/// Checks an operation's `x-pagination: <scheme>` against the scheme declared under
/// `x-codegen.pagination` and the operation's own parameters and response.
fn lower_pagination(
    openapi: &OpenAPI,
    space: &TypeSpace<'_>,
    params: &[Param],
    response: &Response,
    scheme: &Value,
) -> Result<Pagination, String> {
    let name = scheme
        .as_str()
        .ok_or("`x-pagination` must name a scheme declared under `x-codegen.pagination`")?;
    let config = openapi
        .extensions
        .get("x-codegen")
        .and_then(|c| c.get("pagination"))
        .and_then(|p| p.get(name))
        .ok_or_else(|| format!("no pagination scheme `{name}` under `x-codegen.pagination`"))?;
    let setting = |key: &str| config.get(key).and_then(Value::as_str);
    let required = |key: &str| setting(key).ok_or_else(|| format!("pagination scheme `{name}` needs `{key}`"));

    let Response::Json(page_type) = response else {
        return Err("a paginated operation must return JSON".into());
    };
    let page = space
        .struct_fields(page_type)
        .ok_or("a paginated operation must return an object")?;
    let items_wire = required("items")?;
    let items = page
        .iter()
        .find(|f| f.wire_name == items_wire && f.required && !f.nullable);
    let Some(TypeRef::Array(item_type)) = items.map(|f| &f.ty) else {
        return Err(format!("the page has no required array `{items_wire}`"));
    };
    let cursor_wire = required("cursor-field")?;
    let cursor_of = |fields: &[Field]| {
        fields
            .iter()
            .find(|f| f.wire_name == cursor_wire && f.required && !f.nullable && f.ty == TypeRef::String)
            .map(|f| f.name.clone())
    };
    let missing = || format!("page items have no required string `{cursor_wire}` to use as the cursor");
    let cursor = match (space.struct_fields(item_type), space.union_members(item_type)) {
        (Some(fields), _) => Cursor::Field(cursor_of(fields).ok_or_else(missing)?),
        (None, Some(members)) => {
            let fields = members
                .iter()
                .map(|(variant, ty)| {
                    let fields = space
                        .struct_fields(ty)
                        .ok_or("page items must be objects, or a union of objects")?;
                    let field = cursor_of(fields).ok_or_else(|| format!("{} (member `{variant}`)", missing()))?;
                    Ok((variant.clone(), field))
                })
                .collect::<Result<Vec<_>, String>>()?;
            Cursor::Members {
                fields,
                wire_name: cursor_wire.to_owned(),
            }
        }
        (None, None) => return Err("page items must be objects, or a union of objects".into()),
    };
    let has_more_field = match setting("has-more") {
        Some(wire) => {
            let field = page.iter().find(|f| f.wire_name == wire && f.ty == TypeRef::Boolean);
            let field = field.ok_or_else(|| format!("the page has no boolean `{wire}`"))?;
            Some((field.name.clone(), field.required && !field.nullable))
        }
        None => None,
    };
    let param = |wire: &str| -> Result<String, String> {
        params
            .iter()
            .find(|p| {
                p.wire_name == wire && p.location == ParamLocation::Query && !p.required && p.ty == TypeRef::String
            })
            .map(|p| p.name.clone())
            .ok_or_else(|| format!("the operation has no optional string query parameter `{wire}`"))
    };
    Ok(Pagination {
        page_type: page_type.clone(),
        item_type: (**item_type).clone(),
        items_field: items.map(|f| f.name.clone()).unwrap_or_default(),
        has_more_field,
        forward_param: param(required("forward-param")?)?,
        backward_param: setting("backward-param").map(param).transpose()?,
        cursor,
    })
}

/// `listDatasetItems` in resource `dataset_items` → `list`; `getFileContent` in `files` → `get_content`.
/// The resource's words (plural or singular) are removed from the snake-case operation id.
pub fn method_name_for(operation_id: &str, resource_module: &str) -> String {
    let snake = naming::field_name(operation_id);
    let words = naming::words(&snake);
    let resource_words = naming::words(resource_module);
    let singular: Vec<String> = match resource_words.split_last() {
        Some((last, rest)) => rest
            .iter()
            .map(|w| (*w).to_owned())
            .chain([naming::singular(last)])
            .collect(),
        None => Vec::new(),
    };
    let plural: Vec<String> = resource_words.iter().map(|w| (*w).to_owned()).collect();
    for candidate in [plural, singular] {
        if candidate.is_empty() || candidate.len() >= words.len() {
            continue;
        }
        if let Some(start) = words
            .windows(candidate.len())
            .position(|window| window == candidate.as_slice())
        {
            let remaining: Vec<&str> = words[..start]
                .iter()
                .chain(&words[start + candidate.len()..])
                .copied()
                .collect();
            return naming::field_name(&remaining.join("_"));
        }
    }
    snake
}

fn dedupe_method_names(resource: &mut Resource, diagnostics: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for operation in &mut resource.operations {
        // `new` is the handle's own constructor.
        if operation.method_name == "new" {
            operation.method_name = naming::field_name(&operation.id);
        }
        if let Some(first) = seen.get(&operation.method_name) {
            diagnostics.push(Diagnostic::warning(
                format!("#/paths/{}", pointer::escape_token(&operation.path)),
                format!(
                    "operations `{first}` and `{}` would both be `{}`; using the full operation id for the second",
                    operation.id, operation.method_name
                ),
            ));
            operation.method_name = naming::field_name(&operation.id);
        }
        // What is still taken (an id that is `new` itself, a full id that another method shortened to)
        // gets underscores.
        while operation.method_name == "new" || seen.contains_key(&operation.method_name) {
            operation.method_name.push('_');
        }
        seen.insert(operation.method_name.clone(), operation.id.clone());
    }
}

/// A path item, or the one a local `$ref` (`#/paths/~1other`) points to.
fn resolve_path_item<'o>(openapi: &'o OpenAPI, item: &'o ReferenceOr<PathItem>) -> Option<&'o PathItem> {
    match item {
        ReferenceOr::Item(item) => Some(item),
        ReferenceOr::Reference { reference } => {
            let path = pointer::unescape_token(reference.strip_prefix("#/paths/")?);
            openapi.paths.paths.get(&path)?.as_item()
        }
    }
}

fn tag_description(openapi: &OpenAPI, tag: &str) -> Option<String> {
    openapi
        .tags
        .iter()
        .find(|t| t.name == tag)
        .and_then(|t| t.description.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_names_drop_the_resource_words() {
        assert_eq!(method_name_for("createEvaluation", "evaluations"), "create");
        assert_eq!(method_name_for("listEvaluationItems", "evaluation_items"), "list");
        assert_eq!(
            method_name_for("batchCreateDatasetItems", "dataset_items"),
            "batch_create"
        );
        assert_eq!(method_name_for("getFileContent", "files"), "get_content");
        assert_eq!(method_name_for("deleteQuestionSet", "question_sets"), "delete");
        assert_eq!(method_name_for("ping", "default"), "ping");
        assert_eq!(method_name_for("evaluations", "evaluations"), "evaluations");
    }

    #[test]
    fn names_that_the_client_and_the_handles_use_are_not_taken() {
        let openapi: OpenAPI = serde_yaml::from_str(
            r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /b: {get: {operationId: listB, tags: [builder], responses: {'204': {description: ok}}}}
  /t: {post: {operationId: newThing, tags: [things], responses: {'204': {description: ok}}}}
  /u: {post: {operationId: new, tags: [things], responses: {'204': {description: ok}}}}
"#,
        )
        .unwrap();
        let mut space = TypeSpace::new(&openapi, None);
        let resources = lower_resources(&openapi, &mut space, &mut Vec::new());
        let modules: Vec<&str> = resources.iter().map(|r| r.module.as_str()).collect();
        assert_eq!(modules, ["builder_api", "things"]);
        let methods: Vec<&str> = resources[1].operations.iter().map(|o| o.method_name.as_str()).collect();
        assert_eq!(methods, ["new_thing", "new_"]);
    }
}
