//! Emits item and page streams for list operations that declare `x-pagination`.

use proc_macro2::TokenStream;

use crate::model::{ApiModel, Operation};

/// `impl ListXBuilder { pub fn items(self) -> impl Stream<…>; pub fn pages(self) -> … }`.
pub fn emit_streams(_model: &ApiModel, _op: &Operation) -> TokenStream {
    TokenStream::new()
}
