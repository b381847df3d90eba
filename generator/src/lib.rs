//! Generates a typed async Rust client crate from an OpenAPI 3.0 or 3.1 description.
//!
//! Use it through [`Generator`]: [`Generator::run`] reads a spec file and writes (or checks) the
//! crate, [`Generator::generate`] turns spec text into files in memory. Problems in the spec come
//! back as [`diagnostic::Diagnostic`]s that name the JSON pointer and the line.
//!
//! The pipeline reads top to bottom, one module per stage, and dependencies run one way:
//!
//! 1. `spec`: the text is loaded once into a JSON value, a typed `openapiv3` document and a
//!    pointer → line index (`spec::load`, `spec::line_index`), then checked for what `openapiv3`
//!    does not check: unknown keys, dangling `$ref`s, path templates (`spec::validate`, with the
//!    table of known keys in `spec::known_keys`). `spec::pointer` is how every stage names a place.
//! 2. `lower`: the spec becomes the `model`, a small arena of named types and operations grouped
//!    by resource (`lower::types`, `lower::operations`, `lower::settings`).
//! 3. `emit`: the model becomes token streams, one function per kind of file (`emit::types`,
//!    `emit::operations`, `emit::pagination`, `emit::client`); names come from `naming`.
//! 4. `format`: tokens → text (`syn` + `prettyplease`), with the `@generated` header.
//! 5. `write`: files are written, or compared with a diff in [`Mode::Check`].
//! 6. `release`: the crate's public API (`surface`, kept in the crate as `api.json`) is compared
//!    with the previous release's (`changes`): the spec's version must allow the change, and
//!    `CHANGELOG.md` gets an entry for it (`changelog`). [`Generator::compare`] reports the change
//!    between two specs.
//!
//! `codegen` runs the stages in order; the hand-written runtime in `generator/runtime/` is
//! copied into every crate as it is.
#![deny(missing_docs)]

mod changelog;
mod changes;
mod codegen;
pub mod diagnostic;
mod emit;
mod error;
mod format;
mod lower;
mod model;
mod naming;
mod release;
mod spec;
mod surface;
mod write;

pub use changes::ApiChanges;
pub use codegen::{Generated, Generator, StageTimes, Summary};
pub use error::CodegenError;
pub use spec::load::MAX_NESTING;
pub use write::{unified_diff, GeneratedFile, Mode};
