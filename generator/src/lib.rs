//! Generates a typed async Rust client crate from an OpenAPI 3.0 description.
//!
//! The pipeline reads top to bottom, one module per stage:
//! [`load`] (text → `openapiv3` + a pointer → line index) → [`validate`] (what `openapiv3`
//! does not check) → [`lower`] (spec → [`model`]) → `emit_*` (model → tokens) → [`format`]
//! (tokens → text) → [`write`] (files, or a diff in check mode). [`codegen`] runs them in order.
pub mod codegen;
pub mod diagnostic;
pub mod emit_client;
pub mod emit_common;
pub mod emit_operations;
pub mod emit_pagination;
pub mod emit_types;
pub mod format;
pub mod line_index;
pub mod load;
pub mod lower;
pub mod lower_operations;
pub mod lower_types;
pub mod model;
pub mod naming;
pub mod openapi_keys;
pub mod validate;
pub mod write;
