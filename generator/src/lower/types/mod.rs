//! Lowers `components/schemas` and inline schemas to the model's type arena.
//!
//! Ids are assigned to every component schema first, so forward and recursive `$ref`s are
//! ordinary. Inline schemas that need a Rust type of their own (objects, enums, unions) get a
//! name from where they appear (`Parent` + `Property`). Tags of unions and boxing of cycles are
//! decided in passes after every type exists.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{AdditionalProperties, OpenAPI, ReferenceOr, Schema, SchemaKind, StringFormat, Type};
use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::model::{
    EnumDef, EnumVariant, Field, StructDef, TypeDef, TypeId, TypeKind, TypeRef, UnionDef, UnionVariant,
};
use crate::naming;
use crate::spec::pointer;

mod all_of;
mod cycles;
mod enums;
mod objects;
mod unions;
mod view;

use cycles::{alias_cycles, box_cycles};
use view::{doc_of, infer_type};
pub(crate) use view::{view_of, View};

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// Names that `types.rs` uses unqualified (prelude types and traits): a schema named `String` must not
/// shadow them, so it gets another name.
const RESERVED_TYPE_NAMES: &[&str] = &["Box", "Default", "From", "Option", "Result", "String", "Vec"];

/// What kind of value a type holds, for choosing how a parameter or form body is written as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueShape {
    /// A string, number, boolean, date-time or string enum.
    Scalar,
    /// An array of scalars.
    ScalarArray,
    /// An object with named fields, or a free-form or string-keyed object.
    Object,
    /// A union, any JSON, an array of objects.
    Other,
}

/// A reference to a schema and whether the place that uses it allows `null`.
#[derive(Clone, Debug, PartialEq)]
pub struct Lowered {
    pub ty: TypeRef,
    pub nullable: bool,
}

pub struct TypeSpace<'a> {
    openapi: &'a OpenAPI,
    /// The document as JSON, for `$ref`s to schemas outside `#/components/schemas`.
    document: Option<&'a Value>,
    /// Types made for such `$ref` targets, by pointer, so each is made once (and recursion works).
    by_pointer: BTreeMap<String, TypeId>,
    pub types: Vec<TypeDef>,
    by_name: BTreeMap<String, TypeId>,
    taken_names: BTreeSet<String>,
    /// Inline string enums by their values, so identical ones share one type.
    enums_by_values: BTreeMap<Vec<String>, TypeId>,
    pending_tags: Vec<PendingTag>,
    /// The property being lowered, innermost last: names shared constants after it.
    properties: Vec<String>,
    /// The component schemas whose properties an `allOf` is merging right now, innermost last: a
    /// merge that reaches one of them again refers to it instead of merging it once more.
    merging: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A union whose tag is decided once all member types exist.
struct PendingTag {
    union: TypeId,
    discriminator: Option<openapiv3::Discriminator>,
    /// The raw `$ref` of each member, if it was one.
    member_refs: Vec<Option<String>>,
}

impl<'a> TypeSpace<'a> {
    /// Creates the arena with one entry per component schema, then lowers each of them.
    pub fn new(openapi: &'a OpenAPI, document: Option<&'a Value>) -> Self {
        let mut space = TypeSpace {
            openapi,
            document,
            by_pointer: BTreeMap::new(),
            types: Vec::new(),
            by_name: BTreeMap::new(),
            taken_names: RESERVED_TYPE_NAMES.iter().map(|name| (*name).to_owned()).collect(),
            enums_by_values: BTreeMap::new(),
            pending_tags: Vec::new(),
            properties: Vec::new(),
            merging: Vec::new(),
            diagnostics: Vec::new(),
        };
        let Some(components) = &openapi.components else {
            return space;
        };
        let keys: Vec<&String> = components.schemas.keys().collect();
        let mut names: Vec<String> = keys.iter().map(|k| naming::type_name(k)).collect();
        naming::dedupe(&mut names, &mut space.taken_names);
        for (key, name) in keys.iter().zip(names) {
            let id = space.push(name, format!("{SCHEMA_PREFIX}{}", pointer::escape_token(key)));
            space.by_name.insert((*key).clone(), id);
        }
        for (key, schema) in &components.schemas {
            let Some(&id) = space.by_name.get(key) else { continue };
            let pointer = space.types[id.0].pointer.clone();
            let name = space.types[id.0].name.clone();
            match schema {
                ReferenceOr::Item(schema) => {
                    space.types[id.0].doc = doc_of(schema);
                    space.types[id.0].deprecated = crate::lower::deprecation::deprecation(
                        schema.schema_data.deprecated,
                        &schema.schema_data.extensions,
                    );
                    let lowered = space.lower_schema(schema, &name, &pointer, Some(id));
                    if lowered.ty != TypeRef::Named(id) {
                        space.types[id.0].kind = TypeKind::Alias(lowered.ty);
                    }
                }
                ReferenceOr::Reference { reference } => {
                    let lowered = space.lower_reference(reference, &pointer);
                    space.types[id.0].kind = TypeKind::Alias(lowered.ty);
                }
            }
        }
        space
    }

