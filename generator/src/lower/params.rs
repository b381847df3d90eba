//! Parameters: each `in: path|query|header|cookie` parameter becomes a typed input with the
//! encoding its `style` and `explode` ask for.

use std::collections::BTreeSet;

use openapiv3::{OpenAPI, Parameter, ParameterSchemaOrContent, PathStyle, QueryStyle, ReferenceOr};

use super::components::resolve;
use crate::diagnostic::Diagnostic;
use crate::lower::types::{TypeSpace, ValueShape};
use crate::model::{Param, ParamEncoding, ParamLocation, TypeRef, BUILDER_MEMBERS};
use crate::naming;
use crate::spec::pointer;

/// A parameter is identified by its name and location (`in`).
type ParamKey = (String, &'static str);

/// The parameters of the operation at `operation_pointer`: its path item's (`inherited`) and its
/// own, which override inherited ones with the same name and location.
pub(super) fn lower_params(
    openapi: &OpenAPI,
    space: &mut TypeSpace<'_>,
    diagnostics: &mut Vec<Diagnostic>,
    inherited: &[ReferenceOr<Parameter>],
    own: &[ReferenceOr<Parameter>],
    operation_pointer: &str,
    type_prefix: &str,
) -> Vec<Param> {
    // Operation-level parameters override path-level ones with the same name and location.
    let mut by_key: Vec<(ParamKey, (String, &Parameter))> = Vec::new();
    let path_item_pointer = operation_pointer
        .rsplit_once('/')
        .map_or(operation_pointer, |(parent, _)| parent);
    let all = inherited
        .iter()
        .enumerate()
        .map(|(i, p)| (p, format!("{path_item_pointer}/parameters/{i}")))
        .chain(
            own.iter()
                .enumerate()
                .map(|(i, p)| (p, format!("{operation_pointer}/parameters/{i}"))),
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

fn location_name(parameter: &Parameter) -> &'static str {
    match parameter {
        Parameter::Query { .. } => "query",
        Parameter::Header { .. } => "header",
        Parameter::Path { .. } => "path",
        Parameter::Cookie { .. } => "cookie",
    }
}
