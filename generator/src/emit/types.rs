//! Emits `types.rs`: one Rust item per model type.
//!
//! ```text
//! struct  → #[non_exhaustive] pub struct X { pub f: T, … } + X::new(required…) + setters
//! enum    → pub enum X { A, B, Unknown(String) } (the fallback only when responses use it)
//! union   → #[serde(untagged)] pub enum X { A(A), B(B) } (for `Serialize`), with a `Deserialize`
//!           that decodes the member from the captured JSON: by the tag when there is one, else
//!           the first member that decodes
//! alias   → pub type X = T;
//! ```

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::common::{
    deprecated_attr, doc_attrs, is_constant, is_non_exhaustive_union, is_open_enum, is_open_union, is_tagged_union,
    rust_type,
};
use crate::model::{ApiModel, EnumDef, Field, StructDef, TypeDef, TypeKind, UnionDef};
use crate::naming::ident;

/// The whole of `types.rs` at once (the pipeline emits it in parts; tests compare the two).
#[cfg(test)]
pub fn emit_types(model: &ApiModel) -> TokenStream {
    let prelude = emit_types_prelude();
    let items = emit_type_items(model, &model.types);
    quote!(#prelude #items)
}

/// The top of `types.rs`: its doc and the lints generated types may trip.
pub fn emit_types_prelude() -> TokenStream {
    quote! {
        //! Request and response types.
        #![allow(
            deprecated,
            clippy::large_enum_variant,
            clippy::too_many_arguments,
            clippy::new_without_default,
            clippy::type_complexity
        )]
    }
}

