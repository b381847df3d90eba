//! Token helpers shared by the emitters: Rust types for model types, and doc comments.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{ApiModel, EnumDef, TypeDef, TypeKind, TypeRef, UnionDef};
use crate::naming::ident;

/// The Rust type for a model type. `qualify` prefixes named types with `crate::types::`, for
/// code outside the types module.
pub fn rust_type(model: &ApiModel, ty: &TypeRef, qualify: bool) -> TokenStream {
    match ty {
        TypeRef::String | TypeRef::Bytes => quote!(String),
        TypeRef::Integer => quote!(i64),
        TypeRef::Number => quote!(f64),
        TypeRef::Boolean => quote!(bool),
        TypeRef::DateTime => quote!(chrono::DateTime<chrono::Utc>),
        TypeRef::Any => quote!(serde_json::Value),
        TypeRef::Object => quote!(serde_json::Map<String, serde_json::Value>),
        TypeRef::Array(inner) => {
            let inner = rust_type(model, inner, qualify);
            quote!(Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let inner = rust_type(model, inner, qualify);
            quote!(std::collections::BTreeMap<String, #inner>)
        }
        TypeRef::Named(id) => {
            let name = ident(model.types.get(id.0).map_or("UnknownType", |t| t.name.as_str()));
            if qualify {
                quote!(crate::types::#name)
            } else {
                quote!(#name)
            }
        }
    }
}

/// `#[doc = "…"]` lines for a description. Leading indentation is removed and bare code fences
/// are marked `text`, so that spec prose never turns into doctests.
pub fn doc_attrs(text: Option<&str>) -> TokenStream {
    let Some(text) = text else { return TokenStream::new() };
    let lines = doc_lines(text);
    quote!(#(#[doc = #lines])*)
}

/// Like [`doc_attrs`], for the inner `//!` docs of a module.
pub fn inner_doc_attrs(text: &str) -> TokenStream {
    let lines = doc_lines(text);
    quote!(#(#![doc = #lines])*)
}

fn doc_lines(text: &str) -> Vec<String> {
    // A lone carriage return is a line break too: left inside a `///` line, rustc rejects it.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = text.trim_end().lines().collect();
    let common_indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| indent_of(l))
        .min()
        .unwrap_or(0);
    let mut in_fence = false;
    lines
        .iter()
        .map(|line| {
            if line.trim().is_empty() {
                return String::new();
            }
            // Relative indentation is kept (list continuations need it) but capped below four
            // spaces, so that no line becomes an indented code block.
            let indent = (indent_of(line) - common_indent).min(3);
            let content = line.trim();
            let content = if content.starts_with("```") {
                let opening = !in_fence;
                in_fence = !in_fence;
                if opening && content == "```" {
                    "```text"
                } else {
                    content
                }
            } else {
                content
            };
            format!(" {}{content}", " ".repeat(indent))
        })
        .collect()
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}
/// A string enum with a single value: a constant that needs no argument in constructors.
pub fn is_constant(model: &ApiModel, ty: &TypeRef) -> bool {
    let Some(id) = ty.direct_named() else { return false };
    matches!(model.types.get(id.0).map(|t| &t.kind), Some(TypeKind::Enum(e)) if e.variants.len() == 1)
}

/// `#[deprecated(note = "…")]` for what the spec deprecates. The generated modules allow
/// `deprecated` themselves, so only users' code is warned.
pub fn deprecated_attr(note: Option<&str>) -> TokenStream {
    match note {
        Some(note) => quote!(#[deprecated(note = #note)]),
        None => TokenStream::new(),
    }
}

/// Whether the union a type names keeps members this client does not know (an `Unknown` variant):
/// tagged unions that responses carry, so that a new tag value does not break decoding.
pub fn union_is_open(model: &ApiModel, ty: &TypeRef) -> bool {
    let ty = crate::model::resolve_alias(&model.types, ty);
    match ty.direct_named().and_then(|id| model.types.get(id.0)) {
        Some(
            def @ TypeDef {
                kind: TypeKind::Union(union),
                ..
            },
        ) => is_open_union(def, union),
        _ => false,
    }
}

/// Whether a union is tagged (every member has a tag value).
pub fn is_tagged_union(union: &UnionDef) -> bool {
    union.tag.is_some() && union.variants.iter().all(|v| v.tag_value.is_some())
}

/// See [`union_is_open`].
pub fn is_open_union(def: &TypeDef, union: &UnionDef) -> bool {
    is_tagged_union(union) && def.in_response
}

/// Whether a union is `#[non_exhaustive]`: tagged ones are, so that a member can be added (or an
/// `Unknown` one, once responses carry the union) without breaking users' `match`es.
pub fn is_non_exhaustive_union(union: &UnionDef) -> bool {
    is_tagged_union(union)
}

/// Whether a string enum is open: `#[non_exhaustive]`, with an `Unknown` variant that keeps values
/// this client does not know. Enums that responses use are, because the API adds values over
/// time; single-value enums are constants and stay closed.
pub fn is_open_enum(def: &TypeDef, e: &EnumDef) -> bool {
    def.in_response && e.variants.len() > 1
}

#[cfg(test)]
mod tests {
    use super::doc_lines;

    #[test]
    fn carriage_returns_break_lines() {
        assert_eq!(doc_lines("one\rtwo\r\nthree"), [" one", " two", " three"]);
    }
}
