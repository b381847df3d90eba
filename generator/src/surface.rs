//! The public Rust API of the generated crate, as data: what each operation's method takes, what
//! its builder can set and what it returns, and the shape of each type.
//!
//! ```text
//! operations["evaluations.create"] = { method, path, arguments: [body: EvaluationCreate],
//!                                      setters: {}, output: Evaluation }
//! types["Evaluation"] = { kind: struct, fields: [{ name, type, required, nullable, new }] }
//! ```
//!
//! It is built from the model with the emitters' own decisions (which fields `new` takes, which
//! enums are open), so that it says what the emitted code is; names are spelled as users write
//! them (`r#type`). The crate keeps it as `api.json`
//! ([`ApiFile`]), with the surface of the version before; `changes` compares two surfaces.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use serde::{Deserialize, Serialize};

use crate::emit::common::{is_non_exhaustive_union, is_open_enum, is_open_union, rust_type};
use crate::emit::operations::{method_inputs, outcome_payload, output_type, OUTCOMES_ARE_NON_EXHAUSTIVE};
use crate::emit::types::{
    additional_properties_type, field_init, field_type, ADDITIONAL_PROPERTIES_FIELD, STRUCTS_ARE_NON_EXHAUSTIVE,
};
use crate::model::{ApiModel, Operation, Resource, Response, TypeDef, TypeKind};
use crate::naming::ident;

/// The file of the generated crate that records its surface, at the crate's root.
pub const API_FILE: &str = "api.json";

/// The public API of one version of the generated crate.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Surface {
    /// By `resource.method`, e.g. `evaluations.create`.
    pub operations: BTreeMap<String, OperationSurface>,
    /// By Rust name.
    pub types: BTreeMap<String, TypeSurface>,
}

/// One operation: `client.resource().method(arguments…)`, its builder's setters and what `send`
/// returns. A body held as one value is the input named `body` (builders keep that name free).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OperationSurface {
    /// The HTTP method, e.g. `POST`.
    pub method: String,
    /// The path template, e.g. `/v5/evaluations/{evaluation_id}`.
    pub path: String,
    /// The method's arguments, in order (each taken as `impl Into<type>`).
    pub arguments: Vec<Argument>,
    /// The builder's setters for optional inputs, by name, with the type each takes.
    pub setters: BTreeMap<String, String>,
    /// What `send` returns.
    pub output: String,
    /// When successes differ by status, the outcome enum `output` names: its variants and what
    /// each carries (`()` for nothing); `open` for its `Other` fallback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcomes: Option<VariantsSurface>,
    /// On paginated lists: the item type of the `.items()` stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub deprecated: bool,
}

/// One argument of an operation's method.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Argument {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
}

/// One named type of `types`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TypeSurface {
    #[serde(flatten)]
    pub shape: TypeShape,
    #[serde(default, skip_serializing_if = "is_false")]
    pub deprecated: bool,
}

/// What kind of Rust item a type is, and what users can reach of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum TypeShape {
    Struct(StructSurface),
    Enum(VariantsSurface),
    Union(VariantsSurface),
    Alias { target: String },
}

impl TypeShape {
    /// `struct`, `enum`, `union` or `alias`, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            TypeShape::Struct(_) => "struct",
            TypeShape::Enum(_) => "enum",
            TypeShape::Union(_) => "union",
            TypeShape::Alias { .. } => "alias",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StructSurface {
    pub non_exhaustive: bool,
    /// In declaration order, which is also the order of `new`'s arguments.
    pub fields: Vec<FieldSurface>,
}

impl StructSurface {
    /// The names `new` takes, in order.
    pub fn constructor(&self) -> Vec<&str> {
        self.fields.iter().filter(|f| f.new).map(|f| f.name.as_str()).collect()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldSurface {
    pub name: String,
    /// The declared type, e.g. `Option<String>`.
    #[serde(rename = "type")]
    pub ty: String,
    pub required: bool,
    pub nullable: bool,
    /// Whether `new` takes it as an argument (otherwise a setter sets it, or it fills itself in).
    pub new: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub deprecated: bool,
}

/// A string enum (variant → wire value) or a union (variant → member type).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VariantsSurface {
    /// `#[non_exhaustive]`: users' matches have a wildcard arm, so variants can be added.
    pub non_exhaustive: bool,
    /// Has a fallback variant that keeps what this version does not know (`Unknown`; an
    /// outcome's `Other`).
    pub open: bool,
    /// The declared variants (`Unknown` aside).
    pub variants: BTreeMap<String, String>,
}

/// One released (or generated) version: its number and its surface.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Release {
    pub version: String,
    pub surface: Surface,
}

/// `api.json`: this version's surface and the one it is compared with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiFile {
    pub version: String,
    pub surface: Surface,
    /// The version the changes of this one are counted from; `None` for the first version
    /// recorded (then there is nothing to count from).
    pub previous: Option<Release>,
}

