//! `allOf`: the members' properties merged into one struct, or a reference when there is one member
//! (or one member beside members that only annotate it).

use super::*;

impl TypeSpace<'_> {
    /// `allOf` with one member is that member (often used to add `nullable` or a description to
    /// a `$ref`); with several, the object members are merged into one struct.
    pub(super) fn lower_all_of(
        &mut self,
        schema: &Schema,
        members: &[ReferenceOr<Schema>],
        name_hint: &str,
        pointer: &str,
        target: Option<TypeId>,
    ) -> Lowered {
        let nullable = schema.schema_data.nullable;
        // `allOf: [{$ref: X}, {description: …}]` is X with a description: a reference, never a copy
        // of X's properties (copying them would recurse without end when X contains it).
        let mut substantial = members.iter().enumerate().filter(|(_, m)| !only_annotates(m));
        let single = match (substantial.next(), substantial.next()) {
            (Some((index, member)), None) => Some((index, member)),
            (None, None) => members.first().map(|member| (0, member)),
            _ => None,
        };
        if let Some((index, member)) = single {
            let inner = self.lower(
                member,
                name_hint,
                &pointer::join(&pointer::join(pointer, "allOf"), &index.to_string()),
            );
            return Lowered {
                ty: inner.ty,
                nullable: nullable || inner.nullable,
            };
        }
        let mut merged = openapiv3::ObjectType::default();
        let mut merging = Vec::new();
        for (index, member) in members.iter().enumerate() {
            let member_pointer = pointer::join(&pointer::join(pointer, "allOf"), &index.to_string());
            let component = match member {
                ReferenceOr::Reference { reference } => {
                    reference.strip_prefix(SCHEMA_PREFIX).map(pointer::unescape_token)
                }
                ReferenceOr::Item(_) => None,
            };
            let merging_again = |name: &&String| self.merging.contains(name) && self.may_merge_again(name);
            if let Some(name) = component.as_ref().filter(merging_again) {
                // Merging this member again would copy its properties into a new type at every
                // level, without end: the recursive part refers to the type being defined.
                self.diagnostics.push(Diagnostic::warning(
                    member_pointer.clone(),
                    format!(
                        "allOf reaches `{name}` again while merging it; the allOf is read as `{name}` (its other members are not merged)"
                    ),
                ));
                let id = self.by_name.get(name).copied();
                self.merging.truncate(self.merging.len() - merging.len());
                return Lowered {
                    ty: id.map_or(TypeRef::Any, TypeRef::Named),
                    nullable,
                };
            }
            let resolved = match member {
                ReferenceOr::Item(s) => Some(s),
                ReferenceOr::Reference { .. } => component.as_deref().and_then(|n| self.component(n)),
            };
            if let Some(name) = component {
                merging.push(name.clone());
                self.merging.push(name);
            }
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
        self.merging.truncate(self.merging.len() - merging.len());
        Lowered { ty, nullable }
    }
}

impl TypeSpace<'_> {
    /// Whether merging component `name` can lead to merging it again: its schema has an `allOf`
    /// inside (a schema without one, merged twice on one path, is copied twice and that is all).
    fn may_merge_again(&self, name: &str) -> bool {
        let place = format!("{SCHEMA_PREFIX}{}", pointer::escape_token(name));
        match self.document.and_then(|document| pointer::resolve(document, &place)) {
            Some(raw) => contains_key(raw, "allOf"),
            None => true,
        }
    }
}

/// Whether `key` is a key of any mapping inside `value`.
fn contains_key(value: &Value, key: &str) -> bool {
    match value {
        Value::Object(map) => map.contains_key(key) || map.values().any(|v| contains_key(v, key)),
        Value::Array(items) => items.iter().any(|v| contains_key(v, key)),
        _ => false,
    }
}

/// Whether an `allOf` member only annotates the others (a description, a title, an example, …)
/// and adds no structure of its own.
fn only_annotates(member: &ReferenceOr<Schema>) -> bool {
    let ReferenceOr::Item(schema) = member else {
        return false;
    };
    let view = view_of(schema);
    matches!(&schema.schema_kind, SchemaKind::Any(any) if any.typ.is_none())
        && view.properties.is_empty()
        && view.additional.is_none()
        && view.items.is_none()
        && view.one_of.is_empty()
        && view.any_of.is_empty()
        && view.all_of.is_empty()
        && !view.has_not
        && view.enumeration.is_empty()
}
