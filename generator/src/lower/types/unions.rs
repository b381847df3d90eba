//! `oneOf` / `anyOf`: a Rust enum with one variant per member, tagged when a discriminator (or a
//! property every member fixes to one value) says which member an object is.

use super::*;

impl TypeSpace<'_> {
    pub(super) fn lower_union(
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
                .lower(&members[0], name_hint, &member_pointer(pointer, keyword, 0))
                .ty;
        }
        let id = target.unwrap_or_else(|| self.push_inline(name_hint, pointer, doc_of(schema)));
        let name = self.types[id.0].name.clone();
        let mut variants = Vec::new();
        let mut member_refs = Vec::new();
        for (index, member) in members.iter().enumerate() {
            let member_pointer = member_pointer(pointer, keyword, index);
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
    pub(super) fn variant_name(&self, member: &ReferenceOr<Schema>) -> String {
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

    /// Decides how a union tells its variants apart, now that every member type exists.
    pub(super) fn resolve_tag(&mut self, pending: PendingTag) {
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
    pub(super) fn common_const_property(&self, union: &UnionDef) -> Option<String> {
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
    pub(super) fn const_value(&self, ty: &TypeRef, property: &str) -> Option<String> {
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
}

/// `EvaluationStandaloneCreateRequest` in `EvaluationCreateRequest` → `Standalone`: the words a
/// variant shares with the start and end of its union's name say nothing at the use site.
pub(super) fn shorten_variant_name(variant: &str, union: &str) -> String {
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
pub(super) fn pascal_words(name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for c in name.chars() {
        match words.last_mut() {
            Some(word) if !c.is_ascii_uppercase() => word.push(c),
            _ => words.push(c.to_string()),
        }
    }
    words
}
