//! Objects: properties become fields, `additionalProperties` a map or a catch-all field.

use super::*;

impl TypeSpace<'_> {
    pub(super) fn lower_object(
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
                deprecated: property.as_item().and_then(|s| {
                    crate::lower::deprecation::deprecation(s.schema_data.deprecated, &s.schema_data.extensions)
                }),
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
    pub(super) fn check_required(&mut self, view: &View<'_>, pointer: &str) {
        for (index, name) in view.required.iter().enumerate() {
            if !view.properties.iter().any(|(wire, _)| *wire == name) {
                self.diagnostics.push(Diagnostic::warning(
                    pointer::join(&pointer::join(pointer, "required"), &index.to_string()),
                    format!("`{name}` is listed in `required` but is not a property; it is ignored"),
                ));
            }
        }
    }
}

/// Properties such as `foo-bar` and `foo_bar` map to the same Rust name; later ones get a number.
/// `new` is taken too: an optional field's setter is named after it, beside the constructor `new`.
pub(super) fn dedupe_field_names(fields: &mut [Field], has_additional: bool) {
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