    /// Runs the passes that need every type: union tags, then boxing of cycles.
    pub fn finish(mut self) -> (Vec<TypeDef>, Vec<Diagnostic>) {
        let pending = std::mem::take(&mut self.pending_tags);
        for tag in pending {
            self.resolve_tag(tag);
        }
        box_cycles(&mut self.types);
        // Loops of `$ref`s alone are reported by validation already.
        let plain_refs: BTreeSet<TypeId> = self
            .by_name
            .iter()
            .filter(|(key, _)| {
                let schemas = self.openapi.components.as_ref().map(|c| &c.schemas);
                matches!(schemas.and_then(|s| s.get(*key)), Some(ReferenceOr::Reference { .. }))
            })
            .map(|(_, id)| *id)
            .collect();
        self.diagnostics.extend(alias_cycles(&self.types, &plain_refs));
        (self.types, self.diagnostics)
    }

    /// Lowers a schema that appears in a parameter, a body or a response.
    pub fn lower(&mut self, schema: &ReferenceOr<Schema>, name_hint: &str, pointer: &str) -> Lowered {
        match schema {
            ReferenceOr::Reference { reference } => self.lower_reference(reference, pointer),
            ReferenceOr::Item(schema) => self.lower_schema(schema, name_hint, pointer, None),
        }
    }

    fn lower_boxed(&mut self, schema: &ReferenceOr<Box<Schema>>, name_hint: &str, pointer: &str) -> Lowered {
        match schema {
            ReferenceOr::Reference { reference } => self.lower_reference(reference, pointer),
            ReferenceOr::Item(schema) => self.lower_schema(schema, name_hint, pointer, None),
        }
    }

    fn lower_reference(&mut self, reference: &str, pointer: &str) -> Lowered {
        let target = reference.strip_prefix(SCHEMA_PREFIX).map(pointer::unescape_token);
        match target
            .as_deref()
            .and_then(|name| self.by_name.get(name).map(|id| (name.to_owned(), *id)))
        {
            Some((name, id)) => {
                let nullable = self
                    .component(&name)
                    .is_some_and(|schema| self.admits_null(schema, reference));
                Lowered {
                    ty: TypeRef::Named(id),
                    nullable,
                }
            }
            None => self.lower_pointer_reference(reference, pointer),
        }
    }

