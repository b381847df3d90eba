//! Integration tests live beside this file: `snapshots.rs` (generated output and error
//! messages), `codegen_check.rs` (the checked-in client is current), `e2e.rs` (every operation
//! against a local server).
