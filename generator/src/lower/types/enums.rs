//! String enums: each value a variant, with an `Unknown` variant for values added later.

use super::*;

impl TypeSpace<'_> {
    pub(super) fn lower_string_enum(
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
        let mut names: Vec<String> = values.iter().map(|v| naming::variant_name(v)).collect();
        naming::dedupe(&mut names, &mut BTreeSet::from(["Unknown".to_owned()]));
        let variants = values
            .into_iter()
            .zip(names)
            .map(|(wire, name)| EnumVariant { name, wire })
            .collect();
        self.types[id.0].kind = TypeKind::Enum(EnumDef { variants });
        TypeRef::Named(id)
    }
}