    /// A `$ref` to a schema anywhere else in the document (inside a property, a parameter, …):
    /// the target becomes a named type of its own, made once per pointer.
    fn lower_pointer_reference(&mut self, reference: &str, pointer: &str) -> Lowered {
        if let Some(&id) = self.by_pointer.get(reference) {
            return Lowered {
                ty: TypeRef::Named(id),
                nullable: false,
            };
        }
        let target = self.document.and_then(|doc| pointer::resolve(doc, reference));
        let schema = target.and_then(|value| serde_json::from_value::<ReferenceOr<Schema>>(value.clone()).ok());
        let Some(schema) = schema else {
            self.diagnostics.push(Diagnostic::error(
                pointer::join(pointer, "$ref"),
                format!("`$ref: {reference}` does not point to a schema in this document"),
            ));
            return Lowered {
                ty: TypeRef::Any,
                nullable: false,
            };
        };
        let doc = schema.as_item().and_then(doc_of);
        let id = self.push_inline(&name_from_pointer(reference), reference, doc);
        self.by_pointer.insert(reference.to_owned(), id);
        let name = self.types[id.0].name.clone();
        let lowered = match &schema {
            ReferenceOr::Item(item) => self.lower_schema(item, &name, reference, Some(id)),
            ReferenceOr::Reference { reference: inner } => self.lower_reference(inner, reference),
        };
        if lowered.ty != TypeRef::Named(id) {
            self.types[id.0].kind = TypeKind::Alias(lowered.ty);
        }
        Lowered {
            ty: TypeRef::Named(id),
            nullable: lowered.nullable,
        }
    }

    /// The shape of the value a type holds, following aliases.
    pub fn value_shape(&self, ty: &TypeRef) -> ValueShape {
        match self.resolve_alias(ty) {
            TypeRef::String | TypeRef::Integer | TypeRef::Number | TypeRef::Boolean | TypeRef::DateTime => {
                ValueShape::Scalar
            }
            TypeRef::Object | TypeRef::Map(_) => ValueShape::Object,
            // Only one level: an alias may be an array of itself (reported elsewhere), and an
            // array of arrays is not a scalar array anyway.
            TypeRef::Array(item) if self.is_scalar(item) => ValueShape::ScalarArray,
            TypeRef::Named(id) => match self.types.get(id.0).map(|t| &t.kind) {
                Some(TypeKind::Enum(_)) => ValueShape::Scalar,
                Some(TypeKind::Struct(_)) => ValueShape::Object,
                _ => ValueShape::Other,
            },
            _ => ValueShape::Other,
        }
    }

    fn is_scalar(&self, ty: &TypeRef) -> bool {
        match self.resolve_alias(ty) {
            TypeRef::String | TypeRef::Integer | TypeRef::Number | TypeRef::Boolean | TypeRef::DateTime => true,
            TypeRef::Named(id) => matches!(self.types.get(id.0).map(|t| &t.kind), Some(TypeKind::Enum(_))),
            _ => false,
        }
    }

    fn resolve_alias<'t>(&'t self, ty: &'t TypeRef) -> &'t TypeRef {
        crate::model::resolve_alias(&self.types, ty)
    }

    /// The fields of the struct a type names (following aliases), if it is one.
    pub fn struct_fields(&self, ty: &TypeRef) -> Option<&[Field]> {
        match &self.types.get(self.resolve_alias(ty).direct_named()?.0)?.kind {
            TypeKind::Struct(s) => Some(&s.fields),
            _ => None,
        }
    }

    /// The members of the union a type names (following aliases), by variant name, if it is one.
    pub fn union_members(&self, ty: &TypeRef) -> Option<Vec<(String, TypeRef)>> {
        match &self.types.get(self.resolve_alias(ty).direct_named()?.0)?.kind {
            TypeKind::Union(u) => Some(u.variants.iter().map(|v| (v.name.clone(), v.ty.clone())).collect()),
            _ => None,
        }
    }

