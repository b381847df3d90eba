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
        for (index, value) in view.enumeration.iter().enumerate() {
            let text = match value {
                Value::String(text) => text.clone(),
                // `null` in a nullable enum is the absence of a value, not a variant.
                Value::Null => continue,
                // A number or boolean under `type: string` (common in hand-written specs) is kept
                // as the text it stands for, so no value is dropped without a word.
                Value::Number(_) | Value::Bool(_) => {
                    let text = value.to_string();
                    self.diagnostics.push(Diagnostic::warning(
                        pointer::join(&pointer::join(pointer, "enum"), &index.to_string()),
                        format!("enum value {value} is not a string under `type: string`; it is kept as the string \"{text}\""),
                    ));
                    text
                }
                Value::Array(_) | Value::Object(_) => {
                    self.diagnostics.push(Diagnostic::warning(
                        pointer::join(&pointer::join(pointer, "enum"), &index.to_string()),
                        "a list or mapping cannot be a value of a string enum; it is left out",
                    ));
                    continue;
                }
            };
            // A repeated value would make two match arms for one string.
            if !values.contains(&text) {
                values.push(text);
            }
        }
        // An enum with no value left would be an empty Rust enum, which the code around it cannot
        // match on: the values are then any string.
        if values.is_empty() {
            return TypeRef::String;
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
