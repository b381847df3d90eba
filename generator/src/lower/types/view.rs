//! A uniform view of the keywords the generator reads, whichever way `openapiv3` parsed a schema.

use super::*;

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

impl<'s> View<'s> {
    /// The members of a `oneOf` (or else an `anyOf`) and that keyword, if the schema is a union.
    pub(crate) fn union_members(&self) -> Option<(&'s [ReferenceOr<Schema>], &'static str)> {
        if !self.one_of.is_empty() {
            Some((self.one_of, "oneOf"))
        } else if !self.any_of.is_empty() {
            Some((self.any_of, "anyOf"))
        } else {
            None
        }
    }
}

/// A schema without `type` but with object or array keywords is meant as that type.
pub(super) fn infer_type(view: &View<'_>) -> Option<&'static str> {
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

pub(super) fn doc_of(schema: &Schema) -> Option<String> {
    schema
        .schema_data
        .description
        .clone()
        .or_else(|| schema.schema_data.title.clone())
}