/// The items of some of the model's types, in order. `types.rs` is the prelude followed by the
/// items of every type; emitting them in slices lets the slices be formatted in parallel.
pub fn emit_type_items(model: &ApiModel, defs: &[TypeDef]) -> TokenStream {
    let items = defs.iter().map(|def| {
        // Every emitter puts the type first, so the attribute lands on it.
        let deprecated = deprecated_attr(def.deprecated.as_deref());
        let item = emit_type_item(model, def);
        quote!(#deprecated #item)
    });
    quote!(#(#items)*)
}

fn emit_type_item(model: &ApiModel, def: &TypeDef) -> TokenStream {
    match &def.kind {
        TypeKind::Struct(s) => emit_struct(model, def, s),
        TypeKind::Enum(e) => emit_enum(def, e),
        TypeKind::Union(u) => emit_union(model, def, u),
        TypeKind::Alias(target) => {
            let name = ident(&def.name);
            let doc = doc_attrs(def.doc.as_deref());
            let target = rust_type(model, target, false);
            quote!(#doc pub type #name = #target;)
        }
    }
}

/// Every generated struct is `#[non_exhaustive]`, so that fields can be added in a compatible
/// release; users build them with `new` and the setters.
pub(crate) const STRUCTS_ARE_NON_EXHAUSTIVE: bool = true;

/// The field that keeps undeclared properties, when the schema allows them.
pub(crate) const ADDITIONAL_PROPERTIES_FIELD: &str = "additional_properties";

/// How a field is held: `T`, `Option<T>`, or `Nullable<T>` (absent, null or a value), and boxed
/// when the type contains itself.
enum FieldShape {
    Plain,
    Optional,
    Nullable,
}

fn field_shape(def: &TypeDef, field: &Field) -> FieldShape {
    match (field.required, field.nullable) {
        (true, false) => FieldShape::Plain,
        (false, true) if def.in_request => FieldShape::Nullable,
        _ => FieldShape::Optional,
    }
}

/// How `new` and the setters fill a field in: the one place that decides what `new` takes.
pub(crate) enum FieldInit {
    /// `new` takes `impl Into<T>`.
    Argument,
    /// Required but nullable: `new` takes `Option<T>`.
    OptionArgument,
    /// A required single-value enum: filled in with its value.
    Constant,
    /// Starts as `None` (or, for a constant, its value); a setter sets it.
    Setter,
    /// Starts absent; a setter sets a value and a `_null` setter an explicit `null`.
    NullableSetter,
}

impl FieldInit {
    /// Whether `new` takes the field as an argument.
    pub(crate) fn in_constructor(&self) -> bool {
        matches!(self, FieldInit::Argument | FieldInit::OptionArgument)
    }
}

pub(crate) fn field_init(model: &ApiModel, def: &TypeDef, field: &Field) -> FieldInit {
    let constant = is_constant(model, &field.ty);
    match field_shape(def, field) {
        FieldShape::Plain if constant => FieldInit::Constant,
        FieldShape::Plain => FieldInit::Argument,
        FieldShape::Optional if field.required => FieldInit::OptionArgument,
        FieldShape::Optional => FieldInit::Setter,
        FieldShape::Nullable => FieldInit::NullableSetter,
    }
}

/// The type a struct field is declared with: `T`, `Option<T>` or `Nullable<T>`, `T` boxed when
/// the type contains itself.
pub(crate) fn field_type(model: &ApiModel, def: &TypeDef, field: &Field) -> TokenStream {
    let inner = boxed(rust_type(model, &field.ty, false), field.boxed);
    match field_shape(def, field) {
        FieldShape::Plain => inner,
        FieldShape::Optional => quote!(Option<#inner>),
        FieldShape::Nullable => quote!(crate::runtime::Nullable<#inner>),
    }
}

/// The type of the field that keeps undeclared properties, when the struct has one.
pub(crate) fn additional_properties_type(model: &ApiModel, s: &StructDef) -> Option<TokenStream> {
    let value = rust_type(model, s.additional.as_ref()?, false);
    Some(quote!(std::collections::BTreeMap<String, #value>))
}

fn emit_struct(model: &ApiModel, def: &TypeDef, s: &StructDef) -> TokenStream {
    let name = ident(&def.name);
    let doc = doc_attrs(def.doc.as_deref());
    let fields = s.fields.iter().map(|field| {
        let field_name = ident(&field.name);
        let field_doc = doc_attrs(field.doc.as_deref());
        let wire = &field.wire_name;
        let rename =
            (field_name.to_string().trim_start_matches("r#") != wire).then(|| quote!(#[serde(rename = #wire)]));
        let attr = match field_shape(def, field) {
            FieldShape::Optional if !field.required => {
                quote!(#[serde(default, skip_serializing_if = "Option::is_none")])
            }
            FieldShape::Nullable => {
                quote!(#[serde(default, skip_serializing_if = "crate::runtime::Nullable::is_absent")])
            }
            FieldShape::Plain | FieldShape::Optional => quote!(),
        };
        let ty = field_type(model, def, field);
        let deprecated = deprecated_attr(field.deprecated.as_deref());
        quote!(#field_doc #deprecated #rename #attr pub #field_name: #ty,)
    });
    let additional = additional_properties_type(model, s).map(|ty| {
        let field_name = ident(ADDITIONAL_PROPERTIES_FIELD);
        quote! {
            /// Properties not declared in the schema, kept so nothing the server sends is lost.
            #[serde(flatten)]
            pub #field_name: #ty,
        }
    });
    let constructor = emit_constructor(model, def, s);
    // Closed request shapes reject unknown keys, which is also what lets an untagged union of
    // them pick the right member.
    let closed = s.closed && !def.in_response;
    let non_exhaustive = STRUCTS_ARE_NON_EXHAUSTIVE.then(|| quote!(#[non_exhaustive]));
    // A struct that keeps undeclared properties (`#[serde(flatten)]`), or has no fields, keeps
    // serde's derive.
    let (derive_deserialize, deserialize) = if s.additional.is_some() || s.fields.is_empty() {
        (quote!(serde::Deserialize,), None)
    } else {
        (quote!(), Some(emit_struct_deserialize(def, s, closed)))
    };
    // Only serde's derive reads the attribute; `struct_from_map!` is told `deny_unknown` itself.
    let deny_unknown = (closed && deserialize.is_none()).then(|| quote!(#[serde(deny_unknown_fields)]));
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, serde::Serialize, #derive_deserialize)]
        #non_exhaustive
        #deny_unknown
        pub struct #name {
            #(#fields)*
            #additional
        }
        #deserialize
        #constructor
    }
}

/// A struct's `Deserialize`, written by the runtime's `struct_from_map!` from one tuple per
/// field: its index, wire name, whether it may be missing (`Option` and `Nullable` fields become
/// `None` or `Absent`; any other missing field is an error), and its name (its type is inferred).
fn emit_struct_deserialize(def: &TypeDef, s: &StructDef, closed: bool) -> TokenStream {
    let name = ident(&def.name);
    let fields = s.fields.iter().enumerate().map(|(index, field)| {
        let index = proc_macro2::Literal::usize_unsuffixed(index);
        let field_name = ident(&field.name);
        let wire = &field.wire_name;
        let missing = match field_shape(def, field) {
            FieldShape::Plain => quote!(required),
            FieldShape::Optional | FieldShape::Nullable => quote!(optional),
        };
        quote!((#index, #wire, #missing, #field_name))
    });
    quote! {
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                crate::runtime::decode::struct_from_map!(deserializer, #name, deny_unknown = #closed, #(#fields),*)
            }
        }
    }
}

/// The schema's description followed by a paragraph the generator adds.
fn doc_with_note(doc: Option<&str>, note: &str) -> TokenStream {
    let text = match doc {
        Some(doc) => format!("{doc}\n\n{note}"),
        None => note.to_owned(),
    };
    doc_attrs(Some(&text))
}

fn boxed(ty: TokenStream, boxed: bool) -> TokenStream {
    if boxed {
        quote!(Box<#ty>)
    } else {
        ty
    }
}

/// `new` takes the required fields (constants fill themselves in); a setter per optional field.
fn emit_constructor(model: &ApiModel, def: &TypeDef, s: &StructDef) -> TokenStream {
    let name = ident(&def.name);
    let mut params = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    for field in &s.fields {
        let field_name = ident(&field.name);
        let inner = rust_type(model, &field.ty, false);
        let wrap = |value: TokenStream| if field.boxed { quote!(Box::new(#value)) } else { value };
        let constant = is_constant(model, &field.ty);
        match field_init(model, def, field) {
            FieldInit::Constant => inits.push(quote!(#field_name: Default::default())),
            FieldInit::Argument => {
                params.push(quote!(#field_name: impl Into<#inner>));
                let value = wrap(quote!(#field_name.into()));
                inits.push(quote!(#field_name: #value));
            }
            FieldInit::OptionArgument => {
                let ty = field_type(model, def, field);
                params.push(quote!(#field_name: #ty));
                inits.push(quote!(#field_name));
            }
            FieldInit::Setter => {
                let init = if constant {
                    quote!(Some(Default::default()))
                } else {
                    quote!(None)
                };
                inits.push(quote!(#field_name: #init));
                let value = wrap(quote!(value.into()));
                let doc = setter_doc(field);
                setters.push(quote! {
                    #doc
                    pub fn #field_name(mut self, value: impl Into<#inner>) -> Self {
                        self.#field_name = Some(#value);
                        self
                    }
                });
            }
            FieldInit::NullableSetter => {
                inits.push(quote!(#field_name: crate::runtime::Nullable::Absent));
                let value = wrap(quote!(value.into()));
                let doc = setter_doc(field);
                let null_setter = ident(&null_setter_name(s, field));
                let null_doc = doc_attrs(Some(&format!("Sends `{}` as an explicit `null`.", field.wire_name)));
                setters.push(quote! {
                    #doc
                    pub fn #field_name(mut self, value: impl Into<#inner>) -> Self {
                        self.#field_name = crate::runtime::Nullable::Value(#value);
                        self
                    }
                    #null_doc
                    pub fn #null_setter(mut self) -> Self {
                        self.#field_name = crate::runtime::Nullable::Null;
                        self
                    }
                });
            }
        }
    }
    if s.additional.is_some() {
        let field_name = ident(ADDITIONAL_PROPERTIES_FIELD);
        inits.push(quote!(#field_name: Default::default()));
    }
    let default_impl = params.is_empty().then(|| {
        quote! {
            impl Default for #name {
                fn default() -> Self {
                    Self::new()
                }
            }
        }
    });
    let new_doc = format!(
        " Creates a [`{}`] from its required fields; set the others with the setters.",
        def.name
    );
    quote! {
        impl #name {
            #[doc = #new_doc]
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits),* }
            }
            #(#setters)*
        }
        #default_impl
    }
}

/// `x_null` for a field `x`, unless the struct has a field of that name (whose setter it is).
fn null_setter_name(s: &StructDef, field: &Field) -> String {
    let mut name = format!("{}_null", field.name.trim_start_matches("r#"));
    while s.fields.iter().any(|other| other.name == name) {
        name.push('_');
    }
    name
}

/// The setter's doc, and its deprecation when the field is deprecated.
fn setter_doc(field: &Field) -> TokenStream {
    let text = doc_attrs(Some(&format!("Sets `{}`.", field.wire_name)));
    let extra = doc_attrs(field.doc.as_deref());
    let deprecated = deprecated_attr(field.deprecated.as_deref());
    if field.doc.is_some() {
        quote!(#text #[doc = ""] #extra #deprecated)
    } else {
        quote!(#text #deprecated)
    }
}

/// Open enums (see [`is_open_enum`]) decode an unknown value to `Unknown`, keeping its text.
fn emit_enum(def: &TypeDef, e: &EnumDef) -> TokenStream {
    let name = ident(&def.name);
    let doc = doc_attrs(def.doc.as_deref());
    let open = is_open_enum(def, e);
    let variant_idents: Vec<_> = e.variants.iter().map(|v| ident(&v.name)).collect();
    let wires: Vec<&String> = e.variants.iter().map(|v| &v.wire).collect();
    let variant_docs = e.variants.iter().map(|v| doc_attrs(Some(&format!("`{}`", v.wire))));
    let common = quote! {
        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl crate::runtime::QueryValue for #name {
            fn to_query_value(&self) -> String {
                self.as_str().to_owned()
            }
        }
    };
    if !open {
        let default_attr = (e.variants.len() == 1).then(|| quote!(Default,));
        let default_marker = (e.variants.len() == 1).then(|| quote!(#[default]));
        let count = proc_macro2::Literal::usize_unsuffixed(e.variants.len());
        // Decoded as an index into the wire values by one runtime visitor for every enum,
        // rather than serde's derived enum access, which is compiled again for each enum.
        return quote! {
            #doc
            #[derive(Clone, Copy, Debug, #default_attr PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
            pub enum #name {
                #(#variant_docs #default_marker #[serde(rename = #wires)] #variant_idents,)*
            }
            impl<'de> serde::Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    const VALUES: [#name; #count] = [#(#name::#variant_idents),*];
                    crate::runtime::decode::decode_one_of(deserializer, &[#(#wires),*]).map(|index| VALUES[index])
                }
            }
            impl #name {
                /// The value as sent on the wire.
                pub fn as_str(&self) -> &'static str {
                    match self {
                        #(Self::#variant_idents => #wires,)*
                    }
                }
            }
            #common
        };
    }
    let doc = doc_with_note(
        def.doc.as_deref(),
        "Values this client version does not know decode to `Unknown`, keeping their text; match with a wildcard arm so that new values do not break your code.",
    );
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#variant_docs #variant_idents,)*
            /// A value this client version does not know.
            Unknown(String),
        }
        impl #name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#variant_idents => #wires,)*
                    Self::Unknown(value) => value,
                }
            }
        }
        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#wires => Self::#variant_idents,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = String::deserialize(deserializer)?;
                Ok(Self::from(value.as_str()))
            }
        }
        #common
    }
}

fn emit_union(model: &ApiModel, def: &TypeDef, u: &UnionDef) -> TokenStream {
    let name = ident(&def.name);
    let doc = doc_attrs(def.doc.as_deref());
    let tagged = is_tagged_union(u);
    let open = is_open_union(def, u);
    let variant_idents: Vec<_> = u.variants.iter().map(|v| ident(&v.name)).collect();
    let variant_types: Vec<TokenStream> = u
        .variants
        .iter()
        .map(|v| boxed(rust_type(model, &v.ty, false), v.boxed))
        .collect();
    let unknown = open.then(|| {
        quote! {
            /// A member this client version does not know (its tag value is new); the JSON is kept as is.
            Unknown(serde_json::Value),
        }
    });
    let from_impls = emit_union_from_impls(model, &name, u, &variant_idents, &variant_types);
    if !tagged {
        // Tried in order, the first member that decodes wins, as with serde's untagged enums.
        let message = format!("data did not match any variant of untagged enum {}", def.name);
        let decode = quote! {
            #(if let Some(member) = value.try_member() { return Ok(Self::#variant_idents(member)); })*
            Err(#message.to_owned())
        };
        let deserialize = emit_union_deserialize(&name, quote!(None), decode);
        return quote! {
            #doc
            #[derive(Clone, Debug, PartialEq, serde::Serialize)]
            #[serde(untagged)]
            pub enum #name {
                #(#variant_idents(#variant_types),)*
            }
            #deserialize
            #from_impls
        };
    }
    let non_exhaustive = is_non_exhaustive_union(u).then(|| quote!(#[non_exhaustive]));
    let tag = u.tag.clone().unwrap_or_default();
    let tag_values: Vec<String> = u
        .variants
        .iter()
        .map(|v| v.tag_value.clone().unwrap_or_default())
        .collect();
    let unknown_tag = if open {
        quote!(Some(_) => value.unknown().map(Self::Unknown),)
    } else {
        let message = format!("unknown `{tag}` value in {}", def.name);
        quote!(Some(other) => Err(format!("{}: `{}`", #message, other)),)
    };
    // `Unknown` is for a tag value this version does not know; without the tag, a value no member
    // decodes is an error, or it would win over members that fit it in part.
    let message = format!("no member of {} matches (and `{tag}` is absent)", def.name);
    let decode = quote! {
        match value.tag() {
            #(Some(#tag_values) => value.member().map(Self::#variant_idents),)*
            #unknown_tag
            None => crate::runtime::union::closest(value, &[#(|v| v.fit(Self::#variant_idents)),*])
                .ok_or_else(|| #message.to_owned()),
        }
    };
    let deserialize = emit_union_deserialize(&name, quote!(Some(#tag)), decode);
    let note = format!(
        "Members are told apart by `{tag}`; when it is absent, the member that keeps the most keys of the input wins."
    );
    let doc = doc_with_note(def.doc.as_deref(), &note);
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, serde::Serialize)]
        #[serde(untagged)]
        #non_exhaustive
        pub enum #name {
            #(#variant_idents(#variant_types),)*
            #unknown
        }
        #deserialize
        #from_impls
    }
}

/// A union's `Deserialize`: the runtime captures the value once, and `decode` (a closure over
/// the captured JSON) picks the member. A closure rather than a function of the type: it is
/// compiled only where the union is decoded, so request-only unions cost nothing.
fn emit_union_deserialize(name: &proc_macro2::Ident, tag: TokenStream, decode: TokenStream) -> TokenStream {
    quote! {
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                crate::runtime::union::deserialize(deserializer, #tag, |value| {
                    #decode
                })
            }
        }
    }
}

/// `From<Member> for Union` for each member type that appears only once, so bodies read
/// `client.evaluations().create(EvaluationStandaloneCreateRequest::new(..))`.
fn emit_union_from_impls(
    model: &ApiModel,
    name: &proc_macro2::Ident,
    u: &UnionDef,
    variant_idents: &[proc_macro2::Ident],
    variant_types: &[TokenStream],
) -> TokenStream {
    // Compared after resolving aliases: `String` and `Locator = String` are one type to `From`.
    let rendered: Vec<String> = u
        .variants
        .iter()
        .map(|v| {
            let resolved = boxed(
                rust_type(model, crate::model::resolve_alias(&model.types, &v.ty), false),
                v.boxed,
            );
            resolved.to_string()
        })
        .collect();
    let impls = (0..u.variants.len()).filter_map(|i| {
        let unique = rendered.iter().filter(|r| **r == rendered[i]).count() == 1;
        if !unique {
            return None;
        }
        let variant_ident = &variant_idents[i];
        let from_ty = &variant_types[i];
        Some(quote! {
            impl From<#from_ty> for #name {
                fn from(value: #from_ty) -> Self {
                    Self::#variant_ident(value)
                }
            }
        })
    });
    quote!(#(#impls)*)
}

#[cfg(test)]
mod tests {
    use crate::Generator;

    /// `types.rs` for a request-and-response type with awkward property names and enum values.
    fn types_of_thing() -> String {
        let spec = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /things:
    post:
      operationId: createThing
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Thing'}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
components:
  schemas:
    Thing:
      type: object
      properties:
        "a\rb": {type: string, nullable: true}
        kind: {type: string, enum: ["c\rd", e]}
        a_b_null: {type: string}
"#;
        let generated = Generator::new("test", "t.yaml")
            .generate(spec)
            .unwrap_or_else(|e| panic!("{e}"));
        let types = generated.files.into_iter().find(|f| f.path == "src/generated/types.rs");
        types.unwrap().contents
    }

    /// Wire names appear in generated doc comments, where rustc rejects a bare carriage return.
    #[test]
    fn carriage_returns_in_wire_names_do_not_reach_doc_comments() {
        let types = types_of_thing();
        assert!(types.contains("/// Sets `a\n    /// b`.\n"), "{types}");
        assert!(!types.contains('\r'), "{types}");
    }

    /// A field named like another field's explicit-null setter keeps its setter name.
    #[test]
    fn null_setters_do_not_take_field_names() {
        let types = types_of_thing();
        assert!(
            types.contains("pub fn a_b_null(mut self, value: impl Into<String>)"),
            "{types}"
        );
        assert!(types.contains("pub fn a_b_null_(mut self) -> Self"), "{types}");
    }
}
