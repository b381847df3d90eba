//! `allOf`: the members' properties merged into one struct, or a reference when there is one member.

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
}
