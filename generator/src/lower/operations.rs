//! Lowers paths and operations to resources of the model.

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;
use openapiv3::{
    Components, OpenAPI, Operation as SpecOperation, Parameter, ParameterSchemaOrContent, PathItem, PathStyle,
    QueryStyle, ReferenceOr, RequestBody, Response as SpecResponse, StatusCode,
};
use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::lower::types::{TypeSpace, ValueShape};
use crate::model::{
    Body, HttpMethod, MultipartField, Operation, Pagination, Param, ParamEncoding, ParamLocation, Resource, Response,
    StatusResponse, TypeRef, BUILDER_MEMBERS,
};
use crate::naming;
use crate::spec::pointer;

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
            let lowered = lower_operation(
                openapi,
                space,
                diagnostics,
                OperationSource {
                    path,
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

/// A parameter is identified by its name and location (`in`).
type ParamKey = (String, &'static str);

struct OperationSource<'s> {
    path: &'s str,
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
    // Validation warns about a missing operationId; the name then comes from method and path.
    let id = match &operation.operation_id {
        Some(id) => id.clone(),
        None => naming::operation_id_from(&source.http_method.as_str().to_ascii_lowercase(), source.path),
    };
    let type_prefix = naming::type_name(&id);
    let method_name = match operation.extensions.get("x-rust-method").and_then(Value::as_str) {
        Some(explicit) => naming::field_name(explicit),
        None => method_name_for(&id, source.resource_module),
    };
    let params = lower_params(openapi, space, diagnostics, &source, &type_prefix);
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
    let item_fields = space.struct_fields(item_type).ok_or("page items must be objects")?;
    let cursor_wire = required("cursor-field")?;
    let cursor = item_fields
        .iter()
        .find(|f| f.wire_name == cursor_wire && f.required && !f.nullable && f.ty == TypeRef::String)
        .ok_or_else(|| format!("page items have no required string `{cursor_wire}` to use as the cursor"))?;
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
        cursor_field: cursor.name.clone(),
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

fn lower_params(
    openapi: &OpenAPI,
    space: &mut TypeSpace<'_>,
    diagnostics: &mut Vec<Diagnostic>,
    source: &OperationSource<'_>,
    type_prefix: &str,
) -> Vec<Param> {
    // Operation-level parameters override path-level ones with the same name and location.
    let mut by_key: Vec<(ParamKey, (String, &Parameter))> = Vec::new();
    let all = source
        .inherited
        .iter()
        .enumerate()
        .map(|(i, p)| (p, format!("{}/parameters/{i}", parent_pointer(source.pointer))))
        .chain(
            source
                .operation
                .parameters
                .iter()
                .enumerate()
                .map(|(i, p)| (p, format!("{}/parameters/{i}", source.pointer))),
        );
    for (parameter, pointer) in all {
        let Some(parameter) = resolve(openapi, parameter) else {
            diagnostics.push(Diagnostic::error(
                pointer,
                "parameter `$ref` does not resolve to #/components/parameters",
            ));
            continue;
        };
        let key = (parameter.parameter_data_ref().name.clone(), location_name(parameter));
        by_key.retain(|(k, _)| *k != key);
        by_key.push((key, (pointer, parameter)));
    }
    let mut params = Vec::new();
    let mut taken: BTreeSet<String> = BUILDER_MEMBERS.iter().map(|name| (*name).to_owned()).collect();
    for (_, (pointer, parameter)) in by_key {
        let data = parameter.parameter_data_ref();
        let ty = match &data.format {
            ParameterSchemaOrContent::Schema(schema) => {
                let hint = format!("{type_prefix}{}", naming::type_name(&data.name));
                space.lower(schema, &hint, &pointer::join(&pointer, "schema")).ty
            }
            // `content` parameters carry a serialized document; JSON is the common case.
            ParameterSchemaOrContent::Content(content) => match content.values().next().and_then(|m| m.schema.as_ref())
            {
                Some(schema) => {
                    let hint = format!("{type_prefix}{}", naming::type_name(&data.name));
                    space.lower(schema, &hint, &pointer::join(&pointer, "content")).ty
                }
                None => TypeRef::Any,
            },
        };
        let shape = space.value_shape(&ty);
        let (location, encoding) = match parameter {
            Parameter::Path { style, .. } => {
                let explode = data.explode.unwrap_or(false);
                if !matches!(style, PathStyle::Simple) {
                    diagnostics.push(Diagnostic::warning(
                        pointer::join(&pointer, "style"),
                        "only `style: simple` path parameters are supported; sent as simple",
                    ));
                }
                (ParamLocation::Path, simple_encoding(shape, explode))
            }
            Parameter::Header { .. } => (
                ParamLocation::Header,
                simple_encoding(shape, data.explode.unwrap_or(false)),
            ),
            Parameter::Cookie { .. } => (ParamLocation::Cookie, simple_encoding(shape, false)),
            Parameter::Query { style, .. } => {
                let explode = data.explode.unwrap_or(matches!(style, QueryStyle::Form));
                (ParamLocation::Query, query_encoding(style, shape, explode))
            }
        };
        // A `content` parameter is one serialized document, whatever its shape.
        let is_content = matches!(&data.format, ParameterSchemaOrContent::Content(_));
        let encoding = if is_content { ParamEncoding::Json } else { encoding };
        if !is_content && encoding == ParamEncoding::Json {
            diagnostics.push(Diagnostic::warning(
                pointer.clone(),
                "this parameter's schema has no standard text form here; it is sent as JSON text",
            ));
        }
        let mut names = vec![naming::field_name(&data.name)];
        naming::dedupe(&mut names, &mut taken);
        params.push(Param {
            name: names.pop().unwrap_or_default(),
            wire_name: data.name.clone(),
            location,
            required: data.required || location == ParamLocation::Path,
            ty,
            doc: data.description.clone(),
            encoding,
        });
    }
    params
}

/// `style: simple` (path and header parameters): arrays and objects comma-joined.
fn simple_encoding(shape: ValueShape, explode: bool) -> ParamEncoding {
    match shape {
        ValueShape::Scalar => ParamEncoding::Scalar,
        ValueShape::ScalarArray => ParamEncoding::Joined(','),
        ValueShape::Object => ParamEncoding::ObjectJoined { exploded: explode },
        ValueShape::Other => ParamEncoding::Json,
    }
}

fn query_encoding(style: &QueryStyle, shape: ValueShape, explode: bool) -> ParamEncoding {
    match (style, shape) {
        (_, ValueShape::Scalar) => ParamEncoding::Scalar,
        (QueryStyle::DeepObject, ValueShape::Object) => ParamEncoding::DeepObject,
        (QueryStyle::SpaceDelimited, ValueShape::ScalarArray) if !explode => ParamEncoding::Joined(' '),
        (QueryStyle::PipeDelimited, ValueShape::ScalarArray) if !explode => ParamEncoding::Joined('|'),
        (_, ValueShape::ScalarArray) if explode => ParamEncoding::Repeated,
        (_, ValueShape::ScalarArray) => ParamEncoding::Joined(','),
        (_, ValueShape::Object) if explode => ParamEncoding::ObjectFields,
        (_, ValueShape::Object) => ParamEncoding::ObjectJoined { exploded: false },
        (_, ValueShape::Other) => ParamEncoding::Json,
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

fn parent_pointer(pointer: &str) -> &str {
    pointer.rsplit_once('/').map_or(pointer, |(parent, _)| parent)
}

fn location_name(parameter: &Parameter) -> &'static str {
    match parameter {
        Parameter::Query { .. } => "query",
        Parameter::Header { .. } => "header",
        Parameter::Path { .. } => "path",
        Parameter::Cookie { .. } => "cookie",
    }
}

/// What a local `$ref` can name in `components`, and where those live.
trait Component: Sized {
    /// `#/components/parameters/` and the like.
    const PREFIX: &'static str;
    fn section(components: &Components) -> &IndexMap<String, ReferenceOr<Self>>;
}

impl Component for Parameter {
    const PREFIX: &'static str = "#/components/parameters/";
    fn section(components: &Components) -> &IndexMap<String, ReferenceOr<Self>> {
        &components.parameters
    }
}

impl Component for RequestBody {
    const PREFIX: &'static str = "#/components/requestBodies/";
    fn section(components: &Components) -> &IndexMap<String, ReferenceOr<Self>> {
        &components.request_bodies
    }
}

impl Component for SpecResponse {
    const PREFIX: &'static str = "#/components/responses/";
    fn section(components: &Components) -> &IndexMap<String, ReferenceOr<Self>> {
        &components.responses
    }
}

/// The item itself, or the component its `$ref` names (one level: validation reports chains and
/// refs that go elsewhere).
fn resolve<'o, T: Component>(openapi: &'o OpenAPI, item: &'o ReferenceOr<T>) -> Option<&'o T> {
    match item {
        ReferenceOr::Item(item) => Some(item),
        ReferenceOr::Reference { reference } => {
            let name = pointer::unescape_token(reference.strip_prefix(T::PREFIX)?);
            T::section(openapi.components.as_ref()?).get(&name)?.as_item()
        }
    }
}

fn lower_body(
    openapi: &OpenAPI,
    space: &mut TypeSpace<'_>,
    diagnostics: &mut Vec<Diagnostic>,
    body: &ReferenceOr<RequestBody>,
    type_prefix: &str,
    operation_pointer: &str,
) -> Option<Body> {
    let pointer = pointer::join(operation_pointer, "requestBody");
    let Some(body) = resolve(openapi, body) else {
        diagnostics.push(Diagnostic::error(
            pointer,
            "requestBody `$ref` does not resolve to #/components/requestBodies",
        ));
        return None;
    };
    let content_pointer = pointer::join(&pointer, "content");
    let schema_pointer = |media: &str| pointer::join(&pointer::join(&content_pointer, media), "schema");
    if body.content.len() > 1 {
        diagnostics.push(Diagnostic::warning(
            content_pointer.clone(),
            "several request media types: the client sends the first supported one (JSON, then multipart, then form, then raw bytes)",
        ));
    }
    if let Some((media, content)) = body.content.iter().find(|(m, _)| is_json(m)) {
        let hint = format!("{type_prefix}Body");
        let ty = match &content.schema {
            Some(schema) => space.lower(schema, &hint, &schema_pointer(media)).ty,
            None => TypeRef::Any,
        };
        return Some(Body::Json {
            ty,
            required: body.required,
            doc: body.description.clone(),
        });
    }
    if let Some((media, content)) = body
        .content
        .iter()
        .find(|(m, _)| media_essence(m) == "multipart/form-data")
    {
        return lower_multipart(openapi, diagnostics, content.schema.as_ref(), &schema_pointer(media))
            .map(|fields| Body::Multipart { fields });
    }
    if let Some((media, content)) = body
        .content
        .iter()
        .find(|(m, _)| media_essence(m) == "application/x-www-form-urlencoded")
    {
        let hint = format!("{type_prefix}Body");
        let ty = match &content.schema {
            Some(schema) => space.lower(schema, &hint, &schema_pointer(media)).ty,
            None => TypeRef::Object,
        };
        if space.value_shape(&ty) != ValueShape::Object {
            diagnostics.push(Diagnostic::error(
                schema_pointer(media),
                "a form body must be an object",
            ));
            return None;
        }
        return Some(Body::Form {
            ty,
            required: body.required,
            doc: body.description.clone(),
        });
    }
    // Any other media type is sent as bytes with that content type (`*/*` as octet-stream).
    let (media, _) = body.content.iter().next()?;
    let content_type = if media.contains('*') {
        "application/octet-stream".to_owned()
    } else {
        media.clone()
    };
    Some(Body::Raw {
        content_type,
        required: body.required,
        doc: body.description.clone(),
    })
}

fn media_essence(media: &str) -> &str {
    media.split(';').next().unwrap_or(media).trim()
}

fn lower_multipart(
    openapi: &OpenAPI,
    diagnostics: &mut Vec<Diagnostic>,
    schema: Option<&ReferenceOr<openapiv3::Schema>>,
    pointer: &str,
) -> Option<Vec<MultipartField>> {
    let schema = match schema {
        Some(ReferenceOr::Item(s)) => Some(s),
        Some(ReferenceOr::Reference { reference }) => reference.strip_prefix("#/components/schemas/").and_then(|n| {
            openapi
                .components
                .as_ref()?
                .schemas
                .get(&pointer::unescape_token(n))?
                .as_item()
        }),
        None => None,
    };
    let Some(schema) = schema else {
        diagnostics.push(Diagnostic::error(
            pointer,
            "multipart body needs an object schema with properties",
        ));
        return None;
    };
    let view = crate::lower::types::view_of(schema);
    let mut fields = Vec::new();
    for (wire, property) in &view.properties {
        let is_file = property
            .as_item()
            .is_some_and(|p| crate::lower::types::view_of(p).format == Some("binary"));
        fields.push(MultipartField {
            name: naming::field_name(wire),
            wire_name: wire.to_string(),
            is_file,
            required: view.required.contains(wire),
            doc: property.as_item().and_then(|p| p.schema_data.description.clone()),
        });
    }
    Some(fields)
}

fn is_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or(media).trim();
    essence == "application/json" || essence.ends_with("+json")
}

/// The 2xx responses decide the return type: one body type (JSON → the schema's type, other
/// content → bytes, none → `()`), or, when they differ by status, an enum over the statuses.
fn lower_response(
    openapi: &OpenAPI,
    space: &mut TypeSpace<'_>,
    diagnostics: &mut Vec<Diagnostic>,
    operation: &SpecOperation,
    type_prefix: &str,
    operation_pointer: &str,
) -> Response {
    let responses_pointer = pointer::join(operation_pointer, "responses");
    let mut successes: Vec<(u16, Response)> = Vec::new();
    for (code, response) in &operation.responses.responses {
        let (number, code_text) = match code {
            StatusCode::Code(c) if (200..300).contains(c) => (*c, c.to_string()),
            StatusCode::Range(2) => (200, "2XX".to_owned()),
            _ => continue,
        };
        let pointer = pointer::join(&responses_pointer, &code_text);
        let Some(response) = resolve(openapi, response) else {
            diagnostics.push(Diagnostic::error(
                pointer,
                "response `$ref` does not resolve to #/components/responses",
            ));
            continue;
        };
        let hint = if successes.is_empty() {
            format!("{type_prefix}Response")
        } else {
            format!("{type_prefix}{code_text}Response")
        };
        successes.push((number, lower_response_body(space, response, &hint, &pointer)));
    }
    match successes.as_slice() {
        [] => {
            diagnostics.push(Diagnostic::warning(
                responses_pointer,
                "no 2xx response is declared; the operation returns nothing",
            ));
            Response::Empty
        }
        [(_, only)] => only.clone(),
        [(_, first), rest @ ..] if rest.iter().all(|(_, r)| r == first) => first.clone(),
        _ => {
            let mut variants: Vec<String> = successes.iter().map(|(code, _)| status_variant(*code)).collect();
            naming::dedupe(&mut variants, &mut BTreeSet::from(["Other".to_owned()]));
            Response::ByStatus(
                successes
                    .into_iter()
                    .zip(variants)
                    .map(|((code, body), variant)| StatusResponse { code, variant, body })
                    .collect(),
            )
        }
    }
}

/// One response's body: JSON first among its media types, else bytes, else nothing.
fn lower_response_body(space: &mut TypeSpace<'_>, response: &SpecResponse, hint: &str, pointer: &str) -> Response {
    if let Some((media, content)) = response.content.iter().find(|(m, _)| is_json(m)) {
        return match &content.schema {
            Some(schema) => {
                let schema_pointer = pointer::join(&pointer::join(&pointer::join(pointer, "content"), media), "schema");
                Response::Json(space.lower(schema, hint, &schema_pointer).ty)
            }
            None => Response::Json(TypeRef::Any),
        };
    }
    if response.content.is_empty() {
        Response::Empty
    } else {
        Response::Bytes
    }
}

/// `201` → `Created`: the reason phrase, so a `match` reads like the API's documentation.
fn status_variant(code: u16) -> String {
    let name = match code {
        200 => "Ok",
        201 => "Created",
        202 => "Accepted",
        203 => "NonAuthoritativeInformation",
        204 => "NoContent",
        205 => "ResetContent",
        206 => "PartialContent",
        207 => "MultiStatus",
        208 => "AlreadyReported",
        226 => "ImUsed",
        _ => return format!("Status{code}"),
    };
    name.to_owned()
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