    fn component(&self, name: &str) -> Option<&'a Schema> {
        self.openapi.components.as_ref()?.schemas.get(name)?.as_item()
    }

    /// Lowers one schema object. `target` is the arena slot of a component schema, which a
    /// struct, enum or union defined here takes instead of a new slot.
    fn lower_schema(&mut self, schema: &Schema, name_hint: &str, pointer: &str, target: Option<TypeId>) -> Lowered {
        let nullable = schema.schema_data.nullable;
        let view = view_of(schema);
        if view.has_not {
            self.diagnostics.push(Diagnostic::warning(
                pointer::join(pointer, "not"),
                "`not` cannot be expressed as a Rust type; the schema is treated as any JSON value",
            ));
            return Lowered {
                ty: TypeRef::Any,
                nullable,
            };
        }
        let ty = if let Some((members, keyword)) = view.union_members() {
            if let Some(lowered) = self.lower_null_union(members, keyword, name_hint, pointer) {
                return lowered;
            }
            self.lower_union(schema, members, keyword, name_hint, pointer, target)
        } else if !view.all_of.is_empty() {
            return self.lower_all_of(schema, view.all_of, name_hint, pointer, target);
        } else {
            self.lower_typed(schema, &view, name_hint, pointer, target)
        };
        Lowered { ty, nullable }
    }

    /// `anyOf: [X, {nullable: true, enum: [null]}]` (or `oneOf`): 3.0.3's way to say "X or null"
    /// where `nullable` cannot stand beside a `$ref`. It is X, nullable; no union type is made.
    fn lower_null_union(
        &mut self,
        members: &[ReferenceOr<Schema>],
        keyword: &str,
        name_hint: &str,
        pointer: &str,
    ) -> Option<Lowered> {
        let member_pointer = |index: usize| member_pointer(pointer, keyword, index);
        let mut others = members
            .iter()
            .enumerate()
            .filter(|(index, member)| !self.is_null_only(member, &member_pointer(*index)));
        let (index, value) = others.next()?;
        if others.next().is_some() || members.len() == 1 {
            return None;
        }
        let lowered = self.lower(value, name_hint, &member_pointer(index));
        Some(Lowered {
            ty: lowered.ty,
            nullable: true,
        })
    }

    /// Whether a schema (at `pointer`) admits `null`: `nullable: true`, or a null-union.
    fn admits_null(&self, schema: &Schema, pointer: &str) -> bool {
        let view = view_of(schema);
        schema.schema_data.nullable
            || view.union_members().is_some_and(|(members, keyword)| {
                members
                    .iter()
                    .enumerate()
                    .any(|(index, member)| self.is_null_only(member, &member_pointer(pointer, keyword, index)))
            })
    }

    /// Whether a schema admits `null` and nothing else: `nullable: true` with `enum: [null]`, read
    /// from the document where there is one (openapiv3 drops `enum` beside some types).
    fn is_null_only(&self, member: &ReferenceOr<Schema>, member_pointer: &str) -> bool {
        let place = match member {
            ReferenceOr::Reference { reference } => reference.as_str(),
            ReferenceOr::Item(_) => member_pointer,
        };
        if let Some(raw) = self.document.and_then(|document| pointer::resolve(document, place)) {
            return raw.as_object().is_some_and(crate::spec::validate::is_null_only);
        }
        match member {
            ReferenceOr::Item(schema) => schema.schema_data.nullable && view_of(schema).enumeration == [Value::Null],
            ReferenceOr::Reference { .. } => false,
        }
    }

    fn lower_typed(
        &mut self,
        schema: &Schema,
        view: &View<'_>,
        name_hint: &str,
        pointer: &str,
        target: Option<TypeId>,
    ) -> TypeRef {
        let typ = view.typ.or_else(|| infer_type(view));
        match typ {
            Some("string") if !view.enumeration.is_empty() => {
                self.lower_string_enum(schema, view, name_hint, pointer, target)
            }
            Some("string") => match view.format {
                Some("date-time") => TypeRef::DateTime,
                Some("binary") => TypeRef::Bytes,
                _ => TypeRef::String,
            },
            Some("integer") => TypeRef::Integer,
            Some("number") => TypeRef::Number,
            Some("boolean") => TypeRef::Boolean,
            Some("array") => {
                let item = match view.items {
                    Some(items) => {
                        let hint = format!("{name_hint}Item");
                        self.lower_boxed(items, &hint, &pointer::join(pointer, "items")).ty
                    }
                    None => TypeRef::Any,
                };
                TypeRef::Array(Box::new(item))
            }
            Some("object") => self.lower_object(schema, view, name_hint, pointer, target),
            Some(other) => {
                self.diagnostics.push(Diagnostic::error(
                    pointer::join(pointer, "type"),
                    format!("unknown type `{other}`; expected string, integer, number, boolean, array or object"),
                ));
                TypeRef::Any
            }
            None => TypeRef::Any,
        }
    }

    fn push(&mut self, name: String, pointer: String) -> TypeId {
        let id = TypeId(self.types.len());
        self.types.push(TypeDef {
            name,
            doc: None,
            pointer,
            kind: TypeKind::Alias(TypeRef::Any),
            in_request: false,
            in_response: false,
            deprecated: None,
        });
        id
    }

    fn push_inline(&mut self, name_hint: &str, pointer: &str, doc: Option<String>) -> TypeId {
        let mut names = vec![naming::type_name(name_hint)];
        naming::dedupe(&mut names, &mut self.taken_names);
        let name = names.pop().unwrap_or_default();
        let id = self.push(name, pointer.to_owned());
        self.types[id.0].doc = doc;
        id
    }
}

