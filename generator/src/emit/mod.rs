//! The emit stage: the model → token streams, one function per kind of output file. [`types`] emits
//! `types.rs`, [`operations`] one module per resource (with [`pagination`]'s streams on list
//! builders), [`client`] the client, `lib.rs` and `Cargo.toml`, [`mock`] the typed mock server of the
//! `mock` feature, [`cli`] the command line of the `cli` feature; [`common`] holds what they share.

pub(crate) mod cli;
pub(crate) mod client;
pub(crate) mod common;
pub(crate) mod mock;
pub(crate) mod operations;
pub(crate) mod pagination;
pub(crate) mod types;