impl ApiFile {
    /// The file's text: pretty JSON in a stable order, ending with a newline.
    pub fn to_text(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    pub fn parse(text: &str) -> Result<ApiFile, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// What a generation of `version` is compared with, when this file is the crate's current
    /// one: its own `previous` while the version stays the same (the release is still being
    /// prepared, so regenerating must not ask for a second bump), else this version itself. The
    /// first version recorded has no `previous`: it counts as released, and is its own baseline.
    pub fn baseline_for(self, version: &str) -> Release {
        match self.previous {
            Some(previous) if self.version == version => previous,
            _ => Release {
                version: self.version,
                surface: self.surface,
            },
        }
    }
}

fn is_false(value: &bool) -> bool {
    !value
}

/// The surface of the crate the model becomes.
pub fn surface(model: &ApiModel) -> Surface {
    let operations = model
        .resources
        .iter()
        .flat_map(|resource| resource.operations.iter().map(move |op| (resource, op)))
        .map(|(resource, op)| (operation_key(resource, op), operation_surface(model, op)))
        .collect();
    let types = model
        .types
        .iter()
        .map(|def| (def.name.clone(), type_surface(model, def)))
        .collect();
    Surface { operations, types }
}

/// `resource.method`, as users call it: `client.resource().method(…)`.
fn operation_key(resource: &Resource, op: &Operation) -> String {
    format!("{}.{}", ident(&resource.module), ident(&op.method_name))
}

fn operation_surface(model: &ApiModel, op: &Operation) -> OperationSurface {
    let mut arguments = Vec::new();
    let mut setters = BTreeMap::new();
    for input in method_inputs(model, op) {
        let name = input.name.to_string();
        let ty = type_text(&input.ty);
        if input.required {
            arguments.push(Argument { name, ty });
        } else {
            setters.insert(name, ty);
        }
    }
    let outcomes = match &op.response {
        Response::ByStatus(statuses) => Some(VariantsSurface {
            non_exhaustive: OUTCOMES_ARE_NON_EXHAUSTIVE,
            open: true,
            variants: statuses
                .iter()
                .map(|status| {
                    let payload = outcome_payload(model, status).map_or_else(|| "()".to_owned(), |ty| type_text(&ty));
                    (status.variant.clone(), payload)
                })
                .collect(),
        }),
        _ => None,
    };
    OperationSurface {
        method: op.http_method.as_str().to_owned(),
        path: op.path.clone(),
        arguments,
        setters,
        output: type_text(&output_type(model, op)),
        outcomes,
        items: op
            .pagination
            .as_ref()
            .map(|p| type_text(&rust_type(model, &p.item_type, true))),
        deprecated: op.deprecated.is_some(),
    }
}

fn type_surface(model: &ApiModel, def: &TypeDef) -> TypeSurface {
    let shape = match &def.kind {
        TypeKind::Struct(s) => {
            let mut fields: Vec<FieldSurface> = s
                .fields
                .iter()
                .map(|field| FieldSurface {
                    name: ident(&field.name).to_string(),
                    ty: type_text(&field_type(model, def, field)),
                    required: field.required,
                    nullable: field.nullable,
                    new: field_init(model, def, field).in_constructor(),
                    deprecated: field.deprecated.is_some(),
                })
                .collect();
            fields.extend(additional_properties_type(model, s).map(|ty| FieldSurface {
                name: ADDITIONAL_PROPERTIES_FIELD.to_owned(),
                ty: type_text(&ty),
                required: false,
                nullable: false,
                new: false,
                deprecated: false,
            }));
            TypeShape::Struct(StructSurface {
                non_exhaustive: STRUCTS_ARE_NON_EXHAUSTIVE,
                fields,
            })
        }
        TypeKind::Enum(e) => {
            let open = is_open_enum(def, e);
            TypeShape::Enum(VariantsSurface {
                non_exhaustive: open,
                open,
                variants: e.variants.iter().map(|v| (v.name.clone(), v.wire.clone())).collect(),
            })
        }
        TypeKind::Union(u) => TypeShape::Union(VariantsSurface {
            non_exhaustive: is_non_exhaustive_union(u),
            open: is_open_union(def, u),
            variants: u
                .variants
                .iter()
                .map(|v| {
                    let ty = rust_type(model, &v.ty, false);
                    let ty = if v.boxed { quote::quote!(Box<#ty>) } else { ty };
                    (v.name.clone(), type_text(&ty))
                })
                .collect(),
        }),
        TypeKind::Alias(target) => TypeShape::Alias {
            target: type_text(&rust_type(model, target, false)),
        },
    };
    TypeSurface {
        shape,
        deprecated: def.deprecated.is_some(),
    }
}

/// A type as users write it: `Vec<Evaluation>`, not `Vec < crate :: types :: Evaluation >`. The
/// crate's own paths are dropped (the crate re-exports what they name).
fn type_text(ty: &TokenStream) -> String {
    let compact: String = ty.to_string().chars().filter(|c| !c.is_whitespace()).collect();
    compact
        .replace(',', ", ")
        .replace("crate::types::", "")
        .replace("crate::runtime::", "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Generator;

    #[test]
    fn type_text_is_compact_and_unqualified() {
        let ty = quote::quote!(std::collections::BTreeMap<String, Vec<crate::types::Pet>>);
        assert_eq!(type_text(&ty), "std::collections::BTreeMap<String, Vec<Pet>>");
    }

    /// The surface says what the emitted code is: `new`'s arguments, setters, open enums.
    #[test]
    fn surface_follows_the_emitted_code() {
        let spec = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /pets/{id}:
    post:
      operationId: updatePet
      tags: [pets]
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: dry_run, in: query, schema: {type: boolean}}
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Pet'}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
components:
  schemas:
    Pet:
      type: object
      required: [name, kind, status]
      properties:
        name: {type: string}
        kind: {type: string, enum: [pet]}
        status: {type: string, enum: [active, sold]}
        tag: {type: string, nullable: true}
"#;
        let generated = Generator::new("test", "t.yaml")
            .generate(spec)
            .unwrap_or_else(|e| panic!("{e}"));
        let file = generated
            .files
            .iter()
            .find(|f| f.path == API_FILE)
            .expect("api.json is generated");
        let api = ApiFile::parse(&file.contents).expect("api.json parses");
        let op = &api.surface.operations["pets.update"];
        let arguments: Vec<(&str, &str)> = op.arguments.iter().map(|a| (a.name.as_str(), a.ty.as_str())).collect();
        assert_eq!(arguments, [("id", "String"), ("body", "Pet")]);
        assert_eq!(op.setters["dry_run"], "bool");
        assert_eq!(op.output, "Pet");
        let TypeShape::Struct(pet) = &api.surface.types["Pet"].shape else {
            panic!("Pet is a struct")
        };
        // `kind` is a constant, so `new` fills it in; `tag` is nullable in a request: `Nullable`.
        assert_eq!(pet.constructor(), ["name", "status"]);
        assert_eq!(pet.fields[3].ty, "Nullable<String>");
        let TypeShape::Enum(status) = &api.surface.types["PetStatus"].shape else {
            panic!("PetStatus is an enum")
        };
        assert!(status.open && status.non_exhaustive);
        assert!(api.previous.is_none());
        assert_eq!(ApiFile::parse(&api.to_text()).expect("round trip"), api);
    }
}
