//! Emits item and page streams for list operations that declare `x-pagination`.
//!
//! ```text
//! impl CursorPaginated for ListEvaluationsBuilder { … }     // how to re-send from a cursor
//! impl ListEvaluationsBuilder {
//!     pub fn pages(self) -> impl Stream<Item = Result<EvaluationList, Error>>
//!     pub fn items(self) -> impl Stream<Item = Result<Evaluation, Error>>
//! }
//! ```

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::common::{rust_type, union_is_open};
use crate::emit::operations::response_future;
use crate::model::{ApiModel, Cursor, Operation, Pagination};
use crate::naming::ident;

pub fn emit_streams(model: &ApiModel, op: &Operation) -> TokenStream {
    let Some(pagination) = &op.pagination else {
        return TokenStream::new();
    };
    let builder = ident(&op.builder_name);
    let page = rust_type(model, &pagination.page_type, true);
    let fetch = response_future(op, &page);
    let item = rust_type(model, &pagination.item_type, true);
    let items_field = ident(&pagination.items_field);
    let cursor = cursor_expression(model, pagination);
    let forward = ident(&pagination.forward_param);
    let has_more = match &pagination.has_more_field {
        Some((name, true)) => {
            let name = ident(name);
            quote!(Some(page.#name))
        }
        Some((name, false)) => {
            let name = ident(name);
            quote!(page.#name)
        }
        None => quote!(None),
    };
    let (walks_backward, set_cursor) = match &pagination.backward_param {
        Some(backward) => {
            let backward = ident(backward);
            (
                quote!(self.#backward.is_some()),
                quote! {
                    if backward {
                        self.#backward = Some(cursor);
                    } else {
                        self.#forward = Some(cursor);
                    }
                },
            )
        }
        None => (quote!(false), quote!(self.#forward = Some(cursor);)),
    };
    let unused_backward = pagination.backward_param.is_none().then(|| quote!(let _ = backward;));
    quote! {
        impl crate::runtime::pagination::CursorPaginated for #builder {
            type Page = #page;
            type Item = #item;
            type Fetch = #fetch;
            fn fetch(self) -> Self::Fetch {
                self.send()
            }
            fn walks_backward(&self) -> bool {
                #walks_backward
            }
            fn at_cursor(mut self, cursor: String, backward: bool) -> Self {
                #unused_backward
                #set_cursor
                self
            }
            fn page_items(page: &Self::Page) -> &[Self::Item] {
                &page.#items_field
            }
            fn has_more(page: &Self::Page) -> Option<bool> {
                #has_more
            }
            fn cursor(item: &Self::Item) -> &str {
                #cursor
            }
            fn into_items(page: Self::Page) -> Vec<Self::Item> {
                page.#items_field
            }
        }

        impl #builder {
            /// Every page, lazily: the first as built, then the same request (every filter kept)
            /// from the cursor after the last item, or before the first item when this request
            /// walks backwards. Stops after `has_more: false`, an empty page, a repeated cursor or
            /// an error (which is yielded).
            pub fn pages(self) -> impl futures_core::Stream<Item = Result<#page, rt::Error>> + Send + 'static {
                crate::runtime::pagination::pages(self)
            }

            /// Every item across pages, lazily; see [`Self::pages`] for how the walk goes.
            pub fn items(self) -> impl futures_core::Stream<Item = Result<#item, rt::Error>> + Send + 'static {
                crate::runtime::pagination::items(self)
            }
        }
    }
}

/// The body of `cursor(item)`: the field, or a `match` over the union's members. A member the
/// client does not know is read as JSON; without the field its cursor is empty, and the walk then
/// stops as on a repeated cursor.
fn cursor_expression(model: &ApiModel, pagination: &Pagination) -> TokenStream {
    match &pagination.cursor {
        Cursor::Field(field) => {
            let field = ident(field);
            quote!(&item.#field)
        }
        Cursor::Members { fields, wire_name } => {
            let union = rust_type(model, &pagination.item_type, true);
            let arms = fields.iter().map(|(variant, field)| {
                let (variant, field) = (ident(variant), ident(field));
                quote!(#union::#variant(member) => &member.#field,)
            });
            let unknown = union_is_open(model, &pagination.item_type).then(|| {
                quote!(#union::Unknown(value) => value.get(#wire_name).and_then(serde_json::Value::as_str).unwrap_or_default(),)
            });
            quote! {
                match item {
                    #(#arms)*
                    #unknown
                }
            }
        }
    }
}
