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
    pub diagnostics: Vec<Diagnostic>,
}

/// A union whose tag is decided once all member types exist.
struct PendingTag {
    union: TypeId,
    discriminator: Option<openapiv3::Discriminator>,
    /// The raw `$ref` of each member, if it was one.
    member_refs: Vec<Option<String>>,
}

/// A uniform view of the keywords the generator reads, whichever way `openapiv3` parsed them.
pub(crate) struct View<'s> {
    pub(crate) typ: Option<&'s str>,
    pub(crate) format: Option<&'s str>,
    pub(crate) enumeration: Vec<Value>,
    pub(crate) properties: Vec<(&'s String, &'s ReferenceOr<Box<Schema>>)>,
    pub(crate) required: &'s [String],
    pub(crate) additional: Option<&'s AdditionalProperties>,
    pub(crate) items: Option<&'s ReferenceOr<Box<Schema>>>,
    pub(crate) one_of: &'s [ReferenceOr<Schema>],
    pub(crate) any_of: &'s [ReferenceOr<Schema>],
    pub(crate) all_of: &'s [ReferenceOr<Schema>],
    pub(crate) has_not: bool,
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
                let nullable = self.component(&name).is_some_and(|s| s.schema_data.nullable);
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
        let ty = if !view.one_of.is_empty() || !view.any_of.is_empty() {
            let (members, keyword) = if view.one_of.is_empty() {
                (view.any_of, "anyOf")
            } else {
                (view.one_of, "oneOf")
            };
            self.lower_union(schema, members, keyword, name_hint, pointer, target)
        } else if !view.all_of.is_empty() {
            return self.lower_all_of(schema, view.all_of, name_hint, pointer, target);
        } else {
            self.lower_typed(schema, &view, name_hint, pointer, target)
        };
        Lowered { ty, nullable }
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

    fn lower_object(
        &mut self,
        schema: &Schema,
        view: &View<'_>,
        name_hint: &str,
        pointer: &str,
        target: Option<TypeId>,
    ) -> TypeRef {
        if view.properties.is_empty() {
            return match view.additional {
                Some(AdditionalProperties::Schema(inner)) => {
                    let hint = format!("{name_hint}Value");
                    let value = self
                        .lower(inner, &hint, &pointer::join(pointer, "additionalProperties"))
                        .ty;
                    TypeRef::Map(Box::new(value))
                }
                _ => TypeRef::Object,
            };
        }
        let id = target.unwrap_or_else(|| self.push_inline(name_hint, pointer, doc_of(schema)));
        let name = self.types[id.0].name.clone();
        let mut fields = Vec::new();
        for (wire, property) in &view.properties {
            let property_pointer = pointer::join(&pointer::join(pointer, "properties"), wire);
            let hint = format!("{name}{}", naming::type_name(wire));
            self.properties.push(wire.to_string());
            let lowered = self.lower_boxed(property, &hint, &property_pointer);
            self.properties.pop();
            fields.push(Field {
                name: naming::field_name(wire),
                wire_name: (*wire).clone(),
                ty: lowered.ty,
                required: view.required.contains(wire),
                nullable: lowered.nullable,
                doc: property.as_item().and_then(|s| doc_of(s)),
                boxed: false,
            });
        }
        self.check_required(view, pointer);
        let additional = match view.additional {
            Some(AdditionalProperties::Any(true)) => Some(TypeRef::Any),
            Some(AdditionalProperties::Schema(inner)) => {
                let hint = format!("{name}Extra");
                Some(
                    self.lower(inner, &hint, &pointer::join(pointer, "additionalProperties"))
                        .ty,
                )
            }
            _ => None,
        };
        dedupe_field_names(&mut fields, additional.is_some());
        let closed = matches!(view.additional, Some(AdditionalProperties::Any(false)));
        self.types[id.0].kind = TypeKind::Struct(StructDef {
            fields,
            additional,
            closed,
        });
        TypeRef::Named(id)
    }

    /// A name in `required` that is not a property is almost always a typo; JSON Schema allows it,
    /// so it is a warning.
    fn check_required(&mut self, view: &View<'_>, pointer: &str) {
        for (index, name) in view.required.iter().enumerate() {
            if !view.properties.iter().any(|(wire, _)| *wire == name) {
                self.diagnostics.push(Diagnostic::warning(
                    pointer::join(&pointer::join(pointer, "required"), &index.to_string()),
                    format!("`{name}` is listed in `required` but is not a property; it is ignored"),
                ));
            }
        }
    }

    fn lower_string_enum(
        &mut self,
        schema: &Schema,
        view: &View<'_>,
        name_hint: &str,
        pointer: &str,
        target: Option<TypeId>,
    ) -> TypeRef {
        let mut values: Vec<String> = Vec::new();
        for value in &view.enumeration {
            // A repeated value would make two match arms for one string.
            if let Value::String(s) = value {
                if !values.contains(s) {
                    values.push(s.clone());
                }
            }
        }
        if target.is_none() {
            if let Some(&id) = self.enums_by_values.get(&values) {
                return TypeRef::Named(id);
            }
        }
        // An inline constant such as `object: {enum: [list]}` recurs in many schemas and is
        // shared, so it is named after its value and property (`ListObject`), not its first user.
        let shared_name = match (values.as_slice(), self.properties.last()) {
            ([only], Some(property)) => Some(format!("{only} {property}")),
            _ => None,
        };
        let hint = shared_name.as_deref().unwrap_or(name_hint);
        let id = target.unwrap_or_else(|| self.push_inline(hint, pointer, doc_of(schema)));
        if target.is_none() {
            self.enums_by_values.insert(values.clone(), id);
        }
        let mut names: Vec<String> = values
            .iter()
            .map(|v| {
                if v.is_empty() {
                    "Empty".to_owned()
                } else {
                    naming::type_name(v)
                }
            })
            .collect();
        naming::dedupe(&mut names, &mut BTreeSet::from(["Unknown".to_owned()]));
        let variants = values
            .into_iter()
            .zip(names)
            .map(|(wire, name)| EnumVariant { name, wire })
            .collect();
        self.types[id.0].kind = TypeKind::Enum(EnumDef { variants });
        TypeRef::Named(id)
    }

    fn lower_union(
        &mut self,
        schema: &Schema,
        members: &[ReferenceOr<Schema>],
        keyword: &str,
        name_hint: &str,
        pointer: &str,
        target: Option<TypeId>,
    ) -> TypeRef {
        if members.len() == 1 && target.is_none() {
            return self
                .lower(
                    &members[0],
                    name_hint,
                    &pointer::join(&pointer::join(pointer, keyword), "0"),
                )
                .ty;
        }
        let id = target.unwrap_or_else(|| self.push_inline(name_hint, pointer, doc_of(schema)));
        let name = self.types[id.0].name.clone();
        let mut variants = Vec::new();
        let mut member_refs = Vec::new();
        for (index, member) in members.iter().enumerate() {
            let member_pointer = pointer::join(&pointer::join(pointer, keyword), &index.to_string());
            let variant_name = shorten_variant_name(&self.variant_name(member), &name);
            let hint = format!("{name}{variant_name}");
            let lowered = self.lower(member, &hint, &member_pointer);
            variants.push(UnionVariant {
                name: variant_name,
                ty: lowered.ty,
                tag_value: None,
                boxed: false,
            });
            member_refs.push(match member {
                ReferenceOr::Reference { reference } => Some(reference.clone()),
                ReferenceOr::Item(_) => None,
            });
        }
        let mut names: Vec<String> = variants.iter().map(|v| v.name.clone()).collect();
        naming::dedupe(&mut names, &mut BTreeSet::from(["Unknown".to_owned()]));
        for (variant, name) in variants.iter_mut().zip(names) {
            variant.name = name;
        }
        self.types[id.0].kind = TypeKind::Union(UnionDef { variants, tag: None });
        self.pending_tags.push(PendingTag {
            union: id,
            discriminator: schema.schema_data.discriminator.clone(),
            member_refs,
        });
        TypeRef::Named(id)
    }

    /// A readable variant name: the referenced type's name, the member's title, or its JSON type.
    fn variant_name(&self, member: &ReferenceOr<Schema>) -> String {
        match member {
            ReferenceOr::Reference { reference } => {
                let target = reference.strip_prefix(SCHEMA_PREFIX).map(pointer::unescape_token);
                match target.and_then(|name| self.by_name.get(&name)) {
                    Some(id) => self.types[id.0].name.clone(),
                    None => "Other".to_owned(),
                }
            }
            ReferenceOr::Item(schema) => {
                if let Some(title) = &schema.schema_data.title {
                    return naming::type_name(title);
                }
                let view = view_of(schema);
                match view.typ.or_else(|| infer_type(&view)) {
                    Some("string") if view.format == Some("date-time") => "DateTime".to_owned(),
                    Some("array") => match view.items {
                        Some(ReferenceOr::Item(item)) => {
                            let item_view = view_of(item);
                            let item_type = item_view.typ.or_else(|| infer_type(&item_view)).unwrap_or("value");
                            format!("{}List", naming::type_name(item_type))
                        }
                        Some(ReferenceOr::Reference { reference }) => {
                            let item = ReferenceOr::Reference {
                                reference: reference.clone(),
                            };
                            format!("{}List", self.variant_name(&item))
                        }
                        None => "List".to_owned(),
                    },
                    Some("object") if view.properties.is_empty() => match view.additional {
                        Some(AdditionalProperties::Schema(_)) => "Map".to_owned(),
                        _ => "Object".to_owned(),
                    },
                    Some(typ) => naming::type_name(typ),
                    None => "Value".to_owned(),
                }
            }
        }
    }

    /// `allOf` with one member is that member (often used to add `nullable` or a description to
    /// a `$ref`); with several, the object members are merged into one struct.
    fn lower_all_of(
        &mut self,
        schema: &Schema,
        members: &[ReferenceOr<Schema>],
        name_hint: &str,
        pointer: &str,
        target: Option<TypeId>,
    ) -> Lowered {
        let nullable = schema.schema_data.nullable;
        if members.len() == 1 {
            let inner = self.lower(
                &members[0],
                name_hint,
                &pointer::join(&pointer::join(pointer, "allOf"), "0"),
            );
            return Lowered {
                ty: inner.ty,
                nullable: nullable || inner.nullable,
            };
        }
        let mut merged = openapiv3::ObjectType::default();
        for (index, member) in members.iter().enumerate() {
            let member_pointer = pointer::join(&pointer::join(pointer, "allOf"), &index.to_string());
            let resolved = match member {
                ReferenceOr::Item(s) => Some(s),
                ReferenceOr::Reference { reference } => reference
                    .strip_prefix(SCHEMA_PREFIX)
                    .map(pointer::unescape_token)
                    .and_then(|n| self.component(&n)),
            };
            let Some(member_schema) = resolved else {
                self.diagnostics.push(Diagnostic::error(
                    member_pointer.clone(),
                    "allOf member does not resolve to a schema",
                ));
                continue;
            };
            let member_view = view_of(member_schema);
            if member_view.properties.is_empty() && !member_view.all_of.is_empty() {
                self.diagnostics.push(Diagnostic::warning(
                    member_pointer.clone(),
                    "nested allOf is not merged; its properties are skipped",
                ));
            }
            for (key, value) in member_view.properties {
                // A property two members define differently: the later definition wins, as in
                // most generators, but the spec author should know.
                if merged.properties.get(key).is_some_and(|earlier| earlier != value) {
                    self.diagnostics.push(Diagnostic::warning(
                        pointer::join(&pointer::join(&member_pointer, "properties"), key),
                        format!("property `{key}` is defined differently by an earlier allOf member; this definition is used"),
                    ));
                }
                merged.properties.insert(key.clone(), value.clone());
            }
            for key in member_view.required {
                if !merged.required.contains(key) {
                    merged.required.push(key.clone());
                }
            }
            if member_view.additional.is_some() {
                merged.additional_properties = member_view.additional.cloned();
            }
        }
        let merged_schema = Schema {
            schema_data: schema.schema_data.clone(),
            schema_kind: SchemaKind::Type(Type::Object(merged)),
        };
        let merged_view = view_of(&merged_schema);
        let ty = self.lower_object(&merged_schema, &merged_view, name_hint, pointer, target);
        Lowered { ty, nullable }
    }

    /// Decides how a union tells its variants apart, now that every member type exists.
    fn resolve_tag(&mut self, pending: PendingTag) {
        let TypeKind::Union(union) = &self.types[pending.union.0].kind else {
            return;
        };
        let mut union = union.clone();
        let property = match &pending.discriminator {
            Some(d) => Some(d.property_name.clone()),
            None => self.common_const_property(&union),
        };
        let Some(property) = property else { return };
        let mut values = Vec::new();
        for (variant, member_ref) in union.variants.iter().zip(&pending.member_refs) {
            let from_mapping = pending.discriminator.as_ref().and_then(|d| {
                d.mapping
                    .iter()
                    .find(|(_, target)| Some(*target) == member_ref.as_ref())
                    .map(|(value, _)| value.clone())
            });
            let value = from_mapping
                .or_else(|| self.const_value(&variant.ty, &property))
                .or_else(|| {
                    member_ref
                        .as_ref()
                        .and_then(|r| r.strip_prefix(SCHEMA_PREFIX).map(pointer::unescape_token))
                });
            values.push(value);
        }
        let distinct: BTreeSet<&String> = values.iter().flatten().collect();
        if distinct.len() != values.len() {
            self.diagnostics.push(Diagnostic::warning(
                self.types[pending.union.0].pointer.clone(),
                format!("cannot find a distinct `{property}` value for every member; the union is decoded by trying each member in order"),
            ));
            return;
        }
        let mut names: Vec<String> = values.iter().flatten().map(|v| naming::type_name(v)).collect();
        naming::dedupe(&mut names, &mut BTreeSet::from(["Unknown".to_owned()]));
        for ((variant, value), name) in union.variants.iter_mut().zip(values).zip(names) {
            variant.tag_value = value;
            variant.name = name;
        }
        union.tag = Some(property);
        self.types[pending.union.0].kind = TypeKind::Union(union);
    }

    /// A property that every member declares as a single-value enum, with distinct values.
    fn common_const_property(&self, union: &UnionDef) -> Option<String> {
        let first = union.variants.first()?.ty.direct_named()?;
        let TypeKind::Struct(first_struct) = &self.types[first.0].kind else {
            return None;
        };
        first_struct.fields.iter().map(|f| f.wire_name.clone()).find(|wire| {
            let values: Vec<Option<String>> = union.variants.iter().map(|v| self.const_value(&v.ty, wire)).collect();
            let distinct: BTreeSet<&String> = values.iter().flatten().collect();
            values.iter().all(Option::is_some) && distinct.len() == values.len()
        })
    }

    /// The only value a struct's property may take, when it is a single-value enum.
    fn const_value(&self, ty: &TypeRef, property: &str) -> Option<String> {
        let TypeKind::Struct(s) = &self.types[ty.direct_named()?.0].kind else {
            return None;
        };
        let field = s.fields.iter().find(|f| f.wire_name == property)?;
        let TypeKind::Enum(e) = &self.types[field.ty.direct_named()?.0].kind else {
            return None;
        };
        match e.variants.as_slice() {
            [only] => Some(only.wire.clone()),
            _ => None,
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

pub(crate) fn view_of(schema: &Schema) -> View<'_> {
    let mut v = View {
        typ: None,
        format: None,
        enumeration: Vec::new(),
        properties: Vec::new(),
        required: &[],
        additional: None,
        items: None,
        one_of: &[],
        any_of: &[],
        all_of: &[],
        has_not: false,
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => {
            v.typ = Some("string");
            v.format = match &s.format {
                openapiv3::VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => Some("date-time"),
                openapiv3::VariantOrUnknownOrEmpty::Item(StringFormat::Date) => Some("date"),
                openapiv3::VariantOrUnknownOrEmpty::Item(StringFormat::Binary) => Some("binary"),
                openapiv3::VariantOrUnknownOrEmpty::Item(StringFormat::Byte) => Some("byte"),
                openapiv3::VariantOrUnknownOrEmpty::Item(StringFormat::Password) => Some("password"),
                openapiv3::VariantOrUnknownOrEmpty::Unknown(f) => Some(f.as_str()),
                openapiv3::VariantOrUnknownOrEmpty::Empty => None,
            };
            v.enumeration = s
                .enumeration
                .iter()
                .flatten()
                .map(|s| Value::String(s.clone()))
                .collect();
        }
        SchemaKind::Type(Type::Integer(_)) => v.typ = Some("integer"),
        SchemaKind::Type(Type::Number(_)) => v.typ = Some("number"),
        SchemaKind::Type(Type::Boolean(_)) => v.typ = Some("boolean"),
        SchemaKind::Type(Type::Array(a)) => {
            v.typ = Some("array");
            v.items = a.items.as_ref();
        }
        SchemaKind::Type(Type::Object(o)) => {
            v.typ = Some("object");
            v.properties = o.properties.iter().collect();
            v.required = &o.required;
            v.additional = o.additional_properties.as_ref();
        }
        SchemaKind::OneOf { one_of } => v.one_of = one_of,
        SchemaKind::AnyOf { any_of } => v.any_of = any_of,
        SchemaKind::AllOf { all_of } => v.all_of = all_of,
        SchemaKind::Not { .. } => v.has_not = true,
        SchemaKind::Any(any) => {
            v.typ = any.typ.as_deref();
            v.format = any.format.as_deref();
            v.enumeration = any.enumeration.clone();
            v.properties = any.properties.iter().collect();
            v.required = &any.required;
            v.additional = any.additional_properties.as_ref();
            v.items = any.items.as_ref();
            v.one_of = &any.one_of;
            v.any_of = &any.any_of;
            v.all_of = &any.all_of;
            v.has_not = any.not.is_some();
        }
    }
    v
}

/// A schema without `type` but with object or array keywords is meant as that type.
fn infer_type(view: &View<'_>) -> Option<&'static str> {
    if !view.properties.is_empty() || view.additional.is_some() {
        Some("object")
    } else if view.items.is_some() {
        Some("array")
    } else if !view.enumeration.is_empty() && view.enumeration.iter().all(Value::is_string) {
        Some("string")
    } else {
        None
    }
}

/// `EvaluationStandaloneCreateRequest` in `EvaluationCreateRequest` → `Standalone`: the words a
/// variant shares with the start and end of its union's name say nothing at the use site.
fn shorten_variant_name(variant: &str, union: &str) -> String {
    let variant_words = pascal_words(variant);
    let union_words = pascal_words(union);
    let prefix = variant_words
        .iter()
        .zip(&union_words)
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = variant_words
        .iter()
        .rev()
        .zip(union_words.iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    if prefix + suffix >= variant_words.len() {
        return variant.to_owned();
    }
    let short: String = variant_words[prefix..variant_words.len() - suffix].concat();
    match short.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => short,
        _ => variant.to_owned(),
    }
}

/// `EvaluationCreateRequest` → `["Evaluation", "Create", "Request"]`.
fn pascal_words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for c in name.chars() {
        match words.last_mut() {
            Some(word) if !c.is_ascii_uppercase() => word.push(c),
            _ => words.push(c.to_string()),
        }
    }
    words
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

fn doc_of(schema: &Schema) -> Option<String> {
    schema
        .schema_data
        .description
        .clone()
        .or_else(|| schema.schema_data.title.clone())
}

/// Properties such as `foo-bar` and `foo_bar` map to the same Rust name; later ones get a number.
/// `new` is taken too: an optional field's setter is named after it, beside the constructor `new`.
fn dedupe_field_names(fields: &mut [Field], has_additional: bool) {
    let mut taken = BTreeSet::from(["new".to_owned()]);
    if has_additional {
        taken.insert("additional_properties".to_owned());
    }
    let mut names: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
    naming::dedupe(&mut names, &mut taken);
    for (field, name) in fields.iter_mut().zip(names) {
        field.name = name;
    }
}

/// Boxes every struct field and union variant whose type leads back to its owner without
/// passing through a `Vec` or a map, so recursive types have a finite size.
fn box_cycles(types: &mut [TypeDef]) {
    let direct_edges: Vec<Vec<TypeId>> = types.iter().map(|t| direct_children(&t.kind)).collect();
    for (owner, def) in types.iter_mut().enumerate() {
        let owner_id = TypeId(owner);
        match &mut def.kind {
            TypeKind::Struct(s) => {
                for field in &mut s.fields {
                    if let Some(child) = field.ty.direct_named() {
                        field.boxed = reaches(&direct_edges, child, owner_id);
                    }
                }
            }
            TypeKind::Union(u) => {
                for variant in &mut u.variants {
                    if let Some(child) = variant.ty.direct_named() {
                        variant.boxed = reaches(&direct_edges, child, owner_id);
                    }
                }
            }
            _ => {}
        }
    }
}

/// A named schema that is only an array, a map or another name of itself, with no object in between
/// (`Tree: {type: array, items: {$ref: Tree}}`, or `A: {allOf: [$ref: B]}` with `B: {allOf: [$ref: A]}`),
/// would become a Rust type alias that contains itself, which Rust rejects. Each such schema is an error,
/// except those in `skip`.
fn alias_cycles(types: &[TypeDef], skip: &BTreeSet<TypeId>) -> Vec<Diagnostic> {
    let alias_edges: Vec<Vec<TypeId>> = types
        .iter()
        .map(|def| {
            let mut targets = Vec::new();
            if let TypeKind::Alias(target) = &def.kind {
                target.named_ids(&mut targets);
            }
            targets
        })
        .collect();
    let mut diagnostics = Vec::new();
    for (index, def) in types.iter().enumerate() {
        let Some(targets) = alias_edges.get(index).filter(|_| !skip.contains(&TypeId(index))) else {
            continue;
        };
        if targets
            .iter()
            .any(|&target| reaches(&alias_edges, target, TypeId(index)))
        {
            diagnostics.push(Diagnostic::error(
                def.pointer.clone(),
                format!(
                    "schema `{}` contains itself with no object in between (through `$ref`, `allOf`, `items` or \
                     `additionalProperties`), which no Rust type can express; make a schema on the loop an object",
                    def.name
                ),
            ));
        }
    }
    diagnostics
}

fn direct_children(kind: &TypeKind) -> Vec<TypeId> {
    match kind {
        TypeKind::Struct(s) => s.fields.iter().filter_map(|f| f.ty.direct_named()).collect(),
        TypeKind::Union(u) => u.variants.iter().filter_map(|v| v.ty.direct_named()).collect(),
        TypeKind::Alias(t) => t.direct_named().into_iter().collect(),
        TypeKind::Enum(_) => Vec::new(),
    }
}

fn reaches(edges: &[Vec<TypeId>], from: TypeId, to: TypeId) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from];
    while let Some(next) = stack.pop() {
        if next == to {
            return true;
        }
        if seen.insert(next) {
            if let Some(children) = edges.get(next.0) {
                stack.extend(children.iter().copied());
            }
        }
    }
    false
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