/// `#/paths/~1pets/get/responses/200/content/application~1json/schema/properties/owner` → `Owner`:
/// the last token that is not a structural keyword.
fn name_from_pointer(pointer: &str) -> String {
    const STRUCTURAL: &[&str] = &[
        "schema",
        "schemas",
        "items",
        "properties",
        "content",
        "additionalProperties",
        "allOf",
        "oneOf",
        "anyOf",
        "not",
        "parameters",
        "requestBody",
        "responses",
        "components",
    ];
    let tokens: Vec<String> = pointer
        .trim_start_matches("#/")
        .split('/')
        .map(pointer::unescape_token)
        .collect();
    let meaningful = tokens
        .iter()
        .rev()
        .find(|t| !STRUCTURAL.contains(&t.as_str()) && !t.contains('/') && !t.chars().all(|c| c.is_ascii_digit()));
    naming::type_name(meaningful.map_or("Referenced", String::as_str))
}

/// `#/…/anyOf/2`: the pointer of a union's member.
fn member_pointer(union_pointer: &str, keyword: &str, index: usize) -> String {
    pointer::join(&pointer::join(union_pointer, keyword), &index.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space_of(yaml: &str) -> (Vec<TypeDef>, Vec<Diagnostic>) {
        let openapi: OpenAPI = serde_yaml::from_str(yaml).unwrap();
        TypeSpace::new(&openapi, None).finish()
    }

    #[test]
    fn schemas_that_contain_only_themselves_are_errors() {
        let (_, diagnostics) = space_of(
            r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Tree: {type: array, items: {$ref: '#/components/schemas/Tree'}}
    Table: {type: object, additionalProperties: {$ref: '#/components/schemas/Table'}}
    A: {allOf: [{$ref: '#/components/schemas/B'}]}
    B: {allOf: [{$ref: '#/components/schemas/A'}]}
    C: {$ref: '#/components/schemas/D'}
    D: {type: array, items: {$ref: '#/components/schemas/C'}}
    E: {$ref: '#/components/schemas/E'}
    Node: {type: object, properties: {children: {$ref: '#/components/schemas/Nodes'}}}
    Nodes: {type: array, items: {$ref: '#/components/schemas/Node'}}
"#,
        );
        let pointers: Vec<&str> = diagnostics.iter().map(|d| d.pointer.as_str()).collect();
        // Plain `$ref`s are left to validation, which reports E's loop; C's loop is reported at D.
        // Node and Nodes are fine: the loop passes through an object.
        let expected = ["Tree", "Table", "A", "B", "D"].map(|name| format!("#/components/schemas/{name}"));
        assert_eq!(pointers, expected);
    }

    #[test]
    fn names_the_generated_code_uses_are_not_taken_by_the_spec() {
        let (types, diagnostics) = space_of(
            r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    String: {type: object, properties: {new: {type: string}, name: {type: string}}}
    Option: {type: string, enum: [a, b]}
"#,
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let names: Vec<&str> = types.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["String2", "Option2"]);
        let TypeKind::Struct(def) = &types[0].kind else {
            panic!("not a struct: {:?}", types[0].kind)
        };
        let fields: Vec<(&str, &str)> = def
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.wire_name.as_str()))
            .collect();
        assert_eq!(fields, [("new2", "new"), ("name", "name")]);
    }
}
