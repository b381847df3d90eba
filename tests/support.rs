//! Integration tests live beside this file: `snapshots.rs` (generated output and error
//! messages), `codegen_check.rs` (the checked-in client is current), `e2e.rs` (every operation
//! against a local server).

// The README's Rust examples compile as doctests of this crate (they use its dev-dependencies).
#![doc = include_str!("../README.md")]
